//! A TraceQL parser: a lexer and a recursive-descent parser with a small AST, for the
//! checker's E0402 (issue #17). It follows the grammar of Tempo 2.9, the version the stack
//! renders (`compiler/src/sema/schema/components.rs`: Tempo `version` "2.9"):
//! `pkg/traceql/expr.y` (the yacc grammar: spanset filters and operators, pipelines,
//! aggregates, `by`, `coalesce`, `select`, metrics functions and their second stage,
//! `with(...)` hints) and `pkg/traceql/lexer.go` (its tokens, keywords, intrinsics, scopes,
//! attribute names and durations) of grafana/tempo v2.9.x, and the TraceQL pages of its docs.
//! Written from the grammar's structure (Tempo's code is AGPL: none of it is here).
//!
//! Beyond the grammar it rejects, with a hint, what gstack rejects elsewhere: a duration
//! intrinsic compared with a number without a unit (`duration > 100`: Tempo reads it as
//! nanoseconds), and comparisons whose two sides have static types that cannot match
//! (`name > 2s`, `status = "error"`). It is a little more permissive than `expr.y` in rare
//! corners (a parenthesized pipeline may be followed by a metrics function).
//!
//! Positions are byte offsets into the query text. The parser is linear in the text's length
//! and its nesting is bounded ([`MAX_DEPTH`]), so no input overflows the stack.

use crate::diag::did_you_mean;

mod field;
mod lex;
mod parse;
mod recover;
#[cfg(test)]
mod tests;

use lex::*;
use parse::*;
pub use recover::MAX_ERRORS;

/// What a whole query yields: spans (a search) or time series (a metrics query, `| rate()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Spans,
    Metrics,
}

/// A problem of a TraceQL text: `len` bytes at byte `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceqlError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// The deepest nesting of `{`, `(` the parser follows.
pub const MAX_DEPTH: usize = 64;

// ---- AST ------------------------------------------------------------------------------------

/// A parsed query: its pipeline, the metrics function and second stage if any, its hints.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub pipeline: Pipeline,
    pub metrics: Option<Metrics>,
    pub second_stage: Option<(String, i64)>,
    pub hints: Vec<(String, Field)>,
}

impl Query {
    pub fn kind(&self) -> Kind {
        if self.metrics.is_some() {
            Kind::Metrics
        } else {
            Kind::Spans
        }
    }
}

/// Stages separated by `|`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline(pub Vec<Stage>);

#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    Spanset(Spanset),
    /// `count() > 2`, `avg(duration) > 1s`
    ScalarFilter(Scalar, String, Scalar),
    /// a bare aggregate ending a parenthesized pipeline: `({ } | count())`
    Aggregate(Scalar),
    By(Field),
    Coalesce,
    Select(Vec<Field>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Spanset {
    /// `{ … }`; `None` for `{}`
    Filter(Option<Field>),
    /// `&&`, `||`, `>`, `>>`, `<`, `<<`, `~` and their `!`/`&` forms
    Op(String, Box<Spanset>, Box<Spanset>),
    /// `( pipeline )`
    Wrapped(Box<Pipeline>),
    /// `( pipeline | aggregate ) op …` compared with a scalar
    ScalarPipeline(Box<ScalarPipe>, String, Box<ScalarPipe>),
}

/// One side of a scalar pipeline comparison: `({ } | count()) + ({ } | count())`, or a number.
#[derive(Clone, Debug, PartialEq)]
pub enum ScalarPipe {
    Pipe(Box<Pipeline>),
    Static(Static),
    Op(String, Box<ScalarPipe>, Box<ScalarPipe>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Aggregate(String, Option<Box<Field>>),
    Static(Static),
    Op(String, Box<Scalar>, Box<Scalar>),
}

/// A field expression (inside `{ }`, `by( )`, aggregates).
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    Static(Static),
    /// `duration`, `span:name`, `trace:rootService`, …
    Intrinsic(String),
    /// scope (`""` for `.foo`, `span`, `resource`, `parent.span`, …) and name
    Attribute(String, String),
    Unary(String, Box<Field>),
    Binary(String, Box<Field>, Box<Field>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Static {
    Str(String),
    Int(i64),
    Float(f64),
    Duration(String),
    Bool(bool),
    Nil,
    Status(String),
    Kind(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    pub function: String,
    pub args: Vec<Field>,
    pub by: Vec<Field>,
}

// Trees as deep as a query is long (`a && b && …`, `{ } >> { } >> …`) are dropped without
// recursion: each node hands its children to a stack first.

fn take<T>(b: &mut Box<T>, leaf: impl FnOnce() -> T) -> T {
    std::mem::replace(&mut **b, leaf())
}

impl Drop for Field {
    fn drop(&mut self) {
        let leaf = || Field::Static(Static::Nil);
        let mut stack = vec![];
        let children = |f: &mut Field, stack: &mut Vec<Field>| match f {
            Field::Unary(_, a) => stack.push(take(a, leaf)),
            Field::Binary(_, a, b) => {
                stack.push(take(a, leaf));
                stack.push(take(b, leaf));
            }
            _ => {}
        };
        children(self, &mut stack);
        while let Some(mut f) = stack.pop() {
            children(&mut f, &mut stack);
        }
    }
}

impl Drop for Spanset {
    fn drop(&mut self) {
        let leaf = || Spanset::Filter(None);
        let mut stack = vec![];
        let children = |s: &mut Spanset, stack: &mut Vec<Spanset>| {
            if let Spanset::Op(_, a, b) = s {
                stack.push(take(a, leaf));
                stack.push(take(b, leaf));
            }
        };
        children(self, &mut stack);
        while let Some(mut s) = stack.pop() {
            children(&mut s, &mut stack);
        }
    }
}

impl Drop for Scalar {
    fn drop(&mut self) {
        let leaf = || Scalar::Static(Static::Nil);
        let mut stack = vec![];
        let children = |s: &mut Scalar, stack: &mut Vec<Scalar>| {
            if let Scalar::Op(_, a, b) = s {
                stack.push(take(a, leaf));
                stack.push(take(b, leaf));
            }
        };
        children(self, &mut stack);
        while let Some(mut s) = stack.pop() {
            children(&mut s, &mut stack);
        }
    }
}

impl Drop for ScalarPipe {
    fn drop(&mut self) {
        let leaf = || ScalarPipe::Static(Static::Nil);
        let mut stack = vec![];
        let children = |s: &mut ScalarPipe, stack: &mut Vec<ScalarPipe>| {
            if let ScalarPipe::Op(_, a, b) = s {
                stack.push(take(a, leaf));
                stack.push(take(b, leaf));
            }
        };
        children(self, &mut stack);
        while let Some(mut s) = stack.pop() {
            children(&mut s, &mut stack);
        }
    }
}

// ---- vocabulary (lexer.go, expr.y) ----------------------------------------------------------

/// Unscoped intrinsics (`intrinsicField`).
pub const INTRINSICS: &[&str] = &[
    "duration", "childCount", "name", "status", "statusMessage", "kind", "parent", "rootName", "rootServiceName",
    "traceDuration", "nestedSetLeft", "nestedSetRight", "nestedSetParent",
];

/// Scoped intrinsics (`scopedIntrinsicField`).
pub const SCOPED_INTRINSICS: &[&str] = &[
    "trace:duration", "trace:rootName", "trace:rootService", "trace:id", "span:duration", "span:name", "span:kind",
    "span:status", "span:statusMessage", "span:id", "span:parentID", "event:name", "event:timeSinceStart",
    "link:traceID", "link:spanID", "instrumentation:name", "instrumentation:version",
];

/// Attribute scopes, each written with its `.`.
pub const SCOPES: &[&str] = &["span", "resource", "parent", "event", "link", "instrumentation"];

const STATUS_VALUES: &[&str] = &["ok", "error", "unset"];
const KIND_VALUES: &[&str] = &["unspecified", "internal", "server", "client", "producer", "consumer"];
/// Spanset aggregates (`| count() > 2`, `| avg(duration) > 1s`).
pub const AGGREGATES: &[&str] = &["count", "avg", "max", "min", "sum"];
/// First-stage metrics functions (`metricsAggregation`).
pub const METRICS_FUNCTIONS: &[&str] = &[
    "rate", "count_over_time", "min_over_time", "max_over_time", "avg_over_time", "sum_over_time",
    "quantile_over_time", "histogram_over_time", "compare",
];
/// Second-stage functions of a metrics query (`| rate() by (x) | topk(5)`).
pub const SECOND_STAGE: &[&str] = &["topk", "bottomk"];
/// Pipeline functions over spansets.
pub const PIPELINE_FUNCTIONS: &[&str] = &["by", "coalesce", "select"];

/// Every word the lexer knows (for did-you-mean on a bare identifier).
fn keywords() -> impl Iterator<Item = &'static str> {
    INTRINSICS.iter().chain(STATUS_VALUES).chain(KIND_VALUES).chain(["true", "false", "nil"].iter()).copied()
}

/// Every function name: [`AGGREGATES`], [`METRICS_FUNCTIONS`], [`SECOND_STAGE`], [`PIPELINE_FUNCTIONS`].
pub fn functions() -> impl Iterator<Item = &'static str> {
    AGGREGATES.iter().chain(METRICS_FUNCTIONS).chain(SECOND_STAGE).chain(PIPELINE_FUNCTIONS).copied()
}

/// Parse a TraceQL query (Grafana variables already substituted): its first error, the one
/// [`parse_all`] lists first.
pub fn parse(text: &str) -> Result<Query, TraceqlError> {
    recover::run(text, text)
}

/// Parse a TraceQL query, recovering from errors (a broken condition of a spanset or a broken
/// pipeline stage is skipped, see `recover.rs`): the query, or every error found (at least one,
/// at most [`MAX_ERRORS`], in the order met; the first is the one [`parse`] gives). A lexical
/// error (an unterminated string, a bad number) is reported alone.
pub fn parse_all(text: &str) -> Result<Query, Vec<TraceqlError>> {
    recover::run_all(text, text)
}

/// Parse a query as it appears in gstack and Grafana: Grafana's variables (`$var`, `${var}`,
/// `$__range`) are replaced first, keeping byte positions. The first error.
pub fn check(text: &str) -> Result<Query, TraceqlError> {
    check_all(text).map_err(|mut v| v.swap_remove(0))
}

/// [`check`] with every error, as [`parse_all`] gives them.
pub fn check_all(text: &str) -> Result<Query, Vec<TraceqlError>> {
    // a variable becomes a number of its width; its type is unknown (`{ name = $n }` is fine)
    recover::run_all(&crate::sema::query::substitute_grafana_vars(text, true), text)
}

/// What a query yields, if it parses.
pub fn kind(text: &str) -> Option<Kind> {
    check(text).ok().map(|q| q.kind())
}

/// A TraceQL query that does not fit the panel showing it (`kind` as in `timeseries "…"`):
/// a metrics query (`| rate()`) in a `traces` panel, which lists traces, or a search (no
/// metrics function) in a panel that draws series (`timeseries`, `stat`, `gauge`, `bargauge`,
/// `heatmap`). A `table` shows either; other panels are not judged. (message, hint).
pub fn panel_problem(panel: &str, text: &str) -> Option<(String, String)> {
    match (panel, kind(text)?) {
        ("traces", Kind::Metrics) => Some((
            "a TraceQL metrics query in a `traces` panel, which lists traces, not series".into(),
            "draw it in a `timeseries` panel, or drop the metrics function (`| rate()`, `| count_over_time()`, …) to list the matching traces".into(),
        )),
        ("timeseries" | "stat" | "gauge" | "bargauge" | "heatmap", Kind::Spans) => Some((
            format!("a TraceQL search in a `{panel}` panel: it finds traces, not series to draw"),
            "add a metrics function, e.g. `… | rate()`, `… | count_over_time() by (resource.service.name)` or `… | quantile_over_time(duration, .99)`; or list the traces in a `traces` or `table` panel".into(),
        )),
        _ => None,
    }
}
