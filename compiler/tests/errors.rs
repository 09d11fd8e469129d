//! The error corpus: every top-level `tests/errors/*.gstack` (at the workspace root) is one
//! bad input whose first line names the diagnostic codes it must produce:
//!
//! ```text
//! // expect: E0200[, E0203]
//! ```
//!
//! For each case the checker must not panic, must produce exactly that set of codes, every
//! diagnostic must point at a real place in its file, and the rendered diagnostics are an
//! insta snapshot (`compiler/tests/snapshots/errors__<name>.snap`). Files in subfolders
//! (`tests/errors/cycle/…`) are helpers imported by cases, not cases themselves.

use gstack::db::Database;
use gstack::diag::Diagnostic;
use gstack::sema::check::check_stack;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The workspace root (`compiler/..`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("compiler/ has a parent").to_path_buf()
}

/// Every case: (name, path relative to the workspace root), sorted by name.
fn cases() -> Vec<(String, PathBuf)> {
    let dir = workspace().join("tests/errors");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "gstack"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            (name.clone(), PathBuf::from("tests/errors").join(format!("{name}.gstack")))
        })
        .collect();
    out.sort();
    out
}

/// The codes named by the `// expect:` first line.
fn expected_codes(name: &str, text: &str) -> BTreeSet<String> {
    let first = text.lines().next().unwrap_or_default();
    let Some(list) = first.strip_prefix("// expect:") else {
        panic!("{name}: the first line must be `// expect: E0xxx[, E0yyy]`, found {first:?}");
    };
    let codes: BTreeSet<String> = list.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    assert!(!codes.is_empty(), "{name}: `// expect:` names no code");
    for c in &codes {
        assert!(
            c.len() == 5 && (c.starts_with('E') || c.starts_with('W')) && c[1..].chars().all(|d| d.is_ascii_digit()),
            "{name}: `{c}` is not a diagnostic code"
        );
    }
    codes
}

/// Every location of a diagnostic (primary and related) must lie inside its file, and be
/// either a non-empty span or the zero span `0..0` (used for whole-file problems).
fn check_locations(name: &str, d: &Diagnostic, db: &Database) {
    let Some(loc) = &d.location else {
        panic!("{name}: {} `{}` has no location", d.code, d.message);
    };
    let mut all = vec![(&loc.file, loc.span, "primary")];
    all.extend(d.related.iter().map(|r| (&r.location.file, r.location.span, "related")));
    for (file, span, what) in all {
        let text = db
            .source_text(file)
            .unwrap_or_else(|| panic!("{name}: {} points into {} which has no text", d.code, file.display()));
        assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "{name}: {} `{}`: {what} span {}..{} is outside {} ({} bytes)",
            d.code,
            d.message,
            span.start,
            span.end,
            file.display(),
            text.len()
        );
        assert!(
            span.start < span.end || (span.start == 0 && span.end == 0),
            "{name}: {} `{}`: {what} span {}..{} in {} is empty",
            d.code,
            d.message,
            span.start,
            span.end,
            file.display()
        );
        assert!(
            text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
            "{name}: {} `{}`: {what} span {}..{} splits a character",
            d.code,
            d.message,
            span.start,
            span.end
        );
    }
}

/// Check one case; returns the rendered diagnostics.
fn run_case(name: &str, rel: &Path) -> String {
    let text = std::fs::read_to_string(workspace().join(rel)).unwrap_or_else(|e| panic!("{name}: cannot read: {e}"));
    let expected = expected_codes(name, &text);

    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut db = Database::default();
        let root = db.set_file(rel, text.clone());
        let diags = check_stack(&db, root).diagnostics.clone();
        (db, diags)
    }));
    let (db, diags) = match outcome {
        Ok(x) => x,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{name}: the checker panicked: {msg}");
        }
    };

    let found: BTreeSet<String> = diags.iter().map(|d| d.code.to_string()).collect();
    let rendered = gstack::diag::render(&diags, &|p| db.source_text(p), false);
    assert_eq!(found, expected, "{name}: diagnostic codes differ from `// expect:`\n{rendered}");
    for d in &diags {
        check_locations(name, d, &db);
    }
    rendered
}

#[test]
fn error_corpus() {
    // Imports inside cases are read from disk relative to the importing file's (relative)
    // path, so run from the workspace root; every test in this binary sets the same directory.
    std::env::set_current_dir(workspace()).expect("chdir to the workspace root");
    let cases = cases();
    assert!(cases.len() >= 40, "the error corpus has only {} cases", cases.len());
    for (name, rel) in &cases {
        let rendered = run_case(name, rel);
        insta::with_settings!({ description => format!("tests/errors/{name}.gstack"), omit_expression => true }, {
            insta::assert_snapshot!(name.as_str(), rendered);
        });
    }
}
