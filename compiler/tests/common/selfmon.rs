//! The bundled self-monitoring (`stdlib/selfmon.gstack`) against the programs it watches: every
//! metric its rules and dashboards query is one the running program's `/metrics` exposes
//! (issue #17: a std dashboard querying a metric the program does not expose draws nothing).

use super::*;

/// The program whose `/metrics` exposes `metric`, by its name (every program prefixes its
/// own: https://prometheus.io/docs/practices/naming/); `None` for series every scrape has
/// (`up`).
pub fn owner(metric: &str) -> Option<&'static str> {
    [("prometheus_", "prometheus"), ("alertmanager_", "alertmanager"), ("node_", "node_exporter"), ("loki_", "loki"), ("tempo", "tempo"), ("grafana_", "grafana")]
        .into_iter()
        .find(|(p, _)| metric.starts_with(p))
        .map(|(_, c)| c)
}

/// Every (metric, query) of the bundled modules' PromQL, compiled from a stack that enables
/// every component (so each module's rules and dashboards are all in the IR).
pub fn std_queries() -> Vec<(String, String)> {
    let dir = TempDir::new("selfmon");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        "import std.selfmon\nstack s {\n  prometheus {}\n  alertmanager { receiver r { webhook = \"https://hooks.example.com/x\" } }\n  node_exporter {}\n  loki {}\n  tempo {}\n  grafana {}\n}\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("build").arg(&src).args(["--emit", "ir"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ir: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let (Some("promql"), Some(e)) = (m.get("lang").and_then(|l| l.as_str()), m.get("expr").and_then(|e| e.as_str())) {
                    out.push(e.to_string());
                }
                m.values().for_each(|x| walk(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut exprs = vec![];
    walk(&ir, &mut exprs);
    let mut out = vec![];
    for e in exprs {
        let names = gstack::sema::query::metric_names(&e).unwrap_or_else(|| panic!("std query does not parse: {e}"));
        out.extend(names.into_iter().map(|n| (n, e.clone())));
    }
    out
}

/// The metric names of a Prometheus text exposition (`# HELP`/`# TYPE` lines and samples).
pub fn exposed(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(|c: char| c == '{' || c.is_whitespace()).next().unwrap_or_default().to_string())
        .collect()
}

/// Panic unless `component`'s `/metrics` at `url` exposes every metric of the bundled
/// modules that it owns; returns how many were checked (at least one).
pub fn assert_std_metrics_exposed(component: &str, url: &str) -> usize {
    let text = get(url).unwrap_or_else(|| panic!("{component}: no answer from {url}"));
    let have = exposed(&text);
    let want: Vec<(String, String)> = std_queries().into_iter().filter(|(m, _)| owner(m) == Some(component)).collect();
    assert!(!want.is_empty(), "the bundled modules query no {component} metric");
    let missing: Vec<String> = want.iter().filter(|(m, _)| !have.contains(m)).map(|(m, q)| format!("{m} (in `{q}`)")).collect();
    assert!(missing.is_empty(), "{component} at {url} does not expose what std.selfmon queries:\n  {}", missing.join("\n  "));
    want.len()
}
