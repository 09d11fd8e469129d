//! Unit tests of the editor features on in-memory files (the language server's protocol tests
//! in `lsp/tests/` cover them end to end): API-level tests here, and fixture tests (a source
//! with a `$0` cursor → the feature's answer as an inline snapshot) in `tests/*_fixtures.rs`,
//! on the harness of `tests/fixture.rs`.

mod completion_fixtures;
mod fixture;
mod hover_fixtures;
mod navigation_fixtures;
mod outline_fixtures;
mod robustness;

use super::index::{file_index, DefKind, Target};
use super::*;
use crate::db::Database;
use std::path::Path;

fn db_with(files: &[(&str, &str)]) -> (Database, Vec<SourceFile>) {
    let mut db = Database::default();
    let fs = files.iter().map(|(p, t)| db.set_file(Path::new(p), t.to_string())).collect();
    (db, fs)
}

/// The definition kind a reference at the `nth` `needle` resolves to (`None`: nothing).
fn resolves(db: &Database, f: SourceFile, needle: &str, nth: usize) -> Option<(DefKind, u32)> {
    let text = f.text(db);
    let off = text.match_indices(needle).nth(nth).unwrap().0 as u32;
    let (_, targets) = at(db, f, off, &[f])?;
    match targets.first()? {
        Resolved::Def(id) => Some((id.def(db).kind, id.def(db).span.start)),
        _ => None,
    }
}

#[test]
fn names_resolve_like_the_evaluator_looks_them_up() {
    let src = "let a = b\nlet b = 1\nfn f(x: string) = x + y\nlet x = 2\nlet y = 3\ndashboard d { row \"r\" { for s in [\"a\"] { stat s { unit = s } } } }\n";
    let (db, fs) = db_with(&[("/t/a.gstack", src)]);
    let f = fs[0];
    // a `let` is visible after its definition only …
    assert_eq!(resolves(&db, f, "b", 0), None, "`b` is used before it is defined");
    // … except in a function body, evaluated when called
    assert_eq!(resolves(&db, f, "y", 0).map(|r| r.0), Some(DefKind::Let));
    // a parameter shadows the top-level `x`
    let (kind, at) = resolves(&db, f, "x", 1).unwrap();
    assert_eq!((kind, at as usize), (DefKind::Param, src.find("x: string").unwrap()));
    // a `for` variable
    assert_eq!(resolves(&db, f, "s }", 0).map(|r| r.0), Some(DefKind::ForVar));
    let idx = file_index(&db, f);
    assert!(idx.refs.iter().any(|r| r.name == "b" && r.target == Target::Sym));
}

#[test]
fn members_resolve_into_the_imported_file() {
    let (db, fs) = db_with(&[
        ("/t/lib.gstack", "/// Services.\nlet services = [\"a\"]\n"),
        ("/t/main.gstack", "import \"./lib.gstack\" as lib\nlet n = len(lib.services)\n"),
    ]);
    let (lib, main) = (fs[0], fs[1]);
    let off = main.text(&db).find("services").unwrap() as u32;
    let (_, t) = at(&db, main, off, &[main, lib]).unwrap();
    let Resolved::Def(id) = t[0] else { panic!("{t:?}") };
    assert_eq!(id.file, lib);
    assert_eq!(id.def(&db).name, "services");
    let refs = references_to(&db, id, &[main, lib], &[main, lib]);
    assert_eq!(refs.len(), 1);
    let h = hover::hover(&db, main, off, &[main, lib]).unwrap();
    assert!(h.markdown.contains("let services") && h.markdown.contains("Services.") && h.markdown.contains("list of 1 item"), "{}", h.markdown);
}

#[test]
fn rename_renames_a_parameter_only_in_its_function() {
    let src = "fn f(x: string) = x\nfn g(x: string) = x\nlet v = f(\"a\") + g(\"b\")\n";
    let (db, fs) = db_with(&[("/t/r.gstack", src)]);
    let off = src.find("x: string").unwrap() as u32;
    let edits = rename::rename(&db, fs[0], off, "name", &fs, &fs).unwrap();
    assert_eq!(edits.iter().map(|e| e.span.start as usize).collect::<Vec<_>>(), vec![src.find("x: string").unwrap(), src.find("= x").unwrap() + 2]);
    assert!(rename::rename(&db, fs[0], off, "fn", &fs, &fs).is_err(), "a keyword is no name");
}

#[test]
fn doc_comments_right_above_a_line() {
    let text = "/// Module doc.\n\n/// First.\n/// Second.\nlet x = 1\n// plain\nlet y = 2\n";
    assert_eq!(doc_above(text, text.find("x = 1").unwrap() as u32).as_deref(), Some("First.\nSecond."));
    assert_eq!(doc_above(text, text.find("y = 2").unwrap() as u32), None);
    assert_eq!(module_doc(text).as_deref(), Some("Module doc."));
}

#[test]
fn semantic_tokens_are_sorted_single_line_and_disjoint() {
    let src = "/// doc\nlet q = promql`sum(\n  rate(x[5m])\n)`\nlet s = \"a ${q} é\"\nstack s { prometheus { retention = 15d } }\n";
    let (db, fs) = db_with(&[("/t/s.gstack", src)]);
    let toks = semantic_tokens::semantic_tokens(&db, fs[0]);
    assert!(!toks.is_empty());
    for w in toks.windows(2) {
        assert!(w[0].span.end <= w[1].span.start, "{w:?}");
    }
    for t in &toks {
        assert!(!src[t.span.range()].contains('\n'), "{t:?}");
    }
}

#[test]
fn completion_knows_the_block_it_is_in_while_the_line_is_broken() {
    let cases: &[(&str, &str)] = &[
        ("stack s {\n  prometheus {\n    scrape app {\n      ‸\n", "metrics_path"),
        ("fn p(t: string) = timeseries \"${t}\" {\n  ‸\n}\n", "legend"),
        ("dashboard d {\n  row \"r\" {\n    if true {\n      ‸\n    }\n  }\n}\n", "timeseries"),
        ("dashboard d {\n  row \"r\" {\n    for x in [1] { stat \"s\" {} } else {\n      ‸\n", "collapsed"),
        ("alert A { severity = cr‸ }", "critical"),
        ("stack s { grafana { admin = { password = ‸ } } }", "secret.file(\"…\")"),
    ];
    for (i, (src, want)) in cases.iter().enumerate() {
        let off = src.find('‸').unwrap();
        let text = src.replacen('‸', "", 1);
        let (db, fs) = db_with(&[(&format!("/t/c{i}.gstack"), &text)]);
        let c = completion::completion(&db, fs[0], off as u32, &fs);
        assert!(c.items.iter().any(|it| it.label == *want), "case {i}: {want:?} not in {:?}", c.items.iter().map(|it| &it.label).collect::<Vec<_>>());
    }
}

/// `document_symbols` is linear in the file's blocks (issue #14: 31 s at 20,000 dashboards,
/// a scan of every block per symbol). Eight times the dashboards must cost well under the
/// 64× a quadratic outline takes: the best of seven runs of each size, the two sizes run in
/// turn (so a burst of load on a busy machine falls on both), ratio below 32. The index and
/// the parse are computed before timing, so only the outline is measured.
#[test]
fn document_symbols_grow_linearly() {
    fn file(n: usize) -> String {
        let mut s = String::from("fn p(t: string) = stat \"${t}\" { query = promql`up` }\n");
        for i in 0..n {
            s.push_str(&format!("dashboard d{i} {{\n  row \"r\" {{\n    stat \"a\" {{ query = promql`up` }}\n    stat \"b\" {{ query = promql`up` }}\n  }}\n}}\nalert A{i} {{ expr = promql`up == 0` }}\n"));
        }
        s
    }
    let prepared = |n: usize| {
        let (db, fs) = db_with(&[("/t/big.gstack", &file(n))]);
        let blocks = file_index(&db, fs[0]).blocks.len();
        assert!(blocks >= 4 * n, "{blocks} blocks for {n} dashboards");
        let syms = document_symbols::document_symbols(&db, fs[0]);
        assert_eq!(syms.len(), 2 * n + 1);
        assert_eq!(syms[0].children.len(), 1, "the function's panel");
        assert_eq!(syms[1].children[0].children.len(), 2, "the row's panels");
        (db, fs[0])
    };
    let (small_db, small_f) = prepared(500);
    let (large_db, large_f) = prepared(4000);
    let time = |db: &Database, f: SourceFile| {
        let t = std::time::Instant::now();
        std::hint::black_box(document_symbols::document_symbols(db, f));
        t.elapsed().as_secs_f64()
    };
    let (mut small, mut large) = (f64::MAX, f64::MAX);
    for _ in 0..7 {
        small = small.min(time(&small_db, small_f));
        large = large.min(time(&large_db, large_f));
    }
    // linear is 8 (plus cache effects), quadratic 64
    assert!(large / small < 32.0, "500 dashboards: {small:.4} s, 4,000: {large:.4} s (ratio {:.1})", large / small);
}
