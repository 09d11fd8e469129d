//! Bad input never crashes the server: a bounded run of random insertions and deletions at
//! random positions of the bundled example (incremental `didChange`s, including positions past
//! the end of a line or of the file, multi-byte characters and `\r`), with random requests in
//! between. Every request must be answered; every 50 edits (a round, after which the text
//! starts over from the example) the server's published diagnostics must equal what
//! `gstackc check` reports for the same text — which also proves the server applied every edit
//! as the client meant it — and that text must render its diagnostics and, when clean, build.
//!
//! `GSTACK_LSP_FUZZ_STEPS` (default 300) and `GSTACK_LSP_FUZZ_SEED` change the run.

mod common;

use common::{uri, TestClient, Workspace};
use gstack::db::Database;
use gstack::sema::check::check_stack;
use serde_json::{json, Value};
use std::path::Path;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Lines as LSP counts them (`\r\n`, `\r` and `\n` end a line): (start, end of content).
fn lsp_lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            let end = i;
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            out.push((start, end));
            start = i + 1;
        }
        i += 1;
    }
    out.push((start, b.len()));
    out
}

/// Byte offset → (line, UTF-16 character), written independently of the server's converter.
fn lsp_position(text: &str, off: usize) -> Value {
    let lines = lsp_lines(text);
    let line = lines.iter().rposition(|(s, _)| *s <= off).unwrap();
    let (s, e) = lines[line];
    let col: usize = text[s..off.min(e)].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": col })
}

/// (line, character) → byte offset, clamped the way the protocol says.
fn lsp_offset(text: &str, line: usize, ch: usize) -> usize {
    let lines = lsp_lines(text);
    let Some((s, e)) = lines.get(line).copied() else { return text.len() };
    let mut units = 0;
    for (i, c) in text[s..e].char_indices() {
        if units + c.len_utf16() > ch {
            return s + i;
        }
        units += c.len_utf16();
    }
    e
}

/// Edits between checkpoints (each round starts from the example).
const ROUND: usize = 50;

const FRAGMENTS: &[&str] = &[
    "{", "}", "}", "\"", "`", "${", "promql`", "logql`", "= ", "=", "\n", "\n", "  ", "let x = ", "import std.", "import \"./nope.gstack\"",
    "dashboard d {", "row \"r\" {", "stat \"s\" { query = promql`up` }", "😀", "é", "€", "[", "]", "(", ")", ",", ":", "15d", "2GiB", "500m",
    "///", "// c", "for x in services {", "if true {", "else", "#", "$", "\\", "\r\n", "\r", "\t", "secret.file(\"/x\")", "rate_panel(", "x.",
    ".", "0.5", "127.0.0.1", "-", "!", "&&", "fn f(a: string) = a", "panels.rate_by(\"a\", \"b\", \"c\")", "severity = critical", "unit = reqps",
];

async fn random_request(c: &mut TestClient, rng: &mut Rng, u: &str, text: &str) {
    let lines = lsp_lines(text).len();
    let pos = json!({ "line": rng.below(lines + 2), "character": rng.below(90) });
    let td = json!({ "uri": u });
    let (method, params) = match rng.below(10) {
        0 => ("textDocument/hover", json!({ "textDocument": td, "position": pos })),
        1 => ("textDocument/completion", json!({ "textDocument": td, "position": pos })),
        2 => ("textDocument/definition", json!({ "textDocument": td, "position": pos })),
        3 => ("textDocument/references", json!({ "textDocument": td, "position": pos, "context": { "includeDeclaration": true } })),
        4 => ("textDocument/documentSymbol", json!({ "textDocument": td })),
        5 => ("textDocument/semanticTokens/full", json!({ "textDocument": td })),
        6 => ("textDocument/formatting", json!({ "textDocument": td, "options": { "tabSize": 2, "insertSpaces": true } })),
        7 => ("textDocument/inlayHint", json!({ "textDocument": td, "range": { "start": { "line": 0, "character": 0 }, "end": pos } })),
        8 => ("textDocument/prepareRename", json!({ "textDocument": td, "position": pos })),
        _ => ("textDocument/rename", json!({ "textDocument": td, "position": pos, "newName": "renamed" })),
    };
    // an answer (a result or an error) is all that is asked; `request` panics on silence
    let _ = c.request(method, params).await;
}

/// What `gstackc check` says about `text`, as the server should publish it: all of it, except
/// "no `stack` is declared" when the file declares none (the server takes such a file for a
/// library meant to be imported, and does not ask it for a stack). On the way, the rest of what
/// the CLI does with the text must not panic either: render the diagnostics for a terminal and
/// as JSON, and, when there is no error, render every target and write it (to a temporary
/// directory, removed after).
fn expected(path: &Path, text: &str) -> Vec<Value> {
    let mut db = Database::default();
    let root = db.set_file(path, text.to_string());
    let library = !gstack::ide::diagnostics::declares_stack(&db, root);
    let checked = check_stack(&db, root);
    let source = |p: &Path| db.source_text(p);
    gstack::diag::render(&checked.diagnostics, &source, false);
    gstack::diag::to_json(&checked.diagnostics, &source);
    if let (false, Some(ir)) = (checked.has_errors(), &checked.stack) {
        let out = std::env::temp_dir().join(format!("gstack-lsp-fuzz-out-{}", std::process::id()));
        // a refusal (a value no file can carry exactly) writes nothing
        let written = gstack::targets::write(&out, &gstack::targets::render(ir, None).unwrap_or_default());
        let _ = std::fs::remove_dir_all(&out);
        written.unwrap_or_else(|e| panic!("targets::write into {}: {e}", out.display()));
    }
    checked
        .diagnostics
        .iter()
        .filter(|d| d.location.as_ref().is_some_and(|l| l.file == path))
        .filter(|d| !(library && gstack::ide::diagnostics::is_no_stack(d)))
        .map(|d| {
            let span = d.location.as_ref().unwrap().span;
            let mut msg = d.message.clone();
            if let Some(h) = &d.hint {
                msg.push_str(&format!("\nhelp: {h}"));
            }
            json!({ "code": d.code, "message": msg, "start": lsp_position(text, span.start as usize), "end": lsp_position(text, span.end as usize) })
        })
        .collect()
}

fn published(p: &Value) -> Vec<Value> {
    p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| json!({ "code": d["code"], "message": d["message"], "start": d["range"]["start"], "end": d["range"]["end"] }))
        .collect()
}

#[test]
fn random_edits_never_crash_the_server() {
    let steps: usize = std::env::var("GSTACK_LSP_FUZZ_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let seed: u64 = std::env::var("GSTACK_LSP_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x9E3779B97F4A7C15);
    println!("fuzz: {steps} steps, seed {seed} (GSTACK_LSP_FUZZ_SEED={seed} reproduces)");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = std::fs::read_to_string(root.join("examples/default.gstack")).unwrap();
    let team = std::fs::read_to_string(root.join("examples/teams/payments.gstack")).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_stack_size(8 << 20).enable_all().build().unwrap();
    rt.block_on(async {
        let ws = Workspace::new("fuzz", &[("default.gstack", &example), ("teams/payments.gstack", &team)]);
        let path = ws.path("default.gstack");
        let mut c = TestClient::start(&ws.dir).await;
        let mut rng = Rng(seed | 1);
        let mut text = example.clone();
        let u = c.open(&path, &text).await;
        assert_eq!(u, uri(&path));
        let start = std::time::Instant::now();
        let mut version_base = 0i64;
        for step in 0..steps {
            let version = step as i64 + 2 + version_base;
            // a position: usually a character boundary of the text, sometimes past a line's end
            // or past the last line (the server clamps; so does `lsp_offset`)
            let (line, ch) = match rng.below(12) {
                0 => (rng.below(lsp_lines(&text).len()), 500 + rng.below(500)),
                1 => (lsp_lines(&text).len() + rng.below(3), rng.below(5)),
                _ => {
                    let mut off = rng.below(text.len() + 1);
                    while !text.is_char_boundary(off) {
                        off -= 1;
                    }
                    let p = lsp_position(&text, off);
                    (p["line"].as_u64().unwrap() as usize, p["character"].as_u64().unwrap() as usize)
                }
            };
            let at = lsp_offset(&text, line, ch);
            let start_pos = json!({ "line": line, "character": ch });
            let change = if rng.below(10) < 6 {
                // insert a fragment, or a copy of some of the text
                let ins = if rng.below(5) == 0 {
                    let a = rng.below(text.len());
                    let mut a = a;
                    while !text.is_char_boundary(a) {
                        a -= 1;
                    }
                    let mut b = (a + rng.below(60)).min(text.len());
                    while !text.is_char_boundary(b) {
                        b -= 1;
                    }
                    text[a..b].to_string()
                } else {
                    FRAGMENTS[rng.below(FRAGMENTS.len())].to_string()
                };
                text.insert_str(at, &ins);
                json!({ "range": { "start": start_pos, "end": start_pos }, "text": ins })
            } else {
                // delete up to 40 characters
                let n = 1 + rng.below(40);
                let end_off = text[at..].char_indices().nth(n).map_or(text.len(), |(i, _)| at + i);
                let end_pos = lsp_position(&text, end_off);
                let end_at = lsp_offset(&text, end_pos["line"].as_u64().unwrap() as usize, end_pos["character"].as_u64().unwrap() as usize);
                text.replace_range(at..end_at.max(at), "");
                json!({ "range": { "start": start_pos, "end": end_pos }, "text": "" })
            };
            c.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [change] })).await;
            if step % 3 == 0 {
                random_request(&mut c, &mut rng, &u, &text).await;
            }
            // checkpoints: the server agrees with the CLI on the text it holds; then start
            // over from the example (the parser's error recovery slows down as garbage piles
            // up: a few hundred broken lines take seconds to parse in a debug build)
            if (step + 1) % ROUND == 0 || step + 1 == steps {
                let want = expected(&path, &text);
                let got = c.diagnostics(&u, |p| p["version"] == version && published(p) == want).await;
                assert_eq!(published(&got), want);
                text = example.clone();
                version_base += 1;
                c.replace(&u, (version + 1) as i32, &text).await;
            }
        }
        println!("fuzz: {steps} edits in {:.1} s; final text {} bytes", start.elapsed().as_secs_f64(), text.len());
        // still answering, and the example is clean again once restored
        let last = steps as i64 + 2 + version_base;
        c.replace(&u, last as i32, &example).await;
        let d = c.final_diagnostics(&u, last).await;
        assert_eq!(d.iter().map(|d| d["code"].clone()).collect::<Vec<_>>(), expected(&path, &example).iter().map(|d| d["code"].clone()).collect::<Vec<_>>());
        let h = c.request("textDocument/hover", json!({ "textDocument": { "uri": u }, "position": lsp_position(&example, example.find("retention").unwrap()) })).await.unwrap();
        assert!(h["contents"]["value"].as_str().unwrap().contains("retention"));
        let r = c.request("shutdown", Value::Null).await;
        assert_eq!(r, Ok(Value::Null));
    });
}
