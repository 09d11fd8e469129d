//! Compilation is bounded whatever the input (issue #14): imports through symlinks, devices,
//! FIFOs and huge files; exponential evaluation; and nesting far past any real file. Each
//! case runs the real `gstackc` with a time limit: a hang, a crash (a signal) or a missing
//! diagnostic fails the test.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run `gstackc ARGS` for at most `secs` seconds: (exit code, stderr). Panics on a timeout or
/// when the process is killed by a signal (a stack overflow aborts).
fn gstackc(args: &[&str], cwd: &Path, secs: u64) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            child.kill().ok();
            child.wait().ok();
            panic!("gstackc {args:?} did not finish within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = reader.join().unwrap();
    let code = status.code().unwrap_or_else(|| panic!("gstackc {args:?} was killed by a signal ({status:?}):\n{stderr}"));
    (code, stderr)
}

const STACK: &str = "stack s {\n  prometheus {}\n}\n";

#[test]
fn an_import_cycle_through_symlinks_is_a_cycle() {
    let dir = TempDir::new("bounded-symlinks");
    std::os::unix::fs::symlink(".", dir.path().join("x")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("y")).unwrap();
    std::fs::write(dir.path().join("main.gstack"), format!("import \"./x/main.gstack\" as a\nimport \"./y/main.gstack\" as b\n{STACK}")).unwrap();
    let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 60);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0103"), "a self-import through a symlink is a cycle:\n{err}");
}

#[test]
fn only_regular_files_of_bounded_size_are_read() {
    let dir = TempDir::new("bounded-files");
    // a device, a FIFO (opening it would wait for a writer for ever) and a directory
    let fifo = dir.path().join("pipe.gstack");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::fs::create_dir(dir.path().join("dir.gstack")).unwrap();
    for target in ["/dev/zero", "./pipe.gstack", "./dir.gstack"] {
        std::fs::write(dir.path().join("main.gstack"), format!("import \"{target}\" as x\n{STACK}")).unwrap();
        let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 30);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("E0102") && err.contains("not a regular file"), "import {target}:\n{err}");
    }
    for root in ["/dev/zero", "pipe.gstack"] {
        let (code, err) = gstackc(&["check", root], dir.path(), 30);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("E0102") && err.contains("not a regular file"), "check {root}:\n{err}");
        let (code, err) = gstackc(&["fmt", "--check", root], dir.path(), 30);
        assert_eq!(code, 1, "fmt {root}:\n{err}");
    }
    // more than 8 MiB
    let big = "// padding padding padding padding padding padding padding padding padding\n".repeat(120_000);
    std::fs::write(dir.path().join("big.gstack"), &big).unwrap();
    std::fs::write(dir.path().join("main.gstack"), format!("import \"./big.gstack\" as big\n{STACK}")).unwrap();
    let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 30);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0105") && err.contains("MiB"), "{err}");
    let (code, err) = gstackc(&["check", "big.gstack"], dir.path(), 30);
    assert!(code == 1 && err.contains("E0105"), "{err}");
}

#[test]
fn exponential_evaluation_runs_out_of_steps() {
    let dir = TempDir::new("bounded-fuel");
    let src = format!("fn f(n) = if n == 0 then 0 else f(n - 1) + f(n - 1)\n\nlet x = f(40)\n\n{STACK}");
    std::fs::write(dir.path().join("main.gstack"), &src).unwrap();
    let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 120);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0106"), "{err}");
    assert!(err.contains("f(40)"), "reported at the call:\n{err}");
}

#[test]
fn doubling_strings_and_lists_runs_out_of_memory_budget() {
    let dir = TempDir::new("bounded-memory");
    for (first, op) in [("\"xxxxxxxxxxxxxxxx\"", "+"), ("[1, 2, 3, 4]", "+")] {
        let mut src = format!("let a0 = {first}\n");
        for i in 1..=40 {
            src.push_str(&format!("let a{i} = a{p} {op} a{p}\n", p = i - 1));
        }
        src.push_str(STACK);
        std::fs::write(dir.path().join("main.gstack"), &src).unwrap();
        let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 60);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("E0107"), "{err}");
    }
}

/// Sources nesting `n` deep in each way the grammar nests.
fn deep_sources(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("if-else expression chain", format!("let x = {}0\n{STACK}", "if true then 1 else ".repeat(n))),
        ("nested if conditions", format!("let x = {}true{}\n{STACK}", "if ".repeat(n), " then 1 else 2".repeat(n))),
        ("else-if entry chain", format!("stack s {{\n  prometheus {{\n  {}  }}\n}}\n", "if true { port = 1 } else ".repeat(n) + "{ port = 2 }")),
        ("field chain", format!("let x = a{}\n{STACK}", ".b".repeat(n))),
        ("field path", format!("stack s {{\n  prometheus {{}}\n  a{} = 1\n}}\n", ".b".repeat(n))),
        ("call chain", format!("fn f(x) = f\nlet x = f{}\n{STACK}", "(1)".repeat(n))),
        ("operator chain", format!("let x = 1{}\n{STACK}", " + 1".repeat(n))),
        ("operators through brackets", format!("let x = {}1{}\n{STACK}", "(".repeat(30), (" + 1".repeat(n / 30 + 1) + ")").repeat(30))),
        ("prefixes", format!("let x = {}1\n{STACK}", "- ".repeat(n))),
        ("brackets", format!("let x = {}1{}\n{STACK}", "[".repeat(n), "]".repeat(n))),
        ("records", format!("let x = {}{}\n{STACK}", "{ a = ".repeat(n), "1 }".repeat(n))),
        ("interpolations", format!("let x = {}1{}\n{STACK}", "\"${".repeat(n), "}\"".repeat(n))),
    ]
}

#[test]
fn deep_nesting_is_a_diagnostic_for_check_and_fmt() {
    let dir = TempDir::new("bounded-depth");
    for n in [3_000, 10_000, 100_000] {
        for (what, src) in deep_sources(n) {
            let f = dir.path().join("deep.gstack");
            std::fs::write(&f, &src).unwrap();
            let (code, err) = gstackc(&["check", "deep.gstack"], dir.path(), 60);
            assert_eq!(code, 1, "check of {what} ({n}) should fail with a diagnostic:\n{}", &err[..err.len().min(2000)]);
            assert!(err.contains("E0001"), "{what} ({n}): {}", &err[..err.len().min(2000)]);
            let (code, err) = gstackc(&["fmt", "--check", "deep.gstack"], dir.path(), 60);
            assert_eq!(code, 1, "fmt of {what} ({n}):\n{}", &err[..err.len().min(2000)]);
        }
    }
}

#[test]
fn ordinary_nesting_still_checks() {
    // what real files do stays well inside the limits
    let dir = TempDir::new("bounded-ordinary");
    let src = format!(
        "fn pick(n) = {}\"many\"\nlet t = pick(3)\nlet y = {}1{}\nlet z = [{}]\n{STACK}",
        (0..20).map(|i| format!("if n == {i} then \"{i}\" else ")).collect::<String>(),
        "(".repeat(10),
        " + 1".repeat(500) + &")".repeat(10),
        (0..3000).map(|i| format!("{i} + 1")).collect::<Vec<_>>().join(", "),
    );
    std::fs::write(dir.path().join("main.gstack"), &src).unwrap();
    let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 60);
    assert_eq!(code, 0, "{err}");
}

/// The PromQL parser (the `promql-parser` crate) is quadratic in a query's length (issue #14:
/// 100,000 terms `a + a + …` took more than a minute): a query over 16 KiB is E0403 at its
/// literal, in a panel and in an alert, and is not parsed, so the check ends at once; one just
/// under the limit still parses (no diagnostic).
#[test]
fn a_huge_promql_query_is_a_diagnostic_not_a_stall() {
    let dir = TempDir::new("bounded-promql");
    let huge = vec!["a"; 100_000].join(" + ");
    std::fs::write(dir.path().join("main.gstack"), format!("{STACK}dashboard d {{\n  timeseries \"p\" {{ query = promql`{huge}` }}\n}}\nalert A {{ expr = promql`{huge}` }}\n")).unwrap();
    let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 60);
    let short: String = err.lines().filter(|l| l.len() < 300).collect::<Vec<_>>().join("\n");
    assert_eq!(code, 1, "{short}");
    assert_eq!(err.matches("[E0403]").count(), 2, "the panel's query and the alert's:\n{short}");
    assert!(err.contains("more than the limit of 16 KiB") && err.contains("main.gstack:5:") && err.contains("main.gstack:7:"), "{short}");
    let under = vec!["a"; 4000].join(" + ");
    assert!(under.len() <= gstack::sema::query::MAX_PROMQL_BYTES);
    std::fs::write(dir.path().join("main.gstack"), format!("{STACK}alert A {{ expr = promql`{under}` }}\n")).unwrap();
    let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 60);
    assert_eq!(code, 0, "{err}");
}

/// gstack's LogQL parser is linear and has no length limit: a query of 50,000 terms (3 MB)
/// in a panel and in a `log_alert` checks clean, and one with an error at its end reports it.
#[test]
fn a_huge_logql_query_checks_in_bounded_time() {
    let dir = TempDir::new("bounded-logql");
    let stack = "stack s {\n  grafana {}\n  loki {}\n  alertmanager {}\n}\n";
    let huge = vec![r#"count_over_time({app="a"} | logfmt | level="error" [5m])"#; 50_000].join(" + ");
    std::fs::write(dir.path().join("main.gstack"), format!("{stack}dashboard d {{\n  timeseries \"p\" {{ query = logql`{huge}` }}\n}}\nlog_alert A {{ expr = logql`{huge} > 0` }}\n")).unwrap();
    let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 60);
    let short: String = err.lines().filter(|l| l.len() < 300).collect::<Vec<_>>().join("\n");
    assert_eq!(code, 0, "{short}");
    std::fs::write(dir.path().join("main.gstack"), format!("{stack}log_alert A {{ expr = logql`{huge} >` }}\n")).unwrap();
    let (code, err) = gstackc(&["check", "main.gstack"], dir.path(), 60);
    let short: String = err.lines().filter(|l| l.len() < 300).collect::<Vec<_>>().join("\n");
    assert_eq!(code, 1, "{short}");
    assert_eq!(err.matches("[E0401]").count(), 1, "{short}");
}
