//! The systemd target: every unit passes `systemd-analyze verify`, and
//! `systemd-analyze security --offline=yes` scores each at or below 4.0 (printed), in system
//! and user mode.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;

fn build(user: bool) -> (TempDir, PathBuf) {
    let dir = TempDir::new(if user { "sd-user" } else { "sd-system" });
    // `verify` checks that each ExecStart= binary exists: real programs where installed, any
    // existing executable for the AGPL ones that are not
    let bin = |p: &str| which(p).map(|x| x.display().to_string()).unwrap_or_else(|| "/usr/bin/env".into());
    let bins: serde_json::Map<String, serde_json::Value> =
        ["grafana", "prometheus", "loki", "tempo", "alertmanager", "node_exporter"].iter().map(|p| (p.to_string(), bin(p).into())).collect();
    let overrides = dir.path().join("overrides.json");
    std::fs::write(&overrides, serde_json::json!({ "targets": { "systemd": { "user": user, "bin": bins } } }).to_string()).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "systemd", "--overrides", overrides.to_str().unwrap()]);
    (dir, out)
}

fn units(out: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out.join("systemd"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "service" || e == "target"))
        .collect();
    v.sort();
    v
}

fn check(user: bool) {
    let sa = require("systemd-analyze");
    let (_d, out) = build(user);
    let all = units(&out);
    assert_eq!(all.len(), 7, "{all:?}");
    let mode: &[&str] = if user { &["--user"] } else { &[] };
    // a user manager needs a runtime directory
    let runtime = out.join("xdg-runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let (ok, text) = run(Command::new(&sa).arg("verify").arg("--man=no").args(mode).args(&all).env("XDG_RUNTIME_DIR", &runtime));
    assert!(ok && text.trim().is_empty(), "systemd-analyze verify ({}):\n{text}", if user { "user" } else { "system" });
    for u in all.iter().filter(|u| u.extension().unwrap() == "service") {
        let (ok, text) = run(Command::new(&sa).args(["security", "--offline=yes", "--no-pager"]).args(mode).arg(u).env("XDG_RUNTIME_DIR", &runtime));
        assert!(ok, "systemd-analyze security {}:\n{text}", u.display());
        let line = text.lines().find(|l| l.contains("Overall exposure level")).unwrap_or_else(|| panic!("no score:\n{text}"));
        let score: f64 = line.split(':').nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
        println!("{} ({}): {score}", u.file_name().unwrap().to_string_lossy(), if user { "user" } else { "system" });
        assert!(score <= 4.0, "{}: exposure {score} > 4.0\n{text}", u.display());
    }
}

#[test]
fn system_units_verify_and_score_low() {
    check(false);
}

#[test]
fn user_units_verify_and_score_low() {
    check(true);
}
