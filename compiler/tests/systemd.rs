//! The systemd target: every unit passes `systemd-analyze verify`, and
//! `systemd-analyze security --offline=yes` scores each at or below 2.0 in system mode and
//! 4.0 in user mode (printed; a user's units cannot have `DynamicUser=`, and node-exporter
//! scores 2.4 there); and what a real systemd run found, checked on the unit text.

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
        let max = if user { 4.0 } else { 2.0 };
        assert!(score <= max, "{}: exposure {score} > {max}\n{text}", u.display());
    }
}

#[test]
fn system_units_verify_and_score_low() {
    if skip_without(&["systemd-analyze"]) {
        return;
    }
    check(false);
}

#[test]
fn user_units_verify_and_score_low() {
    if skip_without(&["systemd-analyze"]) {
        return;
    }
    check(true);
}

/// The `key=value` lines of a unit file's settings, in order.
fn settings(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('['))
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

/// Every service unit of both modes: (mode, file name, text, settings).
fn each_unit(mut f: impl FnMut(bool, &str, &str, &[(String, String)])) {
    for user in [false, true] {
        let (_d, out) = build(user);
        for u in units(&out).iter().filter(|u| u.extension().unwrap() == "service") {
            let name = u.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(u).unwrap();
            f(user, &name, &text, &settings(&text));
        }
    }
}

fn all<'a>(set: &'a [(String, String)], k: &str) -> Vec<&'a str> {
    set.iter().filter(|(x, _)| x == k).map(|(_, v)| v.as_str()).collect()
}

// What a real systemd run showed (compiler/tests/systemd_live.rs), checked on the text of
// every unit in both modes.

/// The units run only `/bin/sh` (on every system, NixOS included) and commands found like the
/// programs are: no `/bin/cp` or `/bin/bash` (NixOS has neither), and their shell commands use
/// built-ins only (a unit's PATH may lack coreutils).
#[test]
fn units_run_only_what_every_system_has() {
    each_unit(|_, name, _, set| {
        // (`ExecStart=` runs the program `bin` names: here, where it is installed)
        for (k, v) in set.iter().filter(|(k, _)| k.starts_with("Exec") && k != "ExecStart") {
            let cmd = v.trim_start_matches(['-', '+', '@', ':', '!']);
            let first = cmd.split_whitespace().next().unwrap();
            assert!(!first.starts_with('/') || first == "/bin/sh", "{name}: {k}= runs {first}, which not every system has");
            for external in ["cp ", "mkdir ", "seq ", "head ", "grep ", "sleep ", "cat "] {
                assert!(!cmd.contains(external), "{name}: {k}= runs `{}`, which a unit's PATH may lack: {cmd}", external.trim());
            }
        }
    });
}

/// The working directory is one systemd creates (`RuntimeDirectory=`) before the first
/// command: it was the target of the `cp` that ran in it, and every unit failed at CHDIR.
#[test]
fn working_directory_exists_before_the_first_command() {
    each_unit(|_, name, _, set| {
        let runtime: Vec<&str> = all(set, "RuntimeDirectory").iter().flat_map(|v| v.split_whitespace()).collect();
        let wd = all(set, "WorkingDirectory");
        let wd = wd[0].strip_prefix("%t/").unwrap_or_else(|| panic!("{name}: working directory {wd:?} outside %t"));
        assert!(runtime.contains(&wd), "{name}: WorkingDirectory=%t/{wd} is not created by RuntimeDirectory={runtime:?}");
    });
}

/// node-exporter has no config directory, and the unit refers to none; it measures the
/// machine, so it sees all of /proc (`ProcSubset=pid` hid meminfo, stat, net/…) and may read
/// the clock's state (`adjtimex`, which killed it with SIGSYS).
#[test]
fn node_exporter_unit_has_no_config_dir_and_sees_the_host() {
    let mut seen = 0;
    each_unit(|_, name, text, set| {
        if name.contains("node-exporter") {
            seen += 1;
            assert!(!text.contains("gstack/shop/node_exporter"), "{name} refers to a config directory node_exporter does not have:\n{text}");
            assert!(all(set, "ProcSubset").is_empty(), "{name}: node_exporter reads the host's /proc");
            assert!(all(set, "SystemCallFilter").contains(&"adjtimex"), "{name}: node_exporter's timex collector calls adjtimex");
        }
    });
    assert_eq!(seen, 2);
}

/// A program's data is in a directory systemd creates and owns (`StateDirectory=`) under the
/// data root the unit names.
#[test]
fn data_is_in_state_directories() {
    each_unit(|user, name, text, set| {
        let data = all(set, "Environment").into_iter().find_map(|e| e.strip_prefix("GSTACK_DATA=")).unwrap();
        if text.contains("${GSTACK_DATA}") {
            let state = all(set, "StateDirectory");
            assert!(!state.is_empty(), "{name} keeps data in {data} and has no StateDirectory=");
            let base = if user { "%S/" } else { "/var/lib/" };
            let root = data.strip_prefix(base).unwrap_or_else(|| panic!("{name}: data {data} not under {base}"));
            for d in state.iter().flat_map(|v| v.split_whitespace()) {
                assert!(d.starts_with(&format!("{root}/")), "{name}: state {d} not under {data}");
            }
        }
    });
}

/// With the programs and shells given as store paths (as the NixOS module gives them), no
/// unit runs `/bin/bash` or `/bin/sh`, and Grafana's home is the `share/grafana` of the
/// package its binary is in, not the distributions' `/usr/share/grafana` (NixOS has none).
#[test]
fn store_paths_give_the_shells_and_grafanas_home() {
    let dir = TempDir::new("sd-store");
    let store = |p: &str| format!("/nix/store/00000000000000000000000000000000-{p}/bin/{p}");
    let mut bins: serde_json::Map<String, serde_json::Value> =
        ["grafana", "prometheus", "loki", "tempo", "alertmanager", "node_exporter", "bash"].iter().map(|p| (p.to_string(), store(p).into())).collect();
    bins.insert("sh".into(), "/nix/store/00000000000000000000000000000000-bash/bin/sh".into());
    let overrides = dir.path().join("overrides.json");
    std::fs::write(&overrides, serde_json::json!({ "targets": { "systemd": { "user": false, "bin": bins } } }).to_string()).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "systemd", "--overrides", overrides.to_str().unwrap()]);
    let mut homes = 0;
    let mut pre = 0;
    for u in units(&out).iter().filter(|u| u.extension().unwrap() == "service") {
        let name = u.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(u).unwrap();
        assert!(!text.contains("/usr/share/grafana"), "{name} names /usr/share/grafana:\n{text}");
        for (k, v) in settings(&text).iter().filter(|(k, _)| k.starts_with("Exec")) {
            assert!(v.starts_with("/nix/store/"), "{name}: {k}={v} is not a store path");
            pre += usize::from(k == "ExecStartPre");
        }
        if name.contains("grafana") {
            homes += 1;
            let want = "GSTACK_GRAFANA_HOME=/nix/store/00000000000000000000000000000000-grafana/share/grafana";
            assert!(all(&settings(&text), "Environment").contains(&want), "{name}: no {want}:\n{text}");
        }
    }
    assert_eq!(homes, 1);
    assert!(pre > 0, "the example has an environment secret, whose ExecStartPre= runs bin.sh");
    // without an absolute path, the home stays where distributions keep it
    std::fs::write(&overrides, r#"{"targets":{"systemd":{"user":false,"bin":{"grafana":"grafana"}}}}"#).unwrap();
    let out = dir.path().join("relative");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "systemd", "--overrides", overrides.to_str().unwrap()]);
    let text = std::fs::read_to_string(out.join("systemd/gstack-shop-grafana.service")).unwrap();
    assert!(all(&settings(&text), "Environment").contains(&"GSTACK_GRAFANA_HOME=/usr/share/grafana"), "{text}");
}
