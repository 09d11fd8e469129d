//! A LogQL parser: a hand-written lexer and recursive-descent parser for the LogQL of Loki
//! 3.5, the version the stack renders. It follows the structure of Loki's yacc grammar
//! (`pkg/logql/syntax/expr.y`), its lexer (`pkg/logql/syntax/lex.go`: keywords are
//! case-insensitive, a function name is a function only before `(` or `by`/`without (`,
//! durations are Prometheus's or Go's, byte sizes humanize's, ranges Prometheus durations),
//! and the checks Loki makes while parsing (`pkg/logql/syntax/parser.go`, `ast.go`: a
//! selector needs a matcher that does not match the empty string, which range aggregations
//! take `unwrap`, a parameter or a grouping, `sort` has no grouping), plus what the
//! `regexp` and `pattern` parsers refuse when the query runs (no named capture). The example
//! queries of Loki's docs (`docs/sources/query/metric_queries.md`, `query_examples.md`,
//! `log_queries/_index.md`) were run through it while it was written: all parse, except the
//! fragments that Loki refuses too (`{name !~ "mysql.+"}` alone has no non-empty matcher).
//! No Loki code is used: this is written from the grammar's structure.
//!
//! [`parse`] gives the first error as a [`LogqlError`] (byte offsets into the text) with a
//! hint where the fix is known; [`parse_all`] recovers from errors and gives each (at most
//! [`MAX_ERRORS`]: a broken stage, matcher or operand is skipped, see `recover.rs`);
//! [`check`] / [`check_all`] are what the checker runs on a `logql` literal
//! (Grafana variables substituted with [`substitute_grafana_vars`], then [`parse_all`], then the
//! lints of [`lint`]: queries Loki accepts that cannot be meant, like `|= ""`).
//!
//! The parser takes time linear in the text's length, and nesting deeper than [`MAX_DEPTH`]
//! is an error, not a stack overflow.

use crate::sema::query::substitute_grafana_vars;
use lex::err;

mod lex;
mod parse;
mod pipeline;
mod recover;
mod regexp;

pub use parse::{parse, parse_all};
pub use recover::MAX_ERRORS;

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

// A chain of operators (`a + a + … + a`, `| a="b" and … and a="b"`) is parsed in a loop but
// nests as deep as it is long; dropping it recursively would overflow the stack at some
// hundred thousand terms. These drops take the children out first, into a list.
impl Drop for Expr {
    fn drop(&mut self) {
        fn children(e: &mut Expr, out: &mut Vec<Expr>) {
            match e {
                Expr::Binary { lhs, rhs, .. } => {
                    out.push(std::mem::replace(&mut **lhs, Expr::Number(0.0)));
                    out.push(std::mem::replace(&mut **rhs, Expr::Number(0.0)));
                }
                Expr::Vector { inner, .. } | Expr::LabelReplace { inner, .. } => out.push(std::mem::replace(&mut **inner, Expr::Number(0.0))),
                _ => {}
            }
        }
        let mut stack = vec![];
        children(self, &mut stack);
        while let Some(mut e) = stack.pop() {
            children(&mut e, &mut stack);
        }
    }
}

impl Drop for LabelFilter {
    fn drop(&mut self) {
        let leaf = || LabelFilter::Ip { name: String::new(), negated: false, cidr: String::new() };
        let mut stack = vec![];
        let take = |f: &mut LabelFilter, out: &mut Vec<LabelFilter>| {
            if let LabelFilter::And(a, b) | LabelFilter::Or(a, b) = f {
                out.push(std::mem::replace(&mut **a, leaf()));
                out.push(std::mem::replace(&mut **b, leaf()));
            }
        };
        take(self, &mut stack);
        while let Some(mut f) = stack.pop() {
            take(&mut f, &mut stack);
        }
    }
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
pub(super) const RANGE_GROUPING: &[&str] = &["avg_over_time", "stddev_over_time", "stdvar_over_time", "quantile_over_time", "max_over_time", "min_over_time", "first_over_time", "last_over_time"];
/// Range aggregations that work on `unwrap`ped values.
pub(super) const RANGE_UNWRAP: &[&str] = &[
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
pub(super) const RANGE_LINES: &[&str] = &["bytes_over_time", "bytes_rate", "count_over_time", "rate", "absent_over_time"];

/// Every function name: [`RANGE_FUNCTIONS`], [`VECTOR_FUNCTIONS`], `label_replace`, `vector`.
pub fn all_functions() -> impl Iterator<Item = &'static str> {
    RANGE_FUNCTIONS.iter().chain(VECTOR_FUNCTIONS).chain(&["label_replace", "vector"]).copied()
}

/// The kind of the top expression of `text` (`None` when it does not parse).
pub fn kind(text: &str) -> Option<Kind> {
    parse_grafana(text).ok().map(|e| e.kind())
}

/// [`parse`] after replacing Grafana's variables (positions kept): first as identifiers and
/// durations, then, if that fails, with numbers (`topk($k, …)`, `| status > $min`).
pub fn parse_grafana(text: &str) -> Result<Expr, LogqlError> {
    parse_grafana_all(text).map_err(|mut v| v.swap_remove(0))
}

/// [`parse_grafana`] with every error, as [`parse_all`] gives them (those of the first
/// substitution when neither parses).
pub fn parse_grafana_all(text: &str) -> Result<Expr, Vec<LogqlError>> {
    let first = parse_all(&substitute_grafana_vars(text, false));
    match first {
        Err(e) if text.contains('$') || text.contains("[[") => parse_all(&substitute_grafana_vars(text, true)).map_err(|_| e),
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

/// The check of a `logql` literal: [`parse_grafana`], then [`lint`]; the first problem.
pub fn check(text: &str) -> Option<LogqlError> {
    check_all(text).into_iter().next()
}

/// The check of a `logql` literal with every problem: the errors of [`parse_grafana_all`]
/// (at most [`MAX_ERRORS`]), or when it parses the [`lint`] (none or one). Empty: no problem.
pub fn check_all(text: &str) -> Vec<LogqlError> {
    match parse_grafana_all(text) {
        Ok(e) => lint(&e).into_iter().collect(),
        Err(v) => v,
    }
}

/// The stream-selector matchers of a LogQL text that need their label to exist: `=` a
/// non-empty value and `=~` (a regex that cannot match the empty value is not told apart
/// here: every `=~`), as (byte offset of the label name, its length, the name); empty when the
/// text does not parse. Grafana's variables are substituted first, positions kept.
pub fn positive_stream_matchers(text: &str) -> Vec<(usize, usize, String)> {
    let Ok(e) = parse_grafana(text) else { return vec![] };
    let mut out = vec![];
    for q in e.log_queries() {
        let sel = &q.selector;
        let inner = text.get(sel.offset..sel.offset + sel.len).unwrap_or("");
        let mut from = 0;
        for m in &sel.matchers {
            let positive = match m.op {
                MatchOp::Eq => !m.value.is_empty(),
                MatchOp::Re => m.value != ".*" && !m.value.is_empty(),
                MatchOp::Neq | MatchOp::Nre => false,
            };
            // the name in the selector's text, after the previous matcher's
            let at = inner[from.min(inner.len())..].find(m.name.as_str()).map(|i| from + i);
            if let Some(i) = at {
                from = i + m.name.len();
            }
            // (a name that is not in the text came from a Grafana variable, `{$label=~".+"}`:
            // not a label of its own)
            if let (true, Some(i)) = (positive, at) {
                out.push((sel.offset + i, m.name.len(), m.name.clone()));
            }
        }
    }
    out
}

/// For imported dashboards: what is wrong with a LogQL target (Loki's own errors, no lints),
/// every error recovery finds (at most [`MAX_ERRORS`]); with more than one, each says the
/// byte offset in the query where it starts. Empty: it parses.
pub fn problems(text: &str) -> Vec<String> {
    match parse_grafana_all(text) {
        Ok(_) => vec![],
        Err(v) if v.len() == 1 => v.into_iter().map(|e| e.message).collect(),
        Err(v) => v.into_iter().map(|e| format!("at byte {}: {}", e.offset, e.message)).collect(),
    }
}

#[cfg(test)]
mod tests;
