//! Completion inside a `logql` query literal, from the parser's vocabulary (`sema::logql`,
//! Loki 3.5's grammar) and the words' docs (`ide::query_docs::logql`):
//!
//! - at the start, after `(` or an operator: the range aggregations (with their log range,
//!   and `| unwrap` for those that aggregate values) and vector aggregations, and `{…}`;
//! - inside a stream selector `{…}` (before a matcher) and in `by (…)` / `without (…)`: label
//!   names — those the stack's other LogQL queries select on (`Expr::stream_labels`), then
//!   labels Loki and its usual clients set (`service_name`, `job`, …), since the stack has
//!   no log pipeline of its own to ask;
//! - after `|`: the pipeline stages (`json`, `logfmt`, `line_format`, …); after `| unwrap`
//!   the conversions (`duration(…)`, `bytes(…)`);
//! - after a selector, a string or a parser stage: the line filter operators.

use super::*;
use crate::ide::query_docs::scan::{open_at, word_before};
use crate::ide::query_docs::{Doc, Lang};
use crate::sema::logql::{self, all_functions, STAGES};

/// The start of the text of the literal open before the cursor, if the innermost literal
/// open is a `logql` query.
pub(super) fn inside(toks: &[(Tok, Span)]) -> Option<usize> {
    literal_start(toks, "logql")
}

/// Where the text of the literal open at the end of `toks` starts, if the innermost literal
/// open is a `lang` query.
pub(super) fn literal_start(toks: &[(Tok, Span)], lang: &str) -> Option<usize> {
    let mut stack: Vec<Option<(&str, usize)>> = vec![];
    for (t, s) in toks {
        match t {
            Tok::QueryStart(l) => stack.push(Some((l.as_str(), s.end as usize))),
            Tok::StrStart | Tok::InterpStart => stack.push(None),
            Tok::InterpEnd | Tok::StrEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    match stack.last() {
        Some(Some((l, at))) if *l == lang => Some(*at),
        _ => None,
    }
}

/// Labels Loki 3.5 sets itself (`service_name`, from `discover_service_name`) and those its
/// usual clients (Alloy, Promtail, the OpenTelemetry collector) set on streams.
pub const COMMON_LABELS: &[&str] = &["service_name", "job", "instance", "app", "namespace", "pod", "container", "host", "filename", "level", "env"];

/// The line filter operators (`lineFilter` of Loki's grammar).
const LINE_FILTERS: &[(&str, &str)] = &[
    ("|=", "lines containing the text"),
    ("!=", "lines not containing the text"),
    ("|~", "lines matching the RE2 regex"),
    ("!~", "lines not matching the RE2 regex"),
    ("|>", "lines matching the pattern (`<_>` is any text)"),
    ("!>", "lines not matching the pattern"),
];

fn doc(name: &str) -> Option<&'static Doc> {
    Lang::Logql.lookup(name).next()
}

fn item(name: &str, kind: CompletionKind, snippet: String) -> Completion {
    let c = Completion::new(name, kind).snippet(snippet);
    match doc(name) {
        Some(d) => c.detail(d.sig).doc(d.markdown(Lang::Logql)),
        None => c,
    }
}

/// What may come at the cursor: `q` is the literal's text up to the word being typed, `at`
/// where the literal's text starts in `file` (its own labels are not offered back).
pub(super) fn items(db: &dyn Db, file: SourceFile, stack: &[SourceFile], q: &str, at: usize) -> Vec<Completion> {
    let open = open_at(q, q.len(), Lang::Logql);
    if open.in_string {
        return vec![];
    }
    let trimmed = q.trim_end();
    let last = trimmed.bytes().last();
    if open.braces > 0 {
        // before a matcher of the selector (not in its value)
        return if matches!(last, Some(b'{' | b',')) { labels(db, file, stack, at, true) } else { vec![] };
    }
    if open.label_list {
        return if matches!(last, Some(b'(' | b',')) { labels(db, file, stack, at, false) } else { vec![] };
    }
    if last == Some(b'|') {
        return STAGES.iter().map(|s| item(s, CompletionKind::Keyword, stage_snippet(s))).collect();
    }
    let prev = word_before(q, q.len()).to_ascii_lowercase();
    if prev == "unwrap" {
        return ["duration", "duration_seconds", "bytes"].iter().map(|c| item(c, CompletionKind::Function, format!("{c}(${{1:label}})"))).collect();
    }
    // after a selector, a string or a parser without arguments: a line filter or `|`
    if matches!(last, Some(b'}' | b'"' | b'`')) || ["json", "logfmt", "unpack", "decolorize"].contains(&prev.as_str()) {
        return LINE_FILTERS.iter().map(|(op, what)| Completion::new(format!("{op} \"…\""), CompletionKind::Snippet).detail(format!("line filter: {what}")).snippet(format!("{op} \"$0\""))).collect();
    }
    // a range aggregation's argument: the log range
    if last == Some(b'(') && logql::RANGE_FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(word_before(q, trimmed.len() - 1))) {
        return vec![selector()];
    }
    let function_position = match last {
        None => true,
        Some(b'(' | b',' | b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'=' | b'>' | b'<') => true,
        _ => ["and", "or", "unless", "bool"].contains(&prev.as_str()),
    };
    if !function_position {
        return vec![];
    }
    let mut out: Vec<Completion> = all_functions().map(|f| item(f, CompletionKind::Function, function_snippet(f))).collect();
    out.push(selector());
    out
}

fn selector() -> Completion {
    Completion::new("{…}", CompletionKind::Snippet).detail("stream selector").snippet("{${1:service_name}=\"$2\"}$0")
}

/// What a function inserts: a range aggregation its log range (and `unwrap` when it
/// aggregates values), an aggregation with a parameter its parameter.
fn function_snippet(f: &str) -> String {
    let unwraps = doc(f).is_some_and(|d| d.sig.contains("unwrap"));
    match f {
        "quantile_over_time" => "quantile_over_time(${1:0.99}, {$2} | unwrap ${3:label} [${4:5m}])".into(),
        _ if unwraps => format!("{f}({{$1}} | unwrap ${{2:label}} [${{3:5m}}])"),
        _ if logql::RANGE_FUNCTIONS.contains(&f) => format!("{f}({{$1}}[${{2:5m}}])"),
        "topk" | "bottomk" | "approx_topk" => format!("{f}(${{1:10}}, $0)"),
        _ => format!("{f}($0)"),
    }
}

fn stage_snippet(s: &str) -> String {
    match s {
        "regexp" | "pattern" | "line_format" => format!("{s} \"$0\""),
        "label_format" => "label_format ${1:dst}=${2:src}".into(),
        "drop" | "keep" => format!("{s} ${{1:label}}"),
        "unwrap" => "unwrap ${1:label}".into(),
        _ => s.to_string(),
    }
}

/// The string literals of a `stream_labels = [ … ]` list in `text` (the `loki` block's
/// declared stream labels), in order.
fn declared_stream_labels(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("stream_labels") {
        rest = &rest[i + "stream_labels".len()..];
        let Some(list) = rest.trim_start().strip_prefix('=').map(str::trim_start).and_then(|r| r.strip_prefix('[')) else { continue };
        let Some(end) = list.find(']') else { break };
        for part in list[..end].split(',') {
            if let Some(l) = part.trim().strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                if !l.is_empty() && !out.iter().any(|o| o == l) {
                    out.push(l.to_string());
                }
            }
        }
    }
    out
}

/// Label names: the `loki` block's declared `stream_labels` (which W0404 checks selectors
/// against), then those the stream selectors of the stack's LogQL literals use (not the one at
/// `at` of `file`, being written), then [`COMMON_LABELS`]. In a selector, `name="…"`.
fn labels(db: &dyn Db, file: SourceFile, stack: &[SourceFile], at: usize, matcher: bool) -> Vec<Completion> {
    let mut files: Vec<SourceFile> = vec![file];
    files.extend(stack.iter().filter(|f| **f != file));
    let declared: Vec<String> = files.iter().flat_map(|f| declared_stream_labels(f.text(db).as_str())).collect();
    let mut used: Vec<String> = vec![];
    for f in files {
        let text = f.text(db).as_str();
        if !text.contains("logql`") {
            continue;
        }
        for (lang, start, end) in crate::ide::query_docs::scan::literals(text) {
            if lang != Lang::Logql || (f == file && start == at) {
                continue;
            }
            if let Some(Ok(e)) = text.get(start..end).map(logql::parse_grafana) {
                for l in e.stream_labels() {
                    if !used.contains(&l) {
                        used.push(l);
                    }
                }
            }
        }
    }
    let label = |l: &str, detail: &str| {
        let c = Completion::new(l, CompletionKind::Field).detail(detail.to_string());
        if matcher { c.snippet(format!("{l}=\"$0\"")) } else { c }
    };
    let mut out: Vec<Completion> = declared.iter().map(|l| label(l, "stream label (declared in `stream_labels`)")).collect();
    out.extend(used.iter().filter(|l| !declared.contains(l)).map(|l| label(l, "stream label (the stack's queries select on it)")));
    out.extend(COMMON_LABELS.iter().filter(|l| !used.iter().chain(declared.iter()).any(|u| u == *l)).map(|l| label(l, "stream label (set by Loki or its usual clients)")));
    out
}

#[cfg(test)]
mod tests {
    use crate::db::{Database, SourceFile};
    use crate::ide::completion;

    fn db_with(files: &[(&str, &str)]) -> (Database, Vec<SourceFile>) {
        let mut db = Database::default();
        let fs = files.iter().map(|(p, t)| db.set_file(std::path::Path::new(p), t.to_string())).collect();
        (db, fs)
    }

    /// The labels offered at `‸` of the first file, the others being the rest of the stack.
    fn labels_at(files: &[(&str, &str)]) -> Vec<String> {
        let off = files[0].1.find('‸').unwrap();
        let first = files[0].1.replacen('‸', "", 1);
        let mut all: Vec<(&str, &str)> = files.to_vec();
        all[0].1 = &first;
        let (db, fs) = db_with(&all);
        completion::completion(&db, fs[0], off as u32, &fs).items.into_iter().map(|it| it.label).collect()
    }

    #[test]
    fn logql_literals_complete_logql() {
        let d = |q: &str| format!("dashboard d {{ logs \"l\" {{ query = logql`{q}` }} }}");
        let cases: Vec<(String, &[&str], &[&str])> = vec![
            (d("‸"), &["count_over_time", "rate", "sum", "topk", "{…}"], &["json"]),
            (d("sum by (app) (‸"), &["count_over_time", "{…}"], &[]),
            (d("co‸"), &["count_over_time"], &[]),
            (d("count_over_time(‸"), &["{…}"], &["sum"]),
            (d("{app=\"api\"} | ‸"), &["json", "logfmt", "pattern", "regexp", "unpack", "line_format", "label_format", "drop", "keep", "decolorize", "unwrap"], &["sum"]),
            (d("{app=\"api\"} | js‸"), &["json"], &[]),
            (d("{app=\"api\"} ‸"), &["|= \"…\"", "!= \"…\"", "|~ \"…\"", "!~ \"…\"", "|> \"…\"", "!> \"…\""], &["json"]),
            (d("{app=\"api\"} |= \"x\" ‸"), &["|= \"…\""], &[]),
            (d("{app=\"api\"} | json ‸"), &["!= \"…\""], &[]),
            (d("sum_over_time({app=\"api\"} | logfmt | unwrap ‸"), &["duration", "duration_seconds", "bytes"], &["json"]),
            (d("{‸"), &["service_name", "job"], &["json", "sum"]),
            (d("{app=\"api\", ‸"), &["service_name"], &[]),
            (d("sum by (‸) (count_over_time({app=\"api\"}[5m]))"), &["service_name"], &["sum"]),
        ];
        for (i, (src, want, not)) in cases.iter().enumerate() {
            let got = labels_at(&[("/t/lq.gstack", src)]);
            for w in *want {
                assert!(got.iter().any(|g| g == w), "case {i} {src}: {w:?} not in {got:?}");
            }
            for n in *not {
                assert!(!got.iter().any(|g| g == n), "case {i} {src}: {n:?} in {got:?}");
            }
        }
        // nothing in a matcher's value, in a line filter's text, after a range
        for q in ["{app=\"‸\"}", "{app=‸", "{app=\"api\"} |= \"er‸\"", "count_over_time({app=\"api\"}[‸"] {
            assert_eq!(labels_at(&[("/t/lq.gstack", &d(q))]), Vec::<String>::new(), "{q}");
        }
    }

    #[test]
    fn selector_labels_come_from_the_stacks_queries_first() {
        let main = "import \"./alerts.gstack\" as a\ndashboard d { logs \"l\" { query = logql`{team=\"x\"} |= \"e\"` } logs \"m\" { query = logql`{‸}` } }";
        let other = "log_alert L { expr = logql`count_over_time({cluster=\"eu\", team=\"y\"}[5m]) > 1` }";
        let got = labels_at(&[("/t/main.gstack", main), ("/t/alerts.gstack", other)]);
        assert_eq!(&got[..3], ["team", "cluster", "service_name"], "{got:?}");
        // each label once, and the label being written in this literal is not offered back
        let got = labels_at(&[("/t/main.gstack", "dashboard d { logs \"l\" { query = logql`{job=\"x\", te‸=\"y\"}` } }")]);
        assert!(!got.iter().any(|g| g == "te") && got.iter().filter(|g| *g == "job").count() == 1, "{got:?}");
        // a matcher inserts `name="…"`
        let text = "dashboard d { logs \"l\" { query = logql`{}` } }";
        let (db, fs) = db_with(&[("/t/m.gstack", text)]);
        let c = completion::completion(&db, fs[0], text.find("{}").unwrap() as u32 + 1, &fs);
        let it = c.items.iter().find(|i| i.label == "service_name").unwrap();
        assert_eq!(it.insert.as_deref(), Some("service_name=\"$0\""));
    }

    /// The `loki` block's declared `stream_labels` come first (W0404 judges selectors by them).
    #[test]
    fn declared_stream_labels_come_first() {
        let main = "stack s {\n  loki { stream_labels = [\"app\", \"namespace\"] }\n}\ndashboard d { logs \"l\" { query = logql`{team=\"x\"}` } logs \"m\" { query = logql`{‸}` } }";
        let got = labels_at(&[("/t/main.gstack", main)]);
        assert_eq!(&got[..3], ["app", "namespace", "team"], "{got:?}");
    }
}
