//! Error recovery of the LogQL parser (issue #17): a query with several independent mistakes
//! reports each. A broken part is recorded and skipped, and parsing goes on after it, at
//! these places, where a skip cannot make the rest mean something else:
//!
//! - a pipeline stage (after `|`, or a line filter): skipped to the next `|`, `|=`, `!=`…
//!   outside the brackets the stage opened, or to the range `[5m]` ending a pipeline;
//! - a matcher of a stream selector: skipped to the next `,` or the selector's `}`;
//! - an operand of a label filter's `and` / `or`: skipped to the next `and`, `or` or `,`
//!   before a label filter, or to the end of the stage;
//! - an operand of a binary operator (and any expression in parentheses or a function's
//!   arguments): skipped to the next binary operator, `,` or closing bracket at its level.
//!
//! A skip never leaves the brackets around the broken part, so what closes them is still seen.
//! Against follow-on errors: an error found with no token read since the previous one is
//! dropped, a selector with a broken matcher is not checked for an empty-compatible matcher,
//! a skipped operand stands for a number (never a log query), a skipped label filter for one
//! that keeps every line, a skipped stage or matcher for none. Passing [`MAX_DEPTH`]
//! ends parsing with that error, and so does the [`MAX_ERRORS`]th error. Each recovery reads
//! forward only and the loop around it always takes a token, so parsing stays linear.

use super::lex::*;
use super::parse::*;
use super::*;

pub use crate::sema::query::MAX_QUERY_ERRORS as MAX_ERRORS;
use crate::sema::query::Bracket;

/// For each token, the number of brackets open before it ([`crate::sema::query::nesting`]).
pub(super) fn nesting(toks: &[Tok]) -> Vec<i32> {
    crate::sema::query::nesting(toks.iter().map(|t| match t.t {
        T::LParen => Bracket::Open { paren: true },
        T::LBrace => Bracket::Open { paren: false },
        T::RParen => Bracket::Close { paren: true },
        T::RBrace => Bracket::Close { paren: false },
        _ => Bracket::Other,
    }))
}

impl<'t> P<'t> {
    /// Record an error recovered from. Dropped when no token was read since the last one (a
    /// follow-on); `Err` (stop parsing) when recovery is over or this is the last one allowed.
    pub(super) fn record(&mut self, e: LogqlError) -> R<()> {
        if self.stop {
            return Err(e);
        }
        if self.last_err == Some(self.i) {
            return Ok(());
        }
        self.note(e)
    }

    /// [`Self::record`] without the follow-on test: for a check made once both sides of an
    /// operator are read, which finds an error of its own.
    pub(super) fn note(&mut self, e: LogqlError) -> R<()> {
        if self.stop {
            return Err(e);
        }
        self.last_err = Some(self.i);
        self.errors.push(e);
        if self.errors.len() >= MAX_ERRORS {
            self.stop = true;
            self.capped = true;
            return Err(self.errors[self.errors.len() - 1].clone());
        }
        Ok(())
    }

    /// Skip from the current token to where parsing goes on after an error in a part that
    /// began at token `start`: a bracket closing one opened before `start`, the first token
    /// outside the brackets opened since `start` that `stop` accepts, or the end; in a
    /// `matcher`, any `}` (none goes inside one: after an unclosed `(` it is the selector's).
    pub(super) fn skip(&mut self, start: usize, matcher: bool, mut stop: impl FnMut(&P, usize) -> bool) {
        let base = self.nest[start];
        while self.peek().t != T::Eof {
            let d = self.nest[self.i] - base;
            let closer = matches!(self.peek().t, T::RParen | T::RBrace);
            // (a closing bracket after an unclosed one may close one opened before `start` too)
            if (d <= 0 && (closer || stop(self, self.i))) || (closer && self.nest[self.i + 1] < base) || (matcher && self.peek().t == T::RBrace) {
                break;
            }
            self.bump();
        }
    }

    /// An operand of an expression ([`Self::unary`]); a broken one is recorded and skipped,
    /// and stands for the number 0.
    pub(super) fn operand(&mut self) -> R<Expr> {
        let (start, depth) = (self.i, self.depth);
        match self.unary() {
            Ok(e) => Ok(e),
            Err(e) => {
                self.record(e)?;
                self.depth = depth;
                // past a pipeline's `|` (a log query), `and`, `or`, `>`… are its label filters'
                let mut pipeline = false;
                self.skip(start, false, |p, i| {
                    pipeline |= stage_end(p, i);
                    !pipeline && operand_end(p, i)
                });
                Ok(Expr::Number(0.0))
            }
        }
    }

    /// A stage of a pipeline: `None` when it is broken (recorded and skipped).
    pub(super) fn recovering_stage(&mut self, line_filter: bool) -> R<Option<Stage>> {
        let (start, depth) = (self.i, self.depth);
        match if line_filter { self.line_filter() } else { self.stage() } {
            Ok(s) => Ok(Some(s)),
            Err(e) => {
                self.record(e)?;
                self.depth = depth;
                self.skip(start, false, stage_end);
                Ok(None)
            }
        }
    }

    /// A matcher of a stream selector: `None` when it is broken (recorded and skipped to the
    /// next `,` or the closing `}`).
    pub(super) fn recovering_matcher(&mut self) -> R<Option<Matcher>> {
        let (start, depth) = (self.i, self.depth);
        match self.matcher("a stream selector") {
            Ok(m) => Ok(Some(m)),
            Err(e) => {
                self.record(e)?;
                self.depth = depth;
                self.skip(start, true, |p, i| p.toks[i].t == T::Comma);
                Ok(None)
            }
        }
    }

    /// An operand of a label filter's `and` / `or` (or `,`): a broken one is recorded and
    /// skipped to the next `and`, `or` or `,` followed by a label filter, or to the end of the
    /// stage; it stands for a filter that keeps every line.
    pub(super) fn recovering_atom(&mut self) -> R<LabelFilter> {
        let (start, depth) = (self.i, self.depth);
        match self.label_filter_atom() {
            Ok(f) => Ok(f),
            Err(e) => {
                self.record(e)?;
                self.depth = depth;
                self.skip(start, false, |p, i| {
                    let t = &p.toks[i];
                    let join = t.t == T::Comma || (t.t == T::Ident && (t.s.eq_ignore_ascii_case("and") || t.s.eq_ignore_ascii_case("or")));
                    let at = |k: usize| p.toks[(i + k).min(p.toks.len() - 1)].t;
                    stage_end(p, i) || (join && (at(1) == T::LParen || (at(1) == T::Ident && is_cmp(at(2)))))
                });
                Ok(LabelFilter::Ip { name: String::new(), negated: false, cidr: String::new() })
            }
        }
    }

    /// Whether the tokens at the current one start a matcher: `name=`, `name!~`…
    pub(super) fn starts_matcher(&self) -> bool {
        self.peek().t == T::Ident && matches!(self.at(1).t, T::Eq | T::Neq | T::Re | T::Nre | T::CmpEq)
    }
}

/// Whether token `i` is `!=` as a line filter (`!= "text"`, `!= ip("…")`), not a comparison.
fn neq_line_filter(p: &P, i: usize) -> bool {
    let next = &p.toks[(i + 1).min(p.toks.len() - 1)];
    p.toks[i].t == T::Neq && (next.t == T::Str || (next.t == T::Ident && next.s.eq_ignore_ascii_case("ip")))
}

/// Where a skipped pipeline stage ends: the next stage or line filter, or a range.
fn stage_end(p: &P, i: usize) -> bool {
    matches!(p.toks[i].t, T::Pipe | T::PipeExact | T::PipeMatch | T::PipePattern | T::Npa | T::Nre | T::Range) || neq_line_filter(p, i)
}

/// Where a skipped operand ends: a binary operator or a `,` (between function arguments).
fn operand_end(p: &P, i: usize) -> bool {
    let t = &p.toks[i];
    match t.t {
        T::Ident => ["or", "and", "unless"].iter().any(|k| t.s.eq_ignore_ascii_case(k)) && p.toks.get(i + 1).is_some_and(|n| n.t != T::Str),
        T::Neq => !neq_line_filter(p, i),
        T::Comma | T::CmpEq | T::Gt | T::Gte | T::Lt | T::Lte | T::Add | T::Sub | T::Mul | T::Div | T::Mod | T::Pow => true,
        _ => false,
    }
}
