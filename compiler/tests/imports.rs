//! `import_dashboard` and `import_rules` on real third-party files from `../shared/data`
//! (beside the repository; never copied into it): rfmoz's exports (`node-exporter-full.json`
//! with a `${ds_prometheus}` datasource variable, `haproxy.json` exported for sharing with a
//! `DS_PROMETHEUS` input), the Loki and Tempo mixin dashboards, and awesome-prometheus-alerts'
//! rule files. Each imports into a stack with Prometheus, Loki and Tempo; every datasource
//! reference of the written dashboards is a datasource of the stack; every PromQL expression
//! parses or is reported; the dashboards are no further from Grafana's JSON Schema than the
//! originals; promtool accepts the imported rule files.

mod common;
use common::*;
use gstack::db::Database;
use gstack::diag::Diagnostic;
use gstack::sema::check::check_stack;
use gstack::sema::imports;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn dashboards() -> Vec<(String, PathBuf)> {
    let d = shared_files("dashboards", "json");
    for want in ["node_exporter_full", "haproxy", "loki_logs", "tempo_operational"] {
        assert!(d.iter().any(|(n, _)| n == want), "no {want} in {d:?}");
    }
    d
}

fn rule_files() -> Vec<(String, PathBuf)> {
    let r = shared_files("rules", "yml");
    assert!(r.len() >= 3, "{r:?}");
    r
}

/// A stack importing every dashboard (and rule file, when it has Prometheus) by absolute path.
fn source(components: &str, extra: &str) -> String {
    let mut s = format!("stack imports {{\n{components}\n}}\n\ntarget native {{}}\n{extra}\n");
    for (name, p) in dashboards() {
        s.push_str(&format!("dashboard {name} = import_dashboard(\"{}\")\n", p.display()));
    }
    for (name, p) in rule_files().into_iter().filter(|_| components.contains("prometheus")) {
        s.push_str(&format!("rules {name} = import_rules(\"{}\")\n", p.display()));
    }
    s
}

const FULL: &str = "  prometheus {}\n  loki {}\n  tempo {}\n  alertmanager {}\n  grafana {}";

fn check(src_path: &Path, text: &str) -> Vec<Diagnostic> {
    let mut db = Database::default();
    let root = db.set_file(src_path, text.to_string());
    check_stack(&db, root).diagnostics.clone()
}

fn build(tag: &str, components: &str, extra: &str) -> (TempDir, PathBuf, Vec<Diagnostic>) {
    let dir = TempDir::new(tag);
    let src = dir.path().join("stack.gstack");
    let text = source(components, extra);
    std::fs::write(&src, &text).unwrap();
    let diags = check(&src, &text);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).map(|d| format!("{} {}", d.code, d.message)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &[]);
    (dir, out, diags)
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}

/// Every `datasource` field in the tree: (JSON path, value).
fn datasource_fields(v: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let p = format!("{path}.{k}");
                if k == "datasource" {
                    out.push((p.clone(), x.clone()));
                }
                datasource_fields(x, &p, out);
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                datasource_fields(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn real_dashboards_import_with_every_datasource_mapped() {
    if skip_without(&[SHARED_DATA]) {
        return;
    }
    // the inputs are what they are said to be
    let node = json(&shared_data().join("dashboards/rfmoz/node-exporter-full.json"));
    assert!(node["templating"]["list"].as_array().unwrap().iter().any(|v| v["name"] == "ds_prometheus" && v["type"] == "datasource"));
    assert!(node.to_string().contains("${ds_prometheus}"));
    let haproxy = json(&shared_data().join("dashboards/rfmoz/haproxy.json"));
    assert_eq!(haproxy["__inputs"][0]["name"], "DS_PROMETHEUS");
    assert!(haproxy.to_string().contains("${DS_PROMETHEUS}"));

    let (_d, out, diags) = build("imp-ds", FULL, "");
    // warnings only for PromQL, and each names its place
    for d in &diags {
        assert_eq!(d.code, "W0400", "{}: {}", d.code, d.message);
    }
    let dir = out.join("native/config/grafana/dashboards/general");
    let stack_uids = ["prometheus", "loki", "tempo"];
    let mut seen_types = BTreeSet::new();
    let all = imports::Datasources::new(&["prometheus", "loki", "tempo", "alertmanager"], &[]);
    let mut exprs = 0;
    for (name, src) in dashboards() {
        let original = json(&src);
        let d = json(&dir.join(format!("{name}.json")));
        for k in ["__inputs", "__requires", "__elements"] {
            assert!(d.get(k).is_none(), "{name}: {k} is still there");
        }
        assert_eq!(d["id"], Value::Null, "{name}");
        assert_eq!(d["uid"], name.as_str(), "{name}");
        assert_eq!(d["title"], original["title"], "{name}");
        let text = d.to_string();
        assert!(!text.contains("${DS_"), "{name}: a ${{DS_…}} placeholder is left");
        let mut fields = vec![];
        datasource_fields(&d, "", &mut fields);
        assert!(!fields.is_empty(), "{name}");
        for (path, v) in &fields {
            let ty = v.get("type").and_then(Value::as_str).unwrap_or_else(|| panic!("{name} {path}: {v}"));
            let uid = v.get("uid").and_then(Value::as_str).unwrap_or_else(|| panic!("{name} {path}: {v}"));
            match ty {
                // Grafana's own annotations and pseudo datasources
                "datasource" | "grafana" | "__expr__" => assert!(["grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --", "__expr__"].contains(&uid), "{name} {path}: {v}"),
                _ => {
                    assert!(stack_uids.contains(&uid), "{name} {path}: {v} is no datasource of the stack");
                    assert_eq!(ty, uid, "{name} {path}: {v}");
                    seen_types.insert(ty.to_string());
                }
            }
        }
        // datasource variables are pinned to the stack's datasource and hidden
        for v in d["templating"]["list"].as_array().unwrap() {
            if v["type"] == "datasource" {
                assert!(stack_uids.contains(&v["current"]["value"].as_str().unwrap()), "{name}: {v}");
                assert_eq!(v["hide"], 2, "{name}: {v}");
            }
        }
        // every PromQL target parses or was reported with its dashboard, panel and place
        let imp = imports::rewrite_dashboard(&std::fs::read_to_string(&src).unwrap(), &name, &all).unwrap();
        assert!(imp.unmapped.is_empty(), "{name}: {:?}", imp.unmapped);
        exprs += imp.promql.len();
        for t in &imp.promql {
            if gstack::sema::query::promql_problem(&t.expr, true).is_some() {
                let reported = diags.iter().any(|d| d.message.contains(&format!("dashboard `{name}`")) && d.message.contains(&t.path));
                let capped = diags.iter().any(|d| d.message.contains(&format!("dashboard `{name}`")) && d.message.contains("more PromQL"));
                assert!(reported || capped, "{name} {}: not reported", t.path);
            }
        }
    }
    assert!(exprs > 800, "only {exprs} PromQL expressions checked");
    assert_eq!(seen_types, ["loki", "prometheus"].iter().map(|s| s.to_string()).collect(), "the Loki panels of the mixins map to loki");
}

#[test]
fn a_declared_datasource_answers_a_type_the_components_lack() {
    if skip_without(&[SHARED_DATA]) {
        return;
    }
    // no Prometheus component: the PromQL dashboards use the declared Prometheus-type datasource
    let (_d, out, _) = build(
        "imp-declared",
        "  loki {}\n  tempo {}\n  grafana {}",
        "datasource thanos { type = prometheus, url = \"http://thanos:9090\" }",
    );
    let d = json(&out.join("native/config/grafana/dashboards/general/node_exporter_full.json"));
    let mut fields = vec![];
    datasource_fields(&d, "", &mut fields);
    let uids: BTreeSet<String> = fields.iter().filter_map(|(_, v)| v["uid"].as_str().map(str::to_string)).collect();
    assert_eq!(uids, ["grafana", "thanos"].iter().map(|s| s.to_string()).collect::<BTreeSet<_>>());
    let loki = json(&out.join("native/config/grafana/dashboards/general/loki_logs.json"));
    assert!(loki.to_string().contains(r#"{"type":"loki","uid":"loki"}"#));
}

/// check-jsonschema's errors for `f`, split into leaves: (path, message), with each name of
/// an "Additional properties are not allowed" message a leaf of its own.
fn schema_errors(cj: &Path, schema: &Path, f: &Path) -> BTreeSet<(String, String)> {
    let o = Command::new(cj).args(["-v", "-o", "json", "--schemafile"]).arg(schema).arg(f).output().unwrap();
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("check-jsonschema output: {e}: {}", String::from_utf8_lossy(&o.stdout)));
    let mut out = BTreeSet::new();
    for e in report["errors"].as_array().cloned().unwrap_or_default() {
        let subs = match e["sub_errors"].as_array() {
            Some(s) if !s.is_empty() => s.clone(),
            _ => vec![e.clone()],
        };
        for s in subs {
            let path = s["path"].as_str().unwrap_or("").to_string();
            let msg = s["message"].as_str().unwrap_or("").to_string();
            if let Some(rest) = msg.strip_prefix("Additional properties are not allowed (") {
                for name in rest.split('\'').skip(1).step_by(2) {
                    out.insert((path.clone(), format!("unexpected `{name}`")));
                }
            } else {
                out.insert((path, msg));
            }
        }
    }
    out
}

#[test]
fn imported_dashboards_are_no_further_from_grafanas_schema_than_the_originals() {
    if skip_without(&["check-jsonschema", SHARED_DATA]) {
        return;
    }
    let cj = require("check-jsonschema");
    let schema = shared_data().join("grafana-jsonschema/dashboard.jsonschema.json");
    let (_d, out, _) = build("imp-schema", FULL, "");
    let dir = out.join("native/config/grafana/dashboards/general");
    let mut fixed = 0;
    let mut report = String::new();
    for (name, src) in dashboards() {
        let before = schema_errors(&cj, &schema, &src);
        let after = schema_errors(&cj, &schema, &dir.join(format!("{name}.json")));
        let about_ds = |e: &(String, String)| e.0.contains("datasource") || e.1.contains("`datasource`") || e.1.contains("`__inputs`") || e.1.contains("`__requires`") || e.1.contains("`__elements`");
        let left: Vec<_> = after.iter().filter(|e| about_ds(e)).collect();
        assert!(left.is_empty(), "{name}: schema errors about datasources remain: {left:#?}");
        let new: Vec<_> = after.difference(&before).collect();
        assert!(new.is_empty(), "{name}: the rewrite adds schema errors: {new:#?}");
        fixed += before.iter().filter(|e| about_ds(e)).count();
        report.push_str(&format!("{name}: {} error leaves left (upstream; every oneOf branch counted), {} gone\n", after.len(), before.len() - after.len()));
    }
    assert!(fixed > 20, "the originals' datasource errors: {fixed}");
    eprintln!("{report}");
}

#[test]
fn promtool_accepts_the_imported_rule_files() {
    if skip_without(&[SHARED_DATA]) {
        return;
    }
    let promtool = require("promtool");
    let (_d, out, _) = build("imp-rules", FULL, "");
    let dir = out.join("native/config/prometheus");
    let mut files = vec![];
    let mut want = 0;
    for (name, src) in rule_files() {
        let f = dir.join(format!("rules/imported-{name}.yml"));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), std::fs::read_to_string(&src).unwrap(), "{name}: copied as it is");
        let c = imports::check_rules(&std::fs::read_to_string(&src).unwrap());
        assert!(c.errors.is_empty(), "{name}: {:?}", c.errors);
        for x in &c.exprs {
            assert_eq!(gstack::sema::query::promql_problem(&x.expr, false), None, "{name} {}", x.rule);
        }
        want += c.rules;
        files.push(f);
    }
    let (ok, text) = run(Command::new(&promtool).arg("check").arg("rules").args(&files));
    assert!(ok, "promtool check rules:\n{text}");
    let found: usize = text.lines().filter_map(|l| l.trim().strip_prefix("SUCCESS: ")?.split(' ').next()?.parse::<usize>().ok()).sum();
    assert_eq!(found, want, "{text}");
    let (ok, text) = run(Command::new(&promtool).arg("check").arg("config").arg(dir.join("prometheus.yml")));
    assert!(ok, "promtool check config:\n{text}");
}
