//! Editor features over the compiler's salsa database, for the language server (`lsp/`).
//!
//! Plain data in (a [`SourceFile`], a byte offset, the files of the stack or workspace) and
//! plain data out (paths, byte spans, text): no LSP types, so each feature is tested without
//! a client, and the server only converts positions and shapes. One module per feature;
//! [`index`] is the per-file index of definitions, references and schema contexts they share
//! (a salsa query, so a keystroke re-indexes only the edited file).
//!
//! Cross-file names: `alias.name` resolves into the imported file; receivers and datasources
//! resolve by name among the files of the stack (`stack`: the root and every file it imports,
//! which the caller passes in).

pub mod completion;
pub mod describe;
pub mod diagnostics;
pub mod document_symbols;
pub mod goto_definition;
pub mod hover;
pub mod index;
pub mod inlay_hints;
pub mod query_docs;
pub mod references;
pub mod rename;
pub mod semantic_tokens;
#[cfg(test)]
mod tests;

use crate::db::{Database, Db, SourceFile};
use crate::sema::check;
use crate::sema::schema::RefKind;
use crate::syntax::Span;
use index::{contains, file_index, DefKind, Ref, Target};
use std::path::PathBuf;

/// The files of the stack rooted at `root`: the root and every file it imports, directly or
/// not, root first and each once (what the `stack` arguments of the features expect).
pub fn stack_files(db: &dyn Db, root: SourceFile) -> Vec<SourceFile> {
    check::reachable_files(db, root)
}

/// The number of threads worth giving [`prime_caches`]: the machine's available parallelism.
pub fn cores() -> usize {
    check::cores()
}

/// Compute the per-file queries (parse, evaluation, schema and query checks) of the stack
/// rooted at `root` on `threads` threads, so that the following diagnostics or features only
/// merge memoised results. `threads` ≤ 1 does nothing. Worth it for a stack's first check;
/// later edits re-run only what changed, for which threads cost more than they save.
pub fn prime_caches(db: &Database, root: SourceFile, threads: usize) {
    check::warm(db, root, threads)
}

/// A span in a file, by path (`<std>/name.gstack` for the bundled library).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileSpan {
    pub path: PathBuf,
    pub span: Span,
}

/// A definition anywhere: its file and its index in that file's [`index::FileIndex::defs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DefId {
    pub file: SourceFile,
    pub index: usize,
}

impl DefId {
    pub fn def(self, db: &dyn Db) -> index::Def {
        file_index(db, self.file).defs[self.index].clone()
    }
}

/// What a name resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resolved {
    Def(DefId),
    /// An imported file (an import path, or an alias used on its own).
    Module(SourceFile),
    Builtin(&'static str),
}

/// Resolve a reference of `file`. `stack` is the files of the stack (for receivers and
/// datasources, which are found by name). Usually one result; several when a name is
/// declared twice (an error the checker reports).
pub fn resolve(db: &dyn Db, file: SourceFile, r: &Ref, stack: &[SourceFile]) -> Vec<Resolved> {
    match &r.target {
        Target::Def(d) => vec![Resolved::Def(DefId { file, index: *d })],
        Target::Module(m) => m.iter().map(|m| Resolved::Module(*m)).collect(),
        Target::Member { module, name } => match file_index(db, *module).top_level(name) {
            Some(i) => vec![Resolved::Def(DefId { file: *module, index: i })],
            None => vec![],
        },
        Target::Builtin(b) => vec![Resolved::Builtin(b)],
        Target::Named(kind, name) => named(db, *kind, name, stack),
        Target::Sym => vec![],
    }
}

/// Receivers or datasources called `name` among `stack` (a datasource may be a component).
pub fn named(db: &dyn Db, kind: RefKind, name: &str, stack: &[SourceFile]) -> Vec<Resolved> {
    let mut out = vec![];
    for f in stack {
        for (i, d) in file_index(db, *f).defs.iter().enumerate() {
            let ok = match kind {
                RefKind::Receiver => d.kind == DefKind::Receiver,
                RefKind::Datasource => {
                    d.kind == DefKind::Datasource || (d.kind == DefKind::Component && crate::programs::Component::is_datasource(&d.name))
                }
            };
            if ok && d.name == name {
                out.push(Resolved::Def(DefId { file: *f, index: i }));
            }
        }
    }
    out
}

/// What is at `offset` of `file`: the span of the name there and what it means. A definition's
/// own name resolves to itself; an import path to its file.
pub fn at(db: &dyn Db, file: SourceFile, offset: u32, stack: &[SourceFile]) -> Option<(Span, Vec<Resolved>)> {
    let idx = file_index(db, file);
    if let Some(r) = idx.ref_at(offset) {
        return Some((r.span, resolve(db, file, r, stack)));
    }
    if let Some(d) = idx.def_at(offset) {
        return Some((idx.defs[d].span, vec![Resolved::Def(DefId { file, index: d })]));
    }
    if let Some((span, target)) = idx.imports.iter().find(|(s, _)| contains(*s, offset)) {
        return Some((*span, target.iter().map(|t| Resolved::Module(*t)).collect()));
    }
    None
}

/// Every reference to `target` in `files`, as (file, reference).
pub fn references_to(db: &dyn Db, target: DefId, files: &[SourceFile], stack: &[SourceFile]) -> Vec<(SourceFile, Ref)> {
    let def = target.def(db);
    let mut out = vec![];
    for f in files {
        let idx = file_index(db, *f);
        for r in &idx.refs {
            if r.name != def.name {
                continue;
            }
            // cheap filters before resolving
            let plausible = match &r.target {
                Target::Def(_) => *f == target.file,
                Target::Member { module, .. } => *module == target.file,
                Target::Named(..) => matches!(def.kind, DefKind::Receiver | DefKind::Datasource | DefKind::Component),
                _ => false,
            };
            if plausible && resolve(db, *f, r, stack).contains(&Resolved::Def(target)) {
                out.push((*f, r.clone()));
            }
        }
    }
    out
}

/// The doc comment written right above the line of `at` (`///` lines with nothing between).
pub fn doc_above(text: &str, at: u32) -> Option<String> {
    let at = (at as usize).min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut lines = vec![];
    let mut end = line_start;
    while end > 0 {
        let prev_start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = text[prev_start..end - 1].trim();
        match line.strip_prefix("///") {
            Some(rest) if !rest.starts_with('/') => lines.push(rest.strip_prefix(' ').unwrap_or(rest).trim_end().to_string()),
            _ => break,
        }
        end = prev_start;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

/// A module's doc: the `///` paragraph at the top of the file (before its first blank line).
pub fn module_doc(text: &str) -> Option<String> {
    let mut lines = vec![];
    for line in text.lines() {
        let t = line.trim();
        match t.strip_prefix("///") {
            Some(rest) if !rest.starts_with('/') => lines.push(rest.strip_prefix(' ').unwrap_or(rest).trim_end().to_string()),
            _ if t.starts_with("//") && lines.is_empty() => continue,
            _ => break,
        }
    }
    if lines.is_empty() {
        None
    } else {
        Some(lines.join("\n"))
    }
}

/// Is `name` a valid user name (not a keyword)?
pub fn is_identifier(name: &str) -> bool {
    let mut cs = name.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
}

/// Words that cannot be user names.
pub const KEYWORDS: &[&str] = &["import", "as", "let", "fn", "for", "in", "if", "then", "else", "true", "false"];

/// Is this file the bundled library (read-only)?
pub fn is_std(db: &dyn Db, file: SourceFile) -> bool {
    file.path(db).starts_with("<std>")
}
