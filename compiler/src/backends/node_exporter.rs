//! node-exporter: flags only (https://github.com/prometheus/node_exporter#collectors).

use super::*;
use crate::ir::NodeExporter;

pub fn service(n: &NodeExporter, ctx: &Ctx) -> Service {
    let mut args = vec![format!("--web.listen-address={}", ctx.listen_on(n.port))];
    for c in &n.collectors {
        args.push(format!("--collector.{c}"));
    }
    for (k, v) in &n.settings {
        // freeform settings are flags: `settings { collector.textfile.directory = "/x" }`
        flatten_flags(k, v, &mut args);
    }
    // a flag is one word of a command line, where every `$` is literal except the targets'
    // own `${GSTACK_…}` variables, which no source value may spell
    let refusals = args
        .iter()
        .filter(|a| a.contains(crate::encode::GSTACK_REF))
        .map(|a| {
            let why = "`${GSTACK_…}` is how the native and systemd targets spell their own variables on a command line, which would expand it";
            crate::encode::Refusal::new("the node-exporter command line", "node_exporter.settings", a.clone(), why)
        })
        .collect();
    // in a container, the host's file systems are under the host root mounted read-only
    let host_rootfs = ctx.host_rootfs.clone().filter(|_| Component::NodeExporter.facts().measures_host);
    let mut host_mounts = vec![];
    if let Some(r) = &host_rootfs {
        host_mounts.push(HostMount { host: "/".into(), path: r.clone() });
        if let Some((procfs, sysfs)) = &ctx.host_kernel_fs {
            // https://github.com/prometheus/node_exporter#docker and its Kubernetes manifests
            args.push(format!("--path.procfs={procfs}"));
            args.push(format!("--path.sysfs={sysfs}"));
            host_mounts.push(HostMount { host: "/proc".into(), path: procfs.clone() });
            host_mounts.push(HostMount { host: "/sys".into(), path: sysfs.clone() });
        }
        args.push(format!("--path.rootfs={r}"));
    }
    // the landing page: a probe that reads part of `/metrics` and closes makes node_exporter
    // log "connection reset by peer" at every probe
    let readiness = Probe { path: "/".into(), port: n.port, initial_delay: 0 };
    let liveness = Probe { path: "/".into(), port: n.port, initial_delay: 10 };
    let c = Component::NodeExporter;
    Service {
        args,
        refusals,
        ports: vec![PortSpec { name: "http".into(), port: n.port, role: PortRole::Metrics }],
        stop_timeout: 10,
        host_rootfs,
        host_mounts,
        ..base_service(c, &n.version, readiness, liveness)
    }
}

fn flatten_flags(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                flatten_flags(&format!("{prefix}.{k}"), x, out);
            }
        }
        serde_json::Value::Bool(true) => out.push(format!("--{prefix}")),
        serde_json::Value::Bool(false) => out.push(format!("--no-{prefix}")),
        serde_json::Value::String(s) => out.push(format!("--{prefix}={s}")),
        other => out.push(format!("--{prefix}={other}")),
    }
}
