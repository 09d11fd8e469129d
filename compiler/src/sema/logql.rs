//! A LogQL parser: a hand-written lexer and recursive-descent parser for the LogQL of Loki
//! 3.5, the version the stack renders. It follows the structure of Loki's yacc grammar
//! (`pkg/logql/syntax/expr.y`), its lexer (`pkg/logql/syntax/lex.go`: keywords are
//! case-insensitive, a function name is a function only before `(` or `by`/`without (`,
//! durations are Prometheus's or Go's, byte sizes humanize's, ranges Prometheus durations),
//! and the checks Loki makes while parsing (`pkg/logql/syntax/parser.go`, `ast.go`: a
//! selector needs a matcher that does not match the empty string, which range aggregations
//! take `unwrap`, a parameter or a grouping, `sort` has no grouping). The docs it was
//! checked against: `docs/sources/query/log_queries/_index.md`, `metric_queries.md`.
//! No Loki code is used: this is written from the grammar's structure.
//!
//! [`parse`] gives the first error as a [`LogqlError`] (byte offsets into the text) with a
//! hint where the fix is known; [`check`] is what the checker runs on a `logql` literal
//! (Grafana variables substituted with [`substitute_grafana_vars`], then [`parse`], then the
//! lints of [`lint`]: queries Loki accepts that cannot be meant, like `|= ""`).
//!
//! The parser takes time linear in the text's length, and nesting deeper than [`MAX_DEPTH`]
//! is an error, not a stack overflow.

use crate::diag::did_you_mean;
use crate::sema::query::{prometheus_duration, substitute_grafana_vars};

/// The deepest nesting of parentheses and function calls the parser follows.
pub const MAX_DEPTH: usize = 100;

/// A LogQL syntax error: `len` bytes at byte `offset` of the query text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogqlError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// What a query's top expression is: lines (a log query) or samples (a metric query).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Log,
    Metric,
}

/// A label matcher's or string label filter's operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    Eq,
    Neq,
    Re,
    Nre,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
}

/// `{name="value", …}`; `offset`/`len` cover the braces.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    pub matchers: Vec<Matcher>,
    pub offset: usize,
    pub len: usize,
}

/// One alternative of a line filter: a string or `ip("…")`; `offset`/`len` are the string's.
#[derive(Clone, Debug, PartialEq)]
pub struct LineMatch {
    pub value: String,
    pub ip: bool,
    pub offset: usize,
    pub len: usize,
}

/// What a number-like label filter compares with.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterValue {
    Number(f64),
    Duration(String),
    Bytes(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum LabelFilter {
    Str(Matcher),
    Ip { name: String, negated: bool, cidr: String },
    /// `name op value` with op one of `= != == > >= < <=`.
    Cmp { name: String, op: String, value: FilterValue },
    And(Box<LabelFilter>, Box<LabelFilter>),
    Or(Box<LabelFilter>, Box<LabelFilter>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    /// `|= "a" or "b"`, `!~ "re"`, `|> "<_> pattern"`…: the operator and its alternatives.
    LineFilter { op: String, matches: Vec<LineMatch> },
    /// `json`, `logfmt` (with its flags), `regexp "…"`, `pattern "…"`, `unpack`, with the
    /// `label="expression"` parameters of `json` and `logfmt`.
    Parser { name: String, arg: Option<String>, flags: Vec<String>, params: Vec<(String, Option<String>)> },
    LabelFilter(LabelFilter),
    LineFormat(String),
    /// `label_format dst="{{template}}", dst=src`: (destination, template or source, is a template).
    LabelFormat(Vec<(String, String, bool)>),
    Drop(Vec<(String, Option<Matcher>)>),
    Keep(Vec<(String, Option<Matcher>)>),
    Decolorize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogQuery {
    pub selector: Selector,
    pub stages: Vec<Stage>,
}

/// `| unwrap label`, `| unwrap duration(label)`, then label filters.
#[derive(Clone, Debug, PartialEq)]
pub struct Unwrap {
    pub label: String,
    pub conversion: Option<String>,
    pub filters: Vec<LabelFilter>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Grouping {
    pub without: bool,
    pub labels: Vec<String>,
}

/// `on (…)` / `ignoring (…)` and `group_left (…)` / `group_right (…)` of a binary operator.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Matching {
    pub on: Option<(bool, Vec<String>)>,
    pub group: Option<(bool, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Log(LogQuery),
    Range { op: String, param: Option<f64>, query: LogQuery, range: String, offset: Option<String>, unwrap: Option<Unwrap>, grouping: Option<Grouping> },
    Vector { op: String, param: Option<f64>, grouping: Option<Grouping>, inner: Box<Expr> },
    Binary { op: String, bool_mod: bool, matching: Matching, lhs: Box<Expr>, rhs: Box<Expr> },
    Number(f64),
    VectorFn(f64),
    LabelReplace { inner: Box<Expr>, args: Vec<String> },
}

impl Expr {
    pub fn kind(&self) -> Kind {
        match self {
            Expr::Log(_) => Kind::Log,
            _ => Kind::Metric,
        }
    }

    /// Every log query of the expression (selector and pipeline), in order.
    pub fn log_queries(&self) -> Vec<&LogQuery> {
        let mut out = vec![];
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Log(q) | Expr::Range { query: q, .. } => out.push(q),
                Expr::Vector { inner, .. } | Expr::LabelReplace { inner, .. } => stack.push(inner),
                Expr::Binary { lhs, rhs, .. } => {
                    stack.push(rhs);
                    stack.push(lhs);
                }
                Expr::Number(_) | Expr::VectorFn(_) => {}
            }
        }
        out
    }

    /// The label names the stream selectors match on, in order, without repeats.
    pub fn stream_labels(&self) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for q in self.log_queries() {
            for m in &q.selector.matchers {
                if !out.contains(&m.name) {
                    out.push(m.name.clone());
                }
            }
        }
        out
    }
}

/// The range aggregations (`rangeOp` of the grammar).
pub const RANGE_FUNCTIONS: &[&str] = &[
    "rate",
    "rate_counter",
    "count_over_time",
    "bytes_rate",
    "bytes_over_time",
    "avg_over_time",
    "sum_over_time",
    "min_over_time",
    "max_over_time",
    "stdvar_over_time",
    "stddev_over_time",
    "quantile_over_time",
    "first_over_time",
    "last_over_time",
    "absent_over_time",
];

/// The vector aggregations (`vectorOp`).
pub const VECTOR_FUNCTIONS: &[&str] = &["sum", "avg", "min", "max", "stddev", "stdvar", "count", "topk", "bottomk", "approx_topk", "sort", "sort_desc"];

/// The stages after `|` that start with a keyword.
pub const STAGES: &[&str] = &["json", "logfmt", "regexp", "pattern", "unpack", "line_format", "label_format", "decolorize", "drop", "keep", "unwrap"];

/// Range aggregations that take a grouping (`avg_over_time(…) by (x)`), as Loki validates.
const RANGE_GROUPING: &[&str] = &["avg_over_time", "stddev_over_time", "stdvar_over_time", "quantile_over_time", "max_over_time", "min_over_time", "first_over_time", "last_over_time"];
/// Range aggregations that work on `unwrap`ped values.
const RANGE_UNWRAP: &[&str] = &[
    "avg_over_time",
    "sum_over_time",
    "max_over_time",
    "min_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "quantile_over_time",
    "rate",
    "rate_counter",
    "absent_over_time",
    "first_over_time",
    "last_over_time",
];
/// Range aggregations that work on lines (no `unwrap`).
const RANGE_LINES: &[&str] = &["bytes_over_time", "bytes_rate", "count_over_time", "rate", "absent_over_time"];

fn all_functions() -> impl Iterator<Item = &'static str> {
    RANGE_FUNCTIONS.iter().chain(VECTOR_FUNCTIONS).chain(&["label_replace", "vector"]).copied()
}

// ---- lexer ------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum T {
    Ident,
    Str,
    Num,
    Dur,
    Bytes,
    /// `[5m]`; its text is the duration inside.
    Range,
    /// `--strict`, `--keep-empty`
    Flag,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Eq,
    Neq,
    Re,
    Nre,
    /// `!>`
    Npa,
    PipeExact,
    PipeMatch,
    PipePattern,
    Pipe,
    CmpEq,
    Gt,
    Gte,
    Lt,
    Lte,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eof,
}

#[derive(Clone, Debug)]
struct Tok {
    t: T,
    start: usize,
    end: usize,
    /// A string's value (escapes decoded), a range's duration, else the token's text.
    s: String,
}

fn err(offset: usize, len: usize, message: impl Into<String>, hint: Option<String>) -> LogqlError {
    LogqlError { offset, len, message: message.into(), hint }
}

/// A Go `time.ParseDuration` duration: `[-+]?(number unit)+` with units ns us µs ms s m h.
fn go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let n = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let num = &rest[..n];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[n..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"].iter().filter(|u| rest.starts_with(**u)).max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// A duration as Loki's lexer reads one outside a range: Prometheus's, else Go's.
fn loki_duration(s: &str) -> bool {
    prometheus_duration(s.strip_prefix('-').unwrap_or(s)) || go_duration(s)
}

/// A byte size as `humanize.ParseBytes` reads one: a number and a unit like `B`, `KB`, `MiB`.
fn bytes_size(s: &str) -> bool {
    let n = s.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    if n == 0 || s[..n].matches('.').count() > 1 {
        return false;
    }
    let unit = s[n..].to_ascii_lowercase();
    ["b", "k", "kb", "ki", "kib", "m", "mb", "mi", "mib", "g", "gb", "gi", "gib", "t", "tb", "ti", "tib", "p", "pb", "pi", "pib"].contains(&unit.as_str())
}

fn is_duration_char(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || matches!(c, 'n' | 'u' | 'µ' | 'm' | 's' | 'h' | 'd' | 'w' | 'y')
}

fn is_bytes_char(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || matches!(c, 'B' | 'i' | 'k' | 'K' | 'M' | 'G' | 'T' | 'P')
}

/// The run of characters from `i` that satisfy `f`: its end.
fn run(text: &str, i: usize, f: fn(char) -> bool) -> usize {
    let mut e = i;
    for c in text[i..].chars() {
        if !f(c) {
            break;
        }
        e += c.len_utf8();
    }
    e
}

/// A `"…"` string at `i` (Go escapes) or a `` `…` `` raw string: (value, end).
fn lex_string(text: &str, i: usize) -> Result<(String, usize), LogqlError> {
    let b = text.as_bytes();
    let q = b[i];
    let mut out = String::new();
    let mut j = i + 1;
    let unterminated = |raw: bool| {
        let hint = if raw {
            "close the string with a backtick".to_string()
        } else {
            "close the string with `\"`; a `\"` inside a string is written `\\\"`, or put the text in backticks".to_string()
        };
        err(i, 1, format!("unterminated string: the `{}` here is not closed", q as char), Some(hint))
    };
    if q == b'`' {
        return match text[j..].find('`') {
            Some(e) => Ok((text[j..j + e].to_string(), j + e + 1)),
            None => Err(unterminated(true)),
        };
    }
    loop {
        let Some(c) = text[j..].chars().next() else { return Err(unterminated(false)) };
        match c {
            '"' => return Ok((out, j + 1)),
            '\n' => {
                return Err(err(i, 1, "unterminated string: a `\"…\"` string ends at the end of its line", Some("close it before the line ends, or use backticks for text over several lines".into())))
            }
            '\\' => {
                let Some(e) = text[j + 1..].chars().next() else { return Err(unterminated(false)) };
                let simple = match e {
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    'v' => Some('\u{b}'),
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    _ => None,
                };
                if let Some(s) = simple {
                    out.push(s);
                    j += 2;
                    continue;
                }
                let (digits, radix) = match e {
                    '0'..='7' => (3, 8),
                    'x' => (2, 16),
                    'u' => (4, 16),
                    'U' => (8, 16),
                    _ => (0, 0),
                };
                let start = if radix == 8 { j + 1 } else { j + 2 };
                let hex = text.get(start..start + digits).filter(|h| radix != 0 && h.chars().all(|c| c.is_digit(radix)));
                let value = hex.and_then(|h| u32::from_str_radix(h, radix).ok());
                let ch = match (radix, value) {
                    (0, _) => None,
                    (8, Some(v)) if v <= 255 => Some(char::from(v as u8)),
                    (16, Some(v)) if digits == 2 => Some(char::from(v as u8)),
                    (16, Some(v)) => char::from_u32(v),
                    _ => None,
                };
                match ch {
                    Some(c) => {
                        out.push(c);
                        j = start + digits;
                    }
                    None => {
                        let shown: String = text[j..].chars().take(if radix == 0 { 2 } else { 2 + digits }).collect();
                        let hint = if radix == 0 {
                            format!(
                                "a backslash in a `\"…\"` string starts an escape (Go's: \\n \\t \\\\ \\\" …); for a regex write `\\{e}` as `\\\\{e}`, or put the string in backticks: `` `…\\{e}…` ``"
                            )
                        } else {
                            "Go's escapes: \\NNN (octal, at most \\377), \\xHH, \\uHHHH, \\UHHHHHHHH".to_string()
                        };
                        let what = if radix == 0 { "unknown escape" } else { "invalid escape" };
                        return Err(err(j, shown.len(), format!("{what} `{shown}` in a string"), Some(hint)));
                    }
                }
            }
            c => {
                out.push(c);
                j += c.len_utf8();
            }
        }
    }
}

fn lex(text: &str) -> Result<Vec<Tok>, LogqlError> {
    let b = text.as_bytes();
    let mut toks: Vec<Tok> = vec![];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'#' {
            i = text[i..].find('\n').map_or(b.len(), |e| i + e);
            continue;
        }
        let start = i;
        let two = text.get(i..i + 2).unwrap_or("");
        let mut push = |t: T, end: usize, s: String| toks.push(Tok { t, start, end, s });
        let op2 = match two {
            "!=" => Some(T::Neq),
            "=~" => Some(T::Re),
            "!~" => Some(T::Nre),
            "!>" => Some(T::Npa),
            "|=" => Some(T::PipeExact),
            "|~" => Some(T::PipeMatch),
            "|>" => Some(T::PipePattern),
            "==" => Some(T::CmpEq),
            ">=" => Some(T::Gte),
            "<=" => Some(T::Lte),
            _ => None,
        };
        if let Some(t) = op2 {
            push(t, i + 2, two.to_string());
            i += 2;
            continue;
        }
        let op1 = match c {
            b'{' => Some(T::LBrace),
            b'}' => Some(T::RBrace),
            b'(' => Some(T::LParen),
            b')' => Some(T::RParen),
            b',' => Some(T::Comma),
            b'=' => Some(T::Eq),
            b'|' => Some(T::Pipe),
            b'>' => Some(T::Gt),
            b'<' => Some(T::Lt),
            b'+' => Some(T::Add),
            b'*' => Some(T::Mul),
            b'/' => Some(T::Div),
            b'%' => Some(T::Mod),
            b'^' => Some(T::Pow),
            _ => None,
        };
        if let Some(t) = op1 {
            push(t, i + 1, (c as char).to_string());
            i += 1;
            continue;
        }
        match c {
            b'"' | b'`' => {
                let (s, end) = lex_string(text, i)?;
                push(T::Str, end, s);
                i = end;
            }
            b'\'' => {
                return Err(err(i, 1, "`'` does not start a string in LogQL", Some("write strings in double quotes `\"…\"` or backticks `` `…` ``".into())));
            }
            b'[' => {
                let Some(e) = text[i + 1..].find(']') else {
                    return Err(err(i, 1, "unclosed `[`: a range is a duration in brackets, like `[5m]`", Some("close the range with `]`".into())));
                };
                let inner = &text[i + 1..i + 1 + e];
                if !prometheus_duration(inner) {
                    let hint = if inner.contains(':') {
                        "LogQL has no subqueries: a range is one duration, like `[5m]`".to_string()
                    } else if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
                        format!("a range needs a unit: `[{inner}s]` or `[{inner}m]`")
                    } else if inner.trim() != inner {
                        format!("no spaces inside the brackets: `[{}]`", inner.trim())
                    } else {
                        "a range is a Prometheus duration: units ms, s, m, h, d, w, y, largest first, like `[5m]` or `[1h30m]`".to_string()
                    };
                    return Err(err(i, e + 2, format!("range `[{inner}]` is not a duration"), Some(hint)));
                }
                push(T::Range, i + e + 2, inner.to_string());
                i += e + 2;
            }
            b'-' if two == "--" => {
                let end = run(text, i + 2, |c| c.is_alphabetic() || c == '-');
                let flag = &text[i..end];
                if flag == "--strict" || flag == "--keep-empty" {
                    push(T::Flag, end, flag.to_string());
                    i = end;
                } else {
                    let hint = did_you_mean(flag, ["--strict", "--keep-empty"]).unwrap_or_else(|| "`logfmt` takes the flags `--strict` and `--keep-empty`".into());
                    return Err(err(i, end - i, format!("unknown parser flag `{flag}`"), Some(hint)));
                }
            }
            b'-' => {
                let end = run(text, i + 1, is_duration_char);
                if end > i + 1 && b[i + 1].is_ascii_digit() && loki_duration(&text[i..end]) {
                    push(T::Dur, end, text[i..end].to_string());
                    i = end;
                } else {
                    push(T::Sub, i + 1, "-".into());
                    i += 1;
                }
            }
            b'0'..=b'9' | b'.' if c != b'.' || b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                // a number as Go's text/scanner reads one, then a duration or byte-size suffix
                let mut e = i;
                if two == "0x" || two == "0X" {
                    e = run(text, i + 2, |c| c.is_ascii_hexdigit());
                } else {
                    e = run(text, e, |c| c.is_ascii_digit());
                    if b.get(e) == Some(&b'.') {
                        e = run(text, e + 1, |c| c.is_ascii_digit());
                    }
                    if matches!(b.get(e), Some(b'e' | b'E')) {
                        let mut k = e + 1;
                        if matches!(b.get(k), Some(b'+' | b'-')) {
                            k += 1;
                        }
                        if b.get(k).is_some_and(u8::is_ascii_digit) {
                            e = run(text, k, |c| c.is_ascii_digit());
                        }
                    }
                }
                let d = run(text, e, is_duration_char);
                let by = run(text, e, is_bytes_char);
                if d > e && loki_duration(&text[i..d]) {
                    push(T::Dur, d, text[i..d].to_string());
                    i = d;
                } else if by > e && bytes_size(&text[i..by]) {
                    push(T::Bytes, by, text[i..by].to_string());
                    i = by;
                } else {
                    push(T::Num, e, text[i..e].to_string());
                    i = e;
                }
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let end = run(text, i, |c| c.is_ascii_alphanumeric() || c == '_');
                push(T::Ident, end, text[i..end].to_string());
                i = end;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                let hint = match ch {
                    '!' => Some("`!` goes with `=`, `~` or `>`: `!=`, `!~`, `!>`".to_string()),
                    '$' => Some("a Grafana variable here must be one gstack knows how to substitute: `$name`, `${name}`, `$__interval`".to_string()),
                    _ => None,
                };
                return Err(err(i, ch.len_utf8(), format!("unexpected character `{ch}`"), hint));
            }
        }
    }
    toks.push(Tok { t: T::Eof, start: text.len(), end: text.len(), s: String::new() });
    Ok(toks)
}

// ---- parser -----------------------------------------------------------------------------------

struct P<'t> {
    text: &'t str,
    toks: Vec<Tok>,
    i: usize,
    depth: usize,
}

type R<T> = Result<T, LogqlError>;

fn describe(t: &Tok) -> String {
    match t.t {
        T::Eof => "the end of the query".into(),
        T::Str => "a string".into(),
        T::Range => format!("the range `[{}]`", t.s),
        _ => format!("`{}`", t.s),
    }
}

fn is_cmp(t: T) -> bool {
    matches!(t, T::Eq | T::Neq | T::Re | T::Nre | T::CmpEq | T::Gt | T::Gte | T::Lt | T::Lte)
}

/// Whether a matcher's value contains a Grafana variable (its value is not known here).
fn templated(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(2).any(|w| w[0] == b'$' && (w[1] == b'{' || w[1] == b'_' || w[1].is_ascii_alphabetic())) || v.contains("[[")
}

/// `re` compiled as Loki compiles a matcher's regex (fully anchored); the error's first line.
fn regex_error(re: &str) -> Option<String> {
    if templated(re) {
        return None;
    }
    regex::Regex::new(&format!("^(?:{re})$")).err().map(|e| {
        let s = e.to_string();
        s.lines().filter(|l| l.trim_start().starts_with("error:")).next().map(|l| l.trim().trim_start_matches("error:").trim().to_string()).unwrap_or_else(|| s.lines().last().unwrap_or("").trim().to_string())
    })
}

/// Whether a stream matcher matches the empty value (Loki's "empty-compatible").
fn matches_empty(m: &Matcher) -> bool {
    if templated(&m.value) {
        return false;
    }
    let re = || regex::Regex::new(&format!("^(?:{})$", m.value)).map(|r| r.is_match("")).unwrap_or(false);
    match m.op {
        MatchOp::Eq => m.value.is_empty(),
        MatchOp::Neq => !m.value.is_empty(),
        MatchOp::Re => re(),
        MatchOp::Nre => !re(),
    }
}

impl<'t> P<'t> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i]
    }

    fn at(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Tok {
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn prev_end(&self) -> usize {
        if self.i == 0 { 0 } else { self.toks[self.i - 1].end }
    }

    /// Whether the next token is the keyword `kw` (case-insensitive, as Loki's lexer).
    fn kw(&self, k: usize, kw: &str) -> bool {
        let t = self.at(k);
        t.t == T::Ident && t.s.eq_ignore_ascii_case(kw)
    }

    fn unexpected(&self, expected: &str) -> LogqlError {
        let t = self.peek();
        err(t.start, (t.end - t.start).max(1).min(self.text.len().saturating_sub(t.start)).max(if t.t == T::Eof { 0 } else { 1 }), format!("expected {expected}, found {}", describe(t)), None)
    }

    fn expect(&mut self, t: T, expected: &str) -> R<Tok> {
        if self.peek().t == t {
            Ok(self.bump())
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek();
            return Err(err(t.start, 1, format!("the query nests more than {MAX_DEPTH} levels deep"), Some("split it into simpler queries".into())));
        }
        Ok(())
    }

    fn snippet(&self, start: usize, end: usize) -> String {
        let s = self.text.get(start..end).unwrap_or("").trim();
        if s.is_empty() || s.len() > 60 {
            "{…}".to_string()
        } else if s.ends_with('}') || s.ends_with(')') {
            s.to_string()
        } else {
            // a range after a pipeline reads better apart: `{…} |= "x" [5m]`
            format!("{s} ")
        }
    }

    // -- expressions --

    fn expr(&mut self, min_prec: u8) -> R<Expr> {
        self.enter()?;
        let start = self.peek().start;
        let mut lhs = self.unary()?;
        let mut lhs_end = self.prev_end();
        loop {
            let t = self.peek().clone();
            let (prec, right) = match t.t {
                T::Ident if t.s.eq_ignore_ascii_case("or") => (1, false),
                T::Ident if t.s.eq_ignore_ascii_case("and") || t.s.eq_ignore_ascii_case("unless") => (2, false),
                T::CmpEq | T::Neq | T::Gt | T::Gte | T::Lt | T::Lte => (3, false),
                T::Add | T::Sub => (4, false),
                T::Mul | T::Div | T::Mod => (5, false),
                T::Pow => (6, true),
                _ => break,
            };
            if prec < min_prec {
                break;
            }
            self.bump();
            let op = t.s.to_ascii_lowercase();
            let mut bool_mod = false;
            if self.kw(0, "bool") {
                let b = self.bump();
                if prec != 3 {
                    return Err(err(b.start, 4, format!("`bool` only modifies a comparison, not `{op}`"), Some("use it after `==`, `!=`, `>`, `>=`, `<` or `<=`".into())));
                }
                bool_mod = true;
            }
            let mut matching = Matching::default();
            if self.kw(0, "on") || self.kw(0, "ignoring") {
                let on = self.bump().s.eq_ignore_ascii_case("on");
                matching.on = Some((on, self.labels(if on { "on" } else { "ignoring" })?));
                if self.kw(0, "group_left") || self.kw(0, "group_right") {
                    let left = self.bump().s.eq_ignore_ascii_case("group_left");
                    let labels = if self.peek().t == T::LParen { self.labels("group_left")? } else { vec![] };
                    matching.group = Some((left, labels));
                }
            } else if self.kw(0, "group_left") || self.kw(0, "group_right") {
                let g = self.peek().clone();
                return Err(err(g.start, g.end - g.start, format!("`{}` needs `on (…)` or `ignoring (…)` before it", g.s), Some(format!("`… {op} on (instance) {} …`", g.s))));
            }
            let rhs_start = self.peek().start;
            let rhs = self.expr(if right { prec } else { prec + 1 })?;
            let rhs_end = self.prev_end();
            for (side, e, s, en) in [("left", &lhs, start, lhs_end), ("right", &rhs, rhs_start, rhs_end)] {
                if e.kind() == Kind::Log {
                    let q = self.snippet(s, en);
                    return Err(err(
                        s,
                        en - s,
                        format!("the {side} side of `{op}` is a log query; binary operators combine metric queries"),
                        Some(format!("turn the lines into a metric first, like `count_over_time({q}[5m])`")),
                    ));
                }
            }
            lhs = Expr::Binary { op, bool_mod, matching, lhs: Box::new(lhs), rhs: Box::new(rhs) };
            lhs_end = self.prev_end();
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn number(&mut self) -> R<f64> {
        let neg = match self.peek().t {
            T::Sub => {
                self.bump();
                true
            }
            T::Add => {
                self.bump();
                false
            }
            _ => false,
        };
        let t = self.expect(T::Num, "a number")?;
        let v = if let Some(h) = t.s.strip_prefix("0x").or_else(|| t.s.strip_prefix("0X")) {
            u64::from_str_radix(h, 16).map(|v| v as f64).ok()
        } else {
            t.s.parse::<f64>().ok()
        };
        let v = v.ok_or_else(|| err(t.start, t.end - t.start, format!("`{}` is not a number", t.s), None))?;
        Ok(if neg { -v } else { v })
    }

    fn unary(&mut self) -> R<Expr> {
        let t = self.peek().clone();
        match t.t {
            T::Num => Ok(Expr::Number(self.number()?)),
            T::Add | T::Sub if self.at(1).t == T::Num => Ok(Expr::Number(self.number()?)),
            T::LParen => {
                self.bump();
                let e = self.expr(0)?;
                self.expect(T::RParen, "`)`")?;
                if e.kind() == Kind::Log && self.peek().t == T::Range {
                    return Err(self.range_outside());
                }
                Ok(e)
            }
            T::LBrace => {
                let q = self.log_query()?;
                if self.peek().t == T::Pipe && self.kw(1, "unwrap") {
                    let u = self.at(1).clone();
                    return Err(err(
                        u.start,
                        u.end - u.start,
                        "`unwrap` only goes inside a range aggregation",
                        Some("unwrap a label to aggregate its values over a range: `sum_over_time({…} | unwrap bytes [5m])`".into()),
                    ));
                }
                if self.peek().t == T::Range {
                    return Err(self.range_outside());
                }
                Ok(Expr::Log(q))
            }
            T::Ident => self.function(),
            T::Dur | T::Bytes => Err(err(t.start, t.end - t.start, format!("`{}` is not a number: durations and sizes only go in label filters like `| latency > {}`", t.s, t.s), None)),
            T::Str => Err(err(t.start, t.end - t.start, "a string is not a query", Some("a LogQL query starts with a stream selector like `{service=\"app\"}`".into()))),
            T::Eof if t.start == 0 || self.text[..t.start].trim().is_empty() => {
                Err(err(0, 0, "the query is empty", Some("a LogQL query starts with a stream selector like `{service=\"app\"}`".into())))
            }
            T::PipeExact | T::PipeMatch | T::Pipe | T::Neq | T::Nre | T::PipePattern | T::Npa if self.i == 0 => Err(err(
                t.start,
                t.end - t.start,
                "a query needs a stream selector like `{job=\"x\"}` before its filters",
                Some("start with the streams to read, then filter: logql`{service=\"app\"} |= \"error\"`".into()),
            )),
            _ => Err(self.unexpected("a query")),
        }
    }

    fn range_outside(&self) -> LogqlError {
        let t = self.peek();
        err(
            t.start,
            t.end - t.start,
            format!("a range `[{}]` only goes inside a range aggregation", t.s),
            Some(format!("count the lines over the range: `count_over_time({{…}}[{}])`, or drop the range for a log query", t.s)),
        )
    }

    fn is_call(&self) -> bool {
        self.at(1).t == T::LParen || ((self.kw(1, "by") || self.kw(1, "without")) && self.at(2).t == T::LParen)
    }

    fn function(&mut self) -> R<Expr> {
        let t = self.peek().clone();
        let name = t.s.to_ascii_lowercase();
        let call = self.is_call();
        if call && RANGE_FUNCTIONS.contains(&name.as_str()) && self.at(1).t == T::LParen {
            return self.range_agg(&name);
        }
        if call && VECTOR_FUNCTIONS.contains(&name.as_str()) {
            return self.vector_agg(&name);
        }
        if call && name == "label_replace" && self.at(1).t == T::LParen {
            return self.label_replace();
        }
        if call && name == "vector" && self.at(1).t == T::LParen {
            self.bump();
            self.bump();
            let v = self.number()?;
            self.expect(T::RParen, "`)` after `vector`'s number")?;
            return Ok(Expr::VectorFn(v));
        }
        let len = t.end - t.start;
        if let Some(h) = did_you_mean(&name, all_functions()) {
            return Err(err(t.start, len, format!("unknown function `{}`", t.s), Some(h)));
        }
        if self.at(1).t == T::LParen || RANGE_FUNCTIONS.contains(&name.as_str()) || VECTOR_FUNCTIONS.contains(&name.as_str()) {
            if all_functions().any(|f| f == name) {
                return Err(err(t.start, len, format!("`{}` needs its arguments in parentheses", t.s), None));
            }
            return Err(err(
                t.start,
                len,
                format!("unknown function `{}`", t.s),
                Some(format!("LogQL's functions are {}; `{}` may be PromQL's", all_functions().collect::<Vec<_>>().join(", "), t.s)),
            ));
        }
        Err(err(
            t.start,
            len,
            format!("unexpected `{}`", t.s),
            Some("a LogQL query starts with a stream selector like `{service=\"app\"}` (a metric name like this is PromQL)".into()),
        ))
    }

    fn grouping(&mut self) -> R<Grouping> {
        let t = self.bump();
        let without = t.s.eq_ignore_ascii_case("without");
        let labels = self.labels(&t.s.to_ascii_lowercase())?;
        Ok(Grouping { without, labels })
    }

    /// `( label, … )` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
    fn labels(&mut self, after: &str) -> R<Vec<String>> {
        if self.peek().t != T::LParen {
            let mut e = self.unexpected(&format!("`(` after `{after}`"));
            e.message = format!("`{after}` needs the labels in parentheses, found {}", describe(self.peek()));
            e.hint = Some(format!("`{after} (level)`, or `{after} ()` for none"));
            return Err(e);
        }
        self.bump();
        let mut out = vec![];
        if self.peek().t == T::RParen {
            self.bump();
            return Ok(out);
        }
        loop {
            let l = self.expect(T::Ident, "a label name")?;
            out.push(l.s);
            match self.peek().t {
                T::Comma => {
                    self.bump();
                }
                T::RParen => {
                    self.bump();
                    return Ok(out);
                }
                _ => return Err(self.unexpected("`,` or `)`")),
            }
        }
    }

    fn range_agg(&mut self, op: &str) -> R<Expr> {
        let name = self.bump();
        self.bump(); // (
        self.enter()?;
        let mut param = None;
        if op == "quantile_over_time" {
            if matches!(self.peek().t, T::Num | T::Add | T::Sub) {
                param = Some(self.number()?);
                self.expect(T::Comma, "`,` after the quantile")?;
            } else {
                let t = self.peek();
                return Err(err(
                    t.start,
                    (t.end - t.start).max(1),
                    "`quantile_over_time` needs the quantile first",
                    Some("`quantile_over_time(0.99, {…} | unwrap latency [5m])`".into()),
                ));
            }
        } else if self.peek().t == T::Num && self.at(1).t == T::Comma {
            let t = self.peek();
            return Err(err(t.start, t.end - t.start, format!("`{op}` takes no parameter (only `quantile_over_time` does)"), None));
        }
        let (query, range, offset, unwrap) = self.log_range(op, name.start)?;
        if self.peek().t != T::RParen {
            return Err(self.unexpected(&format!("`)` closing `{op}(`")));
        }
        self.bump();
        self.depth -= 1;
        if self.peek().t == T::Range {
            let t = self.peek();
            return Err(err(t.start, t.end - t.start, format!("the range goes inside `{op}(…)`, after the log query"), Some(format!("`{op}({{…}}[{}])`", t.s))));
        }
        let mut grouping = None;
        if self.kw(0, "by") || self.kw(0, "without") {
            let g = self.peek().clone();
            if !RANGE_GROUPING.contains(&op) {
                return Err(err(
                    g.start,
                    g.end - g.start,
                    format!("`{op}` takes no grouping"),
                    Some(format!("group with a vector aggregation around it: `sum {} (…) ({op}(…))`", g.s)),
                ));
            }
            grouping = Some(self.grouping()?);
        }
        let len = name.end - name.start;
        if unwrap.is_some() && !RANGE_UNWRAP.contains(&op) {
            return Err(err(name.start, len, format!("`{op}` counts lines: it cannot take an `unwrap`"), Some("for the unwrapped values use `sum_over_time`, `avg_over_time`, `max_over_time`, `quantile_over_time`…".into())));
        }
        if unwrap.is_none() && !RANGE_LINES.contains(&op) {
            return Err(err(
                name.start,
                len,
                format!("`{op}` aggregates a label's values: it needs `| unwrap <label>` before the range"),
                Some(format!("`{op}({{…}} | logfmt | unwrap duration_ms [5m])`, or count lines with `count_over_time`")),
            ));
        }
        Ok(Expr::Range { op: op.to_string(), param, query, range, offset, unwrap, grouping })
    }

    /// The log query of a range aggregation, with its range, offset and unwrap, in the orders
    /// the grammar's `logRangeExpr` allows.
    fn log_range(&mut self, op: &str, op_start: usize) -> R<(LogQuery, String, Option<String>, Option<Unwrap>)> {
        match self.peek().t {
            T::LParen => {
                self.bump();
                self.enter()?;
                let (q, range, offset, unwrap) = if self.peek().t == T::LParen {
                    let (q, r, o, u) = self.log_range(op, op_start)?;
                    (q, Some(r), o, u)
                } else {
                    self.log_range_inner(op, op_start, true)?
                };
                self.expect(T::RParen, "`)`")?;
                self.depth -= 1;
                match range {
                    Some(r) => Ok((q, r, offset, unwrap)),
                    None => {
                        let r = self.expect(T::Range, "a range like `[5m]`")?;
                        let offset = self.offset()?;
                        Ok((q, r.s, offset, unwrap))
                    }
                }
            }
            T::LBrace => {
                let (q, r, o, u) = self.log_range_inner(op, op_start, false)?;
                Ok((q, r.expect("a range"), o, u))
            }
            _ => {
                let t = self.peek();
                let metric = t.t == T::Ident || t.t == T::Num;
                let msg = if metric {
                    format!("`{op}` reads a log query with a range, not a metric query")
                } else {
                    format!("`{op}` needs a log query with a range, found {}", describe(t))
                };
                Err(err(t.start, (t.end - t.start).max(usize::from(t.t != T::Eof)), msg, Some(format!("`{op}({{service=\"app\"}}[5m])`"))))
            }
        }
    }

    fn log_range_inner(&mut self, op: &str, op_start: usize, in_parens: bool) -> R<(LogQuery, Option<String>, Option<String>, Option<Unwrap>)> {
        let start = self.peek().start;
        let mut q = self.log_query()?;
        let mut unwrap = self.unwrap()?;
        if self.peek().t == T::Range {
            let r = self.bump();
            let offset = self.offset()?;
            if q.stages.is_empty() && unwrap.is_none() {
                q.stages = self.pipeline()?;
                unwrap = self.unwrap()?;
            } else if matches!(self.peek().t, T::Pipe | T::PipeExact | T::PipeMatch | T::PipePattern | T::Npa) {
                let t = self.peek();
                return Err(err(t.start, t.end - t.start, "the range goes after the whole pipeline", Some(format!("move `[{}]` to the end, before `)`", r.s))));
            }
            return Ok((q, Some(r.s), offset, unwrap));
        }
        if in_parens {
            return Ok((q, None, None, unwrap));
        }
        let t = self.peek();
        let at = t.start;
        let q = self.snippet(start, at);
        let _ = op_start;
        let message = if t.t == T::RParen || t.t == T::Eof {
            format!("`{op}` needs a range: add one like `[5m]` after the log query")
        } else {
            format!("expected a range like `[5m]` in `{op}(…)`, found {}", describe(t))
        };
        Err(err(at, usize::from(t.t != T::Eof), message, Some(format!("a range aggregation reads a window of lines: `{op}({q}[5m])`"))))
    }

    fn offset(&mut self) -> R<Option<String>> {
        if !self.kw(0, "offset") {
            return Ok(None);
        }
        self.bump();
        let d = self.expect(T::Dur, "a duration after `offset`, like `offset 1h`")?;
        Ok(Some(d.s))
    }

    fn unwrap(&mut self) -> R<Option<Unwrap>> {
        if !(self.peek().t == T::Pipe && self.kw(1, "unwrap")) {
            return Ok(None);
        }
        self.bump();
        self.bump();
        let t = self.peek().clone();
        let conv = t.s.to_ascii_lowercase();
        let (label, conversion) = if t.t == T::Ident && ["bytes", "duration", "duration_seconds"].contains(&conv.as_str()) && self.at(1).t == T::LParen {
            self.bump();
            self.bump();
            let l = self.expect(T::Ident, "the label to convert")?;
            self.expect(T::RParen, "`)`")?;
            (l.s, Some(conv))
        } else if t.t == T::Ident {
            if self.at(1).t == T::LParen {
                let hint = did_you_mean(&conv, ["bytes", "duration", "duration_seconds"]).unwrap_or_else(|| "the conversions are `bytes(…)`, `duration(…)` and `duration_seconds(…)`".into());
                return Err(err(t.start, t.end - t.start, format!("unknown conversion `{}`", t.s), Some(hint)));
            }
            self.bump();
            (t.s, None)
        } else {
            return Err(err(t.start, (t.end - t.start).max(usize::from(t.t != T::Eof)), format!("`unwrap` needs a label, found {}", describe(&t)), Some("`| unwrap latency`, or `| unwrap duration(latency)`".into())));
        };
        let mut filters = vec![];
        while self.peek().t == T::Pipe {
            let n = self.at(1);
            if n.t == T::LParen || (n.t == T::Ident && is_cmp(self.at(2).t)) {
                self.bump();
                filters.push(self.label_filter()?);
            } else if n.t == T::Ident && STAGES.contains(&n.s.to_ascii_lowercase().as_str()) {
                return Err(err(
                    n.start,
                    n.end - n.start,
                    format!("only label filters may follow `unwrap`, not `{}`", n.s),
                    Some("move the stage before `| unwrap`".into()),
                ));
            } else {
                break;
            }
        }
        Ok(Some(Unwrap { label, conversion, filters }))
    }

    fn vector_agg(&mut self, op: &str) -> R<Expr> {
        let name = self.bump();
        let mut grouping = None;
        if self.kw(0, "by") || self.kw(0, "without") {
            grouping = Some(self.grouping()?);
        }
        self.expect(T::LParen, &format!("`(` after `{op}`"))?;
        self.enter()?;
        let takes_param = ["topk", "bottomk", "approx_topk"].contains(&op);
        let mut param = None;
        if matches!(self.peek().t, T::Num) && self.at(1).t == T::Comma {
            let t = self.peek().clone();
            if !takes_param {
                return Err(err(t.start, t.end - t.start, format!("`{op}` takes no parameter"), None));
            }
            let v = self.number()?;
            if v.fract() != 0.0 || v < 1.0 {
                return Err(err(t.start, t.end - t.start, format!("`{op}` needs a whole number of series, found `{}`", t.s), Some(format!("`{op}(10, …)`"))));
            }
            param = Some(v);
            self.bump();
        } else if takes_param {
            let t = self.peek();
            return Err(err(t.start, (t.end - t.start).max(1), format!("`{op}` needs the number of series first"), Some(format!("`{op}(10, sum by (app) (rate({{…}}[5m])))`"))));
        }
        let start = self.peek().start;
        let inner = self.expr(0)?;
        let end = self.prev_end();
        if inner.kind() == Kind::Log {
            let q = self.snippet(start, end);
            return Err(err(start, end - start, format!("`{op}` aggregates a metric query; this is a log query"), Some(format!("turn the lines into a metric first: `{op}(count_over_time({q}[5m]))`"))));
        }
        self.expect(T::RParen, &format!("`)` closing `{op}(`"))?;
        self.depth -= 1;
        if self.kw(0, "by") || self.kw(0, "without") {
            let g = self.peek().clone();
            if grouping.is_some() {
                return Err(err(g.start, g.end - g.start, format!("`{op}` is grouped twice"), Some("keep one `by (…)`/`without (…)`, before or after the parentheses".into())));
            }
            grouping = Some(self.grouping()?);
        }
        if (op == "sort" || op == "sort_desc") && grouping.as_ref().is_some_and(|g| !g.labels.is_empty()) {
            return Err(err(name.start, name.end - name.start, format!("`{op}` takes no grouping"), Some("it orders by value; aggregate with `sum by (…)` inside it".into())));
        }
        Ok(Expr::Vector { op: op.to_string(), param, grouping, inner: Box::new(inner) })
    }

    fn label_replace(&mut self) -> R<Expr> {
        self.bump();
        self.bump();
        self.enter()?;
        let start = self.peek().start;
        let inner = self.expr(0)?;
        if inner.kind() == Kind::Log {
            return Err(err(start, self.prev_end() - start, "`label_replace` takes a metric query; this is a log query", None));
        }
        let mut args = vec![];
        for what in ["the destination label", "the replacement", "the source label", "the regex"] {
            self.expect(T::Comma, &format!("`,` then {what}"))?;
            let s = self.expect(T::Str, &format!("{what} as a string"))?;
            if what == "the regex" {
                if let Some(e) = regex_error(&s.s) {
                    return Err(err(s.start, s.end - s.start, format!("invalid regex in `label_replace`: {e}"), None));
                }
            }
            args.push(s.s);
        }
        self.expect(T::RParen, "`)` closing `label_replace(`")?;
        self.depth -= 1;
        Ok(Expr::LabelReplace { inner: Box::new(inner), args })
    }

    // -- log queries --

    fn log_query(&mut self) -> R<LogQuery> {
        let selector = self.selector()?;
        let stages = self.pipeline()?;
        Ok(LogQuery { selector, stages })
    }

    fn matcher(&mut self, what: &str) -> R<Matcher> {
        let name = self.peek().clone();
        if name.t != T::Ident {
            let mut e = self.unexpected(&format!("a label name in {what}"));
            if name.t == T::Str {
                e.hint = Some("label names are not quoted: `{app=\"x\"}`".into());
            }
            return Err(e);
        }
        self.bump();
        let opt = self.peek().clone();
        let op = match opt.t {
            T::Eq => MatchOp::Eq,
            T::Neq => MatchOp::Neq,
            T::Re => MatchOp::Re,
            T::Nre => MatchOp::Nre,
            T::CmpEq => {
                return Err(err(opt.start, 2, "a label matcher uses `=`, not `==`", Some(format!("`{}=\"…\"`", name.s))));
            }
            _ => {
                let mut e = self.unexpected(&format!("`=`, `!=`, `=~` or `!~` after `{}`", name.s));
                e.hint = Some(format!("`{}=\"value\"`", name.s));
                return Err(e);
            }
        };
        self.bump();
        let v = self.peek().clone();
        if v.t != T::Str {
            let mut e = self.unexpected(&format!("a quoted value after `{}{}`", name.s, opt.s));
            if matches!(v.t, T::Ident | T::Num | T::Dur | T::Bytes) {
                e.hint = Some(format!("quote the value: `{}{}\"{}\"`", name.s, opt.s, v.s));
            }
            return Err(e);
        }
        self.bump();
        if matches!(op, MatchOp::Re | MatchOp::Nre) {
            if let Some(e) = regex_error(&v.s) {
                return Err(err(v.start, v.end - v.start, format!("invalid regex in `{}{}`: {e}", name.s, opt.s), Some("Loki compiles it as a Go (RE2) regular expression".into())));
            }
        }
        Ok(Matcher { name: name.s, op, value: v.s })
    }

    fn selector(&mut self) -> R<Selector> {
        let open = self.expect(T::LBrace, "`{`")?;
        let mut matchers = vec![];
        if self.peek().t != T::RBrace {
            loop {
                matchers.push(self.matcher("a stream selector")?);
                match self.peek().t {
                    T::Comma => {
                        self.bump();
                    }
                    T::RBrace => break,
                    T::Eof => {
                        return Err(err(open.start, 1, "unclosed `{`: the stream selector is not closed", Some("close it with `}`".into())));
                    }
                    t => {
                        let mut e = self.unexpected("`,` or `}` in the stream selector");
                        if matches!(t, T::Pipe | T::PipeExact | T::PipeMatch | T::PipePattern | T::Neq | T::Nre | T::Npa | T::Range) {
                            e.hint = Some(format!("close the stream selector opened at `{}` with `}}` before {}", self.snippet(open.start, self.peek().start).trim_end(), describe(self.peek())));
                        }
                        return Err(e);
                    }
                }
            }
        }
        let close = self.bump();
        let sel = Selector { matchers, offset: open.start, len: close.end - open.start };
        if sel.matchers.iter().all(matches_empty) {
            let msg = if sel.matchers.is_empty() {
                "the stream selector `{}` selects nothing: queries require at least one regexp or equality matcher that does not have an empty-compatible value".to_string()
            } else {
                "queries require at least one regexp or equality matcher that does not have an empty-compatible value: every matcher here also matches streams without the label".to_string()
            };
            let hint = match sel.matchers.iter().find(|m| m.op == MatchOp::Re) {
                Some(m) => format!("Loki refuses to read every stream; `{}=~\".+\"` matches any non-empty value, or add a matcher like `service=\"app\"`", m.name),
                None => "Loki refuses to read every stream: add a matcher like `service=\"app\"`".to_string(),
            };
            return Err(err(sel.offset, sel.len, msg, Some(hint)));
        }
        Ok(sel)
    }

    fn pipeline(&mut self) -> R<Vec<Stage>> {
        let mut stages = vec![];
        loop {
            let t = self.peek().clone();
            match t.t {
                T::PipeExact | T::PipeMatch | T::PipePattern | T::Npa | T::Nre => stages.push(self.line_filter()?),
                T::Neq if self.at(1).t == T::Str || self.kw(1, "ip") => stages.push(self.line_filter()?),
                T::Pipe if self.kw(1, "unwrap") => break,
                T::Pipe => {
                    self.bump();
                    stages.push(self.stage()?);
                }
                _ => break,
            }
        }
        Ok(stages)
    }

    fn line_match(&mut self, op: &str) -> R<LineMatch> {
        let t = self.peek().clone();
        if t.t == T::Str {
            self.bump();
            if op == "|~" || op == "!~" {
                if let Some(e) = regex_error(&t.s) {
                    return Err(err(t.start, t.end - t.start, format!("invalid regex after `{op}`: {e}"), Some("Loki compiles it as a Go (RE2) regular expression".into())));
                }
            }
            return Ok(LineMatch { value: t.s, ip: false, offset: t.start, len: t.end - t.start });
        }
        if self.kw(0, "ip") && self.at(1).t == T::LParen {
            self.bump();
            self.bump();
            let s = self.expect(T::Str, "an address or range in quotes, like `ip(\"10.0.0.0/8\")`")?;
            self.expect(T::RParen, "`)`")?;
            return Ok(LineMatch { value: s.s, ip: true, offset: s.start, len: s.end - s.start });
        }
        let mut e = self.unexpected(&format!("the text to match after `{op}`, in quotes"));
        if matches!(t.t, T::Ident | T::Num) {
            e.hint = Some(format!("quote it: `{op} \"{}\"`", t.s));
        } else if t.t == T::Eof {
            e.hint = Some(format!("`{op} \"error\"`"));
        }
        Err(e)
    }

    fn line_filter(&mut self) -> R<Stage> {
        let op = self.bump().s;
        let mut matches = vec![self.line_match(&op)?];
        while self.kw(0, "or") && (self.at(1).t == T::Str || self.kw(1, "ip")) {
            self.bump();
            matches.push(self.line_match(&op)?);
        }
        Ok(Stage::LineFilter { op, matches })
    }

    fn params(&mut self) -> R<Vec<(String, Option<String>)>> {
        let mut out = vec![];
        while self.peek().t == T::Ident {
            let l = self.bump();
            let v = if self.peek().t == T::Eq {
                self.bump();
                Some(self.expect(T::Str, &format!("an expression in quotes after `{}=`", l.s))?.s)
            } else {
                None
            };
            out.push((l.s, v));
            if self.peek().t != T::Comma {
                break;
            }
            self.bump();
            if self.peek().t != T::Ident {
                return Err(self.unexpected("a label after `,`"));
            }
        }
        Ok(out)
    }

    /// A label list of `drop` / `keep`: names or matchers.
    fn label_list(&mut self, stage: &str) -> R<Vec<(String, Option<Matcher>)>> {
        let mut out = vec![];
        loop {
            if self.peek().t != T::Ident {
                let mut e = self.unexpected(&format!("a label after `{stage}`"));
                e.hint = Some(format!("`| {stage} level, pod`"));
                return Err(e);
            }
            if matches!(self.at(1).t, T::Eq | T::Neq | T::Re | T::Nre) {
                let m = self.matcher(stage)?;
                out.push((m.name.clone(), Some(m)));
            } else {
                out.push((self.bump().s, None));
            }
            if self.peek().t != T::Comma {
                return Ok(out);
            }
            self.bump();
        }
    }

    fn stage(&mut self) -> R<Stage> {
        let t = self.peek().clone();
        let name = t.s.to_ascii_lowercase();
        match t.t {
            // the stage names are keywords wherever they appear (Loki's lexer)
            T::Ident if STAGES.contains(&name.as_str()) => {
                self.bump();
                match name.as_str() {
                    "json" => Ok(Stage::Parser { name, arg: None, flags: vec![], params: self.params()? }),
                    "logfmt" => {
                        let mut flags = vec![];
                        while self.peek().t == T::Flag {
                            flags.push(self.bump().s);
                        }
                        Ok(Stage::Parser { name, arg: None, flags, params: self.params()? })
                    }
                    "unpack" => Ok(Stage::Parser { name, arg: None, flags: vec![], params: vec![] }),
                    "regexp" | "pattern" => {
                        let mut e = match self.expect(T::Str, &format!("the {name} in quotes after `{name}`")) {
                            Ok(s) => {
                                if name == "regexp" {
                                    if let Some(e) = regex_error(&s.s) {
                                        return Err(err(s.start, s.end - s.start, format!("invalid regex after `regexp`: {e}"), None));
                                    }
                                }
                                return Ok(Stage::Parser { name, arg: Some(s.s), flags: vec![], params: vec![] });
                            }
                            Err(e) => e,
                        };
                        e.hint = Some(if name == "regexp" { "`| regexp \"(?P<method>\\\\w+) (?P<path>\\\\S+)\"`".into() } else { "`| pattern \"<ip> - - <_> \\\"<method> <uri> <_>\\\" <status> <_>\"`".into() });
                        Err(e)
                    }
                    "line_format" => Ok(Stage::LineFormat(self.expect(T::Str, "a template in quotes after `line_format`")?.s)),
                    "label_format" => {
                        let mut out = vec![];
                        loop {
                            let dst = self.expect(T::Ident, "a label after `label_format`")?;
                            self.expect(T::Eq, &format!("`=` after `{}`", dst.s))?;
                            let v = self.peek().clone();
                            match v.t {
                                T::Str => out.push((dst.s, v.s, true)),
                                T::Ident => out.push((dst.s, v.s, false)),
                                _ => return Err(self.unexpected("a template in quotes or a label name")),
                            }
                            self.bump();
                            if self.peek().t != T::Comma {
                                break;
                            }
                            self.bump();
                        }
                        Ok(Stage::LabelFormat(out))
                    }
                    "decolorize" => Ok(Stage::Decolorize),
                    "drop" => Ok(Stage::Drop(self.label_list("drop")?)),
                    "keep" => Ok(Stage::Keep(self.label_list("keep")?)),
                    _ => Err(err(t.start, t.end - t.start, "`unwrap` only goes inside a range aggregation", None)),
                }
            }
            T::Ident if is_cmp(self.at(1).t) => Ok(Stage::LabelFilter(self.label_filter()?)),
            T::LParen => Ok(Stage::LabelFilter(self.label_filter()?)),
            T::Ident => {
                let hint = did_you_mean(&name, STAGES.iter().copied()).unwrap_or_else(|| {
                    format!("after `|` comes a parser ({}), a label filter like `level=\"error\"`, `line_format`, `label_format`, `drop`, `keep` or `decolorize`", ["json", "logfmt", "regexp", "pattern", "unpack"].join(", "))
                });
                Err(err(t.start, t.end - t.start, format!("unknown pipeline stage `{}`", t.s), Some(hint)))
            }
            T::Eof => {
                let p = self.toks[self.i - 1].start;
                Err(err(p, 1, "the query ends with `|`: a stage must follow it", Some("remove the `|`, or add a stage: `| json`, `| logfmt`, `| level=\"error\"`…".into())))
            }
            T::Str => Err(err(t.start, t.end - t.start, "a line filter is `|= \"text\"`, not `| \"text\"`", Some(format!("`|= {}`", &self.text[t.start..t.end])))),
            _ => Err(self.unexpected("a pipeline stage after `|`")),
        }
    }

    fn starts_label_filter(&self, k: usize) -> bool {
        let t = self.at(k);
        t.t == T::LParen || (t.t == T::Ident && is_cmp(self.at(k + 1).t))
    }

    fn label_filter(&mut self) -> R<LabelFilter> {
        self.enter()?;
        let mut lhs = self.label_filter_and()?;
        while self.kw(0, "or") && self.starts_label_filter(1) {
            self.bump();
            let rhs = self.label_filter_and()?;
            lhs = LabelFilter::Or(Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn label_filter_and(&mut self) -> R<LabelFilter> {
        let mut lhs = self.label_filter_atom()?;
        loop {
            if (self.kw(0, "and") || self.peek().t == T::Comma) && self.starts_label_filter(1) {
                self.bump();
            } else if !(self.peek().t == T::Ident && !self.kw(0, "or") && !self.kw(0, "and") && is_cmp(self.at(1).t)) {
                break;
            }
            let rhs = self.label_filter_atom()?;
            lhs = LabelFilter::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn label_filter_atom(&mut self) -> R<LabelFilter> {
        if self.peek().t == T::LParen {
            self.bump();
            let f = self.label_filter()?;
            self.expect(T::RParen, "`)` closing the label filter")?;
            return Ok(f);
        }
        let name = self.expect(T::Ident, "a label filter like `level=\"error\"`")?;
        let opt = self.peek().clone();
        let v = self.at(1).clone();
        match (opt.t, v.t) {
            (T::Eq | T::Neq, _) if self.kw(1, "ip") && self.at(2).t == T::LParen => {
                self.bump();
                self.bump();
                self.bump();
                let s = self.expect(T::Str, "an address or range in quotes, like `ip(\"10.0.0.0/8\")`")?;
                self.expect(T::RParen, "`)`")?;
                Ok(LabelFilter::Ip { name: name.s, negated: opt.t == T::Neq, cidr: s.s })
            }
            (T::Eq | T::Neq | T::Re | T::Nre, T::Str) => {
                self.i -= 1;
                Ok(LabelFilter::Str(self.matcher("a label filter")?))
            }
            (T::CmpEq, T::Str) => Err(err(opt.start, 2, "a string label filter uses `=`, not `==`", Some(format!("`{}={}`", name.s, &self.text[v.start..v.end])))),
            (T::Gt | T::Gte | T::Lt | T::Lte, T::Str) => Err(err(
                v.start,
                v.end - v.start,
                format!("`{}` compares numbers, durations or sizes; this is a string", opt.s),
                Some(format!("write it without quotes: `{} {} {}`", name.s, opt.s, v.s)),
            )),
            (T::Re | T::Nre, _) => {
                self.bump();
                Err(self.unexpected(&format!("a regex in quotes after `{}{}`", name.s, opt.s)))
            }
            (_, T::Dur | T::Bytes) if is_cmp(opt.t) => {
                self.bump();
                self.bump();
                let value = if v.t == T::Dur { FilterValue::Duration(v.s) } else { FilterValue::Bytes(v.s) };
                Ok(LabelFilter::Cmp { name: name.s, op: opt.s, value })
            }
            (_, T::Num | T::Add | T::Sub) if is_cmp(opt.t) => {
                self.bump();
                let n = self.number()?;
                Ok(LabelFilter::Cmp { name: name.s, op: opt.s, value: FilterValue::Number(n) })
            }
            _ if is_cmp(opt.t) => {
                self.bump();
                let mut e = self.unexpected(&format!("a value after `{}{}`: a string, number, duration or size", name.s, opt.s));
                if v.t == T::Ident {
                    e.hint = Some(format!("quote a string value: `{}{}\"{}\"`", name.s, opt.s, v.s));
                }
                Err(e)
            }
            _ => {
                self.i -= 1;
                Err(self.unexpected("a label filter like `level=\"error\"` or `status >= 400`"))
            }
        }
    }
}

/// Parse a LogQL query as Loki 3.5 does (no Grafana variables: see [`check`]).
pub fn parse(text: &str) -> Result<Expr, LogqlError> {
    let toks = lex(text)?;
    let last = toks.len().checked_sub(2).map(|i| (toks[i].start, toks[i].end - toks[i].start));
    let mut p = P { text, toks, i: 0, depth: 0 };
    // an error at the end of the text points at the query's last token
    p.parse_all().map_err(|mut e| {
        // inside the text (an error "at" the end has no width), then on the last token
        e.offset = e.offset.min(text.len());
        e.len = e.len.min(text.len() - e.offset);
        if let (Some((o, l)), 0) = (last, e.len) {
            if e.offset >= o + l {
                (e.offset, e.len) = (o, l);
            }
        }
        e
    })
}

impl<'t> P<'t> {
    fn parse_all(&mut self) -> R<Expr> {
    let p = self;
    let e = p.expr(0)?;
    let t = p.peek().clone();
    if t.t != T::Eof {
        let mut e = p.unexpected("an operator or the end of the query");
        e.message = format!("unexpected {} after a complete query", describe(&t));
        e.hint = match t.t {
            T::RParen => Some("this `)` closes nothing".into()),
            T::Ident if t.s.eq_ignore_ascii_case("by") || t.s.eq_ignore_ascii_case("without") => {
                Some("only `sum`, `avg`, `min`, `max`, `count`, `topk`… group: `sum by (level) (…)`".into())
            }
            T::LBrace => Some("a query has one stream selector; combine queries with a binary operator over metric queries".into()),
            _ => None,
        };
        return Err(e);
    }
    Ok(e)
    }
}

/// The kind of the top expression of `text` (`None` when it does not parse).
pub fn kind(text: &str) -> Option<Kind> {
    parse_grafana(text).ok().map(|e| e.kind())
}

/// [`parse`] after replacing Grafana's variables (positions kept): first as identifiers and
/// durations, then, if that fails, with numbers (`topk($k, …)`, `| status > $min`).
pub fn parse_grafana(text: &str) -> Result<Expr, LogqlError> {
    let first = parse(&substitute_grafana_vars(text, false));
    match first {
        Err(e) if text.contains('$') || text.contains("[[") => parse(&substitute_grafana_vars(text, true)).map_err(|_| e),
        r => r,
    }
}

/// What Loki accepts that a query cannot mean: an empty line filter (`|= ""` keeps every
/// line, `!= ""` drops every line).
pub fn lint(e: &Expr) -> Option<LogqlError> {
    for q in e.log_queries() {
        for s in &q.stages {
            if let Stage::LineFilter { op, matches } = s {
                if let Some(m) = matches.iter().find(|m| m.value.is_empty() && !m.ip) {
                    let what = if op.starts_with('!') { "drops every line" } else { "keeps every line" };
                    return Some(err(
                        m.offset,
                        m.len,
                        format!("empty line filter: `{op} \"\"` {what}"),
                        Some("put the text to look for between the quotes, like `|= \"error\"`, or remove the filter".into()),
                    ));
                }
            }
        }
    }
    None
}

/// The check of a `logql` literal: [`parse_grafana`], then [`lint`].
pub fn check(text: &str) -> Option<LogqlError> {
    match parse_grafana(text) {
        Ok(e) => lint(&e),
        Err(e) => Some(e),
    }
}

/// For imported dashboards: what is wrong with a LogQL target (Loki's own errors, no lints).
pub fn problem(text: &str) -> Option<String> {
    parse_grafana(text).err().map(|e| e.message)
}

#[cfg(test)]
#[path = "logql_tests.rs"]
mod tests;
