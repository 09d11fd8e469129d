//! Tempo, single binary: local storage, OTLP receivers on explicit endpoints (required in
//! containers since 2.7), the metrics generator remote-writing to Prometheus. Follows
//! https://grafana.com/docs/tempo/latest/configuration/.

use super::*;
use crate::ir::{GeneratorProcessor, Tempo};
use serde_json::json;

pub fn config(stack: &ir::Stack, t: &Tempo, ctx: &Ctx) -> serde_json::Value {
    let data = |rel: &str| ctx.data_dir("tempo", rel, Syntax::Expand);
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
        "memberlist": { "bind_addr": [if ctx.listen == "0.0.0.0" { "0.0.0.0".to_string() } else { ctx.listen.clone() }] },
        "compactor": { "compaction": { "block_retention": t.retention.to_go() } },
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
            gen["storage"]["remote_write"] = json!([{ "url": format!("{}/api/v1/write", ctx.url("prometheus", p.port)), "send_exemplars": true }]);
        }
        cfg["metrics_generator"] = gen;
        cfg["overrides"] = json!({ "defaults": { "metrics_generator": { "processors": processors } } });
    }
    merge(&mut cfg, &t.settings);
    cfg
}

pub fn service(stack: &ir::Stack, t: &Tempo, ctx: &Ctx) -> Service {
    let flows = match (&stack.prometheus, t.generator.is_empty()) {
        (Some(p), false) => vec![Flow { to: "prometheus".into(), port: p.port }],
        _ => vec![],
    };
    Service {
        name: "tempo".into(),
        program: "tempo".into(),
        version: t.version.clone(),
        args: vec![
            format!("-config.file={}", ctx.config_dir("tempo", "tempo.yaml", Syntax::Shell)),
            "-config.expand-env=true".into(),
        ],
        files: vec![ConfigFile { path: "tempo.yaml".into(), content: yaml(&config(stack, t, ctx)) }],
        ports: vec![
            PortSpec { name: "http".into(), port: t.port, public: true },
            PortSpec { name: "grpc".into(), port: t.grpc_port, public: false },
            PortSpec { name: "otlp-grpc".into(), port: t.otlp_grpc_port, public: true },
            PortSpec { name: "otlp-http".into(), port: t.otlp_http_port, public: true },
        ],
        data_dirs: vec!["".into(), "wal".into(), "blocks".into(), "generator".into()],
        env: BTreeMap::new(),
        secrets: vec![],
        readiness: Probe { path: "/ready".into(), port: t.port, initial_delay: 0 },
        liveness: Probe { path: "/ready".into(), port: t.port, initial_delay: 60 },
        depends_on: match (&stack.prometheus, t.generator.is_empty()) {
            (Some(_), false) => vec!["prometheus".into()],
            _ => vec![],
        },
        flows,
        user: User { uid: 10001, gid: 10001 },
        scratch: vec![],
        // Tempo can hang on SIGTERM for minutes (an upstream queue-cleanup timer)
        stop_timeout: 10,
        stateful: true,
    }
}
