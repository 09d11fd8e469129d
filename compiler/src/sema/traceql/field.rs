//! TraceQL field expressions (expr.y `fieldExpression`: inside `{ }`, `by( )`, aggregates)
//! and their static types.

use super::*;

impl<'t> Parser<'t> {
    /// A field expression with its static type.
    pub(super) fn field(&mut self) -> R<(Field, Ty)> {
        self.field_bin(0)
    }

    pub(super) fn field_bin(&mut self, min: u8) -> R<(Field, Ty)> {
        self.enter()?;
        let start = self.tok().start;
        let (mut lhs, mut lt) = self.unary()?;
        loop {
            let Tok::Op(o) = self.peek().clone() else { break };
            let Some(p) = field_prec(o) else { break };
            if p < min {
                break;
            }
            let op_tok = self.bump();
            if matches!(self.peek(), Tok::RBrace | Tok::RParen | Tok::Eof | Tok::Comma) {
                let mut e = self.unexpected(&format!("an operand after `{o}`"));
                e.hint = Some(if o == "&&" || o == "||" {
                    format!("complete the condition (`{} {o} status = error`) or remove the `{o}`", self.text[start..op_tok.start].trim())
                } else {
                    format!("`{o}` needs a value on its right: `{} {o} …`", self.text[start..op_tok.start].trim())
                });
                return Err(e);
            }
            let rstart = self.tok().start;
            let (rhs, rt) = self.field_bin(if o == "^" { p } else { p + 1 })?;
            let rend = self.toks[self.pos.saturating_sub(1)].end;
            lt = self.check_types(o, (&lhs, lt, start, op_tok.start), (&rhs, rt, rstart, rend))?;
            lhs = Field::Binary(o.to_string(), Box::new(lhs), Box::new(rhs));
        }
        self.leave();
        Ok((lhs, lt))
    }

    /// The type of `lhs op rhs`, or the error when the static types cannot match.
    #[inline(never)]
    pub(super) fn check_types(&self, op: &str, l: (&Field, Ty, usize, usize), r: (&Field, Ty, usize, usize)) -> R<Ty> {
        let (lf, lt, ls, le) = l;
        let (rf, rt, rs, re) = r;
        let whole = |m: String, h: Option<String>| err(ls, re - ls, m, h);
        let ltext = self.text[ls..le].trim();
        let rtext = self.text[rs..re].trim();
        // nil only tests existence: `x != nil`
        if lt == Ty::Nil || rt == Ty::Nil {
            if op == "!=" || (op == "=" && lt == Ty::Nil && rt == Ty::Nil) {
                return Ok(Ty::Bool);
            }
            let other = if lt == Ty::Nil { rtext } else { ltext };
            return Err(whole(format!("`nil` can only be compared with `!=` (`{other} != nil`: the attribute exists), not with `{op}`"), Some(format!("for spans without it, write `!({other} != nil)`"))));
        }
        match op {
            "&&" | "||" => {
                for (t, s, e) in [(lt, ls, le), (rt, rs, re)] {
                    if t != Ty::Bool && t != Ty::Any {
                        let x = self.text[s..e].trim();
                        return Err(err(s, e - s, format!("`{op}` joins conditions, but `{x}` is {}", t.name()), Some(format!("compare it: `{x} = …`"))));
                    }
                }
                Ok(Ty::Bool)
            }
            "=~" | "!~" => {
                for (t, s, e) in [(lt, ls, le), (rt, rs, re)] {
                    if t != Ty::Str && t != Ty::Any {
                        let x = self.text[s..e].trim();
                        return Err(err(s, e - s, format!("`{op}` matches strings with a regex, but `{x}` is {}", t.name()), None));
                    }
                }
                // Tempo compiles the regex (Go's RE2 syntax; the `regex` crate's is the same)
                // (not one with a Grafana variable in it, `"${service:regex}"`: Grafana replaces it)
                let var = |p: &str| p.contains("[[") || p.as_bytes().windows(2).any(|w| w[0] == b'$' && (w[1] == b'{' || w[1] == b'_' || w[1].is_ascii_alphanumeric()));
                if let Field::Static(Static::Str(pattern)) = rf {
                    if !var(pattern) {
                        if let Err(e) = regex::Regex::new(pattern) {
                            let why = e.to_string().lines().last().unwrap_or("").trim_start_matches("error: ").to_string();
                            let hint = pattern.contains('\\').then(|| "in a `\"…\"` string a regex's backslash is written twice: `\"\\\\d+\"`".to_string());
                            return Err(err(rs, re - rs, format!("invalid regex {rtext}: {why}"), hint));
                        }
                    }
                }
                Ok(Ty::Bool)
            }
            "=" | "!=" | "<" | "<=" | ">" | ">=" => {
                // a duration compared with a bare number: Tempo reads nanoseconds
                for (dt, df, nf, nt, ns, ne) in [(lt, lf, rf, rt, rs, re), (rt, rf, lf, lt, ls, le)] {
                    let field = !matches!(df, Field::Static(_));
                    if dt == Ty::Duration && field && matches!(nt, Ty::Int | Ty::Float) && matches!(nf, Field::Static(_)) {
                        let n = self.text[ns..ne].trim();
                        return Err(err(ns, ne - ns, format!("`{n}` has no unit, compared with a duration"), Some(format!("write `{n}ms` or `{n}s`: durations in gstack always carry their unit (Tempo would read `{n}` as nanoseconds)"))));
                    }
                }
                if lt != Ty::Any && rt != Ty::Any && lt != rt && !(lt.numeric() && rt.numeric()) {
                    let hint = match (lt, rt, rf) {
                        (Ty::Status, Ty::Str, Field::Static(Static::Str(s))) if STATUS_VALUES.contains(&s.as_str()) => Some(format!("status values are written without quotes: `{ltext} {op} {s}`")),
                        (Ty::Kind, Ty::Str, Field::Static(Static::Str(s))) if KIND_VALUES.contains(&s.as_str()) => Some(format!("kind values are written without quotes: `{ltext} {op} {s}`")),
                        (Ty::Status, _, _) => Some("status is `ok`, `error` or `unset`".into()),
                        (Ty::Kind, _, _) => Some(format!("kind is one of {}", KIND_VALUES.join(", "))),
                        (Ty::Str, Ty::Duration, _) => Some(format!("compare a duration intrinsic (`duration`, `traceDuration`) with `{rtext}`, or `{ltext}` with a string")),
                        _ => None,
                    };
                    return Err(whole(format!("`{ltext}` is {} and `{rtext}` is {}: they cannot be compared", lt.name(), rt.name()), hint));
                }
                if matches!(op, "<" | "<=" | ">" | ">=") {
                    for (t, x) in [(lt, ltext), (rt, rtext)] {
                        if matches!(t, Ty::Bool | Ty::Status | Ty::Kind) {
                            return Err(whole(format!("`{x}` is {}: it has no order for `{op}`", t.name()), Some("compare it with `=` or `!=`".into())));
                        }
                    }
                }
                Ok(Ty::Bool)
            }
            _ => {
                // arithmetic
                for (t, x, s, e) in [(lt, ltext, ls, le), (rt, rtext, rs, re)] {
                    if !t.numeric() && t != Ty::Any {
                        return Err(err(s, e - s, format!("`{op}` is arithmetic, but `{x}` is {}", t.name()), None));
                    }
                }
                Ok(if lt == rt { lt } else if lt == Ty::Any || rt == Ty::Any { Ty::Any } else { Ty::Float })
            }
        }
    }

    pub(super) fn unary(&mut self) -> R<(Field, Ty)> {
        match self.peek() {
            Tok::Op(o @ ("-" | "!")) => {
                let o = o.to_string();
                let t = self.bump();
                self.enter()?;
                let (f, ty) = self.unary()?;
                self.leave();
                let end = self.toks[self.pos.saturating_sub(1)].end;
                let ty = if o == "!" {
                    if !matches!(ty, Ty::Bool | Ty::Any) {
                        return Err(err(t.start, end - t.start, format!("`!` negates a condition, but this is {}", ty.name()), None));
                    }
                    Ty::Bool
                } else {
                    if !(ty.numeric() || ty == Ty::Any) {
                        return Err(err(t.start, end - t.start, format!("`-` negates a number, but this is {}", ty.name()), None));
                    }
                    ty
                };
                Ok((Field::Unary(o, Box::new(f)), ty))
            }
            _ => self.operand(),
        }
    }

    pub(super) fn operand(&mut self) -> R<(Field, Ty)> {
        let t = self.tok().clone();
        let s = |x: Static, ty: Ty| Ok((Field::Static(x), ty));
        // a Grafana variable, substituted by a number: its type is not known
        let var = self.orig.get(t.start..).is_some_and(|o| o.starts_with('$') || o.starts_with("[["));
        let num = |ty: Ty| if var { Ty::Any } else { ty };
        let r = match &t.tok {
            Tok::Str(v) => s(Static::Str(v.clone()), Ty::Str),
            Tok::Int(n) => s(Static::Int(*n), num(Ty::Int)),
            Tok::Float(x) => s(Static::Float(*x), num(Ty::Float)),
            Tok::Duration(d) => s(Static::Duration(d.clone()), num(Ty::Duration)),
            Tok::Attr(scope, name) => Ok((Field::Attribute(scope.clone(), name.clone()), Ty::Any)),
            Tok::Scoped(n) => Ok((Field::Intrinsic(n.clone()), intrinsic_type(n))),
            Tok::Ident(w) => match w.as_str() {
                "true" | "false" => s(Static::Bool(w == "true"), Ty::Bool),
                "nil" => s(Static::Nil, Ty::Nil),
                w if STATUS_VALUES.contains(&w) => s(Static::Status(w.into()), Ty::Status),
                w if KIND_VALUES.contains(&w) => s(Static::Kind(w.into()), Ty::Kind),
                w if INTRINSICS.contains(&w) => Ok((Field::Intrinsic(w.into()), intrinsic_type(w))),
                w if self.peek_at(1) == &Tok::LParen => {
                    let hint = if AGGREGATES.contains(&w) || METRICS_FUNCTIONS.contains(&w) {
                        Some(format!("`{w}(…)` goes after the spanset, in a pipeline: `{{ … }} | {w}(…)`"))
                    } else {
                        did_you_mean(w, functions()).map(|h| h.replace("`?", "()`?"))
                    };
                    Err(err(t.start, t.end - t.start, format!("`{w}(…)` inside a spanset's braces"), hint))
                }
                w => Err(self.bare_identifier(w, &t)),
            },
            Tok::LParen => {
                self.bump();
                let r = self.field()?;
                self.close_paren(t.start)?;
                return Ok(r);
            }
            Tok::LBrace => Err(err(t.start, 1, "a spanset `{` inside a spanset's braces", Some("close the first spanset and combine the two: `{ … } && { … }`".into()))),
            Tok::RBrace | Tok::RParen | Tok::Eof | Tok::Comma => Err(self.unexpected("a field, attribute or value")),
            Tok::Op(o) => Err(err(t.start, t.end - t.start, format!("expected a field, attribute or value, found `{o}`"), None)),
        };
        if r.is_ok() {
            self.bump();
        }
        r
    }
}

/// Field expression precedence (expr.y): `&& ||` < comparisons < `+ -` < `* / %` < `^`.
pub(super) fn field_prec(o: &str) -> Option<u8> {
    match o {
        "&&" | "||" => Some(1),
        "=" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "!~" => Some(2),
        "+" | "-" => Some(3),
        "*" | "/" | "%" => Some(4),
        "^" => Some(5),
        _ => None,
    }
}
