//! Generic schema validation: a block against its [`Schema`] (fields, nested blocks, labels,
//! freeform settings), and every value against its [`Ty`] (units, references, queries).

use super::*;

impl<'a> Checker<'a> {
    // ---- generic schema validation -------------------------------------------------------

    /// Validate a block against a schema.
    pub(super) fn record(&mut self, b: &BlockVal, sch: &'static Schema, kind: &str) -> Rec {
        let mut rec = Rec {
            kind: kind.to_string(),
            schema: sch,
            label: b.label.clone(),
            doc: b.doc.clone(),
            loc: b.loc,
            fields: HashMap::new(),
            blocks: vec![],
            panels: vec![],
            settings: Settings::new(),
            settings_at: BTreeMap::new(),
            value: b.value.clone(),
            vars: vec![],
        };
        let mut first: HashMap<String, Loc> = HashMap::new();
        for it in &b.items {
            match it {
                Item::Field { path, value, file } => {
                    let key_span = path.first().unwrap().span.cover(path.last().unwrap().span);
                    let kloc = Loc { file: *file, span: key_span };
                    if path.len() > 1 {
                        self.error("E0200", kloc, format!("`{}` has no dotted fields here", sch.name))
                            .hint = Some(if sch.settings {
                            "program settings go in `settings { … }`".into()
                        } else {
                            "write nested values as a record: `a = { b = … }`".into()
                        });
                        continue;
                    }
                    let name = &path[0].name;
                    let Some(fd) = sch.field(name) else {
                        let mut cands: Vec<&str> = sch.fields.iter().map(|f| f.name).collect();
                        cands.extend(sch.blocks.iter().map(|b| b.kind));
                        let not_typed = schema::NOT_TYPED.iter().find(|(s, f, _)| *s == sch.name && f == name).map(|(_, _, why)| why.to_string());
                        let hint = not_typed.or_else(|| did_you_mean(name, cands.iter().copied())).unwrap_or_else(|| {
                            if cands.is_empty() {
                                format!("`{}` takes no fields", sch.name)
                            } else {
                                format!("fields of `{}`: {}", sch.name, cands.join(", "))
                            }
                        });
                        self.error("E0200", kloc, format!("unknown field `{name}` in `{}`", sch.name)).hint = Some(hint);
                        continue;
                    };
                    if let Some(prev) = first.get(name) {
                        let p = self.path(*prev);
                        self.error("E0209", kloc, format!("field `{name}` is set twice"))
                            .with_related_mut(&p, prev.span, "first set here");
                        continue;
                    }
                    first.insert(name.clone(), kloc);
                    if let Some(cv) = self.value(value, &fd.ty, fd.name) {
                        self.grammar(fd, value);
                        rec.fields.insert(fd.name, (cv, value.loc));
                    }
                }
                Item::Block(inner) => self.nested(&mut rec, inner, sch),
                Item::Value(v) => {
                    if let Val::Block(inner) = &v.val {
                        self.nested(&mut rec, inner, sch);
                    } else {
                        let t = v.val.type_name();
                        self.error("E0201", v.loc, format!("a bare {t} cannot stand in `{}`", sch.name)).hint =
                            Some("write `field = value`".into());
                    }
                }
            }
        }
        for fd in sch.fields.iter().filter(|f| f.required) {
            if !rec.fields.contains_key(fd.name) && !first.contains_key(fd.name) {
                let span = b.kind.as_ref().map(|k| k.span).unwrap_or(b.loc.span);
                self.error("E0202", Loc { file: b.loc.file, span }, format!("`{}` needs the field `{}`", sch.name, fd.name)).hint =
                    Some(format!("add `{} = …` ({})", fd.name, fd.ty.describe()));
            }
        }
        rec
    }

    pub(super) fn nested(&mut self, rec: &mut Rec, inner: &Arc<BlockVal>, sch: &'static Schema) {
        let Some(kind) = inner.kind.as_ref() else {
            self.error("E0201", inner.loc, format!("a bare record cannot stand in `{}`", sch.name));
            return;
        };
        let kloc = Loc { file: inner.loc.file, span: kind.span };
        if kind.name == "settings" && sch.settings {
            if sch.name == "grafana" {
                self.grafana_plain_credentials(inner, "");
            }
            let mut s = Settings::new();
            self.settings(inner, &mut s);
            merge_settings(&mut rec.settings, s);
            settings_locations(inner, "", &mut rec.settings_at);
            return;
        }
        if kind.name == "var" && sch.name == "dashboard" {
            match (&inner.label, &inner.value) {
                (Some((name, _)), Some(v)) => rec.vars.push(VarDecl { name: name.clone(), value: v.clone() }),
                _ => {
                    self.error("E0202", kloc, "a variable is declared as `var name = query(…)`");
                }
            }
            return;
        }
        if sch.panels && schema::PANEL_KINDS.contains(&kind.name.as_str()) {
            if inner.label.is_none() {
                self.error("E0202", kloc, format!("a `{}` panel needs a title", kind.name)).hint =
                    Some(format!("write `{} \"Title\" {{ … }}`", kind.name));
            }
            let mut p = self.record(inner, schema::panel_schema(&kind.name), &kind.name);
            p.kind = kind.name.clone();
            rec.panels.push(p);
            return;
        }
        if kind.name == "transform" && sch.name == "panel" {
            self.transform_block(rec, inner, kloc);
            return;
        }
        let Some(bd) = sch.block(&kind.name) else {
            if sch.name == "panel" && (kind.name == "options" || kind.name == "custom") {
                let what = if kind.name == "options" { "options of its own" } else { "field config of its own (`custom`)" };
                self.error("E0200", kloc, format!("a `{}` panel reads no {what}", rec.kind)).hint =
                    Some("Grafana reads nothing there for this kind; a key it does read goes in the panel's `settings { … }`".into());
                return;
            }
            let mut cands: Vec<&str> = sch.blocks.iter().map(|b| b.kind).collect();
            cands.extend(sch.fields.iter().map(|f| f.name));
            if sch.settings {
                cands.push("settings");
            }
            if sch.panels {
                cands.extend(schema::PANEL_KINDS);
            }
            let hint = did_you_mean(&kind.name, cands.iter().copied()).unwrap_or_else(|| {
                if cands.is_empty() {
                    format!("`{}` takes no blocks", sch.name)
                } else {
                    format!("`{}` takes: {}", sch.name, cands.join(", "))
                }
            });
            let code = if sch.name == "stack" { "E0208" } else { "E0200" };
            self.error(code, kloc, format!("unknown block `{}` in `{}`", kind.name, sch.name)).hint = Some(hint);
            return;
        };
        self.check_label(inner, bd);
        if !bd.many {
            if let Some((_, prev)) = rec.blocks.iter().find(|(k, _)| *k == bd.kind) {
                let p = self.path(prev.loc);
                let ps = self.head(prev).span;
                self.error("E0101", kloc, format!("`{}` appears twice in `{}`", bd.kind, sch.name)).with_related_mut(&p, ps, "first here");
                return;
            }
        }
        if inner.value.is_some() {
            self.error("E0201", kloc, format!("`{}` takes a `{{ … }}` body, not `= …`", bd.kind));
            return;
        }
        let r = self.record(inner, bd.schema, bd.kind);
        rec.blocks.push((bd.kind, r));
    }

    pub(super) fn check_label(&mut self, b: &BlockVal, bd: &BlockDef) {
        let kspan = b.kind.as_ref().map(|k| k.span).unwrap_or(b.loc.span);
        match (bd.label, &b.label) {
            (LabelRule::Required, None) => {
                self.error("E0202", Loc { file: b.loc.file, span: kspan }, format!("`{}` needs a name", bd.kind)).hint =
                    Some(format!("write `{} name {{ … }}`", bd.kind));
            }
            (LabelRule::None, Some((l, span))) => {
                self.error("E0201", Loc { file: b.loc.file, span: *span }, format!("`{}` takes no name, found `{l}`", bd.kind)).hint =
                    Some(format!("write `{} {{ … }}`", bd.kind));
            }
            _ => {}
        }
    }

    /// E0211 for Grafana's admin password or secret key written in `settings` (plain text in
    /// `grafana.ini`); `prefix` is the dotted path of the enclosing `settings` blocks.
    fn grafana_plain_credentials(&mut self, b: &BlockVal, prefix: &str) {
        for it in &b.items {
            let (key, loc) = match it {
                // a secret there is E0206 already
                Item::Field { value, .. } if matches!(value.val, Val::Secret(_)) => continue,
                Item::Field { path, value, .. } => {
                    (format!("{prefix}{}", path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".")), value.loc)
                }
                Item::Block(inner) => {
                    let name = inner.kind.as_ref().map(|k| k.name.clone()).unwrap_or_default();
                    self.grafana_plain_credentials(inner, &format!("{prefix}{name}."));
                    continue;
                }
                Item::Value(_) => continue,
            };
            let field = match key.as_str() {
                "security.admin_password" => "admin = { password = secret.file(\"…\") }",
                "security.secret_key" => "secret_key = secret.file(\"…\")",
                _ => continue,
            };
            let d = self.error("E0211", loc, format!("`{key}` in `settings` would be plain text in grafana.ini"));
            d.hint = Some(format!("give it by reference in the `grafana` block: `{field}` (or `secret.env(\"…\")`)"));
        }
    }

    /// Freeform settings → nested JSON.
    pub(super) fn settings(&mut self, b: &BlockVal, out: &mut Settings) {
        for it in &b.items {
            match it {
                Item::Field { path, value, .. } => {
                    let Some(j) = self.json(value) else { continue };
                    let keys: Vec<String> = path.iter().map(|p| p.name.clone()).collect();
                    insert_path(out, &keys, j);
                }
                Item::Block(inner) => {
                    let name = inner.kind.as_ref().map(|k| k.name.clone()).unwrap_or_default();
                    let mut sub = Settings::new();
                    self.settings(inner, &mut sub);
                    let e = out.entry(name).or_insert_with(|| serde_json::json!({}));
                    if let Some(obj) = e.as_object_mut() {
                        for (k, v) in sub {
                            obj.insert(k, v);
                        }
                    }
                }
                Item::Value(v) => {
                    self.error("E0201", v.loc, "settings take `key = value` entries");
                }
            }
        }
    }

    pub(super) fn json(&mut self, v: &V) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match &v.val {
            Val::Str(s) => J::String(s.clone()),
            Val::Num(n) => serde_json::Number::from_f64(*n).map(|n| {
                if let Some(i) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15) {
                    J::from(i as i64)
                } else {
                    J::Number(n)
                }
            })?,
            Val::Bool(b) => J::Bool(*b),
            Val::Qty { text, .. } => J::String(text.clone()),
            Val::Addr(a) => J::String(a.clone()),
            Val::Sym(s) => J::String(s.clone()),
            Val::Query(q) => J::String(q.text.clone()),
            Val::List(xs) => J::Array(xs.iter().filter_map(|x| self.json(x)).collect()),
            Val::Map(kvs) => {
                let mut m = serde_json::Map::new();
                for (k, x) in kvs.iter() {
                    let k = match &k.val {
                        Val::Str(s) | Val::Sym(s) => s.clone(),
                        _ => continue,
                    };
                    if let Some(j) = self.json(x) {
                        m.insert(k, j);
                    }
                }
                J::Object(m)
            }
            Val::Block(b) => {
                let mut s = Settings::new();
                self.settings(b, &mut s);
                J::Object(s.into_iter().collect())
            }
            Val::Secret(_) => {
                self.error("E0206", v.loc, "a secret cannot go into freeform settings").hint =
                    Some("use the component's own secret fields, which are written by reference".into());
                return None;
            }
            Val::Error => return None,
            other => {
                let t = other.type_name();
                self.error("E0201", v.loc, format!("{t} cannot go into settings"));
                return None;
            }
        })
    }

    /// A unit literal's checked value, or its E0203 diagnostic.
    pub(super) fn unit<T>(&mut self, v: &V, parsed: Result<T, types::UnitError>, wrap: fn(T) -> CV) -> Option<CV> {
        match parsed {
            Ok(x) => Some(wrap(x)),
            Err(e) => {
                self.error("E0203", v.loc, e.message).hint = Some(e.hint);
                None
            }
        }
    }

    /// Check one value against a type.
    pub(super) fn value(&mut self, v: &V, ty: &Ty, field: &str) -> Option<CV> {
        let mismatch = |ck: &mut Self, v: &V| {
            let found = v.val.type_name();
            let d = ck.error("E0201", v.loc, format!("`{field}` expects {}, found {found}", ty.describe()));
            d.hint = match (&v.val, ty) {
                (Val::Num(n), Ty::Duration) => Some(format!("add a unit: `{}s`, `{}m`, `{}d`", fmt(*n), fmt(*n), fmt(*n))),
                (Val::Num(n), Ty::Bytes) => Some(format!("add a unit: `{}MiB`, `{}GiB`", fmt(*n), fmt(*n))),
                (Val::Str(s), Ty::Duration | Ty::Bytes | Ty::Port | Ty::Int | Ty::Num | Ty::Bool) => Some(format!("remove the quotes: `{s}`")),
                (Val::Sym(s), Ty::Str | Ty::StrOrSecret) => Some(format!("`{s}` names nothing in scope; quote it for text: \"{s}\"")),
                (Val::Str(_), Ty::Secret) => {
                    Some("write `secret.file(\"/run/secrets/…\")` or `secret.env(\"NAME\")`; literal secrets never go into generated files".into())
                }
                (Val::Secret(_), Ty::Str) => Some("this field takes plain text; a secret is never turned into text".into()),
                _ => None,
            };
            if matches!(v.val, Val::Secret(_)) {
                d.code = "E0206";
            }
        };
        if matches!(v.val, Val::Error) {
            return None;
        }
        Some(match ty {
            Ty::Str => match &v.val {
                Val::Str(s) => CV::Str(s.clone()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Word => match &v.val {
                Val::Str(s) | Val::Sym(s) => CV::Str(s.clone()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::StrOrSecret => match &v.val {
                Val::Str(s) => CV::StrOrSecret(StrOrSecret::Plain(s.clone())),
                Val::Secret(s) => CV::StrOrSecret(StrOrSecret::Secret { secret: s.clone() }),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Secret => match &v.val {
                Val::Secret(s) => CV::Secret(s.clone()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Bool => match &v.val {
                Val::Bool(b) => CV::Bool(*b),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Num => match &v.val {
                Val::Num(n) => CV::Num(*n),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Int => match &v.val {
                Val::Num(n) if n.fract() == 0.0 => CV::Int(*n as i64),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Port => match &v.val {
                Val::Num(n) if n.fract() == 0.0 && *n >= 1.0 && *n <= 65535.0 => CV::Port(*n as u16),
                Val::Num(n) => {
                    self.error("E0204", v.loc, format!("port {} is out of range", fmt(*n))).hint = Some("ports are 1–65535".into());
                    return None;
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Addr => match &v.val {
                Val::Addr(a) => CV::Addr(a.clone()),
                Val::Str(s) if s.parse::<std::net::Ipv4Addr>().is_ok() => CV::Addr(s.clone()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Duration => match &v.val {
                Val::Qty { value, unit, text } => return self.unit(v, types::duration(*value, unit, text), CV::Dur),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Bytes => match &v.val {
                Val::Qty { value, unit, text } => return self.unit(v, types::bytes(*value, unit, text), CV::Bytes),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Cpu => match &v.val {
                Val::Qty { value, unit, text } => return self.unit(v, types::cpu(*value, unit, text), CV::Cpu),
                Val::Num(n) => CV::Cpu(ir::Cpu((*n * 1000.0) as u64)),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Enum(allowed) => match &v.val {
                Val::Sym(s) if allowed.contains(&s.as_str()) => CV::Sym(s.clone()),
                // a value no bare word can spell (`"line+area"`, `"negative-Y"`) is written quoted
                Val::Str(s) if allowed.contains(&s.as_str()) && !is_word(s) => CV::Sym(s.clone()),
                Val::Sym(s) | Val::Str(s) => {
                    let alias = schema::REDUCER_ALIASES.iter().find(|(a, _)| a == s).filter(|_| *allowed == schema::REDUCERS);
                    let hint = match alias {
                        Some((_, id)) => Some(format!("Grafana's reducer id for it is `{id}`")),
                        None => did_you_mean(s, allowed.iter().copied()),
                    }
                    .unwrap_or_else(|| format!("one of: {}", allowed.join(", ")));
                    let quoted = matches!(v.val, Val::Str(_)) && allowed.contains(&s.as_str());
                    let d = self.error("E0205", v.loc, format!("`{s}` is not a valid `{field}`"));
                    d.hint = Some(if quoted { format!("write it without quotes: `{s}`") } else { hint });
                    return None;
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::ListOf(inner) => match &v.val {
                Val::List(xs) => CV::List(xs.iter().filter_map(|x| self.value(x, inner, field)).collect()),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::StrMap => {
                let mut m = BTreeMap::new();
                match &v.val {
                    Val::Map(kvs) => {
                        for (k, x) in kvs.iter() {
                            let k = match &k.val {
                                Val::Str(s) | Val::Sym(s) => s.clone(),
                                _ => {
                                    self.error("E0201", k.loc, "map keys are names or strings");
                                    continue;
                                }
                            };
                            if let Some(CV::Str(s)) = self.value(x, &Ty::Str, field) {
                                m.insert(k, s);
                            }
                        }
                    }
                    Val::Block(b) if b.kind.is_none() => {
                        for it in &b.items {
                            if let Item::Field { path, value, .. } = it {
                                let k = path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                                let text = match &value.val {
                                    Val::Str(s) => Some(s.clone()),
                                    Val::Num(n) => Some(fmt(*n)),
                                    Val::Bool(b) => Some(b.to_string()),
                                    Val::Qty { text, .. } => Some(text.clone()),
                                    Val::Addr(a) => Some(a.clone()),
                                    _ => None,
                                };
                                match text {
                                    Some(t) => {
                                        m.insert(k, t);
                                    }
                                    None => {
                                        self.value(value, &Ty::Str, &k);
                                    }
                                }
                            }
                        }
                    }
                    _ => return mismatch(self, v).then_none(),
                }
                CV::Map(m)
            }
            Ty::Query(langs) => match &v.val {
                Val::Query(q) => {
                    if !langs.contains(&q.lang) {
                        let want: Vec<_> = langs.iter().map(|l| lang_name(*l)).collect();
                        self.error("E0201", v.loc, format!("`{field}` expects a {} query, found {}", want.join(" or "), lang_name(q.lang)));
                        return None;
                    }
                    self.check_query(q, v.loc);
                    CV::Query(q.clone(), v.loc)
                }
                Val::Str(_) => {
                    let d = self.error("E0201", v.loc, format!("`{field}` expects a query literal, found a string"));
                    d.hint = Some(format!(
                        "write it as {}`…` so it is checked",
                        format!("{:?}", langs[0]).to_lowercase()
                    ));
                    return None;
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Ref(_) => match &v.val {
                Val::Sym(s) | Val::Str(s) => CV::Ref(s.clone(), v.loc),
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Thresholds => match &v.val {
                Val::Map(kvs) => {
                    let mut out = vec![ir::Threshold { value: None, color: "green".into() }];
                    for (k, c) in kvs.iter() {
                        let n = match &k.val {
                            Val::Num(n) => Some(*n),
                            // the colour below the first step (Grafana's base, `-Infinity`)
                            Val::Sym(s) if s == "base" => None,
                            _ => {
                                self.error("E0201", k.loc, format!("a threshold step is a number, found {}", k.val.type_name()));
                                continue;
                            }
                        };
                        let color = match &c.val {
                            Val::Sym(s) | Val::Str(s) if schema::is_color(s) => s.clone(),
                            Val::Sym(s) | Val::Str(s) => {
                                let d = self.error("E0205", c.loc, format!("`{s}` is not a colour Grafana knows"));
                                d.hint = Some(did_you_mean(s, schema::COLORS.iter().copied()).unwrap_or_else(|| "use a named colour, `#rrggbb` or `rgba(r, g, b, a)`".into()));
                                continue;
                            }
                            other => {
                                self.error("E0201", c.loc, format!("a threshold colour is a name, found {}", other.type_name()));
                                continue;
                            }
                        };
                        match n {
                            Some(n) => out.push(ir::Threshold { value: Some(ir::Num(n)), color }),
                            None => out[0].color = color,
                        }
                    }
                    CV::Thresholds(out)
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Variable => match &v.val {
                Val::Ctor { name, args } if schema::VARIABLE_CTORS.contains(name) => {
                    CV::Variable(name, args.clone())
                }
                _ => return mismatch(self, v).then_none(),
            },
            Ty::Record(sch) => match &v.val {
                Val::Block(b) if b.kind.is_none() => CV::Record(self.record(b, sch, sch.name)),
                _ => return mismatch(self, v).then_none(),
            },
        })
    }

    /// E0204 at `loc` when `value` is outside grammar `g`: `message` gets the value as written
    /// (escaped, so a newline shows as `\n`), the hint is `hint` followed by the rule.
    pub(super) fn form(&mut self, g: schema::Grammar, value: &str, loc: Loc, message: impl FnOnce(&str) -> String, hint: &str) {
        if !g.accepts(value) {
            // shown between double quotes: control characters, `"` and `\` escaped, the rest
            // as written (`'` stays `'`)
            let shown: String = value.chars().map(|c| if c == '\'' { c.to_string() } else { c.escape_debug().to_string() }).collect();
            let d = self.error("E0204", loc, message(&shown));
            d.hint = Some(format!("{hint} {}", g.describe()));
        }
    }

    /// E0204 for a string (or each string of a list) outside its field's [`schema::Grammar`],
    /// and for a `secret.file` path with control characters: values that would become a name,
    /// a path or a word in a generated file that no encoding makes safe.
    pub(super) fn grammar(&mut self, fd: &'static schema::FieldDef, value: &V) {
        let check = |this: &mut Self, v: &V, g: schema::Grammar| {
            if let Val::Str(s) | Val::Sym(s) = &v.val {
                this.form(g, s, v.loc, |shown| format!("`{}` cannot be \"{shown}\"", fd.name), &format!("`{}` takes", fd.name));
            }
        };
        if let Some(g) = fd.grammar {
            match &value.val {
                Val::List(xs) => xs.iter().for_each(|x| check(self, x, g)),
                // a string map's values (`bin = { prometheus = "…" }`)
                Val::Map(kvs) => kvs.iter().for_each(|(_, x)| check(self, x, g)),
                Val::Block(b) if b.kind.is_none() => {
                    for it in &b.items {
                        if let Item::Field { value, .. } = it {
                            check(self, value, g);
                        }
                    }
                }
                _ => check(self, value, g),
            }
        }
        // (source's `secret.env` checks its argument already; overrides' `{ "env": … }` here)
        if let Val::Secret(SecretRef::Env(n)) = &value.val {
            self.form(schema::Grammar::EnvName, n, value.loc, |shown| format!("\"{shown}\" is not an environment variable name"), "`secret.env` takes");
        }
        if let Val::Secret(SecretRef::File(p)) = &value.val {
            self.form(schema::Grammar::SecretPath, p, value.loc, |shown| format!("secret file path \"{shown}\" cannot be read back by every program"), "a secret file takes");
        }
    }
}

/// A bare word of the language: a letter or `_`, then letters, digits and `_`.
fn is_word(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where each entry of a `settings` block was written, by its dotted key under `prefix`
/// (`server.root_url`); an entry inside a nested block `auth { … }` is `auth.<key>`.
fn settings_locations(b: &BlockVal, prefix: &str, out: &mut BTreeMap<String, Loc>) {
    for it in &b.items {
        match it {
            Item::Field { path, value, .. } => {
                let key = path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                out.entry(format!("{prefix}{key}")).or_insert(value.loc);
            }
            Item::Block(inner) => {
                let name = inner.kind.as_ref().map(|k| k.name.clone()).unwrap_or_default();
                settings_locations(inner, &format!("{prefix}{name}."), out);
            }
            Item::Value(_) => {}
        }
    }
}
