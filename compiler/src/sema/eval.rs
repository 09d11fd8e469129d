//! Evaluation of one module: `let`s, functions, `for`/`if`, interpolation, imports.
//!
//! gstack is a total configuration language: evaluation turns a file into blocks of values
//! ([`BlockVal`]); the schema checker ([`super::check`]) then gives them types. Evaluation
//! errors (unresolved names in calls, wrong argument counts, a secret in a string, an import
//! cycle) are diagnostics with spans; evaluation never panics and never loops: recursion depth
//! is bounded ([`MAX_DEPTH`] calls; syntax trees are bounded by the parser), and so is the
//! work of one file's evaluation ([`MAX_STEPS`] steps, E0106) and what it builds ([`MAX_BUILT`]
//! bytes of lists and strings, E0107). A running evaluation also gives way to a language
//! server's edit: it checks for salsa cancellation every few thousand steps.

use super::types::fmt_num;
use super::value::*;
use crate::db::{self, Db, SourceFile};
use crate::diag::{did_you_mean, Diagnostic};
use crate::ir::{QueryLang, SecretRef};
use crate::syntax::ast::*;
use crate::syntax::Span;
use indexmap::IndexMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod budget;
mod builtins;
mod ops;
use budget::Budget;
pub use budget::{MAX_BUILT, MAX_STEPS};

/// Built-in names available everywhere, with their documentation (shown by the LSP).
pub const BUILTINS: &[(&str, &str)] = &[
    ("secret", "Secret references: `secret.file(\"/run/secrets/x\")`, `secret.env(\"NAME\")`. A secret is never turned into a string."),
    ("query", "A dashboard `query` variable: `query(prometheus, \"label_values(up, job)\")`, options last: `query(prometheus, \"…\", { multi = false, include_all = false })` (multi, include_all, all_value, refresh, sort, regex, label, description, hide)."),
    ("custom", "A dashboard `custom` variable: `custom([\"a\", \"b\"])`, options last: `custom([\"a\", \"b\"], { multi = false })`."),
    ("interval", "A dashboard `interval` variable: `interval([1m, 5m, 1h])`."),
    ("datasource", "A dashboard `datasource` variable: `datasource(prometheus)`."),
    ("constant", "A dashboard `constant` variable: `constant(\"value\")`."),
    ("textbox", "A dashboard `textbox` variable, free text with a default: `textbox(\"checkout\")`."),
    ("adhoc", "A dashboard `adhoc` (ad hoc filters) variable on a datasource: `adhoc(prometheus)`; Grafana adds its filters to every query of that datasource."),
    ("import_dashboard", "Import a dashboard JSON exported from Grafana, its datasources mapped to the stack's: `import_dashboard(\"./file.json\")`."),
    ("import_rules", "Import a Prometheus rule file (checked, written as `rules/imported-NAME.yml`): `import_rules(\"./rules.yml\")`."),
    ("len", "Length of a list or string: `len([1, 2])` is 2."),
    ("join", "Join strings: `join([\"a\", \"b\"], \",\")` is \"a,b\"."),
    ("lower", "Lower-case a string."),
    ("upper", "Upper-case a string."),
    ("range", "`range(n)` is the list 0, 1, …, n-1 (n at most 100000)."),
    ("str", "Convert a number, bool, unit literal or address to a string."),
];

/// The evaluated form of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    pub file: SourceFile,
    /// Names this module defines (`let`, `fn`, import aliases), in source order.
    pub scope: IndexMap<String, (V, Span, Option<String>)>,
    /// Top-level declaration blocks (`stack`, `dashboard`, `alert`, `target`, …).
    pub decls: Vec<Arc<BlockVal>>,
    /// Files this module imports (resolved, cycle-free edges only).
    pub imports: Vec<SourceFile>,
    pub diags: Vec<Diagnostic>,
}

/// A resolved import edge of a file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportEdge {
    pub target: Option<SourceFile>,
    pub span: Span,
    pub alias: Option<String>,
    pub shown: String,
    /// Why the file could not be read, when `target` is `None` for a file import.
    pub problem: Option<db::LoadError>,
}

/// The imports of a file, resolved to files (parse only: safe to call while detecting cycles).
#[salsa::tracked(returns(ref))]
pub fn file_imports(db: &dyn Db, file: SourceFile) -> Vec<ImportEdge> {
    let parsed = db::parse(db, file);
    let mut out = vec![];
    for e in &parsed.file.entries {
        if let Entry::Import(i) = e {
            let mut problem = None;
            let (target, shown, default_alias) = match &i.path {
                ImportPath::Std(segs) => {
                    let name = segs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".");
                    (db.std_module(&name), format!("std.{name}"), segs.last().map(|s| s.name.clone()))
                }
                ImportPath::File(p, _) => {
                    let base = file.path(db).parent().map(Path::to_path_buf).unwrap_or_default();
                    let full = base.join(p);
                    let stem = Path::new(p).file_stem().map(|s| s.to_string_lossy().to_string());
                    let target = db.load_file(&full).map_err(|e| problem = Some(e)).ok();
                    (target, p.clone(), stem)
                }
            };
            out.push(ImportEdge {
                target,
                span: i.span,
                alias: i.alias.as_ref().map(|a| a.name.clone()).or(default_alias),
                shown,
                problem,
            });
        }
    }
    out
}

/// Is `to` reachable from `from` through imports?
fn reaches(db: &dyn Db, from: SourceFile, to: SourceFile) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![from];
    while let Some(f) = stack.pop() {
        if f == to {
            return true;
        }
        if !seen.insert(f) {
            continue;
        }
        for e in file_imports(db, f) {
            if let Some(t) = e.target {
                stack.push(t);
            }
        }
    }
    false
}

/// The files along an import path from `from` to `to` (both included), found depth-first.
fn import_chain(db: &dyn Db, from: SourceFile, to: SourceFile) -> Vec<SourceFile> {
    fn go(db: &dyn Db, f: SourceFile, to: SourceFile, seen: &mut std::collections::HashSet<SourceFile>, path: &mut Vec<SourceFile>) -> bool {
        path.push(f);
        if f == to {
            return true;
        }
        if seen.insert(f) {
            for e in file_imports(db, f) {
                if let Some(t) = e.target {
                    if go(db, t, to, seen, path) {
                        return true;
                    }
                }
            }
        }
        path.pop();
        false
    }
    let mut path = vec![];
    go(db, from, to, &mut std::collections::HashSet::new(), &mut path);
    path
}

/// Evaluate one file.
#[salsa::tracked(returns(ref))]
pub fn eval_module(db: &dyn Db, file: SourceFile) -> Arc<Module> {
    let parsed = db::parse(db, file);
    let path = file.path(db).clone();
    let mut ev = Evaluator {
        db,
        file,
        path: path.clone(),
        module: Module { file, scope: IndexMap::new(), decls: vec![], imports: vec![], diags: vec![] },
        locals: vec![],
        depth: 0,
        budget: Budget::default(),
    };
    // imports first
    for edge in file_imports(db, file) {
        match edge.target {
            None => {
                let (code, msg, hint) = if edge.shown.starts_with("std.") {
                    let names = db::STD_MODULES.iter().map(|(n, _)| *n);
                    (
                        "E0104",
                        format!("there is no std module `{}`", edge.shown),
                        did_you_mean(&edge.shown, names.map(|n| format!("std.{n}")).collect::<Vec<_>>().iter().map(String::as_str))
                            .unwrap_or_else(|| format!("std modules: {}", db::STD_MODULES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))),
                    )
                } else {
                    match &edge.problem {
                        Some(e @ db::LoadError::TooLarge(_)) => (
                            e.code(),
                            format!("the imported file `{}` is too large ({e})", edge.shown),
                            "split it into several files that import each other".into(),
                        ),
                        Some(db::LoadError::NotAFile) => (
                            "E0102",
                            format!("the imported `{}` is not a regular file", edge.shown),
                            "only regular files are imported (not directories, devices or FIFOs)".into(),
                        ),
                        _ => ("E0102", format!("cannot read imported file `{}`", edge.shown), "paths are relative to the importing file".into()),
                    }
                };
                ev.module.diags.push(Diagnostic::error(code, &path, edge.span, msg).with_hint(hint));
            }
            Some(target) => {
                if target == file || reaches(db, target, file) {
                    // Every file of the cycle skips its import that closes it, but only one
                    // reports: the one importing the cycle's first file (by path), so a cycle
                    // is one error however many files it runs through.
                    let chain = import_chain(db, target, file);
                    let first = chain.iter().min_by_key(|f| f.path(db)).copied().unwrap_or(target);
                    if first != target {
                        continue;
                    }
                    let mut shown: Vec<String> = vec![path.display().to_string()];
                    shown.extend(chain.iter().map(|f| f.path(db).display().to_string()));
                    let msg = if target == file {
                        "this file imports itself".to_string()
                    } else {
                        format!("import cycle: {}", shown.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(" → "))
                    };
                    let mut d = Diagnostic::error("E0103", &path, edge.span, msg)
                        .with_label(if target == file { "imports this file" } else { "this import closes the cycle" })
                        .with_hint("move what both files need into a third file that both import");
                    // the next import along the cycle
                    if target != file {
                        let next = chain.get(1).copied().unwrap_or(file);
                        if let Some(e) = file_imports(db, target).iter().find(|e| e.target == Some(next)) {
                            let what = if next == file { "which imports this file back" } else { "which continues the cycle" };
                            d = d.with_related(target.path(db), e.span, what.to_string());
                        }
                    }
                    ev.module.diags.push(d);
                    continue;
                }
                ev.module.imports.push(target);
                if let Some(alias) = edge.alias.clone() {
                    let v = V { val: Val::Module(target), loc: Loc { file, span: edge.span } };
                    ev.module.scope.insert(alias, (v, edge.span, None));
                }
            }
        }
    }
    // hoist functions
    for e in &parsed.file.entries {
        if let Entry::Fn(f) = e {
            for p in &f.params {
                if let Some(ty) = &p.ty {
                    ev.check_type_expr(ty);
                }
            }
            ev.define(&f.name, V { val: Val::Func(FnVal { decl: Arc::new(f.clone()), file }), loc: ev.loc(f.span) }, f.doc.clone());
        }
    }
    for e in &parsed.file.entries {
        match e {
            Entry::Import(_) | Entry::Fn(_) | Entry::Error(_) => {}
            Entry::Let(l) => {
                let v = ev.expr(&l.value);
                ev.define(&l.name, v, l.doc.clone());
            }
            Entry::Block(b) => {
                let bv = ev.block(b);
                ev.module.decls.push(bv);
            }
            Entry::Field(f) => {
                ev.err("E0208", f.span, "a field cannot stand at the top level of a file")
                    .with_hint("put it inside a `stack`, `dashboard`, `alert` or `target` block")
                    .push(&mut ev);
            }
            Entry::For(_) | Entry::If(_) | Entry::Expr(_) => {
                ev.err("E0208", e.span(), "only declarations, `let`, `fn` and `import` may stand at the top level")
                    .with_hint("put it inside a block")
                    .push(&mut ev);
            }
        }
    }
    Arc::new(ev.module)
}

struct Evaluator<'a> {
    db: &'a dyn Db,
    file: SourceFile,
    path: PathBuf,
    module: Module,
    /// Local scopes, innermost last: (name, value).
    locals: Vec<(String, V)>,
    depth: usize,
    budget: Budget,
}


/// A diagnostic under construction (so call sites read as one expression).
struct Pending(Diagnostic);
impl Pending {
    fn with_hint(mut self, h: impl Into<String>) -> Self {
        self.0.hint = Some(h.into());
        self
    }
    fn push(self, ev: &mut Evaluator) {
        ev.module.diags.push(self.0);
    }
}

/// How deeply function calls may nest.
pub const MAX_DEPTH: usize = 64;

impl<'a> Evaluator<'a> {

    fn loc(&self, span: Span) -> Loc {
        Loc { file: self.file, span }
    }
    fn err(&self, code: &'static str, span: Span, msg: impl Into<String>) -> Pending {
        Pending(Diagnostic::error(code, &self.path, span, msg))
    }
    fn error_v(&self, span: Span) -> V {
        V { val: Val::Error, loc: self.loc(span) }
    }

    /// Report parameter types that name no type (once, at the declaration).
    fn check_type_expr(&mut self, ty: &TypeExpr) {
        let name = ty.name.name.as_str();
        if !super::types::PARAM_TYPES.contains(&name) {
            let hint = did_you_mean(name, super::types::PARAM_TYPES.iter().copied())
                .unwrap_or_else(|| format!("types: {}", super::types::PARAM_TYPES.join(", ")));
            self.err("E0201", ty.name.span, format!("unknown type `{name}`")).with_hint(hint).push(self);
        }
        for a in &ty.args {
            self.check_type_expr(a);
        }
    }

    fn define(&mut self, name: &Ident, v: V, doc: Option<String>) {
        if let Some((_, prev, _)) = self.module.scope.get(&name.name) {
            let prev = *prev;
            let d = Diagnostic::error("E0101", &self.path, name.span, format!("`{}` is defined twice", name.name))
                .with_related(&self.path, prev, "first defined here")
                .with_hint("rename one of them");
            self.module.diags.push(d);
            return;
        }
        self.module.scope.insert(name.name.clone(), (v, name.span, doc));
    }

    /// Look a name up: locals, this module, then built-ins.
    fn lookup(&self, name: &str) -> Option<V> {
        if let Some((_, v)) = self.locals.iter().rev().find(|(n, _)| n == name) {
            return Some(v.clone());
        }
        if let Some((v, _, _)) = self.module.scope.get(name) {
            return Some(v.clone());
        }
        None
    }

    fn names_in_scope(&self) -> Vec<String> {
        let mut v: Vec<String> = self.locals.iter().map(|(n, _)| n.clone()).collect();
        v.extend(self.module.scope.keys().cloned());
        v.extend(BUILTINS.iter().map(|(n, _)| n.to_string()));
        v
    }

    fn block(&mut self, b: &Block) -> Arc<BlockVal> {
        let label = b.label.as_ref().map(|l| match l {
            Label::Ident(i) => (i.name.clone(), i.span),
            Label::Str(e) => {
                let v = self.expr(e);
                (self.to_text(&v).unwrap_or_default(), e.span)
            }
        });
        let (items, value) = match &b.body {
            BlockBody::Entries(es, _) => {
                let mark = self.locals.len();
                let mut items = vec![];
                self.entries(es, &mut items);
                self.locals.truncate(mark);
                (items, None)
            }
            BlockBody::Expr(e) => (vec![], Some(self.expr(e))),
        };
        Arc::new(BlockVal { doc: b.doc.clone(), kind: Some(b.kind.clone()), label, items, value, loc: self.loc(b.span) })
    }

    fn entries(&mut self, es: &[Entry], out: &mut Vec<Item>) {
        for e in es {
            match e {
                Entry::Error(_) => {}
                Entry::Field(f) => {
                    let v = self.expr(&f.value);
                    out.push(Item::Field { path: f.path.clone(), value: v, file: self.file });
                }
                Entry::Block(b) => {
                    let bv = self.block(b);
                    out.push(Item::Block(bv));
                }
                Entry::Let(l) => {
                    let v = self.expr(&l.value);
                    self.locals.push((l.name.name.clone(), v));
                }
                Entry::Expr(x) => {
                    let v = self.expr(x);
                    self.splice(v, out);
                }
                Entry::For(f) => {
                    let it = self.expr(&f.iter);
                    let elems: Vec<V> = match &it.val {
                        Val::List(xs) => xs.as_ref().clone(),
                        Val::Error => continue,
                        Val::Sym(s) => {
                            let hint = did_you_mean(s, self.names_in_scope().iter().map(String::as_str))
                                .unwrap_or_else(|| "define it with `let name = [ … ]`".into());
                            self.err("E0100", f.iter.span, format!("cannot find `{s}` in scope")).with_hint(hint).push(self);
                            continue;
                        }
                        other => {
                            let t = other.type_name();
                            self.err("E0201", f.iter.span, format!("`for` needs a list, found {t}")).push(self);
                            continue;
                        }
                    };
                    for el in elems {
                        let mark = self.locals.len();
                        self.locals.push((f.var.name.clone(), el));
                        self.entries(&f.body, out);
                        self.locals.truncate(mark);
                    }
                }
                Entry::If(i) => {
                    let c = self.expr(&i.cond);
                    match c.val {
                        Val::Bool(true) => self.entries(&i.then, out),
                        Val::Bool(false) => self.entries(&i.otherwise, out),
                        Val::Error => {}
                        other => {
                            let t = other.type_name();
                            self.err("E0201", i.cond.span, format!("`if` needs a bool, found {t}")).push(self);
                        }
                    }
                }
                Entry::Import(i) => {
                    self.err("E0208", i.span, "`import` may only stand at the top level of a file").push(self);
                }
                Entry::Fn(f) => {
                    self.err("E0208", f.span, "`fn` may only stand at the top level of a file").push(self);
                }
            }
        }
    }

    /// A bare value in a block: lists are spliced (a function may return several panels).
    fn splice(&mut self, v: V, out: &mut Vec<Item>) {
        match &v.val {
            Val::List(xs) => {
                for x in xs.iter() {
                    self.splice(x.clone(), out);
                }
            }
            Val::Block(b) if b.kind.is_some() => out.push(Item::Block(b.clone())),
            Val::Error => {}
            _ => out.push(Item::Value(v)),
        }
    }

    fn expr(&mut self, e: &Expr) -> V {
        if !self.step(1, e.span) {
            return self.error_v(e.span);
        }
        let loc = self.loc(e.span);
        let val = match &e.kind {
            ExprKind::Error => Val::Error,
            ExprKind::Bool(b) => Val::Bool(*b),
            ExprKind::Number { digits, unit } => {
                let n: f64 = digits.parse().unwrap_or(0.0);
                if unit.is_empty() {
                    Val::Num(n)
                } else {
                    Val::Qty { value: n, unit: unit.clone(), text: format!("{digits}{unit}") }
                }
            }
            ExprKind::Address(a) => {
                if a.split('.').any(|p| p.parse::<u16>().map_or(true, |n| n > 255)) {
                    self.err("E0204", e.span, format!("`{a}` is not an IPv4 address: each part must be 0–255")).push(self);
                    Val::Error
                } else {
                    Val::Addr(a.clone())
                }
            }
            ExprKind::Str(parts) => match self.interpolate(parts) {
                Some((s, _)) => Val::Str(s),
                None => Val::Error,
            },
            ExprKind::Query { lang, parts } => {
                if lang.is_empty() {
                    // a bare backtick literal: the lexer already asked for a language
                    return self.error_v(e.span);
                }
                let Some(l) = QueryLang::parse(lang) else {
                    self.err("E0402", e.span, format!("unknown query language `{lang}`"))
                        .with_hint(did_you_mean(lang, ["promql", "logql", "traceql", "sql"]).unwrap_or_else(|| "use promql, logql, traceql or sql".into()))
                        .push(self);
                    return self.error_v(e.span);
                };
                match self.interpolate(parts) {
                    Some((text, pieces)) => Val::Query(Arc::new(QueryVal { lang: l, text, pieces })),
                    None => Val::Error,
                }
            }
            ExprKind::Name(n) => match self.lookup(n) {
                Some(v) => return V { val: v.val, loc },
                None => match BUILTINS.iter().find(|(b, _)| b == n) {
                    Some((b, _)) => Val::Builtin(b),
                    None => Val::Sym(n.clone()),
                },
            },
            ExprKind::List(xs) => {
                let mut out = Vec::with_capacity(xs.len());
                for x in xs {
                    let v = self.expr(x);
                    out.push(v);
                }
                if !self.build(xs.len() * std::mem::size_of::<V>(), e.span) {
                    return self.error_v(e.span);
                }
                Val::List(Arc::new(out))
            }
            ExprKind::Map(kvs) => {
                let mut out = Vec::with_capacity(kvs.len());
                for (k, v) in kvs {
                    let k = self.expr(k);
                    let v = self.expr(v);
                    out.push((k, v));
                }
                if !self.build(kvs.len() * 2 * std::mem::size_of::<V>(), e.span) {
                    return self.error_v(e.span);
                }
                Val::Map(Arc::new(out))
            }
            ExprKind::Record(es) => {
                let mark = self.locals.len();
                let mut items = vec![];
                self.entries(es, &mut items);
                self.locals.truncate(mark);
                Val::Block(Arc::new(BlockVal { doc: None, kind: None, label: None, items, value: None, loc }))
            }
            ExprKind::Block(b) => Val::Block(self.block(b)),
            ExprKind::Member(obj, field) => return self.member(obj, field, e.span),
            ExprKind::Call(f, args) => return self.call(f, args, e.span),
            ExprKind::Binary(op, a, b) => {
                // Operators associate to the left, so `a + b + c + …` nests down the left
                // side: walk that spine in a loop, not one stack frame per term.
                let mut spine = vec![(*op, b.as_ref(), e.span)];
                let mut left = a.as_ref();
                while let ExprKind::Binary(op, a, b) = &left.kind {
                    spine.push((*op, b.as_ref(), left.span));
                    left = a.as_ref();
                }
                let mut acc = self.expr(left);
                for (op, rhs, span) in spine.into_iter().rev() {
                    let r = self.expr(rhs);
                    acc = V { val: self.binary(op, acc, r, span), loc: self.loc(span) };
                }
                return acc;
            }
            ExprKind::Unary(op, a) => {
                let a = self.expr(a);
                match (op, &a.val) {
                    (UnOp::Neg, Val::Num(n)) => Val::Num(-n),
                    (UnOp::Not, Val::Bool(b)) => Val::Bool(!b),
                    (_, Val::Error) => Val::Error,
                    (op, other) => {
                        let t = other.type_name();
                        let o = if *op == UnOp::Neg { "-" } else { "!" };
                        self.err("E0201", e.span, format!("`{o}` cannot apply to {t}")).push(self);
                        Val::Error
                    }
                }
            }
            ExprKind::If(c, a, b) => {
                let c = self.expr(c);
                match c.val {
                    Val::Bool(true) => return self.expr(a),
                    Val::Bool(false) => return self.expr(b),
                    Val::Error => Val::Error,
                    other => {
                        let t = other.type_name();
                        self.err("E0201", c.loc.span, format!("`if` needs a bool, found {t}")).push(self);
                        Val::Error
                    }
                }
            }
        };
        V { val, loc }
    }

    /// Text of a value for interpolation; reports (and returns None) for secrets and blocks.
    fn to_text(&mut self, v: &V) -> Option<String> {
        Some(match &v.val {
            Val::Str(s) => s.clone(),
            Val::Num(n) => fmt_num(*n),
            Val::Bool(b) => b.to_string(),
            Val::Qty { text, .. } => text.clone(),
            Val::Addr(a) => a.clone(),
            Val::Query(q) => q.text.clone(),
            Val::Error => return None,
            Val::Secret(_) => {
                self.err("E0206", v.loc.span, "a secret cannot be turned into a string")
                    .with_hint("pass the secret itself to a field that takes a secret; generated files refer to it by file or variable name")
                    .push(self);
                return None;
            }
            Val::Sym(s) => {
                let hint = did_you_mean(s, self.names_in_scope().iter().map(String::as_str))
                    .unwrap_or_else(|| "quote it to use it as text".into());
                self.err("E0100", v.loc.span, format!("cannot find `{s}` in scope")).with_hint(hint).push(self);
                return None;
            }
            other => {
                let t = other.type_name();
                self.err("E0201", v.loc.span, format!("cannot turn {t} into text")).push(self);
                return None;
            }
        })
    }

    fn interpolate(&mut self, parts: &[StrPart]) -> Option<(String, Vec<(usize, Span)>)> {
        let mut s = String::new();
        let mut pieces = vec![];
        let mut ok = true;
        for p in parts {
            match p {
                StrPart::Text(t, sp) => {
                    pieces.push((s.len(), *sp));
                    s.push_str(t);
                }
                StrPart::Interp(e) => {
                    let v = self.expr(e);
                    match self.to_text(&v) {
                        Some(t) => s.push_str(&t),
                        None => ok = false,
                    }
                }
            }
        }
        if ok && !self.build(s.len(), parts.first().map_or(Span::default(), |p| match p {
            StrPart::Text(_, sp) => *sp,
            StrPart::Interp(e) => e.span,
        })) {
            return None;
        }
        ok.then_some((s, pieces))
    }

    fn member(&mut self, obj: &Expr, field: &Ident, span: Span) -> V {
        let o = self.expr(obj);
        let loc = self.loc(span);
        let val = match &o.val {
            Val::Builtin("secret") => match field.name.as_str() {
                "file" => Val::Builtin("secret.file"),
                "env" => Val::Builtin("secret.env"),
                other => {
                    self.err("E0100", field.span, format!("`secret` has no `{other}`"))
                        .with_hint(did_you_mean(other, ["file", "env"]).unwrap_or_else(|| "use secret.file(…) or secret.env(…)".into()))
                        .push(self);
                    Val::Error
                }
            },
            Val::Module(m) => {
                let module = eval_module(self.db, *m).clone();
                match module.scope.get(&field.name) {
                    Some((v, _, _)) => v.val.clone(),
                    None => {
                        let hint = did_you_mean(&field.name, module.scope.keys().map(String::as_str));
                        let mut p = self.err("E0100", field.span, format!("the imported module has no `{}`", field.name));
                        if let Some(h) = hint {
                            p = p.with_hint(h);
                        }
                        p.push(self);
                        Val::Error
                    }
                }
            }
            Val::Block(b) if !self.step(b.items.len() as u64, span) => Val::Error,
            Val::Block(b) => {
                let found = b.items.iter().rev().find_map(|it| match it {
                    Item::Field { path, value, .. } if path.len() == 1 && path[0].name == field.name => Some(value.val.clone()),
                    _ => None,
                });
                match found {
                    Some(v) => v,
                    None => {
                        self.err("E0100", field.span, format!("this record has no field `{}`", field.name)).push(self);
                        Val::Error
                    }
                }
            }
            Val::Sym(s) => {
                let hint = did_you_mean(s, self.names_in_scope().iter().map(String::as_str));
                let mut p = self.err("E0100", o.loc.span, format!("cannot find `{s}` in scope"));
                if let Some(h) = hint {
                    p = p.with_hint(h);
                }
                p.push(self);
                Val::Error
            }
            Val::Error => Val::Error,
            other => {
                let t = other.type_name();
                self.err("E0201", field.span, format!("{t} has no field `{}`", field.name)).push(self);
                Val::Error
            }
        };
        V { val, loc }
    }

    fn call(&mut self, f: &Expr, args: &[Expr], span: Span) -> V {
        let fv = self.expr(f);
        let loc = self.loc(span);
        let argv: Vec<V> = args.iter().map(|a| self.expr(a)).collect();
        let val = match fv.val {
            Val::Error => Val::Error,
            Val::Builtin(b) => return self.builtin(b, argv, span),
            Val::Func(fun) => return self.apply(&fun, argv, span),
            Val::Sym(s) => {
                let hint = did_you_mean(&s, self.names_in_scope().iter().map(String::as_str));
                let mut p = self.err("E0210", f.span, format!("there is no function `{s}`"));
                if let Some(h) = hint {
                    p = p.with_hint(h);
                }
                p.push(self);
                Val::Error
            }
            other => {
                let t = other.type_name();
                self.err("E0201", f.span, format!("{t} cannot be called")).push(self);
                Val::Error
            }
        };
        V { val, loc }
    }

    fn apply(&mut self, fun: &FnVal, args: Vec<V>, span: Span) -> V {
        let decl = fun.decl.clone();
        if args.len() != decl.params.len() {
            let d = Diagnostic::error(
                "E0207",
                &self.path,
                span,
                format!("`{}` takes {} argument{}, found {}", decl.name.name, decl.params.len(), if decl.params.len() == 1 { "" } else { "s" }, args.len()),
            )
            .with_related(fun.file.path(self.db), decl.name.span, "defined here");
            self.module.diags.push(d);
            return self.error_v(span);
        }
        // parameter types
        for (p, a) in decl.params.iter().zip(&args) {
            if let Some(ty) = &p.ty {
                if let Some(msg) = super::types::check_param(ty, &a.val) {
                    let d = Diagnostic::error("E0201", &self.path, a.loc.span, format!("argument `{}`: {msg}", p.name.name))
                        .with_related(fun.file.path(self.db), ty.span, "parameter type declared here");
                    self.module.diags.push(d);
                    return self.error_v(span);
                }
            }
        }
        if self.depth >= MAX_DEPTH {
            self.err("E0108", span, format!("calls nest deeper than {MAX_DEPTH} levels"))
                .with_hint("a function probably calls itself without end")
                .push(self);
            return self.error_v(span);
        }
        if !self.step(1, span) {
            return self.error_v(span);
        }
        let outermost = self.budget.call.is_none();
        if outermost {
            self.budget.call = Some((self.path.clone(), span));
        }
        // Evaluate the body in the defining file's context.
        let saved_locals = std::mem::take(&mut self.locals);
        for (p, a) in decl.params.iter().zip(args) {
            self.locals.push((p.name.name.clone(), a));
        }
        self.depth += 1;
        let out = if fun.file == self.file {
            self.expr(&decl.body)
        } else {
            // a function from another module: evaluate with that module's scope
            let other = eval_module(self.db, fun.file).clone();
            let mut sub = Evaluator {
                db: self.db,
                file: fun.file,
                path: fun.file.path(self.db).clone(),
                module: Module { file: fun.file, scope: other.scope.clone(), decls: vec![], imports: vec![], diags: vec![] },
                locals: std::mem::take(&mut self.locals),
                depth: self.depth,
                budget: std::mem::take(&mut self.budget),
            };
            let v = sub.expr(&decl.body);
            self.budget = std::mem::take(&mut sub.budget);
            self.module.diags.extend(sub.module.diags);
            v
        };
        if outermost {
            self.budget.call = None;
        }
        self.depth -= 1;
        self.locals = saved_locals;
        out
    }

}
