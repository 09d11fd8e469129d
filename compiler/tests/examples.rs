//! The bundled example stack checks cleanly and lowers to a stable IR; the JSON form of
//! diagnostics (`--message-format json`) is stable too.
//!
//! Files are registered under paths relative to the workspace root (and the test runs from
//! there, so imports resolve), which keeps machine-specific paths out of the snapshots.

use gstack::db::Database;
use gstack::sema::check::check_stack;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("compiler/ has a parent").to_path_buf()
}

/// A database holding `rel` (relative to the workspace root), read without depending on the
/// current directory.
fn load(rel: &str) -> (Database, gstack::db::SourceFile) {
    std::env::set_current_dir(workspace()).expect("chdir to the workspace root");
    let text = std::fs::read_to_string(workspace().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));
    let mut db = Database::default();
    let root = db.set_file(Path::new(rel), text);
    (db, root)
}

#[test]
fn default_example_checks_cleanly() {
    let (db, root) = load("examples/default.gstack");
    let checked = check_stack(&db, root);
    let rendered = gstack::diag::render(&checked.diagnostics, &|p| db.source_text(p), false);
    assert!(checked.diagnostics.is_empty(), "examples/default.gstack has diagnostics:\n{rendered}");
    let stack = checked.stack.as_ref().expect("examples/default.gstack declares a stack");
    let ir = serde_json::to_string_pretty(stack).expect("the IR serialises");
    assert!(!ir.contains(&workspace().display().to_string()), "the IR holds an absolute path");
    insta::assert_snapshot!("default_ir", ir);
}

#[test]
fn diagnostics_as_json() {
    let (db, root) = load("tests/errors/several_errors.gstack");
    let checked = check_stack(&db, root);
    let json = gstack::diag::to_json(&checked.diagnostics, &|p| db.source_text(p));
    assert_eq!(json.as_array().map(Vec::len), Some(3), "{json:#}");
    insta::assert_json_snapshot!("several_errors_json", json);
}

/// `sema::check::warm` (the per-file queries on several threads, then the merge) gives exactly
/// what a single-threaded `check_stack` gives, on the example and on every case of the error
/// corpus (multi-file ones included).
#[test]
fn parallel_warm_up_changes_nothing() {
    let mut roots = vec!["examples/default.gstack".to_string()];
    for e in std::fs::read_dir(workspace().join("tests/errors")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "gstack") {
            roots.push(format!("tests/errors/{}", p.file_name().unwrap().to_string_lossy()));
        }
    }
    roots.sort();
    assert!(roots.len() > 50, "the error corpus is missing");
    for rel in roots {
        let (db1, root1) = load(&rel);
        let one = check_stack(&db1, root1);
        let (db2, root2) = load(&rel);
        gstack::sema::check::warm(&db2, root2, 4);
        let two = check_stack(&db2, root2);
        assert_eq!(one.diagnostics, two.diagnostics, "{rel}: diagnostics differ after a parallel warm-up");
        let ir = |c: &gstack::sema::check::Checked| c.stack.as_ref().map(|s| serde_json::to_string(s).unwrap());
        assert_eq!(ir(one), ir(two), "{rel}: IR differs after a parallel warm-up");
        assert_eq!(one.files.len(), two.files.len(), "{rel}: a file was loaded twice");
    }
}
