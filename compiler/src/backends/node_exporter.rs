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
    let readiness = Probe { path: "/metrics".into(), port: n.port, initial_delay: 0 };
    let liveness = Probe { path: "/metrics".into(), port: n.port, initial_delay: 10 };
    let c = Component::NodeExporter;
    Service {
        args,
        ports: vec![PortSpec { name: "http".into(), port: n.port, role: PortRole::Metrics }],
        stop_timeout: 10,
        host_metrics: true,
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
