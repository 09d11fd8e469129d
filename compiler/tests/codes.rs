//! The code table (`compiler/src/diag/codes.rs`) against everything else: the codes the
//! sources use, the codes the error corpus expects, the table's own examples, and
//! `gstackc explain`.

use gstack::db::Database;
use gstack::diag::codes::{self, CodeInfo, CODES};
use gstack::sema::check::check_stack;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (`compiler/..`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("compiler/ has a parent").to_path_buf()
}

/// Is `s` a code, `E0ddd` or `W0ddd`?
fn is_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && (b[0] == b'E' || b[0] == b'W') && b[1] == b'0' && b[2..].iter().all(u8::is_ascii_digit)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every code literal (`"E0ddd"` / `"W0ddd"`) in the `.rs` files of `compiler/src` and
/// `lsp/src` but the table itself, with where it stands (`path:line`).
fn codes_in_source() -> BTreeMap<String, Vec<String>> {
    let root = workspace();
    let table = root.join("compiler/src/diag/codes.rs");
    let mut files = vec![];
    rust_files(&root.join("compiler/src"), &mut files);
    rust_files(&root.join("lsp/src"), &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files.iter().filter(|f| **f != table) {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for (i, _) in line.match_indices('"') {
                if let Some(c) = line.get(i + 1..i + 6).filter(|c| is_code(c) && line[i + 6..].starts_with('"')) {
                    let at = format!("{}:{}", f.strip_prefix(&root).unwrap().display(), n + 1);
                    out.entry(c.to_string()).or_default().push(at);
                }
            }
        }
    }
    out
}

#[test]
fn table_is_well_formed() {
    assert!(CODES.len() >= 30, "the table has only {} rows", CODES.len());
    for c in CODES.iter() {
        assert!(is_code(c.code), "`{}` is not a code", c.code);
        assert!(!c.title.is_empty() && !c.explanation.is_empty(), "{}: no title or explanation", c.code);
        assert!(c.is_reserved() || c.example.ends_with('\n'), "{}: the example does not end with a newline", c.code);
        assert!(!c.is_reserved() || c.files.is_empty(), "{}: a reserved code has files", c.code);
        assert!(std::ptr::eq(codes::lookup(c.code).unwrap(), *c), "{} has more than one row", c.code);
    }
    // by hundreds; in each, the errors, then the warnings, by number
    let key = |c: &CodeInfo| (c.code[1..3].to_string(), c.is_warning(), c.code[3..].to_string());
    assert!(CODES.windows(2).all(|w| key(&w[0]) < key(&w[1])), "the table is not in order of the codes");
}

#[test]
fn every_code_in_the_source_has_a_row() {
    let missing: Vec<String> = codes_in_source()
        .into_iter()
        .filter(|(c, _)| codes::lookup(c).is_none())
        .map(|(c, at)| format!("{c} (used at {})", at.join(", ")))
        .collect();
    assert!(missing.is_empty(), "codes without a row in compiler/src/diag/codes.rs:\n  {}", missing.join("\n  "));
}

#[test]
fn every_row_is_used_unless_reserved() {
    let used = codes_in_source();
    let unused: Vec<&str> = CODES.iter().filter(|c| !c.is_reserved() && !used.contains_key(c.code)).map(|c| c.code).collect();
    assert!(
        unused.is_empty(),
        "rows of compiler/src/diag/codes.rs that no source file uses: {} (give one an empty example to keep it as reserved)",
        unused.join(", ")
    );
    let reserved: Vec<String> =
        CODES.iter().filter(|c| c.is_reserved() && used.contains_key(c.code)).map(|c| format!("{} at {}", c.code, used[c.code].join(", "))).collect();
    assert!(reserved.is_empty(), "reserved codes that the sources use:\n  {}", reserved.join("\n  "));
}

#[test]
fn every_code_of_the_error_corpus_has_a_row() {
    let dir = workspace().join("tests/errors");
    let mut seen = 0;
    let mut missing = vec![];
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if !p.extension().is_some_and(|x| x == "gstack") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let Some(list) = text.lines().next().and_then(|l| l.strip_prefix("// expect:")) else { continue };
        for c in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            seen += 1;
            if codes::lookup(c).is_none() {
                missing.push(format!("{c} ({})", p.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(seen >= 40, "read only {seen} expected codes from {}", dir.display());
    assert!(missing.is_empty(), "codes the error corpus expects that have no row: {}", missing.join(", "));
}

/// The codes `info`'s example produces, checked as the file `example.gstack` with its files
/// beside it (the overrides JSON of a `7xx` code is read as `gstackc build --overrides` does).
/// The files are written to disk: the checker looks for imported dashboards and rule files
/// there.
fn example_codes(info: &CodeInfo) -> (BTreeSet<String>, String) {
    let mut db = Database::default();
    if info.code.starts_with("E07") {
        let path = Path::new("overrides.json");
        return match gstack::sema::overrides::normalise(path, info.example) {
            Ok(_) => (BTreeSet::new(), "the overrides were read".into()),
            Err(d) => {
                db.set_file(path, info.example.to_string());
                (BTreeSet::from([d.code.to_string()]), gstack::diag::render(&[d], &|p| db.source_text(p), false))
            }
        };
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("code-examples").join(info.code);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in info.files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    let root = db.set_file(&dir.join("example.gstack"), info.example.to_string());
    let diags = &check_stack(&db, root).diagnostics;
    let rendered = gstack::diag::render(diags, &|p| db.source_text(p), false);
    (diags.iter().map(|d| d.code.to_string()).collect(), rendered)
}

#[test]
fn every_example_produces_its_code_and_no_other() {
    // examples that cannot be run from the table, each with where its code is tested instead
    const ELSEWHERE: &[(&str, &str)] = &[
        ("E0105", "needs a file over 8 MiB: compiler/tests/bounded.rs writes one"),
        ("E0403", "needs a PromQL query over 16 KiB: compiler/tests/bounded.rs writes one"),
        ("E0601", "needs a dashboard over 1 MiB: compiler/tests/kubernetes.rs writes one"),
        ("E0212", "found by rendering the checked stack (`gstackc check` and `build` do): compiler/tests/injection.rs checks every refused value"),
        ("W0602", "needs a dashboard over 255 KiB: compiler/tests/kubernetes.rs imports Node Exporter Full"),
        ("W0604", "needs a previous build in the output directory: compiler/tests/upgrade.rs builds twice"),
    ];
    let mut wrong = vec![];
    for (code, why) in ELSEWHERE {
        eprintln!("note: the example of {code} is not run here: {why}");
    }
    for info in CODES.iter().filter(|c| !c.is_reserved() && !ELSEWHERE.iter().any(|(code, _)| *code == c.code)) {
        let (found, rendered) = example_codes(info);
        if found != BTreeSet::from([info.code.to_string()]) {
            wrong.push(format!("{}: the example produces {found:?}\n{rendered}", info.code));
        }
    }
    assert!(wrong.is_empty(), "examples of compiler/src/diag/codes.rs that do not produce just their code:\n{}", wrong.join("\n"));
}

fn explain(args: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("explain").args(args).output().expect("run gstackc");
    (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn explain_prints_a_known_code() {
    let (status, out, err) = explain(&["E0201"]);
    assert_eq!(status, Some(0), "{err}");
    let info = codes::lookup("E0201").unwrap();
    assert!(out.starts_with(&format!("error[E0201]: {}\n", info.title)), "{out}");
    assert!(out.contains("retention = 15"), "the example is missing:\n{out}");
    // case does not matter; files an example reads are shown
    let (status, out, _) = explain(&["e0305"]);
    assert_eq!(status, Some(0));
    assert!(out.contains("with `data/datasources.json`:"), "{out}");
}

#[test]
fn explain_lists_nearby_codes_for_an_unknown_one() {
    let (status, out, err) = explain(&["E0213"]);
    assert_eq!(status, Some(2), "{out}{err}");
    assert!(err.contains("no diagnostic code `E0213`"), "{err}");
    assert!(err.contains("E0203") && err.contains("E0212"), "nearby codes are missing:\n{err}");
    // far from every code: the list of all of them is offered
    let (status, _, err) = explain(&["X9999"]);
    assert_eq!(status, Some(2));
    assert!(err.contains("gstackc explain --list"), "{err}");
}

#[test]
fn explain_list_prints_every_code() {
    let (status, out, err) = explain(&["--list"]);
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(out.lines().count(), CODES.len(), "{out}");
    assert!(out.lines().zip(CODES.iter()).all(|(l, c)| l.starts_with(c.code) && l.ends_with(c.title)), "{out}");
}
