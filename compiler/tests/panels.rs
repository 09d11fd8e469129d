//! Every built-in Grafana panel kind, with its own typed options (`options { … }`) and field
//! config (`custom { … }`): each panel the tests build is valid against its own panel schema
//! (grafana-foundation-sdk's `<panel>.jsonschema.json`, `Options` and `FieldConfig`, in
//! `../shared/data/grafana-jsonschema/`) and its dashboard against the dashboard schema, and
//! each typed option lands at Grafana's key.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The panel schema file of a panel plugin id (none for `traces` and `alertlist`: the
/// foundation SDK has no schema for them).
fn panel_schema_file(plugin: &str) -> Option<PathBuf> {
    let name = match plugin {
        "state-timeline" => "statetimeline",
        "status-history" => "statushistory",
        "nodeGraph" => "nodegraph",
        "annolist" => "annotationslist",
        "dashlist" => "dashboardlist",
        p => p,
    };
    let f = shared_data().join(format!("grafana-jsonschema/{name}.jsonschema.json"));
    f.is_file().then_some(f)
}

/// Every panel of a dashboard file, the panels of collapsed rows included (rows not).
fn panels_of(file: &Path) -> Vec<Value> {
    let d: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut out = vec![];
    for p in d["panels"].as_array().unwrap() {
        out.extend(p["panels"].as_array().cloned().unwrap_or_default());
        out.push(p.clone());
    }
    out.retain(|p| p["type"] != "row");
    out
}

/// Validate each panel against its own panel schema: its `options` by the schema's `Options`
/// and its `fieldConfig.defaults.custom` by its `FieldConfig`. Returns the plugin ids that have
/// no schema.
fn validate_panels(dir: &Path, panels: &[Value]) -> Vec<String> {
    let cj = require("check-jsonschema");
    let mut by_kind: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
    let mut unschemed = vec![];
    for (i, p) in panels.iter().enumerate() {
        let kind = p["type"].as_str().unwrap().to_string();
        if panel_schema_file(&kind).is_none() {
            unschemed.push(kind);
            continue;
        }
        let f = dir.join(format!("panel-{i}.json"));
        std::fs::write(&f, p.to_string()).unwrap();
        by_kind.entry(kind).or_default().push(f);
    }
    for (kind, files) in &by_kind {
        let file = panel_schema_file(kind).unwrap();
        let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        schema["type"] = "object".into();
        schema["required"] = json!(["options"]);
        schema["properties"] = json!({ "options": { "$ref": "#/definitions/Options" } });
        if schema["definitions"].get("FieldConfig").is_some() {
            schema["properties"]["fieldConfig"] =
                json!({ "type": "object", "properties": { "defaults": { "type": "object", "properties": { "custom": { "$ref": "#/definitions/FieldConfig" } } } } });
        }
        let schema_file = dir.join(format!("{kind}-panel.schema.json"));
        std::fs::write(&schema_file, schema.to_string()).unwrap();
        let (ok, text) = run(Command::new(&cj).arg("--schemafile").arg(&schema_file).args(files));
        assert!(ok, "{kind} panels against {kind}'s panel schema:\n{text}");
    }
    unschemed.sort();
    unschemed.dedup();
    unschemed
}

fn dashboard_schema_ok(files: &[PathBuf]) {
    let schema = shared_data().join("grafana-jsonschema/dashboard.jsonschema.json");
    let (ok, text) = run(Command::new(require("check-jsonschema")).arg("--schemafile").arg(&schema).args(files));
    assert!(ok, "check-jsonschema:\n{text}");
}

/// One panel of every built-in kind, each with typed options of its own, builds to panels valid
/// against their own schemas, with the options at Grafana's keys over Grafana's defaults.
#[test]
fn every_panel_kind_with_its_options_matches_its_panel_schema() {
    if skip_without(&["check-jsonschema", SHARED_DATA]) {
        return;
    }
    let dir = TempDir::new("panels-every");
    let out = dir.path().join("out");
    gstackc_build(&root().join("compiler/tests/panels/every-kind.gstack"), &out, &["--target", "native"]);
    let file = out.join("native/config/grafana/dashboards/general/every.json");
    dashboard_schema_ok(&[file.clone()]);
    let panels = panels_of(&file);
    let kinds: Vec<&str> = panels.iter().map(|p| p["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "timeseries", "stat", "gauge", "bargauge", "table", "logs", "traces", "nodeGraph", "heatmap", "histogram", "piechart", "text",
            "state-timeline", "status-history", "barchart", "geomap", "canvas", "xychart", "trend", "alertlist", "annolist", "dashlist", "news"
        ]
    );
    assert_eq!(validate_panels(dir.path(), &panels), ["alertlist", "traces"]);
    let by = |t: &str| panels.iter().find(|p| p["type"] == t).unwrap().clone();
    // typed options at Grafana's keys, merged over the kind's defaults
    assert_eq!(by("timeseries")["options"]["tooltip"], json!({ "mode": "multi", "sort": "desc" }));
    assert_eq!(by("timeseries")["fieldConfig"]["defaults"]["custom"], json!({ "lineInterpolation": "smooth", "thresholdsStyle": { "mode": "line+area" } }));
    let stat = by("stat");
    assert_eq!((stat["options"]["colorMode"].as_str(), stat["options"]["graphMode"].as_str()), (Some("background"), Some("area")));
    assert_eq!(stat["options"]["reduceOptions"], json!({ "values": false, "calcs": ["mean"], "fields": "" }));
    assert_eq!(by("table")["options"]["footer"], json!({ "show": true, "reducer": ["sum"] }));
    assert_eq!(by("table")["fieldConfig"]["defaults"]["custom"], json!({ "align": "center", "inspect": false }));
    assert_eq!(by("logs")["options"]["sortOrder"], "Ascending");
    assert_eq!(by("heatmap")["options"]["color"]["scheme"], "Blues");
    assert_eq!(by("heatmap")["options"]["color"]["steps"], 64);
    assert_eq!(by("heatmap")["fieldConfig"]["defaults"]["custom"]["scaleDistribution"], json!({ "type": "log", "log": 2 }));
    assert_eq!(by("piechart")["options"]["legend"]["values"], json!(["percent"]));
    assert_eq!(by("piechart")["options"]["pieType"], "donut");
    assert_eq!(by("text")["options"], json!({ "mode": "html", "content": "hi" }));
    assert_eq!(by("state-timeline")["options"]["mergeValues"], false);
    assert_eq!(by("geomap")["options"]["view"], json!({ "id": "coords", "lat": 50, "lon": 8, "zoom": 4, "allLayers": true }));
    assert_eq!(by("alertlist")["options"]["viewMode"], "stat");
    assert_eq!(by("alertlist")["options"]["stateFilter"]["error"], true);
    assert_eq!(by("dashlist")["options"]["maxItems"], 5);
    assert_eq!(by("news")["options"]["feedUrl"], "https://grafana.com/blog/news.xml");
    // the panels that show no query carry no datasource, targets or field config
    for t in ["text", "alertlist", "annolist", "dashlist", "news"] {
        let p = by(t);
        assert!(p.get("targets").is_none() && p.get("datasource").is_none() && p.get("fieldConfig").is_none(), "{p}");
    }
}

/// The example's dashboards and std.selfmon's: every panel valid against its own panel schema.
#[test]
fn the_examples_panels_match_their_panel_schemas() {
    if skip_without(&["check-jsonschema", SHARED_DATA]) {
        return;
    }
    let dir = TempDir::new("panels-example");
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "native"]);
    let files = files_under(&out.join("native/config/grafana/dashboards"), &["json"]);
    let panels: Vec<Value> = files.iter().flat_map(|f| panels_of(f)).collect();
    assert!(panels.len() > 30, "{} panels", panels.len());
    validate_panels(dir.path(), &panels);
}

/// A panel's `settings { … }` merges over the whole panel JSON last: keys gstack does not type
/// (a table's cell options, `transparent`) reach Grafana, and objects merge key by key.
#[test]
fn panel_settings_merge_over_the_panel_json() {
    let dir = TempDir::new("panels-settings");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        r#"stack s {
  prometheus {}
  grafana {}
}
dashboard d {
  table "t" {
    query = promql`up`
    options { show_header = false }
    settings {
      transparent = true
      options.cellHeight = "lg"
      fieldConfig.defaults.custom.cellOptions = { type = "color-background", mode = "gradient" }
    }
  }
}
target native {}
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let p = &panels_of(&out.join("native/config/grafana/dashboards/general/d.json"))[0];
    assert_eq!(p["transparent"], true);
    assert_eq!((p["options"]["showHeader"].as_bool(), p["options"]["cellHeight"].as_str(), p["options"]["frameIndex"].as_i64()), (Some(false), Some("lg"), Some(0)));
    assert_eq!(p["fieldConfig"]["defaults"]["custom"], json!({ "align": "auto", "inspect": false, "cellOptions": { "type": "color-background", "mode": "gradient" } }));
}

/// Every typed transformation, in order, with the option shapes Grafana's transformers read
/// (`packages/grafana-data/src/transformations/transformers/<id>.ts`): `organize` with
/// `fieldOrder: manual` (its order applies only then), `calculateField`'s binary sides as a
/// field matcher or a fixed number, `groupBy`'s fields by operation.
#[test]
fn transformations_are_written_as_grafanas_transformers_read_them() {
    let dir = TempDir::new("panels-transform");
    let out = dir.path().join("out");
    gstackc_build(&root().join("compiler/tests/panels/transformations.gstack"), &out, &["--target", "native"]);
    let p = &panels_of(&out.join("native/config/grafana/dashboards/general/d.json"))[0];
    let got: Vec<Value> = p["transformations"].as_array().unwrap().clone();
    let want = json!([
        { "id": "merge", "options": {} },
        { "id": "organize", "options": { "excludeByName": { "Time": true }, "includeByName": {}, "renameByName": { "instance": "Host" }, "indexByName": { "Host": 0, "Value": 1 }, "fieldOrder": "manual" } },
        { "id": "reduce", "options": { "reducers": ["mean", "max"], "mode": "reduceFields" } },
        { "id": "filterFieldsByName", "options": { "include": { "names": ["a"] }, "exclude": { "pattern": "^__" } } },
        { "id": "sortBy", "options": { "sort": [{ "field": "Value", "desc": true }] } },
        { "id": "limit", "options": { "limitField": 5 } },
        { "id": "joinByField", "options": { "byField": "instance", "mode": "inner" } },
        { "id": "renameByRegex", "options": { "regex": "(.*)_total", "renamePattern": "$1" } },
        { "id": "labelsToFields", "options": { "mode": "rows", "keepLabels": ["job"] } },
        { "id": "calculateField", "options": { "mode": "binary", "alias": "pct", "binary": { "left": { "matcher": { "id": "byName", "options": "Value" } }, "operator": "/", "right": { "fixed": "100" } } } },
        { "id": "calculateField", "options": { "mode": "reduceRow", "reduce": { "reducer": "mean", "include": ["a", "b"] } } },
        { "id": "convertFieldType", "options": { "conversions": [{ "targetField": "Value", "destinationType": "number" }] } },
        { "id": "groupBy", "options": { "fields": { "job": { "operation": "groupby", "aggregations": [] }, "Value": { "operation": "aggregate", "aggregations": ["mean"] } } } },
        { "id": "filterByRefId", "options": { "include": "A|B" } },
        { "id": "seriesToRows", "options": {} },
    ]);
    assert_eq!(Value::Array(got), want);
    if !skip_without(&["check-jsonschema", SHARED_DATA]) {
        dashboard_schema_ok(&[out.join("native/config/grafana/dashboards/general/d.json")]);
    }
}

/// Grafana's time series field config defaults (`defaultGraphConfig` and the editors' defaults
/// in public/app/plugins/panel/timeseries/config.ts, the axis and hide-from defaults of
/// `commonOptionsBuilder`): a key with its default renders as a missing one.
fn timeseries_custom_defaults() -> Value {
    json!({
        "drawStyle": "line", "lineInterpolation": "linear", "lineWidth": 1, "fillOpacity": 0, "gradientMode": "none",
        "barAlignment": 0, "barWidthFactor": 0.6, "stacking": { "mode": "none", "group": "A" }, "axisCenteredZero": false,
        "axisBorderShow": false, "spanNulls": false, "insertNulls": false, "showPoints": "auto", "pointSize": 5,
        "thresholdsStyle": { "mode": "off" }, "axisPlacement": "auto", "axisLabel": "", "axisColorMode": "text",
        "scaleDistribution": { "type": "linear" }, "hideFrom": { "legend": false, "tooltip": false, "viz": false },
    })
}

/// A panel as Grafana renders it: what its panel, its field config and its queries say, with
/// what says nothing dropped or written one way —
/// - `id`, `pluginVersion` (the editor's bookkeeping), the datasource's uid (the original names
///   its `${ds_prometheus}` variable, gstack the stack's Prometheus; the type is kept);
/// - `links: []`, `mappings: []`, `options.text: {}` (empty is absent);
/// - a threshold step's `value: null` (the base step, `-Infinity`, written without one);
/// - a time series' `custom` key with Grafana's default ([`timeseries_custom_defaults`]);
/// - a stacking `group` as the text Grafana keys stacks by (`false` is the group "false",
///   packages/grafana-ui/src/components/uPlot/utils.ts `getStackingGroups`);
/// - a target's `editorMode` and `step` (not in Grafana's Prometheus query model,
///   pkg/promlib/models/query.go `PrometheusQueryProperties`), `exemplar: false`,
///   `instant: false`, `legendFormat: ""` (omitempty there: false and empty are absent), and
///   `format` absent as its default `time_series`.
fn rendered(p: &Value) -> Value {
    let mut p = p.clone();
    let o = p.as_object_mut().unwrap();
    o.remove("id");
    o.remove("pluginVersion");
    if let Some(ds) = o.get_mut("datasource") {
        *ds = json!({ "type": ds["type"] });
    }
    let kind = o["type"].as_str().unwrap_or_default().to_string();
    if let Some(opts) = o.get_mut("options").and_then(Value::as_object_mut) {
        if opts.get("text") == Some(&json!({})) {
            opts.remove("text");
        }
    }
    if let Some(fc) = o.get_mut("fieldConfig") {
        let d = fc["defaults"].as_object_mut().unwrap();
        for k in ["links", "mappings"] {
            if d.get(k) == Some(&json!([])) {
                d.remove(k);
            }
        }
        if let Some(steps) = d.get_mut("thresholds").and_then(|t| t.get_mut("steps")).and_then(Value::as_array_mut) {
            for s in steps {
                if s.get("value") == Some(&Value::Null) {
                    s.as_object_mut().unwrap().remove("value");
                }
            }
        }
        if kind == "timeseries" {
            let defaults = timeseries_custom_defaults();
            if let Some(c) = d.get_mut("custom").and_then(Value::as_object_mut) {
                c.retain(|k, v| defaults.get(k) != Some(v));
                if c.is_empty() {
                    d.remove("custom");
                }
            }
        }
        for ov in fc["overrides"].as_array_mut().unwrap() {
            for prop in ov["properties"].as_array_mut().unwrap() {
                if prop["id"] == "custom.stacking" {
                    let g = &prop["value"]["group"];
                    let text = g.as_str().map(str::to_string).unwrap_or_else(|| g.to_string());
                    prop["value"]["group"] = json!(text);
                }
            }
        }
    }
    if let Some(ts) = o.get_mut("targets").and_then(Value::as_array_mut) {
        for t in ts {
            let t = t.as_object_mut().unwrap();
            for k in ["editorMode", "step", "datasource"] {
                t.remove(k);
            }
            for (k, none) in [("exemplar", json!(false)), ("instant", json!(false)), ("legendFormat", json!(""))] {
                if t.get(k) == Some(&none) {
                    t.remove(k);
                }
            }
            t.entry("format").or_insert(json!("time_series"));
        }
    }
    p
}

/// rfmoz's Node Exporter Full, its first two rows written in gstack
/// (`compiler/tests/panels/node-exporter-full.gstack`): the built dashboard's rows and panels
/// are the original's, in order, each equal to it on every field Grafana renders ([`rendered`]).
#[test]
fn node_exporter_full_rewritten_in_gstack_renders_as_the_original() {
    if skip_without(&[SHARED_DATA]) {
        return;
    }
    let original: Value = serde_json::from_str(&std::fs::read_to_string(shared_data().join("dashboards/rfmoz/node-exporter-full.json")).unwrap()).unwrap();
    let dir = TempDir::new("panels-nef");
    let out = dir.path().join("out");
    gstackc_build(&root().join("compiler/tests/panels/node-exporter-full.gstack"), &out, &["--target", "native"]);
    let built: Value = serde_json::from_str(&std::fs::read_to_string(out.join("native/config/grafana/dashboards/general/rYdddlPWk.json")).unwrap()).unwrap();
    // the original's first two rows: its panels up to the third row
    let all = original["panels"].as_array().unwrap();
    let third = all.iter().enumerate().filter(|(_, p)| p["type"] == "row").nth(2).unwrap().0;
    let want = &all[..third];
    let got = built["panels"].as_array().unwrap();
    assert_eq!(got.len(), want.len(), "panels: {:?}", got.iter().map(|p| &p["title"]).collect::<Vec<_>>());
    let mut compared = 0;
    for (w, g) in want.iter().zip(got) {
        assert_eq!((&g["type"], &g["title"]), (&w["type"], &w["title"]));
        if w["type"] == "row" {
            assert_eq!((&g["gridPos"], &g["collapsed"]), (&w["gridPos"], &w["collapsed"]), "row {}", w["title"]);
            continue;
        }
        let (w, g) = (rendered(w), rendered(g));
        assert_eq!(g, w, "panel {}:\ngstack:   {g}\noriginal: {w}", w["title"]);
        compared += 1;
    }
    assert_eq!(compared, 15);
    // its variables: the original's, with their labels, single-valued, no All
    let vars: Vec<(String, String, bool, bool)> = built["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().into(), v["type"].as_str().unwrap().into(), v["multi"].as_bool().unwrap_or(false), v["includeAll"].as_bool().unwrap_or(false)))
        .collect();
    let orig: Vec<(String, String, bool, bool)> = original["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().into(), v["type"].as_str().unwrap().into(), v["multi"].as_bool().unwrap_or(false), v["includeAll"].as_bool().unwrap_or(false)))
        .collect();
    assert_eq!(vars, orig);
    // each panel valid against its panel schema (not the dashboard schema: it types override
    // matcher options as objects, where Grafana writes the field's name)
    if !skip_without(&["check-jsonschema"]) {
        validate_panels(dir.path(), &panels_of(&out.join("native/config/grafana/dashboards/general/rYdddlPWk.json")));
    }
}
