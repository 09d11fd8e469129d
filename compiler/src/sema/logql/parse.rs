//! The LogQL parser's expressions, after Loki's `pkg/logql/syntax/expr.y`: binary operators
//! by precedence (`or` < `and`/`unless` < comparisons < `+ -` < `* / %` < `^`, right
//! associative), range and vector aggregations, `label_replace`, `vector`, numbers, and the
//! checks of Loki's `ast.go` (which range aggregations take `unwrap`, a parameter, a grouping).
//! The log queries (selectors and pipelines) are in [`super::pipeline`].

use super::lex::*;
use super::recover::nesting;
use super::regexp::*;
use super::*;
use crate::diag::did_you_mean;

pub(super) struct P<'t> {
    pub(super) text: &'t str,
    pub(super) toks: Vec<Tok>,
    pub(super) i: usize,
    pub(super) depth: usize,
    /// the errors recovered from so far (see [`super::recover`])
    pub(super) errors: Vec<LogqlError>,
    /// the token the last recorded error was found at
    pub(super) last_err: Option<usize>,
    /// no more recovery: the nesting limit was passed, or [`super::recover::MAX_ERRORS`] reached
    pub(super) stop: bool,
    /// [`super::recover::MAX_ERRORS`] errors are recorded: the one that ends parsing is not new
    pub(super) capped: bool,
    /// for each token, the nesting of `(` and `{` before it
    pub(super) nest: Vec<i32>,
}

pub(super) type R<T> = Result<T, LogqlError>;

pub(super) fn describe(t: &Tok) -> String {
    match t.t {
        T::Eof => "the end of the query".into(),
        T::Str => "a string".into(),
        T::Range => format!("the range `[{}]`", t.s),
        _ => format!("`{}`", t.s),
    }
}

pub(super) fn is_cmp(t: T) -> bool {
    matches!(t, T::Eq | T::Neq | T::Re | T::Nre | T::CmpEq | T::Gt | T::Gte | T::Lt | T::Lte)
}

impl<'t> P<'t> {
    pub(super) fn peek(&self) -> &Tok {
        &self.toks[self.i]
    }

    pub(super) fn at(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)]
    }

    pub(super) fn bump(&mut self) -> Tok {
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    pub(super) fn prev_end(&self) -> usize {
        if self.i == 0 { 0 } else { self.toks[self.i - 1].end }
    }

    /// Whether the next token is the keyword `kw` (case-insensitive, as Loki's lexer).
    pub(super) fn kw(&self, k: usize, kw: &str) -> bool {
        let t = self.at(k);
        t.t == T::Ident && t.s.eq_ignore_ascii_case(kw)
    }

    pub(super) fn unexpected(&self, expected: &str) -> LogqlError {
        let t = self.peek();
        err(t.start, (t.end - t.start).max(1).min(self.text.len().saturating_sub(t.start)).max(if t.t == T::Eof { 0 } else { 1 }), format!("expected {expected}, found {}", describe(t)), None)
    }

    pub(super) fn expect(&mut self, t: T, expected: &str) -> R<Tok> {
        if self.peek().t == t {
            Ok(self.bump())
        } else {
            Err(self.unexpected(expected))
        }
    }

    pub(super) fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            // past the limit nothing is recovered: the nesting is the problem
            self.stop = true;
            let t = self.peek();
            return Err(err(t.start, 1, format!("the query nests more than {MAX_DEPTH} levels deep"), Some("split it into simpler queries".into())));
        }
        Ok(())
    }

    pub(super) fn snippet(&self, start: usize, end: usize) -> String {
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

    pub(super) fn expr(&mut self, min_prec: u8) -> R<Expr> {
        self.enter()?;
        let start = self.peek().start;
        let mut lhs = self.operand()?;
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
            let before = self.errors.len();
            let rhs = self.expr(if right { prec } else { prec + 1 })?;
            let rhs_end = self.prev_end();
            // (not when the right side was broken: the operator may be a misread word)
            let rhs_ok = self.errors.len() == before;
            for (side, e, s, en) in [("left", &lhs, start, lhs_end), ("right", &rhs, rhs_start, rhs_end)] {
                if e.kind() == Kind::Log && rhs_ok {
                    let q = self.snippet(s, en);
                    // both sides are parsed: each side that is a log query is its own error
                    self.note(err(
                        s,
                        en - s,
                        format!("the {side} side of `{op}` is a log query; binary operators combine metric queries"),
                        Some(format!("turn the lines into a metric first, like `count_over_time({q}[5m])`")),
                    ))?;
                }
            }
            lhs = Expr::Binary { op, bool_mod, matching, lhs: Box::new(lhs), rhs: Box::new(rhs) };
            lhs_end = self.prev_end();
        }
        self.depth -= 1;
        Ok(lhs)
    }

    pub(super) fn number(&mut self) -> R<f64> {
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

    pub(super) fn unary(&mut self) -> R<Expr> {
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

    pub(super) fn range_outside(&self) -> LogqlError {
        let t = self.peek();
        err(
            t.start,
            t.end - t.start,
            format!("a range `[{}]` only goes inside a range aggregation", t.s),
            Some(format!("count the lines over the range: `count_over_time({{…}}[{}])`, or drop the range for a log query", t.s)),
        )
    }

    pub(super) fn is_call(&self) -> bool {
        self.at(1).t == T::LParen || ((self.kw(1, "by") || self.kw(1, "without")) && self.at(2).t == T::LParen)
    }

    pub(super) fn function(&mut self) -> R<Expr> {
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
        if all_functions().any(|f| f == name) {
            let hint = if RANGE_FUNCTIONS.contains(&name.as_str()) { format!("`{name}({{…}}[5m])`") } else { format!("`{name}(…)`") };
            return Err(err(t.start, len, format!("`{}` needs its arguments in parentheses", t.s), Some(hint)));
        }
        if let Some(h) = did_you_mean(&name, all_functions()) {
            return Err(err(t.start, len, format!("unknown function `{}`", t.s), Some(h)));
        }
        if self.at(1).t == T::LParen {
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

    pub(super) fn grouping(&mut self) -> R<Grouping> {
        let t = self.bump();
        let without = t.s.eq_ignore_ascii_case("without");
        let labels = self.labels(&t.s.to_ascii_lowercase())?;
        Ok(Grouping { without, labels })
    }

    /// `( label, … )` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
    pub(super) fn labels(&mut self, after: &str) -> R<Vec<String>> {
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

    pub(super) fn range_agg(&mut self, op: &str) -> R<Expr> {
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
    pub(super) fn log_range(&mut self, op: &str, op_start: usize) -> R<(LogQuery, String, Option<String>, Option<Unwrap>)> {
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

    pub(super) fn log_range_inner(&mut self, op: &str, op_start: usize, in_parens: bool) -> R<(LogQuery, Option<String>, Option<String>, Option<Unwrap>)> {
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

    pub(super) fn offset(&mut self) -> R<Option<String>> {
        if !self.kw(0, "offset") {
            return Ok(None);
        }
        self.bump();
        let d = self.expect(T::Dur, "a duration after `offset`, like `offset 1h`")?;
        Ok(Some(d.s))
    }

    pub(super) fn unwrap(&mut self) -> R<Option<Unwrap>> {
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

    pub(super) fn vector_agg(&mut self, op: &str) -> R<Expr> {
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

    pub(super) fn label_replace(&mut self) -> R<Expr> {
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
}

/// Parse a LogQL query as Loki 3.5 does (no Grafana variables: see [`check`]); its first
/// error, the one [`parse_all`] lists first.
pub fn parse(text: &str) -> Result<Expr, LogqlError> {
    parse_all(text).map_err(|mut v| v.swap_remove(0))
}

/// Parse a LogQL query, recovering from errors (see [`super::recover`]): the expression, or
/// every error found (at least one, at most [`super::recover::MAX_ERRORS`], in the order met;
/// the first is the one a parser stopping at its first error reports). A lexical error (an
/// unterminated string, a bad escape) is reported alone.
pub fn parse_all(text: &str) -> Result<Expr, Vec<LogqlError>> {
    let toks = lex(text).map_err(|e| vec![e])?;
    let last = toks.len().checked_sub(2).map(|i| (toks[i].start, toks[i].end - toks[i].start));
    let nest = nesting(&toks);
    let mut p = P { text, toks, i: 0, depth: 0, errors: vec![], last_err: None, stop: false, capped: false, nest };
    let r = p.top();
    let mut errors = std::mem::take(&mut p.errors);
    match r {
        Ok(e) if errors.is_empty() => return Ok(e),
        Ok(_) => {}
        // the error that ended parsing, unless it is a follow-on of the last one recorded
        Err(e) => {
            if !p.capped && (errors.is_empty() || p.last_err != Some(p.i)) {
                errors.push(e);
            }
        }
    }
    // an error at the end of the text points at the query's last token
    for e in &mut errors {
        // inside the text (an error "at" the end has no width), then on the last token
        e.offset = e.offset.min(text.len());
        e.len = e.len.min(text.len() - e.offset);
        if let (Some((o, l)), 0) = (last, e.len) {
            if e.offset >= o + l {
                (e.offset, e.len) = (o, l);
            }
        }
    }
    Err(errors)
}

impl<'t> P<'t> {
    pub(super) fn top(&mut self) -> R<Expr> {
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
