//! The compose target: `compose/docker-compose.yaml` (Compose specification,
//! https://github.com/compose-spec/compose-spec/blob/main/spec.md) plus `compose/config/<svc>/`,
//! mounted read-only with paths relative to the compose file so the directory can be copied
//! anywhere.
//!
//! Every container runs as its program's non-root user with a read-only root file system,
//! all capabilities dropped and `no-new-privileges`; ports are published on `publish_on`
//! (127.0.0.1 by default); data lives in named volumes; secrets are compose `secrets:` from
//! files or environment variables, never inline. Images have no shell or HTTP client, so
//! `depends_on` uses `service_started` and readiness is probed from outside.

use super::{config_outputs, Output};
use crate::backends::{self, Ctx, HomeLayout, Root, SecretLayout, Service};
use crate::ir::{self, SecretRef};
use serde_json::{json, Map, Value};

/// Where config and data live inside containers.
pub const CONFIG_ROOT: &str = "/etc/gstack";
pub const SECRETS_ROOT: &str = "/run/secrets";

pub fn ctx(stack: &ir::Stack, c: &ir::ComposeTarget) -> Ctx {
    // the user reaches the programs where their ports are published (this host's loopback
    // when published on every address)
    let published = if c.publish_on == "0.0.0.0" { "127.0.0.1".to_string() } else { c.publish_on.clone() };
    Ctx {
        listen: "0.0.0.0".into(),
        hosts: backends::hosts_all(stack, backends::host_name),
        external_hosts: backends::hosts_all(stack, |_| published.clone()),
        config_root: Root::Fixed(CONFIG_ROOT.into()),
        data_root: Root::Conventional,
        secrets: SecretLayout::Dir(SECRETS_ROOT.into()),
        kubernetes_sd: false,
        home: HomeLayout::System,
    }
}

fn secret_key(svc: &Service, name: &str) -> String {
    format!("{}-{name}", svc.host_name)
}

/// The compose file as a JSON tree.
pub fn compose_file(stack: &ir::Stack, c: &ir::ComposeTarget, services: &[Service]) -> Value {
    let mut svcs = Map::new();
    let mut volumes = Map::new();
    let mut secrets = Map::new();
    for s in services {
        let name = s.host_name.clone();
        let mut v = json!({
            "image": c.images.get(&s.name).cloned().unwrap_or_else(|| s.image.clone()),
            "entrypoint": [s.program],
            "command": s.args,
            "user": format!("{}:{}", s.user.uid, s.user.gid),
            "read_only": true,
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges:true"],
            "restart": "unless-stopped",
            "networks": ["gstack"],
            "stop_grace_period": format!("{}s", s.stop_timeout),
        });
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
        if !mounts.is_empty() {
            v["volumes"] = json!(mounts);
        }
        let mut tmpfs = vec!["/tmp".to_string()];
        tmpfs.extend(s.scratch.iter().filter(|d| *d != "/tmp").cloned());
        v["tmpfs"] = json!(tmpfs);
        if !s.env.is_empty() {
            v["environment"] = json!(s.env);
        }
        if !s.secrets.is_empty() {
            let mut uses = vec![];
            for sec in &s.secrets {
                let key = secret_key(s, &sec.name);
                let def = match &sec.secret {
                    SecretRef::File(p) => json!({ "file": p }),
                    SecretRef::Env(e) => json!({ "environment": e }),
                };
                secrets.insert(key.clone(), def);
                // uid/gid/mode are Swarm-only: a file secret keeps its host permissions, so
                // make it readable by the program's user
                uses.push(json!({ "source": key, "target": format!("{SECRETS_ROOT}/{}/{}", s.name, sec.name) }));
            }
            v["secrets"] = json!(uses);
        }
        if !s.depends_on.is_empty() {
            let deps: Map<String, Value> =
                s.depends_on.iter().map(|d| (backends::host_name(*d), json!({ "condition": "service_started" }))).collect();
            v["depends_on"] = Value::Object(deps);
        }
        if let Some(r) = c.resources.iter().find(|r| r.component == s.name) {
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

/// The compose target's files, from the service records of its context ([`ctx`]).
pub fn render(stack: &ir::Stack, c: &ir::ComposeTarget, services: &[Service]) -> Vec<Output> {
    let mut out = vec![Output::file("compose/docker-compose.yaml", backends::yaml(&compose_file(stack, c, services)))];
    for s in services {
        out.extend(config_outputs("compose/config", s));
    }
    out
}
