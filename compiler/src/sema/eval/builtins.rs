//! The built-in functions of the language (`secret.file`, `query`, `custom`, `import_dashboard`, …,
//! listed with their docs in [`super::BUILTINS`]), applied by the evaluator.

use super::*;

impl<'a> Evaluator<'a> {
    pub(super) fn arity(&mut self, name: &str, want: usize, args: &[V], span: Span) -> bool {
        if args.len() != want {
            self.err("E0207", span, format!("`{name}` takes {want} argument{}, found {}", if want == 1 { "" } else { "s" }, args.len()))
                .push(self);
            return false;
        }
        true
    }

    pub(super) fn builtin(&mut self, b: &'static str, args: Vec<V>, span: Span) -> V {
        let loc = self.loc(span);
        let val = match b {
            "secret.file" | "secret.env" => {
                if !self.arity(b, 1, &args, span) {
                    Val::Error
                } else {
                    match &args[0].val {
                        Val::Str(s) if !s.is_empty() => {
                            if b == "secret.file" {
                                Val::Secret(SecretRef::File(s.clone()))
                            } else if crate::sema::schema::Grammar::EnvName.accepts(s) {
                                Val::Secret(SecretRef::Env(s.clone()))
                            } else {
                                self.err("E0204", args[0].loc.span, format!("`{s}` is not an environment variable name"))
                                    .with_hint(&format!("`secret.env` takes {}", crate::sema::schema::Grammar::EnvName.describe()))
                                    .push(self);
                                Val::Error
                            }
                        }
                        Val::Error => Val::Error,
                        other => {
                            let t = other.type_name();
                            self.err("E0201", args[0].loc.span, format!("`{b}` expects a non-empty string, found {t}")).push(self);
                            Val::Error
                        }
                    }
                }
            }
            "query" | "custom" | "interval" | "datasource" | "constant" | "textbox" | "adhoc" | "import_dashboard" | "import_rules" => {
                let want = match b {
                    "query" => 2,
                    _ => 1,
                };
                // `query` and `custom` take their options record last
                let want = if matches!(b, "query" | "custom") && args.len() == want + 1 { want + 1 } else { want };
                if self.arity(b, want, &args, span) {
                    Val::Ctor { name: b, args: Arc::new(args) }
                } else {
                    Val::Error
                }
            }
            "len" => {
                if !self.arity(b, 1, &args, span) {
                    Val::Error
                } else {
                    match &args[0].val {
                        Val::List(xs) => Val::Num(xs.len() as f64),
                        Val::Str(s) => Val::Num(s.chars().count() as f64),
                        Val::Error => Val::Error,
                        other => {
                            let t = other.type_name();
                            self.err("E0201", args[0].loc.span, format!("`len` expects a list or string, found {t}")).push(self);
                            Val::Error
                        }
                    }
                }
            }
            "join" => {
                if !self.arity(b, 2, &args, span) {
                    Val::Error
                } else {
                    match (&args[0].val, &args[1].val) {
                        (Val::List(xs), Val::Str(sep)) => {
                            let mut parts = vec![];
                            let mut ok = true;
                            for x in xs.iter() {
                                match self.to_text(x) {
                                    Some(t) => parts.push(t),
                                    None => ok = false,
                                }
                            }
                            let len = parts.iter().map(String::len).sum::<usize>() + sep.len() * parts.len();
                            if ok && self.build(len, span) {
                                Val::Str(parts.join(sep))
                            } else {
                                Val::Error
                            }
                        }
                        _ => {
                            self.err("E0201", span, "`join` expects a list and a string separator").push(self);
                            Val::Error
                        }
                    }
                }
            }
            "lower" | "upper" | "str" => {
                if !self.arity(b, 1, &args, span) {
                    Val::Error
                } else {
                    match self.to_text(&args[0]) {
                        Some(t) if !self.build(t.len(), span) => {
                            let _ = t;
                            Val::Error
                        }
                        Some(t) => Val::Str(match b {
                            "lower" => t.to_lowercase(),
                            "upper" => t.to_uppercase(),
                            _ => t,
                        }),
                        None => Val::Error,
                    }
                }
            }
            "range" => {
                if !self.arity(b, 1, &args, span) {
                    Val::Error
                } else {
                    match args[0].val {
                        Val::Num(n) if n >= 0.0 && n <= 100_000.0 && n.fract() == 0.0 && !self.build(n as usize * std::mem::size_of::<V>(), span) => Val::Error,
                        Val::Num(n) if n >= 0.0 && n <= 100_000.0 && n.fract() == 0.0 => {
                            Val::List(Arc::new((0..n as usize).map(|i| V { val: Val::Num(i as f64), loc }).collect()))
                        }
                        _ => {
                            self.err("E0204", args[0].loc.span, "`range` takes a whole number from 0 to 100000").push(self);
                            Val::Error
                        }
                    }
                }
            }
            "secret" => {
                self.err("E0201", span, "`secret` is a namespace; call `secret.file(…)` or `secret.env(…)`").push(self);
                Val::Error
            }
            _ => Val::Error,
        };
        V { val, loc }
    }
}
