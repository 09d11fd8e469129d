//! Hover: what the thing under the cursor is, as Markdown.
//!
//! - a field key: its type, units, default and documentation (from the schema);
//! - a block kind: what the block is (schema documentation);
//! - a name: its definition — a `let` with its evaluated value, a function's signature, a
//!   parameter's type, an import's module, a receiver or datasource — with its doc comment,
//!   also across files and into `std`;
//! - a built-in: its documentation;
//! - an enum value, a Grafana unit or a colour: what the field accepts;
//! - a number with a unit: its value in base units (`15d` = 1296000 s);
//! - inside a `promql`, `logql` or `traceql` literal: a function, aggregation, pipeline stage
//!   or keyword — its signature, what it returns and its upstream page ([`queries`]).

pub use super::describe::{describe_field, units_note};
use super::index::{elem, file_index, BlockSite, DefKind, KindInfo, Static, Target, UnitSite};
use super::{at, doc_above, module_doc, DefId, Resolved};
use crate::db::{Db, SourceFile};
use crate::sema::eval::{eval_module, BUILTINS};
use crate::sema::schema::{self, FieldDef, LabelRule, RefKind, Ty};
use crate::sema::types::{self, fmt_num};
use crate::sema::value::Val;
use crate::syntax::Span;

mod queries;

/// A hover result: the span it describes and Markdown text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// Hover at byte `offset` of `file`. `stack` is the files of the stack (for receivers and
/// datasources).
pub fn hover(db: &dyn Db, file: SourceFile, offset: u32, stack: &[SourceFile]) -> Option<Hover> {
    // a word of a query literal
    if let Some(h) = queries::hover(file.text(db), offset) {
        return Some(h);
    }
    let idx = file_index(db, file);
    // a name (reference or definition)
    if let Some((span, targets)) = at(db, file, offset, stack) {
        if let Some(t) = targets.first() {
            return Some(Hover { span, markdown: describe(db, file, *t) });
        }
        if let Some(r) = idx.ref_at(offset) {
            if let Some(md) = describe_symbol(&r.name, r.expect, &r.target) {
                return Some(Hover { span, markdown: md });
            }
        }
    }
    // a field key
    if let Some(f) = idx.fields.iter().find(|f| super::index::contains(f.key_span(), offset)) {
        let md = match f.def() {
            Some(fd) => describe_field(fd, f.ctx.schema().map(|s| s.name)),
            None if f.ctx == super::index::Ctx::Free => {
                let key: Vec<&str> = f.path.iter().map(|p| p.name.as_str()).collect();
                let in_record = f.block.is_some_and(|b| idx.blocks[b].kind.is_none());
                if in_record {
                    format!("**{}** — a key of a map of strings", key.join("."))
                } else {
                    format!("**{}** — a freeform setting\n\nPassed through to the program's configuration as written (`a.b = v` is key `b` of section `a`). Secrets may not go here.", key.join("."))
                }
            }
            None => return None,
        };
        return Some(Hover { span: f.key_span(), markdown: md });
    }
    // a key whose entry does not parse yet (`port =` with the value still to write)
    if let Some((span, fd, owner)) = unparsed_key(db, file, offset) {
        return Some(Hover { span, markdown: describe_field(fd, owner) });
    }
    // a block kind or a declaration's label
    if let Some(b) = idx.blocks.iter().find(|b| b.kind.as_ref().is_some_and(|k| super::index::contains(k.span, offset))) {
        return Some(Hover { span: b.kind.as_ref().unwrap().span, markdown: describe_block(db, file, b) });
    }
    if let Some(b) = idx.blocks.iter().find(|b| b.label.as_ref().is_some_and(|(_, s)| super::index::contains(*s, offset)) && b.top) {
        return Some(Hover { span: b.label.as_ref().unwrap().1, markdown: describe_block(db, file, b) });
    }
    // a number with a unit
    if let Some(u) = idx.units.iter().find(|u| super::index::contains(u.span, offset)) {
        return Some(Hover { span: u.span, markdown: describe_unit(u) });
    }
    None
}

/// The word at `offset` when `=` follows it (not `==`) and it is a field of the block around
/// it as the tokens before it tell: its span, field and the block's schema name.
fn unparsed_key(db: &dyn Db, file: SourceFile, offset: u32) -> Option<(Span, &'static FieldDef, Option<&'static str>)> {
    let text = file.text(db).as_str();
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut start = (offset as usize).min(text.len());
    while start > 0 && word(b[start - 1]) {
        start -= 1;
    }
    let mut end = start;
    while end < b.len() && word(b[end]) {
        end += 1;
    }
    if start == end || (offset as usize) < start {
        return None;
    }
    let rest = text[end..].trim_start_matches([' ', '\t']);
    if !rest.starts_with('=') || rest.starts_with("==") {
        return None;
    }
    let ctx = super::completion::context_at(db, file, start as u32);
    let fd = ctx.field(&text[start..end])?;
    Some((Span::new(start, end), fd, ctx.schema().map(|s| s.name)))
}

fn code(s: &str) -> String {
    format!("```gstack\n{s}\n```")
}

/// Where a definition lives, as a reader would name it.
pub fn shown_path(db: &dyn Db, f: SourceFile) -> String {
    let p = f.path(db);
    match p.strip_prefix("<std>") {
        Ok(rest) => format!("std.{}", rest.with_extension("").display()),
        Err(_) => p.display().to_string(),
    }
}

/// Describe what a name resolves to.
pub fn describe(db: &dyn Db, from: SourceFile, t: Resolved) -> String {
    match t {
        Resolved::Builtin(b) => {
            let doc = BUILTINS.iter().find(|(n, _)| *n == b).map(|(_, d)| *d).unwrap_or("");
            format!("{}\n\n{doc}", code(&format!("(built-in) {b}")))
        }
        Resolved::Module(m) => describe_module(db, m),
        Resolved::Def(id) => describe_def(db, from, id),
    }
}

fn describe_module(db: &dyn Db, m: SourceFile) -> String {
    let mut md = code(&format!("(module) {}", shown_path(db, m)));
    if let Some(doc) = module_doc(m.text(db)) {
        md.push_str("\n\n");
        md.push_str(&doc);
    }
    let idx = file_index(db, m);
    let names = |k: DefKind| idx.defs.iter().filter(|d| d.kind == k).map(|d| format!("`{}`", d.name)).collect::<Vec<_>>();
    let (fns, lets) = (names(DefKind::Fn), names(DefKind::Let));
    if !fns.is_empty() {
        md.push_str(&format!("\n\nFunctions: {}", fns.join(", ")));
    }
    if !lets.is_empty() {
        md.push_str(&format!("\n\nValues: {}", lets.join(", ")));
    }
    let decls: Vec<String> = idx
        .blocks
        .iter()
        .filter(|b| b.top)
        .map(|b| format!("`{} {}`", b.kind.as_ref().map(|k| k.name.as_str()).unwrap_or(""), b.label.as_ref().map(|l| l.0.as_str()).unwrap_or("")).replace(" `", "`"))
        .collect();
    if !decls.is_empty() {
        md.push_str(&format!("\n\nDeclarations (they join the stack): {}", decls.join(", ")));
    }
    md
}

fn describe_def(db: &dyn Db, from: SourceFile, id: DefId) -> String {
    let d = id.def(db);
    let text = id.file.text(db);
    let doc = match d.kind {
        DefKind::Let | DefKind::Fn | DefKind::Receiver | DefKind::Datasource | DefKind::Component => doc_above(text, d.span.start).or_else(|| d.doc.clone()),
        _ => d.doc.clone(),
    };
    let mut md = match d.kind {
        DefKind::Let => {
            let mut s = code(&format!("let {}", d.name));
            if let Some((v, _, _)) = eval_module(db, id.file).scope.get(&d.name) {
                if let Some(desc) = describe_value(&v.val) {
                    s.push_str(&format!("\n\nValue: {desc}"));
                }
            }
            s
        }
        DefKind::Fn => code(d.detail.as_deref().unwrap_or(&d.name)),
        DefKind::Param => code(&match &d.detail {
            Some(t) => format!("(parameter) {}: {t}", d.name),
            None => format!("(parameter) {}", d.name),
        }),
        DefKind::Local => code(&format!("let {} (local)", d.name)),
        DefKind::ForVar => code(&format!("(for variable) {}", d.name)),
        DefKind::Alias => {
            return match d.module {
                Some(m) => describe_module(db, m),
                None => code(d.detail.as_deref().unwrap_or(&d.name)),
            }
        }
        DefKind::Receiver => format!("{}\n\n{}", code(&format!("receiver {}", d.name)), schema::RECEIVER.doc),
        DefKind::Datasource => {
            let ty = d.detail.as_deref().map(|t| format!(" (type `{t}`)")).unwrap_or_default();
            format!("{}\n\nA Grafana datasource{ty}; panels and variables name it with `datasource = {}`.", code(&format!("datasource {}", d.name)), d.name)
        }
        DefKind::Component => {
            let bd = schema::STACK.block(&d.name);
            let mut s = code(&format!("(component) {}", d.name));
            if crate::programs::Component::is_datasource(&d.name) {
                s.push_str(&format!("\n\nA datasource of the stack (uid `{}`).", d.name));
            }
            if let Some(bd) = bd {
                s.push_str(&format!("\n\n{}", bd.schema.doc));
            }
            s
        }
        DefKind::Var => format!("{}\n\nA dashboard variable: queries use it as `${}`.", code(&format!("var {}", d.name)), d.name),
    };
    if let Some(doc) = doc {
        md.push_str("\n\n---\n\n");
        md.push_str(&doc);
    }
    if id.file != from {
        md.push_str(&format!("\n\n*Defined in* `{}`", shown_path(db, id.file)));
    }
    md
}

/// A short description of an evaluated value.
pub fn describe_value(v: &Val) -> Option<String> {
    Some(match v {
        Val::Str(s) => {
            let short: String = s.chars().take(60).collect();
            let more = if short.len() < s.len() { "…" } else { "" };
            format!("string `\"{}{more}\"`", short.replace('`', "'"))
        }
        Val::Num(n) => format!("number `{}`", fmt_num(*n)),
        Val::Bool(b) => format!("bool `{b}`"),
        Val::Qty { text, .. } => format!("`{text}` (a unit literal; typed where it is used)"),
        Val::Addr(a) => format!("address `{a}`"),
        Val::List(xs) => format!("list of {} item{}", xs.len(), if xs.len() == 1 { "" } else { "s" }),
        Val::Map(kvs) => format!("map of {} entr{}", kvs.len(), if kvs.len() == 1 { "y" } else { "ies" }),
        Val::Error => return None,
        other => other.type_name(),
    })
}

fn describe_block(db: &dyn Db, file: SourceFile, b: &BlockSite) -> String {
    let kind = b.kind.as_ref().map(|k| k.name.as_str()).unwrap_or("");
    let head = match (&b.kind, &b.label) {
        (Some(k), Some((l, s))) => {
            if file.text(db).as_bytes().get(s.start as usize) == Some(&b'"') {
                format!("{} \"{l}\"", k.name)
            } else {
                format!("{} {l}", k.name)
            }
        }
        (Some(k), None) => k.name.clone(),
        (None, _) => "{ … }".to_string(),
    };
    let mut md = code(&head);
    let body = match b.info {
        KindInfo::Decl(Static(s)) | KindInfo::Target(Some(Static(s))) => {
            let mut t = s.doc.to_string();
            t.push_str(&members(s));
            t
        }
        KindInfo::Target(None) => format!("A deployment target: one of {}.", schema::TARGETS.iter().map(|(k, _)| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
        KindInfo::Block(Static(bd)) => {
            let mut t = String::new();
            if bd.label == LabelRule::Required {
                t.push_str(&format!("`{} NAME {{ … }}`", bd.kind));
                t.push_str(if bd.many { " (any number)" } else { "" });
                t.push_str("\n\n");
            }
            t.push_str(bd.doc);
            if bd.schema.doc != bd.doc {
                t.push_str("\n\n");
                t.push_str(bd.schema.doc);
            }
            t.push_str(&members(bd.schema));
            t
        }
        KindInfo::Panel => format!("A `{kind}` panel (Grafana panel plugin id `{kind}`); its label is the title.\n\n{}{}", schema::PANEL.doc, members(schema::panel_schema(kind))),
        KindInfo::Settings => "Freeform settings, merged over the generated configuration of this program: `a.b = value` sets key `b` of section `a`. Secrets may not go here.".into(),
        KindInfo::Var => "A dashboard variable: `var NAME = query(datasource, \"…\")`, `custom([…])`, `interval([…])`, `datasource(type)` or `constant(\"…\")`. Queries use it as `$NAME`.".into(),
        KindInfo::Unknown => return md,
    };
    md.push_str("\n\n");
    md.push_str(&body);
    if let Some(kspan) = b.kind.as_ref().map(|k| k.span) {
        if let Some(doc) = doc_above(file.text(db), kspan.start).or_else(|| b.doc.clone()) {
            md.push_str("\n\n---\n\n");
            md.push_str(&doc);
        }
    }
    md
}

fn members(s: &schema::Schema) -> String {
    let mut t = String::new();
    if !s.fields.is_empty() {
        t.push_str(&format!("\n\nFields: {}", s.fields.iter().map(|f| format!("`{}`", f.name)).collect::<Vec<_>>().join(", ")));
    }
    if !s.blocks.is_empty() {
        t.push_str(&format!("\n\nBlocks: {}", s.blocks.iter().map(|b| format!("`{}`", b.kind)).collect::<Vec<_>>().join(", ")));
    }
    t
}

/// A bare word in a typed position: an enum value, a Grafana unit, a colour.
fn describe_symbol(word: &str, expect: Option<Static<FieldDef>>, target: &Target) -> Option<String> {
    let fd = expect?.0;
    let md = match (elem(&fd.ty), target) {
        (Ty::Enum(vs), _) => {
            let ok = if vs.contains(&word) { "" } else { " — **not one of them**" };
            format!("`{word}`: a value of **{}**, one of {}{ok}", fd.name, vs.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "))
        }
        (Ty::Word, _) if fd.name == "unit" => {
            let ok = if schema::UNITS.contains(&word) { "a Grafana unit id" } else { "**not a Grafana unit id gstack knows**" };
            format!("`{word}`: {ok}\n\n{}", fd.doc)
        }
        (Ty::Thresholds, _) => {
            let ok = if schema::COLORS.contains(&word) { "a Grafana colour" } else { "**not a colour Grafana knows**" };
            format!("`{word}`: {ok}")
        }
        (Ty::Ref(k), Target::Named(..)) => {
            let what = match k {
                RefKind::Receiver => "receiver",
                RefKind::Datasource => "datasource",
            };
            format!("`{word}`: **no {what} of this name in the stack**")
        }
        _ => return None,
    };
    Some(md)
}

fn describe_unit(u: &UnitSite) -> String {
    let value: f64 = u.digits.parse().unwrap_or(0.0);
    let text = format!("{}{}", u.digits, u.unit);
    let want = u.expect.map(|f| elem(&f.0.ty));
    let is_dur = types::DURATION_UNITS.iter().any(|(x, _)| *x == u.unit);
    let is_bytes = types::BYTE_UNITS.iter().any(|(x, _)| *x == u.unit);
    let as_duration = || match types::duration(value, &u.unit, &text) {
        Ok(d) => format!("**duration** `{text}` = {} ms = {} s", d.millis, fmt_num(d.millis as f64 / 1000.0)),
        Err(e) => format!("`{text}`: {}\n\n{}", e.message, e.hint),
    };
    let as_bytes = || match types::bytes(value, &u.unit, &text) {
        Ok(b) => format!("**byte size** `{text}` = {} bytes (Kubernetes `{}`)", b.0, b.to_k8s()),
        Err(e) => format!("`{text}`: {}\n\n{}", e.message, e.hint),
    };
    match want {
        Some(Ty::Duration) => as_duration(),
        Some(Ty::Bytes) => as_bytes(),
        Some(Ty::Cpu) => match types::cpu(value, &u.unit, &text) {
            Ok(c) => format!("**CPU** `{text}` = {} millicores = {} cores", c.0, fmt_num(c.0 as f64 / 1000.0)),
            Err(e) => format!("`{text}`: {}\n\n{}", e.message, e.hint),
        },
        _ if u.unit == "m" => format!(
            "`{text}`: {} minutes as a duration, or {} millicores as CPU — the field it is used in decides",
            u.digits, u.digits
        ),
        _ if is_dur => as_duration(),
        _ if is_bytes => as_bytes(),
        _ => format!("`{text}`: unknown unit `{}`", u.unit),
    }
}
