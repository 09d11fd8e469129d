//! Error recovery of the TraceQL parser (issue #17): a query with several independent
//! mistakes reports each. A broken part is recorded and skipped, and parsing goes on after it:
//!
//! - a condition of a spanset's filter, between `&&` / `||` at the top of its braces
//!   (`{ durration > 2s && status = "error" }`): skipped to the next `&&`, `||` or the `}`;
//!   a missing `&&` before an attribute or intrinsic is an error, and the condition is read;
//! - a pipeline stage (`| cont() > 2`) or metrics function: skipped to the next `|`.
//!
//! A skip never leaves the brackets around the broken part. Against follow-on errors: an
//! error found with no token read since the previous one is dropped, and a skipped condition
//! stands for an attribute (whose type is not known, so no type error follows from it). Passing
//! [`MAX_DEPTH`] ends parsing with that error, and so does the [`MAX_ERRORS`]th error. Each
//! recovery reads forward only and the loop around it always takes a token: parsing stays
//! linear.

use super::*;

pub use crate::sema::query::MAX_QUERY_ERRORS as MAX_ERRORS;
use crate::sema::query::Bracket;

/// For each token, the number of brackets open before it ([`crate::sema::query::nesting`]).
fn nesting(toks: &[Token]) -> Vec<i32> {
    crate::sema::query::nesting(toks.iter().map(|t| match t.tok {
        Tok::LParen => Bracket::Open { paren: true },
        Tok::LBrace => Bracket::Open { paren: false },
        Tok::RParen => Bracket::Close { paren: true },
        Tok::RBrace => Bracket::Close { paren: false },
        _ => Bracket::Other,
    }))
}

impl<'t> Parser<'t> {
    /// Record an error recovered from. Dropped when no token was read since the last one (a
    /// follow-on); `Err` (stop parsing) when recovery is over or this is the last one allowed.
    pub(super) fn record(&mut self, e: TraceqlError) -> R<()> {
        if self.stop {
            return Err(e);
        }
        if self.last_err == Some(self.pos) {
            return Ok(());
        }
        self.note(e)
    }

    /// [`Self::record`] without the follow-on test: for a check of an operator made once both
    /// its sides are read.
    pub(super) fn note(&mut self, e: TraceqlError) -> R<()> {
        if self.stop {
            return Err(e);
        }
        self.last_err = Some(self.pos);
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
    /// `stop` accepts (given the nesting of the brackets opened since `start`), or the end.
    fn skip(&mut self, start: usize, stop: fn(&Tok, i32) -> bool) {
        let base = self.nest[start];
        while *self.peek() != Tok::Eof {
            let d = self.nest[self.pos] - base;
            let closer = matches!(self.peek(), Tok::RParen | Tok::RBrace);
            // (a closing bracket after an unclosed one may close one opened before `start` too)
            if (closer && (d <= 0 || self.nest[self.pos + 1] < base)) || stop(self.peek(), d) {
                break;
            }
            self.bump();
        }
    }

    /// A pipeline stage: `None` when it is broken (recorded and skipped to the next `|`).
    pub(super) fn recovering_stage(&mut self, first: bool) -> R<Option<(Stage, Class)>> {
        let (start, depth) = (self.pos, self.depth);
        match self.stage(first) {
            Ok(s) => Ok(Some(s)),
            Err(e) => {
                self.record(e)?;
                self.depth = depth;
                self.skip(start, |t, d| d <= 0 && *t == Tok::Op("|"));
                Ok(None)
            }
        }
    }

    /// A metrics function: `None` when it is broken (recorded and skipped to the next `|`).
    pub(super) fn recovering_metrics(&mut self) -> R<Option<Metrics>> {
        let (start, depth) = (self.pos, self.depth);
        match self.metrics() {
            Ok(m) => Ok(Some(m)),
            Err(e) => {
                self.record(e)?;
                self.depth = depth;
                self.skip(start, |t, d| d <= 0 && *t == Tok::Op("|"));
                Ok(None)
            }
        }
    }

    /// The filter of a spanset `{ … }`: its conditions joined by `&&` and `||` (left to
    /// right, as [`Self::field`] reads them), each recovered from on its own.
    pub(super) fn conditions(&mut self) -> R<(Field, Ty)> {
        let start = self.tok().start;
        let (mut lhs, mut lt, _) = self.condition()?;
        loop {
            let o = match self.peek() {
                Tok::Op(o @ ("&&" | "||")) => *o,
                // a missing `&&` before a condition: the error, then the condition is read
                Tok::Attr(..) | Tok::Scoped(_) => "",
                Tok::Ident(w) if INTRINSICS.contains(&w.as_str()) => "",
                _ => break,
            };
            if o.is_empty() {
                let mut e = self.unexpected("`}` or an operator");
                e.hint = Some("join conditions with `&&` or `||`".into());
                self.record(e)?;
                let (rhs, _, _) = self.condition()?;
                lhs = Field::Binary("&&".into(), Box::new(lhs), Box::new(rhs));
                lt = Ty::Bool;
                continue;
            }
            let op_tok = self.bump();
            if matches!(self.peek(), Tok::RBrace | Tok::RParen | Tok::Eof | Tok::Comma) {
                let mut e = self.unexpected(&format!("an operand after `{o}`"));
                e.hint = Some(format!("complete the condition (`{} {o} status = error`) or remove the `{o}`", self.text[start..op_tok.start].trim()));
                self.record(e)?;
                break;
            }
            let rstart = self.tok().start;
            let (rhs, rt, broken) = self.condition()?;
            let rend = self.toks[self.pos.saturating_sub(1)].end;
            // (a skipped condition may have no text: nothing to check)
            lt = match if broken { Ok(Ty::Bool) } else { self.check_types(o, (&lhs, lt, start, op_tok.start), (&rhs, rt, rstart, rend)) } {
                Ok(t) => t,
                Err(e) => {
                    self.note(e)?;
                    Ty::Bool
                }
            };
            lhs = Field::Binary(o.to_string(), Box::new(lhs), Box::new(rhs));
        }
        Ok((lhs, lt))
    }

    /// One condition of a spanset's filter (a field expression without a top `&&`/`||`), with
    /// its type and whether it is broken: then it is recorded, skipped, and stands for an
    /// attribute.
    fn condition(&mut self) -> R<(Field, Ty, bool)> {
        let (start, depth) = (self.pos, self.depth);
        match self.field_bin(2) {
            Ok((f, ty)) => Ok((f, ty, false)),
            Err(e) => {
                self.record(e)?;
                self.depth = depth;
                // no `}` goes inside a condition: one after an unclosed `(` is the spanset's
                self.skip(start, |t, d| (d <= 0 && matches!(t, Tok::Op("&&" | "||"))) || *t == Tok::RBrace);
                Ok((Field::Attribute(String::new(), String::new()), Ty::Any, true))
            }
        }
    }
}

/// Lex and parse `text` (see [`super::parse`]): its first error.
pub(super) fn run<'t>(text: &'t str, orig: &'t str) -> Result<Query, TraceqlError> {
    run_all(text, orig).map_err(|mut v| v.swap_remove(0))
}

/// Lex and parse `text` (see [`super::parse_all`]): the query, or every error (at least one).
pub(super) fn run_all<'t>(text: &'t str, orig: &'t str) -> Result<Query, Vec<TraceqlError>> {
    let toks = lex(text).map_err(|e| vec![e])?;
    let mut after_parens = vec![0; toks.len()];
    let mut next = toks.len() - 1;
    for i in (0..toks.len()).rev() {
        if toks[i].tok != Tok::LParen {
            next = i;
        }
        after_parens[i] = next;
    }
    if toks.len() == 1 {
        return Err(vec![err(0, text.len(), "empty query", Some("select spans with `{ … }`: `{}` is every span".into()))]);
    }
    let nest = nesting(&toks);
    let mut p = Parser { text, orig, toks, pos: 0, depth: 0, after_parens, errors: vec![], last_err: None, stop: false, capped: false, nest };
    let r = p.root();
    let mut errors = std::mem::take(&mut p.errors);
    match r {
        Ok(q) if errors.is_empty() => Ok(q),
        Ok(_) => Err(errors),
        // the error that ended parsing, unless it is a follow-on of the last one recorded
        Err(e) => {
            if !p.capped && (errors.is_empty() || p.last_err != Some(p.pos)) {
                errors.push(e);
            }
            Err(errors)
        }
    }
}
