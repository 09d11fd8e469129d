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
