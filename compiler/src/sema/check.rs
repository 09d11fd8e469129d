//! Schema checking, cross-references and lowering to the IR.
//!
//! [`check_stack`] gathers every module reachable from the root file, validates each
//! declaration block against its [`Schema`](super::schema::Schema) (unknown fields with a
//! "did you mean", types and units, ranges, required fields), resolves references
//! (receivers, datasources, dashboard variables, enabled components), checks PromQL with the
//! `promql-parser` crate, and lowers the result to [`ir::Stack`]. Every problem is a
//! diagnostic; lowering continues past errors so one run reports them all.

use super::eval::{eval_module, file_imports};
use super::imports;
use super::schema::{self, BlockDef, LabelRule, Schema, Ty};
use super::types;
use super::value::*;
use crate::db::{self, Db, SourceFile};
use crate::diag::{did_you_mean, Diagnostic};
use crate::ir::{self, QueryLang, SecretRef, Settings, StrOrSecret};
use crate::programs::Component;
use crate::syntax::Span;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// The outcome of checking a root file: the IR (when a `stack` was declared) and every
/// diagnostic of every file involved, sorted by file and position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub stack: Option<ir::Stack>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every file that took part (root first).
    pub files: Vec<SourceFile>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// All files reachable from `root` through imports (root first, each once).
pub fn reachable_files(db: &dyn Db, root: SourceFile) -> Vec<SourceFile> {
    let mut out = vec![];
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(f) = stack.pop() {
        if !seen.insert(f) {
            continue;
        }
        out.push(f);
        for e in file_imports(db, f).iter().rev() {
            if let Some(t) = e.target {
                stack.push(t);
            }
        }
    }
    out
}

/// Check the stack rooted at `root` and lower it to IR.
#[salsa::tracked(returns(ref))]
pub fn check_stack(db: &dyn Db, root: SourceFile) -> Arc<Checked> {
    Arc::new(check_with(db, root, None))
}

/// What one file's declarations check to on their own, before the rest of the stack is known:
/// one entry per top-level declaration of [`eval_module`] (same order), `Some` for the
/// declarations whose checking needs no other file (dashboards, `alert`, `log_alert`: schema,
/// units, variables, PromQL), `None` for the rest (checked by [`check_stack`] itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChecked {
    decls: Vec<Option<Arc<Local>>>,
}

/// A declaration lowered on its own, with the diagnostics that took.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Local {
    lowered: Lowered,
    diags: Vec<Diagnostic>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Lowered {
    /// The dashboard, where its name is, and the datasource references to resolve.
    Dashboard(Arc<ir::Dashboard>, Loc, Arc<Vec<DsRef>>),
    /// An `alert` or `log_alert` (`None` when it has no query) and where its name is.
    Alert(Option<ir::AlertRule>, Loc),
}

/// Check the self-contained declarations of one file (see [`FileChecked`]). Memoised per file,
/// so after an edit only the edited file's dashboards and alerts are checked again; what spans
/// files (duplicate names and uids, datasource references, enabled components, ports) is
/// [`check_stack`]'s merge.
#[salsa::tracked(returns(ref))]
pub fn check_file(db: &dyn Db, file: SourceFile) -> Arc<FileChecked> {
    let m = eval_module(db, file);
    let mut ck = Checker { db, diags: vec![] };
    let decls = m
        .decls
        .iter()
        .map(|d| {
            let lowered = ck.local(d);
            let diags = std::mem::take(&mut ck.diags);
            lowered.map(|lowered| Arc::new(Local { lowered, diags }))
        })
        .collect();
    Arc::new(FileChecked { decls })
}

/// How many threads [`warm`] should use: the cores this process may run on (1 if unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Compute the per-file queries of the stack rooted at `root` on every core, so that a
/// following [`check_stack`] only merges: files are parsed level by level along the imports
/// (a level's files in parallel), then [`check_file`] (evaluation, schema, PromQL) runs for
/// every file in parallel. Each thread works through its own handle of the same database, so
/// the results are memoised exactly as if computed in one thread. `threads` ≤ 1 does nothing.
/// A panic in a worker (salsa's `Cancelled` included) is resumed on the calling thread.
pub fn warm(db: &db::Database, root: SourceFile, threads: usize) {
    if threads <= 1 {
        return;
    }
    let run = |files: &[SourceFile], f: &(dyn Fn(&db::Database, SourceFile) + Sync)| {
        if files.len() < 2 {
            files.iter().for_each(|x| f(db, *x));
            return;
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let panicked = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads.min(files.len()))
                .map(|_| {
                    let db = db.clone();
                    let next = &next;
                    s.spawn(move || loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        f(&db, *file);
                    })
                })
                .collect();
            // every worker joined here, so the first panic keeps its own payload (a salsa
            // `Cancelled` when a write interrupts a language server's check)
            workers.into_iter().filter_map(|w| w.join().err()).next()
        });
        if let Some(payload) = panicked {
            std::panic::resume_unwind(payload);
        }
    };
    // parse along the imports, one level at a time
    let mut seen: HashSet<SourceFile> = HashSet::from([root]);
    let mut all = vec![root];
    let mut level = vec![root];
    while !level.is_empty() {
        run(&level, &|db, f| {
            file_imports(db, f);
        });
        level = level
            .iter()
            .flat_map(|f| file_imports(db, *f).iter().filter_map(|e| e.target).collect::<Vec<_>>())
            .filter(|t| seen.insert(*t))
            .collect();
        all.extend(&level);
    }
    // leaves first: a file's evaluation reads the modules it imports
    all.reverse();
    run(&all, &|db, f| {
        check_file(db, f);
    });
}

/// [`check_stack`] with typed overrides merged over the declarations first (not memoised:
/// `gstackc build --overrides`).
pub fn check_with(db: &dyn Db, root: SourceFile, overlay: Option<&super::overrides::Overlay>) -> Checked {
    let files = reachable_files(db, root);
    let mut diags = vec![];
    let mut decls: Vec<Arc<BlockVal>> = vec![];
    let mut pre: Vec<Option<Arc<Local>>> = vec![];
    // lines holding a syntax error, per file: what the parser recovered there is guesswork
    let mut broken_lines: HashMap<PathBuf, (Arc<str>, Vec<(usize, usize)>)> = HashMap::new();
    for f in &files {
        let parsed = db::parse(db, *f);
        for d in &parsed.diags {
            let mut diag = Diagnostic::error(d.code, f.path(db), d.span, d.message.clone());
            diag.hint = d.hint.clone();
            diags.push(diag);
        }
        if !parsed.diags.is_empty() {
            let text: Arc<str> = Arc::from(f.text(db).as_str());
            let lines = parsed.diags.iter().map(|d| (line_of(&text, d.span.start), line_of(&text, d.span.end))).collect();
            broken_lines.insert(f.path(db).clone(), (text, lines));
        }
        let m = eval_module(db, *f);
        diags.extend(m.diags.iter().cloned());
        decls.extend(m.decls.iter().cloned());
        if overlay.is_none() {
            pre.extend(check_file(db, *f).decls.iter().cloned());
        }
    }
    if let Some(ov) = overlay {
        // overrides change declarations: check every one afresh
        diags.extend(ov.diags.iter().cloned());
        super::overrides::apply(&mut decls, ov);
    }
    let mut ck = Checker { db, diags: vec![] };
    let stack = ck.lower(&decls, &pre, root);
    diags.extend(ck.diags);
    // A semantic error on the same line as a syntax error is almost always a consequence of
    // the parser's recovery (`x = = 1` leaves a bare `x` and a bare `1`): keep only the cause.
    diags.retain(|d| {
        let Some(loc) = &d.location else { return true };
        if ["E0001", "E0002", "E0003"].contains(&d.code) {
            return true;
        }
        match broken_lines.get(&loc.file) {
            Some((text, lines)) => {
                let l = line_of(text, loc.span.start);
                !lines.iter().any(|(a, b)| (*a..=*b).contains(&l))
            }
            None => true,
        }
    });
    diags.sort_by(|a, b| {
        let ka = a.location.as_ref().map(|l| (l.file.clone(), l.span.start));
        let kb = b.location.as_ref().map(|l| (l.file.clone(), l.span.start));
        ka.cmp(&kb)
    });
    diags.dedup();
    Checked { stack, diagnostics: diags, files }
}

/// The 0-based line of byte offset `off`.
fn line_of(text: &str, off: u32) -> usize {
    let off = (off as usize).min(text.len());
    text.as_bytes()[..off].iter().filter(|b| **b == b'\n').count()
}

/// A PromQL text as the checker parses it (Grafana variables already replaced), interned so
/// that parsing is memoised by text: after an edit, a query whose text did not change is not
/// parsed again, wherever it moved.
#[salsa::interned]
struct PromqlText<'db> {
    #[returns(ref)]
    text: String,
}

/// `promql_parser::parser::parse`'s error message for a PromQL text (`None` when it parses).
#[salsa::tracked(returns(ref))]
fn promql_parse_error<'db>(db: &'db dyn Db, q: PromqlText<'db>) -> Option<String> {
    promql_parser::parser::parse(&defer_regexes(db, q.text(db))).err()
}

/// The regex of a PromQL `=~` / `!~` matcher, interned: compiled once per distinct regex.
#[salsa::interned]
struct PromqlRegex<'db> {
    #[returns(ref)]
    text: String,
}

/// Whether a matcher regex matches the empty string, compiled as `promql_parser` compiles it
/// (fully anchored: `^(?:re)$`, the `regex` crate); `None` when it does not compile that way.
#[salsa::tracked(returns(copy))]
fn promql_regex_matches_empty<'db>(db: &'db dyn Db, r: PromqlRegex<'db>) -> Option<bool> {
    regex::Regex::new(&format!("^(?:{})$", r.text(db))).ok().map(|re| re.is_match(""))
}

/// `text` with every regex matcher (`l=~"re"`, `l!~"re"`) whose regex compiles turned into an
/// equality matcher of the same width (`l= "re"` / `l!="re"`; `l= ""` padded with spaces when
/// `re` matches the empty string), so `promql_parser` does not compile a regex per matcher:
/// regexes are compiled once each by [`promql_regex_matches_empty`]. The parser's checks stay
/// the same: positions do not move, and a selector still has a matcher that does not match
/// the empty string exactly when it had one. Matchers it cannot judge (escapes in the regex,
/// `__name__`, single quotes or backticks, a regex that does not compile) are left as written,
/// for `promql_parser` to compile and report; so is `=~` outside a selector's braces (an
/// error the parser names), and so is any text with a `#` (a comment can hide quotes).
fn defer_regexes(db: &dyn Db, text: &str) -> String {
    if !text.contains('~') || text.contains('#') {
        return text.to_string();
    }
    let masked = mask_strings(text);
    let mb = masked.as_bytes();
    let mut out = text.as_bytes().to_vec();
    // `{` … `}` nesting outside strings: matchers live inside a selector's braces
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < mb.len() {
        match mb[i] {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 || !((mb[i] == b'=' || mb[i] == b'!') && mb[i + 1] == b'~') {
            i += 1;
            continue;
        }
        let mut k = i;
        while k > 0 && mb[k - 1].is_ascii_whitespace() {
            k -= 1;
        }
        let name_end = k;
        while k > 0 && (mb[k - 1].is_ascii_alphanumeric() || mb[k - 1] == b'_') {
            k -= 1;
        }
        let name = &masked[k..name_end];
        let mut j = i + 2;
        while j < mb.len() && mb[j].is_ascii_whitespace() {
            j += 1;
        }
        if name.is_empty() || name == "__name__" || mb.get(j) != Some(&b'"') {
            i += 2;
            continue;
        }
        let Some(close) = masked[j + 1..].find('"').map(|c| j + 1 + c) else { break };
        let re = &text[j + 1..close];
        if !re.contains('\\') {
            if let Some(empty) = promql_regex_matches_empty(db, PromqlRegex::new(db, re.to_string())) {
                out[i + 1] = if mb[i] == b'=' { b' ' } else { b'=' };
                if empty {
                    out[j + 1] = b'"';
                    out[j + 2..=close].iter_mut().for_each(|b| *b = b' ');
                }
            }
        }
        i = close + 1;
    }
    // only ASCII was written, over whole UTF-8 sequences (a regex's bytes are all replaced)
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// A checked value.
#[derive(Clone, Debug)]
pub enum CV {
    Str(String),
    Int(i64),
    Num(f64),
    Bool(bool),
    Dur(ir::Duration),
    Bytes(ir::Bytes),
    Cpu(ir::Cpu),
    Port(u16),
    Addr(String),
    Secret(SecretRef),
    StrOrSecret(StrOrSecret),
    Sym(String),
    List(Vec<CV>),
    Map(BTreeMap<String, String>),
    Query(Arc<QueryVal>, Loc),
    Ref(String, Loc),
    Thresholds(Vec<ir::Threshold>),
    Variable(&'static str, Arc<Vec<V>>),
    Record(Rec),
}

/// A checked block: its fields (defaults not filled: readers apply them), nested blocks and
/// panel values.
#[derive(Clone, Debug)]
pub struct Rec {
    pub kind: String,
    pub label: Option<(String, Span)>,
    pub doc: Option<String>,
    pub loc: Loc,
    pub fields: HashMap<&'static str, (CV, Loc)>,
    pub blocks: Vec<(&'static str, Rec)>,
    pub panels: Vec<Rec>,
    pub settings: Settings,
    /// For `kind label = expr` blocks.
    pub value: Option<V>,
    /// Dashboard variables (`var name = query(…)`).
    pub vars: Vec<VarDecl>,
}

impl Rec {
    fn get(&self, name: &str) -> Option<&CV> {
        self.fields.get(name).map(|(v, _)| v)
    }
    fn str(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Some(CV::Str(s)) => Some(s.clone()),
            _ => None,
        }
    }
    fn str_or(&self, name: &str, d: &str) -> String {
        self.str(name).unwrap_or_else(|| d.to_string())
    }
    fn port(&self, name: &str, d: u16) -> u16 {
        match self.get(name) {
            Some(CV::Port(p)) => *p,
            _ => d,
        }
    }
    fn dur(&self, name: &str) -> Option<ir::Duration> {
        match self.get(name) {
            Some(CV::Dur(d)) => Some(*d),
            _ => None,
        }
    }
    fn dur_or(&self, name: &str, secs: u64) -> ir::Duration {
        self.dur(name).unwrap_or(ir::Duration::from_secs(secs))
    }
    fn bool(&self, name: &str) -> bool {
        matches!(self.get(name), Some(CV::Bool(true)))
    }
    fn strs(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(CV::List(xs)) => xs
                .iter()
                .filter_map(|x| match x {
                    CV::Str(s) | CV::Sym(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        }
    }
    fn map(&self, name: &str) -> BTreeMap<String, String> {
        match self.get(name) {
            Some(CV::Map(m)) => m.clone(),
            _ => BTreeMap::new(),
        }
    }
    fn secret(&self, name: &str) -> Option<SecretRef> {
        match self.get(name) {
            Some(CV::Secret(s)) => Some(s.clone()),
            _ => None,
        }
    }
    fn sym(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Some(CV::Sym(s)) => Some(s.clone()),
            _ => None,
        }
    }
    fn label(&self) -> String {
        self.label.as_ref().map(|l| l.0.clone()).unwrap_or_default()
    }
    fn label_span(&self) -> Span {
        self.label.as_ref().map(|l| l.1).unwrap_or(self.loc.span)
    }
    fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Rec> + 'a {
        self.blocks.iter().filter(move |(k, _)| *k == kind).map(|(_, r)| r)
    }
}

struct Checker<'a> {
    db: &'a dyn Db,
    diags: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    fn path(&self, loc: Loc) -> PathBuf {
        loc.file.path(self.db).clone()
    }
    fn error(&mut self, code: &'static str, loc: Loc, msg: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::error(code, &self.path(loc), loc.span, msg);
        self.diags.push(d);
        self.diags.last_mut().unwrap()
    }

    /// The location of a block's first word (`prometheus` of `prometheus { … }`), for
    /// problems that belong to the whole block.
    fn head(&self, r: &Rec) -> Loc {
        let text = r.loc.file.text(self.db);
        let start = r.loc.span.start as usize;
        let start = start + text.get(start..).and_then(|t| t.find(r.kind.as_str())).unwrap_or(0);
        let end = (start + r.kind.len()).min(text.len());
        if text.get(start..end) == Some(r.kind.as_str()) {
            Loc { file: r.loc.file, span: Span::new(start, end) }
        } else {
            r.loc
        }
    }

    // ---- generic schema validation -------------------------------------------------------

    /// Validate a block against a schema.
    fn record(&mut self, b: &BlockVal, sch: &'static Schema, kind: &str) -> Rec {
        let mut rec = Rec {
            kind: kind.to_string(),
            label: b.label.clone(),
            doc: b.doc.clone(),
            loc: b.loc,
            fields: HashMap::new(),
            blocks: vec![],
            panels: vec![],
            settings: Settings::new(),
            value: b.value.clone(),
            vars: vec![],
        };
        let mut first: HashMap<String, Loc> = HashMap::new();
        for it in &b.items {
            match it {
                Item::Field { path, value, file } => {
                    let key_span = path.first().unwrap().span.cover(path.last().unwrap().span);
                    let kloc = Loc { file: *file, span: key_span };
                    if path.len() > 1 {
                        self.error("E0200", kloc, format!("`{}` has no dotted fields here", sch.name))
                            .hint = Some(if sch.settings {
                            "program settings go in `settings { … }`".into()
                        } else {
                            "write nested values as a record: `a = { b = … }`".into()
                        });
                        continue;
                    }
                    let name = &path[0].name;
                    let Some(fd) = sch.field(name) else {
                        let mut cands: Vec<&str> = sch.fields.iter().map(|f| f.name).collect();
                        cands.extend(sch.blocks.iter().map(|b| b.kind));
                        let hint = did_you_mean(name, cands.iter().copied()).unwrap_or_else(|| {
                            if cands.is_empty() {
                                format!("`{}` takes no fields", sch.name)
                            } else {
                                format!("fields of `{}`: {}", sch.name, cands.join(", "))
                            }
                        });
                        self.error("E0200", kloc, format!("unknown field `{name}` in `{}`", sch.name)).hint = Some(hint);
                        continue;
                    };
                    if let Some(prev) = first.get(name) {
                        let p = self.path(*prev);
                        self.error("E0209", kloc, format!("field `{name}` is set twice"))
                            .with_related_mut(&p, prev.span, "first set here");
                        continue;
                    }
                    first.insert(name.clone(), kloc);
                    if let Some(cv) = self.value(value, &fd.ty, fd.name) {
                        rec.fields.insert(fd.name, (cv, value.loc));
                    }
                }
                Item::Block(inner) => self.nested(&mut rec, inner, sch),
                Item::Value(v) => {
                    if let Val::Block(inner) = &v.val {
                        self.nested(&mut rec, inner, sch);
                    } else {
                        let t = v.val.type_name();
                        self.error("E0201", v.loc, format!("a bare {t} cannot stand in `{}`", sch.name)).hint =
                            Some("write `field = value`".into());
                    }
                }
            }
        }
        for fd in sch.fields.iter().filter(|f| f.required) {
            if !rec.fields.contains_key(fd.name) && !first.contains_key(fd.name) {
                let span = b.kind.as_ref().map(|k| k.span).unwrap_or(b.loc.span);
                self.error("E0202", Loc { file: b.loc.file, span }, format!("`{}` needs the field `{}`", sch.name, fd.name)).hint =
                    Some(format!("add `{} = …` ({})", fd.name, fd.ty.describe()));
            }
        }
        rec
    }

    fn nested(&mut self, rec: &mut Rec, inner: &Arc<BlockVal>, sch: &'static Schema) {
        let Some(kind) = inner.kind.as_ref() else {
            self.error("E0201", inner.loc, format!("a bare record cannot stand in `{}`", sch.name));
            return;
        };
        let kloc = Loc { file: inner.loc.file, span: kind.span };
        if kind.name == "settings" && sch.settings {
            let mut s = Settings::new();
            self.settings(inner, &mut s);
            merge_settings(&mut rec.settings, s);
            return;
        }
        if kind.name == "options" && sch.name == "panel" {
            let mut s = Settings::new();
            self.settings(inner, &mut s);
            merge_settings(&mut rec.settings, s);
            return;
        }
        if kind.name == "var" && sch.name == "dashboard" {
            match (&inner.label, &inner.value) {
                (Some((name, _)), Some(v)) => rec.vars.push(VarDecl { name: name.clone(), value: v.clone() }),
                _ => {
                    self.error("E0202", kloc, "a variable is declared as `var name = query(…)`");
                }
            }
            return;
        }
        if sch.panels && schema::PANEL_KINDS.contains(&kind.name.as_str()) {
            if inner.label.is_none() {
                self.error("E0202", kloc, format!("a `{}` panel needs a title", kind.name)).hint =
                    Some(format!("write `{} \"Title\" {{ … }}`", kind.name));
            }
            let mut p = self.record(inner, &schema::PANEL, &kind.name);
            p.kind = kind.name.clone();
            rec.panels.push(p);
            return;
        }
        let Some(bd) = sch.block(&kind.name) else {
            let mut cands: Vec<&str> = sch.blocks.iter().map(|b| b.kind).collect();
            cands.extend(sch.fields.iter().map(|f| f.name));
            if sch.settings {
                cands.push("settings");
            }
            if sch.panels {
                cands.extend(schema::PANEL_KINDS);
            }
            let hint = did_you_mean(&kind.name, cands.iter().copied()).unwrap_or_else(|| {
                if cands.is_empty() {
                    format!("`{}` takes no blocks", sch.name)
                } else {
                    format!("`{}` takes: {}", sch.name, cands.join(", "))
                }
            });
            let code = if sch.name == "stack" { "E0208" } else { "E0200" };
            self.error(code, kloc, format!("unknown block `{}` in `{}`", kind.name, sch.name)).hint = Some(hint);
            return;
        };
        self.check_label(inner, bd);
        if !bd.many {
            if let Some((_, prev)) = rec.blocks.iter().find(|(k, _)| *k == bd.kind) {
                let p = self.path(prev.loc);
                let ps = self.head(prev).span;
                self.error("E0101", kloc, format!("`{}` appears twice in `{}`", bd.kind, sch.name)).with_related_mut(&p, ps, "first here");
                return;
            }
        }
        if inner.value.is_some() {
            self.error("E0201", kloc, format!("`{}` takes a `{{ … }}` body, not `= …`", bd.kind));
            return;
        }
        let r = self.record(inner, bd.schema, bd.kind);
        rec.blocks.push((bd.kind, r));
    }

    fn check_label(&mut self, b: &BlockVal, bd: &BlockDef) {
        let kspan = b.kind.as_ref().map(|k| k.span).unwrap_or(b.loc.span);
        match (bd.label, &b.label) {
            (LabelRule::Required, None) => {
                self.error("E0202", Loc { file: b.loc.file, span: kspan }, format!("`{}` needs a name", bd.kind)).hint =
                    Some(format!("write `{} name {{ … }}`", bd.kind));
            }
            (LabelRule::None, Some((l, span))) => {
                self.error("E0201", Loc { file: b.loc.file, span: *span }, format!("`{}` takes no name, found `{l}`", bd.kind)).hint =
                    Some(format!("write `{} {{ … }}`", bd.kind));
            }
            _ => {}
        }
    }

    /// Freeform settings → nested JSON.
    fn settings(&mut self, b: &BlockVal, out: &mut Settings) {
        for it in &b.items {
            match it {
                Item::Field { path, value, .. } => {
                    let Some(j) = self.json(value) else { continue };
                    let keys: Vec<String> = path.iter().map(|p| p.name.clone()).collect();
                    insert_path(out, &keys, j);
                }
                Item::Block(inner) => {
                    let name = inner.kind.as_ref().map(|k| k.name.clone()).unwrap_or_default();
                    let mut sub = Settings::new();
                    self.settings(inner, &mut sub);
                    let e = out.entry(name).or_insert_with(|| serde_json::json!({}));
                    if let Some(obj) = e.as_object_mut() {
                        for (k, v) in sub {
                            obj.insert(k, v);
                        }
                    }
                }
                Item::Value(v) => {
                    self.error("E0201", v.loc, "settings take `key = value` entries");
                }
            }
        }
    }

    fn json(&mut self, v: &V) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match &v.val {
            Val::Str(s) => J::String(s.clone()),
            Val::Num(n) => serde_json::Number::from_f64(*n).map(|n| {
                if let Some(i) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15) {
                    J::from(i as i64)
                } else {
                    J::Number(n)
                }
            })?,
            Val::Bool(b) => J::Bool(*b),
            Val::Qty { text, .. } => J::String(text.clone()),
            Val::Addr(a) => J::String(a.clone()),
            Val::Sym(s) => J::String(s.clone()),
            Val::Query(q) => J::String(q.text.clone()),
            Val::List(xs) => J::Array(xs.iter().filter_map(|x| self.json(x)).collect()),
            Val::Map(kvs) => {
                let mut m = serde_json::Map::new();
                for (k, x) in kvs.iter() {
                    let k = match &k.val {
                        Val::Str(s) | Val::Sym(s) => s.clone(),
                        _ => continue,
                    };
                    if let Some(j) = self.json(x) {
                        m.insert(k, j);
                    }
                }
                J::Object(m)
            }
            Val::Block(b) => {
                let mut s = Settings::new();
                self.settings(b, &mut s);
                J::Object(s.into_iter().collect())
            }
            Val::Secret(_) => {
                self.error("E0206", v.loc, "a secret cannot go into freeform settings").hint =
                    Some("use the component's own secret fields, which are written by reference".into());
                return None;
            }
            Val::Error => return None,
            other => {
                let t = other.type_name();
                self.error("E0201", v.loc, format!("{t} cannot go into settings"));
                return None;
            }
        })
    }

    /// A unit literal's checked value, or its E0203 diagnostic.
    fn unit<T>(&mut self, v: &V, parsed: Result<T, types::UnitError>, wrap: fn(T) -> CV) -> Option<CV> {
        match parsed {
            Ok(x) => Some(wrap(x)),
            Err(e) => {
                self.error("E0203", v.loc, e.message).hint = Some(e.hint);
                None
            }
        }
    }

    /// Check one value against a type.
    fn value(&mut self, v: &V, ty: &Ty, field: &str) -> Option<CV> {
        let mismatch = |ck: &mut Self, v: &V| {
            let found = v.val.type_name();
            let d = ck.error("E0201", v.loc, format!("`{field}` expects {}, found {found}", ty.describe()));
            d.hint = match (&v.val, ty) {
                (Val::Num(n), Ty::Duration) => Some(format!("add a unit: `{}s`, `{}m`, `{}d`", fmt(*n), fmt(*n), fmt(*n))),
                (Val::Num(n), Ty::Bytes) => Some(format!("add a unit: `{}MiB`, `{}GiB`", fmt(*n), fmt(*n))),
                (Val::Str(s), Ty::Duration | Ty::Bytes | Ty::Port | Ty::Int | Ty::Num | Ty::Bool) => Some(format!("remove the quotes: `{s}`")),
                (Val::Sym(s), Ty::Str | Ty::StrOrSecret) => Some(format!("`{s}` names nothing in scope; quote it for text: \"{s}\"")),
                (Val::Str(_), Ty::Secret) => {
                    Some("write `secret.file(\"/run/secrets/…\")` or `secret.env(\"NAME\")`; literal secrets never go into generated files".into())
                }
                (Val::Secret(_), Ty::Str) => Some("this field takes plain text; a secret is never turned into text".into()),
                _ => None,
            };
            if matches!(v.val, Val::Secret(_)) {
                d.code = "E0206";
            }
        };
        if matches!(v.val, Val::Error) {
            return None;
        }
        Some(match ty {
            Ty::Str => match &v.val {
                Val::Str(s) => CV::Str(s.clone()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Word => match &v.val {
                Val::Str(s) | Val::Sym(s) => CV::Str(s.clone()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::StrOrSecret => match &v.val {
                Val::Str(s) => CV::StrOrSecret(StrOrSecret::Plain(s.clone())),
                Val::Secret(s) => CV::StrOrSecret(StrOrSecret::Secret { secret: s.clone() }),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Secret => match &v.val {
                Val::Secret(s) => CV::Secret(s.clone()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Bool => match &v.val {
                Val::Bool(b) => CV::Bool(*b),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Num => match &v.val {
                Val::Num(n) => CV::Num(*n),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Int => match &v.val {
                Val::Num(n) if n.fract() == 0.0 => CV::Int(*n as i64),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Port => match &v.val {
                Val::Num(n) if n.fract() == 0.0 && *n >= 1.0 && *n <= 65535.0 => CV::Port(*n as u16),
                Val::Num(n) => {
                    self.error("E0204", v.loc, format!("port {} is out of range", fmt(*n))).hint = Some("ports are 1–65535".into());
                    return None;
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Addr => match &v.val {
                Val::Addr(a) => CV::Addr(a.clone()),
                Val::Str(s) if s.parse::<std::net::Ipv4Addr>().is_ok() => CV::Addr(s.clone()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Duration => match &v.val {
                Val::Qty { value, unit, text } => return self.unit(v, types::duration(*value, unit, text), CV::Dur),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Bytes => match &v.val {
                Val::Qty { value, unit, text } => return self.unit(v, types::bytes(*value, unit, text), CV::Bytes),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Cpu => match &v.val {
                Val::Qty { value, unit, text } => return self.unit(v, types::cpu(*value, unit, text), CV::Cpu),
                Val::Num(n) => CV::Cpu(ir::Cpu((*n * 1000.0) as u64)),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Enum(allowed) => match &v.val {
                Val::Sym(s) if allowed.contains(&s.as_str()) => CV::Sym(s.clone()),
                Val::Sym(s) | Val::Str(s) => {
                    let hint = did_you_mean(s, allowed.iter().copied()).unwrap_or_else(|| format!("one of: {}", allowed.join(", ")));
                    let quoted = matches!(v.val, Val::Str(_)) && allowed.contains(&s.as_str());
                    let d = self.error("E0205", v.loc, format!("`{s}` is not a valid `{field}`"));
                    d.hint = Some(if quoted { format!("write it without quotes: `{s}`") } else { hint });
                    return None;
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::ListOf(inner) => match &v.val {
                Val::List(xs) => CV::List(xs.iter().filter_map(|x| self.value(x, inner, field)).collect()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::StrMap => {
                let mut m = BTreeMap::new();
                match &v.val {
                    Val::Map(kvs) => {
                        for (k, x) in kvs.iter() {
                            let k = match &k.val {
                                Val::Str(s) | Val::Sym(s) => s.clone(),
                                _ => {
                                    self.error("E0201", k.loc, "map keys are names or strings");
                                    continue;
                                }
                            };
                            if let Some(CV::Str(s)) = self.value(x, &Ty::Str, field) {
                                m.insert(k, s);
                            }
                        }
                    }
                    Val::Block(b) if b.kind.is_none() => {
                        for it in &b.items {
                            if let Item::Field { path, value, .. } = it {
                                let k = path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                                let text = match &value.val {
                                    Val::Str(s) => Some(s.clone()),
                                    Val::Num(n) => Some(fmt(*n)),
                                    Val::Bool(b) => Some(b.to_string()),
                                    Val::Qty { text, .. } => Some(text.clone()),
                                    Val::Addr(a) => Some(a.clone()),
                                    _ => None,
                                };
                                match text {
                                    Some(t) => {
                                        m.insert(k, t);
                                    }
                                    None => {
                                        self.value(value, &Ty::Str, &k);
                                    }
                                }
                            }
                        }
                    }
                    _ => return mismatch(self, v).then_none(),
                }
                CV::Map(m)
            }
            Ty::Query(langs) => match &v.val {
                Val::Query(q) => {
                    if !langs.contains(&q.lang) {
                        let want: Vec<_> = langs.iter().map(|l| lang_name(*l)).collect();
                        self.error("E0201", v.loc, format!("`{field}` expects a {} query, found {}", want.join(" or "), lang_name(q.lang)));
                        return None;
                    }
                    self.check_query(q, v.loc);
                    CV::Query(q.clone(), v.loc)
                }
                Val::Str(_) => {
                    let d = self.error("E0201", v.loc, format!("`{field}` expects a query literal, found a string"));
                    d.hint = Some(format!(
                        "write it as {}`…` so it is checked",
                        format!("{:?}", langs[0]).to_lowercase()
                    ));
                    return None;
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Ref(_) => match &v.val {
                Val::Sym(s) | Val::Str(s) => CV::Ref(s.clone(), v.loc),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Thresholds => match &v.val {
                Val::Map(kvs) => {
                    let mut out = vec![ir::Threshold { value: None, color: "green".into() }];
                    for (k, c) in kvs.iter() {
                        let n = match k.val {
                            Val::Num(n) => n,
                            _ => {
                                self.error("E0201", k.loc, format!("a threshold step is a number, found {}", k.val.type_name()));
                                continue;
                            }
                        };
                        let color = match &c.val {
                            Val::Sym(s) | Val::Str(s) if schema::COLORS.contains(&s.as_str()) || s.starts_with('#') => s.clone(),
                            Val::Sym(s) | Val::Str(s) => {
                                let d = self.error("E0205", c.loc, format!("`{s}` is not a colour Grafana knows"));
                                d.hint = Some(did_you_mean(s, schema::COLORS.iter().copied()).unwrap_or_else(|| "use a named colour or `#rrggbb`".into()));
                                continue;
                            }
                            other => {
                                self.error("E0201", c.loc, format!("a threshold colour is a name, found {}", other.type_name()));
                                continue;
                            }
                        };
                        out.push(ir::Threshold { value: Some(ir::Num(n)), color });
                    }
                    CV::Thresholds(out)
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Variable => match &v.val {
                Val::Ctor { name, args } if ["query", "custom", "interval", "datasource", "constant"].contains(name) => {
                    CV::Variable(name, args.clone())
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Record(sch) => match &v.val {
                Val::Block(b) if b.kind.is_none() => CV::Record(self.record(b, sch, sch.name)),
                _ => return mismatch(self, v).then_none(),
            },
        })
    }

    /// Check a query literal's syntax (PromQL with `promql-parser`; LogQL/TraceQL: balance).
    fn check_query(&mut self, q: &QueryVal, loc: Loc) {
        match q.lang {
            QueryLang::Promql => {
                // Grafana variables ($var, ${var}, $__interval) are not PromQL: substitute
                // something of the same length that parses, so positions stay right.
                let text = grafana_vars_to_placeholders(&q.text);
                if let Some(msg) = promql_parse_error(self.db, PromqlText::new(self.db, text)) {
                    let (span, detail, hint) = promql_error(msg, q, loc);
                    let d = self.error("E0400", Loc { file: loc.file, span }, format!("invalid PromQL: {}", detail.trim()));
                    d.hint = hint;
                } else if let Some((off, len)) = unitless_range(&q.text) {
                    // the parser takes `[10]` as seconds; gstack asks for the unit, as it
                    // does for its own durations, so `[10]` meant as minutes is caught
                    let inner = q.text[off + 1..off + len - 1].trim().to_string();
                    let span = q.span_of(off).map(|s| Span { start: s.start, end: s.start + len as u32 }).unwrap_or(loc.span);
                    let d = self.error("E0400", Loc { file: loc.file, span }, format!("PromQL range `[{inner}]` has no unit"));
                    d.hint = Some(format!("write `[{inner}s]` or `[{inner}m]`: durations in gstack always carry their unit"));
                }
            }
            QueryLang::Logql | QueryLang::Traceql => {
                if let Some((off, msg)) = balance(&q.text) {
                    let span = q.span_of(off).unwrap_or(loc.span);
                    let code = if q.lang == QueryLang::Logql { "E0401" } else { "E0402" };
                    self.error(code, Loc { file: loc.file, span }, format!("invalid {}: {msg}", lang_name(q.lang)));
                } else if q.lang == QueryLang::Logql && !q.text.contains('{') {
                    self.error("E0401", loc, "invalid LogQL: a query needs a stream selector like `{job=\"x\"}`").hint =
                        Some("start with the streams to read, then filter: logql`{service=\"app\"} |= \"error\"`".into());
                }
            }
            QueryLang::Sql => {}
        }
    }

    // ---- lowering --------------------------------------------------------------------------

    /// Check a declaration that needs nothing outside itself (see [`FileChecked`]); `None`
    /// for every other declaration, which [`Checker::lower`] checks with the whole stack.
    fn local(&mut self, d: &BlockVal) -> Option<Lowered> {
        let kind = d.kind.as_ref()?;
        if d.label.is_none() || d.value.is_some() {
            return None;
        }
        let (_, sch) = schema::TOP_LEVEL.iter().find(|(k, _)| *k == kind.name)?;
        match kind.name.as_str() {
            "dashboard" => {
                let r = self.record(d, sch, "dashboard");
                let (dash, loc, refs) = self.dashboard(&r);
                Some(Lowered::Dashboard(Arc::new(dash), loc, Arc::new(refs)))
            }
            "alert" | "log_alert" => {
                let r = self.record(d, sch, &kind.name);
                let a = self.alert(&r);
                Some(Lowered::Alert(a, Loc { file: r.loc.file, span: r.label_span() }))
            }
            _ => None,
        }
    }

    /// The [`Checker::local`] result of a declaration: memoised by [`check_file`] when there is
    /// one (its diagnostics replayed), computed here otherwise.
    fn local_or_memo(&mut self, d: &BlockVal, memo: Option<&Arc<Local>>) -> Option<Lowered> {
        match memo {
            Some(l) => {
                self.diags.extend(l.diags.iter().cloned());
                Some(l.lowered.clone())
            }
            None => self.local(d),
        }
    }

    /// Lower every declaration of the stack. `pre[i]` is `decls[i]`'s memoised local result,
    /// when there is one (`pre` is shorter or empty when nothing is memoised).
    fn lower(&mut self, decls: &[Arc<BlockVal>], pre: &[Option<Arc<Local>>], root: SourceFile) -> Option<ir::Stack> {
        let mut stack_rec: Option<Rec> = None;
        let mut datasources = vec![];
        let mut dashboards = vec![];
        let mut alerts = vec![];
        let mut log_alerts = vec![];
        let mut rule_imports: Vec<(ir::RuleImport, Loc)> = vec![];
        // `import_dashboard(…)` calls by dashboard name: (call, path as written)
        let mut dashboard_imports: HashMap<String, (Loc, String)> = HashMap::new();
        let mut targets: Vec<(String, Rec)> = vec![];
        let mut names: HashMap<(String, String), Loc> = HashMap::new();

        for (i, d) in decls.iter().enumerate() {
            let memo = pre.get(i).and_then(Option::as_ref);
            let kind = d.kind.as_ref().unwrap();
            let kloc = Loc { file: d.loc.file, span: kind.span };
            let Some((_, sch)) = schema::TOP_LEVEL.iter().find(|(k, _)| *k == kind.name) else {
                let hint = did_you_mean(&kind.name, schema::TOP_LEVEL.iter().map(|(k, _)| *k)).unwrap_or_else(|| {
                    format!("declarations: {}", schema::TOP_LEVEL.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "))
                });
                self.error("E0208", kloc, format!("unknown declaration `{}`", kind.name)).hint = Some(hint);
                continue;
            };
            let Some((label, lspan)) = d.label.clone() else {
                self.error("E0202", kloc, format!("`{}` needs a name", kind.name)).hint = Some(format!("write `{} name {{ … }}`", kind.name));
                continue;
            };
            // duplicate names per kind
            let key = (kind.name.clone(), label.clone());
            let lloc = Loc { file: d.loc.file, span: lspan };
            if let Some(prev) = names.get(&key) {
                let p = self.path(*prev);
                let ps = prev.span;
                self.error("E0101", lloc, format!("{} `{label}` is declared twice", kind.name)).with_related_mut(&p, ps, "first declared here");
                continue;
            }
            names.insert(key, lloc);
            match kind.name.as_str() {
                "target" => {
                    let Some((_, tsch)) = schema::TARGETS.iter().find(|(k, _)| *k == label) else {
                        let hint = did_you_mean(&label, schema::TARGETS.iter().map(|(k, _)| *k))
                            .unwrap_or_else(|| "targets: native, systemd, compose, kubernetes, helm".into());
                        self.error("E0205", lloc, format!("unknown target `{label}`")).hint = Some(hint);
                        continue;
                    };
                    let r = self.record(d, tsch, tsch.name);
                    targets.push((label, r));
                }
                "dashboard" | "rules" if d.value.is_some() => {
                    let v = d.value.clone().unwrap();
                    let want = if kind.name == "dashboard" { "import_dashboard" } else { "import_rules" };
                    match &v.val {
                        Val::Ctor { name, args } if *name == want => {
                            if let Some(p) = self.import_path(&args[0], d.loc.file) {
                                let shown = match &args[0].val {
                                    Val::Str(s) => s.clone(),
                                    _ => p.clone(),
                                };
                                if kind.name == "dashboard" {
                                    let (dash, loc, refs) = imported_dashboard(&label, &p, lloc);
                                    dashboards.push((Arc::new(dash), loc, Arc::new(refs)));
                                    dashboard_imports.insert(label, (v.loc, shown));
                                } else {
                                    let text = self.import_rules(&label, &p, &shown, v.loc).unwrap_or_default();
                                    rule_imports.push((ir::RuleImport { name: label, path: p, text }, v.loc));
                                }
                            }
                        }
                        Val::Error => {}
                        other => {
                            let t = other.type_name();
                            self.error("E0201", v.loc, format!("`{} {label} = …` expects `{want}(\"file\")`, found {t}", kind.name));
                        }
                    }
                }
                "rules" => {
                    self.error("E0201", kloc, "`rules` is declared as `rules name = import_rules(\"file.yml\")`");
                }
                _ if d.value.is_some() => {
                    self.error("E0201", kloc, format!("`{}` takes a `{{ … }}` body, not `= …`", kind.name));
                }
                "stack" => {
                    let r = self.record(d, sch, "stack");
                    if let Some(prev) = &stack_rec {
                        let p = self.path(prev.loc);
                        let ps = prev.label_span();
                        self.error("E0101", lloc, "a build has exactly one `stack`").with_related_mut(&p, ps, "the stack is declared here");
                    } else {
                        stack_rec = Some(r);
                    }
                }
                "datasource" => {
                    let r = self.record(d, sch, "datasource");
                    datasources.push(r);
                }
                "dashboard" | "alert" | "log_alert" => match self.local_or_memo(d, memo) {
                    Some(Lowered::Dashboard(dash, loc, refs)) => dashboards.push((dash, loc, refs)),
                    Some(Lowered::Alert(Some(a), loc)) if kind.name == "alert" => alerts.push((a, loc)),
                    Some(Lowered::Alert(Some(a), loc)) => log_alerts.push((a, loc)),
                    _ => {}
                },
                _ => {}
            }
        }

        let Some(st) = stack_rec else {
            let root_path = root.path(self.db).clone();
            // a root file with syntax errors may well declare its stack in the broken part
            let root_broken = !db::parse(self.db, root).diags.is_empty();
            if !root_broken && (!decls.is_empty() || self.diags.is_empty()) {
                self.diags.push(
                    Diagnostic::error("E0202", &root_path, Span::new(0, 0), "no `stack` is declared")
                        .with_hint("declare one: `stack name { prometheus {} grafana {} }`"),
                );
            }
            return None;
        };

        let comp = |k: &str| st.blocks_of(k).next().cloned();
        let grafana = comp("grafana").map(|r| self.grafana(&r));
        let mut prometheus = comp("prometheus").map(|r| self.prometheus(&r));
        let loki = comp("loki").map(|r| ir::Loki {
            version: r.str_or("version", "3.6"),
            listen: "127.0.0.1".into(),
            port: r.port("port", 3100),
            grpc_port: r.port("grpc_port", 9096),
            retention: r.dur_or("retention", 31 * 86400),
            settings: r.settings.clone(),
        });
        let tempo_rec = comp("tempo");
        let tempo = tempo_rec.as_ref().map(|r| ir::Tempo {
            version: r.str_or("version", "2.9"),
            listen: "127.0.0.1".into(),
            port: r.port("port", 3200),
            grpc_port: r.port("grpc_port", 9095),
            otlp_grpc_port: r.port("otlp_grpc_port", 4317),
            otlp_http_port: r.port("otlp_http_port", 4318),
            retention: r.dur_or("retention", 14 * 86400),
            generator: r
                .strs("generator")
                .iter()
                .map(|g| match g.as_str() {
                    "service_graphs" => ir::GeneratorProcessor::ServiceGraphs,
                    "span_metrics" => ir::GeneratorProcessor::SpanMetrics,
                    _ => ir::GeneratorProcessor::LocalBlocks,
                })
                .collect(),
            settings: r.settings.clone(),
        });
        let alertmanager = comp("alertmanager").and_then(|r| self.alertmanager(&r));
        let node_exporter = comp("node_exporter").map(|r| ir::NodeExporter {
            version: r.str_or("version", "1.9"),
            listen: "127.0.0.1".into(),
            port: r.port("port", 9100),
            collectors: r.strs("collectors"),
            settings: r.settings.clone(),
        });

        // Tempo's generator needs Prometheus with the remote-write receiver.
        if let (Some(t), Some(tr)) = (&tempo, &tempo_rec) {
            if !t.generator.is_empty() {
                match prometheus.as_mut() {
                    Some(p) => p.remote_write_receiver = true,
                    None => {
                        let loc = tr.fields.get("generator").map(|(_, l)| *l).unwrap_or(tr.loc);
                        self.error("E0300", loc, "Tempo's metrics generator writes to Prometheus, which this stack does not enable").hint =
                            Some("add `prometheus {}` to the stack, or remove `generator`".into());
                    }
                }
            }
        }

        let on = |c: Component| match c {
            Component::NodeExporter => node_exporter.is_some(),
            Component::Alertmanager => alertmanager.is_some(),
            Component::Prometheus => prometheus.is_some(),
            Component::Loki => loki.is_some(),
            Component::Tempo => tempo.is_some(),
            Component::Grafana => grafana.is_some(),
        };
        let enabled: Vec<&str> = Component::ALL.into_iter().filter(|c| on(*c)).map(Component::name).collect();

        // datasources
        let mut ds_ir = vec![];
        for r in &datasources {
            let kind = r.sym("type").unwrap_or_default();
            ds_ir.push(ir::Datasource {
                name: r.label(),
                uid: r.str("uid").unwrap_or_else(|| uid_from(&r.label())),
                kind,
                url: r.str_or("url", ""),
                database: r.str("database"),
                user: r.str("user"),
                password: r.secret("password"),
                is_default: r.bool("default"),
                settings: r.settings.clone(),
            });
        }
        // datasource name → type (the stack's components Grafana queries + declared), and the
        // resolved references backends write
        let mut ds_types: BTreeMap<String, String> = BTreeMap::new();
        let mut datasource_refs: BTreeMap<String, ir::DsRef> = BTreeMap::new();
        for (c, f) in Component::datasources() {
            if on(c) {
                ds_types.insert(c.name().to_string(), f.plugin.to_string());
                datasource_refs.insert(c.name().to_string(), ir::DsRef { kind: f.plugin.into(), uid: c.name().into() });
            }
        }
        for d in &ds_ir {
            ds_types.insert(d.name.clone(), d.kind.clone());
            datasource_refs.insert(d.name.clone(), ir::DsRef { kind: d.kind.clone(), uid: d.uid.clone() });
        }

        // dashboards: imports, references, uids
        let stack_ds = imports::Datasources::new(&enabled, &ds_ir);
        let mut uids: HashMap<String, (String, Loc)> = HashMap::new();
        let mut dash_ir = vec![];
        for (mut dash, loc, refs) in dashboards {
            if let ir::DashboardSource::Imported { path, .. } = dash.source.clone() {
                if let Some((call, shown)) = dashboard_imports.get(&dash.name).cloned() {
                    self.import_dashboard(Arc::make_mut(&mut dash), &path, &shown, call, &stack_ds);
                }
            }
            for rf in refs.iter() {
                self.check_ref(rf, &ds_types, &enabled);
            }
            if let Some((other, ploc)) = uids.get(&dash.uid) {
                let p = self.path(*ploc);
                let ps = ploc.span;
                let other = other.clone();
                self.error("E0101", loc, format!("dashboard uid `{}` is also used by `{other}`", dash.uid))
                    .with_related_mut(&p, ps, "the other dashboard");
            } else {
                uids.insert(dash.uid.clone(), (dash.name.clone(), loc));
            }
            dash_ir.push(dash);
        }

        // alerts need their evaluator
        if let (Some((_, loc)), false) = (rule_imports.first(), enabled.contains(&"prometheus")) {
            self.error("E0300", *loc, "imported rules are evaluated by prometheus, which the stack does not enable").hint =
                Some("add `prometheus {}` to the stack".into());
        }
        for (list, comp_name) in [(&alerts, "prometheus"), (&log_alerts, "loki")] {
            if !list.is_empty() && !enabled.contains(&comp_name) {
                let loc = list[0].1;
                self.error("E0300", loc, format!("this rule is evaluated by {comp_name}, which the stack does not enable")).hint =
                    Some(format!("add `{comp_name} {{}}` to the stack"));
            }
        }

        // targets
        let mut tg = ir::Targets::default();
        let stack_name = st.label();
        for (kind, r) in &targets {
            let resources = r
                .blocks_of("resources")
                .map(|rr| {
                    let c = rr.label();
                    if !enabled.contains(&c.as_str()) {
                        let d = self.error("E0300", Loc { file: rr.loc.file, span: rr.label_span() }, format!("`{c}` is not a component of this stack"));
                        let mut names = enabled.clone();
                        names.sort();
                        d.hint = Some(did_you_mean(&c, enabled.iter().copied()).unwrap_or_else(|| format!("enabled: {}", names.join(", "))));
                    }
                    ir::Resources {
                        component: c,
                        cpu: match rr.get("cpu") {
                            Some(CV::Cpu(c)) => Some(*c),
                            _ => None,
                        },
                        memory: match rr.get("memory") {
                            Some(CV::Bytes(b)) => Some(*b),
                            _ => None,
                        },
                        storage: match rr.get("storage") {
                            Some(CV::Bytes(b)) => Some(*b),
                            _ => None,
                        },
                    }
                })
                .collect::<Vec<_>>();
            match kind.as_str() {
                "native" => {
                    tg.native = Some(ir::NativeTarget {
                        data_dir: r.str("data_dir").unwrap_or_else(|| format!("~/.local/share/gstack/{stack_name}")),
                        listen: match r.get("listen") {
                            Some(CV::Addr(a)) => a.clone(),
                            _ => "127.0.0.1".into(),
                        },
                        bin: r.map("bin"),
                    })
                }
                "systemd" => tg.systemd = Some(ir::SystemdTarget { user: r.bool("user"), data_dir: r.str("data_dir"), bin: r.map("bin") }),
                "compose" => {
                    tg.compose = Some(ir::ComposeTarget {
                        publish_on: match r.get("publish_on") {
                            Some(CV::Addr(a)) => a.clone(),
                            _ => "127.0.0.1".into(),
                        },
                        project: r.str("project"),
                        images: r.map("images"),
                        resources,
                    })
                }
                "kubernetes" => {
                    // a volume far smaller than the retention can plausibly need (64 MiB a day)
                    for rr in r.blocks_of("resources") {
                        // the component's retention field (facts table), as lowered
                        let retention = Component::from_name(&rr.label())
                            .filter(|c| on(*c) && c.facts().retention_field.is_some())
                            .and_then(|c| match c {
                                Component::Prometheus => prometheus.as_ref().map(|p| p.retention),
                                Component::Loki => loki.as_ref().map(|l| l.retention),
                                Component::Tempo => tempo.as_ref().map(|t| t.retention),
                                Component::NodeExporter | Component::Alertmanager | Component::Grafana => None,
                            });
                        if let (Some(ret), Some((CV::Bytes(size), loc))) = (retention, rr.fields.get("storage")) {
                            let days = (ret.millis / 86_400_000).max(1);
                            let need = days * (64 << 20);
                            if size.0 < need {
                                let d = self.error(
                                    "W0600",
                                    *loc,
                                    format!("{} of storage for {} of {} retention may fill up", ir::Bytes(size.0).to_k8s(), ret.to_prometheus(), rr.label()),
                                );
                                d.hint = Some(format!("plan at least {} (64Mi a day), or shorten the retention", ir::Bytes(need).to_k8s()));
                            }
                        }
                    }
                    let ingress = r.blocks_of("ingress").next().map(|i| ir::Ingress {
                        host: i.str_or("host", ""),
                        tls_secret: i.str("tls_secret"),
                        class: i.str("class"),
                    });
                    tg.kubernetes = Some(ir::KubernetesTarget {
                        namespace: r.str_or("namespace", "observability"),
                        storage_class: r.str("storage_class"),
                        ingress,
                        service_discovery: r.bool("service_discovery"),
                        images: r.map("images"),
                        resources,
                    })
                }
                "helm" => tg.helm = Some(ir::HelmTarget { chart: r.str_or("chart", &stack_name), version: r.str_or("version", "0.1.0") }),
                _ => {}
            }
        }

        let stack = ir::Stack {
            name: stack_name,
            doc: st.doc.clone(),
            grafana,
            prometheus,
            loki,
            tempo,
            alertmanager,
            node_exporter,
            datasources: ds_ir,
            datasource_refs,
            dashboards: dash_ir,
            alerts: alerts.into_iter().map(|a| a.0).collect(),
            log_alerts: log_alerts.into_iter().map(|a| a.0).collect(),
            rule_imports: rule_imports.into_iter().map(|(r, _)| r).collect(),
            grafana_alerts: self.grafana_alerts(decls, &enabled, &ds_types),
            targets: tg,
        };
        // port clashes on one host: every port field of the facts table
        let mut ports: Vec<(u16, &str, &str)> = vec![];
        for c in Component::ALL {
            for (f, p) in crate::programs::ports_of(&stack, c) {
                ports.push((p, c.name(), f.field));
            }
        }
        for i in 0..ports.len() {
            for j in 0..i {
                if ports[i].0 == ports[j].0 {
                    let (p, c, f) = ports[i];
                    let (_, c2, f2) = ports[j];
                    // point at a port the user wrote (a default has no place of its own), and
                    // show the other side too
                    let field = |f: &str| f.split(' ').next().unwrap().to_string();
                    let explicit = |c: &str, f: &str| st.blocks_of(c).next().and_then(|r| r.fields.get(field(f).as_str()).map(|(_, l)| *l));
                    let (li, lj) = (explicit(c, f), explicit(c2, f2));
                    let ((pc, pf, ploc), (oc, of, oloc)) = match (li, lj) {
                        (Some(_), _) | (None, None) => ((c, f, li), (c2, f2, lj)),
                        (None, Some(_)) => ((c2, f2, lj), (c, f, li)),
                    };
                    let ploc = ploc.unwrap_or_else(|| self.head(st.blocks_of(pc).next().unwrap_or(&st)));
                    let (orel, otext) = match oloc {
                        Some(l) => (l, format!("{oc} ({of}) is set to {p} here")),
                        None => (self.head(st.blocks_of(oc).next().unwrap_or(&st)), format!("{oc} ({of}) uses {p} by default")),
                    };
                    let opath = self.path(orel);
                    let d = self.error("E0500", ploc, format!("port {p} is used by both {c2} ({f2}) and {c} ({f})"));
                    d.with_related_mut(&opath, orel.span, &otext);
                    d.hint = Some(format!("set a different `{}` in `{pc}`", field(pf)));
                }
            }
        }

        Some(stack)
    }

    fn check_ref(&mut self, rf: &DsRef, ds_types: &BTreeMap<String, String>, enabled: &[&str]) {
        match rf {
            DsRef::Named { name, loc, lang } => match ds_types.get(name) {
                None => {
                    let (code, msg) = if Component::is_datasource(name) {
                        ("E0300", format!("datasource `{name}`: the stack does not enable {name}"))
                    } else {
                        ("E0301", format!("there is no datasource `{name}`"))
                    };
                    let d = self.error(code, *loc, msg);
                    d.hint = Some(did_you_mean(name, ds_types.keys().map(String::as_str)).unwrap_or_else(|| {
                        format!("datasources: {}", ds_types.keys().cloned().collect::<Vec<_>>().join(", "))
                    }));
                }
                Some(t) => {
                    if let Some(l) = lang {
                        if let Some(want) = Component::plugin_answering(*l) {
                            if want != t {
                                self.error("E0302", *loc, format!("datasource `{name}` is {t}, but the query is {}", lang_name(*l)));
                            }
                        }
                    }
                }
            },
            DsRef::Lang { lang, loc } => {
                if let Some(c) = Component::answering(*lang).map(Component::name) {
                    if !enabled.contains(&c) {
                        let d = self.error("E0300", *loc, format!("a {} query needs {c}, which the stack does not enable", lang_name(*lang)));
                        d.hint = Some(format!("add `{c} {{}}` to the stack, or set `datasource` to a declared {c} datasource"));
                    }
                } else {
                    self.error("E0202", *loc, format!("a {} query needs `datasource = …`", lang_name(*lang)));
                }
            }
        }
    }

    fn import_path(&mut self, v: &V, file: SourceFile) -> Option<String> {
        match &v.val {
            Val::Str(p) => {
                let base = file.path(self.db).parent().map(|p| p.to_path_buf()).unwrap_or_default();
                let full = db::normalize(&base.join(p));
                if !full.exists() && !file.path(self.db).starts_with("<std>") {
                    let d = self.error("E0102", v.loc, format!("cannot read `{p}`"));
                    d.hint = Some("paths are relative to the declaring file".into());
                    return None;
                }
                Some(full.display().to_string())
            }
            _ => {
                self.error("E0201", v.loc, format!("expected a file path string, found {}", v.val.type_name()));
                None
            }
        }
    }

    // ---- imported files (see [`imports`]) -------------------------------------------------

    /// The text of an imported file (through the database, so editors see it change).
    fn read_import(&mut self, path: &str, shown: &str, call: Loc) -> Option<String> {
        match self.db.load(std::path::Path::new(path)) {
            Some(f) => Some(f.text(self.db).clone()),
            None => {
                let d = self.error("E0102", call, format!("cannot read `{shown}` as text"));
                d.hint = Some("paths are relative to the declaring file".into());
                None
            }
        }
    }

    /// Read, check and describe an imported dashboard, and keep its JSON rewritten for the
    /// stack in the IR (written as it is by the Grafana backend).
    fn import_dashboard(&mut self, dash: &mut ir::Dashboard, path: &str, shown: &str, call: Loc, ds: &imports::Datasources) {
        let Some(text) = self.read_import(path, shown, call) else { return };
        let imp = match imports::rewrite_dashboard(&text, &dash.uid, ds) {
            Ok(imp) => imp,
            Err(why) => {
                let d = self.error("E0305", call, format!("`{shown}` is not a Grafana dashboard: {why}"));
                d.label = Some("imported here".into());
                d.hint = Some("export it from Grafana: the dashboard's Export → Export as JSON".into());
                return;
            }
        };
        if !imp.title.is_empty() {
            dash.title = imp.title.clone();
        }
        dash.source = ir::DashboardSource::Imported { path: path.to_string(), json: Arc::from(imp.to_text()) };
        dash.tags = imp.tags.clone();
        let name = dash.name.clone();
        let kinds = ds.kinds();
        for u in &imp.unmapped {
            let more = match u.count {
                1 => String::new(),
                2 => " and 1 more place".to_string(),
                n => format!(" and {} more places", n - 1),
            };
            let place = match u.panel.as_str() {
                "" => format!("at {}{more}", u.path),
                p => format!("in panel \"{p}\" at {}{more}", u.path),
            };
            let why = match &u.kind {
                Some(k) => format!("the stack has no {k} datasource"),
                None => "its type is unknown".to_string(),
            };
            let d = self.error("E0304", call, format!("dashboard `{name}`: {} cannot be mapped: {why}; used {place}", u.what));
            d.label = Some("imported here".into());
            d.hint = Some(match &u.kind {
                Some(k) if schema::DATASOURCE_TYPES.contains(&k.as_str()) => {
                    format!("declare one: `datasource {k} {{ type = {k}, url = \"…\" }}` (the stack has: {})", kinds.join(", "))
                }
                _ => format!("the stack's datasource types: {}; edit the file to use one of them", kinds.join(", ")),
            });
        }
        let problems: Vec<(String, String, String)> = imp
            .promql
            .iter()
            .filter_map(|t| imports::promql_problem(&t.expr, true).map(|p| (format!("panel \"{}\" ({})", t.panel, t.path), p, t.expr.clone())))
            .collect();
        self.promql_warnings(&format!("dashboard `{name}`"), problems, call, "Grafana still shows the dashboard; this query fails when it runs (Grafana's variables were substituted before parsing)");
    }

    /// Read and check an imported Prometheus rule file; its text (copied as it is by the
    /// backend), `None` when it cannot be read.
    fn import_rules(&mut self, name: &str, path: &str, shown: &str, call: Loc) -> Option<String> {
        let text = self.read_import(path, shown, call)?;
        let c = imports::check_rules(&text);
        const MAX: usize = 20;
        let n = c.errors.len();
        for e in c.errors.iter().take(MAX) {
            let d = self.error("E0306", call, format!("rules `{name}` (`{shown}`): {e}"));
            d.label = Some("imported here".into());
            d.hint = Some("Prometheus refuses a rule file with this problem; see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/".into());
        }
        if n > MAX {
            self.error("E0306", call, format!("rules `{name}`: {} more problems in `{shown}`", n - MAX));
        }
        let problems: Vec<(String, String, String)> =
            c.exprs.iter().filter_map(|x| imports::promql_problem(&x.expr, false).map(|p| (x.rule.clone(), p, x.expr.clone()))).collect();
        self.promql_warnings(
            &format!("rules `{name}`"),
            problems,
            call,
            "Prometheus does not load a rule file with an expression it cannot parse: fix the file unless this is syntax newer than gstackc's PromQL parser",
        );
        Some(text)
    }

    /// W0400 for PromQL of an imported file that does not parse (at most 20, then a count);
    /// `problems` are (where, what, expression).
    fn promql_warnings(&mut self, what: &str, problems: Vec<(String, String, String)>, call: Loc, hint: &str) {
        const MAX: usize = 20;
        let n = problems.len();
        for (at, p, expr) in problems.into_iter().take(MAX) {
            let mut expr = expr.split_whitespace().collect::<Vec<_>>().join(" ");
            if expr.chars().count() > 100 {
                expr = expr.chars().take(99).collect::<String>() + "…";
            }
            let d = self.error("W0400", call, format!("{what}: {at}: invalid PromQL: {p} in `{expr}`"));
            d.label = Some("imported here".into());
            d.hint = Some(hint.to_string());
        }
        if n > MAX {
            self.error("W0400", call, format!("{what}: {} more PromQL expressions do not parse", n - MAX));
        }
    }

    fn grafana(&mut self, r: &Rec) -> ir::Grafana {
        let (user, pw) = match r.get("admin") {
            Some(CV::Record(a)) => (a.str_or("user", "admin"), a.secret("password")),
            _ => ("admin".to_string(), None),
        };
        ir::Grafana {
            version: r.str_or("version", "12.2"),
            listen: "127.0.0.1".into(),
            port: r.port("port", 3000),
            admin_user: user,
            admin_password: pw,
            secret_key: r.secret("secret_key"),
            settings: r.settings.clone(),
            alerting: self.grafana_alerting(r),
        }
    }

    fn prometheus(&mut self, r: &Rec) -> ir::Prometheus {
        let mut scrapes = vec![];
        let mut seen: HashMap<String, Loc> = HashMap::new();
        for s in r.blocks_of("scrape") {
            if !self.first_of_name("scrape job", s, &mut seen) {
                continue;
            }
            let name = s.label();
            let targets = s.strs("targets");
            for (i, t) in targets.iter().enumerate() {
                if !valid_target(t) {
                    let loc = s.fields.get("targets").map(|(_, l)| *l).unwrap_or(s.loc);
                    let d = self.error("E0204", loc, format!("scrape target #{} `{t}` is not `host:port`", i + 1));
                    d.hint = Some("Prometheus 3 adds no default port: write `host:port`".into());
                }
            }
            scrapes.push(ir::Scrape {
                name,
                targets,
                interval: s.dur("interval"),
                timeout: s.dur("timeout"),
                metrics_path: s.str_or("metrics_path", "/metrics"),
                scheme: s.sym("scheme").unwrap_or_else(|| "http".into()),
                labels: s.map("labels"),
            });
        }
        ir::Prometheus {
            version: r.str_or("version", "3.5"),
            listen: "127.0.0.1".into(),
            port: r.port("port", 9090),
            retention: r.dur_or("retention", 15 * 86400),
            retention_size: match r.get("retention_size") {
                Some(CV::Bytes(b)) => Some(*b),
                _ => None,
            },
            scrape_interval: r.dur_or("scrape_interval", 15),
            evaluation_interval: r.dur_or("evaluation_interval", 15),
            scrapes,
            remote_write_receiver: r.bool("remote_write_receiver"),
            otlp_receiver: r.bool("otlp_receiver"),
            external_labels: r.map("external_labels"),
            settings: r.settings.clone(),
        }
    }

    fn alertmanager(&mut self, r: &Rec) -> Option<ir::Alertmanager> {
        let mut receivers = vec![];
        let mut seen: HashMap<String, Loc> = HashMap::new();
        for rc in r.blocks_of("receiver") {
            if !self.first_of_name("receiver", rc, &mut seen) {
                continue;
            }
            let name = rc.label();
            let sos = |k: &str| match rc.get(k) {
                Some(CV::StrOrSecret(s)) => Some(s.clone()),
                _ => None,
            };
            receivers.push(ir::Receiver {
                name,
                webhook: sos("webhook"),
                email: rc.str("email"),
                slack_channel: rc.str("slack_channel"),
                slack_webhook: sos("slack_webhook"),
            });
        }
        let names: Vec<String> = receivers.iter().map(|r| r.name.clone()).collect();
        let route = match r.blocks_of("route").next() {
            Some(rt) => self.route(rt, &names),
            None => {
                if receivers.is_empty() {
                    // a null receiver keeps Alertmanager valid
                    receivers.push(ir::Receiver { name: "null".into(), webhook: None, email: None, slack_channel: None, slack_webhook: None });
                }
                ir::Route {
                    receiver: receivers[0].name.clone(),
                    group_by: vec!["alertname".into()],
                    group_wait: None,
                    group_interval: None,
                    repeat_interval: None,
                    matchers: vec![],
                    continue_: false,
                    routes: vec![],
                }
            }
        };
        Some(ir::Alertmanager {
            version: r.str_or("version", "0.28"),
            listen: "127.0.0.1".into(),
            port: r.port("port", 9093),
            receivers,
            route,
            settings: r.settings.clone(),
        })
    }

    fn route(&mut self, rt: &Rec, receivers: &[String]) -> ir::Route {
        let receiver = match rt.get("receiver") {
            Some(CV::Ref(name, loc)) => {
                if !receivers.contains(name) {
                    let d = self.error("E0301", *loc, format!("there is no receiver `{name}`"));
                    d.hint = Some(did_you_mean(name, receivers.iter().map(String::as_str)).unwrap_or_else(|| {
                        if receivers.is_empty() {
                            "declare one: `receiver name { webhook = … }`".into()
                        } else {
                            format!("receivers: {}", receivers.join(", "))
                        }
                    }));
                }
                name.clone()
            }
            _ => String::new(),
        };
        ir::Route {
            receiver,
            group_by: rt.strs("group_by"),
            group_wait: rt.dur("group_wait"),
            group_interval: rt.dur("group_interval"),
            repeat_interval: rt.dur("repeat_interval"),
            matchers: rt.strs("matchers"),
            continue_: rt.bool("continue"),
            routes: rt.blocks_of("route").map(|c| self.route(c, receivers)).collect(),
        }
    }

    fn alert(&mut self, r: &Rec) -> Option<ir::AlertRule> {
        let expr = match r.get("expr") {
            Some(CV::Query(q, _)) => ir::Query { lang: q.lang, expr: q.text.clone() },
            _ => return None,
        };
        let (labels, annotations) = rule_labels(r);
        let default_group = if r.kind == "alert" { "gstack" } else { "gstack-logs" };
        Some(ir::AlertRule { name: r.label(), group: r.str_or("group", default_group), expr, for_: r.dur_or("for", 0), labels, annotations })
    }

    /// The `uid` of a dashboard or Grafana alert rule `r` (`what` names it in the message): as
    /// declared (E0204 unless 1–40 letters, digits, `-` and `_`, Grafana's limit), else derived
    /// from the declaration's name with [`uid_from`].
    fn uid(&mut self, r: &Rec, what: &str) -> String {
        match r.fields.get("uid") {
            Some((CV::Str(u), loc)) => {
                if u.len() > 40 || u.is_empty() || !u.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    let d = self.error("E0204", *loc, format!("{what} uid `{u}` is not valid"));
                    d.hint = Some("a uid has 1–40 characters: letters, digits, `-` and `_`".into());
                }
                u.clone()
            }
            _ => uid_from(&r.label()),
        }
    }

    /// Lower a dashboard; returns it with the datasource references to check once the stack is known.
    fn dashboard(&mut self, r: &Rec) -> (ir::Dashboard, Loc, Vec<DsRef>) {
        let name = r.label();
        let mut refs = vec![];
        let mut variables = vec![];
        let mut var_names: Vec<String> = vec![];
        let uid = self.uid(r, "dashboard");
        for var in &r.vars {
            match self.variable(var, &mut refs) {
                Some(v) => {
                    var_names.push(v.name().to_string());
                    variables.push(v);
                }
                None => {}
            }
        }
        let panels: Vec<ir::Panel> = r.panels.iter().map(|p| self.panel(p, &mut refs, &var_names)).collect();
        let rows = r
            .blocks_of("row")
            .map(|row| ir::Row {
                title: row.label(),
                collapsed: row.bool("collapsed"),
                panels: row.panels.iter().map(|p| self.panel(p, &mut refs, &var_names)).collect(),
            })
            .collect();
        (
            ir::Dashboard {
                name: name.clone(),
                uid,
                title: r.str("title").unwrap_or(name),
                folder: r.str("folder"),
                tags: r.strs("tags"),
                refresh: r.dur("refresh"),
                time_from: r.dur_or("time_from", 6 * 3600),
                timezone: r.sym("timezone").unwrap_or_else(|| "browser".into()),
                links: links(r),
                variables,
                panels,
                rows,
                source: ir::DashboardSource::Native,
            },
            Loc { file: r.loc.file, span: r.label_span() },
            refs,
        )
    }

    fn variable(&mut self, var: &VarDecl, refs: &mut Vec<DsRef>) -> Option<ir::Variable> {
        let name = var.name.clone();
        let (ctor, args) = match &var.value.val {
            Val::Ctor { name, args } => (*name, args.clone()),
            Val::Error => return None,
            other => {
                let t = other.type_name();
                let d = self.error("E0201", var.value.loc, format!("variable `{name}` expects {}, found {t}", Ty::Variable.describe()));
                d.hint = Some("e.g. `var job = query(prometheus, \"label_values(up, job)\")`".into());
                return None;
            }
        };
        let text = |ck: &mut Self, v: &V| -> Option<String> {
            match &v.val {
                Val::Str(s) => Some(s.clone()),
                Val::Query(q) => Some(q.text.clone()),
                Val::Qty { text, .. } => Some(text.clone()),
                Val::Num(n) => Some(fmt(*n)),
                Val::Error => None,
                other => {
                    let t = other.type_name();
                    ck.error("E0201", v.loc, format!("expected text, found {t}"));
                    None
                }
            }
        };
        let list = |ck: &mut Self, v: &V| -> Option<Vec<String>> {
            match &v.val {
                Val::List(xs) => xs.iter().map(|x| text(ck, x)).collect(),
                other => {
                    let t = other.type_name();
                    ck.error("E0201", v.loc, format!("expected a list, found {t}"));
                    None
                }
            }
        };
        Some(match ctor {
            "query" => {
                let ds = match &args[0].val {
                    Val::Sym(s) | Val::Str(s) => s.clone(),
                    other => {
                        let t = other.type_name();
                        self.error("E0201", args[0].loc, format!("expected a datasource name, found {t}"));
                        return None;
                    }
                };
                refs.push(DsRef::Named { name: ds.clone(), loc: args[0].loc, lang: None });
                ir::Variable::Query { name, datasource: ds, query: text(self, &args[1])?, multi: true, include_all: true }
            }
            "custom" => ir::Variable::Custom { name, values: list(self, &args[0])?, multi: true, include_all: false },
            "interval" => ir::Variable::Interval { name, values: list(self, &args[0])? },
            "datasource" => match &args[0].val {
                Val::Sym(s) | Val::Str(s) if schema::DATASOURCE_TYPES.contains(&s.as_str()) => ir::Variable::Datasource { name, plugin: s.clone() },
                _ => {
                    let d = self.error("E0205", args[0].loc, "`datasource(…)` takes a datasource type");
                    d.hint = Some(format!("one of: {}", schema::DATASOURCE_TYPES.join(", ")));
                    return None;
                }
            },
            "constant" => ir::Variable::Constant { name, value: text(self, &args[0])? },
            _ => return None,
        })
    }

    fn panel(&mut self, p: &Rec, refs: &mut Vec<DsRef>, vars: &[String]) -> ir::Panel {
        let mut queries: Vec<(Arc<QueryVal>, Loc)> = vec![];
        if let Some(CV::Query(q, l)) = p.get("query") {
            queries.push((q.clone(), *l));
        }
        if let Some((CV::List(qs), l)) = p.fields.get("queries") {
            for q in qs {
                if let CV::Query(q, _) = q {
                    queries.push((q.clone(), *l));
                }
            }
        }
        // the datasource: explicit, or the component answering the query language
        let ds = match p.get("datasource") {
            Some(CV::Ref(name, loc)) => {
                refs.push(DsRef::Named { name: name.clone(), loc: *loc, lang: queries.first().map(|q| q.0.lang) });
                Some(name.clone())
            }
            _ => match queries.first() {
                Some((q, l)) => {
                    refs.push(DsRef::Lang { lang: q.lang, loc: *l });
                    Component::answering(q.lang).map(|c| c.name().to_string())
                }
                None => None,
            },
        };
        // languages of several queries must agree
        if let Some((first, _)) = queries.first() {
            for (q, l) in &queries[1..] {
                if q.lang != first.lang {
                    self.error("E0302", *l, format!("a panel's queries share one datasource; found {} and {}", lang_name(first.lang), lang_name(q.lang)));
                }
            }
        }
        // dashboard variables used in queries must exist
        for (q, l) in &queries {
            for (off, v) in grafana_vars(&q.text) {
                if !vars.contains(&v) {
                    let span = q.span_of(off).map(|s| Span { start: s.start, end: s.start + v.len() as u32 + 1 }).unwrap_or(l.span);
                    let d = self.error("E0303", Loc { file: l.file, span }, format!("the dashboard has no variable `{v}`"));
                    d.hint = Some(did_you_mean(&v, vars.iter().map(String::as_str)).unwrap_or_else(|| {
                        format!("declare it: `var {v} = query(prometheus, \"label_values(…)\")`")
                    }));
                }
            }
        }
        if p.kind != "text" && queries.is_empty() {
            let d = self.error("E0202", Loc { file: p.loc.file, span: p.label_span() }, format!("this `{}` panel has no query", p.kind));
            d.hint = Some("add `query = promql`…`` (or logql/traceql/sql)".into());
        }
        if let Some((CV::Str(u), loc)) = p.fields.get("unit") {
            if !schema::UNITS.contains(&u.as_str()) && !u.starts_with("suffix:") && !u.starts_with("prefix:") {
                let d = self.error("E0205", *loc, format!("`{u}` is not a Grafana unit id"));
                d.hint = Some(did_you_mean(u, schema::UNITS.iter().copied()).unwrap_or_else(|| "see Grafana's unit list; `suffix:x` makes a custom unit".into()));
            }
        }
        let int = |k: &str| match p.get(k) {
            Some(CV::Int(i)) => Some(*i as u32),
            _ => None,
        };
        // a repeated panel repeats over a variable of its dashboard
        let repeat = match p.fields.get("repeat") {
            Some((CV::Str(v), loc)) => {
                if !vars.contains(v) {
                    let d = self.error("E0303", *loc, format!("the dashboard has no variable `{v}` to repeat over"));
                    d.hint = did_you_mean(v, vars.iter().map(String::as_str));
                }
                Some(v.clone())
            }
            _ => None,
        };
        let overrides = self.overrides(p);
        ir::Panel {
            kind: p.kind.clone(),
            title: p.label(),
            description: p.str("description"),
            datasource: ds,
            queries: queries.iter().map(|(q, _)| ir::Query { lang: q.lang, expr: q.text.clone() }).collect(),
            legend: p.str("legend"),
            unit: p.str("unit"),
            thresholds: match p.get("thresholds") {
                Some(CV::Thresholds(t)) => t.clone(),
                _ => vec![],
            },
            width: int("width"),
            height: int("height"),
            content: p.str("content"),
            options: p.settings.clone(),
            repeat,
            links: links(p),
            time_from: p.dur("time_from"),
            time_shift: p.dur("time_shift"),
            overrides,
        }
    }

    /// A panel's field overrides, with units and colours checked.
    fn overrides(&mut self, p: &Rec) -> Vec<ir::FieldOverride> {
        let mut out = vec![];
        for o in p.blocks_of("override") {
            let word = |ck: &mut Self, k: &str, allowed: &[&str], what: &str| -> Option<String> {
                let (cv, loc) = o.fields.get(k)?;
                let CV::Str(v) = cv else { return None };
                if !allowed.contains(&v.as_str()) && !v.starts_with('#') && !v.starts_with("suffix:") {
                    let d = ck.error("E0205", *loc, format!("`{v}` is not a {what}"));
                    d.hint = did_you_mean(v, allowed.iter().copied());
                }
                Some(v.clone())
            };
            let unit = word(self, "unit", schema::UNITS, "Grafana unit id");
            let color = word(self, "color", schema::COLORS, "colour Grafana knows");
            let num = |k: &str| match o.get(k) {
                Some(CV::Num(n)) => Some(ir::Num(*n)),
                _ => None,
            };
            out.push(ir::FieldOverride {
                field: o.label(),
                regex: o.bool("regex"),
                unit,
                color,
                display_name: o.str("display_name"),
                decimals: match o.get("decimals") {
                    Some(CV::Int(i)) => Some(*i),
                    _ => None,
                },
                min: num("min"),
                max: num("max"),
            });
        }
        out
    }
}

/// Links of a panel or dashboard (`links = [{ title, url }]`).
/// An alert rule's labels (`labels`, plus `severity`) and annotations (`summary`,
/// `description`), for Prometheus/Loki rules and Grafana-managed rules alike.
fn rule_labels(r: &Rec) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut labels = r.map("labels");
    if let Some(s) = r.sym("severity") {
        labels.insert("severity".into(), s);
    }
    let mut annotations = BTreeMap::new();
    for k in ["summary", "description"] {
        if let Some(s) = r.str(k) {
            annotations.insert(k.to_string(), s);
        }
    }
    (labels, annotations)
}

fn links(r: &Rec) -> Vec<ir::Link> {
    match r.get("links") {
        Some(CV::List(xs)) => xs
            .iter()
            .filter_map(|x| match x {
                CV::Record(l) => Some(ir::Link { title: l.str_or("title", ""), url: l.str_or("url", ""), new_tab: l.bool("new_tab") }),
                _ => None,
            })
            .collect(),
        _ => vec![],
    }
}

/// A datasource reference to resolve once the stack's components are known.
#[derive(Clone, Debug, PartialEq, Eq)]
enum DsRef {
    Named { name: String, loc: Loc, lang: Option<QueryLang> },
    Lang { lang: QueryLang, loc: Loc },
}

/// A dashboard variable declaration `var name = ctor(…)`.
#[derive(Clone, Debug)]
pub struct VarDecl {
    pub name: String,
    pub value: V,
}

trait ThenNone {
    fn then_none<T>(self) -> Option<T>;
}
impl ThenNone for () {
    fn then_none<T>(self) -> Option<T> {
        None
    }
}

trait RelatedMut {
    fn with_related_mut(&mut self, file: &std::path::Path, span: Span, msg: &str) -> &mut Self;
}
impl RelatedMut for Diagnostic {
    fn with_related_mut(&mut self, file: &std::path::Path, span: Span, msg: &str) -> &mut Self {
        self.related.push(crate::diag::Related {
            location: crate::diag::Location { file: file.to_path_buf(), span },
            message: msg.to_string(),
        });
        self
    }
}

fn fmt(n: f64) -> String {
    super::eval::fmt_num(n)
}

/// Insert `v` at the dotted `path` of a settings map, creating objects on the way.
fn insert_path(out: &mut Settings, path: &[String], v: serde_json::Value) {
    if path.len() == 1 {
        out.insert(path[0].clone(), v);
        return;
    }
    let e = out.entry(path[0].clone()).or_insert_with(|| serde_json::json!({}));
    if !e.is_object() {
        *e = serde_json::json!({});
    }
    let mut cur = e;
    for seg in &path[1..path.len() - 1] {
        let obj = cur.as_object_mut().expect("made an object above");
        cur = obj.entry(seg.clone()).or_insert_with(|| serde_json::json!({}));
        if !cur.is_object() {
            *cur = serde_json::json!({});
        }
    }
    cur.as_object_mut().expect("made an object above").insert(path[path.len() - 1].clone(), v);
}

fn merge_settings(into: &mut Settings, from: Settings) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(serde_json::Value::Object(a)), serde_json::Value::Object(b)) => {
                for (k2, v2) in b {
                    a.insert(k2, v2);
                }
            }
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

/// A Grafana uid from a declaration name: lower-case, `-` for other characters, at most 40.
pub use crate::ir::uid_from;

fn imported_dashboard(name: &str, path: &str, loc: Loc) -> (ir::Dashboard, Loc, Vec<DsRef>) {
    let d = ir::Dashboard {
        name: name.to_string(),
        uid: uid_from(name),
        title: name.to_string(),
        folder: None,
        tags: vec![],
        refresh: None,
        time_from: ir::Duration::from_secs(6 * 3600),
        timezone: "browser".into(),
        links: vec![],
        variables: vec![],
        panels: vec![],
        rows: vec![],
        source: ir::DashboardSource::Imported { path: path.to_string(), json: Arc::from("") },
    };
    (d, loc, vec![])
}

fn valid_target(t: &str) -> bool {
    match t.rsplit_once(':') {
        Some((host, port)) => !host.is_empty() && port.parse::<u16>().map_or(false, |p| p > 0),
        None => false,
    }
}

/// `$var`, `${var}`, `${var:fmt}` and `[[var]]` in a query, excluding Grafana's `$__` globals.
/// Returns (byte offset of `$`/`[[`, name).
pub fn grafana_vars(text: &str) -> Vec<(usize, String)> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = i;
            let mut j = i + 1;
            let braced = j < b.len() && b[j] == b'{';
            if braced {
                j += 1;
            }
            let ns = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            let name = &text[ns..j];
            if !name.is_empty() && !name.starts_with("__") && !name.chars().next().unwrap().is_ascii_digit() {
                out.push((start, name.to_string()));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Replace Grafana variables with placeholders PromQL accepts, keeping byte positions.
fn grafana_vars_to_placeholders(text: &str) -> String {
    let mut out = text.to_string();
    // `[$__rate_interval]` style ranges → `[5m]`-like durations of the same width
    for g in ["$__rate_interval", "$__interval", "$__range", "${__rate_interval}", "${__interval}", "${__range}"] {
        while let Some(p) = out.find(g) {
            // `0…01m`: one minute, padded with zeros to keep every position
            let rep = format!("{}1m", "0".repeat(g.len() - 2));
            out.replace_range(p..p + g.len(), &rep);
        }
    }
    // other variables: `"$x"` stays a string; bare `$x` becomes an identifier-ish token
    let mut bytes = out.into_bytes();
    for (off, name) in grafana_vars(&String::from_utf8_lossy(&bytes)) {
        bytes[off] = b'v';
        let _ = name;
    }
    let s = String::from_utf8(bytes).unwrap_or_default();
    s.replace("${", "v_{").replace("v{", "v_")
}

/// Where and what a PromQL parse error is: (span, message, hint).
fn promql_error(msg: &str, q: &QueryVal, loc: Loc) -> (Span, String, Option<String>) {
    // promql-parser reports no positions; point at the first plausible culprit.
    if let Some(p) = find_bad_range(&q.text) {
        if let Some(s) = q.span_of(p.0) {
            let range = &q.text[p.0..p.0 + p.1];
            return (Span { start: s.start, end: s.start + p.1 as u32 }, format!("range `{range}` is not a duration"), promql_hint(&q.text));
        }
    }
    // an unbalanced bracket explains the parser's complaint better than its own words
    if let Some((off, what)) = balance(&q.text) {
        if let Some(s) = q.span_of(off) {
            return (s, what, Some(format!("the PromQL parser reports: {}", msg.trim())));
        }
    }
    (loc.span, msg.to_string(), promql_hint(&q.text))
}

/// `text` with the inside of every quoted string blanked out (byte offsets kept).
fn mask_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q != '`' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    out.push(c);
                    continue;
                }
                out.extend(std::iter::repeat(' ').take(c.len_utf8()));
            }
            None => {
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// A range selector whose duration is a bare number (`[10]`, `[30:10]`): (offset, length).
/// String literals and `#` comments are skipped, so regex classes like `"[a-z]"` are not ranges.
fn unitless_range(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && q != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'[' => {
                let close = text[i..].find(']')? + i;
                let inner = &text[i + 1..close];
                let bare = |p: &str| {
                    let p = p.trim();
                    !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.')
                };
                if inner.split(':').any(bare) {
                    return Some((i, close + 1 - i));
                }
                i = close;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// [`unitless_range`] as a message, for imported PromQL.
pub(crate) fn unitless_range_problem(text: &str) -> Option<String> {
    unitless_range(text).map(|(off, len)| format!("range `{}` has no unit", &text[off..off + len]))
}

/// A range selector `[…]` whose duration Prometheus rejects: (offset, length).
fn find_bad_range(text: &str) -> Option<(usize, usize)> {
    // brackets inside label values (`=~"[a-z]+"`) are regex classes, not ranges
    let masked = mask_strings(text);
    let text = masked.as_str();
    let mut i = 0;
    while let Some(p) = text[i..].find('[') {
        let start = i + p;
        // an unclosed `[` is the bracket balance check's to report
        let Some(e) = text[start..].find(']') else { return None };
        let inner = &text[start + 1..start + e];
        let ok = inner.split(':').all(|part| {
            part.is_empty() || part.starts_with('$') || {
                let mut rest = part;
                let mut any = false;
                while !rest.is_empty() {
                    let d = rest.chars().take_while(|c| c.is_ascii_digit()).count();
                    if d == 0 {
                        return false;
                    }
                    rest = &rest[d..];
                    let u = ["ms", "s", "m", "h", "d", "w", "y"].iter().find(|u| rest.starts_with(**u) && !rest[u.len()..].starts_with(|c: char| c.is_ascii_alphabetic()));
                    match u {
                        Some(u) => rest = &rest[u.len()..],
                        None => return false,
                    }
                    any = true;
                }
                any
            }
        });
        if !ok {
            return Some((start, e + 1));
        }
        i = start + e + 1;
    }
    None
}

fn promql_hint(text: &str) -> Option<String> {
    if let Some((off, len)) = find_bad_range(text) {
        let inner = text.get(off + 1..off + len - 1).unwrap_or_default();
        if inner.contains("min") {
            return Some("PromQL durations use `m` for minutes: `[10m]`".into());
        }
        if inner.chars().all(|c| c.is_ascii_digit()) {
            return Some(format!("a range needs a unit: `[{inner}m]` or `[{inner}s]`"));
        }
        return Some("durations take units ms, s, m, h, d, w, y".into());
    }
    if let Some((_, m)) = balance(text) {
        return Some(m);
    }
    None
}

/// Check brackets and quotes balance; returns (offset, message) of the first problem.
pub fn balance(text: &str) -> Option<(usize, String)> {
    let mut stack: Vec<(char, usize)> = vec![];
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '`' | '\'' => {
                let q = c;
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' && q != '`' {
                        chars.next();
                        continue;
                    }
                    if d == q {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Some((i, format!("unclosed `{q}`")));
                }
            }
            '(' | '[' | '{' => stack.push((c, i)),
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match stack.pop() {
                    Some((o, _)) if o == want => {}
                    Some((o, oi)) => {
                        // point at the opener: the `}` it needs is what is missing
                        let close = match o {
                            '(' => ')',
                            '[' => ']',
                            _ => '}',
                        };
                        return Some((oi, format!("unclosed `{o}`: a `{c}` comes before its `{close}`")));
                    }
                    None => return Some((i, format!("unmatched `{c}`"))),
                }
            }
            _ => {}
        }
    }
    stack.pop().map(|(o, i)| (i, format!("unclosed `{o}`")))
}

// ---- Grafana-managed alerting ------------------------------------------------------------------
// Contact points, the notification policy, mute timings and templates of `grafana { … }`, and
// `grafana_alert` rules; written by `backends/grafana_alerting.rs`.

const WEEKDAYS: &[&str] = &["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS: &[&str] =
    &["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/// A problem with one entry of a mute timing list: (code, message, hint).
type EntryProblem = (&'static str, String, String);
/// One value of a mute timing entry: (its order, its text as written to the file).
type Ordered = (i64, String);

impl<'a> Checker<'a> {
    /// Whether an error was already reported inside `loc` (so a block whose fields were all
    /// wrong is not also reported as empty).
    fn errors_within(&self, loc: Loc) -> bool {
        let path = self.path(loc);
        self.diags.iter().any(|d| {
            d.is_error()
                && d.location.as_ref().is_some_and(|l| l.file == path && l.span.start >= loc.span.start && l.span.end <= loc.span.end)
        })
    }

    /// E0101 for a second block of the same name; returns whether `r` is the first.
    fn first_of_name(&mut self, what: &str, r: &Rec, seen: &mut HashMap<String, Loc>) -> bool {
        let name = r.label();
        let lloc = Loc { file: r.loc.file, span: r.label_span() };
        if let Some(prev) = seen.get(&name) {
            let p = self.path(*prev);
            let ps = prev.span;
            self.error("E0101", lloc, format!("{what} `{name}` is declared twice")).with_related_mut(&p, ps, "first here");
            return false;
        }
        seen.insert(name, lloc);
        true
    }

    fn grafana_alerting(&mut self, r: &Rec) -> ir::GrafanaAlerting {
        let mut out = ir::GrafanaAlerting::default();
        let mut seen = HashMap::new();
        let mut uids: HashMap<String, String> = HashMap::new();
        for cp in r.blocks_of("contact_point") {
            if !self.first_of_name("contact point", cp, &mut seen) {
                continue;
            }
            let name = cp.label();
            let lloc = Loc { file: cp.loc.file, span: cp.label_span() };
            let mut uid = uid_from(&name);
            uid.truncate(32);
            if let Some(other) = uids.get(&uid) {
                let d = self.error("E0101", lloc, format!("contact points `{other}` and `{name}` have the same uid `{uid}`"));
                d.hint = Some("uids are the names in lower case with `-` for other characters: rename one".into());
            }
            uids.insert(uid.clone(), name.clone());
            let webhook = match cp.get("webhook") {
                Some(CV::StrOrSecret(s)) => Some(s.clone()),
                _ => None,
            };
            let slack = match cp.get("slack") {
                Some(CV::Record(s)) => match s.get("url") {
                    Some(CV::StrOrSecret(u)) => Some(ir::SlackContact { url: u.clone(), channel: s.str("channel") }),
                    _ => None,
                },
                _ => None,
            };
            let email = cp.str("email");
            if webhook.is_none() && email.is_none() && slack.is_none() && !self.errors_within(cp.loc) {
                let d = self.error("E0202", lloc, format!("contact point `{name}` has no channel"));
                d.hint = Some("set `webhook = …`, `email = \"…\"` or `slack = { url = … }`".into());
            }
            out.contact_points.push(ir::ContactPoint { name, uid, webhook, email, slack });
        }

        let mut seen = HashMap::new();
        for mt in r.blocks_of("mute_timing") {
            if self.first_of_name("mute timing", mt, &mut seen) {
                out.mute_timings.push(self.mute_timing(mt));
            }
        }

        let mut seen = HashMap::new();
        for t in r.blocks_of("template") {
            if self.first_of_name("template", t, &mut seen) {
                out.templates.push(ir::NotificationTemplate { name: t.label(), content: t.str_or("content", "") });
            }
        }

        let cps: Vec<String> = out.contact_points.iter().map(|c| c.name.clone()).collect();
        let mts: Vec<String> = out.mute_timings.iter().map(|m| m.name.clone()).collect();
        out.policy = match r.blocks_of("policy").next() {
            Some(p) => Some(self.policy(p, &cps, &mts, true)),
            // as Alertmanager's route: the first contact point takes everything
            None => cps.first().map(|c| ir::NotificationPolicy {
                contact_point: Some(c.clone()),
                group_by: vec!["grafana_folder".into(), "alertname".into()],
                group_wait: None,
                group_interval: None,
                repeat_interval: None,
                matchers: vec![],
                mute_timings: vec![],
                continue_: false,
                routes: vec![],
            }),
        };
        out
    }

    fn policy(&mut self, p: &Rec, cps: &[String], mts: &[String], root: bool) -> ir::NotificationPolicy {
        let contact_point = match p.fields.get("contact_point") {
            Some((CV::Str(name), loc)) => {
                if !cps.contains(name) {
                    let d = self.error("E0301", *loc, format!("there is no contact point `{name}`"));
                    d.hint = Some(did_you_mean(name, cps.iter().map(String::as_str)).unwrap_or_else(|| {
                        if cps.is_empty() {
                            "declare one in `grafana { … }`: `contact_point name { webhook = … }`".into()
                        } else {
                            format!("contact points: {}", cps.join(", "))
                        }
                    }));
                }
                Some(name.clone())
            }
            _ => None,
        };
        let mut matchers = vec![];
        if let Some((CV::List(ms), loc)) = p.fields.get("matchers") {
            for (i, m) in ms.iter().enumerate() {
                let CV::Str(m) = m else { continue };
                match parse_matcher(m) {
                    Ok(x) => matchers.push(x),
                    Err(why) => {
                        let d = self.error("E0204", *loc, format!("matcher #{} `{m}` is not valid: {why}", i + 1));
                        d.hint = Some("write `label=value`, `label!=value`, `label=~\"regex\"` or `label!~\"regex\"`".into());
                    }
                }
            }
        }
        let mut mute_timings = vec![];
        if let Some((CV::List(xs), loc)) = p.fields.get("mute_timings") {
            for x in xs {
                let CV::Str(name) = x else { continue };
                if !mts.contains(name) {
                    let d = self.error("E0301", *loc, format!("there is no mute timing `{name}`"));
                    d.hint = Some(did_you_mean(name, mts.iter().map(String::as_str)).unwrap_or_else(|| {
                        if mts.is_empty() {
                            "declare one in `grafana { … }`: `mute_timing name { weekdays = [\"saturday\", \"sunday\"] }`".into()
                        } else {
                            format!("mute timings: {}", mts.join(", "))
                        }
                    }));
                }
                mute_timings.push(name.clone());
            }
        }
        let group_by = if root && !p.fields.contains_key("group_by") {
            vec!["grafana_folder".into(), "alertname".into()]
        } else {
            p.strs("group_by")
        };
        ir::NotificationPolicy {
            contact_point,
            group_by,
            group_wait: p.dur("group_wait"),
            group_interval: p.dur("group_interval"),
            repeat_interval: p.dur("repeat_interval"),
            matchers,
            mute_timings,
            continue_: p.bool("continue"),
            routes: p.blocks_of("route").map(|c| self.policy(c, cps, mts, false)).collect(),
        }
    }

    fn mute_timing(&mut self, mt: &Rec) -> ir::MuteTiming {
        let name = mt.label();
        // each list: its entries checked by `f`, problems reported at the list
        let list = |ck: &mut Self, field: &str, what: &str, f: &dyn Fn(&str) -> Result<String, EntryProblem>| -> Vec<String> {
            let loc = mt.fields.get(field).map(|(_, l)| *l).unwrap_or(mt.loc);
            let mut out = vec![];
            for (i, e) in mt.strs(field).iter().enumerate() {
                match f(e.trim()) {
                    Ok(v) => out.push(v),
                    Err((code, why, hint)) => {
                        let d = ck.error(code, loc, format!("mute timing `{name}`: {what} #{} `{e}` {why}", i + 1));
                        d.hint = Some(hint);
                    }
                }
            }
            out
        };
        let times = list(self, "times", "time range", &|t| {
            let bad = |why: &str| ("E0204", why.to_string(), "write a range of the day as \"HH:MM-HH:MM\", e.g. \"09:00-17:00\" (end up to \"24:00\")".to_string());
            let (a, b) = t.split_once('-').ok_or_else(|| bad("is not `HH:MM-HH:MM`"))?;
            let (a, b) = (clock(a.trim()).ok_or_else(|| bad("has a start that is not a time of day"))?, clock(b.trim()).ok_or_else(|| bad("has an end that is not a time of day"))?);
            if a.0 >= b.0 || a.0 >= 24 * 60 {
                return Err(bad("ends before it starts"));
            }
            Ok(format!("{}-{}", a.1, b.1))
        });
        let weekdays = list(self, "weekdays", "weekday", &|w| range_entry(w, &|x| named_or_number(x, WEEKDAYS, None, "weekday")));
        let days_of_month = list(self, "days_of_month", "day of the month", &|d| {
            range_entry(d, &|x| match x.parse::<i64>() {
                Ok(n) if (1..=31).contains(&n) || (-31..=-1).contains(&n) => Ok((n, n.to_string())),
                _ => Err(("E0204", "is not a day of the month".into(), "days are 1 to 31, or -1 (the last day) to -31".into())),
            })
        });
        let months = list(self, "months", "month", &|m| range_entry(m, &|x| named_or_number(x, MONTHS, Some(1), "month")));
        let years = list(self, "years", "year", &|y| {
            range_entry(y, &|x| match x.parse::<i64>() {
                Ok(n) if n > 0 => Ok((n, n.to_string())),
                _ => Err(("E0204", "is not a year".into(), "write years as \"2025\" or \"2025:2026\"".into())),
            })
        });
        let times = times
            .into_iter()
            .map(|t| {
                let (s, e) = t.split_once('-').unwrap_or_default();
                ir::TimeRange { start: s.to_string(), end: e.to_string() }
            })
            .collect();
        ir::MuteTiming { name, times, weekdays, days_of_month, months, years, location: mt.str("location") }
    }

    /// Lower every `grafana_alert` (each name once: the declaration loop reported the others).
    fn grafana_alerts(&mut self, decls: &[Arc<BlockVal>], enabled: &[&str], ds_types: &BTreeMap<String, String>) -> Vec<ir::GrafanaAlertRule> {
        let mut out: Vec<(ir::GrafanaAlertRule, Option<ir::Duration>)> = vec![];
        let mut seen: HashSet<String> = HashSet::new();
        let mut uids: HashMap<String, (String, Loc)> = HashMap::new();
        let mut titles: HashMap<(String, String), Loc> = HashMap::new();
        // (folder, group) → the first explicit interval: (interval, where, rule)
        let mut intervals: HashMap<(String, String), (ir::Duration, Loc, String)> = HashMap::new();
        for d in decls {
            let (Some(kind), Some((label, _)), None) = (&d.kind, &d.label, &d.value) else { continue };
            if kind.name != "grafana_alert" || !seen.insert(label.clone()) {
                continue;
            }
            let r = self.record(d, &schema::GRAFANA_ALERT, "grafana_alert");
            let lloc = Loc { file: r.loc.file, span: r.label_span() };
            // once, at the first rule
            if seen.len() == 1 && !enabled.contains(&"grafana") {
                let d = self.error("E0300", lloc, "this rule is evaluated by grafana, which the stack does not enable");
                d.hint = Some("add `grafana {}` to the stack, or write it as a Prometheus `alert`".into());
            }
            let Some((CV::Query(q, qloc), _)) = r.fields.get("query") else { continue };
            let datasource = match r.fields.get("datasource") {
                Some((CV::Ref(name, loc), _)) => {
                    self.check_ref(&DsRef::Named { name: name.clone(), loc: *loc, lang: Some(QueryLang::Promql) }, ds_types, enabled);
                    name.clone()
                }
                _ => {
                    self.check_ref(&DsRef::Lang { lang: QueryLang::Promql, loc: *qloc }, ds_types, enabled);
                    "prometheus".to_string()
                }
            };
            let name = r.label();
            let uid = self.uid(&r, "alert rule");
            if let Some((other, ploc)) = uids.get(&uid) {
                let (p, ps, other) = (self.path(*ploc), ploc.span, other.clone());
                self.error("E0101", lloc, format!("Grafana alert rule uid `{uid}` is also used by `{other}`")).with_related_mut(&p, ps, "the other rule");
            } else {
                uids.insert(uid.clone(), (name.clone(), lloc));
            }
            let title = r.str("title").unwrap_or_else(|| name.clone());
            let folder = r.str_or("folder", "Alerts");
            let group = r.str_or("group", "gstack");
            if let Some(ploc) = titles.get(&(folder.clone(), title.clone())) {
                let (p, ps) = (self.path(*ploc), ploc.span);
                self.error("E0101", lloc, format!("two Grafana alert rules in folder `{folder}` are titled `{title}`"))
                    .with_related_mut(&p, ps, "the other rule");
            } else {
                titles.insert((folder.clone(), title.clone()), lloc);
            }
            let mut explicit = None;
            if let Some((CV::Dur(iv), loc)) = r.fields.get("interval") {
                if iv.millis == 0 || iv.millis % 10_000 != 0 {
                    let d = self.error("E0204", *loc, format!("evaluation interval `{}` is not a positive multiple of 10s", iv.to_prometheus()));
                    d.hint = Some("Grafana evaluates rules on a 10s tick (`[unified_alerting] base_interval`): `30s`, `1m`, `5m`, …".into());
                } else {
                    let key = (folder.clone(), group.clone());
                    match intervals.get(&key) {
                        Some((other, oloc, oname)) if other != iv => {
                            let (p, ps) = (self.path(*oloc), oloc.span);
                            let msg = format!(
                                "this rule evaluates group `{group}` of folder `{folder}` every {}, but `{oname}` sets {}",
                                iv.to_prometheus(),
                                other.to_prometheus()
                            );
                            let d = self.error("E0204", *loc, msg);
                            d.with_related_mut(&p, ps, "the group's interval is set here");
                            d.hint = Some("rules of one group share its interval: set it once, or use another `group`".into());
                        }
                        Some(_) => {}
                        None => {
                            intervals.insert(key, (*iv, *loc, name.clone()));
                        }
                    }
                    explicit = Some(*iv);
                }
            }
            let (labels, annotations) = rule_labels(&r);
            let no_data = match r.sym("no_data").as_deref() {
                Some("alerting") => "Alerting",
                Some("ok") => "OK",
                Some("keep_last") => "KeepLast",
                _ => "NoData",
            };
            let exec_err = match r.sym("exec_err").as_deref() {
                Some("alerting") => "Alerting",
                Some("ok") => "OK",
                Some("keep_last") => "KeepLast",
                _ => "Error",
            };
            out.push((
                ir::GrafanaAlertRule {
                    name,
                    uid,
                    title,
                    folder,
                    group,
                    interval: ir::Duration::from_secs(60),
                    datasource,
                    query: ir::Query { lang: q.lang, expr: q.text.clone() },
                    for_: r.dur_or("for", 0),
                    no_data: no_data.into(),
                    exec_err: exec_err.into(),
                    labels,
                    annotations,
                },
                explicit,
            ));
        }
        // a rule without an interval takes its group's
        out.into_iter()
            .map(|(mut rule, explicit)| {
                rule.interval = explicit
                    .or_else(|| intervals.get(&(rule.folder.clone(), rule.group.clone())).map(|x| x.0))
                    .unwrap_or(ir::Duration::from_secs(60));
                rule
            })
            .collect()
    }
}

/// `HH:MM` (or `H:MM`) as (minutes since midnight, `HH:MM`); `24:00` is the end of the day.
fn clock(t: &str) -> Option<(u32, String)> {
    let (h, m) = t.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.chars().chain(m.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some((h * 60 + m, format!("{h:02}:{m:02}")))
}

/// An entry that is one value or a range `a:b` of values, each read by `one` as (order, text).
fn range_entry(e: &str, one: &dyn Fn(&str) -> Result<Ordered, EntryProblem>) -> Result<String, EntryProblem> {
    match e.split_once(':') {
        Some((a, b)) => {
            let (a, b) = (one(a.trim())?, one(b.trim())?);
            // days of the month may mix signs (`1:-1`: from the first to the last day)
            if (a.0 < 0) == (b.0 < 0) && a.0 > b.0 {
                return Err((
                    "E0204",
                    "is a range that ends before it starts".into(),
                    "a range runs from its first to its last value (weeks from sunday to saturday): split one that wraps around into two entries".into(),
                ));
            }
            Ok(format!("{}:{}", a.1, b.1))
        }
        None => one(e).map(|x| x.1),
    }
}

/// A weekday or month: its name (any case), or its number counted from `first` (months are
/// numbered from 1; Alertmanager reads weekdays by name only).
fn named_or_number(x: &str, names: &[&str], first: Option<i64>, what: &str) -> Result<(i64, String), EntryProblem> {
    let lower = x.to_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok((i as i64 + first.unwrap_or(0), lower));
    }
    match (x.parse::<i64>(), first) {
        (Ok(n), Some(lo)) if (lo..lo + names.len() as i64).contains(&n) => Ok((n, n.to_string())),
        (Ok(_), Some(lo)) => Err((
            "E0204",
            format!("is not a {what} number"),
            format!("{what}s are numbered {lo} to {}, or named: {}", lo + names.len() as i64 - 1, names.join(", ")),
        )),
        _ => Err((
            "E0205",
            format!("is not a {what}"),
            did_you_mean(&lower, names.iter().copied()).unwrap_or_else(|| format!("one of: {}", names.join(", "))),
        )),
    }
}

/// A label matcher `label op value` (op `=`, `!=`, `=~`, `!~`; the value may be quoted).
fn parse_matcher(m: &str) -> Result<ir::LabelMatcher, String> {
    let pos = m.find(['=', '!']).ok_or("it has no operator")?;
    let label = m[..pos].trim();
    let rest = &m[pos..];
    let op = ["=~", "!~", "!=", "="].into_iter().find(|o| rest.starts_with(o)).ok_or("`!` must be followed by `=` or `~`")?;
    let raw = rest[op.len()..].trim();
    if label.is_empty() {
        return Err("it names no label".into());
    }
    if label.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'') {
        return Err(format!("`{label}` is not a label name"));
    }
    let value = if let Some(inner) = raw.strip_prefix('"') {
        let inner = inner.strip_suffix('"').ok_or("its value's quote is not closed")?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(chars.next().ok_or("its value ends with `\\`")?),
                '"' => return Err("its value has a `\"` that is not escaped".into()),
                c => out.push(c),
            }
        }
        out
    } else {
        raw.to_string()
    };
    Ok(ir::LabelMatcher { label: label.to_string(), op: op.to_string(), value })
}

#[cfg(test)]
mod defer_regexes_tests {
    use super::*;
    use std::path::Path;

    /// PromQL texts: edge cases, then every query of the public dashboards and rule files in
    /// `../shared/data` (Grafana variables replaced as the checker does).
    fn corpus() -> Vec<String> {
        let mut out: Vec<String> = [
            r#"up{job=~".*"}"#,
            r#"up{job=~".+"}"#,
            r#"{job=~".*"}"#,
            r#"{job=~".+"}"#,
            r#"{job!~".*"}"#,
            r#"{job!~".+"}"#,
            r#"{job=~""}"#,
            r#"{job!~""}"#,
            r#"{job=~"("}"#,
            r#"{job=~"a{1"}"#,
            r#"{job=~"abc{def}"}"#,
            r#"{__name__=~"up|down"}"#,
            r#"up{__name__=~"x"}"#,
            r#"up{job =~ "a|b", env!~"dev"}"#,
            r#"up{job=~'a.*'}"#,
            r#"up{job=~`a.*`}"#,
            r#"up{job=~"\\d+"}"#,
            r#"up{job=~"é.*"}"#,
            r#"label_replace(up, "x", "=~", "job", "(.*)")"#,
            r#"sum(rate(x{a=~"b"}[5m])) / sum(rate(x{a!~"c", d=~".*"}[5m]))"#,
            r#"up{job=~"a"} and on() vector(1)"#,
            r#"up{job=~"a""#,
            r#"up{job=~"#,
            // `=~` outside a selector: the parser's own error must stay
            r#"up=~"a""#,
            r#"up !~ "a""#,
            r#"up!~".*""#,
            r#"sum by (job=~"a") (up)"#,
            r#"up{a=~"x"} and on(a=~"b") up"#,
            r#"up{a=~"x"} and ignoring(b!~"c") up"#,
            r#"up > bool=~"a""#,
            r#"up offset 5m=~"a""#,
            r#"sum(rate(http_requests_total job=~"api"}[5m])) > 1"#,
            // comments can hide quotes
            "# \"\nlabel_replace(up, \"a=~\", # |\"\n  \"b\", \"c\", \"d\") == 0",
            "up{job=\"a\"} # the \"job\n* on(job) group_left label_replace(up, \"a=~\", #|\"\n\"$1\", \"src\", \"(.*)\")",
            "# \"\nup{__name__=\"a=~\", job=\"b\"}",
            "up{job=~\"a\"} # a comment\n",
            r#"{a=~"x", b=~"y{2}"}"#,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
        let mut files = vec![];
        let mut dirs = vec![data];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    files.push(p);
                }
            }
        }
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else { continue };
            if f.extension().is_some_and(|x| x == "json") {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    let mut stack = vec![&v];
                    while let Some(v) = stack.pop() {
                        match v {
                            serde_json::Value::Object(m) => {
                                if let Some(serde_json::Value::String(e)) = m.get("expr") {
                                    out.push(grafana_vars_to_placeholders(e));
                                }
                                stack.extend(m.values());
                            }
                            serde_json::Value::Array(a) => stack.extend(a.iter()),
                            _ => {}
                        }
                    }
                }
            } else if f.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                if let Ok(v) = serde_norway::from_str::<serde_json::Value>(&text) {
                    for g in v["groups"].as_array().into_iter().flatten() {
                        for r in g["rules"].as_array().into_iter().flatten() {
                            if let Some(e) = r["expr"].as_str() {
                                out.push(e.to_string());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn deferring_regexes_keeps_every_verdict_and_message() {
        let db = crate::db::Database::default();
        let texts = corpus();
        assert!(texts.len() > 200, "the shared data was not found: only {} queries", texts.len());
        let mut rewritten = 0;
        for t in &texts {
            let d = defer_regexes(&db, t);
            assert_eq!(d.len(), t.len(), "{t}: width changed");
            if d != *t {
                rewritten += 1;
            }
            let (a, b) = (promql_parser::parser::parse(t).err(), promql_parser::parser::parse(&d).err());
            assert_eq!(a, b, "{t}\n  rewritten as {d}");
        }
        assert!(rewritten > 50, "only {rewritten} queries had a regex rewritten");
    }
}
