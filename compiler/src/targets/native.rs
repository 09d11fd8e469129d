//! The native target: `native/process-compose.yaml` for process-compose
//! (https://f1bonacc1.github.io/process-compose/) with readiness probes on each program's own
//! endpoint, dependency order on readiness and restart on any exit (see [`MAX_RESTARTS`]);
//! `native/run`, which creates the data directories and starts process-compose; and
//! `native/config/<program>/`.
//!
//! Paths are resolved at run time: `run` exports `GSTACK_DATA` (the target's `data_dir`, taken
//! literally except a leading `~` meaning `$HOME`; set it to override) and `GSTACK_CONFIG`, a
//! fresh private copy of the generated `config` directory at `$GSTACK_DATA/.gstack/config`.
//! `run` deletes only that copy, and only when it holds the `.gstack-owned` marker `run` wrote
//! when it created it. Programs listen on the target's `listen` address (127.0.0.1 by default).
//!
//! Before it creates, replaces or starts anything, `run` checks that every binary is there,
//! takes the stack's lock (`flock` on `$GSTACK_DATA/.gstack/lock`, held by process-compose and
//! inherited by every program it starts, so programs a dead process-compose left behind still
//! hold it), and checks that every port of the service records is free; each refusal names
//! the component, and the binary or port.

use super::{config_outputs, Output};
use crate::backends::{self, Ctx, HomeLayout, PeerLayout, Root, SecretLayout, Service, Syntax};
use crate::encode::shell::quote;
use crate::ir::{self, SecretRef};
use serde_json::json;

/// The context backends render native paths and hosts with.
pub fn ctx(stack: &ir::Stack, n: &ir::NativeTarget) -> Ctx {
    Ctx {
        external_tls: false,
        listen: n.listen.clone(),
        hosts: backends::hosts_all(stack, |_| probe_host(n)),
        // the user is on this host too
        external_hosts: backends::hosts_all(stack, |_| probe_host(n)),
        config_root: Root::Env("GSTACK_CONFIG"),
        data_root: Root::Env("GSTACK_DATA"),
        secrets: SecretLayout::Direct,
        kubernetes_sd: false,
        host_rootfs: None,
        host_kernel_fs: None,
        per_node: false,
        host_loopback: None,
        peers: PeerLayout::OneHost,
        instance: None,
        home: HomeLayout::Env,
    }
}

fn shell_quote(s: &str) -> String {
    // double quotes keep the emitters' `${GSTACK_…}` references live; every other `$` is
    // escaped (no `$HOME`, `$(…)` or `$((…))` from the source expands), and so is what double
    // quotes treat specially
    let mut out = String::from("\"");
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == '$' {
            if let Some(n) = crate::encode::gstack_ref_at(s, i) {
                out.push_str(&s[i..i + n]);
                i += n;
                continue;
            }
        }
        if matches!(c, '"' | '\\' | '`' | '$') {
            out.push('\\');
        }
        out.push(c);
        i += c.len_utf8();
    }
    out.push('"');
    out
}

/// A command as process-compose passes it to the shell: process-compose 1.85 renders every
/// command as a Go template (`{{ … }}`, even with no `vars`), so each `{{` is written as the
/// template action `{{"{{"}}` that prints it. (Its `$` expansion is off for the whole file:
/// `disable_env_expansion` in [`process_compose`].)
fn pc_command(shell: &str) -> String {
    shell.replace("{{", "{{\"{{\"}}")
}

/// How often process-compose restarts one program while the stack runs, in all (process-compose
/// 1.85 counts restarts over the life of the project and never resets the count), before it
/// leaves the program stopped: a program that cannot start (a bad config, a port another
/// process took) stops being retried instead of looping for ever.
pub const MAX_RESTARTS: u32 = 10;
/// Seconds process-compose waits before each restart.
pub const RESTART_BACKOFF: u32 = 2;

/// The binary of a program: the target's `bin` map, else its name (looked up on PATH).
fn bin_of(n: &ir::NativeTarget, program: &str) -> String {
    n.bin.get(program).cloned().unwrap_or_else(|| program.to_string())
}

/// The shell command process-compose runs for one service.
pub fn command(s: &Service, n: &ir::NativeTarget, ctx: &Ctx) -> String {
    let bin = bin_of(n, &s.program);
    let mut parts = vec![];
    // secrets given as environment variables become private files before the program starts
    for sec in &s.secrets {
        if let SecretRef::Env(var) = &sec.secret {
            if sec.reads_env {
                // the program reads the variable itself (Grafana's $__env{VAR}), and would take
                // an unset one as empty: a password or a key that is ""
                parts.push(format!(": \"${{{var}:?the secret {var} is not set}}\""));
                continue;
            }
            let path = ctx.service_config_dir(&s.name, &format!("secrets/{}", sec.name), Syntax::Shell);
            parts.push(format!(
                ": \"${{{var}:?the secret {var} is not set}}\" && mkdir -p \"$(dirname {p})\" && (umask 077 && printf '%s' \"${var}\" > {p})",
                p = shell_quote(&path)
            ));
        }
    }
    // relative paths in a program's config (secret files) resolve against its config directory
    if !s.files.is_empty() {
        parts.push(format!("cd {}", shell_quote(&ctx.service_config_dir(&s.name, "", Syntax::Shell))));
    }
    let mut exec = vec![format!("exec {}", shell_quote(&bin))];
    exec.extend(s.args.iter().map(|a| shell_quote(a)));
    parts.push(exec.join(" "));
    parts.join(" && ")
}

/// The address the stack's programs are reached at on this host: the listen address, or
/// 127.0.0.1 when they listen on every address.
fn probe_host(n: &ir::NativeTarget) -> String {
    if n.listen == "0.0.0.0" { "127.0.0.1".to_string() } else { n.listen.clone() }
}

/// `process-compose.yaml` as a JSON tree.
pub fn process_compose(stack: &ir::Stack, n: &ir::NativeTarget, services: &[Service], ctx: &Ctx) -> serde_json::Value {
    let host = probe_host(n);
    let mut procs = serde_json::Map::new();
    for s in services {
        let mut p = json!({
            "command": pc_command(&command(s, n, ctx)),
            "readiness_probe": {
                "http_get": { "host": host, "scheme": "http", "path": s.readiness.path, "port": s.readiness.port },
                "initial_delay_seconds": s.readiness.initial_delay,
                "period_seconds": 1,
                "timeout_seconds": 2,
                "success_threshold": 1,
                "failure_threshold": 300,
            },
            // `always`, not `on_failure`: a program that exits 0 has stopped too (Loki exits 0
            // on SIGTERM, Tempo on some fatal start errors), and process-compose restarts
            // nothing it stopped itself at shutdown
            "availability": { "restart": "always", "backoff_seconds": RESTART_BACKOFF, "max_restarts": MAX_RESTARTS },
            "shutdown": { "signal": 15, "timeout_seconds": s.stop_timeout },
        });
        if !s.depends_on.is_empty() {
            let deps: serde_json::Map<String, serde_json::Value> =
                s.depends_on.iter().map(|d| (d.name().to_string(), json!({ "condition": "process_healthy" }))).collect();
            p["depends_on"] = serde_json::Value::Object(deps);
        }
        procs.insert(s.name.clone(), p);
    }
    let _ = stack;
    json!({ "version": "0.5", "is_strict": true, "disable_env_expansion": true, "processes": procs })
}

/// Single-quoted shell text: nothing in it expands.
fn shell_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The `run` script. Every value from the source is quoted (`data_dir` literally, but for a
/// leading `~`), and the only thing it ever deletes is its own copy of the config: the
/// directory `$GSTACK_DATA/.gstack/config`, and only when it holds the `.gstack-owned` marker
/// written when `run` created it (anything else there stops `run` with an error).
pub fn run_script(stack: &ir::Stack, n: &ir::NativeTarget, services: &[Service]) -> String {
    let data = if let Some(rest) = n.data_dir.strip_prefix("~/") {
        format!("\"$HOME\"{}", shell_literal(&format!("/{rest}")))
    } else if n.data_dir == "~" {
        "\"$HOME\"".into()
    } else {
        shell_literal(&n.data_dir)
    };
    // text in comments: one line each
    let comment = |s: &str| s.chars().map(|c| if c.is_control() { '?' } else { c }).collect::<String>();
    let mut dirs = vec![shell_quote("${GSTACK_DATA}")];
    for s in services {
        for d in &s.data_dirs {
            dirs.push(shell_quote(&if d.is_empty() { format!("${{GSTACK_DATA}}/{}", s.name) } else { format!("${{GSTACK_DATA}}/{}/{d}", s.name) }));
        }
    }
    // every binary is found before anything is created or started
    let mut checks = String::new();
    for s in services {
        let p = &s.program;
        let hint = if n.bin.contains_key(p) {
            format!("fix its path in `target native {{ bin = {{ {p} = \"…\" }} }}`")
        } else {
            format!("put {p} on PATH, or give its path: `target native {{ bin = {{ {p} = \"/path/to/{p}\" }} }}`")
        };
        checks.push_str(&format!("need {} {} {}\n", quote(&s.name), shell_quote(&bin_of(n, p)), quote(&hint)));
    }
    checks.push_str(&format!(
        "need process-compose \"$process_compose\" {}\n",
        quote("put process-compose (https://f1bonacc1.github.io/process-compose/) on PATH, or set PROCESS_COMPOSE to its path")
    ));
    // every port of the stack, probed where the programs will listen
    let mut ports = String::new();
    for s in services {
        for p in &s.ports {
            ports.push_str(&format!("port_free {} {} {}\n", quote(&s.name), quote(&p.name), p.port));
        }
    }
    // packages' static files (Grafana's home): the directory next to the binary, unless set
    let mut homes = String::new();
    for s in services {
        let Some(h) = &s.home else { continue };
        let bin = bin_of(n, &s.program);
        homes.push_str(&format!(
            r#"
# {program}'s static files: the {dir} directory next to its binary, unless set
if [ -z "${{{env}:-}}" ]; then
  g=$(command -v {bin} || true)
  [ -n "$g" ] && {env}="$(dirname "$(dirname "$(readlink -f "$g")")")/{dir}"
fi
export {env}="${{{env}:-{system}}}"
"#,
            program = s.program,
            env = h.env,
            dir = h.package_dir,
            system = h.system_dir,
            bin = shell_quote(&bin)
        ));
    }
    format!(
        r#"#!/usr/bin/env bash
# Start the `{name}` stack as local processes under process-compose. Generated by gstackc.
# GSTACK_DATA (default {data_dir}) keeps every program's data.
# Extra arguments go to `process-compose up` (e.g. -D to detach).
set -euo pipefail
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
process_compose={pc}
process_compose="${{PROCESS_COMPOSE:-$process_compose}}"
# every program's binary exists before anything starts (a missing one would crash-loop)
missing=
need() {{ # component, binary, how to give it
  if ! type -P -- "$2" >/dev/null; then
    echo "run: cannot start $1: no executable $2 ($3)" >&2
    missing=1
  fi
}}
{checks}[ -z "$missing" ] || exit 1
data_default={data}
export GSTACK_DATA="${{GSTACK_DATA:-$data_default}}"
umask 077
mkdir -p -- "$GSTACK_DATA/.gstack"
# one run of this stack at a time: the lock is held on fd 9, which process-compose keeps
# (exec) and every program it starts inherits, so programs a dead process-compose left
# running still hold it
lock="$GSTACK_DATA/.gstack/lock"
if type -P flock >/dev/null; then
  exec 9>>"$lock"
  if ! flock -n 9; then
    echo "run: $lock is held: this stack is already running (under process-compose, or programs a process-compose that died left behind, which still answer on their ports); stop them first" >&2
    exit 1
  fi
else
  echo "run: flock (util-linux) is not installed: not locking $lock; only the port check keeps a second run of this stack from starting" >&2
fi
# every port the stack listens on is free, before anything is replaced or started
listen_host={listen_host}
busy=
port_free() {{ # component, port name, port
  if (exec 3<>"/dev/tcp/$listen_host/$3") 2>/dev/null; then
    echo "run: cannot start $1: its $2 port $3 on $listen_host is in use by another process (this stack already running, programs a dead process-compose left behind, or another program): stop it, or give $1 another port" >&2
    busy=1
  fi
}}
{ports}[ -z "$busy" ] || exit 1
mkdir -p -- {dirs}
# programs read a fresh private copy of the generated config (secrets given as environment
# variables are written into it at start; the generated directory may be read-only). Only a
# copy this script made (it holds the marker) is ever deleted.
export GSTACK_CONFIG="$GSTACK_DATA/.gstack/config"
if [ -e "$GSTACK_CONFIG" ] || [ -L "$GSTACK_CONFIG" ]; then
  if [ -L "$GSTACK_CONFIG" ] || [ ! -d "$GSTACK_CONFIG" ] || [ ! -f "$GSTACK_CONFIG/.gstack-owned" ]; then
    echo "run: $GSTACK_CONFIG was not made by this script (no .gstack-owned marker); not replacing it: move it away" >&2
    exit 1
  fi
  rm -rf -- "$GSTACK_CONFIG"
fi
mkdir -- "$GSTACK_CONFIG"
: > "$GSTACK_CONFIG/.gstack-owned"
# (no config directory when no program reads a file: node-exporter alone)
if [ -d "$here/config" ]; then cp -R -- "$here/config/." "$GSTACK_CONFIG/"; fi
chmod -R u+w -- "$GSTACK_CONFIG"
{homes}
exec "$process_compose" up -f "$here/process-compose.yaml" --tui=false --no-server "$@"
"#,
        name = comment(&stack.name),
        data_dir = comment(&n.data_dir),
        data = data,
        dirs = dirs.join(" "),
        homes = homes,
        checks = checks,
        ports = ports,
        listen_host = quote(&probe_host(n)),
        pc = shell_quote(&bin_of(n, "process-compose")),
    )
}

/// The native target's files, from the service records of its context ([`ctx`]).
pub fn render(stack: &ir::Stack, n: &ir::NativeTarget, services: &[Service]) -> Vec<Output> {
    let ctx = ctx(stack, n);
    let mut out = vec![
        Output::file("native/process-compose.yaml", backends::yaml(&process_compose(stack, n, services, &ctx))),
        Output { path: "native/run".into(), content: run_script(stack, n, services), executable: true },
    ];
    for s in services {
        out.extend(config_outputs("native/config", s));
    }
    out
}
