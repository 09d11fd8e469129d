//! Rename a user name: a `let`, function, parameter, local, `for` variable, import alias,
//! receiver, datasource or dashboard variable, with every reference in the given files.
//! `std`, built-ins, fields, block kinds and components are not renamed. An import written
//! without `as` gets one (`import std.panels as p`), since the module's own name cannot change.

use super::index::{file_index, DefKind};
use super::{at, is_identifier, is_std, named, references_to, DefId, Resolved};
use crate::db::{Db, SourceFile};
use crate::sema::schema::RefKind;
use crate::syntax::Span;
use std::path::PathBuf;

/// One text replacement.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edit {
    pub path: PathBuf,
    pub span: Span,
    pub text: String,
}

fn target(db: &dyn Db, file: SourceFile, offset: u32, stack: &[SourceFile]) -> Result<(Span, Vec<DefId>), String> {
    let (span, targets) = at(db, file, offset, stack).ok_or("there is no name here")?;
    let mut defs = vec![];
    for t in targets {
        match t {
            Resolved::Def(id) => defs.push(id),
            Resolved::Module(_) => return Err("a module is renamed by renaming its file; rename the alias instead".into()),
            Resolved::Builtin(b) => return Err(format!("`{b}` is a built-in")),
        }
    }
    if defs.is_empty() {
        return Err("this name is not defined, so it cannot be renamed".into());
    }
    for id in &defs {
        if is_std(db, id.file) {
            return Err("names of the bundled `std` library cannot be renamed".into());
        }
        if id.def(db).kind == DefKind::Component {
            return Err("a component's name is its kind; it cannot be renamed".into());
        }
    }
    Ok((span, defs))
}

/// Can the name at `offset` be renamed? Its span and current text.
pub fn prepare_rename(db: &dyn Db, file: SourceFile, offset: u32, stack: &[SourceFile]) -> Result<(Span, String), String> {
    let (span, defs) = target(db, file, offset, stack)?;
    Ok((span, defs[0].def(db).name))
}

/// The edits renaming the name at `offset` to `new_name` in `files`.
pub fn rename(db: &dyn Db, file: SourceFile, offset: u32, new_name: &str, files: &[SourceFile], stack: &[SourceFile]) -> Result<Vec<Edit>, String> {
    if !is_identifier(new_name) {
        return Err(format!("`{new_name}` is not a valid name: use letters, digits and `_`, not starting with a digit, and no keyword"));
    }
    let (_, defs) = target(db, file, offset, stack)?;
    let first = defs[0].def(db);
    if first.name == new_name {
        return Ok(vec![]);
    }
    // the new name must not collide where the old one lives
    let clash = match first.kind {
        DefKind::Let | DefKind::Fn | DefKind::Alias => file_index(db, defs[0].file).top_level(new_name).is_some(),
        DefKind::Receiver => !named(db, RefKind::Receiver, new_name, stack).is_empty(),
        DefKind::Datasource => !named(db, RefKind::Datasource, new_name, stack).is_empty(),
        _ => false,
    };
    if clash {
        return Err(format!("`{new_name}` is already defined"));
    }
    let mut edits = vec![];
    for id in &defs {
        let d = id.def(db);
        let path = id.file.path(db).clone();
        if d.kind == DefKind::Alias && !d.explicit {
            edits.push(Edit { path, span: Span { start: d.full.end, end: d.full.end }, text: format!(" as {new_name}") });
        } else {
            edits.push(Edit { path, span: d.span, text: new_name.to_string() });
        }
        let mut search: Vec<SourceFile> = files.to_vec();
        if !search.contains(&id.file) {
            search.push(id.file);
        }
        for (f, r) in references_to(db, *id, &search, stack) {
            if is_std(db, f) {
                continue;
            }
            edits.push(Edit { path: f.path(db).clone(), span: r.span, text: new_name.to_string() });
        }
    }
    edits.sort();
    edits.dedup();
    Ok(edits)
}
