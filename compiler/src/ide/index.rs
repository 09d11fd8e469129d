//! The per-file index every editor feature reads: definitions, resolved name references,
//! field keys, block headers and typed literals, each with its span and its schema context.
//!
//! Built by one walk over the syntax tree ([`file_index`], a salsa query: recomputed only
//! when the file's text or its import edges change). Names resolve the way the evaluator
//! looks them up (`sema::eval`): locals innermost first (function parameters, `for`
//! variables, `let`s inside a block), then the file's import aliases, functions (visible in
//! the whole file) and top-level `let`s (visible after their definition; anywhere inside a
//! function body, which is evaluated when called), then built-ins. A bare word that names
//! nothing is a symbol: a reference to a receiver or datasource when the field it is written in
//! takes one (resolved stack-wide by [`resolve`]), an enum value or an error otherwise.

use crate::db::{self, Db, SourceFile};
use crate::sema::eval::{file_imports, BUILTINS};
use crate::sema::schema::{self, BlockDef, FieldDef, RefKind, Schema, Ty};
use crate::syntax::ast::*;
use crate::syntax::Span;
use std::sync::Arc;

/// A `'static` schema item, compared by address (schemas are statics).
#[derive(Debug)]
pub struct Static<T: 'static>(pub &'static T);
impl<T> Clone for Static<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Static<T> {}
impl<T> PartialEq for Static<T> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}
impl<T> Eq for Static<T> {}

/// What the entries of a block body (or record) are checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// The top level of a file: declarations, `let`, `fn`, `import`.
    File,
    /// A block or record with a schema.
    Schema(Static<Schema>),
    /// Freeform keys: `settings { … }`, a string map.
    Free,
    /// Nothing is known (an unknown block kind, a record in an untyped position).
    Unknown,
}

impl Ctx {
    pub fn schema(self) -> Option<&'static Schema> {
        match self {
            Ctx::Schema(s) => Some(s.0),
            _ => None,
        }
    }
    /// The schema of a single-segment field `name` here.
    pub fn field(self, name: &str) -> Option<&'static FieldDef> {
        self.schema().and_then(|s| s.field(name))
    }
}

/// What the kind word of a block means where it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindInfo {
    /// A top-level declaration (`stack`, `dashboard`, `alert`, …).
    Decl(Static<Schema>),
    /// `target KIND { … }`; the schema when the kind is known.
    Target(Option<Static<Schema>>),
    /// A nested block a schema declares (`prometheus` in `stack`, `row` in `dashboard`).
    Block(Static<BlockDef>),
    /// A panel (`timeseries "Title" { … }`).
    Panel,
    /// A component's freeform `settings { … }`.
    Settings,
    /// A dashboard variable `var name = …`.
    Var,
    Unknown,
}

/// All schemas with nested blocks, for blocks written in expression position (a function
/// returning a `row`, say), where no enclosing block says what they are.
const NESTING: &[&Schema] = &[
    &schema::STACK,
    &schema::PROMETHEUS,
    &schema::ALERTMANAGER,
    &schema::ROUTE,
    &schema::DASHBOARD,
    &schema::TARGET_COMPOSE,
    &schema::TARGET_KUBERNETES,
];

/// Classify a block `kind label` whose enclosing body has context `parent`: what the kind
/// word is, and the context of the block's own body.
pub fn classify(parent: Ctx, kind: &str, label: Option<&str>) -> (KindInfo, Ctx) {
    match parent {
        Ctx::File => {
            if kind == "target" {
                return match label.and_then(|l| schema::TARGETS.iter().find(|(k, _)| *k == l)) {
                    Some((_, s)) => (KindInfo::Target(Some(Static(*s))), Ctx::Schema(Static(*s))),
                    None => (KindInfo::Target(None), Ctx::Unknown),
                };
            }
            match schema::TOP_LEVEL.iter().find(|(k, _)| *k == kind) {
                Some((_, s)) => (KindInfo::Decl(Static(*s)), Ctx::Schema(Static(*s))),
                None => expression_block(kind),
            }
        }
        Ctx::Schema(Static(s)) => {
            if kind == "settings" && s.settings {
                (KindInfo::Settings, Ctx::Free)
            } else if kind == "var" && s.name == "dashboard" {
                (KindInfo::Var, Ctx::Unknown)
            } else if s.panels && schema::PANEL_KINDS.contains(&kind) {
                (KindInfo::Panel, Ctx::Schema(Static(schema::panel_schema(kind))))
            } else if let Some(bd) = s.block(kind) {
                (KindInfo::Block(Static(bd)), Ctx::Schema(Static(bd.schema)))
            } else {
                (KindInfo::Unknown, Ctx::Unknown)
            }
        }
        Ctx::Free => (KindInfo::Unknown, Ctx::Free),
        Ctx::Unknown => expression_block(kind),
    }
}

/// A block with no enclosing schema (in a function body, or under an unknown block): a panel
/// kind is a panel, a nested block kind of any schema is that block.
fn expression_block(kind: &str) -> (KindInfo, Ctx) {
    if schema::PANEL_KINDS.contains(&kind) {
        return (KindInfo::Panel, Ctx::Schema(Static(schema::panel_schema(kind))));
    }
    for s in NESTING {
        if let Some(bd) = s.block(kind) {
            return (KindInfo::Block(Static(bd)), Ctx::Schema(Static(bd.schema)));
        }
    }
    (KindInfo::Unknown, Ctx::Unknown)
}

/// The datasource argument of `query(ds, "…")` and `datasource(ds)`.
pub static VARIABLE_DATASOURCE: FieldDef = FieldDef {
    grammar: None,
    name: "datasource",
    ty: Ty::Ref(RefKind::Datasource),
    required: true,
    default: None,
    doc: "The datasource the variable reads: a declared `datasource`, or a stack component Grafana queries (`prometheus`, `loki`, `tempo`, `alertmanager`).",
};

/// What a definition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DefKind {
    /// A top-level `let`.
    Let,
    Fn,
    /// A function parameter.
    Param,
    /// A `let` inside a block or record.
    Local,
    /// The variable of a `for`.
    ForVar,
    /// An import alias (`as x`, or the module's last name / file stem).
    Alias,
    /// `receiver NAME { … }` in `alertmanager`.
    Receiver,
    /// A top-level `datasource NAME { … }`.
    Datasource,
    /// A component block of the `stack` (`prometheus { … }`): the datasource of that name.
    Component,
    /// A dashboard variable `var NAME = …`.
    Var,
}

/// One definition in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Def {
    pub kind: DefKind,
    pub name: String,
    /// The name as written (an implicit import alias: the module's last name or the path).
    pub span: Span,
    /// The whole definition.
    pub full: Span,
    /// Where the name can be used.
    pub scope: Span,
    pub doc: Option<String>,
    /// A one-line summary: a function's signature, a parameter's type, a datasource's type.
    pub detail: Option<String>,
    /// A function's parameter names.
    pub params: Vec<String>,
    /// An alias: the module it names (`None` when the import does not resolve).
    pub module: Option<SourceFile>,
    /// An alias: written with `as`.
    pub explicit: bool,
}

/// What a name reference points at, as far as one file can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A definition of this file (index into [`FileIndex::defs`]).
    Def(usize),
    /// An imported module (an import path); `None` when it does not resolve.
    Module(Option<SourceFile>),
    /// `alias.name`: a top-level name of an imported module.
    Member { module: SourceFile, name: String },
    Builtin(&'static str),
    /// A receiver or datasource by name, declared anywhere in the stack.
    Named(RefKind, String),
    /// A bare word naming nothing: an enum value, a colour, or an error.
    Sym,
}

/// A name used somewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    pub span: Span,
    pub name: String,
    pub target: Target,
    /// The field the value is written in, when known (for enum values and references).
    pub expect: Option<Static<FieldDef>>,
    /// Written as a string literal (`datasource = "warehouse"`): the span is inside the quotes.
    pub quoted: bool,
}

/// A `key = value` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSite {
    pub path: Vec<Ident>,
    pub span: Span,
    /// Context of the block the field is in.
    pub ctx: Ctx,
    /// The block or record it is in (index into [`FileIndex::blocks`]), if any.
    pub block: Option<usize>,
}

impl FieldSite {
    /// The span of the key (`a.b.c`).
    pub fn key_span(&self) -> Span {
        match (self.path.first(), self.path.last()) {
            (Some(a), Some(b)) => a.span.cover(b.span),
            _ => self.span,
        }
    }
    pub fn def(&self) -> Option<&'static FieldDef> {
        if self.path.len() == 1 {
            self.ctx.field(&self.path[0].name)
        } else {
            None
        }
    }
}

/// A block `kind label { … }` / `kind label = expr`, or a record `{ … }` (no kind).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockSite {
    pub kind: Option<Ident>,
    pub info: KindInfo,
    /// The label's text and span (a string label: the literal's span).
    pub label: Option<(String, Span)>,
    pub span: Span,
    /// The braces of the body, when it has one.
    pub body: Option<Span>,
    /// Context of the body.
    pub ctx: Ctx,
    /// The enclosing block or record.
    pub parent: Option<usize>,
    /// Written at the top level of the file.
    pub top: bool,
    pub doc: Option<String>,
}

/// A number with a unit suffix (`15d`, `2GiB`, `500m`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitSite {
    pub span: Span,
    pub digits: String,
    pub unit: String,
    pub expect: Option<Static<FieldDef>>,
}

/// A call: its callee reference (index into [`FileIndex::refs`]) and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallSite {
    pub callee: Option<usize>,
    pub args: Vec<Span>,
}

/// Everything the editor features need to know about one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileIndex {
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
    pub fields: Vec<FieldSite>,
    pub blocks: Vec<BlockSite>,
    pub units: Vec<UnitSite>,
    pub calls: Vec<CallSite>,
    /// Spans of import paths (`std.panels`, `"./x.gstack"`), with what they resolve to.
    pub imports: Vec<(Span, Option<SourceFile>)>,
}

impl FileIndex {
    /// The definition whose name is at `offset`.
    pub fn def_at(&self, offset: u32) -> Option<usize> {
        self.defs.iter().position(|d| contains(d.span, offset))
    }
    /// The reference at `offset` (the innermost when several overlap).
    pub fn ref_at(&self, offset: u32) -> Option<&Ref> {
        self.refs.iter().filter(|r| contains(r.span, offset)).min_by_key(|r| r.span.end - r.span.start)
    }
    /// The top-level name `name` (an alias, function or `let`), as another file sees it.
    pub fn top_level(&self, name: &str) -> Option<usize> {
        self.defs.iter().position(|d| d.name == name && matches!(d.kind, DefKind::Alias | DefKind::Fn | DefKind::Let))
    }
    /// The innermost block or record whose body contains `offset`.
    pub fn enclosing_block(&self, offset: u32) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, b) in self.blocks.iter().enumerate() {
            let Some(body) = b.body else { continue };
            let inside = body.start < offset && offset < body.end.max(body.start + 1);
            if inside && best.is_none_or(|j| self.blocks[j].body.unwrap().start <= body.start) {
                best = Some(i);
            }
        }
        best
    }
}

/// `offset` lies in `span` (both ends included, so a cursor just after a name is on it).
pub fn contains(span: Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}

/// The index of one file.
#[salsa::tracked(returns(ref))]
pub fn file_index(db: &dyn Db, file: SourceFile) -> Arc<FileIndex> {
    let parsed = db::parse(db, file);
    let edges = file_imports(db, file);
    let len = file.text(db).len() as u32;
    let mut w = Walker { idx: FileIndex::default(), locals: vec![], top: vec![], in_fn: false, len };
    w.file(&parsed.file, edges);
    Arc::new(w.idx)
}

struct Walker {
    idx: FileIndex,
    /// Local definitions in scope, innermost last.
    locals: Vec<usize>,
    /// Top-level definitions, in the evaluator's precedence: aliases, functions, `let`s.
    top: Vec<usize>,
    in_fn: bool,
    len: u32,
}

/// The text of a string literal without interpolation.
pub fn plain_text(e: &Expr) -> Option<(String, Span)> {
    match &e.kind {
        ExprKind::Str(parts) => match parts.as_slice() {
            [StrPart::Text(t, s)] => Some((t.clone(), *s)),
            [] => Some((String::new(), Span { start: e.span.start + 1, end: e.span.start + 1 })),
            _ => None,
        },
        _ => None,
    }
}

/// Show a parameter type as written: `list[string]`.
pub fn show_type(t: &TypeExpr) -> String {
    if t.args.is_empty() {
        t.name.name.clone()
    } else {
        format!("{}[{}]", t.name.name, t.args.iter().map(show_type).collect::<Vec<_>>().join(", "))
    }
}

/// The signature of a function: `fn name(a: string, b)`.
pub fn signature(f: &FnDecl) -> String {
    let ps: Vec<String> = f
        .params
        .iter()
        .map(|p| match &p.ty {
            Some(t) => format!("{}: {}", p.name.name, show_type(t)),
            None => p.name.name.clone(),
        })
        .collect();
    format!("fn {}({})", f.name.name, ps.join(", "))
}

impl Walker {
    fn def(&mut self, d: Def) -> usize {
        self.idx.defs.push(d);
        self.idx.defs.len() - 1
    }

    fn simple(kind: DefKind, name: &Ident, full: Span, scope: Span) -> Def {
        Def {
            kind,
            name: name.name.clone(),
            span: name.span,
            full,
            scope,
            doc: None,
            detail: None,
            params: vec![],
            module: None,
            explicit: false,
        }
    }

    fn file(&mut self, file: &File, edges: &[crate::sema::eval::ImportEdge]) {
        let whole = Span { start: 0, end: self.len };
        // pass 1: the top-level names, in the evaluator's order
        for e in &file.entries {
            if let Entry::Import(i) = e {
                let edge = edges.iter().find(|x| x.span == i.span);
                let target = edge.and_then(|x| x.target);
                let path_span = match &i.path {
                    ImportPath::Std(segs) => match (segs.first(), segs.last()) {
                        (Some(a), Some(b)) => a.span.cover(b.span),
                        _ => i.span,
                    },
                    ImportPath::File(_, s) => *s,
                };
                self.idx.imports.push((path_span, target));
                let Some(alias) = edge.and_then(|x| x.alias.clone()) else { continue };
                let (span, explicit) = match (&i.alias, &i.path) {
                    (Some(a), _) => (a.span, true),
                    (None, ImportPath::Std(segs)) => (segs.last().map(|s| s.span).unwrap_or(i.span), false),
                    (None, ImportPath::File(_, s)) => (*s, false),
                };
                let d = self.def(Def {
                    kind: DefKind::Alias,
                    name: alias,
                    span,
                    full: i.span,
                    scope: whole,
                    doc: None,
                    detail: edge.map(|x| format!("import {}", if x.shown.starts_with("std.") { x.shown.clone() } else { format!("\"{}\"", x.shown) })),
                    params: vec![],
                    module: target,
                    explicit,
                });
                self.top.push(d);
            }
        }
        for e in &file.entries {
            if let Entry::Fn(f) = e {
                let mut d = Self::simple(DefKind::Fn, &f.name, f.span, whole);
                d.doc = f.doc.clone();
                d.detail = Some(signature(f));
                d.params = f.params.iter().map(|p| p.name.name.clone()).collect();
                let d = self.def(d);
                self.top.push(d);
            }
        }
        for e in &file.entries {
            if let Entry::Let(l) = e {
                let mut d = Self::simple(DefKind::Let, &l.name, l.span, Span { start: l.span.end, end: self.len });
                d.doc = l.doc.clone();
                let d = self.def(d);
                self.top.push(d);
            }
        }
        // pass 2: walk everything
        for e in &file.entries {
            match e {
                Entry::Import(_) | Entry::Error(_) => {}
                Entry::Let(l) => self.expr(&l.value, None),
                Entry::Fn(f) => self.function(f),
                Entry::Block(b) => self.block(b, Ctx::File, None, true),
                Entry::Field(f) => self.field(f, Ctx::File, None),
                other => self.entries(std::slice::from_ref(other), Ctx::File, None, self.len),
            }
        }
    }

    fn function(&mut self, f: &FnDecl) {
        let mark = self.locals.len();
        for p in &f.params {
            let mut d = Self::simple(DefKind::Param, &p.name, p.name.span, f.body.span);
            d.detail = p.ty.as_ref().map(show_type);
            let d = self.def(d);
            self.locals.push(d);
        }
        let was = std::mem::replace(&mut self.in_fn, true);
        self.expr(&f.body, None);
        self.in_fn = was;
        self.locals.truncate(mark);
    }

    fn lookup(&self, name: &str, at: u32) -> Option<usize> {
        if let Some(d) = self.locals.iter().rev().find(|d| self.idx.defs[**d].name == name) {
            return Some(*d);
        }
        self.top.iter().copied().find(|d| {
            let def = &self.idx.defs[*d];
            def.name == name && (def.kind != DefKind::Let || self.in_fn || def.full.end <= at)
        })
    }

    fn block(&mut self, b: &Block, parent_ctx: Ctx, parent: Option<usize>, top: bool) {
        let label = match &b.label {
            Some(Label::Ident(i)) => Some((i.name.clone(), i.span)),
            Some(Label::Str(e)) => {
                self.expr(e, None);
                Some((plain_text(e).map(|(t, _)| t).unwrap_or_default(), e.span))
            }
            None => None,
        };
        let (info, ctx) = classify(parent_ctx, &b.kind.name, label.as_ref().map(|l| l.0.as_str()));
        // names other blocks refer to
        let whole = Span { start: 0, end: self.len };
        let label_ident = match &b.label {
            Some(Label::Ident(i)) => Some(i),
            _ => None,
        };
        let parent_schema = parent_ctx.schema().map(|s| s.name);
        match (parent_schema, b.kind.name.as_str(), label_ident) {
            (Some("alertmanager"), "receiver", Some(l)) => {
                let mut d = Self::simple(DefKind::Receiver, l, b.span, whole);
                d.doc = b.doc.clone();
                self.def(d);
            }
            (None, "datasource", Some(l)) if parent_ctx == Ctx::File => {
                let mut d = Self::simple(DefKind::Datasource, l, b.span, whole);
                d.doc = b.doc.clone();
                d.detail = datasource_type(b);
                self.def(d);
            }
            (Some("stack"), k, None) if schema::STACK.block(k).is_some() => {
                let mut d = Self::simple(DefKind::Component, &b.kind, b.span, whole);
                d.doc = b.doc.clone();
                self.def(d);
            }
            (Some("dashboard"), "var", Some(l)) => {
                let scope = parent.map(|p| self.idx.blocks[p].span).unwrap_or(b.span);
                self.def(Self::simple(DefKind::Var, l, b.span, scope));
            }
            _ => {}
        }
        let body = match &b.body {
            BlockBody::Entries(_, s) => Some(*s),
            BlockBody::Expr(_) => None,
        };
        self.idx.blocks.push(BlockSite { kind: Some(b.kind.clone()), info, label, span: b.span, body, ctx, parent, top, doc: b.doc.clone() });
        let me = self.idx.blocks.len() - 1;
        match &b.body {
            BlockBody::Entries(es, s) => {
                let mark = self.locals.len();
                self.entries(es, ctx, Some(me), s.end);
                self.locals.truncate(mark);
            }
            BlockBody::Expr(e) => self.expr(e, None),
        }
    }

    fn field(&mut self, f: &Field, ctx: Ctx, block: Option<usize>) {
        let site = FieldSite { path: f.path.clone(), span: f.span, ctx, block };
        let fd = site.def();
        self.idx.fields.push(site);
        self.expr(&f.value, fd.map(Static));
    }

    fn entries(&mut self, es: &[Entry], ctx: Ctx, parent: Option<usize>, scope_end: u32) {
        for e in es {
            match e {
                Entry::Error(_) => {}
                Entry::Import(_) => {}
                Entry::Fn(f) => self.function(f),
                Entry::Let(l) => {
                    self.expr(&l.value, None);
                    let mut d = Self::simple(DefKind::Local, &l.name, l.span, Span { start: l.span.end, end: scope_end });
                    d.doc = l.doc.clone();
                    let d = self.def(d);
                    self.locals.push(d);
                }
                Entry::Field(f) => self.field(f, ctx, parent),
                Entry::Block(b) => self.block(b, ctx, parent, false),
                Entry::For(f) => {
                    self.expr(&f.iter, None);
                    let mark = self.locals.len();
                    let d = self.def(Self::simple(DefKind::ForVar, &f.var, f.span, f.span));
                    self.locals.push(d);
                    self.entries(&f.body, ctx, parent, f.span.end);
                    self.locals.truncate(mark);
                }
                Entry::If(i) => {
                    self.expr(&i.cond, None);
                    for body in [&i.then, &i.otherwise] {
                        let mark = self.locals.len();
                        self.entries(body, ctx, parent, i.span.end);
                        self.locals.truncate(mark);
                    }
                }
                Entry::Expr(x) => self.expr(x, None),
            }
        }
    }

    fn name(&mut self, n: &str, span: Span, expect: Option<Static<FieldDef>>) {
        let target = if let Some(d) = self.lookup(n, span.start) {
            Target::Def(d)
        } else if let Some((b, _)) = BUILTINS.iter().find(|(b, _)| *b == n) {
            Target::Builtin(b)
        } else {
            match expect.map(|f| elem(&f.0.ty)) {
                Some(Ty::Ref(k)) => Target::Named(*k, n.to_string()),
                _ => Target::Sym,
            }
        };
        self.idx.refs.push(Ref { span, name: n.to_string(), target, expect, quoted: false });
    }

    fn expr(&mut self, e: &Expr, expect: Option<Static<FieldDef>>) {
        match &e.kind {
            ExprKind::Error | ExprKind::Bool(_) | ExprKind::Address(_) => {}
            ExprKind::Number { digits, unit } => {
                if !unit.is_empty() {
                    self.idx.units.push(UnitSite { span: e.span, digits: digits.clone(), unit: unit.clone(), expect });
                }
            }
            ExprKind::Str(parts) => {
                if let (Some(Ty::Ref(k)), Some((t, s))) = (expect.map(|f| elem(&f.0.ty)), plain_text(e)) {
                    if !t.is_empty() {
                        self.idx.refs.push(Ref { span: s, name: t.clone(), target: Target::Named(*k, t), expect, quoted: true });
                    }
                }
                self.parts(parts);
            }
            ExprKind::Query { parts, .. } => self.parts(parts),
            ExprKind::Name(n) => self.name(n, e.span, expect),
            ExprKind::List(xs) => {
                for x in xs {
                    self.expr(x, expect);
                }
            }
            ExprKind::Map(kvs) => {
                for (k, v) in kvs {
                    self.expr(k, None);
                    self.expr(v, expect);
                }
            }
            ExprKind::Record(es) => {
                let ctx = match expect.map(|f| &f.0.ty) {
                    Some(Ty::Record(s)) => Ctx::Schema(Static(*s)),
                    Some(Ty::StrMap) => Ctx::Free,
                    _ => Ctx::Unknown,
                };
                self.idx.blocks.push(BlockSite {
                    kind: None,
                    info: KindInfo::Unknown,
                    label: None,
                    span: e.span,
                    body: Some(e.span),
                    ctx,
                    parent: None,
                    top: false,
                    doc: None,
                });
                let me = self.idx.blocks.len() - 1;
                let mark = self.locals.len();
                self.entries(es, ctx, Some(me), e.span.end);
                self.locals.truncate(mark);
            }
            ExprKind::Block(b) => self.block(b, Ctx::Unknown, None, false),
            ExprKind::Member(obj, field) => {
                if let ExprKind::Name(n) = &obj.kind {
                    match self.lookup(n, obj.span.start) {
                        Some(d) => {
                            self.idx.refs.push(Ref { span: obj.span, name: n.clone(), target: Target::Def(d), expect: None, quoted: false });
                            if let (DefKind::Alias, Some(m)) = (self.idx.defs[d].kind, self.idx.defs[d].module) {
                                self.idx.refs.push(Ref {
                                    span: field.span,
                                    name: field.name.clone(),
                                    target: Target::Member { module: m, name: field.name.clone() },
                                    expect: None,
                                    quoted: false,
                                });
                            }
                            return;
                        }
                        None if n == "secret" => {
                            self.idx.refs.push(Ref { span: obj.span, name: n.clone(), target: Target::Builtin("secret"), expect: None, quoted: false });
                            return;
                        }
                        None => {}
                    }
                }
                self.expr(obj, None);
            }
            ExprKind::Call(f, args) => {
                self.expr(f, None);
                let callee_span = match &f.kind {
                    ExprKind::Member(_, field) => field.span,
                    _ => f.span,
                };
                let callee = self.idx.refs.iter().rposition(|r| r.span == callee_span);
                let builtin = callee.and_then(|c| match self.idx.refs[c].target {
                    Target::Builtin(b) => Some(b),
                    _ => None,
                });
                for (i, a) in args.iter().enumerate() {
                    let expect = match builtin {
                        Some("query" | "datasource") if i == 0 => Some(Static(&VARIABLE_DATASOURCE)),
                        _ => None,
                    };
                    self.expr(a, expect);
                }
                self.idx.calls.push(CallSite { callee, args: args.iter().map(|a| a.span).collect() });
            }
            ExprKind::Binary(_, a, b) => {
                // left-nested chains: walk the spine in a loop, not one frame per operator
                let mut rights = vec![b.as_ref()];
                let mut left = a.as_ref();
                while let ExprKind::Binary(_, a, b) = &left.kind {
                    rights.push(b.as_ref());
                    left = a.as_ref();
                }
                self.expr(left, None);
                for r in rights.into_iter().rev() {
                    self.expr(r, None);
                }
            }
            ExprKind::Unary(_, a) => self.expr(a, None),
            ExprKind::If(c, a, b) => {
                self.expr(c, None);
                self.expr(a, expect);
                self.expr(b, expect);
            }
        }
    }

    fn parts(&mut self, parts: &[StrPart]) {
        for p in parts {
            if let StrPart::Interp(x) = p {
                self.expr(x, None);
            }
        }
    }
}

/// The element type of a list type (the type itself otherwise).
pub fn elem(t: &'static Ty) -> &'static Ty {
    match t {
        Ty::ListOf(inner) => elem(inner),
        other => other,
    }
}

fn datasource_type(b: &Block) -> Option<String> {
    let BlockBody::Entries(es, _) = &b.body else { return None };
    es.iter().find_map(|e| match e {
        Entry::Field(f) if f.path.len() == 1 && f.path[0].name == "type" => match &f.value.kind {
            ExprKind::Name(n) => Some(n.clone()),
            _ => None,
        },
        _ => None,
    })
}
