//! PromQL and Grafana variables in query text: the memoised PromQL parse, deferred regex
//! matchers, error positions and hints, the Grafana-variable placeholders, bracket balance;
//! LogQL literals go to the LogQL parser ([`crate::sema::logql`]).

use super::*;


/// A PromQL text as the checker parses it (Grafana variables already replaced), interned so
/// that parsing is memoised by text: after an edit, a query whose text did not change is not
/// parsed again, wherever it moved.
#[salsa::interned]
pub(super) struct PromqlText<'db> {
    #[returns(ref)]
    text: String,
}

/// `promql_parser::parser::parse`'s error message for a PromQL text (`None` when it parses).
#[salsa::tracked(returns(ref))]
pub(super) fn promql_parse_error<'db>(db: &'db dyn Db, q: PromqlText<'db>) -> Option<String> {
    promql_parser::parser::parse(&defer_regexes(db, q.text(db))).err()
}

/// The regex of a PromQL `=~` / `!~` matcher, interned: compiled once per distinct regex.
#[salsa::interned]
pub(super) struct PromqlRegex<'db> {
    #[returns(ref)]
    text: String,
}

/// Whether a matcher regex matches the empty string, compiled as `promql_parser` compiles it
/// (fully anchored: `^(?:re)$`, the `regex` crate); `None` when it does not compile that way.
#[salsa::tracked(returns(copy))]
pub(super) fn promql_regex_matches_empty<'db>(db: &'db dyn Db, r: PromqlRegex<'db>) -> Option<bool> {
    regex::Regex::new(&format!("^(?:{})$", r.text(db))).ok().map(|re| re.is_match(""))
}

/// `text` with every regex matcher (`l=~"re"`, `l!~"re"`) whose regex compiles turned into an
/// equality matcher of the same width (`l= "re"` / `l!="re"`; `l= ""` padded with spaces when
/// `re` matches the empty string), so `promql_parser` does not compile a regex per matcher:
/// regexes are compiled once each by [`promql_regex_matches_empty`]. The parser's checks stay
/// the same: positions do not move, and a selector still has a matcher that does not match
/// the empty string exactly when it had one. Matchers it cannot judge (escapes in the regex,
/// `__name__`, single quotes or backticks, a regex that does not compile) are left as written,
/// for `promql_parser` to compile and report; so is `=~` outside a selector's braces (an
/// error the parser names), and so is any text with a `#` (a comment can hide quotes).
pub(super) fn defer_regexes(db: &dyn Db, text: &str) -> String {
    if !text.contains('~') || text.contains('#') {
        return text.to_string();
    }
    let masked = mask_strings(text);
    let mb = masked.as_bytes();
    let mut out = text.as_bytes().to_vec();
    // `{` … `}` nesting outside strings: matchers live inside a selector's braces
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < mb.len() {
        match mb[i] {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 || !((mb[i] == b'=' || mb[i] == b'!') && mb[i + 1] == b'~') {
            i += 1;
            continue;
        }
        let mut k = i;
        while k > 0 && mb[k - 1].is_ascii_whitespace() {
            k -= 1;
        }
        let name_end = k;
        while k > 0 && (mb[k - 1].is_ascii_alphanumeric() || mb[k - 1] == b'_') {
            k -= 1;
        }
        let name = &masked[k..name_end];
        let mut j = i + 2;
        while j < mb.len() && mb[j].is_ascii_whitespace() {
            j += 1;
        }
        if name.is_empty() || name == "__name__" || mb.get(j) != Some(&b'"') {
            i += 2;
            continue;
        }
        let Some(close) = masked[j + 1..].find('"').map(|c| j + 1 + c) else { break };
        let re = &text[j + 1..close];
        if !re.contains('\\') {
            if let Some(empty) = promql_regex_matches_empty(db, PromqlRegex::new(db, re.to_string())) {
                out[i + 1] = if mb[i] == b'=' { b' ' } else { b'=' };
                if empty {
                    out[j + 1] = b'"';
                    out[j + 2..=close].iter_mut().for_each(|b| *b = b' ');
                }
            }
        }
        i = close + 1;
    }
    // only ASCII was written, over whole UTF-8 sequences (a regex's bytes are all replaced)
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

impl<'a> Checker<'a> {
    /// Check a query literal's syntax (PromQL with `promql-parser`, LogQL with [`crate::sema::logql`], TraceQL with [`crate::sema::traceql`]).
    pub(super) fn check_query(&mut self, q: &QueryVal, loc: Loc) {
        match q.lang {
            QueryLang::Promql if q.text.len() > crate::sema::query::MAX_PROMQL_BYTES => {
                // the parser is quadratic in the query's length: a bound, as for files
                let d = self.error("E0403", loc, crate::sema::query::promql_too_long(q.text.len()));
                d.hint = Some("split the query: a recording rule (or a `let` per part) for each piece, combined in a short query".into());
            }
            QueryLang::Promql => {
                // Grafana variables ($var, ${var}, $__interval) are not PromQL: substitute
                // something of the same length that parses, so positions stay right; a
                // variable that only parses as a number (`topk($k, …)`) is tried as one
                let text = substitute_grafana_vars(&q.text, false);
                let error = promql_parse_error(self.db, PromqlText::new(self.db, text)).as_ref().filter(|_| {
                    let numbers = substitute_grafana_vars(&q.text, true);
                    promql_parse_error(self.db, PromqlText::new(self.db, numbers)).is_some()
                });
                if error.is_none() {
                    self.gather_jobs(q, loc);
                }
                if let Some(msg) = error {
                    let (span, detail, hint) = promql_error(msg, q, loc);
                    let d = self.error("E0400", Loc { file: loc.file, span }, format!("invalid PromQL: {}", detail.trim()));
                    d.hint = hint;
                } else if let Some((off, len)) = unitless_range(&q.text) {
                    // the parser takes `[10]` as seconds; gstack asks for the unit, as it
                    // does for its own durations, so `[10]` meant as minutes is caught
                    let inner = q.text[off + 1..off + len - 1].trim().to_string();
                    let span = q.span_of(off).map(|s| Span { start: s.start, end: s.start + len as u32 }).unwrap_or(loc.span);
                    let d = self.error("E0400", Loc { file: loc.file, span }, format!("PromQL range `[{inner}]` has no unit"));
                    d.hint = Some(format!("write `[{inner}s]` or `[{inner}m]`: durations in gstack always carry their unit"));
                }
            }
            QueryLang::Logql => {
                // the LogQL parser (Grafana variables substituted first, positions kept): one
                // E0401 per error it recovers from
                let errors = crate::sema::logql::check_all(&q.text);
                if errors.is_empty() {
                    self.gather_stream_labels(q, loc);
                }
                for e in errors {
                    let span = query_span(q, e.offset, e.len).unwrap_or(loc.span);
                    let d = self.error("E0401", Loc { file: loc.file, span }, format!("invalid LogQL: {}", e.message));
                    d.hint = e.hint;
                }
            }
            QueryLang::Traceql => {
                // the TraceQL parser (Tempo 2.9's grammar), Grafana variables substituted: one
                // E0402 per error
                for e in crate::sema::traceql::check_all(&q.text).err().unwrap_or_default() {
                    let span = query_span(q, e.offset, e.len).unwrap_or(loc.span);
                    self.error("E0402", Loc { file: loc.file, span }, format!("invalid TraceQL: {}", e.message)).hint = e.hint;
                }
            }
            QueryLang::Sql => {}
        }
    }

}


/// The source span of `len` bytes at byte `off` of a query's text (at least one character
/// wide, clamped to the literal piece the offset lies in).
pub(super) fn query_span(q: &QueryVal, off: usize, len: usize) -> Option<Span> {
    let mut s = q.span_of(off)?;
    if s.end <= s.start {
        // at the end of the text: the character before
        s.start = s.start.saturating_sub(1);
    }
    let end = if len > 1 { q.span_of(off + len - 1).map_or(s.end, |e| e.end.max(s.end)) } else { s.end };
    Some(Span { start: s.start, end })
}

/// Where and what a PromQL parse error is: (span, message, hint).
pub(super) fn promql_error(msg: &str, q: &QueryVal, loc: Loc) -> (Span, String, Option<String>) {
    // promql-parser reports no positions; point at the first plausible culprit.
    if let Some(p) = find_bad_range(&q.text) {
        if let Some(s) = q.span_of(p.0) {
            let range = &q.text[p.0..p.0 + p.1];
            return (Span { start: s.start, end: s.start + p.1 as u32 }, format!("range `{range}` is not a duration"), promql_hint(&q.text));
        }
    }
    // an unbalanced bracket explains the parser's complaint better than its own words
    if let Some((off, what)) = balance(&q.text) {
        if let Some(s) = q.span_of(off) {
            return (s, what, Some(format!("the PromQL parser reports: {}", msg.trim())));
        }
    }
    (loc.span, msg.to_string(), promql_hint(&q.text))
}



#[cfg(test)]
mod defer_regexes_tests {
    use super::*;
    use std::path::Path;

    /// PromQL texts: edge cases, then every query of the public dashboards and rule files in
    /// `../shared/data` (Grafana variables replaced as the checker does).
    fn corpus() -> Vec<String> {
        let mut out: Vec<String> = [
            r#"up{job=~".*"}"#,
            r#"up{job=~".+"}"#,
            r#"{job=~".*"}"#,
            r#"{job=~".+"}"#,
            r#"{job!~".*"}"#,
            r#"{job!~".+"}"#,
            r#"{job=~""}"#,
            r#"{job!~""}"#,
            r#"{job=~"("}"#,
            r#"{job=~"a{1"}"#,
            r#"{job=~"abc{def}"}"#,
            r#"{__name__=~"up|down"}"#,
            r#"up{__name__=~"x"}"#,
            r#"up{job =~ "a|b", env!~"dev"}"#,
            r#"up{job=~'a.*'}"#,
            r#"up{job=~`a.*`}"#,
            r#"up{job=~"\\d+"}"#,
            r#"up{job=~"é.*"}"#,
            r#"label_replace(up, "x", "=~", "job", "(.*)")"#,
            r#"sum(rate(x{a=~"b"}[5m])) / sum(rate(x{a!~"c", d=~".*"}[5m]))"#,
            r#"up{job=~"a"} and on() vector(1)"#,
            r#"up{job=~"a""#,
            r#"up{job=~"#,
            // `=~` outside a selector: the parser's own error must stay
            r#"up=~"a""#,
            r#"up !~ "a""#,
            r#"up!~".*""#,
            r#"sum by (job=~"a") (up)"#,
            r#"up{a=~"x"} and on(a=~"b") up"#,
            r#"up{a=~"x"} and ignoring(b!~"c") up"#,
            r#"up > bool=~"a""#,
            r#"up offset 5m=~"a""#,
            r#"sum(rate(http_requests_total job=~"api"}[5m])) > 1"#,
            // comments can hide quotes
            "# \"\nlabel_replace(up, \"a=~\", # |\"\n  \"b\", \"c\", \"d\") == 0",
            "up{job=\"a\"} # the \"job\n* on(job) group_left label_replace(up, \"a=~\", #|\"\n\"$1\", \"src\", \"(.*)\")",
            "# \"\nup{__name__=\"a=~\", job=\"b\"}",
            "up{job=~\"a\"} # a comment\n",
            r#"{a=~"x", b=~"y{2}"}"#,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
        let mut files = vec![];
        let mut dirs = vec![data];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    files.push(p);
                }
            }
        }
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else { continue };
            if f.extension().is_some_and(|x| x == "json") {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    let mut stack = vec![&v];
                    while let Some(v) = stack.pop() {
                        match v {
                            serde_json::Value::Object(m) => {
                                if let Some(serde_json::Value::String(e)) = m.get("expr") {
                                    out.push(substitute_grafana_vars(e, false));
                                }
                                stack.extend(m.values());
                            }
                            serde_json::Value::Array(a) => stack.extend(a.iter()),
                            _ => {}
                        }
                    }
                }
            } else if f.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                if let Ok(v) = serde_norway::from_str::<serde_json::Value>(&text) {
                    for g in v["groups"].as_array().into_iter().flatten() {
                        for r in g["rules"].as_array().into_iter().flatten() {
                            if let Some(e) = r["expr"].as_str() {
                                out.push(e.to_string());
                            }
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn deferring_regexes_keeps_every_verdict_and_message() {
        let db = crate::db::Database::default();
        let texts = corpus();
        assert!(texts.len() > 200, "the shared data was not found: only {} queries", texts.len());
        let mut rewritten = 0;
        for t in &texts {
            let d = defer_regexes(&db, t);
            assert_eq!(d.len(), t.len(), "{t}: width changed");
            if d != *t {
                rewritten += 1;
            }
            let (a, b) = (promql_parser::parser::parse(t).err(), promql_parser::parser::parse(&d).err());
            assert_eq!(a, b, "{t}\n  rewritten as {d}");
        }
        assert!(rewritten > 50, "only {rewritten} queries had a regex rewritten");
    }
}
