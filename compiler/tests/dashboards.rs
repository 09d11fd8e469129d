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
    assert_eq!(o[1]["properties"], serde_json::json!([{ "id": "min", "value": 0 }, { "id": "max", "value": 100 }]));
}

/// Every `timeseries` panel's `options` and graph styles (`fieldConfig.defaults.custom`) are
/// valid against the timeseries panel's own schema (`timeseries.jsonschema.json`: `legend` and
/// `tooltip` are required there), and the display options land where Grafana reads them.
#[test]
fn timeseries_panels_match_their_panel_schema_with_every_display_option() {
    if skip_without(&["check-jsonschema", SHARED_DATA]) {
        return;
    }
    let cj = require("check-jsonschema");
    let dir = TempDir::new("dash-ts");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        r#"import std.selfmon
stack s {
  prometheus {}
  grafana {}
}
dashboard styled {
  timeseries "Requests" {
    query = promql`sum by (code) (rate(http_requests_total[5m]))`
    unit = reqps
    decimals = 2
    min = 0
    max = 100
    no_value = "no traffic"
    mappings = ["0": "idle"]
    thresholds = [50: yellow, 80: red]
    threshold_mode = percentage
    draw_style = bars
    line_width = 2
    fill_opacity = 30
    stack = normal
    tooltip = multi
    legend_mode = table
    legend_placement = right
  }
  stat "Up" { query = promql`sum(up)`, decimals = 0, no_value = "none" }
}
target native {}
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let mut panels = vec![];
    let mut styled = None;
    for f in files_under(&out.join("native/config/grafana/dashboards"), &["json"]) {
        let d: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let mut all: Vec<serde_json::Value> = vec![];
        for p in d["panels"].as_array().unwrap() {
            all.push(p.clone());
            all.extend(p["panels"].as_array().cloned().unwrap_or_default());
        }
        for p in all.into_iter().filter(|p| p["type"] == "timeseries") {
            if p["title"] == "Requests" {
                styled = Some(p.clone());
            }
            panels.push(p);
        }
    }
    assert!(panels.len() > 5, "{} timeseries panels", panels.len());
    // the panel schema's definitions, with the panel's `options` and `custom` checked by them
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("../shared/data/grafana-jsonschema/timeseries.jsonschema.json")).unwrap()).unwrap();
    schema["type"] = "object".into();
    schema["required"] = serde_json::json!(["options"]);
    schema["properties"] = serde_json::json!({
        "options": { "$ref": "#/definitions/Options" },
        "fieldConfig": { "type": "object", "properties": { "defaults": { "type": "object", "properties": { "custom": { "$ref": "#/definitions/FieldConfig" } } } } },
    });
    let schema_file = dir.path().join("timeseries-panel.json");
    std::fs::write(&schema_file, schema.to_string()).unwrap();
    let mut files = vec![];
    for (i, p) in panels.iter().enumerate() {
        let f = dir.path().join(format!("panel-{i}.json"));
        std::fs::write(&f, p.to_string()).unwrap();
        files.push(f);
    }
    let (ok, text) = run(Command::new(&cj).arg("--schemafile").arg(&schema_file).args(&files));
    assert!(ok, "check-jsonschema:\n{text}");
    // and the whole dashboards against the dashboard schema
    let dash_schema = root().join("../shared/data/grafana-jsonschema/dashboard.jsonschema.json");
    let (ok, text) = run(Command::new(&cj).arg("--schemafile").arg(&dash_schema).args(files_under(&out.join("native/config/grafana/dashboards"), &["json"])));
    assert!(ok, "check-jsonschema:\n{text}");
    let p = styled.expect("the styled panel");
    let d = &p["fieldConfig"]["defaults"];
    assert_eq!((d["decimals"].as_i64(), d["min"].as_f64(), d["max"].as_f64(), d["noValue"].as_str()), (Some(2), Some(0.0), Some(100.0), Some("no traffic")), "{d}");
    assert_eq!(d["mappings"][0]["options"]["0"]["text"], "idle", "{d}");
    assert_eq!(d["thresholds"]["mode"], "percentage", "{d}");
    assert_eq!(d["custom"], serde_json::json!({ "drawStyle": "bars", "lineWidth": 2, "fillOpacity": 30, "stacking": { "mode": "normal", "group": "A" } }));
    assert_eq!(p["options"]["legend"], serde_json::json!({ "displayMode": "table", "placement": "right", "showLegend": true, "calcs": [] }));
    assert_eq!(p["options"]["tooltip"], serde_json::json!({ "mode": "multi", "sort": "none" }));
}

/// A panel's `target "refId" { … }` blocks are Grafana targets with their own legend, instant
/// or range evaluation, format, min interval and hide, after the panel's own `query` (refId
/// `A`), and the dashboard stays valid against the dashboard schema.
#[test]
fn targets_carry_their_own_refid_legend_instant_format_interval_and_hide() {
    let dir = TempDir::new("dash-targets");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        r#"stack s {
  prometheus {}
  loki {}
  grafana {}
}
dashboard d {
  timeseries "Latency" {
    query = promql`histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))`
    legend = "p50"
    target "p99" { query = promql`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))`, legend = "p99", interval = 1m }
    target "raw" { query = promql`http_request_duration_seconds_count`, hide = true, instant = true, format = table }
  }
  stat "Lines" { target "B" { query = logql`sum(count_over_time({app="x"}[5m]))`, instant = true } }
}
target native {}
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let f = files_under(&out.join("native/config/grafana/dashboards"), &["json"]).into_iter().find(|f| f.ends_with("d.json")).unwrap();
    let d: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    let t = &d["panels"][0]["targets"];
    let ids: Vec<&str> = t.as_array().unwrap().iter().map(|x| x["refId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["A", "p99", "raw"]);
    assert_eq!((t[0]["legendFormat"].as_str(), t[0]["range"].as_bool()), (Some("p50"), Some(true)), "{t}");
    assert_eq!((t[1]["legendFormat"].as_str(), t[1]["interval"].as_str()), (Some("p99"), Some("1m")), "{t}");
    assert_eq!((t[2]["instant"].as_bool(), t[2]["range"].as_bool(), t[2]["format"].as_str(), t[2]["hide"].as_bool()), (Some(true), Some(false), Some("table"), Some(true)), "{t}");
    let l = &d["panels"][1]["targets"][0];
    assert_eq!((l["refId"].as_str(), l["queryType"].as_str()), (Some("B"), Some("instant")), "{l}");
    if skip_without(&["check-jsonschema", SHARED_DATA]) {
        return;
    }
    let schema = root().join("../shared/data/grafana-jsonschema/dashboard.jsonschema.json");
    let (ok, text) = run(Command::new(require("check-jsonschema")).arg("--schemafile").arg(&schema).arg(&f));
    assert!(ok, "check-jsonschema:\n{text}");
}

/// A dashboard that `needs` a component the stack does not enable is not written:
/// std.selfmon's Loki, Tempo, Alertmanager and node-exporter dashboards in a stack of
/// Prometheus and Grafana alone.
#[test]
fn dashboards_of_components_the_stack_lacks_are_not_written() {
    let dir = TempDir::new("dash-needs");
    let src = dir.path().join("s.gstack");
    std::fs::write(&src, "import std.selfmon\nstack s {\n  prometheus {}\n  grafana {}\n}\ndashboard mine {\n  needs = [prometheus]\n  stat \"Up\" { query = promql`sum(up)` }\n}\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("build").arg(&src).args(["--emit", "ir"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ir: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = ir["dashboards"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["mine", "gstack_prometheus", "gstack_grafana"]);
}

/// Every variable kind gstack types (Grafana's `query`, `custom`, `interval`, `datasource`,
/// `constant`, `textbox`, `adhoc`) in one dashboard: each templating entry has Grafana's
/// `type`, and the dashboard is valid against Grafana's dashboard JSON Schema.
#[test]
fn every_variable_kind_is_grafanas_and_valid() {
    let dir = TempDir::new("dash-vars");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        r#"stack s { prometheus {}, loki {}, grafana {} }

dashboard vars {
  var job = query(prometheus, "label_values(up, job)", { multi = false, include_all = false })
  var env = custom(["prod", "staging"])
  var step = interval(["1m", "5m"])
  var ds = datasource(prometheus)
  var cluster = constant("eu-1")
  var search = textbox("error")
  var filters = adhoc(prometheus)
  timeseries "Up" { query = promql`up{job="$job", env=~"$env"}` }
  logs "Lines" { query = logql`{service_name="shop"} |= "$search"` }
}
target native {}
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let file = out.join("native/config/grafana/dashboards/general/vars.json");
    let file = if file.is_file() {
        file
    } else {
        std::fs::read_dir(out.join("native/config/grafana/dashboards")).unwrap().flatten().map(|d| d.path().join("vars.json")).find(|p| p.is_file()).expect("vars.json")
    };
    let d: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let list = d["templating"]["list"].as_array().unwrap();
    let types: Vec<&str> = list.iter().map(|v| v["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["query", "custom", "interval", "datasource", "constant", "textbox", "adhoc"]);
    let search = &list[5];
    assert_eq!((search["query"].as_str(), search["current"]["value"].as_str()), (Some("error"), Some("error")));
    let filters = &list[6];
    assert_eq!((filters["datasource"]["type"].as_str(), filters.get("filters")), (Some("prometheus"), None));
    if skip_without(&["check-jsonschema", SHARED_DATA]) {
        return;
    }
    let schema = root().join("../shared/data/grafana-jsonschema/dashboard.jsonschema.json");
    let (ok, text) = run(Command::new(require("check-jsonschema")).arg("--schemafile").arg(&schema).arg(&file));
    assert!(ok, "check-jsonschema:\n{text}");
}
