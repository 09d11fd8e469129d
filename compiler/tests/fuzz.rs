//! Robustness fuzzing with proptest: no input makes the compiler panic.
//!
//! Two input generators:
//! - random token streams drawn from the language's vocabulary (keywords, punctuation,
//!   strings with `${…}`, numbers with units, query literals, stray backticks and quotes,
//!   comments, newlines);
//! - random byte mutations (insert / delete / replace at random offsets) of
//!   `examples/default.gstack`.
//!
//! For each input, everything `gstackc check` and `gstackc build` do with it: `syntax::parse`
//! and the full `check_stack` (through a fresh `Database` with `set_file`) must not panic;
//! every diagnostic must render for the terminal (`diag::render`) and as JSON
//! (`diag::to_json`); when there is no error, the IR must serialise and every target must
//! render (`targets::render`) to relative paths inside the output directory and be written
//! (`targets::write`, into a temporary directory). The parser's fast pass and its `Rich`-error
//! pass must give the same tree and errors, and `syntax::fmt::format` must either refuse the
//! input or return text that formats to itself.
//!
//! The number of cases per generator is 256 by default (so `cargo test` stays fast) and is
//! set with `GSTACK_FUZZ_CASES` (`bench/fuzz.sh` runs 20,000). Failures are shrunk by proptest
//! and reported with the minimal input. Built outputs go to a temporary directory per test,
//! removed at the end.

use gstack::db::Database;
use gstack::sema::check::check_stack;
use gstack::{diag, syntax, targets};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Component, Path, PathBuf};
use std::sync::Once;

fn cases() -> u32 {
    std::env::var("GSTACK_FUZZ_CASES").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(256)
}

fn config() -> Config {
    Config { cases: cases(), failure_persistence: None, max_shrink_iters: 4096, ..Config::default() }
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("examples")
}

thread_local! {
    /// How many inputs of this thread's test had no error and were built.
    static BUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Where this thread's test writes an input's built outputs (each test has its own thread).
    static OUT_DIR: PathBuf = std::env::temp_dir().join(format!("gstack-fuzz-{}-{:?}", std::process::id(), std::thread::current().id()).replace(['(', ')'], ""));
}

/// Removes a directory when dropped (after each input's outputs are written, even on a panic).
struct RemoveOnDrop(PathBuf);
impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

thread_local! {
    /// The message of the last panic on this thread (the hook below records it quietly, so
    /// shrinking does not flood the output).
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn quiet_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let recorded = LAST_PANIC.with(|p| {
                let mut p = p.borrow_mut();
                if let Some(slot) = p.as_mut() {
                    // inside `guarded`: keep the message, print nothing
                    let loc = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
                    let msg = info
                        .payload()
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| info.payload().downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "(non-string panic payload)".into());
                    *slot = format!("{msg}{loc}");
                    true
                } else {
                    false
                }
            });
            if !recorded {
                default(info);
            }
        }));
    });
}

/// Run `f`, turning a panic into `Err(message)`.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    LAST_PANIC.with(|p| *p.borrow_mut() = Some(String::new()));
    let r = catch_unwind(AssertUnwindSafe(f));
    let msg = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_default();
    r.map_err(|_| format!("{what} panicked: {msg}"))
}

/// Every property of one input; `Err` describes the first violation.
fn check_input(src: &str, root: &Path) -> Result<(), String> {
    quiet_panics();
    guarded("syntax::parse", || syntax::parse(src))?;
    // the parser's fast pass (no error bookkeeping) and its `Rich` pass must agree
    let lexed = syntax::lexer::lex(src);
    let (fast, fast_errs) = guarded("parse_tokens", || syntax::parser::parse_tokens(&lexed.tokens, src.len()))?;
    let (rich, rich_errs) = guarded("parse_tokens_rich", || syntax::parser::parse_tokens_rich(&lexed.tokens, src.len()))?;
    if fast != rich || fast_errs != rich_errs {
        return Err(format!("the fast and the Rich parse differ: {} vs {} errors, same tree: {}", fast_errs.len(), rich_errs.len(), fast == rich));
    }
    let (db, checked) = guarded("check_stack", || {
        let mut db = Database::default();
        let file = db.set_file(root, src.to_string());
        let checked = check_stack(&db, file).clone();
        (db, checked)
    })?;
    // what `gstackc check` prints, in both formats
    let source = |p: &Path| db.source_text(p);
    guarded("diag::render", || diag::render(&checked.diagnostics, &source, false))?;
    guarded("diag::render (colour)", || diag::render(&checked.diagnostics, &source, true))?;
    guarded("diag::to_json", || diag::to_json(&checked.diagnostics, &source).to_string())?;
    // what `gstackc build` writes
    if !checked.has_errors() {
        let Some(ir) = &checked.stack else {
            return Err("no error, and yet no IR".into());
        };
        guarded("the IR's JSON", || serde_json::to_string_pretty(ir).expect("IR serialises"))?;
        // a refusal (a value no file can carry exactly) is an answer, not a failure
        if let Ok(outputs) = guarded("targets::render", || targets::render(ir, None))? {
            if let Some(o) = outputs.iter().find(|o| {
                let p = Path::new(&o.path);
                o.path.is_empty() || p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_)))
            }) {
                return Err(format!("an output path leaves the output directory: {:?}", o.path));
            }
            let guard = RemoveOnDrop(OUT_DIR.with(|d| d.clone()));
            let out = &guard.0;
            guarded("targets::write", || targets::write(out, &outputs))?.map_err(|e| format!("targets::write into {}: {e}", out.display()))?;
            BUILT.with(|b| b.set(b.get() + 1));
        }
    }
    let formatted = guarded("fmt::format", || syntax::fmt::format(src))?;
    if let Ok(once) = formatted {
        let twice = guarded("fmt::format (second pass)", || syntax::fmt::format(&once))?;
        match twice {
            Ok(t) if t == once => {}
            Ok(t) => return Err(format!("format is not idempotent:\n--- first pass ---\n{once}\n--- second pass ---\n{t}")),
            Err(e) => return Err(format!("format refused its own output: {e}\n--- output ---\n{once}")),
        }
    }
    Ok(())
}

// ---- generator 1: token streams ---------------------------------------------------------------

const VOCAB: &[&str] = &[
    // keywords and names the schemas know
    "stack", "grafana", "prometheus", "loki", "tempo", "alertmanager", "node_exporter", "dashboard", "row",
    "timeseries", "stat", "logs", "alert", "log_alert", "datasource", "target", "native", "kubernetes", "for",
    "in", "if", "else", "let", "fn", "import", "as", "std", "panels", "selfmon", "true", "false", "var", "settings",
    "scrape", "receiver", "route", "resources", "secret", "file", "env", "query", "custom", "range", "len", "join",
    "str", "title", "unit", "legend", "expr", "severity", "critical", "summary", "port", "retention", "targets",
    "interval", "x", "svc", "services", "rate_panel", "reqps", "string", "int",
    // punctuation and operators
    "{", "}", "(", ")", "[", "]", ",", ":", ".", "=", "+", "-", "*", "/", "==", "!=", "<", ">", "<=", ">=", "&&",
    "||", "!", ";", "\"", "`", "$", "${", "#", "@", "\\",
    // strings
    "\"text\"", "\"\"", "\"a ${x} b\"", "\"${svc} requests/s\"", "\"${\"", "\"${x\"", "\"${}\"", "\"\\n\\t\\\"\"",
    "\"\\q\"", "\"{{route}}\"", "\"é µs ✓\"", "\"unterminated",
    // numbers, units, addresses
    "0", "1", "-1", "15", "0.5", "15s", "10min", "10m", "2GiB", "500m", "30d", "1h", "99999999999999999999", "1e9",
    "1.", ".5", "127.0.0.1", "1.2.3.4.5", "3000", "65536", "0s", "5xx",
    // query literals
    "promql`", "promql`up`", "promql`rate(http_requests_total{service=\"${x}\"}[5m])`", "promql`sum(`",
    "promql`up[10]`", "logql`{a=\"b\"} |= \"e\"`", "logql`", "traceql`{ duration > 2s }`", "sql`select 1`",
    "kql`x`", "promql`${`",
    // comments
    "///", "/// doc", "// comment", "/* c */",
];

const SEPS: &[&str] = &["", " ", " ", " ", "\n", "\n", "\n\n", "\t", "\r\n"];

fn token_stream() -> impl Strategy<Value = String> {
    prop::collection::vec((0..VOCAB.len(), 0..SEPS.len()), 0..80).prop_map(|toks| {
        let mut s = String::new();
        for (t, sep) in toks {
            s.push_str(VOCAB[t]);
            // a line comment swallows the rest of its line: end it so tokens keep coming
            if VOCAB[t].starts_with("//") {
                s.push('\n');
            } else {
                s.push_str(SEPS[sep]);
            }
        }
        s
    })
}

// ---- generator 2: mutations of the bundled example -------------------------------------------

#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Replace(usize, u8),
}

/// Bytes worth inserting: structure, quotes, interpolation, digits, unit letters, UTF-8 pieces.
const INTERESTING: &[u8] = b"{}()[],:.=+-*/!<>\"`$\\#\n 0123456789smhdGiBkx_";

fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(INTERESTING), 1..4),
        prop::sample::select(VOCAB).prop_map(|t| t.as_bytes().to_vec()),
        // arbitrary bytes, including invalid UTF-8 (decoded lossily below)
        prop::collection::vec(any::<u8>(), 1..3),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // offsets are fractions of the length (resolved against the current text)
    prop_oneof![
        3 => (any::<usize>(), fragment()).prop_map(|(o, b)| Mutation::Insert(o, b)),
        3 => (any::<usize>(), 1..24usize).prop_map(|(o, n)| Mutation::Delete(o, n)),
        2 => (any::<usize>(), prop::sample::select(INTERESTING)).prop_map(|(o, b)| Mutation::Replace(o, b)),
    ]
}

fn apply(base: &str, muts: &[Mutation]) -> String {
    let mut b = base.as_bytes().to_vec();
    for m in muts {
        let len = b.len();
        match m {
            Mutation::Insert(o, bytes) => {
                let at = o % (len + 1);
                b.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(o, n) if len > 0 => {
                let at = o % len;
                let end = (at + n).min(len);
                b.drain(at..end);
            }
            Mutation::Replace(o, byte) if len > 0 => {
                b[o % len] = *byte;
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn run(name: &str, strategy: impl Strategy<Value = String>, root: PathBuf) {
    quiet_panics();
    let mut runner = TestRunner::new(config());
    let count = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&strategy, |src| {
        let n = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n % 2000 == 0 {
            // progress, for runs cut off by a time limit (visible with --nocapture)
            println!("fuzz {name}: {n} inputs so far");
        }
        check_input(&src, &root).map_err(|e| TestCaseError::fail(format!("{e} (input: {} bytes, shown below)", src.len())))
    });
    let n = count.load(std::sync::atomic::Ordering::Relaxed);
    match result {
        Ok(()) => println!("fuzz {name}: {} cases passed ({n} inputs run, {} without errors built and written), no panic", runner.config().cases, BUILT.with(|b| b.get())),
        Err(e) => panic!("fuzz {name}: failure after {n} inputs (shrunk to a minimal input):\n{e}"),
    }
}

#[test]
fn token_streams_never_panic() {
    run("token_streams", token_stream(), examples_dir().join("fuzz-input.gstack"));
}

#[test]
fn mutated_example_never_panics() {
    let root = examples_dir().join("default.gstack");
    let base = std::fs::read_to_string(&root).expect("examples/default.gstack");
    // the unmutated file is the baseline: it must pass too
    check_input(&base, &root).unwrap();
    let strategy = prop::collection::vec(mutation(), 1..8).prop_map(move |muts| apply(&base, &muts));
    run("mutated_default", strategy, root);
}

#[test]
fn bundled_examples_are_clean_for_the_fuzzer() {
    // sanity: the harness itself accepts every example file
    for name in ["default.gstack", "teams/payments.gstack"] {
        let p = examples_dir().join(name);
        let src = std::fs::read_to_string(&p).unwrap();
        check_input(&src, &p).unwrap();
    }
}

/// Found by `bench/fuzz.sh` (mutations of `examples/default.gstack`): a PromQL literal that
/// ends inside an unclosed range `[` makes `check_stack` panic while slicing in
/// `sema::check::promql_hint`: `find_bad_range` returns the length of an unclosed range as if a
/// closing `]` followed, so `&text[off + 1..off + len - 1]` is either reversed ("begin > end",
/// when `[` is the last character) or cuts a multi-byte character ("not a char boundary").
/// Fixed: an unclosed `[` is left to the bracket balance check.
#[test]
fn unclosed_promql_range_is_a_diagnostic_not_a_panic() {
    let root = examples_dir().join("fuzz-input.gstack");
    let mut failures = vec![];
    for src in ["alert A { expr = promql`up[` }\n", "alert A { expr = promql`up[é` }\n"] {
        if let Err(e) = check_input(src, &root) {
            failures.push(format!("{src:?}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A LogQL literal with an unbalanced `)` right before a multi-byte character: the checker's
/// diagnostic span ends inside `é`, and rendering it (`diag::render`, `diag::to_json`) sliced
/// the source there and panicked ("not a char boundary"). Fixed in `diag`: rendering clamps
/// offsets to character boundaries. (The span itself is still off: `QueryVal::span_of` maps
/// query offsets to source offsets ignoring the escape `$${`, one byte shorter in the value.)
#[test]
fn a_span_splitting_a_character_renders() {
    let root = examples_dir().join("fuzz-input.gstack");
    let src = "stack s { loki {} grafana {} }\ndashboard d { logs \"x\" { query = logql`{a=\"b\"} $${x}é)` } }\n";
    check_input(src, &root).unwrap();
}
