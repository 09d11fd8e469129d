//! `gstackc build -o OUT` over a previous build in OUT: a change to a field the Kubernetes API
//! server will not change on an existing workload (a StatefulSet's claim templates, a
//! selector) is a warning, W0604, at the source field behind it, naming the object and the old
//! and new value, with the migration; the new files are still written. An unchanged rebuild
//! and a previous output that does not parse give none.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of the bundled example (its directory, for the files it reads), and its path.
fn example(dir: &TempDir) -> PathBuf {
    let src = dir.path().join("src");
    let (ok, text) = run(Command::new("cp").arg("-r").arg(root().join("examples")).arg(&src));
    assert!(ok, "cp examples: {text}");
    src.join("default.gstack")
}

/// Replace the one occurrence of `old` in `file` by `new`.
fn edit(file: &Path, old: &str, new: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(text.matches(old).count(), 1, "{} no longer has `{old}` once", file.display());
    std::fs::write(file, text.replacen(old, new, 1)).unwrap();
}

/// `gstackc build FILE -o OUT --target kubernetes --message-format json`, which must succeed:
/// its diagnostics of code W0604, and stderr.
fn build(file: &Path, out: &Path) -> (Vec<Value>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .arg("build")
        .arg(file)
        .arg("-o")
        .arg(out)
        .args(["--target", "kubernetes", "--message-format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "gstackc build failed:\n{stderr}");
    let diags: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", String::from_utf8_lossy(&o.stdout)));
    (diags.as_array().unwrap().iter().filter(|d| d["code"] == "W0604").cloned().collect(), stderr)
}

/// The source text a diagnostic's primary span covers.
fn spanned(d: &Value) -> String {
    let loc = &d["location"];
    let text = std::fs::read_to_string(loc["file"].as_str().unwrap()).unwrap();
    text[loc["span"]["start"].as_u64().unwrap() as usize..loc["span"]["end"].as_u64().unwrap() as usize].to_string()
}

fn messages(ds: &[Value]) -> Vec<String> {
    ds.iter().map(|d| d["message"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_changed_volume_size_warns_with_the_migration() {
    let dir = TempDir::new("upgrade-size");
    let file = example(&dir);
    let out = dir.path().join("out");
    let (first, _) = build(&file, &out);
    assert!(first.is_empty(), "a first build has nothing to compare with: {first:?}");
    let (same, _) = build(&file, &out);
    assert!(same.is_empty(), "an unchanged rebuild warns: {:?}", messages(&same));

    edit(&file, "storage = 50GiB", "storage = 80GiB");
    let (ds, _) = build(&file, &out);
    assert_eq!(messages(&ds), ["StatefulSet observability/prometheus: volumeClaimTemplates[data] storage 50Gi → 80Gi"]);
    let d = &ds[0];
    assert_eq!(d["severity"], "warning");
    assert_eq!(spanned(d), "80GiB", "the span is the storage field's value");
    assert_eq!(Path::new(d["location"]["file"].as_str().unwrap()), file);
    let hint = d["hint"].as_str().unwrap();
    for want in [
        r#"kubectl -n observability patch pvc data-prometheus-0 -p '{"spec":{"resources":{"requests":{"storage":"80Gi"}}}}'"#,
        "kubectl -n observability delete statefulset prometheus --cascade=orphan",
        "kubectl apply --server-side -k",
        "allows expansion",
    ] {
        assert!(hint.contains(want), "the hint lacks `{want}`:\n{hint}");
    }
    // the files are written all the same: right for a fresh install
    let sts = std::fs::read_to_string(out.join("kubernetes/prometheus.yaml")).unwrap();
    assert!(sts.contains("storage: 80Gi"), "{sts}");
    // compared with what the last build wrote: once written, no warning
    let (again, _) = build(&file, &out);
    assert!(again.is_empty(), "{:?}", messages(&again));

    // a claim cannot shrink
    edit(&file, "storage = 80GiB", "storage = 20GiB");
    let (ds, stderr) = build(&file, &out);
    assert_eq!(messages(&ds), ["StatefulSet observability/prometheus: volumeClaimTemplates[data] storage 80Gi → 20Gi"]);
    assert!(ds[0]["hint"].as_str().unwrap().contains("cannot shrink"), "{}", ds[0]["hint"]);
    assert!(!ds[0]["hint"].as_str().unwrap().contains("patch pvc"), "{}", ds[0]["hint"]);
    assert!(stderr.contains("wrote "), "{stderr}");
    // the same size written another way is no change (quantities compare by value)
    edit(&file, "storage = 20GiB", "storage = 20480MiB");
    let (ds, _) = build(&file, &out);
    assert!(ds.is_empty(), "{:?}", messages(&ds));
}

/// The default human rendering shows the warning at the field, and the build still succeeds.
#[test]
fn the_warning_is_rendered_at_the_storage_field() {
    let dir = TempDir::new("upgrade-human");
    let file = example(&dir);
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "kubernetes"]);
    edit(&file, "storage = 50GiB", "storage = 60GiB");
    let o =
        Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("build").arg(&file).arg("-o").arg(&out).args(["--target", "kubernetes"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    for want in [
        "[W0604] Warning",
        "StatefulSet observability/prometheus: volumeClaimTemplates[data] storage 50Gi → 60Gi",
        "storage = 60GiB",
        "--cascade=orphan",
        "0 errors, 1 warning",
    ] {
        assert!(err.contains(want), "stderr lacks `{want}`:\n{err}");
    }
}

#[test]
fn a_changed_storage_class_or_selector_warns_at_its_field() {
    let dir = TempDir::new("upgrade-class");
    let file = example(&dir);
    let out = dir.path().join("out");
    build(&file, &out);
    edit(&file, "namespace = \"observability\"", "namespace = \"observability\"\n  storage_class = \"fast-ssd\"");
    let (ds, _) = build(&file, &out);
    let sts = ["alertmanager", "grafana", "loki", "prometheus", "tempo"];
    let mut want: Vec<String> = sts
        .iter()
        .map(|s| format!("StatefulSet observability/{s}: volumeClaimTemplates[data] storageClassName (the default class) → fast-ssd"))
        .collect();
    let mut got = messages(&ds);
    want.sort();
    got.sort();
    assert_eq!(got, want);
    for d in &ds {
        assert_eq!(spanned(d), "\"fast-ssd\"", "{}", d["message"]);
        assert!(d["hint"].as_str().unwrap().contains("keeps its class"), "{}", d["hint"]);
    }
    // the stack's name is in every selector
    edit(&file, "stack shop", "stack store");
    let (ds, _) = build(&file, &out);
    let got = messages(&ds);
    assert_eq!(got.len(), 6, "every workload's selector: {got:?}");
    assert!(got.iter().any(|m| m
        == "DaemonSet observability/node-exporter: selector {app.kubernetes.io/instance=shop,app.kubernetes.io/name=node-exporter} → {app.kubernetes.io/instance=store,app.kubernetes.io/name=node-exporter}"));
    for d in &ds {
        assert_eq!(spanned(d), "store", "{}", d["message"]);
        let hint = d["hint"].as_str().unwrap();
        assert!(hint.contains("delete ") && !hint.contains("--cascade=orphan"), "a selector change needs the pods replaced: {hint}");
    }
}

/// A previous output that does not parse (truncated, garbage, not UTF-8) is skipped, never a
/// failure; a symlink there is not followed, and files the previous build did not write are
/// never read.
#[test]
fn a_malformed_previous_output_is_ignored() {
    let dir = TempDir::new("upgrade-malformed");
    let file = example(&dir);
    let out = dir.path().join("out");
    build(&file, &out);
    let k = out.join("kubernetes");
    let prom = std::fs::read_to_string(k.join("prometheus.yaml")).unwrap();
    std::fs::write(k.join("prometheus.yaml"), &prom[..prom.find("volumeClaimTemplates").unwrap() + 25]).unwrap();
    std::fs::write(k.join("loki.yaml"), "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: [loki\n---\n: : :\n").unwrap();
    std::fs::write(k.join("tempo.yaml"), b"---\napiVersion: apps/v1\nkind: StatefulSet\n\xff\xfe\x00").unwrap();
    // a link to a file outside that would differ, were it followed
    let grafana = std::fs::read_to_string(k.join("grafana.yaml")).unwrap();
    assert!(grafana.contains("storage: 10Gi"), "{grafana}");
    let elsewhere = dir.path().join("elsewhere.yaml");
    std::fs::write(&elsewhere, grafana.replace("storage: 10Gi", "storage: 1Gi")).unwrap();
    std::fs::remove_file(k.join("grafana.yaml")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, k.join("grafana.yaml")).unwrap();
    edit(&file, "storage = 50GiB", "storage = 60GiB");
    let (ds, stderr) = build(&file, &out);
    assert!(ds.is_empty(), "nothing to compare in the broken files: {:?}", messages(&ds));
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(std::fs::read_to_string(&elsewhere).unwrap().contains("storage: 1Gi"), "the file outside was written");
    // a user's file beside them, in the previous build's form, is not the previous build's
    edit(&file, "storage = 60GiB", "storage = 70GiB");
    std::fs::write(k.join("mine.yaml"), prom.replace("storage: 50Gi", "storage: 1Gi")).unwrap();
    let (ds, _) = build(&file, &out);
    assert_eq!(messages(&ds), ["StatefulSet observability/prometheus: volumeClaimTemplates[data] storage 60Gi → 70Gi"]);
}
