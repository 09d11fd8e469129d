//! The LogQL parser's log queries, after Loki's `pkg/logql/syntax/expr.y`: stream selectors
//! (at least one matcher that does not match the empty value, as `parser.go` validates), line
//! filters, parsers, label filters, formats, `drop`/`keep`.

use super::lex::*;
use super::parse::*;
use super::regexp::*;
use super::*;
use crate::diag::did_you_mean;

impl<'t> P<'t> {
    // -- log queries --

    pub(super) fn log_query(&mut self) -> R<LogQuery> {
        let selector = self.selector()?;
        let stages = self.pipeline()?;
        Ok(LogQuery { selector, stages })
    }

    pub(super) fn matcher(&mut self, what: &str) -> R<Matcher> {
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

    pub(super) fn selector(&mut self) -> R<Selector> {
        let open = self.expect(T::LBrace, "`{`")?;
        let mut matchers = vec![];
        // a broken matcher is skipped (see `recover`): the matchers left are not all there
        let mut broken = false;
        if self.peek().t != T::RBrace {
            loop {
                match self.recovering_matcher()? {
                    Some(m) => matchers.push(m),
                    None => broken = true,
                }
                match self.peek().t {
                    T::Comma => {
                        self.bump();
                    }
                    T::RBrace => break,
                    T::Eof => {
                        return Err(err(open.start, 1, "unclosed `{`: the stream selector is not closed", Some("close it with `}`".into())));
                    }
                    // a missing `,` between two matchers: the next one is read
                    _ if self.starts_matcher() => {
                        let e = self.unexpected("`,` or `}` in the stream selector");
                        self.record(e)?;
                        broken = true;
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
        if !broken && sel.matchers.iter().all(matches_empty) {
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

    pub(super) fn pipeline(&mut self) -> R<Vec<Stage>> {
        let mut stages = vec![];
        loop {
            let t = self.peek().clone();
            match t.t {
                // a broken stage is recorded and skipped (see `recover`)
                T::PipeExact | T::PipeMatch | T::PipePattern | T::Npa | T::Nre => stages.extend(self.recovering_stage(true)?),
                T::Neq if self.at(1).t == T::Str || self.kw(1, "ip") => stages.extend(self.recovering_stage(true)?),
                T::Pipe if self.kw(1, "unwrap") => break,
                T::Pipe => {
                    self.bump();
                    stages.extend(self.recovering_stage(false)?);
                }
                _ => break,
            }
        }
        Ok(stages)
    }

    pub(super) fn line_match(&mut self, op: &str) -> R<LineMatch> {
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

    pub(super) fn line_filter(&mut self) -> R<Stage> {
        let op = self.bump().s;
        let mut matches = vec![self.line_match(&op)?];
        while self.kw(0, "or") && (self.at(1).t == T::Str || self.kw(1, "ip")) {
            self.bump();
            matches.push(self.line_match(&op)?);
        }
        Ok(Stage::LineFilter { op, matches })
    }

    pub(super) fn params(&mut self) -> R<Vec<(String, Option<String>)>> {
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
    pub(super) fn label_list(&mut self, stage: &str) -> R<Vec<(String, Option<Matcher>)>> {
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

    pub(super) fn stage(&mut self) -> R<Stage> {
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
                                // Loki's regexp and pattern parsers refuse an expression that extracts nothing
                                let named = if name == "regexp" { s.s.contains("(?P<") || s.s.contains("(?<") } else { has_named_capture(&s.s) };
                                if !named && !templated(&s.s) {
                                    let hint = if name == "regexp" { "name what to extract: `(?P<status>\\d+)`" } else { "name what to extract: `<ip> - <_> <status>` (`<_>` skips)" };
                                    return Err(err(s.start, s.end - s.start, format!("the `{name}` expression has no named capture, so it extracts nothing"), Some(hint.into())));
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

    pub(super) fn starts_label_filter(&self, k: usize) -> bool {
        let t = self.at(k);
        t.t == T::LParen || (t.t == T::Ident && is_cmp(self.at(k + 1).t))
    }

    pub(super) fn label_filter(&mut self) -> R<LabelFilter> {
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

    pub(super) fn label_filter_and(&mut self) -> R<LabelFilter> {
        // a broken operand of `and` / `or` is recorded and skipped (see `recover`)
        let mut lhs = self.recovering_atom()?;
        loop {
            if (self.kw(0, "and") || self.peek().t == T::Comma) && self.starts_label_filter(1) {
                self.bump();
            } else if !(self.peek().t == T::Ident && !self.kw(0, "or") && !self.kw(0, "and") && is_cmp(self.at(1).t)) {
                break;
            }
            let rhs = self.recovering_atom()?;
            lhs = LabelFilter::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    pub(super) fn label_filter_atom(&mut self) -> R<LabelFilter> {
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

/// Whether a `pattern` expression has a named capture `<name>` (`<_>` skips, it names nothing).
fn has_named_capture(p: &str) -> bool {
    p.split('<').skip(1).any(|rest| {
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        !name.is_empty() && name != "_" && rest[name.len()..].starts_with('>') && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}
