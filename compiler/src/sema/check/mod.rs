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
use crate::diag::{did_you_mean, Diagnostic, Location};
use crate::ir::{self, QueryLang, SecretRef, Settings, StrOrSecret};
use crate::programs::Component;
use crate::syntax::Span;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

mod prime;
mod promql;
mod record;
mod typeck;
mod lower;
mod cross;
mod imported;
mod components;
mod alerting;
mod dashboards;
mod grafana_alerting;
mod contact_points;
mod correlations;
mod datasources;
mod jobs;
mod panel_display;
mod panel_options;
mod transformations;
mod panel_targets;
pub mod routing;
use record::*;
use cross::*;
use imported::*;
use alerting::*;
pub use prime::{cores, warm};
pub use super::query::{balance, grafana_vars};
use super::query::*;
pub use record::{uid_from, VarDecl, CV, Rec};


/// The outcome of checking a root file: the IR (when a `stack` was declared) and every
/// diagnostic of every file involved, sorted by file and position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub stack: Option<ir::Stack>,
    pub diagnostics: Vec<Diagnostic>,
    /// Every file that took part (root first).
    pub files: Vec<SourceFile>,
    /// Where some values of the IR were written, for diagnostics raised after checking.
    pub origins: Origins,
}

/// Where the values that a pass after checking may blame were written: `gstackc build`
/// compares the new Kubernetes output with the previous build's (W0604, [`crate::upgrade`])
/// and points at the field that changed an immutable one. Empty when there is no stack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    /// The stack's name (the `app.kubernetes.io/instance` label of every selector).
    pub stack: Option<Location>,
    /// Each component block of the stack, at its first word, by component name (`node_exporter`).
    pub components: BTreeMap<String, Location>,
    /// The `target kubernetes` block, at its first word.
    pub kubernetes: Option<Location>,
    /// `storage_class = …` of the kubernetes target, when written.
    pub storage_class: Option<Location>,
    /// `storage = …` of the kubernetes target's `resources <component> { … }`, by component.
    pub storage: BTreeMap<String, Location>,
    /// Every field of the component and target blocks by its dotted source path
    /// (`grafana.smtp.from_address`, `loki.settings.server.http_prefix`,
    /// `target.systemd.data_dir`): where a value a generated file refuses was written.
    pub fields: BTreeMap<String, Location>,
}

impl Origins {
    /// Where the source wrote `field`, a dotted path as a generated file's refusal names it
    /// (`grafana.settings.auth.x`, `loki.settings.limits[0]`, `target.systemd.bin.sh`): the
    /// longest prefix of it that is a recorded field or block, else its component's block,
    /// else the stack's name (a field named in prose, `the key of grafana.settings.a=b`, by
    /// its last word). `None` only for a stack with no recorded origin at all.
    pub fn locate(&self, field: &str) -> Option<&Location> {
        // a field named in prose ends with its path: `the key of grafana.settings.auth.a=b`
        let field = field.rsplit(' ').next().unwrap_or(field);
        let mut path = field;
        loop {
            if let Some(at) = self.fields.get(path) {
                return Some(at);
            }
            match path.rfind(['.', '[']) {
                Some(i) => path = &path[..i],
                None => break,
            }
        }
        let first = field.split(['.', '[']).next().unwrap_or("");
        self.components.get(first).or(self.stack.as_ref())
    }
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
    /// The `job` matchers of its PromQL, judged by [`check_stack`] (W0403).
    jobs: Vec<jobs::JobRef>,
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
    let mut ck = Checker { db, diags: vec![], origins: Origins::default(), job_refs: vec![] };
    let decls = m
        .decls
        .iter()
        .map(|d| {
            let lowered = ck.local(d);
            let diags = std::mem::take(&mut ck.diags);
            let jobs = std::mem::take(&mut ck.job_refs);
            lowered.map(|lowered| Arc::new(Local { lowered, diags, jobs }))
        })
        .collect();
    Arc::new(FileChecked { decls })
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
    let mut ck = Checker { db, diags: vec![], origins: Origins::default(), job_refs: vec![] };
    let stack = ck.lower(&decls, &pre, root);
    let origins = ck.origins;
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
    Checked { stack, diagnostics: diags, files, origins }
}

/// The 0-based line of byte offset `off`.
fn line_of(text: &str, off: u32) -> usize {
    let off = (off as usize).min(text.len());
    text.as_bytes()[..off].iter().filter(|b| **b == b'\n').count()
}
struct Checker<'a> {
    db: &'a dyn Db,
    diags: Vec<Diagnostic>,
    /// Filled by [`Checker::lower`].
    origins: Origins,
    /// The `job` matchers of the PromQL checked so far, judged once the stack's scrape jobs
    /// are known ([`Checker::check_jobs`]).
    job_refs: Vec<jobs::JobRef>,
}

impl<'a> Checker<'a> {
    fn path(&self, loc: Loc) -> PathBuf {
        loc.file.path(self.db).clone()
    }
    /// Record where each field of `r` (nested records, blocks and `settings` entries
    /// included) was written, under `prefix` (`grafana` → `grafana.smtp.from_address`,
    /// `grafana.settings.server.domain`), in [`Origins::fields`].
    fn note_fields(&mut self, prefix: &str, r: &Rec) {
        for (name, (v, loc)) in &r.fields {
            let at = self.location(*loc);
            let path = format!("{prefix}.{name}");
            self.origins.fields.entry(path.clone()).or_insert(at);
            if let CV::Record(inner) = v {
                self.note_fields(&path, inner);
            }
        }
        for (kind, b) in &r.blocks {
            let path = match &b.label {
                Some((l, _)) => format!("{prefix}.{kind}.{l}"),
                None => format!("{prefix}.{kind}"),
            };
            let at = self.location(self.head(b));
            self.origins.fields.entry(path.clone()).or_insert(at);
            self.note_fields(&path, b);
        }
        for (key, loc) in &r.settings_at {
            let at = self.location(*loc);
            self.origins.fields.entry(format!("{prefix}.settings.{key}")).or_insert(at);
        }
    }

    fn location(&self, loc: Loc) -> Location {
        Location { file: self.path(loc), span: loc.span }
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

}
