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
//! Files are loaded lazily from disk the first time an import names them ([`read_source`]:
//! regular files of at most [`MAX_FILE_BYTES`] only), one input per file on disk whatever the
//! path that names it (inputs are keyed by canonical path, so a cycle through symlinks is a
//! cycle); the bundled `std` library comes from the binary (`stdlib/*.gstack`, embedded at
//! build time).

use crate::syntax::{self, Parsed};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One source file: its path (as given, or `<std>/name.gstack` for the bundled library), its
/// text, and whether it could be read. A file that could not be read is an input too (with
/// empty text and the reason in [`SourceFile::status`]), so every query that looked for it
/// runs again when it appears: after [`Database::set_file`] or [`Database::set_missing`],
/// as ruff_db's `Files` keeps entries for files that do not exist.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: PathBuf,
    #[returns(ref)]
    pub text: String,
    /// `Ok(())` when [`SourceFile::text`] is the file's text; else why it could not be read.
    #[returns(ref)]
    pub status: Result<(), LoadError>,
}

/// The bundled standard library: `(module name, source)`.
pub const STD_MODULES: &[(&str, &str)] = &[
    ("selfmon", include_str!("../../stdlib/selfmon.gstack")),
    ("panels", include_str!("../../stdlib/panels.gstack")),
];

/// The largest file the compiler reads (a source, an import, an imported dashboard or rule
/// file): 8 MiB, in bytes.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LoadError {
    /// Missing, unreadable, or not UTF-8: the I/O error's text.
    Io(String),
    /// A directory, FIFO, device or socket: only regular files are read (reading `/dev/zero`
    /// or a FIFO would never end).
    NotAFile,
    /// Larger than [`MAX_FILE_BYTES`]; the size in bytes (at least, for a growing file).
    TooLarge(u64),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(e) => f.write_str(e),
            LoadError::NotAFile => f.write_str("not a regular file"),
            LoadError::TooLarge(n) => write!(f, "{n} bytes, more than the limit of {} MiB", MAX_FILE_BYTES >> 20),
        }
    }
}

impl LoadError {
    /// The diagnostic code: E0105 for a file over the size limit, else E0102.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::TooLarge(_) => "E0105",
            _ => "E0102",
        }
    }
}

/// Read a file as UTF-8 text: a regular file (after symlinks) of at most [`MAX_FILE_BYTES`].
/// Never blocks on a FIFO or reads a device without end: the file is opened non-blocking and
/// checked on the open handle, and at most one byte past the limit is read.
pub fn read_source(path: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let io = |e: std::io::Error| LoadError::Io(e.to_string());
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(LoadError::NotAFile);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge(meta.len()));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // a FIFO put there since the check above must not block the open
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let f = opts.open(path).map_err(io)?;
    if !f.metadata().map_err(io)?.is_file() {
        return Err(LoadError::NotAFile);
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| LoadError::Io("stream did not contain valid UTF-8".into()))
}

/// What queries need from the database besides salsa itself.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The file at `path`. `None` if it cannot be read. The first look at a path reads the
    /// disk once and records the result (text, or the reason it is missing) as an input;
    /// afterwards only the driver changes it ([`Database::set_file`], [`Database::set_missing`]),
    /// so queries never see the disk change under them.
    fn load(&self, path: &Path) -> Option<SourceFile>;
    /// [`Db::load`], saying why a file cannot be read ([`read_source`]'s rules).
    fn load_file(&self, path: &Path) -> Result<SourceFile, LoadError>;
    /// A bundled `std` module by name (`selfmon` for `import std.selfmon`).
    fn std_module(&self, name: &str) -> Option<SourceFile>;
}

/// The concrete database. Cheap to clone (salsa handles share storage).
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
    /// Inputs by [`key`]: one per file on disk.
    files: Arc<Mutex<HashMap<PathBuf, SourceFile>>>,
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {
    fn load(&self, path: &Path) -> Option<SourceFile> {
        self.load_file(path).ok()
    }

    // Both hold the lock from lookup to insertion: queries run on several threads
    // (`sema::check::warm`), and a file must become exactly one input.
    fn load_file(&self, path: &Path) -> Result<SourceFile, LoadError> {
        let k = key(path);
        let f = {
            let mut files = self.files.lock().unwrap();
            match files.get(&k) {
                Some(f) => *f,
                None => {
                    let (text, status) = match read_source(path) {
                        Ok(t) => (t, Ok(())),
                        Err(e) => (String::new(), Err(e)),
                    };
                    let f = SourceFile::new(self, normalize(path), text, status);
                    files.insert(k, f);
                    f
                }
            }
        };
        // read through salsa, so the caller depends on whether the file exists
        match f.status(self) {
            Ok(()) => Ok(f),
            Err(e) => Err(e.clone()),
        }
    }

    fn std_module(&self, name: &str) -> Option<SourceFile> {
        let key = PathBuf::from(format!("<std>/{name}.gstack"));
        let mut files = self.files.lock().unwrap();
        if let Some(f) = files.get(&key) {
            return Some(*f);
        }
        let (_, text) = STD_MODULES.iter().find(|(n, _)| *n == name)?;
        let f = SourceFile::new(self, key.clone(), text.to_string(), Ok(()));
        files.insert(key, f);
        Some(f)
    }
}

impl Database {
    /// Register (or replace) a file's text, e.g. from an editor buffer or a file that was
    /// created. Returns its input.
    pub fn set_file(&mut self, path: &Path, text: String) -> SourceFile {
        self.set_input(path, text, Ok(()))
    }

    /// Record that the file at `path` cannot be read (deleted, or now a directory): queries
    /// that read it report it missing again.
    pub fn set_missing(&mut self, path: &Path, why: LoadError) -> SourceFile {
        self.set_input(path, String::new(), Err(why))
    }

    /// The file at `path` as the disk has it now ([`read_source`]): [`Database::set_file`]
    /// or [`Database::set_missing`].
    pub fn reload(&mut self, path: &Path) -> SourceFile {
        match read_source(path) {
            Ok(text) => self.set_file(path, text),
            Err(e) => self.set_missing(path, e),
        }
    }

    fn set_input(&mut self, path: &Path, text: String, status: Result<(), LoadError>) -> SourceFile {
        use salsa::Setter;
        let k = key(path);
        let existing = self.files.lock().unwrap().get(&k).copied();
        match existing {
            Some(f) => {
                if f.text(self) != &text {
                    f.set_text(self).to(text);
                }
                if f.status(self) != &status {
                    let _old = f.set_status(self).to(status);
                }
                f
            }
            None => {
                let f = SourceFile::new(self, normalize(path), text, status);
                self.files.lock().unwrap().insert(k, f);
                f
            }
        }
    }

    /// The text of a known file (for rendering diagnostics).
    pub fn source_text(&self, path: &Path) -> Option<String> {
        let f = self.files.lock().unwrap().get(&key(path)).copied();
        match f {
            Some(f) if f.status(self).is_ok() => Some(f.text(self).clone()),
            Some(_) => None,
            None => read_source(path).ok(),
        }
    }
}

/// The key of a file's input: its canonical path (symlinks resolved), or for a file that
/// does not exist (yet) its canonical directory joined with its name, or failing that (the
/// `<std>/…` names) the lexically normalised path. Two paths reaching one file on disk give
/// one key.
pub fn key(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    let n = normalize(p);
    if let (Some(parent), Some(name)) = (n.parent(), n.file_name()) {
        let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
        if let Ok(c) = std::fs::canonicalize(parent) {
            return c.join(name);
        }
    }
    n
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
