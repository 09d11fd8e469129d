//! `gstackc build --overrides overrides.json`: typed overrides (what the flake's
//! `lib.mkStack { overrides = …; }` passes) change the stack without editing the .gstack file,
//! and a wrong type is the same diagnostic as in source.

mod common;
use common::*;
use std::process::Command;

fn build(overrides: &str, extra: &[&str]) -> (bool, String, String) {
    let dir = TempDir::new("ov");
    let ov = dir.path().join("overrides.json");
    std::fs::write(&ov, overrides).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .arg("build")
        .arg(root().join("examples/default.gstack"))
        .arg("--overrides")
        .arg(&ov)
        .args(extra)
        .output()
        .unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stdout).to_string(), String::from_utf8_lossy(&o.stderr).to_string())
}

#[test]
fn overrides_change_ports_versions_resources_and_bin() {
    let (ok, out, err) = build(
        r#"{
  "stack": {
    "prometheus": { "port": 9091, "retention": "30d", "version": "3.7", "scrape": { "extra": { "targets": ["127.0.0.1:9999"] } } },
    "grafana": { "admin": { "password": { "env": "GF_ADMIN" } } }
  },
  "targets": {
    "native": { "bin": { "prometheus": "/nix/store/x/bin/prometheus" } },
    "kubernetes": { "resources": { "loki": { "memory": "4GiB" } } }
  }
}"#,
        &["--emit", "ir"],
    );
    assert!(ok, "{err}");
    let ir: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(ir["prometheus"]["port"], 9091);
    assert_eq!(ir["prometheus"]["retention"], "30d");
    assert_eq!(ir["prometheus"]["version"], "3.7");
    let scrapes: Vec<&str> = ir["prometheus"]["scrapes"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(scrapes, ["app", "extra"], "blocks merge, they do not replace");
    assert_eq!(ir["grafana"]["admin_password"], serde_json::json!({ "env": "GF_ADMIN" }));
    assert_eq!(ir["targets"]["native"]["bin"]["prometheus"], "/nix/store/x/bin/prometheus");
    // untouched fields keep their source values
    assert_eq!(ir["targets"]["native"]["data_dir"], "~/.local/share/gstack/shop");
    let res = ir["targets"]["kubernetes"]["resources"].as_array().unwrap();
    assert_eq!(res.iter().find(|r| r["component"] == "loki").unwrap()["memory"], 4u64 << 30);
    assert_eq!(res.iter().find(|r| r["component"] == "prometheus").unwrap()["memory"], 2u64 << 30);
}

#[test]
fn wrong_types_in_overrides_are_the_source_diagnostics() {
    let (ok, out, _) = build(
        r#"{ "stack": { "prometheus": { "port": "abc", "retention": 15, "retension": "1d" } }, "targetz": {} }"#,
        &["--message-format", "json"],
    );
    assert!(!ok);
    let diags: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut codes: Vec<(String, String)> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["message"].as_str().unwrap().to_string()))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            ("E0200".to_string(), "unknown field `retension` in `prometheus`".to_string()),
            ("E0200".to_string(), "unknown key `targetz` in overrides".to_string()),
            ("E0201".to_string(), "`port` expects port (1–65535), found string".to_string()),
            ("E0201".to_string(), "`retention` expects duration (e.g. `15s`, `10m`, `30d`), found number".to_string()),
        ]
    );
    // every one points into the overrides file
    for d in diags.as_array().unwrap() {
        assert!(d["location"]["file"].as_str().unwrap().ends_with("overrides.json"), "{d}");
    }
    // the same mistake in source gives the same message
    let dir = TempDir::new("ov-src");
    let src = dir.path().join("s.gstack");
    std::fs::write(&src, "stack s { prometheus { port = \"abc\" } }").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg(&src).args(["--message-format", "json"]).output().unwrap();
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d[0]["code"], "E0201");
    assert_eq!(d[0]["message"], "`port` expects port (1–65535), found string");
}

#[test]
fn a_component_at_the_top_level_is_short_for_stack_component() {
    // what the flake's `overrides = { grafana.port = 3001; }` becomes
    let (ok, out, err) = build(r#"{ "grafana": { "port": 3001 }, "stack": { "loki": { "port": 3101 } } }"#, &["--emit", "ir"]);
    assert!(ok, "{err}");
    let ir: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(ir["grafana"]["port"], 3001);
    assert_eq!(ir["loki"]["port"], 3101);
}

#[test]
fn invalid_json_is_a_diagnostic() {
    let (ok, out, _) = build("{\"stack\": ", &["--message-format", "json"]);
    assert!(!ok);
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d[0]["code"], "E0700");
}

/// Field grammars hold in overrides as in source (issue #14): a `bin` path spelling the
/// targets' own variables or holding a newline, a version with a newline, and a `secret.env`
/// name with a space are refused, each pointing into the overrides file.
#[test]
fn field_grammars_hold_in_overrides() {
    let (ok, out, _) = build(
        r#"{ "stack": { "grafana": { "version": "12.2\n[x]", "admin": { "password": { "env": "A B" } } } },
            "targets": { "native": { "bin": { "prometheus": "/opt/${GSTACK_DATA}/p", "loki": "/x\n" } } } }"#,
        &["--message-format", "json"],
    );
    assert!(!ok);
    let diags: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e0204: Vec<&serde_json::Value> = diags.as_array().unwrap().iter().filter(|d| d["code"] == "E0204").collect();
    assert_eq!(e0204.len(), 4, "{diags:#}");
    for d in e0204 {
        assert!(d["location"]["file"].as_str().unwrap().ends_with("overrides.json"), "{d}");
    }
}

/// Dashboards, datasources and alert rules given as data (what a Nix user writes as
/// `mkStack { overrides.dashboards.<name> = { … }; }`, issue #19) become declarations: panels by
/// `type` and `title`, rows, variables by kind, queries as `{ "promql": "…" }` (a string where
/// the field takes one language), thresholds as `{ value, color }` steps.
#[test]
fn dashboards_datasources_and_alerts_given_as_data() {
    let (ok, out, err) = build(
        r#"{
  "dashboards": { "from_nix": {
    "title": "Defined in Nix", "tags": ["nix"],
    "variables": { "job": { "query": ["prometheus", "label_values(up, job)"] }, "env": { "custom": ["prod", "dev"] } },
    "panels": [ { "type": "stat", "title": "Targets up", "query": { "promql": "sum(up{job=\"$job\"})" }, "unit": "short",
                  "thresholds": [ { "value": 1, "color": "red" } ] } ],
    "rows": [ { "title": "Logs", "collapsed": true,
                "panels": [ { "type": "logs", "title": "Errors", "query": { "logql": "{service=\"cart\"} |= \"error\"" } } ] } ] } },
  "datasources": { "inventory": { "type": "postgres", "url": "db.internal:5432", "database": "inventory", "user": "ro",
                                  "password": { "file": "/run/secrets/inventory" } } },
  "alerts": { "TargetDown": { "expr": "up == 0", "for": "5m", "severity": "critical", "summary": "{{ $labels.job }} is down" } },
  "log_alerts": { "CartErrors": { "expr": "sum(count_over_time({service=\"cart\"} |= \"error\" [5m])) > 10" } }
}"#,
        &["--emit", "ir"],
    );
    assert!(ok, "{err}");
    let ir: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = ir["dashboards"].as_array().unwrap().iter().find(|d| d["name"] == "from_nix").expect("the dashboard given as data");
    assert_eq!(d["title"], "Defined in Nix");
    assert_eq!(d["variables"][0]["type"], "query");
    assert_eq!(d["variables"][0]["query"], "label_values(up, job)");
    assert_eq!(d["variables"][1]["type"], "custom");
    assert_eq!(d["variables"][1]["values"], serde_json::json!(["prod", "dev"]));
    let p = &d["panels"][0];
    assert_eq!((&p["type"], &p["title"], &p["unit"]), (&"stat".into(), &"Targets up".into(), &"short".into()));
    assert_eq!((&p["queries"][0]["lang"], &p["queries"][0]["expr"]), (&"promql".into(), &"sum(up{job=\"$job\"})".into()));
    assert_eq!(p["thresholds"][1], serde_json::json!({ "value": 1.0, "color": "red" }));
    assert_eq!(d["rows"][0]["title"], "Logs");
    assert_eq!(d["rows"][0]["collapsed"], true);
    assert_eq!(d["rows"][0]["panels"][0]["datasource"], "loki");
    let names: Vec<&str> = ir["datasources"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["warehouse", "inventory"]);
    let alert = ir["alerts"].as_array().unwrap().iter().find(|a| a["name"] == "TargetDown").unwrap();
    assert_eq!(alert["expr"], serde_json::json!({ "lang": "promql", "expr": "up == 0" }));
    assert_eq!(alert["labels"]["severity"], "critical");
    assert!(ir["log_alerts"].as_array().unwrap().iter().any(|a| a["name"] == "CartErrors"));
    // the source's own declarations are all still there
    assert!(ir["dashboards"].as_array().unwrap().iter().any(|d| d["name"] == "checkout"));
    for a in ["HighErrorRate", "ErrorBudgetBurn", "CheckoutLatencyHigh", "CartErrorsSpike"] {
        assert!(ir["alerts"].as_array().unwrap().iter().any(|x| x["name"] == a), "{a}");
    }
}

/// Given under the name of a declaration, data merges into it: fields replace, a panel of the
/// same type and title merges, a new one is added (docs/nix.md).
#[test]
fn a_dashboard_given_as_data_merges_with_the_declaration_of_its_name() {
    let (ok, out, err) = build(
        r#"{ "dashboards": { "checkout": { "title": "Checkout (Nix)", "panels": [ { "type": "text", "title": "Notes", "content": "from Nix" } ] } } }"#,
        &["--emit", "ir"],
    );
    assert!(ok, "{err}");
    let ir: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ds: Vec<&serde_json::Value> = ir["dashboards"].as_array().unwrap().iter().filter(|d| d["name"] == "checkout").collect();
    assert_eq!(ds.len(), 1, "merged, not duplicated");
    assert_eq!(ds[0]["title"], "Checkout (Nix)");
    assert_eq!(ds[0]["folder"], "Services", "untouched fields keep their source values");
    assert_eq!(ds[0]["rows"].as_array().unwrap().len(), 3);
    assert_eq!(ds[0]["panels"][0]["content"], "from Nix");
}

/// A mistake in a definition given as data is the source's diagnostic, pointing at the key or
/// value in the overrides file (Nix's attribute path, one key a line).
#[test]
fn mistakes_in_definitions_given_as_data_point_into_them() {
    let (ok, out, _) = build(
        r#"{ "dashboards": { "d": { "titel": "x", "panels": [
                { "type": "timeseries", "title": "Bad", "query": { "promql": "sum(rate(x[5m])" } },
                { "type": "timeserie", "title": "t" }, { "title": "no type" } ],
              "variables": { "v": { "query": ["prometheus"] } } } },
             "datasources": { "w": { "type": "postgress", "url": "db:5432" } },
             "alerts": { "A": { "expr": "up ==", "severity": "urgent" } } }"#,
        &["--message-format", "json"],
    );
    assert!(!ok);
    let diags: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut got: Vec<(String, String)> = diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["message"].as_str().unwrap().to_string()))
        .collect();
    got.sort();
    let want = [
        ("E0200", "unknown field `titel` in `dashboard`"),
        ("E0201", "`query` takes [datasource, query]"),
        ("E0202", "a panel needs `type` (one of: timeseries, stat, gauge, bargauge, table, logs, traces, nodeGraph, heatmap, histogram, piechart, text, state_timeline, status_history, barchart, geomap, canvas, xychart, trend, alertlist, annolist, dashlist, news)"),
        ("E0205", "`postgress` is not a valid `type`"),
        ("E0205", "`timeserie` is not a panel type"),
        ("E0205", "`urgent` is not a valid `severity`"),
        ("E0400", "invalid PromQL: invalid promql query"),
        ("E0400", "invalid PromQL: unclosed `(`"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(c, m)| (c.to_string(), m.to_string())).collect();
    assert_eq!(got, want, "{diags:#}");
    for d in diags.as_array().unwrap() {
        assert!(d["location"]["file"].as_str().unwrap().ends_with("overrides.json"), "{d}");
    }
    // the PromQL error points at the one `(` it names, inside the query string, not at the key
    let unclosed = diags.as_array().unwrap().iter().find(|d| d["message"] == "invalid PromQL: unclosed `(`").unwrap();
    let span = &unclosed["location"]["span"];
    assert_eq!(span["end"].as_u64().unwrap() - span["start"].as_u64().unwrap(), 1, "{unclosed}");
}

/// `--target T` of a stack that declares no `target T` is E0202 at the stack's name, and
/// nothing is written (it used to exit 0 with `ir.json` alone); the target given through the
/// overrides builds.
#[test]
fn a_target_the_stack_does_not_declare_is_an_error() {
    let dir = TempDir::new("ov-target");
    let src = dir.path().join("s.gstack");
    std::fs::write(&src, "stack s { prometheus {} }\n").unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .arg("build")
        .arg(&src)
        .args(["-o", out.to_str().unwrap(), "--target", "compose", "--message-format", "json"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d[0]["code"], "E0202", "{d}");
    assert_eq!(d[0]["message"], "the stack declares no `target compose`, so `--target compose` has nothing to write");
    assert_eq!(d[0]["location"]["span"], serde_json::json!({ "start": 6, "end": 7 }));
    assert!(!out.exists(), "nothing is written");
    let ov = dir.path().join("t.json");
    std::fs::write(&ov, r#"{ "targets": { "compose": {} } }"#).unwrap();
    gstackc_build(&src, &out, &["--target", "compose", "--overrides", ov.to_str().unwrap()]);
    assert!(out.join("compose/docker-compose.yaml").is_file());
    // the nix target needs no declaration
    gstackc_build(&src, &dir.path().join("nix-out"), &["--target", "nix"]);
}
