//! The output directory of `gstackc build`: after a build it holds exactly the files the
//! source says, plus whatever the user put there, and nothing outside it is ever touched.
//!
//! [`replace`] does the writing; [`check_path`] says which output paths are acceptable.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// A generated file: path relative to the output directory, content, executable bit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub content: String,
    pub executable: bool,
}

impl Output {
    /// A file that is not executable.
    pub fn file(path: impl Into<String>, content: impl Into<String>) -> Output {
        Output { path: path.into(), content: content.into(), executable: false }
    }
}

/// The file in the output directory listing every file the last build wrote, one path
/// (relative, `/`-separated) per line after a `#` comment line. Only these files are ever
/// deleted by a later build.
pub const MANIFEST: &str = ".gstack-manifest";

/// Why `path` (relative to the output directory) is not an acceptable output path, if it is
/// not: it must be non-empty, relative, made of plain names only (no `..`, `.`, root or drive
/// prefix), without control characters, and not the manifest itself.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.chars().any(char::is_control) {
        return Err("the path contains a control character".into());
    }
    if path == MANIFEST {
        return Err(format!("`{MANIFEST}` is gstackc's own list of what it wrote"));
    }
    for c in Path::new(path).components() {
        match c {
            Component::Normal(_) => {}
            Component::ParentDir => return Err("`..` would leave the output directory".into()),
            Component::RootDir | Component::Prefix(_) => return Err("an absolute path would leave the output directory".into()),
            Component::CurDir => return Err("`.` components are not allowed".into()),
        }
    }
    if path.ends_with('/') {
        return Err("the path names a directory".into());
    }
    Ok(())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Replace the output directory `root` with `outputs`, keeping the user's own files.
///
/// Semantics, in order; any error before step 5 leaves `root` exactly as it was:
/// 1. Every output path must pass [`check_path`] (else `InvalidInput` naming it): nothing is
///    ever written outside `root`.
/// 2. `root` may be missing (it is created, with its parents), a directory, or a symlink to
///    a directory (the directory it points to is replaced; the link stays). Anything else is
///    an error.
/// 3. The previous build's files are those listed in `root/.gstack-manifest` (missing: none).
///    Every other entry under `root` — files, symlinks (never followed), directories that hold
///    no generated file — is the user's. A user entry at a path this build writes, or where it
///    needs a directory (a symlinked directory component, say), is an error naming it: it is
///    neither followed nor replaced. (So the first build over a directory written by a
///    gstackc without manifests stops at the first old file: delete that directory once.)
/// 4. All outputs and the new manifest are written into a fresh temporary sibling directory
///    `.<name>.gstack-new-<pid>-<n>` (files created exclusively, never through a symlink;
///    executables mode 0755). The parent of `root` must therefore be writable.
/// 5. The user's entries are moved (renamed) into it, then it takes `root`'s place by one
///    atomic exchange where the system has one (Linux `renameat2`), else by two renames.
///    A failure while moving puts the moved entries back.
/// 6. From the old tree, now at the temporary name, exactly the files of the old manifest and
///    the then-empty directories are removed; if something else appeared there meanwhile, the
///    temporary directory is left in place rather than deleted.
pub fn replace(root: &Path, outputs: &[Output]) -> io::Result<()> {
    // 1. paths
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    for o in outputs {
        check_path(&o.path).map_err(|why| invalid(format!("refusing to write `{}`: {why}", o.path)))?;
        files.insert(PathBuf::from(&o.path));
    }
    let new_dirs = dirs_of(&files);
    if let Some(p) = files.iter().find(|p| new_dirs.contains(*p)) {
        return Err(invalid(format!("`{}` is generated both as a file and as a directory", p.display())));
    }
    // 2. the directory
    let given = root;
    let root = match std::fs::symlink_metadata(given) {
        Ok(m) if m.is_dir() || m.file_type().is_symlink() => {
            let real = std::fs::canonicalize(given)?;
            if !std::fs::metadata(&real)?.is_dir() {
                return Err(invalid(format!("{} is not a directory", given.display())));
            }
            Some(real)
        }
        Ok(_) => return Err(invalid(format!("{} is not a directory", given.display()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let target = match &root {
        Some(r) => r.clone(),
        None => {
            let parent = root_parent(given);
            std::fs::create_dir_all(&parent)?;
            let name = given.file_name().ok_or_else(|| invalid(format!("{} names no directory", given.display())))?;
            std::fs::canonicalize(&parent)?.join(name)
        }
    };
    let (parent, name) = match (target.parent(), target.file_name()) {
        (Some(p), Some(n)) => (p.to_path_buf(), n.to_string_lossy().into_owned()),
        _ => return Err(invalid(format!("cannot replace {}", target.display()))),
    };
    // 3. what is whose
    let old = match &root {
        Some(r) => read_manifest(r),
        None => BTreeSet::new(),
    };
    let old_dirs = dirs_of(&old);
    let mut user = vec![];
    if let Some(r) = &root {
        classify(r, Path::new(""), &old, &old_dirs, &files, &new_dirs, &mut user)?;
    }
    // 4. stage
    let stage = fresh_dir(&parent, &name)?;
    if let Err(e) = write_all(&stage, outputs, &files) {
        let _ = std::fs::remove_dir_all(&stage);
        return Err(e);
    }
    let Some(r) = &root else {
        return std::fs::rename(&stage, &target).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&stage);
        });
    };
    // 5. carry the user's entries over, then swap
    let mut moved: Vec<&PathBuf> = vec![];
    let undo = |moved: &[&PathBuf]| {
        for p in moved.iter().rev() {
            let _ = std::fs::rename(stage.join(p), r.join(p));
        }
        // only this build's files: a user's entry that could not go back stays
        prune(&stage, Path::new(""), &files);
        let _ = std::fs::remove_dir(&stage);
    };
    for p in &user {
        let step = (|| {
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(stage.join(d))?;
            }
            std::fs::rename(r.join(p), stage.join(p))
        })();
        if let Err(e) = step {
            undo(&moved);
            return Err(io::Error::new(e.kind(), format!("cannot keep {}: {e}", r.join(p).display())));
        }
        moved.push(p);
    }
    if let Err(e) = exchange(&stage, r) {
        undo(&moved);
        return Err(e);
    }
    // 6. the old tree is at `stage` now: remove exactly what the old build wrote
    prune(&stage, Path::new(""), &old);
    let _ = std::fs::remove_dir(&stage);
    Ok(())
}

/// Remove the files of `old` (and the manifest) under `base/rel`, then the directories left
/// empty. Only real directories are entered: a symlink is never followed.
fn prune(base: &Path, rel: &Path, old: &BTreeSet<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(base.join(rel)) else { return };
    for e in rd.flatten() {
        let p = rel.join(e.file_name());
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            prune(base, &p, old);
            let _ = std::fs::remove_dir(base.join(&p));
        } else if old.contains(&p) || p == Path::new(MANIFEST) {
            let _ = std::fs::remove_file(base.join(&p));
        }
    }
}

/// Every proper ancestor directory of the paths (relative, without the empty root), deepest
/// last in each chain; iterate in reverse to go bottom-up.
fn dirs_of(paths: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for p in paths {
        let mut a = p.parent();
        while let Some(d) = a {
            if d.as_os_str().is_empty() {
                break;
            }
            out.insert(d.to_path_buf());
            a = d.parent();
        }
    }
    out
}

fn root_parent(root: &Path) -> PathBuf {
    match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The previous build's files, from its manifest (a regular file, not a link); entries that
/// are not acceptable output paths (a hand-edited manifest) are ignored.
fn read_manifest(root: &Path) -> BTreeSet<PathBuf> {
    let p = root.join(MANIFEST);
    let Ok(m) = std::fs::symlink_metadata(&p) else { return BTreeSet::new() };
    if !m.is_file() || m.len() > 64 << 20 {
        return BTreeSet::new();
    }
    let text = std::fs::read_to_string(&p).unwrap_or_default();
    text.lines().filter(|l| !l.starts_with('#') && check_path(l).is_ok()).map(PathBuf::from).collect()
}

/// The files the previous build wrote into `root`, from its manifest (relative paths; empty
/// when there is no readable manifest): what [`replace`] will remove or overwrite.
pub fn previous_outputs(root: &Path) -> BTreeSet<PathBuf> {
    read_manifest(root)
}

/// The text of `rel` (an acceptable output path, see [`check_path`]) under `root` as the
/// previous build left it: `None` unless every directory on the way is a real directory and
/// the file a regular file (no symlink below `root` is followed), at most `limit` bytes and
/// UTF-8.
pub fn read_previous(root: &Path, rel: &Path, limit: u64) -> Option<String> {
    use std::io::Read;
    check_path(rel.to_str()?).ok()?;
    let mut at = root.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for (i, c) in parts.iter().enumerate() {
        at.push(c);
        let m = std::fs::symlink_metadata(&at).ok()?;
        let last = i + 1 == parts.len();
        let fits = if last { m.is_file() && m.len() <= limit } else { m.is_dir() };
        if !fits {
            return None;
        }
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    let mut text = String::new();
    opts.open(&at).ok()?.take(limit).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Collect the user's entries under `root/rel` into `user`; an error for one that is in the
/// way of this build.
fn classify(
    root: &Path,
    rel: &Path,
    old: &BTreeSet<PathBuf>,
    old_dirs: &BTreeSet<PathBuf>,
    files: &BTreeSet<PathBuf>,
    new_dirs: &BTreeSet<PathBuf>,
    user: &mut Vec<PathBuf>,
) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(root.join(rel))?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = rel.join(e.file_name());
        let ft = e.file_type()?; // of the entry itself: a symlink is a symlink
        if rel.as_os_str().is_empty() && p == Path::new(MANIFEST) && ft.is_file() {
            continue;
        }
        if ft.is_dir() && (new_dirs.contains(&p) || old_dirs.contains(&p)) {
            classify(root, &p, old, old_dirs, files, new_dirs, user)?;
            continue;
        }
        if !ft.is_dir() && old.contains(&p) {
            continue; // the previous build's: replaced or dropped
        }
        if files.contains(&p) || new_dirs.contains(&p) {
            let what = if ft.is_symlink() { "a symlink" } else if ft.is_dir() { "a directory" } else { "a file" };
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} is {what} that gstackc did not write (it is not in {MANIFEST}), and this build writes there; move it away",
                    root.join(&p).display()
                ),
            ));
        }
        user.push(p);
    }
    Ok(())
}

/// A new empty directory `.<name>.gstack-new-<pid>-<n>` in `parent`.
fn fresh_dir(parent: &Path, name: &str) -> io::Result<PathBuf> {
    for n in 0..1000 {
        let p = parent.join(format!(".{name}.gstack-new-{}-{n}", std::process::id()));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("no free temporary directory name in {}", parent.display())))
}

/// Write every output and the manifest into the fresh directory `stage`.
fn write_all(stage: &Path, outputs: &[Output], files: &BTreeSet<PathBuf>) -> io::Result<()> {
    for o in outputs {
        let p = stage.join(&o.path);
        if let Some(d) = p.parent() {
            create_dirs(stage, d)?;
        }
        // a path generated twice: the later output wins, as it always did
        if std::fs::symlink_metadata(&p).is_ok() {
            std::fs::remove_file(&p)?;
        }
        create_file(&p, o.content.as_bytes(), o.executable)?;
    }
    let mut m = String::from("# files written by gstackc build; the next build deletes exactly these before it writes its own\n");
    for f in files {
        m.push_str(&f.to_string_lossy());
        m.push('\n');
    }
    create_file(&stage.join(MANIFEST), m.as_bytes(), false)
}

/// Create the directories from `stage` down to `dir`, refusing any that is not a plain
/// directory (a symlink, say).
fn create_dirs(stage: &Path, dir: &Path) -> io::Result<()> {
    let rel = dir.strip_prefix(stage).unwrap_or(dir);
    let mut at = stage.to_path_buf();
    for c in rel.components() {
        at.push(c);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} is not a directory", at.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir(&at)?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Create a new file (never through a symlink, never over an existing file).
fn create_file(p: &Path, content: &[u8], executable: bool) -> io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW).mode(if executable { 0o755 } else { 0o644 });
    }
    let mut f = opts.open(p)?;
    f.write_all(content)?;
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

/// Swap the directories `a` and `b` (both exist): atomically on Linux, else by two renames
/// (between which `b` briefly does not exist).
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::unix::ffi::OsStrExt;
        let ca = std::ffi::CString::new(a.as_os_str().as_bytes()).map_err(|e| invalid(e.to_string()))?;
        let cb = std::ffi::CString::new(b.as_os_str().as_bytes()).map_err(|e| invalid(e.to_string()))?;
        // SAFETY: both are valid NUL-terminated paths; renameat2 only reads them.
        let r = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE as _) };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        // not supported by this kernel or file system: fall back
        if !matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EINVAL) | Some(libc::ENOTSUP)) {
            return Err(e);
        }
    }
    let aside = a.with_file_name(format!("{}-old", a.file_name().unwrap_or_default().to_string_lossy()));
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}
