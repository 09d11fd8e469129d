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
    pub diags: Vec<Diagnostic>,
}

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
    let mut ov = Overlay { file, stack: None, targets: vec![], diags: vec![] };
    let loc = |span: Span| Loc { file, span };
    let J::Obj(top) = j else {
        ov.diags.push(Diagnostic::error("E0201", path, span, "overrides are a JSON object").with_hint("{ \"stack\": { … }, \"targets\": { … } }"));
        return ov;
    };
    for (k, ks, j, vs) in &top {
        match (k.as_str(), j) {
            ("stack", J::Obj(items)) => {
                let b = block("stack", None, items, Some(&schema::STACK), loc(*vs), file);
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
                    let mut b = block("target", Some((t.clone(), *ts)), body, sch, loc(*bs), file);
                    b.kind = Some(Ident { name: "target".into(), span: *ts });
                    ov.targets.push(Arc::new(b));
                }
            }
            // a component at the top level is short for `stack.<component>` (`{ "grafana": { "port": 3001 } }`)
            (c, J::Obj(_)) if schema::STACK.block(c).is_some() => {
                let b = block("stack", None, std::slice::from_ref(&(k.clone(), *ks, j.clone(), *vs)), Some(&schema::STACK), loc(*vs), file);
                ov.stack = Some(Arc::new(match &ov.stack {
                    Some(prev) => merge(prev, &b),
                    None => b,
                }));
            }
            ("stack" | "targets", _) => ov.diags.push(Diagnostic::error("E0201", path, *vs, format!("`{k}` expects an object"))),
            (other, _) => ov.diags.push(
                Diagnostic::error("E0200", path, *ks, format!("unknown key `{other}` in overrides"))
                    .with_hint(
                        crate::diag::did_you_mean(other, ["stack", "targets"].into_iter().chain(schema::STACK.blocks.iter().map(|b| b.kind)))
                            .unwrap_or_else(|| "overrides have `stack`, `targets` and component names".into()),
                    ),
            ),
        }
    }
    ov
}

fn block(kind: &str, label: Option<(String, Span)>, items: &[(String, Span, J, Span)], sch: Option<&'static Schema>, loc: Loc, file: SourceFile) -> BlockVal {
    let mut out = vec![];
    for (k, ks, j, vs) in items {
        let kloc = Loc { file, span: *ks };
        if k == "settings" && sch.is_some_and(|s| s.settings) {
            if let J::Obj(inner) = j {
                out.push(Item::Block(Arc::new(block("settings", None, inner, None, Loc { file, span: *vs }, file))));
                continue;
            }
        }
        if let Some(bd) = sch.and_then(|s| s.block(k)) {
            if let J::Obj(inner) = j {
                match bd.label {
                    LabelRule::Required => {
                        for (label, ls, body, bs) in inner {
                            if let J::Obj(body) = body {
                                let mut b = block(bd.kind, Some((label.clone(), *ls)), body, Some(bd.schema), Loc { file, span: *bs }, file);
                                b.kind = Some(Ident { name: bd.kind.into(), span: *ks });
                                out.push(Item::Block(Arc::new(b)));
                            }
                        }
                    }
                    LabelRule::None => {
                        let mut b = block(bd.kind, None, inner, Some(bd.schema), Loc { file, span: *vs }, file);
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
            value: value(j, ty.as_ref(), Loc { file, span: *vs }, file),
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

fn value(j: &J, ty: Option<&Ty>, loc: Loc, file: SourceFile) -> V {
    let val = match (j, ty) {
        (J::Null, _) => Val::Error,
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
            Val::List(Arc::new(xs.iter().map(|(x, s)| value(x, inner, Loc { file, span: *s }, file)).collect()))
        }
        (J::Obj(items), ty) => {
            let sch = match ty {
                Some(Ty::Record(s)) => Some(*s),
                _ => None,
            };
            let mut b = block("", None, items, sch, loc, file);
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
    for t in &ov.targets {
        let label = t.label.as_ref().map(|l| l.0.clone());
        match decls.iter().position(|d| kind(d) == "target" && d.label.as_ref().map(|l| l.0.clone()) == label) {
            Some(i) => decls[i] = Arc::new(merge(&decls[i], t)),
            None => decls.push(t.clone()),
        }
    }
}
