//! Find references: every use of the name at the cursor in the given files (the workspace,
//! usually), across files through `alias.name` and into `std`; receivers and datasources by
//! name across the stack. On an import path or a module alias: every import of that file.

use super::index::file_index;
use super::{at, references_to, FileSpan, Resolved};
use crate::db::{Db, SourceFile};

/// References to what is at byte `offset` of `file`, searched in `files`; with
/// `include_declaration`, the definitions too. Sorted by path and position.
pub fn references(db: &dyn Db, file: SourceFile, offset: u32, files: &[SourceFile], stack: &[SourceFile], include_declaration: bool) -> Vec<FileSpan> {
    let Some((_, targets)) = at(db, file, offset, stack) else { return vec![] };
    let mut out = vec![];
    for t in targets {
        match t {
            Resolved::Def(id) => {
                if include_declaration {
                    out.push(FileSpan { path: id.file.path(db).clone(), span: id.def(db).span });
                }
                let mut search: Vec<SourceFile> = files.to_vec();
                if !search.contains(&id.file) {
                    search.push(id.file);
                }
                for (f, r) in references_to(db, id, &search, stack) {
                    out.push(FileSpan { path: f.path(db).clone(), span: r.span });
                }
            }
            Resolved::Module(m) => {
                for f in files {
                    for (span, target) in &file_index(db, *f).imports {
                        if *target == Some(m) {
                            out.push(FileSpan { path: f.path(db).clone(), span: *span });
                        }
                    }
                }
            }
            Resolved::Builtin(_) => {}
        }
    }
    out.sort();
    out.dedup();
    out
}
