//! Loki, single binary: filesystem storage, tsdb/v13 schema, single tenant, retention run by
//! the compactor, ruler rules from `log_alert` declarations. Follows
//! https://grafana.com/docs/loki/latest/configure/ and the Loki 3 upgrade notes
//! (`compactor.delete_request_store` is required with retention; structured metadata needs
//! tsdb/v13).

use super::*;
use crate::ir::Loki;
use serde_json::json;

pub fn config(stack: &ir::Stack, l: &Loki, ctx: &Ctx) -> serde_json::Value {
    let data = |rel: &str| ctx.data_dir(Component::Loki, rel, Syntax::Expand);
    let mut cfg = json!({
        "auth_enabled": false,
        "server": {
            "http_listen_address": ctx.listen,
            "http_listen_port": l.port,
            "grpc_listen_address": ctx.listen,
            "grpc_listen_port": l.grpc_port,
            "log_level": "warn",
        },
        "common": {
            "instance_addr": "127.0.0.1",
            "path_prefix": data(""),
            "storage": { "filesystem": { "chunks_directory": data("chunks"), "rules_directory": ctx.config_dir(Component::Loki, "rules", Syntax::Expand) } },
            "replication_factor": 1,
            "ring": { "kvstore": { "store": "inmemory" } },
        },
        "ingester": { "lifecycler": { "min_ready_duration": "1s" } },
        "schema_config": { "configs": [{
            "from": "2024-01-01", "store": "tsdb", "object_store": "filesystem", "schema": "v13",
            "index": { "prefix": "index_", "period": "24h" },
        }] },
        "query_range": { "results_cache": { "cache": { "embedded_cache": { "enabled": true, "max_size_mb": 100 } } } },
        "limits_config": { "retention_period": l.retention.to_go() },
        "compactor": {
            "working_directory": data("compactor"),
            "retention_enabled": true,
            "delete_request_store": "filesystem",
        },
        "ruler": {
            "storage": { "type": "local", "local": { "directory": ctx.config_dir(Component::Loki, "rules", Syntax::Expand) } },
            "rule_path": data("rules-tmp"),
            "enable_api": true,
            // the return path of its alerts (generatorURL): where the user reaches Loki
            "external_url": ctx.external_url(Component::Loki, l.port),
        },
        "analytics": { "reporting_enabled": false },
    });
    if let Some(a) = &stack.alertmanager {
        // every peer, comma-separated: the ruler sends each alert to every URL
        // (pkg/ruler/base/notifier.go, buildNotifierConfig), and the peers notify once
        let urls: Vec<String> = super::alertmanager::peers(a, ctx).into_iter().map(|(h, p)| format!("http://{h}:{p}")).collect();
        cfg["ruler"]["alertmanager_url"] = json!(urls.join(","));
    }
    merge(&mut cfg, &l.settings);
    cfg
}

pub fn service(stack: &ir::Stack, l: &Loki, ctx: &Ctx) -> Service {
    let text = yaml(&config(stack, l, ctx));
    // read with -config.expand-env=true: refuse what envsubst would rewrite
    let refusals = crate::encode::dollar::envsubst_refusals("loki.yaml", "loki", &l.settings, &text);
    let mut files = vec![ConfigFile { path: "loki.yaml".into(), content: text }];
    // single tenant: the ruler reads rules for the tenant `fake`
    files.push(ConfigFile { path: "rules/fake/alerts.yml".into(), content: yaml(&rule_groups(&stack.log_alerts, None)) });
    let c = Component::Loki;
    let flows = stack.alertmanager.as_ref().map(|a| vec![Flow { to: Component::Alertmanager, port: a.port, udp: false }]).unwrap_or_default();
    let readiness = Probe { path: "/ready".into(), port: l.port, initial_delay: 0 };
    let liveness = Probe { path: "/ready".into(), port: l.port, initial_delay: 60 };
    Service {
        args: vec![format!("-config.file={}", ctx.config_dir(c, "loki.yaml", Syntax::Shell)), "-config.expand-env=true".into()],
        files,
        ports: port_specs(stack, c),
        data_dirs: vec!["".into(), "chunks".into(), "compactor".into(), "rules-tmp".into()],
        flows,
        stateful: true,
        refusals,
        ..base_service(c, &l.version, readiness, liveness)
    }
}
