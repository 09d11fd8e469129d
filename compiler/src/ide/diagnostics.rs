//! Diagnostics for the editor.
//!
//! [`stack`] is exactly what `gstackc check ROOT` reports ([`check_stack`]), grouped by file.
//! [`file_local`] is the part one file decides alone — its syntax errors and its evaluation
//! errors — computed from that file's memoised parse and evaluation only, so the server can
//! show it before the whole stack is re-checked. It applies the same rule as `check_stack`:
//! a semantic error on a line holding a syntax error is dropped (the parser's recovery
//! made it).

use crate::db::{self, Db, SourceFile};
use crate::diag::Diagnostic;
use crate::sema::check::check_stack;
use crate::sema::eval::eval_module;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The diagnostics of the stack rooted at `root`, by file. Every file of the stack has an
/// entry (empty when clean). Diagnostics without a location go to the root.
pub fn stack(db: &dyn Db, root: SourceFile) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
    let checked = check_stack(db, root);
    let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    for f in &checked.files {
        out.entry(f.path(db).clone()).or_default();
    }
    for d in &checked.diagnostics {
        let path = d.location.as_ref().map(|l| l.file.clone()).unwrap_or_else(|| root.path(db).clone());
        out.entry(path).or_default().push(d.clone());
    }
    out
}

/// Is this the "no `stack` is declared" error, which a file meant to be imported always has
/// when checked on its own?
pub fn is_no_stack(d: &Diagnostic) -> bool {
    d.code == "E0202" && d.message == "no `stack` is declared"
}

/// Does the file declare a `stack` (is it the root of a build)?
pub fn declares_stack(db: &dyn Db, file: SourceFile) -> bool {
    db::parse(db, file).file.entries.iter().any(|e| matches!(e, crate::syntax::ast::Entry::Block(b) if b.kind.name == "stack"))
}

/// The syntax and evaluation diagnostics of `file` located in it, as `check_stack` reports them.
pub fn file_local(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    let path = file.path(db);
    let parsed = db::parse(db, file);
    let mut out = vec![];
    for d in &parsed.diags {
        let mut diag = Diagnostic::error(d.code, path, d.span, d.message.clone());
        diag.hint = d.hint.clone();
        out.push(diag);
    }
    let text = file.text(db);
    let broken: Vec<(usize, usize)> = parsed.diags.iter().map(|d| (line_of(text, d.span.start), line_of(text, d.span.end))).collect();
    for d in &eval_module(db, file).diags {
        let Some(loc) = &d.location else { continue };
        if &loc.file != path {
            continue;
        }
        let l = line_of(text, loc.span.start);
        if broken.iter().any(|(a, b)| (*a..=*b).contains(&l)) {
            continue;
        }
        out.push(d.clone());
    }
    out.sort_by_key(|d| d.location.as_ref().map(|l| l.span.start));
    out.dedup();
    out
}

fn line_of(text: &str, off: u32) -> usize {
    let off = (off as usize).min(text.len());
    text.as_bytes()[..off].iter().filter(|b| **b == b'\n').count()
}
