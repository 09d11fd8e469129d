//! The syntax tree of one `.gstack` file: plain data, no semantics.
//!
//! A file is a list of [`Entry`]s. Every declaration (`stack`, `dashboard`, `alert`, `target`,
//! a component block, a panel) is a [`Block`]: a kind word, an optional label and a body. The
//! meaning of each kind is the schema's business (see `sema::schema`), which keeps the grammar
//! small and makes unknown kinds a typed diagnostic instead of a syntax error.

use super::Span;
use serde::Serialize;

/// A name with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One parsed file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct File {
    pub entries: Vec<Entry>,
}

/// Anything that can stand in a file or a block body.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Entry {
    /// `import std.selfmon` or `import "./x.gstack" as x`
    Import(Import),
    /// `let name = expr`
    Let(Let),
    /// `fn name(a: type, …) = expr`
    Fn(FnDecl),
    /// `a.b.c = expr`
    Field(Field),
    /// `kind label? { … }` or `kind label = expr`
    Block(Block),
    /// `for x in expr { … }`
    For(For),
    /// `if cond { … } else { … }`
    If(If),
    /// A bare expression (a call producing a panel, say).
    Expr(Expr),
    /// Something unparsable; already reported.
    Error(Span),
}

impl Entry {
    /// The span of the whole entry.
    pub fn span(&self) -> Span {
        match self {
            Entry::Import(i) => i.span,
            Entry::Let(l) => l.span,
            Entry::Fn(f) => f.span,
            Entry::Field(f) => f.span,
            Entry::Block(b) => b.span,
            Entry::For(f) => f.span,
            Entry::If(i) => i.span,
            Entry::Expr(e) => e.span,
            Entry::Error(s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ImportPath {
    /// `std.selfmon`: segments after `std`.
    Std(Vec<Ident>),
    /// `"./x.gstack"`
    File(String, Span),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Import {
    pub path: ImportPath,
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Let {
    pub doc: Option<String>,
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// A type written in a function signature: `string`, `duration`, `list[string]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct TypeExpr {
    pub name: Ident,
    pub args: Vec<TypeExpr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FnDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub params: Vec<Param>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Field {
    pub path: Vec<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Label {
    Ident(Ident),
    Str(Expr),
}

impl Label {
    pub fn span(&self) -> Span {
        match self {
            Label::Ident(i) => i.span,
            Label::Str(e) => e.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BlockBody {
    /// `{ entries }` with the span of the braces.
    Entries(Vec<Entry>, Span),
    /// `= expr`
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Block {
    pub doc: Option<String>,
    pub kind: Ident,
    pub label: Option<Label>,
    pub body: BlockBody,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct For {
    pub var: Ident,
    pub iter: Expr,
    pub body: Vec<Entry>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct If {
    pub cond: Expr,
    pub then: Vec<Entry>,
    pub otherwise: Vec<Entry>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum StrPart {
    Text(String, Span),
    Interp(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ExprKind {
    Error,
    Bool(bool),
    /// A number literal with its unit suffix exactly as written (`""` when none).
    Number { digits: String, unit: String },
    Address(String),
    Str(Vec<StrPart>),
    /// `promql\`…\`` and friends.
    Query { lang: String, parts: Vec<StrPart> },
    Name(String),
    List(Vec<Expr>),
    /// `[k: v, …]`
    Map(Vec<(Expr, Expr)>),
    /// `{ a = 1, b = 2 }`
    Record(Vec<Entry>),
    /// `kind "label" { … }` in expression position (a panel, say).
    Block(Box<Block>),
    Member(Box<Expr>, Ident),
    Call(Box<Expr>, Vec<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}
