//! Inlay hints: parameter names before the arguments of calls to user functions (also
//! functions of imported files and `std`), as in `rate_by(title: "…", metric: "…", by: "route")`.
//! An argument that is already a name equal to the parameter's gets no hint.

use super::index::{file_index, DefKind};
use super::{resolve, Resolved};
use crate::db::{Db, SourceFile};
use crate::syntax::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint is shown (before the argument).
    pub offset: u32,
    pub label: String,
}

/// Hints for the calls inside `range` of `file`.
pub fn inlay_hints(db: &dyn Db, file: SourceFile, range: Span, stack: &[SourceFile]) -> Vec<InlayHint> {
    let idx = file_index(db, file);
    let text = file.text(db);
    let mut out = vec![];
    for call in &idx.calls {
        let Some(c) = call.callee else { continue };
        let r = &idx.refs[c];
        if r.span.end < range.start || r.span.start > range.end {
            continue;
        }
        let Some(Resolved::Def(id)) = resolve(db, file, r, stack).into_iter().next() else { continue };
        let d = id.def(db);
        if d.kind != DefKind::Fn || d.params.len() != call.args.len() {
            continue;
        }
        for (arg, p) in call.args.iter().zip(&d.params) {
            if text.get(arg.range()) == Some(p.as_str()) {
                continue;
            }
            out.push(InlayHint { offset: arg.start, label: format!("{p}:") });
        }
    }
    out
}
