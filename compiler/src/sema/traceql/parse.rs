//! The TraceQL parser (Tempo 2.9 `pkg/traceql/expr.y`): the root, pipelines and their stages,
//! spanset expressions, scalar filters and pipelines, metrics functions.

use super::*;


/// Static types of field expressions, as far as they are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    Str,
    Int,
    Float,
    Duration,
    Bool,
    Status,
    Kind,
    Nil,
    /// an attribute or anything else not known statically
    Any,
}

impl Ty {
    pub(super) fn numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Float | Ty::Duration)
    }
    pub(super) fn name(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Int => "an integer",
            Ty::Float => "a number",
            Ty::Duration => "a duration",
            Ty::Bool => "a boolean",
            Ty::Status => "a status",
            Ty::Kind => "a span kind",
            Ty::Nil => "nil",
            Ty::Any => "an attribute",
        }
    }
}

pub(super) fn intrinsic_type(name: &str) -> Ty {
    match name {
        "duration" | "traceDuration" | "trace:duration" | "span:duration" | "event:timeSinceStart" => Ty::Duration,
        "status" | "span:status" => Ty::Status,
        "kind" | "span:kind" => Ty::Kind,
        "childCount" | "nestedSetLeft" | "nestedSetRight" | "nestedSetParent" => Ty::Int,
        "parent" => Ty::Any,
        _ => Ty::Str,
    }
}

/// What a parenthesized or top-level pipeline expression turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Spanset,
    /// a pipeline ending with a bare aggregate: `({ } | count())`
    ScalarPipe,
}

pub(super) struct Parser<'t> {
    pub(super) text: &'t str,
    /// the text before Grafana's variables were substituted (same byte positions)
    pub(super) orig: &'t str,
    pub(super) toks: Vec<Token>,
    pub(super) pos: usize,
    pub(super) depth: usize,
    /// for each token, the index of the first token at or after it that is not `(`
    pub(super) after_parens: Vec<usize>,
    /// recovery (see [`super::recover`]): the errors so far, the token of the last one, no
    /// more recovery, [`super::recover::MAX_ERRORS`] reached, each token's bracket nesting
    pub(super) errors: Vec<TraceqlError>,
    pub(super) last_err: Option<usize>,
    pub(super) stop: bool,
    pub(super) capped: bool,
    pub(super) nest: Vec<i32>,
}

pub(super) type R<T> = Result<T, TraceqlError>;

pub(super) const SPANSET_OPS: &[&str] = &["&&", "||", ">", ">>", "<", "<<", "~", "!>", "!>>", "!<", "!<<", "!~", "&>", "&>>", "&<", "&<<", "&~"];
pub(super) const COMPARISONS: &[&str] = &["=", "!=", "<", "<=", ">", ">="];

impl<'t> Parser<'t> {
    pub(super) fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }
    pub(super) fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }
    pub(super) fn tok(&self) -> &Token {
        &self.toks[self.pos]
    }
    pub(super) fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    pub(super) fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    pub(super) fn shown(&self) -> String {
        let t = self.tok();
        if t.tok == Tok::Eof {
            "the end of the query".into()
        } else {
            let s = &self.text[t.start..t.end];
            let s: String = s.chars().take(40).collect();
            format!("`{s}`")
        }
    }
    pub(super) fn unexpected(&self, expected: &str) -> TraceqlError {
        let mut t = self.tok();
        if t.tok == Tok::Eof && self.pos > 0 {
            // nothing to point at past the end: point at the last token
            t = &self.toks[self.pos - 1];
        }
        err(t.start, t.end - t.start, format!("expected {expected}, found {}", self.shown()), None)
    }
    pub(super) fn expect(&mut self, want: Tok, shown: &str) -> R<Token> {
        if *self.peek() == want {
            Ok(self.bump())
        } else {
            Err(self.unexpected(&format!("`{shown}`")))
        }
    }
    pub(super) fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.stop = true;
            let t = self.tok();
            return Err(err(t.start, t.end - t.start, format!("the query nests deeper than {MAX_DEPTH} levels"), None));
        }
        Ok(())
    }
    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }
    pub(super) fn ident_is(&self, words: &[&str]) -> Option<String> {
        match self.peek() {
            Tok::Ident(w) if words.contains(&w.as_str()) => Some(w.clone()),
            _ => None,
        }
    }

    // root: pipeline [| metrics [| topk/bottomk]] [with(...)]
    pub(super) fn root(&mut self) -> R<Query> {
        let (pipeline, class, metrics, second_stage) = self.pipeline(true)?;
        if class == Class::ScalarPipe {
            let t = &self.toks[self.pos.saturating_sub(1)];
            let hint = if self.ident_is(&["by"]).is_some() {
                "an aggregate filters spansets (`{ } | count() > 10`); for series per value, use a metrics function: `{ } | count_over_time() by (resource.service.name)`"
            } else {
                "add a comparison: `({ } | count()) > 10`, or inside the pipeline `{ } | count() > 10`; for a time series, use a metrics function: `{ } | count_over_time()`"
            };
            return Err(err(0, t.end, "a pipeline ending in an aggregate must be compared with a value", Some(hint.into())));
        }
        let mut hints = vec![];
        if self.ident_is(&["with"]).is_some() {
            self.bump();
            self.expect(Tok::LParen, "(")?;
            loop {
                let Tok::Ident(name) = self.peek().clone() else { return Err(self.unexpected("a hint name, as in `with(sample=true)`")) };
                self.bump();
                if !self.is_op("=") {
                    return Err(self.unexpected("`=`"));
                }
                self.bump();
                let (v, _) = self.operand()?;
                if !matches!(v, Field::Static(_)) {
                    return Err(self.unexpected("a value"));
                }
                hints.push((name, v));
                if *self.peek() == Tok::Comma {
                    self.bump();
                    continue;
                }
                self.expect(Tok::RParen, ")")?;
                break;
            }
        }
        if *self.peek() != Tok::Eof {
            let t = self.tok().clone();
            let hint = match &t.tok {
                Tok::Op(o) if SPANSET_OPS.contains(o) => Some("spanset operators combine spansets `{ … }`; to combine pipelines, wrap each in parentheses: `({ … } | by(.x)) && ({ … })`".to_string()),
                Tok::RParen | Tok::RBrace => Some("this bracket closes nothing".to_string()),
                Tok::LBrace => Some("combine spansets with an operator: `{ … } && { … }`, or a pipeline `{ … } | { … }`".to_string()),
                _ => None,
            };
            return Err(err(t.start, t.end - t.start, format!("unexpected {} after a complete query", self.shown()), hint));
        }
        Ok(Query { pipeline, metrics, second_stage, hints })
    }

    /// Stages separated by `|`; at the top level, a metrics function and its second stage.
    pub(super) fn pipeline(&mut self, top: bool) -> R<(Pipeline, Class, Option<Metrics>, Option<(String, i64)>)> {
        self.enter()?;
        let mut stages = vec![];
        let mut class = Class::Spanset;
        let mut scalar_compared = false;
        // a broken stage is recorded and skipped (see `recover`)
        if let Some((first, c)) = self.recovering_stage(true)? {
            class = if c == Class::ScalarPipe { c } else { class };
            scalar_compared = matches!(&first, Stage::Spanset(Spanset::ScalarPipeline(..)));
            stages.push(first);
        }
        let mut metrics = None;
        let mut second = None;
        while self.is_op("|") && !scalar_compared {
            let bar = self.bump();
            if class == Class::ScalarPipe {
                return Err(err(bar.start, 1, "nothing can follow an aggregate in a pipeline but a comparison", Some("compare it: `| count() > 2`".into())));
            }
            if let Some(f) = self.ident_is(METRICS_FUNCTIONS) {
                if !top {
                    let t = self.tok();
                    return Err(err(t.start, t.end - t.start, format!("the metrics function `{f}` must end the whole query, not a parenthesized part"), None));
                }
                metrics = self.recovering_metrics()?;
                if self.is_op("|") {
                    let bar = self.bump();
                    let Some(f) = self.ident_is(SECOND_STAGE) else {
                        let hint = self.function_hint();
                        let mut e = self.unexpected("`topk(n)` or `bottomk(n)` after a metrics function");
                        e.hint = hint.or_else(|| Some(format!("a metrics query ends with its function (and `| topk(10)` or `| bottomk(10)`); the `|` at byte {} starts nothing else", bar.start)));
                        return Err(e);
                    };
                    self.bump();
                    self.expect(Tok::LParen, "(")?;
                    let Tok::Int(n) = *self.peek() else { return Err(self.unexpected(&format!("an integer, as in `{f}(10)`"))) };
                    if n <= 0 {
                        return Err(err(self.tok().start, self.tok().end - self.tok().start, format!("`{f}({n})` keeps no series"), Some(format!("write `{f}(10)`: a count above 0"))));
                    }
                    if metrics.as_ref().is_some_and(|m: &Metrics| m.function == "compare") {
                        return Err(err(bar.start, 1, format!("`compare` ranks its own attributes; `{f}` cannot follow it"), Some("give `compare` its top count: `compare({ … }, 10)`".into())));
                    }
                    self.bump();
                    self.expect(Tok::RParen, ")")?;
                    second = Some((f, n));
                }
                break;
            }
            if let Some(f) = self.ident_is(SECOND_STAGE) {
                let t = self.tok();
                return Err(err(t.start, t.end - t.start, format!("`{f}` ranks the series of a metrics function"), Some(format!("put a metrics function first: `{{ }} | rate() by (resource.service.name) | {f}(10)`"))));
            }
            if let Some((s, c)) = self.recovering_stage(false)? {
                class = if c == Class::ScalarPipe { c } else { class };
                stages.push(s);
            }
        }
        self.leave();
        Ok((Pipeline(stages), class, metrics, second))
    }

    /// A hint for an identifier where a function is expected: did you mean.
    pub(super) fn function_hint(&self) -> Option<String> {
        match self.peek() {
            Tok::Ident(w) => did_you_mean(w, functions()).map(|h| h.replace("`?", "()`?")),
            _ => None,
        }
    }

    /// One pipeline stage.
    pub(super) fn stage(&mut self, first: bool) -> R<(Stage, Class)> {
        let t = self.tok().clone();
        match &t.tok {
            Tok::Ident(w) if w == "by" => {
                self.bump();
                self.expect(Tok::LParen, "(")?;
                let at = self.tok().start;
                let (f, ty) = self.field()?;
                if constant(&f, ty) {
                    let end = self.toks[self.pos.saturating_sub(1)].end;
                    return Err(err(at, end - at, "`by` of a constant: it groups by a field of the spans", Some("write `by(resource.service.name)` or `by(span.http.route)`".into())));
                }
                self.expect(Tok::RParen, ")")?;
                Ok((Stage::By(f), Class::Spanset))
            }
            Tok::Ident(w) if w == "coalesce" && !first => {
                self.bump();
                self.expect(Tok::LParen, "(")?;
                self.expect(Tok::RParen, ")")?;
                Ok((Stage::Coalesce, Class::Spanset))
            }
            Tok::Ident(w) if w == "select" => {
                self.bump();
                self.expect(Tok::LParen, "(")?;
                let list = self.attribute_list()?;
                self.expect(Tok::RParen, ")")?;
                Ok((Stage::Select(list), Class::Spanset))
            }
            Tok::Ident(w) if AGGREGATES.contains(&w.as_str()) => self.scalar_stage(),
            Tok::Int(_) | Tok::Float(_) | Tok::Duration(_) => self.scalar_stage(),
            Tok::Op("-") => self.scalar_stage(),
            Tok::LParen => {
                // `(count() + 1) > 2` is scalar; `({ … } …)` a spanset
                let j = self.after_parens[self.pos];
                let scalar = match &self.toks[j].tok {
                    Tok::Ident(w) => AGGREGATES.contains(&w.as_str()),
                    Tok::Int(_) | Tok::Float(_) | Tok::Duration(_) | Tok::Op("-") => true,
                    _ => false,
                };
                if scalar {
                    self.scalar_stage()
                } else {
                    self.spanset_stage()
                }
            }
            Tok::LBrace => self.spanset_stage(),
            Tok::Ident(w) if INTRINSICS.contains(&w.as_str()) => {
                Err(err(t.start, t.end - t.start, format!("`{w}` outside a spanset's braces"), Some(format!("conditions go inside braces: `{{ {w} … }}`"))))
            }
            Tok::Ident(w) => {
                let hint = did_you_mean(w, functions()).map(|h| h.replace("`?", "()`?"));
                let what = if self.peek_at(1) == &Tok::LParen { format!("unknown function `{w}`") } else { format!("unexpected `{w}`") };
                let hint = hint.or_else(|| {
                    Some(if first {
                        "a query starts with a spanset: `{ … }` (for instance `{ resource.service.name = \"api\" }`)".into()
                    } else {
                        format!("after `|` come a spanset `{{ … }}`, `count() > n` (or `avg`, `min`, `max`, `sum`), `by(…)`, `select(…)`, `coalesce()` or a metrics function ({})", METRICS_FUNCTIONS.join(", "))
                    })
                });
                Err(err(t.start, t.end - t.start, what, hint))
            }
            Tok::Attr(..) | Tok::Scoped(_) | Tok::Str(_) => {
                let s = self.text[t.start..t.end].to_string();
                Err(err(t.start, t.end - t.start, format!("`{s}` outside a spanset's braces"), Some(format!("conditions go inside braces: `{{ {s} … }}`"))))
            }
            _ => Err(self.unexpected(if first { "a spanset `{ … }`" } else { "a spanset `{ … }`, an aggregate, `by(…)` or a metrics function after `|`" })),
        }
    }

    /// A spanset expression, or a scalar pipeline compared: `({ } | count()) > 2`.
    pub(super) fn spanset_stage(&mut self) -> R<(Stage, Class)> {
        let (mut s, c) = self.spanset_expr(0)?;
        if c == Class::Spanset {
            return Ok((Stage::Spanset(s), c));
        }
        // a scalar pipeline: arithmetic, then a comparison (or it ends a parenthesized pipeline)
        let Spanset::Wrapped(p) = &mut s else { unreachable!() };
        let p = std::mem::replace(p, Box::new(Pipeline(vec![])));
        let mut lhs = self.scalar_pipe_rest(ScalarPipe::Pipe(p), 0)?;
        match self.peek() {
            Tok::Op(o) if COMPARISONS.contains(o) => {
                let op = o.to_string();
                self.bump();
                let (rhs, _) = self.scalar_pipe_operand()?;
                let rhs = self.scalar_pipe_rest(rhs, 0)?;
                Ok((Stage::Spanset(Spanset::ScalarPipeline(Box::new(lhs), op, Box::new(rhs))), Class::Spanset))
            }
            _ => match &mut lhs {
                ScalarPipe::Pipe(p) => Ok((Stage::Spanset(Spanset::Wrapped(std::mem::replace(p, Box::new(Pipeline(vec![]))))), Class::ScalarPipe)),
                _ => Err(self.unexpected("a comparison (`>`, `<`, `=`, …)")),
            },
        }
    }

    pub(super) fn scalar_pipe_operand(&mut self) -> R<(ScalarPipe, ())> {
        match self.peek().clone() {
            Tok::Int(n) => {
                self.bump();
                Ok((ScalarPipe::Static(Static::Int(n)), ()))
            }
            Tok::Float(x) => {
                self.bump();
                Ok((ScalarPipe::Static(Static::Float(x)), ()))
            }
            Tok::Duration(d) => {
                self.bump();
                Ok((ScalarPipe::Static(Static::Duration(d)), ()))
            }
            Tok::LParen => {
                let open = self.bump();
                self.enter()?;
                let (p, c, _, _) = self.pipeline(false)?;
                self.leave();
                self.close_paren(open.start)?;
                if c != Class::ScalarPipe {
                    return Err(err(open.start, 1, "expected a pipeline ending in an aggregate, as in `({ } | count())`", None));
                }
                Ok((ScalarPipe::Pipe(Box::new(p)), ()))
            }
            _ => Err(self.unexpected("a number or a pipeline ending in an aggregate `({ } | count())`")),
        }
    }

    pub(super) fn scalar_pipe_rest(&mut self, mut lhs: ScalarPipe, min: u8) -> R<ScalarPipe> {
        loop {
            let Tok::Op(o) = self.peek().clone() else { return Ok(lhs) };
            let Some(p) = arith_prec(o) else { return Ok(lhs) };
            if p < min {
                return Ok(lhs);
            }
            self.bump();
            self.enter()?;
            let (rhs, _) = self.scalar_pipe_operand()?;
            let rhs = self.scalar_pipe_rest(rhs, if o == "^" { p } else { p + 1 })?;
            self.leave();
            lhs = ScalarPipe::Op(o.to_string(), Box::new(lhs), Box::new(rhs));
        }
    }

    pub(super) fn close_paren(&mut self, open: usize) -> R<()> {
        if *self.peek() == Tok::RParen {
            self.bump();
            return Ok(());
        }
        let mut e = self.unexpected("`)`");
        if *self.peek() == Tok::Eof {
            e = err(open, 1, "unclosed `(`", Some("add the `)` that closes it".into()));
        }
        Err(e)
    }

    /// Spanset operands combined by spanset operators: `&&`/`||` bind loosest, structural
    /// operators tighter (expr.y's precedence), all left-associative.
    pub(super) fn spanset_expr(&mut self, min: u8) -> R<(Spanset, Class)> {
        self.enter()?;
        let (mut lhs, c) = self.spanset_operand()?;
        if c == Class::ScalarPipe {
            self.leave();
            return Ok((lhs, c));
        }
        loop {
            let Tok::Op(o) = self.peek().clone() else { break };
            if !SPANSET_OPS.contains(&o) {
                break;
            }
            let p = if o == "&&" || o == "||" { 1 } else { 2 };
            if p < min {
                break;
            }
            let op_tok = self.bump();
            if !matches!(self.peek(), Tok::LBrace | Tok::LParen) {
                let mut e = self.unexpected(&format!("a spanset `{{ … }}` after `{o}`"));
                if matches!(self.peek(), Tok::Eof | Tok::RParen) {
                    e.hint = Some(format!("complete it, `{{ … }} {o} {{ … }}`, or remove the `{o}` at byte {}", op_tok.start));
                }
                return Err(e);
            }
            let (rhs, rc) = self.spanset_expr(p + 1)?;
            if rc == Class::ScalarPipe {
                return Err(err(op_tok.start, op_tok.end - op_tok.start, format!("`{o}` combines spansets, not a pipeline ending in an aggregate"), None));
            }
            lhs = Spanset::Op(o.to_string(), Box::new(lhs), Box::new(rhs));
        }
        self.leave();
        Ok((lhs, Class::Spanset))
    }

    pub(super) fn spanset_operand(&mut self) -> R<(Spanset, Class)> {
        match self.peek() {
            Tok::LBrace => {
                let open = self.bump();
                if *self.peek() == Tok::RBrace {
                    self.bump();
                    return Ok((Spanset::Filter(None), Class::Spanset));
                }
                let at = self.tok().start;
                let (f, ty) = self.conditions()?;
                if !matches!(ty, Ty::Bool | Ty::Any) && *self.peek() == Tok::RBrace {
                    let end = self.toks[self.pos - 1].end;
                    let x = self.text[at..end].trim().to_string();
                    return Err(err(at, end - at, format!("a spanset's filter is a condition, but `{x}` is {}", ty.name()), Some(format!("compare it: `{{ {x} = … }}`; `{{}}` selects every span"))));
                }
                match self.peek() {
                    Tok::RBrace => {
                        self.bump();
                        Ok((Spanset::Filter(Some(f)), Class::Spanset))
                    }
                    Tok::Eof => Err(err(open.start, 1, "unclosed `{`", Some("add the `}` that ends the spanset".into()))),
                    Tok::Op("|") => {
                        let t = self.tok();
                        Err(err(t.start, 1, "`|` inside a spanset's braces", Some("close the spanset first: `{ … } | count() > 1`; inside braces, `||` is \"or\"".into())))
                    }
                    _ => {
                        let mut e = self.unexpected("`}` or an operator");
                        if let Tok::Attr(..) | Tok::Ident(_) | Tok::Str(_) | Tok::Scoped(_) = self.peek() {
                            e.hint = Some("join conditions with `&&` or `||`".into());
                        }
                        Err(e)
                    }
                }
            }
            Tok::LParen => {
                let open = self.bump();
                let (mut p, c, _, _) = self.pipeline(false)?;
                self.close_paren(open.start)?;
                // `({ a })` stays a spanset; a one-stage wrapped spanset unwraps
                if c == Class::Spanset && p.0.len() == 1 && matches!(p.0[0], Stage::Spanset(_)) {
                    if let Some(Stage::Spanset(s)) = p.0.pop() {
                        return Ok((s, c));
                    }
                }
                Ok((Spanset::Wrapped(Box::new(p)), c))
            }
            _ => Err(self.unexpected("a spanset `{ … }`")),
        }
    }

    /// A scalar filter stage: `count() > 2`, `avg(duration) + 1s > 2s`; or a bare aggregate
    /// (allowed only as the last stage of a parenthesized pipeline).
    pub(super) fn scalar_stage(&mut self) -> R<(Stage, Class)> {
        let lhs = self.scalar(0)?;
        match self.peek() {
            Tok::Op(o) if COMPARISONS.contains(o) => {
                let op = o.to_string();
                self.bump();
                let rhs = self.scalar(0)?;
                Ok((Stage::ScalarFilter(lhs, op, rhs), Class::Spanset))
            }
            Tok::Op(o) if ["=~", "!~"].contains(o) => {
                let t = self.tok();
                Err(err(t.start, t.end - t.start, format!("`{o}` matches strings; an aggregate is a number"), Some("compare it with `=`, `!=`, `<`, `<=`, `>` or `>=`".into())))
            }
            _ if matches!(lhs, Scalar::Aggregate(..)) => Ok((Stage::Aggregate(lhs), Class::ScalarPipe)),
            _ => Err(self.unexpected("a comparison (`>`, `<`, `=`, …)")),
        }
    }

    pub(super) fn scalar(&mut self, min: u8) -> R<Scalar> {
        self.enter()?;
        let mut lhs = self.scalar_operand()?;
        loop {
            let Tok::Op(o) = self.peek().clone() else { break };
            let Some(p) = arith_prec(o) else { break };
            if p < min {
                break;
            }
            self.bump();
            let rhs = self.scalar(if o == "^" { p } else { p + 1 })?;
            lhs = Scalar::Op(o.to_string(), Box::new(lhs), Box::new(rhs));
        }
        self.leave();
        Ok(lhs)
    }

    pub(super) fn scalar_operand(&mut self) -> R<Scalar> {
        let t = self.tok().clone();
        match &t.tok {
            Tok::Int(n) => {
                self.bump();
                Ok(Scalar::Static(Static::Int(*n)))
            }
            Tok::Float(x) => {
                self.bump();
                Ok(Scalar::Static(Static::Float(*x)))
            }
            Tok::Duration(d) => {
                self.bump();
                Ok(Scalar::Static(Static::Duration(d.clone())))
            }
            Tok::Op("-") => {
                self.bump();
                match self.peek().clone() {
                    Tok::Int(n) => {
                        self.bump();
                        Ok(Scalar::Static(Static::Int(-n)))
                    }
                    Tok::Float(x) => {
                        self.bump();
                        Ok(Scalar::Static(Static::Float(-x)))
                    }
                    Tok::Duration(d) => {
                        self.bump();
                        Ok(Scalar::Static(Static::Duration(format!("-{d}"))))
                    }
                    _ => Err(self.unexpected("a number after `-`")),
                }
            }
            Tok::LParen => {
                self.bump();
                let s = self.scalar(0)?;
                self.close_paren(t.start)?;
                Ok(s)
            }
            Tok::Ident(w) if AGGREGATES.contains(&w.as_str()) => {
                let w = w.clone();
                self.bump();
                self.expect(Tok::LParen, "(")?;
                if w == "count" {
                    if *self.peek() != Tok::RParen {
                        let mut e = self.unexpected("`)`: `count()` takes no argument");
                        e.hint = Some("write `count()`; to count per value, group first: `by(.x) | count() > 1`".into());
                        return Err(e);
                    }
                    self.bump();
                    return Ok(Scalar::Aggregate(w, None));
                }
                if *self.peek() == Tok::RParen {
                    return Err(err(t.start, self.tok().end - t.start, format!("`{w}()` needs a field"), Some(format!("write `{w}(duration)` or `{w}(span.http.response.size)`"))));
                }
                let (f, ty) = self.field()?;
                if !(ty.numeric() || ty == Ty::Any) {
                    return Err(err(t.start, self.tok().end - t.start, format!("`{w}` aggregates numbers; its field is {}", ty.name()), None));
                }
                if constant(&f, ty) {
                    return Err(err(t.start, self.tok().end - t.start, format!("`{w}` of a constant: it aggregates a field of the spans"), Some(format!("write `{w}(duration)` or `{w}(span.http.response.size)`"))));
                }
                self.expect(Tok::RParen, ")")?;
                Ok(Scalar::Aggregate(w, Some(Box::new(f))))
            }
            Tok::Ident(w) => {
                let hint = did_you_mean(w, AGGREGATES.iter().copied()).map(|h| h.replace("`?", "()`?"));
                Err(err(t.start, t.end - t.start, format!("expected an aggregate (`count()`, `avg(…)`, `min`, `max`, `sum`) or a number, found `{w}`"), hint))
            }
            _ => Err(self.unexpected("an aggregate or a number")),
        }
    }

    /// A metrics function with its arguments and `by(…)`.
    pub(super) fn metrics(&mut self) -> R<Metrics> {
        let t = self.bump();
        let Tok::Ident(f) = t.tok else { unreachable!() };
        self.expect(Tok::LParen, "(")?;
        let mut args = vec![];
        match f.as_str() {
            "rate" | "count_over_time" => {
                if *self.peek() != Tok::RParen {
                    let mut e = self.unexpected(&format!("`)`: `{f}()` takes no argument"));
                    e.hint = Some(format!("write `{f}()`; to split the series, add `by(…)`: `{f}() by (resource.service.name)`"));
                    return Err(e);
                }
            }
            "compare" => {
                if *self.peek() != Tok::LBrace {
                    return Err(self.unexpected("a spanset `{ … }`, as in `compare({ status = error })`"));
                }
                let (mut s, _) = self.spanset_operand()?;
                let Spanset::Filter(f) = &mut s else { unreachable!() };
                if let Some(f) = f.take() {
                    args.push(f);
                }
                let mut ints = 0;
                while *self.peek() == Tok::Comma {
                    self.bump();
                    let Tok::Int(n) = *self.peek() else { return Err(self.unexpected("an integer")) };
                    self.bump();
                    args.push(Field::Static(Static::Int(n)));
                    ints += 1;
                }
                if ints == 2 || ints > 3 {
                    let tt = self.tok();
                    return Err(err(t.start, tt.end - t.start, format!("`compare` takes a spanset and 0, 1 or 3 integers, not {ints}"), Some("write `compare({ … })`, `compare({ … }, 10)` or `compare({ … }, 10, start, end)`".into())));
                }
            }
            _ => {
                let a = self.attribute(&f)?;
                args.push(a);
                if f == "quantile_over_time" {
                    if *self.peek() != Tok::Comma {
                        let mut e = self.unexpected("`,` and the quantiles");
                        e.hint = Some("write `quantile_over_time(duration, .5, .9, .99)`".into());
                        return Err(e);
                    }
                    while *self.peek() == Tok::Comma {
                        self.bump();
                        match self.peek().clone() {
                            Tok::Int(n) => args.push(Field::Static(Static::Int(n))),
                            Tok::Float(x) => args.push(Field::Static(Static::Float(x))),
                            _ => return Err(self.unexpected("a quantile (a number like `0.99`)")),
                        }
                        self.bump();
                    }
                }
            }
        }
        self.expect(Tok::RParen, ")")?;
        let mut by = vec![];
        if self.ident_is(&["by"]).is_some() {
            self.bump();
            self.expect(Tok::LParen, "(")?;
            by = self.attribute_list()?;
            self.expect(Tok::RParen, ")")?;
        }
        Ok(Metrics { function: f, args, by })
    }

    /// An intrinsic, scoped intrinsic or attribute (expr.y's `attribute`).
    pub(super) fn attribute(&mut self, ctx: &str) -> R<Field> {
        let t = self.tok().clone();
        match &t.tok {
            Tok::Ident(w) if INTRINSICS.contains(&w.as_str()) => {
                self.bump();
                Ok(Field::Intrinsic(w.clone()))
            }
            Tok::Scoped(s) => {
                self.bump();
                Ok(Field::Intrinsic(s.clone()))
            }
            Tok::Attr(scope, name) => {
                self.bump();
                Ok(Field::Attribute(scope.clone(), name.clone()))
            }
            Tok::Ident(w) => Err(self.bare_identifier(w, &t)),
            _ => Err(self.unexpected(&format!("an attribute or intrinsic in `{ctx}(…)`"))),
        }
    }

    pub(super) fn attribute_list(&mut self) -> R<Vec<Field>> {
        let mut out = vec![self.attribute("by")?];
        while *self.peek() == Tok::Comma {
            self.bump();
            out.push(self.attribute("by")?);
        }
        Ok(out)
    }

    pub(super) fn bare_identifier(&self, w: &str, t: &Token) -> TraceqlError {
        let close = did_you_mean(w, keywords().chain(SCOPED_INTRINSICS.iter().copied()));
        match close {
            Some(h) => {
                // an intrinsic (`durration`) or a value (`eror`, `sever`)?
                let value = STATUS_VALUES.iter().chain(KIND_VALUES).chain(["true", "false", "nil"].iter()).any(|v| h.contains(&format!("`{v}`")));
                let what = if value { "value" } else { "intrinsic" };
                err(t.start, t.end - t.start, format!("unknown {what} `{w}`"), Some(h))
            }
            // right of a comparison, a word is most likely a value missing its quotes
            None if self.pos > 0 && matches!(self.toks[self.pos - 1].tok, Tok::Op("=" | "!=" | "=~" | "!~")) => err(
                t.start,
                t.end - t.start,
                format!("`{w}` is not a value: strings are quoted"),
                Some(format!("write `\"{w}\"` (or `.{w}` for an attribute)")),
            ),
            None => err(
                t.start,
                t.end - t.start,
                format!("`{w}` is not an intrinsic: an attribute needs its scope"),
                Some(format!("write `.{w}` (any scope), `span.{w}` or `resource.{w}`")),
            ),
        }
    }
}

/// Arithmetic precedence (expr.y: `+ -` < `* / %` < `^`).
pub(super) fn arith_prec(o: &str) -> Option<u8> {
    match o {
        "+" | "-" => Some(1),
        "*" | "/" | "%" => Some(2),
        "^" => Some(3),
        _ => None,
    }
}

/// A field expression with no field in it (`3`, `1h + 2h`, `"foo"`), not a Grafana variable.
pub(super) fn constant(f: &Field, ty: Ty) -> bool {
    if ty == Ty::Any {
        return false;
    }
    let mut stack = vec![f];
    while let Some(f) = stack.pop() {
        match f {
            Field::Intrinsic(_) | Field::Attribute(..) => return false,
            Field::Unary(_, a) => stack.push(a),
            Field::Binary(_, a, b) => {
                stack.push(a);
                stack.push(b);
            }
            Field::Static(_) => {}
        }
    }
    true
}
