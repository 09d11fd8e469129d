//! `gstackc build -o DIR` owns DIR and nothing else (issue #14): no path outside it, no
//! symlink followed, stale files of the previous build removed by its manifest, the user's
//! own files kept, and a failed build leaves the previous output as it was.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

const STACK: &str = "stack s {\n  prometheus {}\n}\n";

/// `gstackc build src -o out extra…`: (success, stderr).
fn build(src: &Path, out: &Path, extra: &[&str]) -> (bool, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("build").arg(src).arg("-o").arg(out).args(extra).output().unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn source(dir: &Path, targets: &str) -> std::path::PathBuf {
    let src = dir.join("stack.gstack");
    std::fs::write(&src, format!("{STACK}\n{targets}\n")).unwrap();
    src
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn an_output_path_outside_the_output_directory_is_refused() {
    let dir = TempDir::new("outdir-escape");
    let work = dir.path().join("a/b/c");
    std::fs::create_dir_all(&work).unwrap();
    let src = source(&work, "target helm { chart = \"../../../../escaped\" }");
    let out = work.join("out");
    let (ok, err) = build(&src, &out, &[]);
    assert!(!ok, "the build succeeded");
    assert!(err.contains("../../../../escaped"), "the error names the path:\n{err}");
    assert!(!dir.path().join("escaped").exists() && !work.join("escaped").exists(), "something was written outside -o");
    assert!(!out.exists(), "nothing at all is written");
}

#[test]
fn symlinks_in_the_output_directory_are_never_followed() {
    let dir = TempDir::new("outdir-symlink");
    let victim = dir.path().join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("ir.json"), "precious").unwrap();
    let src = source(dir.path(), "target native {}");
    let out = dir.path().join("out");
    // a symlinked directory where the build writes: refused, not followed
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("native")).unwrap();
    let (ok, err) = build(&src, &out, &[]);
    assert!(!ok, "the build wrote through a symlinked directory");
    assert!(err.contains("native") && err.contains("symlink"), "the error names the symlink:\n{err}");
    assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 1, "nothing was written into the symlink's target");
    assert!(out.join("native").symlink_metadata().unwrap().file_type().is_symlink(), "the user's symlink stays");
    std::fs::remove_file(out.join("native")).unwrap();
    // a generated file replaced by a symlink: the next build replaces the link, not its target
    let (ok, err) = build(&src, &out, &[]);
    assert!(ok, "{err}");
    std::fs::remove_file(out.join("ir.json")).unwrap();
    std::os::unix::fs::symlink(victim.join("ir.json"), out.join("ir.json")).unwrap();
    let (ok, err) = build(&src, &out, &[]);
    assert!(ok, "{err}");
    assert_eq!(read(&victim.join("ir.json")), "precious", "the build wrote through a symlink");
    assert!(!out.join("ir.json").symlink_metadata().unwrap().file_type().is_symlink());
    assert!(read(&out.join("ir.json")).contains("\"name\""));
}

#[test]
fn stale_files_go_and_the_users_files_stay() {
    let dir = TempDir::new("outdir-stale");
    let src = source(dir.path(), "target native {}\ntarget compose {}");
    let out = dir.path().join("out");
    let (ok, err) = build(&src, &out, &[]);
    assert!(ok, "{err}");
    assert!(out.join("compose").is_dir() && out.join("native/run").is_file());
    let manifest = read(&out.join(".gstack-manifest"));
    assert!(manifest.lines().any(|l| l == "native/run") && manifest.lines().any(|l| l == "ir.json"), "{manifest}");
    // the user's files, at the top, inside a generated directory, and a whole directory
    std::fs::write(out.join("README.mine"), "mine").unwrap();
    std::fs::write(out.join("compose/notes.txt"), "mine too").unwrap();
    std::fs::create_dir_all(out.join("extra/deep")).unwrap();
    std::fs::write(out.join("extra/deep/x"), "x").unwrap();
    let (ok, err) = build(&src, &out, &["--target", "native"]);
    assert!(ok, "{err}");
    assert!(out.join("native/run").is_file());
    let left: Vec<String> = walk(&out.join("compose"));
    assert_eq!(left, vec!["notes.txt".to_string()], "stale compose files are gone, the user's note stays");
    assert_eq!(read(&out.join("README.mine")), "mine");
    assert_eq!(read(&out.join("extra/deep/x")), "x");
    assert!(!read(&out.join(".gstack-manifest")).contains("compose/"), "the manifest lists this build only");
    // no temporary directories are left next to the output
    let siblings: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(siblings.iter().all(|s| !s.contains("gstack-new")), "{siblings:?}");
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let dir = TempDir::new("outdir-failed");
    let src = source(dir.path(), "target native {}");
    let out = dir.path().join("out");
    let (ok, err) = build(&src, &out, &[]);
    assert!(ok, "{err}");
    let before = snapshot(&out);
    // a file of the user's where the next build writes: refused before anything changes
    std::fs::write(out.join("compose"), "mine").unwrap();
    std::fs::write(&src, format!("{STACK}\ntarget native {{}}\ntarget compose {{}}\n")).unwrap();
    let (ok, err) = build(&src, &out, &[]);
    assert!(!ok, "the build replaced a file it did not write");
    assert!(err.contains("compose"), "the error names the file:\n{err}");
    std::fs::remove_file(out.join("compose")).unwrap();
    assert_eq!(snapshot(&out), before, "the previous output changed");
    // a path outside -o: refused, the previous output stays
    std::fs::write(&src, format!("{STACK}\ntarget helm {{ chart = \"../../x\" }}\n")).unwrap();
    let (ok, err) = build(&src, &out, &[]);
    assert!(!ok && err.contains("../../x"), "{err}");
    assert_eq!(snapshot(&out), before, "the previous output changed");
}

/// Relative paths of every file under `dir`, sorted.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// Every file under `dir` with its content.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    walk(dir).into_iter().map(|p| (p.clone(), read(&dir.join(&p)))).collect()
}
