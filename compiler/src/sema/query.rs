//! Query text utilities, independent of the checker: Grafana's variables in query text
//! ([`grafana_vars`], [`substitute_grafana_vars`]), the one Prometheus duration grammar
//! ([`prometheus_duration`]), range and bracket checks ([`find_bad_range`], [`unitless_range`],
//! [`balance`]) and the PromQL check of imported expressions ([`promql_problem`]).
//!
//! Positions are byte offsets into the query text; every rewrite here keeps them.

/// `$var`, `${var}`, `${var:fmt}` and `[[var]]` in a query, excluding Grafana's `$__` globals.
/// Returns (byte offset of `$`/`[[`, name).
pub fn grafana_vars(text: &str) -> Vec<(usize, String)> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = i;
            let mut j = i + 1;
            let braced = j < b.len() && b[j] == b'{';
            if braced {
                j += 1;
            }
            let ns = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            let name = &text[ns..j];
            if !name.is_empty() && !name.starts_with("__") && !name.chars().next().unwrap().is_ascii_digit() {
                out.push((start, name.to_string()));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// `text` with the inside of every quoted string blanked out (byte offsets kept).
pub fn mask_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q != '`' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    out.push(c);
                    continue;
                }
                out.extend(std::iter::repeat(' ').take(c.len_utf8()));
            }
            None => {
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// A range selector whose duration is a bare number (`[10]`, `[30:10]`): (offset, length).
/// String literals and `#` comments are skipped, so regex classes like `"[a-z]"` are not ranges.
pub fn unitless_range(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && q != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'[' => {
                let close = text[i..].find(']')? + i;
                let inner = &text[i + 1..close];
                let bare = |p: &str| {
                    let p = p.trim();
                    !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.')
                };
                if inner.split(':').any(bare) {
                    return Some((i, close + 1 - i));
                }
                i = close;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// [`unitless_range`] as a message, for imported PromQL.
pub fn unitless_range_problem(text: &str) -> Option<String> {
    unitless_range(text).map(|(off, len)| format!("range `{}` has no unit", &text[off..off + len]))
}

/// A range selector `[…]` whose duration Prometheus rejects: (offset, length).
pub fn find_bad_range(text: &str) -> Option<(usize, usize)> {
    // brackets inside label values (`=~"[a-z]+"`) are regex classes, not ranges
    let masked = mask_strings(text);
    let text = masked.as_str();
    let mut i = 0;
    while let Some(p) = text[i..].find('[') {
        let start = i + p;
        // an unclosed `[` is the bracket balance check's to report
        let Some(e) = text[start..].find(']') else { return None };
        let inner = &text[start + 1..start + e];
        // each side of `[range:step]` is a Prometheus duration (one grammar: [`prometheus_duration`]);
        // a bare number is [`unitless_range`]'s to report
        let ok = inner.split(':').all(|part| part.is_empty() || part.starts_with('$') || (part.bytes().any(|b| b.is_ascii_alphabetic()) && prometheus_duration(part)));
        if !ok {
            return Some((start, e + 1));
        }
        i = start + e + 1;
    }
    None
}

pub fn promql_hint(text: &str) -> Option<String> {
    if let Some((off, len)) = find_bad_range(text) {
        let inner = text.get(off + 1..off + len - 1).unwrap_or_default();
        if inner.contains("min") {
            return Some("PromQL durations use `m` for minutes: `[10m]`".into());
        }
        if inner.chars().all(|c| c.is_ascii_digit()) {
            return Some(format!("a range needs a unit: `[{inner}m]` or `[{inner}s]`"));
        }
        return Some("durations take units ms, s, m, h, d, w, y".into());
    }
    if let Some((_, m)) = balance(text) {
        return Some(m);
    }
    None
}

/// Check brackets and quotes balance; returns (offset, message) of the first problem.
pub fn balance(text: &str) -> Option<(usize, String)> {
    let mut stack: Vec<(char, usize)> = vec![];
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '`' | '\'' => {
                let q = c;
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' && q != '`' {
                        chars.next();
                        continue;
                    }
                    if d == q {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Some((i, format!("unclosed `{q}`")));
                }
            }
            '(' | '[' | '{' => stack.push((c, i)),
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match stack.pop() {
                    Some((o, _)) if o == want => {}
                    Some((o, oi)) => {
                        // point at the opener: the `}` it needs is what is missing
                        let close = match o {
                            '(' => ')',
                            '[' => ']',
                            _ => '}',
                        };
                        return Some((oi, format!("unclosed `{o}`: a `{c}` comes before its `{close}`")));
                    }
                    None => return Some((i, format!("unmatched `{c}`"))),
                }
            }
            _ => {}
        }
    }
    stack.pop().map(|(o, i)| (i, format!("unclosed `{o}`")))
}

// ---- Grafana variables -----------------------------------------------------------------------

/// What encloses a position of a PromQL text.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Paren,
    /// `by (…)`, `without (…)`, `on (…)`, `ignoring (…)`, `group_left (…)`, `group_right (…)`
    Grouping,
    Brace,
    Bracket,
}

/// `expr` with Grafana's variables (`$var`, `${var}`, `${var:fmt}`, `[[var]]`, the `$__`
/// globals) replaced by text PromQL accepts, each exactly as wide as the variable so every
/// byte position stays where it was: a duration inside `[…]` and after `offset` (`0…01m`), a
/// label name inside grouping parentheses, a number after `@` and for the `…_ms`/`…_s`
/// globals, otherwise an identifier `v<name>_…` (or, with `numbers`, the number 1). Quoted
/// strings are left alone: a variable there is part of a label value or regex. This is the
/// one substitution of gstack: for `promql` and `logql` literals and for imported dashboards
/// alike (LogQL reads the same placeholders: durations in `[…]` and after `offset`, label names
/// in `by (…)`, identifiers or numbers elsewhere, strings untouched).
pub fn substitute_grafana_vars(expr: &str, numbers: bool) -> String {
    let b = expr.as_bytes();
    let mut out = String::with_capacity(expr.len());
    let mut stack: Vec<Open> = vec![];
    let mut i = 0;
    let prev_word = |out: &str| -> String {
        let t = out.trim_end();
        let w: String = t.chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        w.chars().rev().collect::<String>().to_ascii_lowercase()
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' | b'\'' | b'`' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != c {
                    if b[i] == b'\\' && c != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                out.push_str(&expr[start..i]);
                continue;
            }
            b'#' => {
                let end = expr[i..].find('\n').map_or(b.len(), |e| i + e);
                out.push_str(&expr[i..end]);
                i = end;
                continue;
            }
            _ => {}
        }
        // a variable: `[[name]]`, `${…}`, `$name`
        let legacy = |j: usize| -> Option<(usize, String)> {
            let e = expr[j..].find("]]")?;
            let inner = &expr[j..j + e];
            let name = inner.split(':').next()?;
            let ok = !name.is_empty() && name.bytes().all(|x| x.is_ascii_alphanumeric() || x == b'_');
            ok.then(|| (j + e + 2, name.to_string()))
        };
        let var: Option<(usize, String)> = if c == b'[' && b.get(i + 1) == Some(&b'[') && legacy(i + 2).is_some() {
            legacy(i + 2)
        } else if c == b'$' && b.get(i + 1) == Some(&b'{') {
            expr[i + 2..].find('}').map(|e| (i + 2 + e + 1, expr[i + 2..i + 2 + e].split([':', '.']).next().unwrap_or("").to_string()))
        } else if c == b'$' {
            let n = expr[i + 1..].bytes().take_while(|x| x.is_ascii_alphanumeric() || *x == b'_').count();
            (n > 0).then(|| (i + 1 + n, expr[i + 1..i + 1 + n].to_string()))
        } else {
            None
        };
        if let Some((end, name)) = var {
            let before = out.trim_end();
            // every replacement is exactly as wide as the variable, so positions stay right
            let w = end - i;
            let number = || format!("1{}", " ".repeat(w - 1));
            let ident = || {
                let mut id: String = std::iter::once('v')
                    .chain(name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }))
                    .take(w)
                    .collect();
                while id.len() < w {
                    id.push('_');
                }
                id
            };
            let rep = if stack.last() == Some(&Open::Bracket) || prev_word(&out) == "offset" {
                // `0…01m`: one minute, padded with zeros
                format!("{}1m", "0".repeat(w.saturating_sub(2)))
            } else if before.ends_with('@') || name.ends_with("_ms") || name.ends_with("_s") {
                number()
            } else if stack.last() == Some(&Open::Grouping) {
                ident()
            } else if numbers || name.starts_with("__") {
                number()
            } else {
                ident()
            };
            out.push_str(&rep);
            i = end;
            continue;
        }
        match c {
            b'(' => {
                let w = prev_word(&out);
                let g = ["by", "without", "on", "ignoring", "group_left", "group_right"].contains(&w.as_str());
                stack.push(if g { Open::Grouping } else { Open::Paren });
            }
            b'{' => stack.push(Open::Brace),
            b'[' => stack.push(Open::Bracket),
            b')' | b'}' | b']' => {
                stack.pop();
            }
            _ => {}
        }
        let ch = expr[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The longest PromQL query gstack parses: 16 KiB. The `promql-parser` crate's parser takes
/// time quadratic in the query's length (issue #14: `a + a + … + a` with 8,000 terms takes
/// 0.5 s, 32,000 terms 9 s, 100,000 more than a minute), so a longer query is E0403, not
/// parsed (16 KiB: at most ~0.5 s). gstack's own work on a query (variable substitution,
/// bracket and range checks, span mapping) is linear.
pub const MAX_PROMQL_BYTES: usize = 16 << 10;

/// The message of E0403 for a query of `len` bytes.
pub fn promql_too_long(len: usize) -> String {
    format!("PromQL query of {len} bytes, more than the limit of {} KiB (not parsed)", MAX_PROMQL_BYTES >> 10)
}

/// The compiler's PromQL check (the `promql-parser` crate, as for `promql` literals) on the
/// text of an imported expression — with Grafana's variables substituted first when `grafana`
/// (dashboards; rule files are plain PromQL): `None` if it parses, else what is wrong.
pub fn promql_problem(expr: &str, grafana: bool) -> Option<String> {
    if expr.len() > MAX_PROMQL_BYTES {
        return Some(promql_too_long(expr.len()));
    }
    let text = if grafana { substitute_grafana_vars(expr, false) } else { expr.to_string() };
    let first = match promql_parser::parser::parse(&text) {
        Ok(_) => return unitless_range_problem(expr),
        Err(e) => e,
    };
    if grafana && promql_parser::parser::parse(&substitute_grafana_vars(expr, true)).is_ok() {
        return unitless_range_problem(expr);
    }
    if let Some((_, what)) = balance(expr) {
        return Some(what);
    }
    let msg = first.trim().replace('\n', " ");
    Some(if msg.is_empty() { "the PromQL parser rejects it".to_string() } else { msg })
}

/// Every vector selector of a PromQL text (Grafana's variables substituted first), in order
/// of appearance; `None` when the text does not parse.
fn selectors(expr: &str) -> Option<Vec<promql_parser::parser::VectorSelector>> {
    use promql_parser::parser::Expr;
    fn walk(e: &Expr, out: &mut Vec<promql_parser::parser::VectorSelector>) {
        match e {
            Expr::VectorSelector(vs) => out.push(vs.clone()),
            Expr::MatrixSelector(ms) => out.push(ms.vs.clone()),
            Expr::Aggregate(a) => {
                walk(&a.expr, out);
                if let Some(p) = &a.param {
                    walk(p, out);
                }
            }
            Expr::Unary(u) => walk(&u.expr, out),
            Expr::Binary(b) => {
                walk(&b.lhs, out);
                walk(&b.rhs, out);
            }
            Expr::Paren(p) => walk(&p.expr, out),
            Expr::Subquery(s) => walk(&s.expr, out),
            Expr::Call(c) => c.args.args.iter().for_each(|a| walk(a, out)),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
        }
    }
    let text = substitute_grafana_vars(expr, false);
    let e = promql_parser::parser::parse(&text).or_else(|_| promql_parser::parser::parse(&substitute_grafana_vars(expr, true))).ok()?;
    let mut out = vec![];
    walk(&e, &mut out);
    Some(out)
}

/// The metric names a PromQL text selects (Grafana's variables substituted first), each once,
/// in order of appearance: every vector selector's name, or its `__name__="…"` matcher. `None`
/// when the text does not parse. The live tests compare them with each program's `/metrics`.
pub fn metric_names(expr: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = vec![];
    for vs in selectors(expr)? {
        let name = vs.name.clone().or_else(|| {
            vs.matchers.matchers.iter().find(|m| m.name == "__name__" && m.op == promql_parser::label::MatchOp::Equal).map(|m| m.value.clone())
        });
        if let Some(n) = name.filter(|n| !out.contains(n)) {
            out.push(n);
        }
    }
    Some(out)
}

/// The label names a PromQL text's selectors match on (not `__name__`), each once, in order
/// of appearance; `None` when the text does not parse. Completion offers them.
pub fn matcher_labels(expr: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = vec![];
    for vs in selectors(expr)? {
        for m in vs.matchers.matchers.iter().chain(vs.matchers.or_matchers.iter().flatten()) {
            if m.name != "__name__" && !out.contains(&m.name) {
                out.push(m.name.clone());
            }
        }
    }
    Some(out)
}

// ---- error recovery of the LogQL and TraceQL parsers ----------------------------------------

/// The most errors reported for one LogQL or TraceQL query: parsing stops at this many.
pub const MAX_QUERY_ERRORS: usize = 10;

/// What a token is to [`nesting`].
pub(crate) enum Bracket {
    Open { paren: bool },
    Close { paren: bool },
    Other,
}

/// For each token, the number of brackets (`(`, `{`) open before it. A closing bracket closes
/// the last one of its kind still open, and those opened after it (left unclosed): in
/// `sum(rate({a="b" [5m]))` the first `)` closes `{` and `rate(`, the second `sum(`. One
/// with nothing of its kind open closes nothing.
pub(crate) fn nesting(toks: impl Iterator<Item = Bracket>) -> Vec<i32> {
    let mut out = Vec::new();
    // the open brackets (`true` for a parenthesis), and how many of each are open
    let (mut open, mut parens, mut braces) = (Vec::new(), 0, 0);
    for t in toks {
        out.push(open.len() as i32);
        let paren = match t {
            Bracket::Open { paren: p } => {
                open.push(p);
                *(if p { &mut parens } else { &mut braces }) += 1;
                continue;
            }
            Bracket::Close { paren } => paren,
            Bracket::Other => continue,
        };
        if (if paren { parens } else { braces }) == 0 {
            continue;
        }
        while let Some(p) = open.pop() {
            *(if p { &mut parens } else { &mut braces }) -= 1;
            if p == paren {
                break;
            }
        }
    }
    out
}

// ---- durations ------------------------------------------------------------------------------

/// A Prometheus duration (`model.ParseDuration`): units y w d h m s ms in that order, or `0`.
pub fn prometheus_duration(s: &str) -> bool {
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let units = ["y", "w", "d", "h", "m", "s", "ms"];
    let mut rest = s;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &rest[n..];
        // the longest unit that matches (`ms` before `m`)
        let u = units
            .iter()
            .enumerate()
            .filter(|(_, u)| rest.starts_with(**u))
            .max_by_key(|(_, u)| u.len())
            .map(|(i, u)| (i, u.len()));
        match u {
            Some((idx, len)) if idx >= next_unit => {
                rest = &rest[len..];
                next_unit = idx + 1;
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_are_the_selected_series() {
        let m = |t: &str| metric_names(t).unwrap();
        assert_eq!(m("sum by (job) (rate(a_total[$__rate_interval])) / on(job) b"), ["a_total", "b"]);
        assert_eq!(m(r#"histogram_quantile(0.99, sum by (le) (rate(x_bucket{job="loki"}[5m]))) > 2 * x_bucket"#), ["x_bucket"]);
        assert_eq!(m(r#"{__name__="up", job="x"} or absent(nope) or vector(1) or max_over_time(y[5m:1m])"#), ["up", "nope", "y"]);
        assert_eq!(m(r#"topk($k, z)"#), ["z"]);
        assert_eq!(metric_names("sum("), None);
    }

    #[test]
    fn grafana_variables_are_substituted_before_parsing() {
        for ok in [
            "sum(rate(x{job=\"$job\"}[$__rate_interval])) by ($label)",
            "rate(x[$interval])",
            "rate(x[${__interval}]) / $__range_s",
            "topk($n, x)",
            "x offset $shift",
            "histogram_quantile(0.9, sum by (le) (rate(x[5m:$__interval])))",
            "x > ($latency_metrics * -Inf)",
            "rate(x[[[interval]]])",
        ] {
            assert_eq!(promql_problem(ok, true), None, "{ok}");
        }
        assert!(promql_problem("sum(rate(x[5m])", true).is_some());
        assert!(promql_problem("rate(x[10])", true).is_some());
        assert!(promql_problem("rate(x[$i])", false).is_some());
    }

    #[test]
    fn durations() {
        for ok in ["0", "5m", "1h30m", "1d", "100ms", "1y2w3d4h5m6s7ms"] {
            assert!(prometheus_duration(ok), "{ok}");
        }
        for bad in ["", "10min", "5", "m", "1m1h", "-1m", "1.5m"] {
            assert!(!prometheus_duration(bad), "{bad}");
        }
    }

    #[test]
    fn substitution_keeps_every_position() {
        for q in [
            "sum(rate(x{job=\"$job\"}[$__rate_interval])) by ($label)",
            "rate(x[${__interval}]) / $__range_s + $__interval_ms",
            "topk($k, x) offset $shift",
            "rate(x[[[interval]]]) @ $t",
            "${metric:raw}{a=\"b\"}",
        ] {
            for numbers in [false, true] {
                let s = substitute_grafana_vars(q, numbers);
                assert_eq!(s.len(), q.len(), "{q} -> {s}");
                assert!(!mask_strings(&s).contains('$'), "{q} -> {s}");
            }
        }
        // a metric whose name ends in `v` before `{` is left alone (the old rewrite made it `…_recv_job="a"}`)
        assert_eq!(substitute_grafana_vars("x_recv{job=\"a\"}", false), "x_recv{job=\"a\"}");
    }

    #[test]
    fn ranges_use_the_one_duration_grammar() {
        assert_eq!(find_bad_range("rate(x[1h30m])"), None);
        assert_eq!(find_bad_range("rate(x[5m:30s])"), None);
        // Prometheus wants units largest first
        assert!(find_bad_range("rate(x[1m1h])").is_some());
        assert!(find_bad_range("rate(x[10min])").is_some());
    }
}
