//! The links the stack wires between its datasources (issue #16) match what the producing
//! programs write: the exemplar label Tempo's metrics generator uses, and a service map only
//! where Tempo writes the service graph.

mod common;
use common::*;

fn datasources(src: &str) -> serde_json::Value {
    let dir = TempDir::new("correlations");
    let file = dir.path().join("s.gstack");
    std::fs::write(&file, format!("{src}\ntarget native {{}}\n")).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "native"]);
    serde_norway::from_str(&std::fs::read_to_string(out.join("native/config/grafana/provisioning/datasources/stack.yaml")).unwrap()).unwrap()
}

fn jsondata(doc: &serde_json::Value, uid: &str) -> serde_json::Value {
    doc["datasources"].as_array().unwrap().iter().find(|d| d["uid"] == uid).unwrap_or_else(|| panic!("no {uid}: {doc}"))["jsonData"].clone()
}

/// Exemplars link to Tempo under `trace_id` (OpenTelemetry and Prometheus clients) and, when
/// Tempo's metrics generator writes span metrics, `traceID` (its `trace_id_label_name`
/// default, grafana/tempo `modules/overrides`); the service map is set only when the
/// generator runs `service-graphs`, whose `traces_service_graph_*` series it draws.
#[test]
fn exemplar_labels_and_the_service_map_follow_tempos_generator() {
    let names = |doc: &serde_json::Value| -> Vec<String> {
        jsondata(doc, "prometheus")["exemplarTraceIdDestinations"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap().to_string()).collect()
    };
    let with = datasources("stack s {\n  prometheus {}\n  tempo { generator = [service_graphs, span_metrics] }\n  grafana {}\n}");
    assert_eq!(names(&with), ["trace_id", "traceID"]);
    assert_eq!(jsondata(&with, "tempo")["serviceMap"]["datasourceUid"], "prometheus");
    let spans_only = datasources("stack s {\n  prometheus {}\n  tempo { generator = [span_metrics] }\n  grafana {}\n}");
    assert!(jsondata(&spans_only, "tempo").get("serviceMap").is_none(), "a service map with no service graph: {spans_only}");
    let without = datasources("stack s {\n  prometheus {}\n  tempo {}\n  grafana {}\n}");
    assert_eq!(names(&without), ["trace_id"]);
    assert!(jsondata(&without, "tempo").get("serviceMap").is_none());
}

/// `grafana { correlations = { … } }` overrides each link at the key Grafana's settings read
/// (TraceToLogsSettings.tsx `TraceToLogsOptionsV2`, `TraceToMetricsOptions`,
/// `TraceToProfilesOptions`, Loki's `DerivedFieldConfig`, Prometheus'
/// `ExemplarTraceIdDestination`), merged over the stack's wiring; Grafana's `${…}` reach it
/// intact (`$` doubled for its provisioning reader, which expands `$X`).
#[test]
fn correlation_settings_override_the_stacks_wiring_where_grafana_reads_them() {
    let doc = datasources(
        r#"stack s {
  prometheus {}
  loki {}
  tempo { generator = [service_graphs, span_metrics] }
  grafana {
    correlations = {
      traces_to_logs = { tags = ["service.name": "app", "k8s.namespace.name": "namespace"], query = "{app=\"$${__span.tags.app}\"} |= \"$${__trace.traceId}\"", start_shift = 1m, end_shift = 2m, filter_by_span_id = true }
      traces_to_metrics = { queries = ["Request rate": "sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))"], start_shift = 10m }
      traces_to_profiles = { datasource = profiles, profile_type_id = "process_cpu:cpu:nanoseconds:cpu:nanoseconds" }
      service_map = false
      node_graph = false
      derived_fields = [{ name = "Order", regex = "order=(\\w+)", url = "https://shop.example.com/orders/$${__value.raw}", new_tab = true }]
      exemplars = [{ label = "trace_id", url_display_label = "Open trace" }]
    }
  }
}
datasource profiles {
  type = "grafana-pyroscope-datasource"
  url = "http://pyroscope:4040"
}"#,
    );
    let undouble = |v: &serde_json::Value| serde_json::from_str::<serde_json::Value>(&v.to_string().replace("$$", "$")).unwrap();
    let tempo = undouble(&jsondata(&doc, "tempo"));
    assert_eq!(
        tempo["tracesToLogsV2"],
        serde_json::json!({
            "datasourceUid": "loki", "spanStartTimeShift": "-1m", "spanEndTimeShift": "2m", "filterByTraceID": true, "filterBySpanID": true,
            "tags": [{ "key": "k8s.namespace.name", "value": "namespace" }, { "key": "service.name", "value": "app" }],
            "customQuery": true, "query": "{app=\"${__span.tags.app}\"} |= \"${__trace.traceId}\"",
        })
    );
    assert_eq!(
        tempo["tracesToMetrics"],
        serde_json::json!({
            "datasourceUid": "prometheus", "spanStartTimeShift": "-10m", "tags": [{ "key": "service.name", "value": "service" }],
            "queries": [{ "name": "Request rate", "query": "sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))" }],
        })
    );
    assert_eq!(
        tempo["tracesToProfiles"],
        serde_json::json!({ "datasourceUid": "profiles", "tags": [{ "key": "service.name", "value": "service_name" }], "profileTypeId": "process_cpu:cpu:nanoseconds:cpu:nanoseconds" })
    );
    assert!(tempo.get("serviceMap").is_none(), "{tempo}");
    assert_eq!(tempo["nodeGraph"]["enabled"], false);
    assert_eq!(tempo["lokiSearch"]["datasourceUid"], "loki");
    let loki = undouble(&jsondata(&doc, "loki"));
    assert_eq!(
        loki["derivedFields"],
        serde_json::json!([{ "name": "Order", "matcherType": "regex", "matcherRegex": "order=(\\w+)", "url": "https://shop.example.com/orders/${__value.raw}", "targetBlank": true }])
    );
    let prom = jsondata(&doc, "prometheus");
    assert_eq!(prom["exemplarTraceIdDestinations"], serde_json::json!([{ "name": "trace_id", "datasourceUid": "tempo", "urlDisplayLabel": "Open trace" }]));
}

/// A link the stack cannot serve is an error at the setting, not a dead link in Grafana.
#[test]
fn correlations_the_stack_cannot_serve_are_errors() {
    let check = |src: &str| -> Vec<(String, String)> {
        let dir = TempDir::new("correlations-bad");
        let file = dir.path().join("s.gstack");
        std::fs::write(&file, src).unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg("--message-format").arg("json").arg(&file).output().unwrap();
        assert!(!o.status.success(), "{src}");
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        let diags: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}"));
        diags.as_array().unwrap().iter().map(|d| (d["code"].as_str().unwrap().into(), d["message"].as_str().unwrap().into())).collect()
    };
    let codes = |src: &str| -> Vec<String> { check(src).into_iter().map(|(c, _)| c).collect() };
    // the service map without the series it draws
    assert_eq!(codes("stack s {\n  prometheus {}\n  tempo {}\n  grafana { correlations = { service_map = true } }\n}"), ["E0300"]);
    // span links without Tempo
    assert_eq!(codes("stack s {\n  prometheus {}\n  loki {}\n  grafana { correlations = { traces_to_logs = { filter_by_span_id = true } } }\n}"), ["E0300"]);
    // traces to logs without Loki, asked for
    assert_eq!(codes("stack s {\n  tempo {}\n  grafana { correlations = { traces_to_logs = { start_shift = 1m } } }\n}"), ["E0300"]);
    // profiles from a datasource that holds none
    assert_eq!(
        codes("stack s {\n  prometheus {}\n  tempo {}\n  grafana { correlations = { traces_to_profiles = { datasource = prometheus } } }\n}"),
        ["E0302"]
    );
    // a metrics query that is not PromQL
    assert_eq!(
        codes("stack s {\n  prometheus {}\n  tempo {}\n  grafana { correlations = { traces_to_metrics = { queries = [\"Rate\": \"sum(rate(x{$__tags}[5m])\"] } } }\n}"),
        ["E0400"]
    );
    // a derived field with no value to take, an exemplar label Prometheus cannot have
    assert_eq!(
        codes("stack s {\n  prometheus {}\n  loki {}\n  tempo {}\n  grafana { correlations = { derived_fields = [{ name = \"T\", datasource = tempo }], exemplars = [{ label = \"trace.id\" }] } }\n}"),
        ["E0202", "E0204"]
    );
}

/// A declared datasource's typed `jsonData` keys land under Grafana's names, its secrets in
/// `secureJsonData` by reference, and a key its plugin does not read is an error.
#[test]
fn declared_datasources_type_their_plugins_json_data() {
    let doc = datasources(
        r#"stack s {
  prometheus {}
  grafana {}
}
datasource logs {
  type = elasticsearch
  url = "http://es:9200"
  index = "logs-*"
  time_field = "@timestamp"
  log_message_field = "message"
  max_concurrent_shard_requests = 5
}
datasource influx {
  type = influxdb
  url = "http://influx:8086"
  influx_version = Flux
  http_method = POST
  organization = "acme"
  default_bucket = "metrics"
  token = secret.env("INFLUX_TOKEN")
}
datasource warehouse {
  type = postgres
  url = "db:5432"
  database = "shop"
  sslmode = "verify-full"
  postgres_version = 1500
  timescaledb = true
  max_open_conns = 10
}
datasource aws {
  type = cloudwatch
  url = "https://monitoring.eu-west-1.amazonaws.com"
  auth_type = keys
  default_region = "eu-west-1"
  access_key = secret.env("AWS_ACCESS_KEY_ID")
  secret_key = secret.env("AWS_SECRET_ACCESS_KEY")
}
datasource profiles {
  type = "grafana-pyroscope-datasource"
  url = "http://pyroscope:4040"
  min_step = 15s
}
datasource thanos {
  type = prometheus
  url = "http://thanos:9090"
  prometheus_type = Thanos
  http_method = GET
  time_interval = 30s
}"#,
    );
    let jd = |uid: &str| jsondata(&doc, uid);
    let ds = |uid: &str| doc["datasources"].as_array().unwrap().iter().find(|d| d["uid"] == uid).unwrap().clone();
    assert_eq!(jd("logs"), serde_json::json!({ "index": "logs-*", "timeField": "@timestamp", "logMessageField": "message", "maxConcurrentShardRequests": 5 }));
    assert_eq!(jd("influx"), serde_json::json!({ "version": "Flux", "httpMode": "POST", "organization": "acme", "defaultBucket": "metrics" }));
    assert_eq!(ds("influx")["secureJsonData"]["token"], "$__env{INFLUX_TOKEN}");
    assert_eq!(jd("warehouse"), serde_json::json!({ "database": "shop", "sslmode": "verify-full", "postgresVersion": 1500, "timescaledb": true, "maxOpenConns": 10 }));
    assert_eq!(jd("aws"), serde_json::json!({ "authType": "keys", "defaultRegion": "eu-west-1" }));
    assert_eq!(ds("aws")["secureJsonData"], serde_json::json!({ "accessKey": "$__env{AWS_ACCESS_KEY_ID}", "secretKey": "$__env{AWS_SECRET_ACCESS_KEY}" }));
    assert_eq!(jd("profiles"), serde_json::json!({ "minStep": "15s" }));
    assert_eq!(jd("thanos"), serde_json::json!({ "prometheusType": "Thanos", "httpMethod": "GET", "timeInterval": "30s" }));

    let dir = TempDir::new("ds-bad");
    let file = dir.path().join("s.gstack");
    std::fs::write(&file, "stack s {\n  prometheus {}\n  grafana {}\n}\ndatasource l {\n  type = loki\n  url = \"http://l:3100\"\n  http_method = POST\n}\ndatasource a {\n  type = cloudwatch\n  url = \"https://x\"\n  access_key = secret.env(\"K\")\n}\n").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg("--message-format").arg("json").arg(&file).output().unwrap();
    let diags: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = diags.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E0205", "E0202"], "{diags:#}");
}
