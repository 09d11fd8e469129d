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
