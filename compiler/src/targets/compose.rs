//! The compose target: `compose/docker-compose.yaml` (Compose specification,
//! https://github.com/compose-spec/compose-spec/blob/main/spec.md, run by Docker Compose v2.24
//! or later: top-level `name`, `secrets.*.environment`) plus `compose/config/<svc>/`, mounted
//! read-only with paths relative to the compose file so the directory can be copied anywhere,
//! and `compose/check-secrets`, which says what each secret must be before `up`.
//!
//! Every container runs as its program's non-root user with a read-only root file system,
//! all capabilities dropped and `no-new-privileges`; ports are published on `publish_on`
//! (127.0.0.1 by default); data lives in named volumes; the gstack images are built locally
//! (`pull_policy: never`). Images have no shell or HTTP client, so `depends_on` uses
//! `service_started` and readiness is probed from outside.
//!
//! Secrets are compose `secrets:`, never inline. A file secret is bind-mounted with the host
//! file's owner and mode (compose ignores `uid`/`gid`/`mode` outside Swarm), so the file must
//! be readable by the program's uid: `check-secrets` checks that. Compose refuses to copy an
//! environment secret into a read-only container, so each service with environment secrets
//! gets a one-shot `<service>-env-secrets` container (the same image, running only
//! `<program> --version`, no network) that compose copies them into (mode 0444, in a volume
//! only that service mounts), which the service mounts read-only at
//! `/run/env-secrets/<component>`.
//!
//! A service's own loopback is its container: user scrape targets on `127.0.0.1` are scraped
//! as `host.docker.internal`, which every service resolves to the host (`host-gateway`);
//! applications must listen where containers reach them (not only on 127.0.0.1).
//! node-exporter sees the host: its PID namespace and the host root read-only at `/host`.

use super::{config_outputs, Output};
use crate::backends::{self, Ctx, HomeLayout, PeerLayout, Root, SecretLayout, Service};
use crate::ir::{self, SecretRef};
use serde_json::{json, Map, Value};

/// Where config and data live inside containers.
pub const CONFIG_ROOT: &str = "/etc/gstack";
/// Where file secrets appear: `/run/secrets/<component>/<name>`.
pub const SECRETS_ROOT: &str = "/run/secrets";
/// Where environment secrets appear: `/run/env-secrets/<component>/<name>`.
pub const ENV_SECRETS_ROOT: &str = "/run/env-secrets";
/// Where a program that measures the host sees the host's root file system.
pub const HOST_ROOTFS: &str = "/host";
/// The name containers reach the host by (`extra_hosts: host-gateway`).
pub const HOST_GATEWAY_NAME: &str = "host.docker.internal";

pub fn ctx(stack: &ir::Stack, c: &ir::ComposeTarget) -> Ctx {
    // the user reaches the programs where their ports are published (this host's loopback
    // when published on every address)
    let published = if c.publish_on == "0.0.0.0" { "127.0.0.1".to_string() } else { c.publish_on.clone() };
    Ctx {
        external_tls: false,
        listen: "0.0.0.0".into(),
        hosts: backends::hosts_all(stack, backends::host_name),
        external_hosts: backends::hosts_all(stack, |_| published.clone()),
        config_root: Root::Fixed(CONFIG_ROOT.into()),
        data_root: Root::Conventional,
        secrets: SecretLayout::DirEnvApart { files: SECRETS_ROOT.into(), env: ENV_SECRETS_ROOT.into() },
        kubernetes_sd: false,
        host_rootfs: Some(HOST_ROOTFS.into()),
        host_kernel_fs: None,
        per_node: false,
        host_loopback: Some(HOST_GATEWAY_NAME.into()),
        peers: PeerLayout::OwnHost,
        instance: None,
        home: HomeLayout::System,
    }
}

/// The compose secret of a service's secret: `<host name>.<secret name>`. Host names have
/// no `.`, so two services never share one (`alertmanager-1` + `pager-…` and `alertmanager`
/// + `1-pager-…` differ).
fn secret_key(svc: &Service, name: &str) -> String {
    format!("{}.{name}", svc.host_name)
}

/// The hardening every container of the stack gets.
fn hardened(image: &str, s: &Service, local_image: bool) -> Value {
    let mut v = json!({
        "image": image,
        "entrypoint": [s.program],
        "user": format!("{}:{}", s.user.uid, s.user.gid),
        "read_only": true,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges:true"],
    });
    if local_image {
        // `gstack/<package>:<version>` is built locally (the flake's images), never pulled
        v["pull_policy"] = json!("never");
    }
    v
}

/// The compose file as a JSON tree.
pub fn compose_file(stack: &ir::Stack, c: &ir::ComposeTarget, services: &[Service]) -> Value {
    let mut svcs = Map::new();
    let mut volumes = Map::new();
    let mut secrets = Map::new();
    let mut extra = vec![];
    for s in services {
        let name = s.host_name.clone();
        let (image, local_image) = match c.images.get(s.component.name()) {
            Some(i) => (i.clone(), false),
            None => (s.image.clone(), true),
        };
        let mut v = hardened(&image, s, local_image);
        v["command"] = json!(s.args);
        v["restart"] = json!("unless-stopped");
        v["networks"] = json!(["gstack"]);
        v["stop_grace_period"] = json!(format!("{}s", s.stop_timeout));
        // the host, for user scrape targets and receivers on it
        v["extra_hosts"] = json!([format!("{HOST_GATEWAY_NAME}:host-gateway")]);
        let ports: Vec<String> =
            s.ports.iter().filter(|p| p.role.published()).map(|p| format!("{}:{}:{}", c.publish_on, p.port, p.port)).collect();
        if !ports.is_empty() {
            v["ports"] = json!(ports);
        }
        let mut mounts = vec![];
        if !s.files.is_empty() {
            mounts.push(json!({ "type": "bind", "source": format!("./config/{}", s.name), "target": format!("{CONFIG_ROOT}/{}", s.name), "read_only": true }));
        }
        if !s.data_dirs.is_empty() {
            let vol = format!("{name}-data");
            volumes.insert(vol.clone(), json!({}));
            mounts.push(json!({ "type": "volume", "source": vol, "target": s.image_data_dir }));
        }
        if let Some(root) = &s.host_rootfs {
            // measures the host: its processes, and its file systems read-only
            v["pid"] = json!("host");
            // (no `rslave` propagation: Docker refuses it where `/` is a private mount)
            mounts.push(json!({ "type": "bind", "source": "/", "target": root, "read_only": true }));
        }
        let env_secrets: Vec<_> = s.secrets.iter().filter(|x| matches!(x.secret, SecretRef::Env(_))).collect();
        if !env_secrets.is_empty() {
            let vol = format!("{name}-env-secrets");
            volumes.insert(vol.clone(), json!({}));
            mounts.push(json!({ "type": "volume", "source": vol, "target": format!("{ENV_SECRETS_ROOT}/{}", s.name), "read_only": true }));
        }
        if !mounts.is_empty() {
            v["volumes"] = json!(mounts);
        }
        let mut tmpfs = vec!["/tmp".to_string()];
        tmpfs.extend(s.scratch.iter().filter(|d| *d != "/tmp").cloned());
        v["tmpfs"] = json!(tmpfs);
        if !s.env.is_empty() {
            v["environment"] = json!(s.env);
        }
        let mut deps: Map<String, Value> =
            s.depends_on.iter().map(|d| (backends::host_name(*d), json!({ "condition": "service_started" }))).collect();
        let mut file_uses = vec![];
        let mut env_uses = vec![];
        for sec in &s.secrets {
            let key = secret_key(s, &sec.name);
            match &sec.secret {
                SecretRef::File(p) => {
                    secrets.insert(key.clone(), json!({ "file": p }));
                    // a bind mount: the host file's owner and mode
                    file_uses.push(json!({ "source": key, "target": format!("{SECRETS_ROOT}/{}/{}", s.name, sec.name) }));
                }
                SecretRef::Env(e) => {
                    secrets.insert(key.clone(), json!({ "environment": e }));
                    // copied by compose into the volume that only this service mounts, owned
                    // by root, mode 0444 (compose ignores `mode` outside Swarm, and with
                    // `uid`/`gid` dockerd 20.10 looks the container's `user` up in the host's
                    // passwd database, which fails on `uid:gid`)
                    env_uses.push(json!({ "source": key, "target": format!("{ENV_SECRETS_ROOT}/{}/{}", s.name, sec.name) }));
                }
            }
        }
        if !file_uses.is_empty() {
            v["secrets"] = json!(file_uses);
        }
        if !env_uses.is_empty() {
            // the one-shot container compose copies the environment secrets into
            let init = format!("{name}-env-secrets");
            let mut i = hardened(&image, s, local_image);
            i["command"] = json!(s.version_args);
            // compose copies secrets into the container's file system: only the secrets
            // volume is written, but compose refuses any non-file secret on a read-only one
            i["read_only"] = json!(false);
            i["network_mode"] = json!("none");
            i["restart"] = json!("no");
            i["volumes"] = json!([{ "type": "volume", "source": format!("{name}-env-secrets"), "target": format!("{ENV_SECRETS_ROOT}/{}", s.name) }]);
            i["secrets"] = json!(env_uses);
            extra.push((init.clone(), i));
            deps.insert(init, json!({ "condition": "service_completed_successfully" }));
        }
        if !deps.is_empty() {
            v["depends_on"] = Value::Object(deps);
        }
        if let Some(r) = c.resources.iter().find(|r| r.component == s.component.name()) {
            let mut limits = Map::new();
            if let Some(cpu) = r.cpu {
                limits.insert("cpus".into(), json!(format!("{}", cpu.0 as f64 / 1000.0)));
            }
            if let Some(m) = r.memory {
                limits.insert("memory".into(), json!(format!("{}b", m.0)));
            }
            if !limits.is_empty() {
                v["deploy"] = json!({ "resources": { "limits": limits } });
            }
        }
        svcs.insert(name, v);
        for (n, i) in extra.drain(..) {
            svcs.insert(n, i);
        }
    }
    let mut doc = json!({
        "name": c.project.clone().unwrap_or_else(|| stack.name.clone()),
        "services": svcs,
        "networks": { "gstack": {} },
    });
    if !volumes.is_empty() {
        doc["volumes"] = Value::Object(volumes);
    }
    if !secrets.is_empty() {
        doc["secrets"] = Value::Object(secrets);
    }
    // compose interpolates `$VAR` / `${VAR}` in every string value; nothing here is meant
    // to be expanded, so every `$` is written `$$`
    crate::encode::dollar::compose_tree(&mut doc);
    doc
}

/// `compose/check-secrets`: run before `docker compose up`, it checks that every secret the
/// stack reads is there and readable by the program that reads it, and says what to run
/// when not. A file secret is bind-mounted with the host file's owner and mode (compose
/// cannot chown it), so the file must be readable by the program's uid or gid; an
/// environment secret must be set (and non-empty) where compose runs.
pub fn check_secrets(services: &[Service]) -> String {
    use crate::encode::shell::quote;
    // every file, with the users that read it
    let mut files: Vec<(String, Vec<(String, backends::User)>)> = vec![];
    let mut envs: Vec<(String, String)> = vec![];
    for s in services {
        for sec in &s.secrets {
            match &sec.secret {
                SecretRef::File(p) => match files.iter_mut().find(|(q, _)| q == p) {
                    Some((_, users)) => users.push((s.name.clone(), s.user)),
                    None => files.push((p.clone(), vec![(s.name.clone(), s.user)])),
                },
                SecretRef::Env(e) => {
                    if !envs.iter().any(|(x, _)| x == e) {
                        envs.push((e.clone(), s.name.clone()));
                    }
                }
            }
        }
    }
    let mut body = String::new();
    for (path, users) in &files {
        let who = users.iter().map(|(n, u)| format!("{n} ({}:{})", u.uid, u.gid)).collect::<Vec<_>>().join(", ");
        let (uid, gid) = (users[0].1.uid, users[0].1.gid);
        let fix = if users.iter().all(|(_, u)| u.uid == uid) {
            format!("chown {uid}:{gid} {p} && chmod 0400 {p}", p = quote(path))
        } else {
            format!("chmod 0444 {}", quote(path))
        };
        body.push_str(&format!("check_file {} {} {}", quote(path), quote(&who), quote(&fix)));
        for (_, u) in users {
            body.push_str(&format!(" {}:{}", u.uid, u.gid));
        }
        body.push('\n');
    }
    for (var, comp) in &envs {
        body.push_str(&format!("check_env {} {}\n", quote(var), quote(comp)));
    }
    format!(
        r#"#!/usr/bin/env bash
# Check the secrets of this compose deployment before `docker compose up`. Generated by gstackc.
# Compose bind-mounts a file secret with the host file's owner and mode (it ignores uid, gid
# and mode outside Swarm): the program's user must be able to read it. Environment secrets
# must be set where `docker compose up` runs. Exits 1 and says what to run when one is not.
set -uo pipefail
bad=0
# check_file PATH WHO FIX UID:GID... : PATH is a regular file every UID:GID can read
check_file() {{
  local path=$1 who=$2 fix=$3; shift 3
  if [ ! -f "$path" ]; then
    echo "secret file $path (read by $who) does not exist: create it, then: $fix" >&2; bad=1; return
  fi
  local owner group mode
  read -r owner group mode < <(stat -L -c '%u %g %a' -- "$path")
  mode=$((8#$mode))
  for ug in "$@"; do
    local u=${{ug%%:*}} g=${{ug#*:}}
    if ! {{ [ "$owner" = "$u" ] && (( mode & 0400 )); }} && ! {{ [ "$group" = "$g" ] && (( mode & 0040 )); }} && ! (( mode & 0004 )); then
      echo "secret file $path (owner $owner:$group, mode $(printf '%o' "$mode")) is not readable by uid $u (read by $who): $fix" >&2; bad=1
    fi
  done
}}
# check_env VAR COMPONENT : VAR is set and not empty
check_env() {{
  if [ -z "${{!1:-}}" ]; then
    echo "environment secret $1 (read by $2) is not set: export $1=... before docker compose up" >&2; bad=1
  fi
}}
{body}exit $bad
"#
    )
}

/// The compose target's files, from the service records of its context ([`ctx`]).
pub fn render(stack: &ir::Stack, c: &ir::ComposeTarget, services: &[Service]) -> Vec<Output> {
    let mut out = vec![
        Output::file("compose/docker-compose.yaml", backends::yaml(&compose_file(stack, c, services))),
        Output { path: "compose/check-secrets".into(), content: check_secrets(services), executable: true },
    ];
    for s in services {
        out.extend(config_outputs("compose/config", s));
    }
    out
}
