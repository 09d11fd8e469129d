//! Every dashboard gstackc generates is valid against Grafana's dashboard JSON Schema
//! (v1, from grafana-foundation-sdk, in `../shared/data/grafana-jsonschema/`).

mod common;
use common::*;
use std::process::Command;

#[test]
fn generated_dashboards_match_grafanas_json_schema() {
    if skip_without(&["check-jsonschema", SHARED_DATA]) {
        return;
    }
    let cj = require("check-jsonschema");
    let schema = root().join("../shared/data/grafana-jsonschema/dashboard.jsonschema.json");
    assert!(schema.is_file(), "missing {} (shared/ must sit beside the repository)", schema.display());
    let dir = TempDir::new("dash");
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "native"]);
    // --target native writes ir.json too
    let mut files = vec![];
    for folder in std::fs::read_dir(out.join("native/config/grafana/dashboards")).unwrap().flatten() {
        for f in std::fs::read_dir(folder.path()).unwrap().flatten() {
            files.push(f.path());
        }
    }
    files.sort();
    // the example's own dashboards, the team's and std.selfmon's
    let ir: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("ir.json")).unwrap()).unwrap();
    assert_eq!(files.len(), ir["dashboards"].as_array().unwrap().len(), "{files:?}");
    assert!(files.len() >= 7);
    let (ok, text) = run(Command::new(&cj).arg("--schemafile").arg(&schema).args(&files));
    assert!(ok, "check-jsonschema:\n{text}");
    // no Angular-era panels, and the schemaVersion of the Grafana 12 line
    for f in &files {
        let d: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        assert_eq!(d["schemaVersion"], 41);
        for p in d["panels"].as_array().unwrap() {
            assert!(!["graph", "table-old", "singlestat"].contains(&p["type"].as_str().unwrap()), "{}", p["type"]);
        }
    }
}

#[test]
fn overrides_links_repeat_and_time_settings_reach_the_panel_json() {
    let dir = TempDir::new("dash-features");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        r#"stack s { prometheus {}, grafana {} }
dashboard d {
  timezone = utc
  links = [{ title = "Runbook", url = "https://example.com/rb", new_tab = true }]
  var code = custom(["500", "503"])
  timeseries "Errors" {
    query = promql`sum by (code) (rate(http_requests_total{code=~"$code"}[5m]))`
    repeat = code
    time_from = 1h
    time_shift = 1d
    links = [{ title = "Logs", url = "https://example.com/logs" }]
    override "500" { color = red, display_name = "Internal errors", unit = reqps, decimals = 1 }
    override "5.." { regex = true, min = 0, max = 100 }
  }
}
target native {}
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("native/config/grafana/dashboards/general/d.json")).unwrap()).unwrap();
    assert_eq!(d["timezone"], "utc");
    assert_eq!(d["links"][0]["url"], "https://example.com/rb");
    assert_eq!(d["links"][0]["targetBlank"], true);
    let p = &d["panels"][0];
    assert_eq!(p["repeat"], "code");
    assert_eq!(p["timeFrom"], "1h");
    assert_eq!(p["timeShift"], "1d");
    assert_eq!(p["links"][0]["title"], "Logs");
    // Grafana's fieldConfig.overrides: a matcher and its properties
    let o = &p["fieldConfig"]["overrides"];
    assert_eq!(o[0]["matcher"], serde_json::json!({ "id": "byName", "options": "500" }));
    assert_eq!(
        o[0]["properties"],
        serde_json::json!([
            { "id": "unit", "value": "reqps" },
            { "id": "color", "value": { "mode": "fixed", "fixedColor": "red" } },
            { "id": "displayName", "value": "Internal errors" },
            { "id": "decimals", "value": 1 },
        ])
    );
    assert_eq!(o[1]["matcher"]["id"], "byRegexp");
    assert_eq!(o[1]["properties"], serde_json::json!([{ "id": "min", "value": 0.0 }, { "id": "max", "value": 100.0 }]));
}
