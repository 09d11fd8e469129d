//! The language server benchmark driver (`bench/lsp.sh` runs it).
//!
//! `lsp_bench SERVER DIR [--dashboards N] [--per-file K] [--edits E]`
//!
//! Writes a workspace to DIR: `main.gstack` (a stack with Prometheus, Grafana, Loki and
//! Alertmanager, importing every part) and parts of K dashboards each, N dashboards in all
//! (every dashboard: a variable, three rows, ten timeseries panels with a PromQL query, a unit and
//! a legend; and one alert). Starts SERVER as a child speaking LSP on stdin/stdout, initializes
//! it on DIR, opens the first part and waits for its diagnostics, then E times changes one line
//! (a panel's title) with an incremental `didChange` and measures the time until the server
//! publishes diagnostics for that version: the first publication (the edited file on its own)
//! and the second (the whole stack re-checked). Then it times a hover and reads the server's
//! memory from /proc (VmRSS now, VmHWM peak).

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const ROWS: &[(&str, &[(&str, &str, &str)])] = &[
    (
        "Traffic",
        &[
            ("Requests/s", r#"sum by (route) (rate(http_requests_total{job="SVC", instance=~"$instance"}[5m]))"#, "reqps"),
            ("Errors/s", r#"sum by (code) (rate(http_requests_total{job="SVC", code=~"5.."}[5m]))"#, "reqps"),
            ("Error ratio", r#"sum(rate(http_requests_total{job="SVC", code=~"5.."}[5m])) / sum(rate(http_requests_total{job="SVC"}[5m]))"#, "percentunit"),
            ("In flight", r#"sum by (instance) (http_requests_in_flight{job="SVC"})"#, "short"),
        ],
    ),
    (
        "Latency",
        &[
            ("p50", r#"histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{job="SVC"}[5m])))"#, "s"),
            ("p90", r#"histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{job="SVC"}[5m])))"#, "s"),
            ("p99", r#"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="SVC"}[5m])))"#, "s"),
        ],
    ),
    (
        "Saturation",
        &[
            ("CPU", r#"sum by (instance) (rate(process_cpu_seconds_total{job="SVC"}[5m]))"#, "short"),
            ("Memory", r#"sum by (instance) (process_resident_memory_bytes{job="SVC"})"#, "bytes"),
            ("File descriptors", r#"max by (instance) (process_open_fds{job="SVC"} / process_max_fds{job="SVC"})"#, "percentunit"),
        ],
    ),
];

fn generate(dir: &Path, dashboards: usize, per_file: usize) -> Vec<PathBuf> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let parts = dashboards.div_ceil(per_file);
    let mut main = String::from("stack bench {\n  prometheus { retention = 15d }\n  grafana {}\n  loki {}\n  alertmanager {\n    receiver oncall { webhook = \"http://alerts.internal/hook\" }\n    route { receiver = oncall }\n  }\n}\n\n");
    let mut files = vec![];
    for p in 0..parts {
        main.push_str(&format!("import \"./part_{p:04}.gstack\" as part_{p:04}\n"));
        let mut s = String::new();
        for i in p * per_file..((p + 1) * per_file).min(dashboards) {
            let svc = format!("svc{i:05}");
            s.push_str(&format!("/// Service {svc}.\ndashboard {svc} {{\n  title = \"Service {svc}\"\n  folder = \"Team {:03}\"\n  tags = [\"{svc}\", \"generated\"]\n  var instance = query(prometheus, \"label_values(up, instance)\")\n", i / 25));
            for (row, panels) in ROWS {
                s.push_str(&format!("\n  row \"{row}\" {{\n"));
                for (title, q, unit) in *panels {
                    s.push_str(&format!(
                        "    timeseries \"{title}\" {{\n      query = promql`{}`\n      unit = {unit}\n      legend = \"{{{{instance}}}}\"\n    }}\n",
                        q.replace("SVC", &svc)
                    ));
                }
                s.push_str("  }\n");
            }
            s.push_str("}\n\n");
            s.push_str(&format!(
                "alert {svc}_errors {{\n  expr = promql`sum(rate(http_requests_total{{job=\"{svc}\", code=~\"5..\"}}[5m])) > 1`\n  for = 10m\n  severity = warning\n}}\n\n"
            ));
        }
        let f = dir.join(format!("part_{p:04}.gstack"));
        std::fs::write(&f, s).unwrap();
        files.push(f);
    }
    std::fs::write(dir.join("main.gstack"), main).unwrap();
    files
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<(Instant, Value)>,
    pending: VecDeque<(Instant, Value)>,
    id: i64,
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

impl Server {
    fn start(program: &str) -> Server {
        let mut child = Command::new(program).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("start the server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap();
                    }
                }
                let mut buf = vec![0; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&buf).unwrap();
                if tx.send((Instant::now(), v)).is_err() {
                    return;
                }
            }
        });
        Server { child, stdin, rx, pending: VecDeque::new(), id: 0 }
    }

    fn send(&mut self, v: Value) {
        let s = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{s}", s.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn next(&mut self, timeout: Duration) -> (Instant, Value) {
        if let Some(m) = self.pending.pop_front() {
            return m;
        }
        loop {
            match self.rx.recv_timeout(timeout) {
                Ok((t, v)) => {
                    // answer the server's requests (client/registerCapability)
                    if v.get("method").is_some() && v.get("id").is_some() {
                        let id = v["id"].clone();
                        self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
                        continue;
                    }
                    return (t, v);
                }
                Err(RecvTimeoutError::Timeout) => panic!("the server said nothing for {timeout:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server exited"),
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> (Duration, Value) {
        self.id += 1;
        let id = self.id;
        let t0 = Instant::now();
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let mut kept = VecDeque::new();
        loop {
            let (t, v) = self.next(Duration::from_secs(600));
            if v["id"] == id && v.get("method").is_none() {
                self.pending.extend(kept);
                return (t - t0, v["result"].clone());
            }
            kept.push_back((t, v));
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Times of the next two diagnostics publications of `u` at `version`, after `t0`.
    fn two_publications(&mut self, u: &str, version: i64, t0: Instant) -> (Duration, Duration, usize) {
        let mut times = vec![];
        let mut n = 0;
        while times.len() < 2 {
            let (t, v) = self.next(Duration::from_secs(600));
            if v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == u && v["params"]["version"] == version {
                times.push(t - t0);
                n = v["params"]["diagnostics"].as_array().unwrap().len();
            }
        }
        (times[0], times[1], n)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(mut xs: Vec<f64>) -> String {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len();
    let median = if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 };
    let p90 = xs[((n as f64 * 0.9).ceil() as usize).saturating_sub(1).min(n - 1)];
    format!("median {median:7.1} ms   p90 {p90:7.1} ms   min {:7.1} ms   max {:7.1} ms", xs[0], xs[n - 1])
}

fn proc_status(pid: u32, key: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l[key.len()..].trim().to_string()))
        .unwrap_or_else(|| "?".into())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let server = args.next().expect("usage: lsp_bench SERVER DIR [--dashboards N] [--per-file K] [--edits E]");
    let dir = PathBuf::from(args.next().expect("DIR"));
    let (mut dashboards, mut per_file, mut edits, mut delay, mut burst, mut alternate) = (1000usize, 100usize, 30usize, None, 0usize, 0usize);
    while let Some(a) = args.next() {
        let v: usize = args.next().and_then(|v| v.parse().ok()).expect("a number");
        match a.as_str() {
            "--dashboards" => dashboards = v,
            "--per-file" => per_file = v,
            "--edits" => edits = v,
            "--check-delay-ms" => delay = Some(v),
            "--burst" => burst = v,
            "--alternate" => alternate = v,
            other => panic!("unknown option {other}"),
        }
    }
    let files = generate(&dir, dashboards, per_file);
    let bytes: u64 = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.metadata().unwrap().len()).sum();
    println!(
        "workspace: {dashboards} dashboards, {} panels, {dashboards} alerts in {} files ({per_file} dashboards per file), {:.1} MB",
        dashboards * 10,
        files.len() + 1,
        bytes as f64 / 1e6
    );
    let mut s = Server::start(&server);
    let pid = s.child.id();
    let opts = match delay {
        Some(d) => json!({ "checkDelayMs": d }),
        None => json!({}),
    };
    let (t_init, _) = s.request("initialize", json!({ "processId": std::process::id(), "rootUri": uri(&dir), "capabilities": {}, "initializationOptions": opts }));
    s.notify("initialized", json!({}));
    println!("initialize: {:.1} ms", ms(t_init));

    let edited = &files[0];
    let u = uri(edited);
    let mut text = std::fs::read_to_string(edited).unwrap();
    let t0 = Instant::now();
    s.notify("textDocument/didOpen", json!({ "textDocument": { "uri": u, "languageId": "gstack", "version": 1, "text": text } }));
    let (first, second, n) = s.two_publications(&u, 1, t0);
    println!("didOpen (cold: scan the workspace, read, parse and check the whole stack): first publication {:.1} ms, checked {:.1} ms ({n} diagnostics)", ms(first), ms(second));
    assert_eq!(n, 0, "the generated workspace is clean");

    let needle = "    timeseries \"";
    let (mut firsts, mut finals) = (vec![], vec![]);
    for e in 0..edits {
        let lines: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
        // replace the title of one panel: one line changes
        let start = lines[(e * 37) % lines.len()] + needle.len();
        let end = start + text[start..].find('"').unwrap();
        let new = format!("Panel {e}");
        let line = text[..start].matches('\n').count();
        let (c0, c1) = (start - text[..start].rfind('\n').map_or(0, |i| i + 1), end - text[..start].rfind('\n').map_or(0, |i| i + 1));
        let change = json!({ "range": { "start": { "line": line, "character": c0 }, "end": { "line": line, "character": c1 } }, "text": new });
        text.replace_range(start..end, &new);
        let version = e as i64 + 2;
        let t0 = Instant::now();
        s.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [change] }));
        let (first, second, n) = s.two_publications(&u, version, t0);
        assert_eq!(n, 0, "an edited title is no error (edit {e})");
        firsts.push(ms(first));
        finals.push(ms(second));
    }
    let how = match delay {
        Some(d) => format!("whole-stack check after {d} ms of quiet"),
        None => "default quiet time before a whole-stack check".into(),
    };
    if edits > 0 {
        println!("didChange of one line, waiting for both publications before the next ({edits} edits, {how}):");
        println!("  first (the edited file alone: parse + evaluate)   {}", stats(firsts));
        println!("  checked (the whole stack: gstackc check's result) {}", stats(finals));
    }
    if burst > 0 {
        // typing: one edit every 60 ms, not waiting for the server
        let mut sent = vec![];
        let base = edits as i64 + 2;
        for b in 0..burst {
            let lines: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
            let start = lines[0] + needle.len();
            let line = text[..start].matches('\n').count();
            let col = start - text[..start].rfind('\n').map_or(0, |i| i + 1);
            let ch = ((b % 26) as u8 + b'a') as char;
            let change = json!({ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col } }, "text": ch.to_string() });
            text.insert(start, ch);
            let version = base + b as i64;
            sent.push((version, Instant::now()));
            s.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [change] }));
            std::thread::sleep(Duration::from_millis(60));
        }
        let last = base + burst as i64 - 1;
        let mut pubs: std::collections::HashMap<i64, Vec<Instant>> = Default::default();
        loop {
            let (t, v) = s.next(Duration::from_secs(600));
            if v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == u {
                let ver = v["params"]["version"].as_i64().unwrap_or(-1);
                pubs.entry(ver).or_default().push(t);
                if ver == last && pubs[&last].len() == 2 {
                    break;
                }
            }
        }
        let firsts: Vec<f64> = sent.iter().filter_map(|(v, t0)| pubs.get(v).map(|ts| ms(ts[0] - *t0))).collect();
        let checks = pubs.values().filter(|ts| ts.len() >= 2).count();
        let (lv, lt) = sent.last().unwrap();
        println!("typing: {burst} one-character edits 60 ms apart, not waiting:");
        println!("  first publications                                 {}", stats(firsts));
        println!("  whole-stack checks run: {checks}; the last edit's checked publication after {:.1} ms", ms(pubs[lv][1] - *lt));
    }
    if alternate > 0 {
        // the same two texts, alternating (issue #14: memory grew steadily): whole-text
        // changes, each waiting for both publications; VmRSS at points along the way
        let a = text.clone();
        let b = a.replacen("    timeseries \"", "    timeseries \"Alt ", 1);
        let base = edits as i64 + burst as i64 + 2;
        let marks: Vec<usize> = (0..=4).map(|k| k * alternate / 4).collect();
        let mut rss = vec![];
        for i in 0..=alternate {
            if marks.contains(&i) {
                let (_, m) = s.request("gstack/memoryUsage", Value::Null);
                let live = m["liveBytes"].as_u64().map_or("?".into(), |b| format!("{:.1} MB live", b as f64 / 1e6));
                rss.push((i, format!("{} ({live})", proc_status(pid, "VmRSS:"))));
            }
            if i == alternate {
                break;
            }
            let version = base + i as i64;
            let t = if i % 2 == 0 { &b } else { &a };
            let t0 = Instant::now();
            s.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [{ "text": t }] }));
            s.two_publications(&u, version, t0);
        }
        text = if alternate % 2 == 1 { b } else { a };
        println!("alternating two texts, {alternate} didChange (whole text), VmRSS (live heap) after n changes: {}", rss.iter().map(|(i, r)| format!("{i}: {r}")).collect::<Vec<_>>().join(", "));
    }
    let hover_at = text.find("unit = ").unwrap() + 2;
    let line = text[..hover_at].matches('\n').count();
    let col = hover_at - text[..hover_at].rfind('\n').map_or(0, |i| i + 1);
    let (t, h) = s.request("textDocument/hover", json!({ "textDocument": { "uri": u }, "position": { "line": line, "character": col } }));
    assert!(h["contents"]["value"].as_str().unwrap_or("").contains("unit"), "{h}");
    let (tc, _) = s.request("textDocument/completion", json!({ "textDocument": { "uri": u }, "position": { "line": line, "character": col } }));
    println!("hover {:.1} ms, completion {:.1} ms", ms(t), ms(tc));
    println!("server memory: VmRSS {} now, VmHWM {} peak", proc_status(pid, "VmRSS:"), proc_status(pid, "VmHWM:"));
    let _ = s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    let _ = s.child.wait();
}
