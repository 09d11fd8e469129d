//! Completion inside a `promql` query literal, from the words' docs (`ide::query_docs::promql`,
//! which the tests keep to `promql-parser`'s vocabulary):
//!
//! - where an expression starts (the start, after `(`, `,` or an operator): PromQL's functions
//!   and aggregations, then the metric names the stack's other PromQL queries select;
//! - inside a selector `{…}` (before a matcher) and in `by (…)`, `without (…)`, `on (…)`,
//!   `ignoring (…)`: label names — `job` and `instance`, which every scraped series has, then
//!   those the stack's other PromQL queries match on;
//! - after a selector, a range or `)`: the binary and modifier keywords (`and`, `or`,
//!   `unless`, `offset`, `bool`, `on`, `ignoring`, `group_left`, `group_right`, `by`,
//!   `without`).

use super::*;
use crate::ide::query_docs::scan::{open_at, word_before};
use crate::ide::query_docs::{DocKind, Lang};
use crate::ide::query_docs::promql::DOCS;

/// Where the text of the literal open before the cursor starts, if the innermost literal
/// open is a `promql` query.
pub(super) fn inside(toks: &[(Tok, Span)]) -> Option<usize> {
    super::logql::literal_start(toks, "promql")
}

fn item(d: &crate::ide::query_docs::Doc, kind: CompletionKind, snippet: String) -> Completion {
    Completion::new(d.name, kind).snippet(snippet).detail(d.sig).doc(d.markdown(Lang::Promql))
}

/// What may come at the cursor: `q` is the literal's text up to the word being typed, `at`
/// where the literal's text starts in `file` (its own words are not offered back).
pub(super) fn items(db: &dyn Db, file: SourceFile, stack: &[SourceFile], q: &str, at: usize) -> Vec<Completion> {
    let open = open_at(q, q.len(), Lang::Promql);
    if open.in_string {
        return vec![];
    }
    let trimmed = q.trim_end();
    let last = trimmed.bytes().last();
    if open.braces > 0 {
        return if matches!(last, Some(b'{' | b',')) { labels(db, file, stack, at, true) } else { vec![] };
    }
    if open.label_list {
        return if matches!(last, Some(b'(' | b',')) { labels(db, file, stack, at, false) } else { vec![] };
    }
    if last == Some(b'[') {
        return vec![];
    }
    let prev = word_before(q, q.len()).to_ascii_lowercase();
    let expression = match last {
        None => true,
        Some(b'(' | b',' | b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'=' | b'>' | b'<') => true,
        _ => ["and", "or", "unless", "bool"].contains(&prev.as_str()),
    };
    if expression {
        let mut out: Vec<Completion> = DOCS
            .iter()
            .filter_map(|d| match d.kind {
                DocKind::Function => Some(item(d, CompletionKind::Function, format!("{}($0)", d.name))),
                DocKind::Aggregation => Some(item(d, CompletionKind::Function, format!("{} by (${{1:job}}) ($0)", d.name))),
                _ => None,
            })
            .collect();
        out.extend(metrics(db, file, stack, at).into_iter().map(|m| Completion::new(m, CompletionKind::Field).detail("metric (the stack's queries select it)")));
        return out;
    }
    // after a selector, a range, `)` or a number: what joins or modifies it
    let after_word = !prev.is_empty() && q.ends_with(char::is_whitespace);
    if matches!(last, Some(b'}' | b']' | b')')) || after_word {
        return DOCS.iter().filter(|d| d.kind == DocKind::Keyword).map(|d| item(d, CompletionKind::Keyword, d.name.to_string())).collect();
    }
    vec![]
}

/// The PromQL texts of the stack's literals (`file` first), but the one starting at `at` of
/// `file`, being written.
fn other_queries(db: &dyn Db, file: SourceFile, stack: &[SourceFile], at: usize) -> Vec<String> {
    let mut files: Vec<SourceFile> = vec![file];
    files.extend(stack.iter().filter(|f| **f != file));
    let mut out = vec![];
    for f in files {
        let text = f.text(db).as_str();
        if !text.contains("promql`") {
            continue;
        }
        for (lang, start, end) in crate::ide::query_docs::scan::literals(text) {
            if lang == Lang::Promql && !(f == file && start == at) {
                out.push(text[start..end].to_string());
            }
        }
    }
    out
}

/// Metric names the stack's other PromQL queries select (each once, in order).
fn metrics(db: &dyn Db, file: SourceFile, stack: &[SourceFile], at: usize) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for q in other_queries(db, file, stack, at) {
        for m in crate::sema::query::metric_names(&q).unwrap_or_default() {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// `job` and `instance`, then the label names the stack's other PromQL selectors match on.
/// In a selector, `name="…"`.
fn labels(db: &dyn Db, file: SourceFile, stack: &[SourceFile], at: usize, matcher: bool) -> Vec<Completion> {
    let mut used: Vec<String> = vec!["job".into(), "instance".into()];
    for q in other_queries(db, file, stack, at) {
        for l in crate::sema::query::matcher_labels(&q).unwrap_or_default() {
            if !used.contains(&l) {
                used.push(l);
            }
        }
    }
    used.into_iter()
        .enumerate()
        .map(|(i, l)| {
            let detail = if i < 2 { "label (every scraped series has it)" } else { "label (the stack's queries match on it)" };
            let c = Completion::new(l.clone(), CompletionKind::Field).detail(detail.to_string());
            if matcher { c.snippet(format!("{l}=\"$0\"")) } else { c }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::db::{Database, SourceFile};
    use crate::ide::completion;

    fn labels_at(files: &[(&str, &str)]) -> Vec<String> {
        let off = files[0].1.find('‸').unwrap();
        let first = files[0].1.replacen('‸', "", 1);
        let mut all: Vec<(&str, &str)> = files.to_vec();
        all[0].1 = &first;
        let mut db = Database::default();
        let fs: Vec<SourceFile> = all.iter().map(|(p, t)| db.set_file(std::path::Path::new(p), t.to_string())).collect();
        completion::completion(&db, fs[0], off as u32, &fs).items.into_iter().map(|it| it.label).collect()
    }

    #[test]
    fn promql_literals_complete_promql() {
        let d = |q: &str| format!("dashboard d {{ timeseries \"t\" {{ query = promql`{q}` }} }}\nalert A {{ expr = promql`http_requests_total{{code=\"500\", route=\"/\"}} > 0` }}");
        let cases: Vec<(String, &[&str], &[&str])> = vec![
            (d("‸"), &["rate", "histogram_quantile", "sum", "topk", "http_requests_total"], &["by", "job"]),
            (d("sum(ra‸"), &["rate"], &[]),
            (d("rate(x[5m]) / ‸"), &["rate", "http_requests_total"], &[]),
            (d("up{‸"), &["job", "instance", "code", "route"], &["rate"]),
            (d("up{job=\"x\", ‸"), &["instance"], &[]),
            (d("sum by (‸) (up)"), &["job", "code"], &["rate"]),
            (d("up{job=\"x\"} ‸"), &["and", "or", "unless", "offset", "bool", "on"], &["rate"]),
            (d("rate(up[5m]) ‸"), &["offset", "and"], &[]),
        ];
        for (i, (src, want, not)) in cases.iter().enumerate() {
            let got = labels_at(&[("/t/pq.gstack", src)]);
            for w in *want {
                assert!(got.iter().any(|g| g == w), "case {i} {src}: {w:?} not in {got:?}");
            }
            for n in *not {
                assert!(!got.iter().any(|g| g == n), "case {i} {src}: {n:?} in {got:?}");
            }
        }
        // nothing in a matcher's value, in a string, in a range
        for q in ["up{job=\"‸\"}", "label_replace(up, \"‸", "rate(up[‸"] {
            assert_eq!(labels_at(&[("/t/pq.gstack", &d(q))]), Vec::<String>::new(), "{q}");
        }
    }
}
