//! A fixture harness for the editor features, after rust-analyzer's `check(fixture, expect)`.
//!
//! A fixture is `.gstack` source, indented as convenient (the common indentation is removed),
//! with the cursor written `$0`. Several files are separated by `//- /path.gstack` header
//! lines; a fixture without one is the single file `/main.gstack`. The cursor's file is the
//! one the feature runs on (the first file when there is no cursor).
//!
//! The files are loaded the way the language server loads a workspace
//! (`lsp/src/workspace.rs`): `stack` is every file reachable from the roots (files declaring
//! a `stack`) whose stack contains the cursor's file, or from that file itself when no stack
//! does; `files` (where references and renames look) is every file reachable from a fixture
//! file, plus the bundled `std`.
//!
//! Each `render_*` turns a feature's answer into plain text for an inline snapshot, with
//! positions written `path:line:col` (1-based) and the text they cover.

use crate::db::{Database, Db, SourceFile, STD_MODULES};
use crate::ide::{completion, diagnostics, document_symbols, goto_definition, hover, inlay_hints, references, rename, semantic_tokens};
use crate::sema::check::reachable_files;
use crate::syntax::Span;
use std::collections::HashSet;
use std::fmt::Write;
use std::path::Path;

pub const CURSOR: &str = "$0";

pub struct Fixture {
    pub db: Database,
    /// The fixture's files, in the order written.
    pub files: Vec<SourceFile>,
    /// The file the feature runs on.
    pub file: SourceFile,
    pub offset: Option<u32>,
}

/// Remove the common indentation of the non-blank lines and a first empty line, so fixtures
/// can be indented raw strings.
pub fn trim_indent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        out.push_str(line.get(indent..).unwrap_or(line.trim_start_matches([' ', '\t'])));
    }
    // the closing quote's line of an indented raw string
    let trimmed = out.trim_end_matches([' ', '\t']).len();
    out.truncate(trimmed);
    out
}

impl Fixture {
    pub fn parse(fixture: &str) -> Fixture {
        let text = trim_indent(fixture);
        let mut parts: Vec<(String, String)> = vec![];
        for line in text.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- ") {
                parts.push((path.trim().to_string(), String::new()));
            } else {
                if parts.is_empty() {
                    parts.push(("/main.gstack".into(), String::new()));
                }
                parts.last_mut().unwrap().1.push_str(line);
            }
        }
        if parts.is_empty() {
            parts.push(("/main.gstack".into(), String::new()));
        }
        let mut db = Database::default();
        let mut files = vec![];
        let mut cursor = None;
        for (path, mut body) in parts {
            if let Some(at) = body.find(CURSOR) {
                assert!(cursor.is_none(), "a fixture has one cursor `{CURSOR}`");
                body.replace_range(at..at + CURSOR.len(), "");
                assert!(!body.contains(CURSOR), "a fixture has one cursor `{CURSOR}`");
                cursor = Some((files.len(), at as u32));
            }
            files.push(db.set_file(Path::new(&path), body));
        }
        let (file, offset) = match cursor {
            Some((i, off)) => (files[i], Some(off)),
            None => (files[0], None),
        };
        Fixture { db, files, file, offset }
    }

    /// The cursor's offset (the fixture must have one).
    pub fn offset(&self) -> u32 {
        self.offset.expect("this fixture needs a cursor `$0`")
    }

    /// The files of the stack the cursor's file belongs to.
    pub fn stack(&self) -> Vec<SourceFile> {
        let db = &self.db;
        let roots: Vec<SourceFile> = self.files.iter().copied().filter(|f| diagnostics::declares_stack(db, *f)).collect();
        let owners: Vec<SourceFile> = roots.into_iter().filter(|r| *r == self.file || reachable_files(db, *r).contains(&self.file)).collect();
        let starts = if owners.is_empty() { vec![self.file] } else { owners };
        let mut seen = HashSet::new();
        starts.into_iter().flat_map(|r| reachable_files(db, r)).filter(|f| seen.insert(*f)).collect()
    }

    /// Every file worth searching: what the fixture's files reach, and `std`.
    pub fn workspace(&self) -> Vec<SourceFile> {
        let db = &self.db;
        let mut seen = HashSet::new();
        let mut out: Vec<SourceFile> = self.files.iter().flat_map(|f| reachable_files(db, *f)).filter(|f| seen.insert(*f)).collect();
        out.extend(STD_MODULES.iter().filter_map(|(n, _)| db.std_module(n)).filter(|f| seen.insert(*f)));
        out
    }

    fn text_of(&self, path: &Path) -> String {
        let f = self.db.load(path).unwrap_or_else(|| panic!("no file {}", path.display()));
        f.text(&self.db).clone()
    }

    /// `path:line:col` of an offset of a file (1-based; columns in characters).
    pub fn pos(&self, path: &Path, off: u32) -> String {
        let text = self.text_of(path);
        let off = (off as usize).min(text.len());
        let before = &text[..off];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        format!("{}:{line}:{col}", short(path))
    }

    /// `path:line:col "covered text"` of a span.
    pub fn span(&self, path: &Path, span: Span) -> String {
        let text = self.text_of(path);
        let covered = text.get(span.range()).unwrap_or("<not on character boundaries>");
        format!("{} {covered:?}", self.pos(path, span.start))
    }

    fn path(&self) -> &Path {
        self.file.path(&self.db)
    }
}

/// Std paths are shown as they are (`<std>/panels.gstack`); others without the leading `/`.
fn short(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix('/').map(str::to_string).unwrap_or(s)
}

// ---- one renderer per feature -----------------------------------------------------------------

pub fn hover(fixture: &str) -> String {
    let fx = Fixture::parse(fixture);
    match hover::hover(&fx.db, fx.file, fx.offset(), &fx.stack()) {
        None => "(no hover)".into(),
        Some(h) => format!("{}\n\n{}", fx.span(fx.path(), h.span), h.markdown),
    }
}

/// Every item: `Kind label`, with `— detail` and `=> insert text` when they are set.
pub fn completion(fixture: &str) -> String {
    let fx = Fixture::parse(fixture);
    let c = completion::completion(&fx.db, fx.file, fx.offset(), &fx.stack());
    let text = fx.file.text(&fx.db);
    let mut out = format!("replace {:?}\n", &text[c.replace.range()]);
    if c.items.is_empty() {
        out.push_str("(no items)");
    }
    for it in &c.items {
        write!(out, "{:?} {}", it.kind, it.label).unwrap();
        if let Some(d) = &it.detail {
            write!(out, " — {d}").unwrap();
        }
        if let Some(i) = &it.insert {
            write!(out, " => {i}").unwrap();
        }
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// Only the labels, on one line (for contexts with long lists).
pub fn completion_labels(fixture: &str) -> String {
    let fx = Fixture::parse(fixture);
    let c = completion::completion(&fx.db, fx.file, fx.offset(), &fx.stack());
    if c.items.is_empty() {
        return "(no items)".into();
    }
    c.items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>().join(" ")
}

pub fn goto_definition(fixture: &str) -> String {
    let fx = Fixture::parse(fixture);
    match goto_definition::goto_definition(&fx.db, fx.file, fx.offset(), &fx.stack()) {
        None => "(no definition)".into(),
        Some((span, targets)) => {
            let mut out = format!("from {}\n", fx.span(fx.path(), span));
            for t in targets {
                let full = fx.text_of(&t.path).get(t.full.range()).unwrap_or("").lines().next().unwrap_or("").to_string();
                writeln!(out, "to {} in {full:?}", fx.span(&t.path, t.focus)).unwrap();
            }
            out.trim_end().to_string()
        }
    }
}

pub fn references(fixture: &str, include_declaration: bool) -> String {
    let fx = Fixture::parse(fixture);
    let refs = references::references(&fx.db, fx.file, fx.offset(), &fx.workspace(), &fx.stack(), include_declaration);
    if refs.is_empty() {
        return "(no references)".into();
    }
    refs.iter().map(|r| fx.span(&r.path, r.span)).collect::<Vec<_>>().join("\n")
}

/// `prepare_rename`'s answer, then every changed file with the edits applied (or the error).
pub fn rename(fixture: &str, new_name: &str) -> String {
    let fx = Fixture::parse(fixture);
    let stack = fx.stack();
    let prepared = match rename::prepare_rename(&fx.db, fx.file, fx.offset(), &stack) {
        Ok((span, name)) => format!("prepare: {} ({name})", fx.span(fx.path(), span)),
        Err(e) => format!("prepare: error: {e}"),
    };
    let edits = match rename::rename(&fx.db, fx.file, fx.offset(), new_name, &fx.workspace(), &stack) {
        Ok(e) => e,
        Err(e) => return format!("{prepared}\nerror: {e}"),
    };
    let mut out = prepared;
    let mut paths: Vec<&Path> = edits.iter().map(|e| e.path.as_path()).collect();
    paths.dedup();
    for p in paths {
        let mut text = fx.text_of(p);
        // sorted by position: apply from the end
        for e in edits.iter().filter(|e| e.path == p).rev() {
            text.replace_range(e.span.range(), &e.text);
        }
        write!(out, "\n//- {}\n{}", p.display(), text.trim_end()).unwrap();
    }
    out
}

pub fn document_symbols(fixture: &str) -> String {
    fn walk(fx: &Fixture, syms: &[document_symbols::Symbol], depth: usize, out: &mut String) {
        let text = fx.file.text(&fx.db);
        for s in syms {
            let detail = s.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            let sel = text.get(s.selection.range()).unwrap_or("<bad span>");
            let line = fx.pos(fx.path(), s.span.start);
            let end = fx.pos(fx.path(), s.span.end);
            let lines = format!("{}-{}", &line[line.find(':').unwrap() + 1..], &end[end.find(':').unwrap() + 1..]);
            writeln!(out, "{}{:?} {}{detail} [{sel}] {lines}", "  ".repeat(depth), s.kind, s.name).unwrap();
            assert!(s.span.start <= s.selection.start && s.selection.end <= s.span.end, "{s:?}: the selection is not inside the symbol");
            walk(fx, &s.children, depth + 1, out);
        }
    }
    let fx = Fixture::parse(fixture);
    let mut out = String::new();
    walk(&fx, &document_symbols::document_symbols(&fx.db, fx.file), 0, &mut out);
    if out.is_empty() {
        return "(no symbols)".into();
    }
    out.trim_end().to_string()
}

/// One token a line: `line:col "text" type [modifiers]`.
pub fn semantic_tokens(fixture: &str) -> String {
    let fx = Fixture::parse(fixture);
    let text = fx.file.text(&fx.db);
    let toks = semantic_tokens::semantic_tokens(&fx.db, fx.file);
    let mut out = String::new();
    for t in &toks {
        let mods: Vec<&str> = semantic_tokens::MODIFIERS.iter().enumerate().filter(|(i, _)| t.modifiers & (1 << i) != 0).map(|(_, m)| *m).collect();
        let pos = fx.pos(fx.path(), t.span.start);
        let mods = if mods.is_empty() { String::new() } else { format!(" [{}]", mods.join(", ")) };
        writeln!(out, "{} {:?} {}{mods}", &pos[pos.find(':').unwrap() + 1..], &text[t.span.range()], t.ty.name()).unwrap();
    }
    out.trim_end().to_string()
}

/// The file with every hint written in as `⟨label⟩` (hints over the whole file).
pub fn inlay_hints(fixture: &str) -> String {
    let fx = Fixture::parse(fixture);
    let mut text = fx.file.text(&fx.db).clone();
    let range = Span::new(0, text.len());
    let hints = inlay_hints::inlay_hints(&fx.db, fx.file, range, &fx.stack());
    for h in hints.iter().rev() {
        text.insert_str(h.offset as usize, &format!("⟨{}⟩ ", h.label));
    }
    text.trim_end().to_string()
}

/// `file_local` of the first file, then `stack` for each file of the first file's stack.
pub fn diagnostics(fixture: &str) -> String {
    let fx = Fixture::parse(fixture);
    let show = |d: &crate::diag::Diagnostic| match &d.location {
        Some(l) => format!("{} {}: {}", fx.pos(&l.file, l.span.start), d.code, d.message),
        None => format!("(nowhere) {}: {}", d.code, d.message),
    };
    let mut out = String::from("file_local:\n");
    for d in diagnostics::file_local(&fx.db, fx.file) {
        writeln!(out, "  {}", show(&d)).unwrap();
    }
    out.push_str("stack:");
    for (path, ds) in diagnostics::stack(&fx.db, fx.file) {
        write!(out, "\n  {}:{}", short(&path), if ds.is_empty() { " clean" } else { "" }).unwrap();
        for d in &ds {
            write!(out, "\n    {}", show(d)).unwrap();
        }
    }
    out.trim_end().to_string()
}
