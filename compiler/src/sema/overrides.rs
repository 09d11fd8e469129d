//! Typed overrides: `gstackc build --overrides overrides.json` (what the Nix flake's
//! `lib.mkStack { overrides = …; }` passes) merges a JSON overlay over the stack before it is
//! checked, so a wrong type in an override is the same diagnostic as in source.
//!
//! Shape: `{ "stack": { "prometheus": { "port": 9091, "retention": "30d",
//! "scrape": { "app": { "targets": ["127.0.0.1:8080"] } } } },
//! "targets": { "native": { "bin": { "prometheus": "/nix/store/…/bin/prometheus" } } } }`.
//! A component at the top level is short for `stack.<component>`. Labelled blocks (`scrape NAME`, `receiver NAME`, `resources NAME`) are objects keyed by
//! name. Strings become what the field's type wants: `"30d"` a duration, `"critical"` an enum
//! value, `{ "file": "/run/secrets/x" }` / `{ "env": "X" }` a secret. Fields replace, blocks
//! merge.
//!
//! Diagnostics point into a normalised rendering of the overlay (one key a line), which is
//! registered as the overrides file's text.

use super::schema::{self, LabelRule, Schema, Ty};
use super::value::*;
use crate::db::SourceFile;
use crate::diag::Diagnostic;
use crate::ir::SecretRef;
use crate::syntax::ast::Ident;
use crate::syntax::Span;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// A JSON value with the span of its rendering.
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<(J, Span)>),
    Obj(Vec<(String, Span, J, Span)>),
}

/// Render JSON one key a line, recording spans.
fn render(v: &Value, indent: usize, out: &mut String) -> (J, Span) {
    let start = out.len();
    let j = match v {
        Value::Null => {
            out.push_str("null");
            J::Null
        }
        Value::Bool(b) => {
            out.push_str(&b.to_string());
            J::Bool(*b)
        }
        Value::Number(n) => {
            out.push_str(&n.to_string());
            J::Num(n.as_f64().unwrap_or(0.0))
        }
        Value::String(s) => {
            out.push_str(&serde_json::to_string(s).expect("string"));
            J::Str(s.clone())
        }
        Value::Array(a) => {
            out.push('[');
            let mut items = vec![];
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                items.push(render(x, indent, out));
            }
            out.push(']');
            J::Arr(items)
        }
        Value::Object(m) => {
            out.push_str("{\n");
            let mut items = vec![];
            for (i, (k, x)) in m.iter().enumerate() {
                out.push_str(&"  ".repeat(indent + 1));
                let ks = out.len();
                out.push_str(&serde_json::to_string(k).expect("key"));
                let kspan = Span::new(ks, out.len());
                out.push_str(": ");
                let (j, vspan) = render(x, indent + 1, out);
                if i + 1 < m.len() {
                    out.push(',');
                }
                out.push('\n');
                items.push((k.clone(), kspan, j, vspan));
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
            J::Obj(items)
        }
    };
    (j, Span::new(start, out.len()))
}

/// The overlay, ready to merge.
pub struct Overlay {
    pub file: SourceFile,
    pub stack: Option<Arc<BlockVal>>,
    pub targets: Vec<Arc<BlockVal>>,
    /// Dashboards, datasources, `alert`s and `log_alert`s given as data: merged with the
    /// declaration of the same kind and name, or added.
    pub decls: Vec<Arc<BlockVal>>,
    pub diags: Vec<Diagnostic>,
}

/// The overlay's keys for top-level declarations, with the declaration each entry becomes.
pub const DECLARATION_KEYS: &[(&str, &str)] = &[("dashboards", "dashboard"), ("datasources", "datasource"), ("alerts", "alert"), ("log_alerts", "log_alert")];

/// Parse overrides JSON. `Err` is a diagnostic against the original text (invalid JSON).
/// `Ok` gives the normalised text to register as the file's source, and a builder.
pub fn normalise(path: &Path, text: &str) -> Result<String, Diagnostic> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        let off = text.lines().take(e.line().saturating_sub(1)).map(|l| l.len() + 1).sum::<usize>() + e.column().saturating_sub(1);
        let off = off.min(text.len());
        Diagnostic::error("E0700", path, Span::new(off, off), format!("overrides are not valid JSON: {e}"))
    })?;
    let mut out = String::new();
    render(&v, 0, &mut out);
    out.push('\n');
    Ok(out)
}

/// Build the overlay from a file registered with [`normalise`]'s text.
pub fn overlay(file: SourceFile, path: &Path, text: &str) -> Overlay {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let mut out = String::new();
    let (j, span) = render(&v, 0, &mut out);
    let mut ov = Overlay { file, stack: None, targets: vec![], decls: vec![], diags: vec![] };
    let mut errs: Errs = vec![];
    let loc = |span: Span| Loc { file, span };
    let J::Obj(top) = j else {
        ov.diags.push(Diagnostic::error("E0201", path, span, "overrides are a JSON object").with_hint("{ \"stack\": { … }, \"targets\": { … } }"));
        return ov;
    };
    for (k, ks, j, vs) in &top {
        match (k.as_str(), j) {
            ("stack", J::Obj(items)) => {
                let b = block("stack", None, items, Some(&schema::STACK), loc(*vs), file, &mut errs);
                ov.stack = Some(Arc::new(match &ov.stack {
                    Some(prev) => merge(prev, &b),
                    None => b,
                }));
            }
            ("targets", J::Obj(items)) => {
                for (t, ts, body, bs) in items {
                    let sch = schema::TARGETS.iter().find(|(n, _)| n == t).map(|(_, s)| *s);
                    let J::Obj(body) = body else {
                        ov.diags.push(Diagnostic::error("E0201", path, *bs, format!("target `{t}` expects an object")));
                        continue;
                    };
                    let mut b = block("target", Some((t.clone(), *ts)), body, sch, loc(*bs), file, &mut errs);
                    b.kind = Some(Ident { name: "target".into(), span: *ts });
                    ov.targets.push(Arc::new(b));
                }
            }
            (key, J::Obj(items)) if DECLARATION_KEYS.iter().any(|(k, _)| *k == key) => {
                let kind = DECLARATION_KEYS.iter().find(|(k, _)| *k == key).map(|(_, d)| *d).expect("matched above");
                let sch = schema::TOP_LEVEL.iter().find(|(n, _)| *n == kind).map(|(_, s)| *s);
                for (name, ns, body, bs) in items {
                    let J::Obj(body) = body else {
                        ov.diags.push(Diagnostic::error("E0201", path, *bs, format!("{kind} `{name}` expects an object")));
                        continue;
                    };
                    let mut b = block(kind, Some((name.clone(), *ns)), body, sch, loc(*bs), file, &mut errs);
                    b.kind = Some(Ident { name: kind.into(), span: *ns });
                    ov.decls.push(Arc::new(b));
                }
            }
            // a component at the top level is short for `stack.<component>` (`{ "grafana": { "port": 3001 } }`)
            (c, J::Obj(_)) if schema::STACK.block(c).is_some() => {
                let b = block("stack", None, std::slice::from_ref(&(k.clone(), *ks, j.clone(), *vs)), Some(&schema::STACK), loc(*vs), file, &mut errs);
                ov.stack = Some(Arc::new(match &ov.stack {
                    Some(prev) => merge(prev, &b),
                    None => b,
                }));
            }
            ("stack" | "targets" | "dashboards" | "datasources" | "alerts" | "log_alerts", _) => {
                ov.diags.push(Diagnostic::error("E0201", path, *vs, format!("`{k}` expects an object")))
            }
            (other, _) => ov.diags.push(
                Diagnostic::error("E0200", path, *ks, format!("unknown key `{other}` in overrides"))
                    .with_hint(
                        crate::diag::did_you_mean(
                            other,
                            ["stack", "targets"].into_iter().chain(DECLARATION_KEYS.iter().map(|(k, _)| *k)).chain(schema::STACK.blocks.iter().map(|b| b.kind)),
                        )
                        .unwrap_or_else(|| "overrides have `stack`, `targets`, `dashboards`, `datasources`, `alerts`, `log_alerts` and component names".into()),
                    ),
            ),
        }
    }
    ov.diags.extend(errs.into_iter().map(|(code, span, msg, hint)| {
        let d = Diagnostic::error(code, path, span, msg);
        match hint {
            Some(h) => d.with_hint(h),
            None => d,
        }
    }));
    ov
}

/// Problems found while reading data into blocks: (code, span in the rendering, message, hint).
type Errs = Vec<(&'static str, Span, String, Option<String>)>;

/// A panel given as data: `{ "type": "timeseries", "title": "…", …fields }`.
fn panel_block(j: &J, span: Span, file: SourceFile, errs: &mut Errs) -> Option<Item> {
    let J::Obj(items) = j else {
        errs.push(("E0201", span, "a panel is an object: { \"type\": \"timeseries\", \"title\": \"…\", … }".into(), None));
        return None;
    };
    let field = |name: &str| items.iter().find(|(k, ..)| k == name);
    let Some((_, _, J::Str(kind), kspan)) = field("type") else {
        errs.push(("E0202", span, format!("a panel needs `type` (one of: {})", schema::PANEL_KINDS.join(", ")), None));
        return None;
    };
    // Grafana's plugin id (`state-timeline`) names the kind as well as its keyword
    let kind = &schema::PANEL_KIND_DEFS.iter().find(|d| d.plugin == kind).map_or_else(|| kind.clone(), |d| d.keyword.to_string());
    if !schema::PANEL_KINDS.contains(&kind.as_str()) {
        let hint = crate::diag::did_you_mean(kind, schema::PANEL_KINDS.iter().copied()).unwrap_or_else(|| format!("one of: {}", schema::PANEL_KINDS.join(", ")));
        errs.push(("E0205", *kspan, format!("`{kind}` is not a panel type"), Some(hint)));
        return None;
    }
    let label = match field("title") {
        Some((_, _, J::Str(t), ts)) => Some((t.clone(), *ts)),
        _ => None,
    };
    let rest: Vec<_> = items.iter().filter(|(k, ..)| k != "type" && k != "title").cloned().collect();
    let mut b = block(kind, label, &rest, Some(schema::panel_schema(kind)), Loc { file, span }, file, errs);
    b.kind = Some(Ident { name: kind.clone(), span: *kspan });
    Some(Item::Block(Arc::new(b)))
}

/// A dashboard variable given as data: `"job": { "query": ["prometheus", "label_values(up, job)"] }`
/// (or `custom`, `interval`: a list; `datasource`, `constant`, `textbox`, `adhoc`: a string).
fn variable_block(name: &str, nspan: Span, j: &J, span: Span, file: SourceFile, errs: &mut Errs) -> Option<Item> {
    const CTORS: &[&str] = crate::sema::schema::VARIABLE_CTORS;
    let loc = Loc { file, span };
    let (ctor, payload, ps) = match j {
        J::Obj(items) if items.len() == 1 => (&items[0].0, &items[0].2, items[0].3),
        _ => {
            errs.push(("E0201", span, format!("variable `{name}` is an object with one of: {}", CTORS.join(", ")), None));
            return None;
        }
    };
    let Some(ctor) = CTORS.iter().find(|c| **c == ctor.as_str()) else {
        errs.push(("E0201", span, format!("`{ctor}` is not a variable kind (one of: {})", CTORS.join(", ")), None));
        return None;
    };
    let mut one = |j: &J, s: Span| value(j, None, Loc { file, span: s }, file, errs);
    let args = match (*ctor, payload) {
        ("query", J::Arr(xs)) if xs.len() == 2 => xs.iter().map(|(x, s)| one(x, *s)).collect(),
        ("query", _) => {
            errs.push(("E0201", ps, "`query` takes [datasource, query]".into(), None));
            return None;
        }
        ("custom" | "interval", J::Arr(_)) => vec![one(payload, ps)],
        ("custom" | "interval", _) => {
            errs.push(("E0201", ps, format!("`{ctor}` takes a list"), None));
            return None;
        }
        (_, J::Str(_)) => vec![one(payload, ps)],
        _ => {
            errs.push(("E0201", ps, format!("`{ctor}` takes a string"), None));
            return None;
        }
    };
    Some(Item::Block(Arc::new(BlockVal {
        doc: None,
        kind: Some(Ident { name: "var".into(), span: nspan }),
        label: Some((name.to_string(), nspan)),
        items: vec![],
        value: Some(V { val: Val::Ctor { name: ctor, args: Arc::new(args) }, loc }),
        loc,
    })))
}

fn block(kind: &str, label: Option<(String, Span)>, items: &[(String, Span, J, Span)], sch: Option<&'static Schema>, loc: Loc, file: SourceFile, errs: &mut Errs) -> BlockVal {
    let mut out = vec![];
    for (k, ks, j, vs) in items {
        let kloc = Loc { file, span: *ks };
        if k == "panels" && sch.is_some_and(|s| s.panels) {
            match j {
                J::Arr(ps) => {
                    for (p, s) in ps {
                        out.extend(panel_block(p, *s, file, errs));
                    }
                }
                _ => errs.push(("E0201", *vs, "`panels` is a list of panels".into(), None)),
            }
            continue;
        }
        if k == "rows" && sch.is_some_and(|s| s.block("row").is_some()) {
            let J::Arr(rows) = j else {
                errs.push(("E0201", *vs, "`rows` is a list: [{ \"title\": \"…\", \"panels\": [ … ] }]".into(), None));
                continue;
            };
            for (r, rs) in rows {
                let title = match r {
                    J::Obj(fs) => fs.iter().find(|(k, ..)| k == "title").and_then(|(_, _, t, ts)| if let J::Str(t) = t { Some((t.clone(), *ts)) } else { None }),
                    _ => None,
                };
                let (J::Obj(fs), Some(title)) = (r, title) else {
                    errs.push(("E0202", *rs, "a row is an object with a `title`".into(), None));
                    continue;
                };
                let rest: Vec<_> = fs.iter().filter(|(k, ..)| k != "title").cloned().collect();
                let mut b = block("row", Some(title), &rest, Some(&schema::ROW), Loc { file, span: *rs }, file, errs);
                b.kind = Some(Ident { name: "row".into(), span: *ks });
                out.push(Item::Block(Arc::new(b)));
            }
            continue;
        }
        if k == "variables" && sch.is_some_and(|s| s.name == "dashboard") {
            match j {
                J::Obj(vars) => {
                    for (n, ns, v, vs) in vars {
                        out.extend(variable_block(n, *ns, v, *vs, file, errs));
                    }
                }
                _ => errs.push(("E0201", *vs, "`variables` is an object: name → { \"query\": [datasource, query] }, …".into(), None)),
            }
            continue;
        }
        if k == "settings" && sch.is_some_and(|s| s.settings) {
            if let J::Obj(inner) = j {
                out.push(Item::Block(Arc::new(block("settings", None, inner, None, Loc { file, span: *vs }, file, errs))));
                continue;
            }
        }
        if let Some(bd) = sch.and_then(|s| s.block(k)) {
            if let J::Obj(inner) = j {
                match bd.label {
                    LabelRule::Required => {
                        for (label, ls, body, bs) in inner {
                            if let J::Obj(body) = body {
                                let mut b = block(bd.kind, Some((label.clone(), *ls)), body, Some(bd.schema), Loc { file, span: *bs }, file, errs);
                                b.kind = Some(Ident { name: bd.kind.into(), span: *ks });
                                out.push(Item::Block(Arc::new(b)));
                            }
                        }
                    }
                    LabelRule::None => {
                        let mut b = block(bd.kind, None, inner, Some(bd.schema), Loc { file, span: *vs }, file, errs);
                        b.kind = Some(Ident { name: bd.kind.into(), span: *ks });
                        out.push(Item::Block(Arc::new(b)));
                    }
                }
                continue;
            }
        }
        let ty = sch.and_then(|s| s.field(k)).map(|f| f.ty);
        let _ = kloc;
        out.push(Item::Field {
            path: vec![Ident { name: k.clone(), span: *ks }],
            value: value(j, ty.as_ref(), Loc { file, span: *vs }, file, errs),
            file,
        });
    }
    BlockVal {
        doc: None,
        kind: Some(Ident { name: kind.into(), span: loc.span }),
        label,
        items: out,
        value: None,
        loc,
    }
}

/// A query given as data: `{ "promql": "up" }`, or a string where the field takes one language.
fn query(lang: crate::ir::QueryLang, text: &str, loc: Loc) -> Val {
    // the text starts after the rendering's opening quote (escapes make later offsets approximate)
    let start = Span::new(loc.span.start as usize + 1, loc.span.end.saturating_sub(1) as usize);
    Val::Query(Arc::new(QueryVal { lang, text: text.to_string(), pieces: vec![(0, start)] }))
}

fn value(j: &J, ty: Option<&Ty>, loc: Loc, file: SourceFile, errs: &mut Errs) -> V {
    let val = match (j, ty) {
        (J::Null, _) => Val::Error,
        (J::Str(s), Some(Ty::Query(langs))) if langs.len() == 1 => query(langs[0], s, loc),
        (J::Obj(items), Some(Ty::Query(_))) if items.len() == 1 => match (crate::ir::QueryLang::parse(&items[0].0), &items[0].2) {
            (Some(lang), J::Str(text)) => query(lang, text, Loc { file, span: items[0].3 }),
            _ => Val::Str(String::new()),
        },
        (J::Arr(steps), Some(Ty::Thresholds)) => Val::Map(Arc::new(
            steps
                .iter()
                .map(|(step, ss)| {
                    let sloc = Loc { file, span: *ss };
                    let mut get = |name: &str| match step {
                        J::Obj(fs) => fs.iter().find(|(k, ..)| k == name).map(|(_, _, v, vs)| value(v, Some(&Ty::Word), Loc { file, span: *vs }, file, errs)),
                        _ => None,
                    };
                    (get("value").unwrap_or(V { val: Val::Str("{ value, color }".into()), loc: sloc }), get("color").unwrap_or(V { val: Val::Sym(String::new()), loc: sloc }))
                })
                .collect(),
        )),
        (J::Bool(b), _) => Val::Bool(*b),
        (J::Num(n), _) => Val::Num(*n),
        (J::Str(s), Some(Ty::Duration | Ty::Bytes | Ty::Cpu)) => {
            let digits: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let unit = s[digits.len()..].to_string();
            match digits.parse::<f64>() {
                Ok(n) if !unit.is_empty() || matches!(ty, Some(Ty::Cpu)) => Val::Qty { value: n, unit, text: s.clone() },
                _ => Val::Str(s.clone()),
            }
        }
        (J::Str(s), Some(Ty::Enum(_) | Ty::Word | Ty::Ref(_))) => Val::Sym(s.clone()),
        (J::Str(s), Some(Ty::Addr)) if s.parse::<std::net::Ipv4Addr>().is_ok() => Val::Addr(s.clone()),
        (J::Str(s), _) => Val::Str(s.clone()),
        (J::Obj(items), Some(Ty::Secret | Ty::StrOrSecret)) if items.len() == 1 => match (&items[0].0[..], &items[0].2) {
            ("file", J::Str(p)) => Val::Secret(SecretRef::File(p.clone())),
            ("env", J::Str(e)) => Val::Secret(SecretRef::Env(e.clone())),
            _ => Val::Str(String::new()),
        },
        (J::Arr(xs), ty) => {
            let inner = match ty {
                Some(Ty::ListOf(t)) => Some(*t),
                _ => None,
            };
            Val::List(Arc::new(xs.iter().map(|(x, s)| value(x, inner, Loc { file, span: *s }, file, errs)).collect()))
        }
        (J::Obj(items), ty) => {
            let sch = match ty {
                Some(Ty::Record(s)) => Some(*s),
                _ => None,
            };
            let mut b = block("", None, items, sch, loc, file, errs);
            b.kind = None;
            Val::Block(Arc::new(b))
        }
    };
    V { val, loc }
}

/// `over` merged into `base`: fields replace fields of the same name, blocks merge with the
/// block of the same kind and label.
pub fn merge(base: &BlockVal, over: &BlockVal) -> BlockVal {
    let mut items = base.items.clone();
    for it in &over.items {
        match it {
            Item::Field { path, .. } => {
                items.retain(|b| !matches!(b, Item::Field { path: p, .. } if same_path(p, path)));
                items.push(it.clone());
            }
            Item::Block(ob) => {
                let pos = items.iter().position(|b| match b {
                    Item::Block(bb) => bb.kind.as_ref().map(|k| &k.name) == ob.kind.as_ref().map(|k| &k.name) && bb.label.as_ref().map(|l| &l.0) == ob.label.as_ref().map(|l| &l.0),
                    _ => false,
                });
                match pos {
                    Some(i) => {
                        let Item::Block(bb) = &items[i] else { unreachable!() };
                        items[i] = Item::Block(Arc::new(merge(bb, ob)));
                    }
                    None => items.push(it.clone()),
                }
            }
            Item::Value(_) => items.push(it.clone()),
        }
    }
    BlockVal { items, ..base.clone() }
}

fn same_path(a: &[Ident], b: &[Ident]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name)
}

/// Apply an overlay to the declarations of a stack.
pub fn apply(decls: &mut Vec<Arc<BlockVal>>, ov: &Overlay) {
    let kind = |d: &BlockVal| d.kind.as_ref().map(|k| k.name.clone()).unwrap_or_default();
    if let Some(s) = &ov.stack {
        if let Some(i) = decls.iter().position(|d| kind(d) == "stack") {
            decls[i] = Arc::new(merge(&decls[i], s));
        }
    }
    for d in &ov.decls {
        let label = d.label.as_ref().map(|l| l.0.clone());
        match decls.iter().position(|x| kind(x) == kind(d) && x.label.as_ref().map(|l| l.0.clone()) == label) {
            Some(i) => decls[i] = Arc::new(merge(&decls[i], d)),
            None => decls.push(d.clone()),
        }
    }
    for t in &ov.targets {
        let label = t.label.as_ref().map(|l| l.0.clone());
        match decls.iter().position(|d| kind(d) == "target" && d.label.as_ref().map(|l| l.0.clone()) == label) {
            Some(i) => decls[i] = Arc::new(merge(&decls[i], t)),
            None => decls.push(t.clone()),
        }
    }
}
