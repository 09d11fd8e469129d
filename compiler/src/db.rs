//! The salsa database shared by the CLI and the language server.
//!
//! Inputs: one [`SourceFile`] per file (path + text). Tracked queries, each memoised and
//! re-run only when what it read changed:
//! - [`parse`]: text → syntax tree + syntax diagnostics (per file);
//! - [`crate::sema::eval::eval_module`]: syntax tree → evaluated module (per file; imports
//!   are read through this query for the imported file, so editing one file re-evaluates only
//!   it and the files that import it);
//! - [`crate::sema::check::check_file`]: one file's self-contained declarations (dashboards,
//!   alerts) checked and lowered (per file);
//! - [`crate::sema::check::check_stack`]: every module reachable from the root → typed
//!   [`crate::ir::Stack`] + all diagnostics, merging the per-file results with what spans
//!   files (names, uids, references, components, ports).
//!
//! Queries may run on several threads, each with its own clone of the [`Database`]
//! ([`crate::sema::check::warm`] does so for a cold check).
//!
//! Files are loaded lazily from disk the first time an import names them; the bundled `std`
//! library comes from the binary (`stdlib/*.gstack`, embedded at build time).

use crate::syntax::{self, Parsed};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One source file: its path (as given, or `<std>/name.gstack` for the bundled library) and text.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: PathBuf,
    #[returns(ref)]
    pub text: String,
}

/// The bundled standard library: `(module name, source)`.
pub const STD_MODULES: &[(&str, &str)] = &[
    ("selfmon", include_str!("../../stdlib/selfmon.gstack")),
    ("panels", include_str!("../../stdlib/panels.gstack")),
];

/// What queries need from the database besides salsa itself.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The file at `path`, read from disk on first use. `None` if it cannot be read.
    fn load(&self, path: &Path) -> Option<SourceFile>;
    /// A bundled `std` module by name (`selfmon` for `import std.selfmon`).
    fn std_module(&self, name: &str) -> Option<SourceFile>;
}

/// The concrete database. Cheap to clone (salsa handles share storage).
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
    files: Arc<Mutex<HashMap<PathBuf, SourceFile>>>,
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {
    // Both hold the lock from lookup to insertion: queries run on several threads
    // (`sema::check::warm`), and a file must become exactly one input.
    fn load(&self, path: &Path) -> Option<SourceFile> {
        let key = normalize(path);
        let mut files = self.files.lock().unwrap();
        if let Some(f) = files.get(&key) {
            return Some(*f);
        }
        let text = std::fs::read_to_string(path).ok()?;
        let f = SourceFile::new(self, key.clone(), text);
        files.insert(key, f);
        Some(f)
    }

    fn std_module(&self, name: &str) -> Option<SourceFile> {
        let key = PathBuf::from(format!("<std>/{name}.gstack"));
        let mut files = self.files.lock().unwrap();
        if let Some(f) = files.get(&key) {
            return Some(*f);
        }
        let (_, text) = STD_MODULES.iter().find(|(n, _)| *n == name)?;
        let f = SourceFile::new(self, key.clone(), text.to_string());
        files.insert(key, f);
        Some(f)
    }
}

impl Database {
    /// Register (or replace) a file's text, e.g. from an editor buffer. Returns its input.
    pub fn set_file(&mut self, path: &Path, text: String) -> SourceFile {
        use salsa::Setter;
        let key = normalize(path);
        let existing = self.files.lock().unwrap().get(&key).copied();
        match existing {
            Some(f) => {
                if f.text(self) != &text {
                    f.set_text(self).to(text);
                }
                f
            }
            None => {
                let f = SourceFile::new(self, key.clone(), text);
                self.files.lock().unwrap().insert(key, f);
                f
            }
        }
    }

    /// The text of a known file (for rendering diagnostics).
    pub fn source_text(&self, path: &Path) -> Option<String> {
        let key = normalize(path);
        let f = self.files.lock().unwrap().get(&key).copied();
        f.map(|f| f.text(self).clone()).or_else(|| std::fs::read_to_string(path).ok())
    }
}

/// Lexically normalise a path (`a/./b/../c` → `a/c`) without touching the disk, so the same
/// file imported along two routes is one input.
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Parse one file (syntax tree + syntax diagnostics).
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Arc<Parsed> {
    Arc::new(syntax::parse(file.text(db)))
}
