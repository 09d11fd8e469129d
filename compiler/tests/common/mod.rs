//! Helpers shared by the integration tests that run real programs.
#![allow(dead_code)]

pub mod readers;
pub mod selfmon;
#[allow(unused_imports)]
pub use readers::*;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `../shared/data` beside the repository: the test data (dashboards, rule files, Grafana's
/// JSON Schema); `GSTACK_SHARED_DATA` names another place. Panics when it is absent (a test
/// that reads it calls [`skip_without`] with [`SHARED_DATA`] first).
pub fn shared_data() -> PathBuf {
    let p = shared_data_path();
    assert!(p.is_dir(), "missing {} (shared/ must sit beside the repository)", p.display());
    p
}

fn shared_data_path() -> PathBuf {
    match std::env::var_os("GSTACK_SHARED_DATA") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
    }
}

/// What [`skip_without`] takes for `../shared/data` (the test data outside the repository).
pub const SHARED_DATA: &str = "../shared/data";

/// Whether the calling test must stop here because something it needs from outside the
/// repository is absent: programs on PATH, files by absolute path, or [`SHARED_DATA`].
///
/// Everything present: `false`. Something absent and `GSTACK_TESTS_MAY_SKIP` set (gstackc's
/// Nix build, `nix/gstackc.nix`, whose sandbox holds only its check inputs): prints
/// `skipped: <test>: needs …` to stderr, appends that line to the file
/// `$GSTACK_TESTS_SKIPPED` when set (the build prints it), and returns `true`, so the test
/// returns. Otherwise it panics: the project's CI (`.ci/run`) installs everything, and a
/// missing tool there is a failure, never a pass. Use as
/// `if skip_without(&["helm", SHARED_DATA]) { return; }`.
pub fn skip_without(needs: &[&str]) -> bool {
    let missing: Vec<&str> = needs
        .iter()
        .copied()
        .filter(|n| match *n {
            SHARED_DATA => !shared_data_path().is_dir(),
            // a path: that file or directory
            p if p.contains('/') => !Path::new(p).exists(),
            program => which(program).is_none(),
        })
        .collect();
    if missing.is_empty() {
        return false;
    }
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let line = format!("skipped: {test}: needs {} (absent here)", missing.join(", "));
    if std::env::var_os("GSTACK_TESTS_MAY_SKIP").is_none() {
        panic!("{line}; run .ci/run (it installs the real programs the tests use), or set GSTACK_TESTS_MAY_SKIP=1 where they cannot exist");
    }
    eprintln!("{line}");
    if let Some(f) = std::env::var_os("GSTACK_TESTS_SKIPPED") {
        use std::io::Write;
        if let Ok(mut out) = std::fs::OpenOptions::new().create(true).append(true).open(f) {
            // one write: tests of one binary skip at the same time
            let _ = out.write_all(format!("{line}\n").as_bytes());
        }
    }
    true
}

/// Every `*.<ext>` in the subfolders of `shared_data()/<dir>` (`dashboards`, `rules`), as
/// (declaration name: the file's stem with `-` and `.` as `_`, path), sorted.
pub fn shared_files(dir: &str, ext: &str) -> Vec<(String, PathBuf)> {
    let mut out = vec![];
    for sub in std::fs::read_dir(shared_data().join(dir)).unwrap().flatten() {
        if !sub.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(sub.path()).unwrap().flatten() {
            let p = f.path();
            if p.extension().is_some_and(|x| x == ext) {
                let name = p.file_stem().unwrap().to_string_lossy().replace(['-', '.'], "_");
                out.push((name, p));
            }
        }
    }
    out.sort();
    out
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A free TCP port on 127.0.0.1 (bound and released), never one this process was given
/// before: the kernel may hand a just-released port out again, and two parts of one test (or
/// two parallel tests) must not be given the same one.
static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());

fn mark_given(p: u16) {
    GIVEN.lock().unwrap_or_else(|e| e.into_inner()).push(p);
}

pub fn free_port() -> u16 {
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let p = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if !given.contains(&p) {
            given.push(p);
            return p;
        }
    }
}

/// The first of `n` consecutive free TCP ports on 127.0.0.1 (each bound and released), none
/// given by [`free_port`] before (they are marked given).
pub fn free_ports(n: u16) -> u16 {
    loop {
        let p = free_port();
        let rest = (1..n).map(|i| p.checked_add(i)).collect::<Option<Vec<u16>>>();
        let Some(rest) = rest else { continue };
        if rest.iter().all(|q| std::net::TcpListener::bind(("127.0.0.1", *q)).is_ok()) {
            // (later free_port calls may still return them: take them from its list too)
            for q in rest {
                mark_given(q);
            }
            return p;
        }
    }
}

/// Find a program on PATH, or panic with what to install (real readers are required).
pub fn require(program: &str) -> PathBuf {
    which(program).unwrap_or_else(|| {
        panic!("`{program}` is not on PATH: run .ci/run (it installs the real programs the tests use)")
    })
}

pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file())
}

/// Compile `src` with the real `gstackc` binary into `out`; panics with the diagnostics on failure.
pub fn gstackc_build(src: &Path, out: &Path, extra: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .arg("build")
        .arg(src)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "gstackc build failed:\n{}", String::from_utf8_lossy(&o.stderr));
}

/// Run a command; return (success, stdout+stderr).
pub fn run(cmd: &mut Command) -> (bool, String) {
    let o = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

/// GET a URL; Some(body) on 2xx.
pub fn get(url: &str) -> Option<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(3))).build().into();
    let mut r = agent.get(url).call().ok()?;
    r.body_mut().read_to_string().ok()
}

/// GET and parse JSON.
pub fn get_json(url: &str) -> Option<serde_json::Value> {
    get(url).and_then(|b| serde_json::from_str(&b).ok())
}

/// POST a JSON body; the response's status code (an error status is returned, not raised).
pub fn post_json(url: &str, body: &serde_json::Value) -> u16 {
    match ureq::post(url).header("Content-Type", "application/json").send(body.to_string()) {
        Ok(r) => r.status().as_u16(),
        Err(ureq::Error::StatusCode(c)) => c,
        Err(e) => panic!("POST {url}: {e}"),
    }
}

/// `s` percent-encoded for a URL's query (RFC 3986 unreserved characters kept).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Now, in nanoseconds since the Unix epoch (Loki and OTLP timestamps).
pub fn now_ns() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

/// Now, in seconds since the Unix epoch (Prometheus query times).
pub fn now_secs() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64()
}

/// Poll `f` every 250 ms until it returns Some or `secs` pass.
pub fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            panic!("timed out after {secs}s waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);
impl TempDir {
    /// A fresh directory `$TMPDIR/gstack-<tag>-<pid>-<n>`, unique within and across test
    /// processes: `n` counts up in this process and `create_dir` refuses one that exists (a
    /// port number, used before, could repeat between parallel tests and let two tests share
    /// one directory).
    pub fn new(tag: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        loop {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let p = std::env::temp_dir().join(format!("gstack-{tag}-{}-{n}", std::process::id()));
            match std::fs::create_dir(&p) {
                Ok(()) => return TempDir(p),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create {}: {e}", p.display()),
            }
        }
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// PIDs of processes whose command line contains `needle`.
pub fn pids_with(needle: &str) -> Vec<i32> {
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else { continue };
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) {
                out.push(pid);
            }
        }
    }
    out
}

/// Send a signal with kill(2). `pid` < 0 names a process group. Never pid 0, -1 or 1:
/// those would signal the test itself or every process (procps' `kill -KILL -123` once did).
pub fn kill(pid: i32, sig: &str) {
    assert!(pid.abs() > 1, "refusing to signal pid {pid}");
    let s = match sig {
        "KILL" => libc::SIGKILL,
        "TERM" => libc::SIGTERM,
        "INT" => libc::SIGINT,
        "STOP" => libc::SIGSTOP,
        "CONT" => libc::SIGCONT,
        other => panic!("unknown signal {other}"),
    };
    // SAFETY: kill(2) has no memory effects; the pid was checked above
    unsafe {
        libc::kill(pid, s);
    }
}

/// A started `native/run` (process-compose) in its own process group; killed on drop.
pub struct Running(pub Child);
impl Running {
    pub fn start(out: &std::path::Path, data: &std::path::Path) -> Running {
        Self::start_with(out, data, &[])
    }
    /// Start with extra environment variables (secrets given as `secret.env(…)`).
    pub fn start_with(out: &std::path::Path, data: &std::path::Path, env: &[(&str, &str)]) -> Running {
        use std::os::unix::process::CommandExt;
        let log = std::fs::File::create(data.with_extension("log")).unwrap();
        let child = Command::new(out.join("native/run"))
            .env("GSTACK_DATA", data)
            .envs(env.iter().copied())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .process_group(0)
            .spawn()
            .expect("start native/run");
        Running(child)
    }
    pub fn stop(&mut self) {
        // process-compose stops its processes on SIGTERM
        kill(self.0.id() as i32, "TERM");
        for _ in 0..120 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        kill(-(self.0.id() as i32), "KILL");
        let _ = self.0.wait();
    }
}
impl Drop for Running {
    fn drop(&mut self) {
        kill(-(self.0.id() as i32), "KILL");
        let _ = self.0.wait();
    }
}


/// Every file below `dir` whose path ends with one of `ext` (`""` for all), sorted.
pub fn files_under(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if ext.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A tiny SMTP server on 127.0.0.1:`port` that accepts every message (no STARTTLS, no AUTH)
/// and records each one's envelope recipients and data: `(rcpt, data)`.
pub fn serve_smtp(port: u16) -> std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| panic!("port {port} is taken: {e}"));
    let mails = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let m = mails.clone();
    std::thread::spawn(move || {
        use std::io::{BufRead, Write};
        for conn in listener.incoming().flatten() {
            let m = m.clone();
            std::thread::spawn(move || {
                let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                let mut w = &conn;
                let mut r = std::io::BufReader::new(&conn);
                let _ = w.write_all(b"220 sink ESMTP\r\n");
                let mut rcpt = vec![];
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "RCPT" => {
                            rcpt.push(line[4..].trim().trim_start_matches([' ', 'T', 'O', 't', 'o', ':']).trim_matches(['<', '>']).to_string());
                            b"250 OK\r\n"
                        }
                        "DATA" => {
                            let _ = w.write_all(b"354 go on\r\n");
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if r.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" || l == ".\n" {
                                    break;
                                }
                                data.push_str(&l);
                            }
                            m.lock().unwrap().push((std::mem::take(&mut rcpt), data));
                            b"250 OK queued\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n");
                            return;
                        }
                        _ => b"502 not here\r\n",
                    };
                    let _ = w.write_all(reply);
                }
            });
        }
    });
    mails
}

/// A tiny HTTP server on 0.0.0.0:`port` (containers reach the host's address, not its
/// loopback): answers `/metrics` with an application's series and records POST bodies.
pub fn serve(port: u16) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    serve_answering(port, "")
}

/// [`serve`], answering each POST with `answer` (a service whose clients read the reply,
/// like Telegram's Bot API: `{"ok":true,…}`).
pub fn serve_answering(port: u16, answer: &'static str) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    serve_recording(port, answer, false)
}

/// [`serve_answering`], recording each POST's header lines too: `headers\r\n\r\nbody`.
pub fn serve_answering_with_headers(port: u16, answer: &'static str) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    serve_recording(port, answer, true)
}

fn serve_recording(port: u16, answer: &'static str, with_headers: bool) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    let listener = std::net::TcpListener::bind(("0.0.0.0", port))
        .unwrap_or_else(|e| panic!("port {port} on the host is taken: {e}"));
    let posts = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let p = posts.clone();
    std::thread::spawn(move || {
        use std::io::{BufRead, Read, Write};
        for conn in listener.incoming().flatten() {
            let p = p.clone();
            std::thread::spawn(move || {
                let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                let mut r = std::io::BufReader::new(&conn);
                let mut line = String::new();
                if r.read_line(&mut line).is_err() {
                    return;
                }
                let mut len = 0usize;
                let mut headers = String::new();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    headers.push_str(&h);
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                let _ = r.read_exact(&mut body);
                let reply = if line.starts_with("POST") {
                    p.lock()
                        .unwrap()
                        .push(if with_headers { format!("{headers}\r\n\r\n") } else { String::new() } + &String::from_utf8_lossy(&body));
                    answer.to_string()
                } else {
                    "# TYPE http_requests_total counter\nhttp_requests_total{service=\"cart\",code=\"200\"} 42\n".to_string()
                };
                let _ = write!(
                    &conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            });
        }
    });
    posts
}
