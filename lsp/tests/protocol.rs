//! The server driven in-process with LSP JSON-RPC messages, on a workspace of two files and a
//! std import: diagnostics on open and after a fix, hover, completion, definition, references,
//! rename, document symbols, formatting, semantic tokens and inlay hints.

mod common;

use common::{cursor, pos_of, position, uri, TestClient, Workspace};
use gstack::db::Database;
use gstack::sema::check::check_stack;
use serde_json::{json, Value};

const MAIN: &str = r#"import std.panels
import "./team.gstack" as team

/// How long we keep data.
let window = 30d

stack shop {
  prometheus { retention = window }
  grafana {}
  alertmanager {
    receiver oncall { webhook = "http://alerts.internal/hook" }
    route { receiver = oncall }
  }
}

/// Sales data.
datasource warehouse {
  type = postgres
  url = "db.internal:5432"
}

dashboard overview {
  title = "Overview"
  row "Traffic" {
    panels.rate_by("Requests", "http_requests_total", "route")
    for s in team.services { team.svc_panel(s) }
  }
  row "Sales" {
    table "Orders" { datasource = warehouse, query = sql`select count(*) from orders` }
  }
}

alert TargetDown {
  expr = promql`up == 0`
  for = 5m
  severity = warning
}
"#;

const TEAM: &str = r#"/// The team's services.

/// Services the team runs.
let services = ["checkout", "cart"]

/// One panel per service.
fn svc_panel(name: string) = timeseries "${name} requests/s" {
  query = promql`sum(rate(http_requests_total{service="${name}"}[5m]))`
  unit = reqps
}
"#;

fn workspace(name: &str) -> Workspace {
    Workspace::new(name, &[("main.gstack", MAIN), ("team.gstack", TEAM)])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_stack_size(8 << 20).enable_all().build().unwrap()
}

fn at(uri: &str, pos: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": pos })
}

/// What `gstackc check` reports for `text` at `path` (the CLI's own code path).
fn cli_diagnostics(path: &std::path::Path, text: &str) -> Vec<gstack::diag::Diagnostic> {
    let mut db = Database::default();
    let root = db.set_file(path, text.to_string());
    check_stack(&db, root).diagnostics.clone()
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags.iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn diagnostics_on_open_match_the_cli_and_clear_after_a_fix() {
    runtime().block_on(async {
        let ws = workspace("diag");
        let mut c = TestClient::start(&ws.dir).await;
        let path = ws.path("main.gstack");
        // three errors: a number where a duration is wanted (E0201, with a hint), a name defined
        // twice (E0101, related span in this file), a std function called with one argument
        // (E0207, related span in std)
        let broken = MAIN
            .replace("retention = window", "retention = 15")
            .replace("let window = 30d\n", "let window = 30d\nlet window = 1d\n")
            .replace(r#"panels.rate_by("Requests", "http_requests_total", "route")"#, r#"panels.rate_by("Requests")"#);
        let u = c.open(&path, &broken).await;
        let diags = c.final_diagnostics(&u, 1).await;
        let cli = cli_diagnostics(&path, &broken);
        assert_eq!(diags.len(), cli.len(), "{diags:#?}\nvs CLI {cli:#?}");
        assert_eq!(codes(&diags), cli.iter().map(|d| d.code.to_string()).collect::<Vec<_>>());
        for (d, k) in diags.iter().zip(&cli) {
            let mut msg = k.message.clone();
            if let Some(h) = &k.hint {
                msg.push_str(&format!("\nhelp: {h}"));
            }
            assert_eq!(d["message"], msg);
            assert_eq!(d["source"], "gstack");
            let span = k.location.as_ref().unwrap().span;
            assert_eq!(d["range"]["start"], position(&broken, span.start as usize));
            assert_eq!(d["range"]["end"], position(&broken, span.end as usize));
        }
        let got = codes(&diags);
        for want in ["E0101", "E0201", "E0207"] {
            assert!(got.contains(&want.to_string()), "{want} missing: {got:?}");
        }
        let dup = diags.iter().find(|d| d["code"] == "E0101").unwrap();
        let rel = &dup["relatedInformation"][0];
        assert_eq!(rel["message"], "first defined here");
        assert_eq!(rel["location"]["uri"], u);
        assert_eq!(rel["location"]["range"]["start"], pos_of(&broken, "window", 0, 0));
        let unit = diags.iter().find(|d| d["code"] == "E0201").unwrap();
        assert!(unit["message"].as_str().unwrap().contains("help: add a unit"), "{unit}");
        let args = diags.iter().find(|d| d["code"] == "E0207").unwrap();
        let rel = &args["relatedInformation"][0];
        assert_eq!(rel["message"], "defined here");
        let std_uri = rel["location"]["uri"].as_str().unwrap();
        assert!(std_uri.ends_with("/panels.gstack"), "{std_uri}");

        // fix all three with incremental edits (ranges in UTF-16 positions)
        let mut fixed = broken.clone();
        let mut changes = vec![];
        for (from, to) in [
            ("retention = 15", "retention = 15d"),
            ("let window = 1d\n", ""),
            (r#"panels.rate_by("Requests")"#, r#"panels.rate_by("Requests", "x_total", "route")"#),
        ] {
            let off = fixed.find(from).unwrap();
            changes.push(json!({ "range": { "start": position(&fixed, off), "end": position(&fixed, off + from.len()) }, "text": to }));
            fixed.replace_range(off..off + from.len(), to);
        }
        c.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": changes })).await;
        let first = c.first_diagnostics(&u, 2).await;
        assert!(first.iter().all(|d| d["code"] != "E0101"), "the file alone is already clean of its own errors: {first:#?}");
        let diags = c.final_diagnostics(&u, 2).await;
        assert!(diags.is_empty(), "{diags:#?}");
        assert!(cli_diagnostics(&path, &fixed).is_empty());

        // break it again (unknown field with a did-you-mean), then fix
        let typo = fixed.replace("severity = warning", "severty = warning");
        c.replace(&u, 3, &typo).await;
        let diags = c.final_diagnostics(&u, 3).await;
        assert_eq!(codes(&diags), ["E0200"]);
        assert!(diags[0]["message"].as_str().unwrap().contains("did you mean `severity`?"));
        c.replace(&u, 4, &fixed).await;
        assert!(c.final_diagnostics(&u, 4).await.is_empty());
    });
}

#[test]
fn diagnostic_positions_count_utf16_units() {
    runtime().block_on(async {
        let ws = workspace("utf16");
        let mut c = TestClient::start(&ws.dir).await;
        let text = "stack s { grafana {} }\n/// Übersicht 😀\ndashboard d { title = \"Überblick 😀 — €\", titel = \"x\" }\n";
        let u = c.open(&ws.path("utf16.gstack"), text).await;
        let diags = c.final_diagnostics(&u, 1).await;
        assert_eq!(codes(&diags), ["E0200"]);
        let off = text.find("titel").unwrap();
        // `dashboard d { title = "Überblick 😀 — €", ` is 42 UTF-16 units (😀 counts 2), 45 bytes
        assert_eq!(diags[0]["range"]["start"], json!({ "line": 2, "character": 42 }));
        assert_eq!(diags[0]["range"]["start"], position(text, off));
        assert_eq!(diags[0]["range"]["end"], position(text, off + 5));
        // hover at a UTF-16 position after the emoji finds the right field
        let h = c.request("textDocument/hover", at(&u, pos_of(text, "title", 0, 2))).await.unwrap();
        assert!(h["contents"]["value"].as_str().unwrap().contains("**title**"), "{h}");
        assert_eq!(h["range"]["start"], pos_of(text, "title", 0, 0));
    });
}

async fn open_main(ws: &Workspace, c: &mut TestClient) -> String {
    let u = c.open(&ws.path("main.gstack"), MAIN).await;
    let d = c.final_diagnostics(&u, 1).await;
    assert!(d.is_empty(), "the fixture is clean: {d:#?}");
    u
}

async fn hover_text(c: &mut TestClient, u: &str, pos: Value) -> String {
    let h = c.request("textDocument/hover", at(u, pos)).await.expect("hover");
    assert_eq!(h["contents"]["kind"], "markdown");
    h["contents"]["value"].as_str().unwrap().to_string()
}

#[test]
fn hover_shows_types_units_defaults_and_docs() {
    runtime().block_on(async {
        let ws = workspace("hover");
        let mut c = TestClient::start(&ws.dir).await;
        let u = open_main(&ws, &mut c).await;
        let field = hover_text(&mut c, &u, pos_of(MAIN, "retention", 0, 3)).await;
        for want in ["**retention**", "duration", "Default: `15d`", "Units: `ms` `s` `m` `h` `d` `w` `y`", "--storage.tsdb.retention.time", "*Field of* `prometheus`"] {
            assert!(field.contains(want), "{want:?} not in {field}");
        }
        let window = hover_text(&mut c, &u, pos_of(MAIN, "= window", 0, 3)).await;
        for want in ["let window", "`30d`", "How long we keep data."] {
            assert!(window.contains(want), "{want:?} not in {window}");
        }
        let std_fn = hover_text(&mut c, &u, pos_of(MAIN, "rate_by", 0, 2)).await;
        for want in ["fn rate_by(title: string, metric: string, by: string)", "Requests per second of `metric`", "std.panels"] {
            assert!(std_fn.contains(want), "{want:?} not in {std_fn}");
        }
        assert!(!std_fn.contains("Panel templates"), "the module's doc is not the function's: {std_fn}");
        let team_fn = hover_text(&mut c, &u, pos_of(MAIN, "svc_panel", 0, 1)).await;
        for want in ["fn svc_panel(name: string)", "One panel per service.", "team.gstack"] {
            assert!(team_fn.contains(want), "{want:?} not in {team_fn}");
        }
        let module = hover_text(&mut c, &u, pos_of(MAIN, "std.panels", 0, 5)).await;
        assert!(module.contains("(module) std.panels") && module.contains("`rate_by`"), "{module}");
        let sev = hover_text(&mut c, &u, pos_of(MAIN, "warning", 0, 1)).await;
        assert!(sev.contains("one of `critical`, `warning`, `info`"), "{sev}");
        let dur = hover_text(&mut c, &u, pos_of(MAIN, "5m", 0, 0)).await;
        assert!(dur.contains("**duration** `5m` = 300000 ms = 300 s"), "{dur}");
        let panel = hover_text(&mut c, &u, pos_of(MAIN, "table", 0, 1)).await;
        assert!(panel.contains("`table` panel"), "{panel}");
        let recv = hover_text(&mut c, &u, pos_of(MAIN, "= oncall", 0, 3)).await;
        assert!(recv.contains("receiver oncall"), "{recv}");
        let ds = hover_text(&mut c, &u, pos_of(MAIN, "= warehouse", 0, 3)).await;
        assert!(ds.contains("datasource warehouse") && ds.contains("postgres") && ds.contains("Sales data."), "{ds}");
        let builtin = c.request("textDocument/hover", at(&u, pos_of(MAIN, "stack shop", 0, 1))).await.unwrap();
        assert!(builtin["contents"]["value"].as_str().unwrap().contains("which components run"), "{builtin}");
        // nothing under a comment
        let none = c.request("textDocument/hover", at(&u, pos_of(MAIN, "How long", 0, 2))).await.unwrap();
        assert!(none.is_null(), "{none}");
    });
}

async fn complete(c: &mut TestClient, dir: &std::path::Path, n: usize, text_with_cursor: &str) -> Vec<String> {
    let (text, pos) = cursor(text_with_cursor);
    let u = c.open(&dir.join(format!("c{n}.gstack")), &text).await;
    let r = c.request("textDocument/completion", at(&u, pos)).await.expect("completion");
    r["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
}

#[test]
fn completion_offers_what_fits_where_the_cursor_is() {
    runtime().block_on(async {
        let ws = workspace("completion");
        let mut c = TestClient::start(&ws.dir).await;
        let d = ws.dir.clone();
        let has = |got: &[String], want: &[&str]| {
            for w in want {
                assert!(got.iter().any(|g| g == w), "{w:?} not offered; got {got:?}");
            }
        };
        // fields and blocks of the enclosing block, not those already set
        let got = complete(&mut c, &d, 1, "stack s {\n  prometheus {\n    port = 9090\n    ‸\n  }\n}\n").await;
        has(&got, &["retention", "scrape_interval", "scrape", "settings"]);
        assert!(!got.contains(&"port".into()) && !got.contains(&"title".into()), "{got:?}");
        // enum values
        let got = complete(&mut c, &d, 2, "stack s { prometheus {} }\nalert A {\n  expr = promql`up`\n  severity = ‸\n}\n").await;
        has(&got, &["critical", "warning", "info"]);
        // receivers of the stack
        let got = complete(&mut c, &d, 3, "stack s {\n  alertmanager {\n    receiver oncall { webhook = \"x\" }\n    route { receiver = ‸ }\n  }\n}\n").await;
        has(&got, &["oncall"]);
        // datasources: declared ones and the stack's components
        let got = complete(
            &mut c,
            &d,
            4,
            "stack s { prometheus {} }\ndatasource wh { type = postgres, url = \"x\" }\ndashboard d {\n  row \"r\" {\n    table \"t\" { datasource = ‸ }\n  }\n}\n",
        )
        .await;
        has(&got, &["wh", "prometheus"]);
        // Grafana units
        let got = complete(&mut c, &d, 5, "dashboard d { row \"r\" { stat \"x\" { unit = re‸ } } }\n").await;
        has(&got, &["reqps", "percentunit"]);
        // std imports
        let got = complete(&mut c, &d, 6, "import std.‸\n").await;
        has(&got, &["panels", "selfmon"]);
        let got = complete(&mut c, &d, 7, "import ‸\n").await;
        has(&got, &["std.panels", "std.selfmon"]);
        // a module's names
        let got = complete(&mut c, &d, 8, "import std.panels\nimport \"./team.gstack\" as team\nlet x = panels.‸\n").await;
        has(&got, &["rate_by", "error_ratio"]);
        let got = complete(&mut c, &d, 9, "import \"./team.gstack\" as team\nlet x = team.‸\n").await;
        has(&got, &["services", "svc_panel"]);
        // units after digits, by the field's type
        let got = complete(&mut c, &d, 10, "stack s {\n  prometheus { retention = 15‸ }\n}\n").await;
        has(&got, &["15d", "15h", "15m"]);
        assert!(!got.contains(&"15GiB".into()), "{got:?}");
        let got = complete(&mut c, &d, 11, "target kubernetes {\n  resources prometheus { memory = 2‸ }\n}\n").await;
        has(&got, &["2GiB", "2Mi"]);
        // the top level
        let got = complete(&mut c, &d, 12, "‸").await;
        has(&got, &["stack", "dashboard", "alert", "datasource", "target", "import", "let", "fn"]);
        // names in scope
        let got = complete(&mut c, &d, 13, "let window = 30d\nstack s { prometheus { retention = w‸ } }\n").await;
        has(&got, &["window"]);
        // target kinds
        let got = complete(&mut c, &d, 14, "target ‸").await;
        has(&got, &["native", "systemd", "compose", "kubernetes", "helm"]);
        // panels in a row, with the panel templates of std
        let got = complete(&mut c, &d, 15, "import std.panels\ndashboard d {\n  row \"r\" {\n    ‸\n  }\n}\n").await;
        has(&got, &["timeseries", "stat", "collapsed", "for"]);
        // a dashboard variable's constructors; a datasource as `query`'s first argument
        let got = complete(&mut c, &d, 16, "dashboard d {\n  var v = ‸\n}\n").await;
        has(&got, &["query", "custom", "interval", "datasource", "constant"]);
        let got = complete(&mut c, &d, 17, "stack s { loki {} }\ndashboard d {\n  var v = query(‸\n}\n").await;
        has(&got, &["loki"]);
        // a record field of the schema
        let got = complete(&mut c, &d, 18, "stack s {\n  grafana {\n    admin = { ‸ }\n  }\n}\n").await;
        has(&got, &["user", "password"]);
        // thresholds: colours after `:`
        let got = complete(&mut c, &d, 19, "dashboard d { row \"r\" { stat \"x\" { thresholds = [0.8: ‸] } } }\n").await;
        has(&got, &["yellow", "red"]);
        // nothing inside strings and comments
        assert!(complete(&mut c, &d, 20, "let x = \"abc‸\"\n").await.is_empty());
        assert!(complete(&mut c, &d, 21, "// a comment‸\n").await.is_empty());
        // inside a logql literal: stages after `|`, labels in a selector
        let got = complete(&mut c, &d, 22, "dashboard d { logs \"l\" { query = logql`{app=\"api\"} |‸` } }\n").await;
        has(&got, &["json", "logfmt", "line_format", "unwrap"]);
        let got = complete(&mut c, &d, 23, "log_alert L { expr = logql`count_over_time({team=\"core\"}[5m]) > 1` }\ndashboard d { logs \"l\" { query = logql`{‸}` } }\n").await;
        has(&got, &["team", "service_name"]);
        // hover on a query function
        let (text, pos) = cursor("alert A { expr = promql`sum(ra‸te(x[5m])) > 1` }\n");
        let u = c.open(&d.join("c24.gstack"), &text).await;
        let h = hover_text(&mut c, &u, pos).await;
        assert!(h.contains("rate(v range-vector) → instant vector") && h.contains("https://prometheus.io/docs/prometheus/latest/querying/functions/#rate"), "{h}");
        // snippets: a field inserts `name = `
        let (text, pos) = cursor("stack s {\n  loki {\n    ‸\n  }\n}\n");
        let u = c.open(&d.join("c99.gstack"), &text).await;
        let r = c.request("textDocument/completion", at(&u, pos)).await.unwrap();
        let ret = r["items"].as_array().unwrap().iter().find(|i| i["label"] == "retention").unwrap().clone();
        assert_eq!(ret["textEdit"]["newText"], "retention = $0");
        assert_eq!(ret["insertTextFormat"], 2);
        assert!(ret["documentation"]["value"].as_str().unwrap().contains("Default: `31d`"));
    });
}

fn loc_is(v: &Value, uri: &str, text: &str, needle: &str, nth: usize) {
    assert_eq!(v["uri"], uri, "{v}");
    assert_eq!(v["range"]["start"], pos_of(text, needle, nth, 0), "{v}");
    assert_eq!(v["range"]["end"], pos_of(text, needle, nth, needle.len()), "{v}");
}

#[test]
fn definition_goes_across_files_and_into_std() {
    runtime().block_on(async {
        let ws = workspace("definition");
        let mut c = TestClient::start(&ws.dir).await;
        let u = open_main(&ws, &mut c).await;
        let team = uri(&ws.path("team.gstack"));
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "svc_panel", 0, 2))).await.expect("definition");
        loc_is(&r[0], &team, TEAM, "svc_panel", 0);
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "team.services", 0, 6))).await.expect("definition");
        loc_is(&r[0], &team, TEAM, "services", 1);
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "rate_by", 0, 0))).await.expect("definition");
        let std_uri = r[0]["uri"].as_str().unwrap().to_string();
        assert!(std_uri.ends_with("/panels.gstack"), "{r}");
        let std_path = uri_path(&std_uri);
        let std_text = std::fs::read_to_string(std_path).expect("the std module is on disk for the editor");
        assert_eq!(std_text, gstack::db::STD_MODULES.iter().find(|(n, _)| *n == "panels").unwrap().1);
        loc_is(&r[0], &std_uri, &std_text, "rate_by", 0);
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "= oncall", 0, 2))).await.expect("definition");
        loc_is(&r[0], &u, MAIN, "oncall", 0);
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "= warehouse", 0, 2))).await.expect("definition");
        loc_is(&r[0], &u, MAIN, "warehouse", 0);
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "= window", 0, 2))).await.expect("definition");
        loc_is(&r[0], &u, MAIN, "window", 0);
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "./team.gstack", 0, 3))).await.expect("definition");
        assert_eq!(r[0]["uri"], team);
        // a `for` variable
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "svc_panel(s)", 0, 10))).await.expect("definition");
        assert_eq!(r[0]["uri"], u);
        assert_eq!(r[0]["range"]["start"], pos_of(MAIN, "for s", 0, 4));
        assert_eq!(r[0]["range"]["end"], pos_of(MAIN, "for s", 0, 5));
        // a built-in or a field has no definition
        let r = c.request("textDocument/definition", at(&u, pos_of(MAIN, "retention", 0, 1))).await.unwrap();
        assert!(r.is_null(), "{r}");
    });
}

fn uri_path(s: &str) -> std::path::PathBuf {
    let u: tower_lsp_server::ls_types::Uri = s.parse().unwrap();
    u.to_file_path().unwrap().into_owned()
}

fn sorted_locs(v: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = v.as_array().unwrap().iter().map(|l| (l["uri"].as_str().unwrap().to_string(), l["range"]["start"].clone())).collect();
    out.sort_by_key(|(u, p)| (u.clone(), p["line"].as_u64(), p["character"].as_u64()));
    out
}

#[test]
fn references_across_files_and_into_std() {
    runtime().block_on(async {
        let ws = workspace("references");
        let mut c = TestClient::start(&ws.dir).await;
        let u = open_main(&ws, &mut c).await;
        let team = uri(&ws.path("team.gstack"));
        let tu = c.open(&ws.path("team.gstack"), TEAM).await;
        assert_eq!(tu, team);
        let refs = |pos: Value, uri: &str, decl: bool| json!({ "textDocument": { "uri": uri }, "position": pos, "context": { "includeDeclaration": decl } });
        // from the definition in team.gstack
        let r = c.request("textDocument/references", refs(pos_of(TEAM, "services", 1, 1), &team, true)).await.unwrap();
        assert_eq!(sorted_locs(&r), vec![(u.clone(), pos_of(MAIN, "services", 0, 0)), (team.clone(), pos_of(TEAM, "services", 1, 0))]);
        let r = c.request("textDocument/references", refs(pos_of(TEAM, "services", 1, 1), &team, false)).await.unwrap();
        assert_eq!(sorted_locs(&r), vec![(u.clone(), pos_of(MAIN, "services", 0, 0))]);
        // a receiver: its declaration and the route
        let r = c.request("textDocument/references", refs(pos_of(MAIN, "oncall", 1, 0), &u, true)).await.unwrap();
        assert_eq!(sorted_locs(&r), vec![(u.clone(), pos_of(MAIN, "oncall", 0, 0)), (u.clone(), pos_of(MAIN, "oncall", 1, 0))]);
        // a std function: its definition in std and the call here
        let r = c.request("textDocument/references", refs(pos_of(MAIN, "rate_by", 0, 0), &u, true)).await.unwrap();
        let locs = sorted_locs(&r);
        assert_eq!(locs.len(), 2, "{r}");
        assert!(locs.iter().any(|(x, p)| *x == u && *p == pos_of(MAIN, "rate_by", 0, 0)));
        assert!(locs.iter().any(|(x, _)| x.ends_with("/panels.gstack")));
        // a function parameter inside its body
        let r = c.request("textDocument/references", refs(pos_of(TEAM, "name", 0, 0), &team, true)).await.unwrap();
        assert_eq!(r.as_array().unwrap().len(), 3, "{r}");
    });
}

/// Apply a WorkspaceEdit's changes for `uri` to `text`.
fn apply(text: &str, edits: &Value) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let off = |p: &Value| {
                let (line, ch) = (p["line"].as_u64().unwrap() as usize, p["character"].as_u64().unwrap() as usize);
                let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
                let mut units = 0;
                let mut o = start;
                for c in text[start..].chars() {
                    if units >= ch || c == '\n' {
                        break;
                    }
                    units += c.len_utf16();
                    o += c.len_utf8();
                }
                o
            };
            (off(&e["range"]["start"]), off(&e["range"]["end"]), e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, t) in edits {
        out.replace_range(a..b, &t);
    }
    out
}

#[test]
fn rename_user_names_across_files() {
    runtime().block_on(async {
        let ws = workspace("rename");
        let mut c = TestClient::start(&ws.dir).await;
        let u = open_main(&ws, &mut c).await;
        let team = uri(&ws.path("team.gstack"));
        let rename = |pos: Value, name: &str| json!({ "textDocument": { "uri": u }, "position": pos, "newName": name });
        // a `let` of the other file, renamed from its use here
        let prep = c.request("textDocument/prepareRename", at(&u, pos_of(MAIN, "services", 0, 2))).await.unwrap();
        assert_eq!(prep["placeholder"], "services");
        assert_eq!(prep["range"]["start"], pos_of(MAIN, "services", 0, 0));
        let e = c.request("textDocument/rename", rename(pos_of(MAIN, "services", 0, 2), "apps")).await.unwrap();
        let changes = &e["changes"];
        let main2 = apply(MAIN, &changes[&u]);
        let team2 = apply(TEAM, &changes[&team]);
        assert!(main2.contains("for s in team.apps {") && !main2.contains("services"), "{main2}");
        assert!(team2.contains("let apps = [") && !team2.contains("let services"), "{team2}");
        // the renamed workspace still checks clean
        let mut db = Database::default();
        db.set_file(&ws.path("team.gstack"), team2);
        let root = db.set_file(&ws.path("main.gstack"), main2);
        assert!(check_stack(&db, root).diagnostics.is_empty());
        // a receiver: declaration and route
        let e = c.request("textDocument/rename", rename(pos_of(MAIN, "oncall", 0, 1), "pager")).await.unwrap();
        let m = apply(MAIN, &e["changes"][&u]);
        assert!(m.contains("receiver pager {") && m.contains("route { receiver = pager }"), "{m}");
        // an import written without `as` gets one
        let e = c.request("textDocument/rename", rename(pos_of(MAIN, "panels.rate_by", 0, 1), "p")).await.unwrap();
        let m = apply(MAIN, &e["changes"][&u]);
        assert!(m.starts_with("import std.panels as p\n") && m.contains("p.rate_by(\"Requests\""), "{m}");
        // refused: std names, built-ins, bad names, names taken
        let err = c.request("textDocument/prepareRename", at(&u, pos_of(MAIN, "rate_by", 0, 1))).await.unwrap_err();
        assert!(err["message"].as_str().unwrap().contains("std"), "{err}");
        let err = c.request("textDocument/rename", rename(pos_of(MAIN, "window", 0, 1), "1x")).await.unwrap_err();
        assert!(err["message"].as_str().unwrap().contains("not a valid name"), "{err}");
        let err = c.request("textDocument/rename", rename(pos_of(MAIN, "window", 0, 1), "team")).await.unwrap_err();
        assert!(err["message"].as_str().unwrap().contains("already defined"), "{err}");
        let err = c.request("textDocument/prepareRename", at(&u, pos_of(MAIN, "prometheus", 0, 1))).await.unwrap_err();
        assert!(err["message"].as_str().unwrap().contains("component"), "{err}");
    });
}

fn names(syms: &Value) -> Vec<String> {
    syms.as_array().map(|a| a.iter().map(|s| s["name"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

fn child<'a>(syms: &'a Value, name: &str) -> &'a Value {
    syms.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no symbol {name} in {syms:#}"))
}

#[test]
fn document_symbols_outline_the_file() {
    runtime().block_on(async {
        let ws = workspace("symbols");
        let mut c = TestClient::start(&ws.dir).await;
        let u = open_main(&ws, &mut c).await;
        let syms = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } })).await.unwrap();
        assert_eq!(names(&syms), ["std.panels", "team", "window", "shop", "warehouse", "overview", "TargetDown"]);
        let shop = child(&syms, "shop");
        assert_eq!(shop["kind"], 3, "namespace");
        assert_eq!(names(&shop["children"]), ["prometheus", "grafana", "alertmanager"]);
        assert_eq!(names(&child(&shop["children"], "alertmanager")["children"]), ["oncall", "route"]);
        let dash = child(&syms, "overview");
        assert_eq!(names(&dash["children"]), ["Traffic", "Sales"]);
        let orders = child(&child(&dash["children"], "Sales")["children"], "Orders");
        assert_eq!(orders["detail"], "table");
        assert_eq!(orders["selectionRange"]["start"], pos_of(MAIN, "\"Orders\"", 0, 0));
        let team = c.open(&ws.path("team.gstack"), TEAM).await;
        let syms = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": team } })).await.unwrap();
        assert_eq!(names(&syms), ["services", "svc_panel"]);
        // the panel a function returns (its title is interpolated, so the symbol is its kind)
        assert_eq!(names(&child(&syms, "svc_panel")["children"]), ["timeseries"]);
    });
}

#[test]
fn formatting_is_gstackc_fmt() {
    runtime().block_on(async {
        let ws = workspace("fmt");
        let mut c = TestClient::start(&ws.dir).await;
        let messy = "let  x=1\nstack s {prometheus{\nretention=15d}\n}\n";
        let u = c.open(&ws.path("messy.gstack"), messy).await;
        let edits = c.request("textDocument/formatting", json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } })).await.unwrap();
        let formatted = apply(messy, &edits);
        assert_eq!(formatted, gstack::syntax::fmt::format(messy).unwrap());
        assert_ne!(formatted, messy);
        // formatted text: no edits
        c.replace(&u, 2, &formatted).await;
        let edits = c.request("textDocument/formatting", json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } })).await.unwrap();
        assert_eq!(edits, json!([]));
        // broken text is not formatted
        c.replace(&u, 3, "stack s { prometheus { retention = } }").await;
        let edits = c.request("textDocument/formatting", json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } })).await.unwrap();
        assert!(edits.is_null());
    });
}

#[test]
fn semantic_tokens_and_inlay_hints() {
    runtime().block_on(async {
        let ws = workspace("tokens");
        let mut c = TestClient::start(&ws.dir).await;
        let u = open_main(&ws, &mut c).await;
        let init_legend = ["namespace", "type", "function", "variable", "parameter", "property", "enumMember", "keyword", "string", "number", "comment", "operator", "macro"];
        let r = c.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": u } })).await.unwrap();
        let data: Vec<u64> = r["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert_eq!(data.len() % 5, 0);
        // decode to (line, col, len, type, mods)
        let (mut line, mut col) = (0u64, 0u64);
        let mut toks = vec![];
        for t in data.chunks(5) {
            if t[0] > 0 {
                line += t[0];
                col = t[1];
            } else {
                col += t[1];
            }
            toks.push((line, col, t[2], init_legend[t[3] as usize], t[4]));
        }
        let tok_at = |needle: &str, nth: usize| {
            let p = pos_of(MAIN, needle, nth, 0);
            let (l, ch) = (p["line"].as_u64().unwrap(), p["character"].as_u64().unwrap());
            *toks.iter().find(|t| t.0 == l && t.1 == ch).unwrap_or_else(|| panic!("no token at {needle}: {p}"))
        };
        assert_eq!(tok_at("let", 0).3, "keyword");
        let w = tok_at("window", 0);
        assert_eq!((w.3, w.4 & 1), ("variable", 1), "a declaration");
        assert_eq!(tok_at("retention", 0).3, "property");
        assert_eq!(tok_at("rate_by", 0).3, "function");
        assert_eq!(tok_at("panels", 1).3, "namespace");
        assert_eq!(tok_at("warning", 0).3, "enumMember");
        assert_eq!(tok_at("5m", 0).3, "number");
        assert_eq!(tok_at("/// How", 0).3, "comment");
        assert_eq!(tok_at("promql", 0).3, "macro");
        assert_eq!(tok_at("stack shop", 0).3, "keyword");
        assert_eq!(tok_at("prometheus", 0).3, "type");

        let r = c
            .request("textDocument/inlayHint", json!({ "textDocument": { "uri": u }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 100, "character": 0 } } }))
            .await
            .unwrap();
        let hints: Vec<(Value, String)> = r.as_array().unwrap().iter().map(|h| (h["position"].clone(), h["label"].as_str().unwrap().to_string())).collect();
        assert!(hints.contains(&(pos_of(MAIN, "\"Requests\"", 0, 0), "title:".into())), "{hints:?}");
        assert!(hints.contains(&(pos_of(MAIN, "\"route\"", 0, 0), "by:".into())), "{hints:?}");
        assert!(hints.contains(&(pos_of(MAIN, "svc_panel(s)", 0, 10), "name:".into())), "{hints:?}");
    });
}

#[test]
fn edits_of_an_imported_file_recheck_its_importers() {
    runtime().block_on(async {
        let ws = workspace("importers");
        let mut c = TestClient::start(&ws.dir).await;
        let u = open_main(&ws, &mut c).await;
        let team = uri(&ws.path("team.gstack"));
        // changed on disk, not open: the client's file watcher reports it
        let renamed = TEAM.replace("let services", "let svcs");
        std::fs::write(ws.path("team.gstack"), &renamed).unwrap();
        c.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": team, "type": 2 }] })).await;
        let p = c.diagnostics(&u, |p| !p["diagnostics"].as_array().unwrap().is_empty()).await;
        let d = &p["diagnostics"][0];
        assert_eq!(d["code"], "E0100");
        assert!(d["message"].as_str().unwrap().starts_with("the imported module has no `services`"), "{d}");
        assert_eq!(d["range"]["start"], pos_of(MAIN, "services", 0, 0));
        // opened and fixed in the editor: main is clean again
        let tu = c.open(&ws.path("team.gstack"), &renamed).await;
        c.replace(&tu, 2, TEAM).await;
        let mark = c.seen.len();
        c.final_diagnostics(&tu, 2).await;
        c.diagnostics_after(&u, mark, |p| p["diagnostics"] == json!([])).await;
    });
}

/// A file that is missing when an import names it is an input too: created later (the
/// client's watcher says so), the importer is checked again and finds it; deleted, the import
/// is missing again (architecture review bug 5: "cannot read" stayed after the file existed,
/// and a deleted file read as an empty module).
#[test]
fn a_file_created_after_its_import_is_found_and_a_deleted_one_is_missing() {
    const SRC: &str = "import \"./later.gstack\" as later\n\nstack s {\n  prometheus { retention = later.keep }\n  grafana {}\n}\n";
    const LATER: &str = "let keep = 30d\n";
    runtime().block_on(async {
        let ws = Workspace::new("created-later", &[("main.gstack", SRC)]);
        let mut c = TestClient::start(&ws.dir).await;
        let u = c.open(&ws.path("main.gstack"), SRC).await;
        // the whole-stack check of the open has run: the import is missing
        let d = c.final_diagnostics(&u, 1).await;
        assert!(d.iter().any(|d| d["code"] == "E0102"), "{d:#?}");
        let later = uri(&ws.path("later.gstack"));
        std::fs::write(ws.path("later.gstack"), LATER).unwrap();
        let mark = c.seen.len();
        c.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": later, "type": 1 }] })).await;
        c.diagnostics_after(&u, mark, |p| p["diagnostics"] == json!([])).await;
        std::fs::remove_file(ws.path("later.gstack")).unwrap();
        let mark = c.seen.len();
        c.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": later, "type": 3 }] })).await;
        let p = c.diagnostics_after(&u, mark, |p| !p["diagnostics"].as_array().unwrap().is_empty()).await;
        assert_eq!(p["diagnostics"][0]["code"], "E0102", "a deleted import is missing, not an empty module: {p}");
    });
}
