//! Values produced by evaluating gstack expressions. Every value remembers where it came
//! from ([`Loc`]) so later checks point at the source.

use crate::db::SourceFile;
use crate::ir::{QueryLang, SecretRef};
use crate::syntax::ast::{FnDecl, Ident};
use crate::syntax::Span;
use std::sync::Arc;

/// A source location: the file and the span in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: SourceFile,
    pub span: Span,
}

/// A value with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct V {
    pub val: Val,
    pub loc: Loc,
}

impl Eq for V {}

/// A query literal after interpolation. `pieces` maps ranges of `text` back to source spans
/// (literal text only), so errors inside the query point at the right character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryVal {
    pub lang: QueryLang,
    pub text: String,
    /// (offset in `text`, source span of that literal piece)
    pub pieces: Vec<(usize, Span)>,
}

impl QueryVal {
    /// The source span of byte `off` of the query text, if it lies in a literal piece.
    pub fn span_of(&self, off: usize) -> Option<Span> {
        let mut best = None;
        for (start, span) in &self.pieces {
            let len = (span.end - span.start) as usize;
            if off >= *start && off <= start + len {
                // escapes make this approximate; clamp to the piece
                let o = (off - start) as u32;
                best = Some(Span { start: span.start + o.min(span.end - span.start), end: (span.start + o + 1).min(span.end) });
            }
        }
        best
    }
}

/// An evaluated block: `kind label { items }`, a record `{ … }` (no kind), or `kind label = expr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockVal {
    pub doc: Option<String>,
    pub kind: Option<Ident>,
    pub label: Option<(String, Span)>,
    pub items: Vec<Item>,
    /// For `kind label = expr` blocks.
    pub value: Option<V>,
    pub loc: Loc,
}

/// One item of a block after evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Field { path: Vec<Ident>, value: V, file: SourceFile },
    Block(Arc<BlockVal>),
    /// A bare value: a panel returned by a function, say.
    Value(V),
}

/// A user function: its declaration and the file whose scope it closes over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnVal {
    pub decl: Arc<FnDecl>,
    pub file: SourceFile,
}

/// The kinds of value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Num(f64),
    Bool(bool),
    /// A number with a unit suffix, typed where it is used: `15s`, `512MiB`, `500m`.
    Qty { value: f64, unit: String, text: String },
    Addr(String),
    /// A bare word that names nothing in scope: an enum value (`reqps`, `critical`) or a
    /// reference resolved by the schema (`receiver = oncall`).
    Sym(String),
    Secret(SecretRef),
    Query(Arc<QueryVal>),
    List(Arc<Vec<V>>),
    Map(Arc<Vec<(V, V)>>),
    Block(Arc<BlockVal>),
    Func(FnVal),
    /// A built-in function or namespace (`secret`, `secret.file`, `query`, …).
    Builtin(&'static str),
    /// A value made by a built-in constructor: `query(prometheus, "…")`, `import_dashboard("…")`.
    Ctor { name: &'static str, args: Arc<Vec<V>> },
    /// An imported module, by alias.
    Module(SourceFile),
    /// The result of an error already reported; checks stay quiet about it.
    Error,
}

impl Val {
    /// Structural equality, as `==` compares values: what the values are, not where they were
    /// written (the derived `PartialEq` also compares every element's [`Loc`], so
    /// `["a"] == ["a"]` would be false). Quantities compare by value and unit; blocks,
    /// functions and modules by identity.
    pub fn same(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::List(a), Val::List(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.val.same(&y.val)),
            (Val::Map(a), Val::Map(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|((k1, v1), (k2, v2))| k1.val.same(&k2.val) && v1.val.same(&v2.val))
            }
            (Val::Ctor { name: n1, args: a1 }, Val::Ctor { name: n2, args: a2 }) => {
                n1 == n2 && a1.len() == a2.len() && a1.iter().zip(a2.iter()).all(|(x, y)| x.val.same(&y.val))
            }
            (Val::Qty { value: v1, unit: u1, .. }, Val::Qty { value: v2, unit: u2, .. }) => v1 == v2 && u1 == u2,
            (Val::Query(a), Val::Query(b)) => a.lang == b.lang && a.text == b.text,
            (a, b) => a == b,
        }
    }

    /// A short type name for messages: "string", "duration literal `15s`", "list", …
    pub fn type_name(&self) -> String {
        match self {
            Val::Str(_) => "string".into(),
            Val::Num(_) => "number".into(),
            Val::Bool(_) => "bool".into(),
            Val::Qty { text, .. } => format!("unit literal `{text}`"),
            Val::Addr(_) => "address".into(),
            Val::Sym(s) => format!("name `{s}`"),
            Val::Secret(_) => "secret".into(),
            Val::Query(q) => format!("{} query", lang_name(q.lang)),
            Val::List(_) => "list".into(),
            Val::Map(_) => "map".into(),
            Val::Block(b) => match &b.kind {
                Some(k) => format!("`{}` block", k.name),
                None => "record".into(),
            },
            Val::Func(_) => "function".into(),
            Val::Builtin(n) => format!("built-in `{n}`"),
            Val::Ctor { name, .. } => format!("`{name}(…)`"),
            Val::Module(_) => "module".into(),
            Val::Error => "error".into(),
        }
    }
}

pub fn lang_name(l: QueryLang) -> &'static str {
    match l {
        QueryLang::Promql => "PromQL",
        QueryLang::Logql => "LogQL",
        QueryLang::Traceql => "TraceQL",
        QueryLang::Sql => "SQL",
    }
}
