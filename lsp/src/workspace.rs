//! The server's state: the compiler's salsa database, the open documents, the workspace's
//! `.gstack` files, and the diagnostics worker.
//!
//! One [`Database`] handle lives in [`State`] and takes every write (`set_file` on open and
//! change). Readers — each request and the worker — take a clone (a snapshot sharing the
//! memoised results), compute, and drop it; a write waits for those clones and cancels what
//! they were computing (salsa's protocol). No clone is ever held while waiting for a lock or
//! for the client, which keeps the write from waiting on a reader that waits on the writer.
//!
//! Diagnostics come from a worker thread, in two phases per batch of changes:
//! 1. at once, for each changed document: its own syntax and evaluation diagnostics (from its
//!    memoised parse and evaluation only) plus the stack-level diagnostics of the last full
//!    check moved by the edits since (those the edits touched are dropped);
//! 2. unless newer changes are already waiting: `check_stack` of every root whose stack
//!    contains a changed file — exactly what `gstackc check ROOT` reports — published for
//!    every file of those stacks.
//!
//! Every changed document gets both publications (with its version); other files are
//! published only when their diagnostics changed.

use crate::line_index::LineIndex;
use gstack::db::{normalize, Database, Db, SourceFile, STD_MODULES};
use gstack::diag::{Diagnostic, Severity};
use gstack::ide;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::Client;

/// A text edit of an open document, in byte offsets of the text it applied to.
#[derive(Clone, Copy, Debug)]
pub struct Edit {
    pub seq: u64,
    pub start: u32,
    pub old_end: u32,
    pub new_len: u32,
}

/// An open document.
pub struct Doc {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    /// A file of the bundled library, opened read-only from [`State::std_dir`].
    pub std: bool,
    /// Stack-level diagnostics of this file from the last full check (spans of the text then).
    pub global: Vec<Diagnostic>,
    /// The change sequence number that check saw.
    pub global_seq: u64,
    /// Edits since then.
    pub edits: Vec<Edit>,
}

pub struct State {
    pub db: Database,
    pub docs: HashMap<PathBuf, Doc>,
    /// Workspace folders.
    pub folders: Vec<PathBuf>,
    /// `.gstack` files of the workspace (scanned) and every file opened.
    pub known: BTreeSet<PathBuf>,
    pub scanned: bool,
    /// Where the bundled `std` modules are written so editors can open them.
    pub std_dir: PathBuf,
    /// Counts document changes.
    pub seq: u64,
    /// The client takes snippets in completions.
    pub snippets: bool,
    /// The client lets the server register a file watcher.
    pub watch: bool,
    /// Files each root's last check published.
    pub root_files: HashMap<PathBuf, BTreeSet<PathBuf>>,
}

/// Lock, ignoring poisoning (no lock is held while running compiler code, so a poisoned lock
/// holds consistent data).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The directory the bundled std modules are written to: versioned by their content, so two
/// servers of different versions do not share one.
pub fn default_std_dir() -> PathBuf {
    let mut h: u64 = 0xcbf29ce484222325;
    for (name, text) in STD_MODULES {
        for b in name.bytes().chain(text.bytes()) {
            h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        }
    }
    std::env::temp_dir().join(format!("gstack-lsp-std-{:012x}", h & 0xffff_ffff_ffff))
}

impl Default for State {
    fn default() -> State {
        State::new()
    }
}

impl State {
    pub fn new() -> State {
        State {
            db: Database::default(),
            docs: HashMap::new(),
            folders: vec![],
            known: BTreeSet::new(),
            scanned: false,
            std_dir: default_std_dir(),
            seq: 0,
            snippets: true,
            watch: false,
            root_files: HashMap::new(),
        }
    }

    /// The compiler's path for a document URI (`<std>/x.gstack` for the written std files).
    pub fn path_of(&self, uri: &Uri) -> Option<PathBuf> {
        path_of(&self.std_dir, uri)
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            db: self.db.clone(),
            std_dir: self.std_dir.clone(),
            uris: self.docs.iter().map(|(p, d)| (p.clone(), d.uri.clone())).collect(),
            known: self.known.iter().cloned().collect(),
            open: self.docs.iter().filter(|(_, d)| !d.std).map(|(p, _)| p.clone()).collect(),
            snippets: self.snippets,
        }
    }
}

pub fn path_of(std_dir: &Path, uri: &Uri) -> Option<PathBuf> {
    let p = uri.to_file_path()?;
    let p = normalize(&p);
    if let Ok(rest) = p.strip_prefix(std_dir) {
        if let Some(name) = rest.to_str().and_then(|s| s.strip_suffix(".gstack")) {
            if STD_MODULES.iter().any(|(n, _)| *n == name) {
                return Some(PathBuf::from(format!("<std>/{name}.gstack")));
            }
        }
    }
    Some(p)
}

/// What a reader needs: a database clone and the maps to turn paths into URIs.
pub struct Snapshot {
    pub db: Database,
    pub std_dir: PathBuf,
    /// URIs of open documents, exactly as the client sent them.
    pub uris: HashMap<PathBuf, Uri>,
    pub known: Vec<PathBuf>,
    pub open: Vec<PathBuf>,
    pub snippets: bool,
}

impl Snapshot {
    /// The input of a path (loaded from disk on first use).
    pub fn source(&self, path: &Path) -> Option<SourceFile> {
        match path.strip_prefix("<std>") {
            Ok(rest) => self.db.std_module(rest.to_str()?.strip_suffix(".gstack")?),
            Err(_) => self.db.load(path),
        }
    }

    /// The URI of a path; std modules are written to [`State::std_dir`] first.
    pub fn uri(&self, path: &Path) -> Option<Uri> {
        if let Some(u) = self.uris.get(path) {
            return Some(u.clone());
        }
        if let Ok(rest) = path.strip_prefix("<std>") {
            let name = rest.to_str()?.strip_suffix(".gstack")?;
            let (_, text) = STD_MODULES.iter().find(|(n, _)| *n == name)?;
            let file = self.std_dir.join(format!("{name}.gstack"));
            if std::fs::read_to_string(&file).ok().as_deref() != Some(*text) {
                std::fs::create_dir_all(&self.std_dir).ok()?;
                let tmp = self.std_dir.join(format!(".{name}.{}.tmp", std::process::id()));
                std::fs::write(&tmp, text).ok()?;
                std::fs::rename(&tmp, &file).ok()?;
            }
            return Uri::from_file_path(file);
        }
        Uri::from_file_path(path)
    }

    /// Text and line index of a file.
    pub fn text(&self, path: &Path) -> Option<(String, LineIndex)> {
        let f = self.source(path)?;
        let t = f.text(&self.db).clone();
        let li = LineIndex::new(&t);
        Some((t, li))
    }

    /// Files that declare a `stack`: the known files and the open ones.
    pub fn roots(&self) -> Vec<SourceFile> {
        let mut paths: BTreeSet<&PathBuf> = self.known.iter().collect();
        paths.extend(self.open.iter());
        paths
            .into_iter()
            .filter_map(|p| self.source(p))
            .filter(|f| ide::diagnostics::declares_stack(&self.db, *f))
            .collect()
    }

    /// The roots whose stack contains `file`.
    pub fn owners(&self, file: SourceFile, roots: &[SourceFile]) -> Vec<SourceFile> {
        roots.iter().copied().filter(|r| *r == file || ide::stack_files(&self.db, *r).contains(&file)).collect()
    }

    /// The files of the stack(s) `file` belongs to (its own imports when it belongs to none).
    pub fn stack_of(&self, file: SourceFile) -> Vec<SourceFile> {
        let roots = self.roots();
        let owners = self.owners(file, &roots);
        let mut out: Vec<SourceFile> = vec![];
        let mut seen = HashSet::new();
        let starts = if owners.is_empty() { vec![file] } else { owners };
        for r in starts {
            for f in ide::stack_files(&self.db, r) {
                if seen.insert(f) {
                    out.push(f);
                }
            }
        }
        out
    }

    /// Every file worth searching for references: the workspace, the open files, what they
    /// import, and `std`.
    pub fn all_files(&self) -> Vec<SourceFile> {
        let mut paths: BTreeSet<&PathBuf> = self.known.iter().collect();
        paths.extend(self.open.iter());
        let mut out = vec![];
        let mut seen = HashSet::new();
        for p in paths {
            if let Some(f) = self.source(p) {
                for g in ide::stack_files(&self.db, f) {
                    if seen.insert(g) {
                        out.push(g);
                    }
                }
            }
        }
        for (name, _) in STD_MODULES {
            if let Some(f) = self.db.std_module(name) {
                if seen.insert(f) {
                    out.push(f);
                }
            }
        }
        out
    }
}

/// Run `f` on a snapshot, retrying when a write cancels it; `None` when it panics otherwise.
pub fn run<R>(state: &Mutex<State>, f: impl Fn(&Snapshot) -> Option<R>) -> Option<R> {
    for _ in 0..5 {
        let snap = lock(state).snapshot();
        match catch_unwind(AssertUnwindSafe(|| f(&snap))) {
            Ok(r) => return r,
            Err(e) if e.is::<salsa::Cancelled>() => continue,
            Err(e) => {
                eprintln!("gstack-lsp: a request failed: {}", panic_message(&e));
                return None;
            }
        }
    }
    None
}

pub fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| e.downcast_ref::<String>().cloned()).unwrap_or_else(|| "panic".into())
}

/// Find the `.gstack` files under `dir` (skipping hidden directories, `target`, `node_modules`),
/// at most `limit`.
pub fn scan(dir: &Path, limit: usize, out: &mut BTreeSet<PathBuf>) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            if out.len() >= limit {
                return;
            }
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    stack.push(e.path());
                }
            } else if name.ends_with(".gstack") {
                out.insert(normalize(&e.path()));
            }
        }
    }
}

// ---- diagnostics ------------------------------------------------------------------------------

/// Convert a compiler diagnostic (located in `path`, whose text is `text`).
pub fn to_lsp(snap: &Snapshot, d: &Diagnostic, text: &str, li: &LineIndex, texts: &mut HashMap<PathBuf, Option<(String, LineIndex)>>) -> lsp::Diagnostic {
    let span = d.location.as_ref().map(|l| l.span).unwrap_or_default();
    let mut message = d.message.clone();
    if let Some(h) = &d.hint {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let mut related = vec![];
    let primary_uri = d.location.as_ref().and_then(|l| snap.uri(&l.file));
    if let (Some(label), Some(uri)) = (&d.label, &primary_uri) {
        if label != &d.message {
            related.push(lsp::DiagnosticRelatedInformation {
                location: lsp::Location { uri: uri.clone(), range: li.range(text, span.start, span.end) },
                message: label.clone(),
            });
        }
    }
    for r in &d.related {
        let Some(uri) = snap.uri(&r.location.file) else { continue };
        let entry = texts.entry(r.location.file.clone()).or_insert_with(|| snap.text(&r.location.file));
        let Some((t, l)) = entry else { continue };
        related.push(lsp::DiagnosticRelatedInformation {
            location: lsp::Location { uri, range: l.range(t, r.location.span.start, r.location.span.end) },
            message: r.message.clone(),
        });
    }
    lsp::Diagnostic {
        range: li.range(text, span.start, span.end),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("gstack".into()),
        message,
        related_information: if related.is_empty() { None } else { Some(related) },
        ..Default::default()
    }
}

/// Move a diagnostic through edits made after it was computed; `None` when an edit touched it.
pub fn shift(d: &Diagnostic, path: &Path, edits: &[Edit]) -> Option<Diagnostic> {
    let mv = |mut s: gstack::syntax::Span| -> Option<gstack::syntax::Span> {
        for e in edits {
            if s.end <= e.start && !(s.start == s.end && s.start == e.start && e.old_end > e.start) {
                continue;
            }
            if s.start >= e.old_end {
                let delta = e.new_len as i64 - (e.old_end - e.start) as i64;
                s.start = (s.start as i64 + delta).max(0) as u32;
                s.end = (s.end as i64 + delta).max(0) as u32;
                continue;
            }
            return None;
        }
        Some(s)
    };
    let mut d = d.clone();
    if let Some(l) = &mut d.location {
        l.span = mv(l.span)?;
    }
    d.related.retain_mut(|r| {
        if r.location.file != path {
            return true;
        }
        match mv(r.location.span) {
            Some(s) => {
                r.location.span = s;
                true
            }
            None => false,
        }
    });
    Some(d)
}

/// What the worker is asked to do.
#[derive(Default)]
pub struct Jobs {
    pub changed: BTreeSet<PathBuf>,
    pub stop: bool,
}

pub struct Shared {
    pub state: Mutex<State>,
    pub jobs: Mutex<Jobs>,
    pub wake: Condvar,
    /// Last diagnostics sent, by URI.
    pub published: Mutex<HashMap<String, Vec<lsp::Diagnostic>>>,
    /// How long the last whole-stack check took.
    pub last_check: Mutex<std::time::Duration>,
    /// A fixed quiet time before a whole-stack check (`initializationOptions.checkDelayMs`);
    /// `None`: half the last check's time, at most 200 ms.
    pub check_delay: Mutex<Option<std::time::Duration>>,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared::new()
    }
}

impl Shared {
    pub fn new() -> Shared {
        Shared {
            state: Mutex::new(State::new()),
            jobs: Mutex::new(Jobs::default()),
            wake: Condvar::new(),
            published: Mutex::new(HashMap::new()),
            last_check: Mutex::new(std::time::Duration::ZERO),
            check_delay: Mutex::new(None),
        }
    }

    /// Ask the worker to re-check these files.
    pub fn changed(&self, paths: impl IntoIterator<Item = PathBuf>) {
        lock(&self.jobs).changed.extend(paths);
        self.wake.notify_one();
    }

    pub fn stop(&self) {
        lock(&self.jobs).stop = true;
        self.wake.notify_one();
    }
}

/// One publication.
struct Publish {
    uri: Uri,
    diags: Vec<lsp::Diagnostic>,
    version: Option<i32>,
    /// Send even when unchanged (a changed document).
    force: bool,
}

fn publish(shared: &Shared, client: &Client, items: Vec<Publish>) {
    for p in items {
        let key = p.uri.as_str().to_string();
        {
            let mut cache = lock(&shared.published);
            if !p.force && cache.get(&key).map_or(p.diags.is_empty(), |old| *old == p.diags) {
                continue;
            }
            cache.insert(key, p.diags.clone());
        }
        futures::executor::block_on(client.publish_diagnostics(p.uri, p.diags, p.version));
    }
}

/// The diagnostics worker: waits for changes, publishes both phases, repeats.
pub fn worker(shared: Arc<Shared>, client: Client) {
    loop {
        let changed = {
            let mut jobs = lock(&shared.jobs);
            while jobs.changed.is_empty() && !jobs.stop {
                jobs = shared.wake.wait(jobs).unwrap_or_else(|e| e.into_inner());
            }
            if jobs.stop {
                return;
            }
            std::mem::take(&mut jobs.changed)
        };
        // the workspace scan, once, before the first check
        let (scan_dirs, scanned) = {
            let st = lock(&shared.state);
            (st.folders.clone(), st.scanned)
        };
        if !scanned {
            let mut found = BTreeSet::new();
            for d in &scan_dirs {
                scan(d, 10_000, &mut found);
            }
            let mut st = lock(&shared.state);
            st.known.extend(found);
            st.scanned = true;
        }
        match catch_unwind(AssertUnwindSafe(|| batch(&shared, &client, &changed))) {
            Ok(true) => {}
            Ok(false) => shared.changed(changed), // cancelled by a newer change: redo
            Err(e) => {
                let msg = format!("gstack-lsp: checking {} failed: {}", changed.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "), panic_message(&e));
                eprintln!("{msg}");
                futures::executor::block_on(client.log_message(lsp::MessageType::ERROR, msg));
            }
        }
    }
}

/// Run `f` on a snapshot; `None` when a write cancelled it.
fn cancellable<R>(f: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(e) if e.is::<salsa::Cancelled>() => None,
        Err(e) => std::panic::resume_unwind(e),
    }
}

/// A changed open document: path, URI, version, stack-level diagnostics, edits since.
type OpenDoc = (PathBuf, Uri, i32, Vec<Diagnostic>, Vec<Edit>);

/// One batch: both phases. `false` when cancelled.
/// `GSTACK_LSP_TRACE=1`: print where the time of each batch goes, on stderr.
fn trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("GSTACK_LSP_TRACE").is_some())
}

fn batch(shared: &Shared, client: &Client, changed: &BTreeSet<PathBuf>) -> bool {
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        if trace() {
            eprintln!("gstack-lsp: {:8.2} ms  {what}", t0.elapsed().as_secs_f64() * 1000.0);
        }
    };
    // ---- phase 1: each changed document on its own
    let (snap, docs) = {
        let st = lock(&shared.state);
        let docs: Vec<OpenDoc> = changed
            .iter()
            .filter_map(|p| st.docs.get(p).filter(|d| !d.std).map(|d| (p.clone(), d.uri.clone(), d.version, d.global.clone(), d.edits.clone())))
            .collect();
        (st.snapshot(), docs)
    };
    let first = cancellable(|| {
        let mut out = vec![];
        let mut texts = HashMap::new();
        for (path, uri, version, global, edits) in &docs {
            let Some(f) = snap.source(path) else { continue };
            let text = f.text(&snap.db).clone();
            let li = LineIndex::new(&text);
            let mut diags = ide::diagnostics::file_local(&snap.db, f);
            diags.extend(global.iter().filter_map(|d| shift(d, path, edits)));
            diags.sort_by_key(|d| d.location.as_ref().map(|l| l.span.start));
            let lsp_diags = diags.iter().map(|d| to_lsp(&snap, d, &text, &li, &mut texts)).collect();
            out.push(Publish { uri: uri.clone(), diags: lsp_diags, version: Some(*version), force: true });
        }
        out
    });
    drop(snap);
    lap("phase 1: the changed files alone");
    let Some(first) = first else { return false };
    publish(shared, client, first);
    lap("phase 1 published");
    // A whole-stack check cannot be interrupted once started, and the next edit waits for it:
    // while edits keep coming (typing), wait for a quiet moment first. The wait scales with
    // the stack: half the last check's time, at most 200 ms (nothing for small stacks).
    let delay = lock(&shared.check_delay).unwrap_or_else(|| (*lock(&shared.last_check) / 2).min(std::time::Duration::from_millis(200)));
    {
        let jobs = lock(&shared.jobs);
        let (jobs, _) = shared.wake.wait_timeout_while(jobs, delay, |j| j.changed.is_empty() && !j.stop).unwrap_or_else(|e| e.into_inner());
        if !jobs.changed.is_empty() || jobs.stop {
            // newer edits are waiting: their batch will check the stack
            drop(jobs);
            shared.changed(changed.iter().cloned());
            return true;
        }
    }
    let check_start = std::time::Instant::now();

    // ---- phase 2: the stacks containing the changed files
    let (snap, seq, versions, checked_before) = {
        let st = lock(&shared.state);
        let versions: HashMap<PathBuf, i32> = st.docs.iter().map(|(p, d)| (p.clone(), d.version)).collect();
        let checked_before: HashSet<PathBuf> = st.root_files.keys().cloned().collect();
        (st.snapshot(), st.seq, versions, checked_before)
    };
    let result = cancellable(|| {
        let roots = snap.roots();
        let mut by_file: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
        let mut checked_roots: Vec<(PathBuf, BTreeSet<PathBuf>)> = vec![];
        let mut to_check: Vec<SourceFile> = vec![];
        let mut alone: Vec<SourceFile> = vec![];
        for p in changed {
            let Some(f) = snap.source(p) else { continue };
            if ide::is_std(&snap.db, f) {
                continue;
            }
            let owners = snap.owners(f, &roots);
            if owners.is_empty() {
                alone.push(f);
            }
            for o in owners {
                if !to_check.contains(&o) {
                    to_check.push(o);
                }
            }
        }
        lap("phase 2: roots and owners found");
        for r in &to_check {
            // a stack's first check computes every file: on every core, as `gstackc check`
            // does (later checks re-run only what changed, for which threads cost more than
            // they save)
            if !checked_before.contains(r.path(&snap.db)) {
                ide::prime_caches(&snap.db, *r, ide::cores());
            }
            let per_file = ide::diagnostics::stack(&snap.db, *r);
            lap("phase 2: check_stack");
            let mut files = BTreeSet::new();
            for (p, ds) in per_file {
                if p.starts_with("<std>") {
                    continue;
                }
                files.insert(p.clone());
                let e = by_file.entry(p).or_default();
                for d in ds {
                    if !e.contains(&d) {
                        e.push(d);
                    }
                }
            }
            checked_roots.push((r.path(&snap.db).clone(), files));
        }
        for f in &alone {
            // a file no stack imports: checked on its own, without "no stack is declared"
            let path = f.path(&snap.db).clone();
            let per_file = ide::diagnostics::stack(&snap.db, *f);
            let ds: Vec<Diagnostic> = per_file.get(&path).cloned().unwrap_or_default().into_iter().filter(|d| !ide::diagnostics::is_no_stack(d)).collect();
            by_file.insert(path, ds);
        }
        // the stack-level part of each open document's diagnostics, for phase 1 of later edits
        let mut globals = vec![];
        for (p, ds) in &by_file {
            if !snap.open.contains(p) {
                continue;
            }
            let Some(f) = snap.source(p) else { continue };
            let local = ide::diagnostics::file_local(&snap.db, f);
            globals.push((p.clone(), ds.iter().filter(|d| !local.contains(d)).cloned().collect::<Vec<_>>()));
        }
        lap("phase 2: open documents' stack-level part");
        let mut out = vec![];
        let mut texts = HashMap::new();
        for (p, ds) in &by_file {
            let Some(uri) = snap.uri(p) else { continue };
            // positions need the file's text and line index: only for files with diagnostics
            let lsp_diags = if ds.is_empty() {
                vec![]
            } else {
                let Some((text, li)) = snap.text(p) else { continue };
                ds.iter().map(|d| to_lsp(&snap, d, &text, &li, &mut texts)).collect()
            };
            out.push(Publish { uri, diags: lsp_diags, version: versions.get(p).copied(), force: changed.contains(p) });
        }
        (out, globals, checked_roots, by_file.keys().cloned().collect::<BTreeSet<_>>())
    });
    // no database clone may be held while waiting for the state lock: the writer holds that
    // lock while it waits for every clone to be dropped
    let uris = snap.uris.clone();
    drop(snap);
    *lock(&shared.last_check) = check_start.elapsed();
    lap("phase 2: the stacks checked");
    let Some((mut out, globals, checked_roots, now)) = result else { return false };
    // files a root published before but no longer reaches
    let dropped: Vec<PathBuf> = {
        let mut st = lock(&shared.state);
        for (p, g) in globals {
            if let Some(d) = st.docs.get_mut(&p) {
                d.global = g;
                d.global_seq = seq;
                d.edits.retain(|e| e.seq > seq);
            }
        }
        let mut dropped = vec![];
        for (root, files) in checked_roots {
            if let Some(old) = st.root_files.insert(root, files) {
                dropped.extend(old.into_iter().filter(|p| !now.contains(p)));
            }
        }
        dropped
    };
    for uri in dropped.iter().filter_map(|p| uris.get(p).cloned().or_else(|| Uri::from_file_path(p))) {
        out.push(Publish { uri, diags: vec![], version: None, force: false });
    }
    publish(shared, client, out);
    lap("phase 2 published");
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use gstack::syntax::Span;

    fn diag(start: u32, end: u32) -> Diagnostic {
        Diagnostic::error("E0200", Path::new("/a.gstack"), Span { start, end }, "x").with_related(Path::new("/a.gstack"), Span { start: 40, end: 42 }, "r")
    }

    #[test]
    fn diagnostics_move_with_edits_and_vanish_when_touched() {
        let e = |seq, start, old_end, new_len| Edit { seq, start, old_end, new_len };
        let p = Path::new("/a.gstack");
        // an insertion before moves it; after leaves it
        let d = shift(&diag(10, 15), p, &[e(1, 0, 0, 3)]).unwrap();
        assert_eq!(d.location.unwrap().span, Span { start: 13, end: 18 });
        assert_eq!(d.related[0].location.span, Span { start: 43, end: 45 });
        assert_eq!(shift(&diag(10, 15), p, &[e(1, 20, 25, 0)]).unwrap().location.unwrap().span, Span { start: 10, end: 15 });
        // a deletion before moves it back; an edit inside drops it
        assert_eq!(shift(&diag(10, 15), p, &[e(1, 2, 6, 0)]).unwrap().location.unwrap().span, Span { start: 6, end: 11 });
        assert!(shift(&diag(10, 15), p, &[e(1, 12, 13, 1)]).is_none());
        // edits apply in order
        let d = shift(&diag(10, 15), p, &[e(1, 0, 0, 5), e(2, 0, 2, 0)]).unwrap();
        assert_eq!(d.location.unwrap().span, Span { start: 13, end: 18 });
        // a related span the edit touches is dropped, the diagnostic stays
        let d = shift(&diag(10, 15), p, &[e(1, 41, 41, 2)]).unwrap();
        assert!(d.related.is_empty());
    }
}
