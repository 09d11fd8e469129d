//! An in-process LSP client: JSON-RPC messages go to the server's `LspService` through
//! `tower::Service::call`; what the server sends (notifications, requests) comes back through
//! its `ClientSocket`. Server-to-client requests (`client/registerCapability`) get a null result.
#![allow(dead_code)]

use futures::{SinkExt, StreamExt};
use gstack_lsp::Backend;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::LspService;

pub struct TestClient {
    service: LspService<Backend>,
    notes: mpsc::UnboundedReceiver<Value>,
    /// Every notification received so far.
    pub seen: Vec<Value>,
    id: i64,
}

pub fn uri(path: &Path) -> String {
    Uri::from_file_path(path).expect("absolute path").as_str().to_string()
}

/// Line and UTF-16 character of byte `off` in `text`, computed independently of the server.
pub fn position(text: &str, off: usize) -> Value {
    let before = &text[..off];
    let line = before.matches('\n').count();
    let col: usize = before.rsplit('\n').next().unwrap().chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": col })
}

/// The text with the cursor marker `‸` removed, and the cursor's position.
pub fn cursor(text_with_marker: &str) -> (String, Value) {
    let off = text_with_marker.find('‸').expect("a ‸ marker");
    let text = text_with_marker.replacen('‸', "", 1);
    let p = position(&text, off);
    (text, p)
}

/// The position of the `nth` occurrence of `needle` (plus `delta` bytes).
pub fn pos_of(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let off = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("no {needle:?} #{nth}")).0 + delta;
    position(text, off)
}

impl TestClient {
    /// Start a server and initialize it with `root` as the workspace.
    pub async fn start(root: &Path) -> TestClient {
        let (service, socket) = gstack_lsp::service();
        let (tx, notes) = mpsc::unbounded_channel();
        let (mut requests, mut responses) = socket.split();
        tokio::spawn(async move {
            while let Some(req) = requests.next().await {
                let (method, id, params) = req.into_parts();
                match id {
                    Some(id) => {
                        let _ = responses.send(Response::from_ok(id, Value::Null)).await;
                    }
                    None => {
                        let _ = tx.send(json!({ "method": method, "params": params }));
                    }
                }
            }
        });
        let mut c = TestClient { service, notes, seen: vec![], id: 0 };
        let std_dir = std::env::temp_dir().join(format!("gstack-lsp-test-std-{}", std::process::id()));
        let init = c
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": uri(root),
                    "workspaceFolders": [{ "uri": uri(root), "name": "ws" }],
                    "capabilities": {
                        "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } },
                        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } }
                    },
                    "initializationOptions": { "stdDir": std_dir.to_str().unwrap() }
                }),
            )
            .await
            .expect("initialize");
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        c.notify("initialized", json!({})).await;
        c
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.id += 1;
        let req: Request = serde_json::from_value(json!({ "jsonrpc": "2.0", "id": self.id, "method": method, "params": params })).unwrap();
        let fut = self.service.ready().await.expect("service ready").call(req);
        let resp = tokio::time::timeout(Duration::from_secs(60), fut).await.expect("no answer within 60 s").expect("service alive");
        let resp = resp.expect("a response to a request");
        let (_, body) = resp.into_parts();
        body.map_err(|e| serde_json::to_value(e).unwrap())
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let req: Request = serde_json::from_value(json!({ "jsonrpc": "2.0", "method": method, "params": params })).unwrap();
        let fut = self.service.ready().await.expect("service ready").call(req);
        let resp = tokio::time::timeout(Duration::from_secs(60), fut).await.expect("notification handled within 60 s").expect("service alive");
        assert!(resp.is_none(), "a notification has no response");
    }

    pub async fn open(&mut self, path: &Path, text: &str) -> String {
        let u = uri(path);
        self.notify("textDocument/didOpen", json!({ "textDocument": { "uri": u, "languageId": "gstack", "version": 1, "text": text } })).await;
        u
    }

    /// Replace the whole text.
    pub async fn replace(&mut self, uri: &str, version: i32, text: &str) {
        self.notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] })).await;
    }

    /// Receive one more notification (30 s at most).
    async fn recv_one(&mut self, what: &str) {
        let n = tokio::time::timeout(Duration::from_secs(30), self.notes.recv())
            .await
            .unwrap_or_else(|_| panic!("waited 30 s for {what}; received so far: {:#?}", self.seen))
            .expect("server alive");
        self.seen.push(n);
    }

    fn publications<'a>(&'a self, uri: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.seen.iter().filter(move |n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri).map(|n| &n["params"])
    }

    /// Wait for a `publishDiagnostics` of `uri` that satisfies `pred` (the first one received).
    pub async fn diagnostics(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(p) = self.publications(uri).find(|p| pred(p)) {
                return p.clone();
            }
            self.recv_one(&format!("diagnostics of {uri}")).await;
        }
    }

    /// Wait for a `publishDiagnostics` of `uri` satisfying `pred` received after the first
    /// `after` notifications.
    pub async fn diagnostics_after(&mut self, uri: &str, after: usize, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(n) = self.seen.iter().skip(after).find(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri && pred(&n["params"])) {
                return n["params"].clone();
            }
            self.recv_one(&format!("diagnostics of {uri}")).await;
        }
    }

    /// Wait for the stack-checked diagnostics of `uri` at `version`: each change is published
    /// twice, the file alone at once, then the checked stack; this returns the second.
    pub async fn final_diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let found: Vec<Value> = self.publications(uri).filter(|p| p["version"] == version).cloned().collect();
            if found.len() >= 2 {
                return found[1]["diagnostics"].as_array().unwrap().clone();
            }
            self.recv_one(&format!("diagnostics of {uri} version {version}")).await;
        }
    }

    /// The first publication of `uri` at `version` (the file alone).
    pub async fn first_diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        self.diagnostics(uri, |p| p["version"] == version).await["diagnostics"].as_array().unwrap().clone()
    }
}

/// A temporary workspace with files.
pub struct Workspace {
    pub dir: PathBuf,
}

impl Workspace {
    pub fn new(name: &str, files: &[(&str, &str)]) -> Workspace {
        let dir = std::env::temp_dir().join(format!("gstack-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (p, t) in files {
            let f = dir.join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, t).unwrap();
        }
        Workspace { dir }
    }
    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.join(p)
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
