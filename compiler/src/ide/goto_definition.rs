//! Go to definition: where the name at the cursor is defined — a `let`, function, parameter
//! or `for` variable of this file, a name of an imported file or of `std` (`alias.name`), an
//! imported file itself (an import path or an alias), a receiver or datasource of the stack
//! (a stack component for `datasource = prometheus`).

use super::{at, DefId, Resolved};
use crate::db::{Db, SourceFile};
use crate::syntax::Span;
use std::path::PathBuf;

/// A navigation target: the whole definition and the name in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NavTarget {
    pub path: PathBuf,
    /// The whole definition (the start of the file for a module).
    pub full: Span,
    /// The name (what an editor selects).
    pub focus: Span,
}

impl NavTarget {
    pub fn of_def(db: &dyn Db, id: DefId) -> NavTarget {
        let d = id.def(db);
        NavTarget { path: id.file.path(db).clone(), full: d.full.cover(d.span), focus: d.span }
    }
    pub fn of_module(db: &dyn Db, m: SourceFile) -> NavTarget {
        NavTarget { path: m.path(db).clone(), full: Span::new(0, 0), focus: Span::new(0, 0) }
    }
}

/// The definitions of the name at byte `offset` of `file` (the span under the cursor too).
/// Built-ins have none.
pub fn goto_definition(db: &dyn Db, file: SourceFile, offset: u32, stack: &[SourceFile]) -> Option<(Span, Vec<NavTarget>)> {
    let (span, targets) = at(db, file, offset, stack)?;
    let out: Vec<NavTarget> = targets
        .into_iter()
        .filter_map(|t| match t {
            Resolved::Def(id) => Some(NavTarget::of_def(db, id)),
            Resolved::Module(m) => Some(NavTarget::of_module(db, m)),
            Resolved::Builtin(_) => None,
        })
        .collect();
    if out.is_empty() {
        None
    } else {
        Some((span, out))
    }
}
