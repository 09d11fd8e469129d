//! The incremental re-check gives exactly what a fresh check gives.
//!
//! One `Database` takes a sequence of edits (`set_file`) to a three-file stack — edits that
//! change what spans files: a datasource renamed in the root, a dashboard name or uid made to
//! clash with one in another file, a component removed, a syntax error and its fix, a PromQL
//! query broken and mended, a file emptied and restored — and after each edit its
//! `check_stack` is compared with `check_stack` of a fresh `Database` holding the same texts:
//! same diagnostics, same IR.

use gstack::db::Database;
use gstack::sema::check::check_stack;
use std::path::{Path, PathBuf};

const MAIN: &str = r#"import "./a.gstack"
import "./b.gstack"

stack shop {
  grafana {}
  prometheus {
    scrape api { targets = ["127.0.0.1:8080"] }
  }
  loki {}
}

datasource warehouse {
  type = postgres
  url  = "db.internal:5432"
}
"#;

const A: &str = r#"dashboard api {
  title = "API"
  row "Traffic" {
    timeseries "Requests" { query = promql`sum(rate(http_requests_total{job=~"api.*"}[5m]))`, unit = "reqps" }
    table "Orders" { datasource = warehouse, query = sql`select count(*) from orders` }
  }
}

alert ApiDown {
  expr     = promql`up{job="api"} == 0`
  for      = 5m
  severity = critical
  summary  = "API down"
}
"#;

const B: &str = r#"dashboard logs {
  uid   = "logs-main"
  title = "Logs"
  logs "Errors" { query = logql`{job="api"} |= "error"` }
}
"#;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// Diagnostics and IR of a fresh database over `files`.
fn fresh(dir: &Path, files: &[(&str, String)]) -> (Vec<gstack::diag::Diagnostic>, Option<String>) {
    let mut db = Database::default();
    for (name, text) in files {
        db.set_file(&dir.join(name), text.clone());
    }
    let root = db.set_file(&dir.join("main.gstack"), files[0].1.clone());
    let c = check_stack(&db, root);
    (c.diagnostics.clone(), c.stack.as_ref().map(|s| serde_json::to_string(s).unwrap()))
}

#[test]
fn every_edit_rechecks_to_what_a_fresh_check_gives() {
    let dir: PathBuf = std::env::temp_dir().join(format!("gstack-incremental-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, &[("main.gstack", MAIN), ("a.gstack", A), ("b.gstack", B)]);

    // (file, new text) in order; each builds on the texts before it
    let edits: Vec<(&str, String)> = vec![
        ("a.gstack", A.replace("\"Requests\"", "\"Requests per second\"")),
        ("main.gstack", MAIN.replace("datasource warehouse", "datasource lake")),
        ("main.gstack", MAIN.to_string()),
        ("b.gstack", B.replace("dashboard logs", "dashboard api")),
        ("b.gstack", B.replace("\"logs-main\"", "\"api\"")),
        ("b.gstack", B.to_string()),
        // the scrape job the queries select renamed and back (W0403 comes and goes)
        ("main.gstack", MAIN.replace("scrape api", "scrape web")),
        ("main.gstack", MAIN.to_string()),
        ("main.gstack", MAIN.replace("  loki {}\n", "")),
        ("main.gstack", MAIN.to_string()),
        ("a.gstack", A.replace("[5m]", "[5min]")),
        ("a.gstack", A.replace("title = \"API\"", "title = = \"API\"")),
        ("a.gstack", A.to_string()),
        ("b.gstack", String::new()),
        ("b.gstack", B.to_string()),
        ("a.gstack", A.replace("job=~\"api.*\"", "job=~\".*\"")),
        ("a.gstack", A.to_string()),
    ];

    let mut texts: Vec<(&str, String)> = vec![("main.gstack", MAIN.to_string()), ("a.gstack", A.to_string()), ("b.gstack", B.to_string())];
    let mut db = Database::default();
    let root = db.set_file(&dir.join("main.gstack"), MAIN.to_string());
    let first = check_stack(&db, root);
    assert!(first.diagnostics.is_empty(), "the starting stack is not clean: {:?}", first.diagnostics);
    assert_eq!(first.stack.as_ref().map(|s| s.dashboards.len()), Some(2));

    let mut saw_errors = 0;
    for (i, (file, text)) in edits.iter().enumerate() {
        db.set_file(&dir.join(file), text.clone());
        texts.iter_mut().find(|(n, _)| n == file).unwrap().1 = text.clone();
        let c = check_stack(&db, root);
        let got = (c.diagnostics.clone(), c.stack.as_ref().map(|s| serde_json::to_string(s).unwrap()));
        let want = fresh(&dir, &texts);
        assert_eq!(got.0, want.0, "edit {i} ({file}): diagnostics differ from a fresh check");
        assert_eq!(got.1, want.1, "edit {i} ({file}): IR differs from a fresh check");
        if c.has_errors() {
            saw_errors += 1;
        }
    }
    // the edits meant to break something did (so the comparison covered error paths)
    assert!(saw_errors >= 6, "only {saw_errors} edits produced errors");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same two texts of a file, alternating (issue #14: the language server's memory grew
/// steadily): what the database holds after 400 alternations is what it held after 100 —
/// salsa's struct and memo counts (`memory_usage`), with the language server's per-change
/// queries run on a clone as its snapshots do. (Interned PromQL texts are collected and
/// re-interned; nothing accumulates.)
#[test]
fn alternating_two_texts_keeps_the_database_bounded() {
    let mut src = String::from("stack s {\n  prometheus {\n    scrape a { targets = [\"127.0.0.1:8080\"] }\n  }\n  grafana {}\n}\n");
    for i in 0..20 {
        src.push_str(&format!("dashboard d{i} {{\n  row \"r\" {{\n    timeseries \"p\" {{ query = promql`rate(x{{job=~\"a.*\"}}[5m])` }}\n  }}\n}}\nalert A{i} {{ expr = promql`up{{job=\"a\", i=\"{i}\"}} == 0` }}\n"));
    }
    let a = src.clone();
    let b = src.replacen("timeseries \"p\"", "timeseries \"q\"", 1);
    let mut db = Database::default();
    let path = Path::new("/alternate/main.gstack");
    let mut counts = vec![];
    for i in 0..=400 {
        let f = db.set_file(path, if i % 2 == 0 { a.clone() } else { b.clone() });
        let checked = check_stack(&db, f);
        assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
        {
            // what the language server runs per change, on a clone as its snapshots are
            let snap = db.clone();
            gstack::ide::diagnostics::file_local(&snap, f);
            gstack::ide::diagnostics::stack(&snap, f);
        }
        if i == 100 || i == 400 {
            let info = (&mut db as &mut dyn salsa::Database).memory_usage();
            let mut c: Vec<(String, usize)> = info.structs.iter().map(|s| (s.debug_name().to_string(), s.count())).collect();
            c.extend(info.queries.iter().map(|(k, v)| (k.to_string(), v.count())));
            c.sort();
            counts.push(c);
        }
    }
    assert_eq!(counts[0], counts[1], "salsa's structs and memos, after 100 and 400 alternations");
}
