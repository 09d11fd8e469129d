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
