//! Every feature at every byte offset of a few awkward texts (multi-byte characters, broken
//! syntax, unclosed strings and queries, `\r\n`), and past the end: no panic, and every span
//! returned lies inside its file on character boundaries.

use super::fixture::Fixture;
use crate::db::Db;
use crate::ide::{completion, diagnostics, document_symbols, goto_definition, hover, inlay_hints, references, rename, semantic_tokens};
use crate::syntax::Span;
use std::path::Path;

const TEXTS: &[&str] = &[
    "/// é doc\nlet s = \"a ${x} é\"\nlet x = 1\nstack s { prometheus { retention = 15d } }\n",
    "stack s {\r\n  loki { retention = 7d }\r\n}\r\ndashboard d { logs \"é\" { query = logql`{a=\"b\"} |= \"😀\"` } }\r\n",
    "import std.panels\ndashboard d { row \"r\" { panels.rate_by(\"é\", \"m\", ",
    "fn f(x: string) = \"${x\nlet y = promql`sum(\nstack { grafana { admin = { password = ",
    "alert A { severity = cr",
    "let a = [1, 2\n}}}]])) \"é",
    "",
    // query literals: functions, stages and labels next to multi-byte text, interpolations, unclosed parts
    "alert A { expr = promql`histogram_quantile(0.9, sum by (le) (rate(x_bucket{é=\"ü\"}[5m]))) > bool on (a) group_left up offset 5m` }\n",
    "log_alert L { expr = logql`sum by (app) (count_over_time({app=\"é\", ${x}=\"y\"} |= \"😀\" | json | line_format \"{{.é}}\" | unwrap duration(d) [5m]))` }\n",
    "dashboard d { traces \"t\" { query = traceql`{ span.é = \"😀\" } | quantile_over_time(duration, .99) by (resource.service.name) | select(` } }\n",
    "dashboard d { logs \"l\" { query = logql`{app=\"x\", | json | line_format \"é",
    "alert A { expr = promql`sum(rate(é[${",
    "let q = logql`{a=\"b\"} |",
];

fn span_ok(db: &dyn Db, path: &Path, span: Span, what: &str) {
    let f = db.load(path).unwrap_or_else(|| panic!("{what}: no file {}", path.display()));
    let text = f.text(db);
    assert!(span.start <= span.end && text.get(span.range()).is_some(), "{what}: span {span:?} is not a slice of {} ({} bytes)", path.display(), text.len());
}

#[test]
fn every_feature_at_every_offset() {
    for (i, text) in TEXTS.iter().enumerate() {
        let fx = Fixture::parse(text);
        let (db, file) = (&fx.db, fx.file);
        let path = file.path(db).clone();
        let (stack, files) = (fx.stack(), fx.workspace());
        let len = file.text(db).len() as u32;
        let at = |o: u32| format!("text {i} offset {o}");
        for t in semantic_tokens::semantic_tokens(db, file) {
            span_ok(db, &path, t.span, &at(0));
        }
        fn symbols(db: &dyn Db, path: &Path, s: &[document_symbols::Symbol], what: &str) {
            for s in s {
                span_ok(db, path, s.span, what);
                span_ok(db, path, s.selection, what);
                symbols(db, path, &s.children, what);
            }
        }
        symbols(db, &path, &document_symbols::document_symbols(db, file), &at(0));
        for h in inlay_hints::inlay_hints(db, file, Span::new(0, len as usize), &stack) {
            span_ok(db, &path, Span { start: h.offset, end: h.offset }, &at(0));
        }
        diagnostics::file_local(db, file);
        diagnostics::stack(db, file);
        for off in 0..=len + 2 {
            let what = at(off);
            if let Some(h) = hover::hover(db, file, off, &stack) {
                span_ok(db, &path, h.span, &what);
            }
            let c = completion::completion(db, file, off, &stack);
            span_ok(db, &path, c.replace, &what);
            if let Some((span, targets)) = goto_definition::goto_definition(db, file, off, &stack) {
                span_ok(db, &path, span, &what);
                for t in targets {
                    span_ok(db, &t.path, t.focus, &what);
                }
            }
            for r in references::references(db, file, off, &files, &stack, true) {
                span_ok(db, &r.path, r.span, &what);
            }
            if let Ok((span, _)) = rename::prepare_rename(db, file, off, &stack) {
                span_ok(db, &path, span, &what);
            }
            for e in rename::rename(db, file, off, "renamed", &files, &stack).unwrap_or_default() {
                span_ok(db, &e.path, e.span, &what);
            }
        }
    }
}
