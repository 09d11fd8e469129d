//! Every dashboard gstackc generates is valid against Grafana's dashboard JSON Schema
//! (v1, from grafana-foundation-sdk, in `../shared/data/grafana-jsonschema/`).

mod common;
use common::*;
use std::process::Command;

#[test]
fn generated_dashboards_match_grafanas_json_schema() {
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
