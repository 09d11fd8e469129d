//! Tempo, single binary: local storage, OTLP receivers on explicit endpoints (required in
//! containers since 2.7), the metrics generator remote-writing to Prometheus. Follows
//! https://grafana.com/docs/tempo/latest/configuration/.

use super::*;
use crate::ir::{GeneratorProcessor, Tempo};
use serde_json::json;

pub fn config(stack: &ir::Stack, t: &Tempo, ctx: &Ctx) -> serde_json::Value {
    let data = |rel: &str| ctx.data_dir(Component::Tempo, rel, Syntax::Expand);
    let mut cfg = json!({
        "stream_over_http_enabled": true,
        "server": {
            "http_listen_address": ctx.listen,
            "http_listen_port": t.port,
            "grpc_listen_address": ctx.listen,
            "grpc_listen_port": t.grpc_port,
            "log_level": "warn",
        },
        "distributor": { "receivers": { "otlp": { "protocols": {
            "grpc": { "endpoint": ctx.listen_on(t.otlp_grpc_port) },
            "http": { "endpoint": ctx.listen_on(t.otlp_http_port) },
        } } } },
        // a port of the block, not the fixed 7946: two stacks on one host each have their own
        "memberlist": {
            "bind_addr": [if ctx.listen == "0.0.0.0" { "0.0.0.0".to_string() } else { ctx.listen.clone() }],
            "bind_port": t.memberlist_port,
            "advertise_port": t.memberlist_port,
        },
        // one instance of each ring: nothing to wait for (Tempo's defaults wait 1 min for the
        // compactor ring to settle and 15 s more before the ingester is ready)
        "ingester": { "lifecycler": { "min_ready_duration": "1s" } },
        "compactor": {
            "ring": { "wait_stability_min_duration": "0s" },
            "compaction": { "block_retention": t.retention.to_go() },
        },
        "storage": { "trace": {
            "backend": "local",
            "wal": { "path": data("wal") },
            "local": { "path": data("blocks") },
        } },
        "usage_report": { "reporting_enabled": false },
    });
    if !t.generator.is_empty() {
        let mut processors: Vec<&str> = t
            .generator
            .iter()
            .map(|g| match g {
                GeneratorProcessor::ServiceGraphs => "service-graphs",
                GeneratorProcessor::SpanMetrics => "span-metrics",
                GeneratorProcessor::LocalBlocks => "local-blocks",
            })
            .collect();
        processors.dedup();
        let mut gen = json!({
            "registry": { "external_labels": { "source": "tempo" } },
            "storage": { "path": data("generator/wal") },
            "traces_storage": { "path": data("generator/traces") },
        });
        if let Some(p) = &stack.prometheus {
            gen["storage"]["remote_write"] = json!([{ "url": format!("{}/api/v1/write", ctx.url(Component::Prometheus, p.port)), "send_exemplars": true }]);
        }
        cfg["metrics_generator"] = gen;
        cfg["overrides"] = json!({ "defaults": { "metrics_generator": { "processors": processors } } });
    }
    merge(&mut cfg, &t.settings);
    cfg
}

pub fn service(stack: &ir::Stack, t: &Tempo, ctx: &Ctx) -> Service {
    let c = Component::Tempo;
    let (flows, depends_on) = match (&stack.prometheus, t.generator.is_empty()) {
        (Some(p), false) => (vec![Flow { to: Component::Prometheus, port: p.port, udp: false }], vec![Component::Prometheus]),
        _ => (vec![], vec![]),
    };
    let readiness = Probe { path: "/ready".into(), port: t.port, initial_delay: 0 };
    let liveness = Probe { path: "/ready".into(), port: t.port, initial_delay: 60 };
    let text = yaml(&config(stack, t, ctx));
    // read with -config.expand-env=true: refuse what envsubst would rewrite
    let refusals = crate::encode::dollar::envsubst_refusals("tempo.yaml", "tempo", &t.settings, &text);
    Service {
        args: vec![format!("-config.file={}", ctx.config_dir(c, "tempo.yaml", Syntax::Shell)), "-config.expand-env=true".into()],
        files: vec![ConfigFile { path: "tempo.yaml".into(), content: text }],
        ports: port_specs(stack, c),
        data_dirs: vec!["".into(), "wal".into(), "blocks".into(), "generator".into()],
        depends_on,
        flows,
        // on SIGTERM Tempo's ingester cuts and flushes its traces to blocks, and can take
        // long (an upstream queue-cleanup timer); killed earlier, it replays its WAL on start
        stop_timeout: 60,
        stateful: true,
        refusals,
        ..base_service(c, &t.version, readiness, liveness)
    }
}
