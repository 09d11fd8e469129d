//! The syntax layer: spans, lexer, parser and formatter. Knows nothing of salsa, schemas or LSP.
//!
//! Parsing never fails: [`parse`] returns a (possibly partial) [`ast::File`] and every lexical
//! and syntax error found, each with a byte span into the source.

pub mod ast;
pub mod fmt;
pub mod lexer;
pub mod parser;

use serde::Serialize;

/// A byte range `start..end` into one source file (UTF-8 offsets).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// Build a span from byte offsets (saturating at `u32::MAX`; files are far smaller).
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: start.min(u32::MAX as usize) as u32, end: end.min(u32::MAX as usize) as u32 }
    }
    /// The byte range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
    /// Shift by `offset` bytes (used when a sub-language literal is checked on its own).
    pub fn shift(self, offset: u32) -> Span {
        Span { start: self.start + offset, end: self.end + offset }
    }
}

/// One syntax problem: lexical or grammatical.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxDiag {
    pub span: Span,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

/// The result of parsing one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Parsed {
    pub file: ast::File,
    pub diags: Vec<SyntaxDiag>,
    pub comments: Vec<lexer::Comment>,
}

/// Lex and parse a whole file.
pub fn parse(src: &str) -> Parsed {
    let lexed = lexer::lex(src);
    let (file, errs) = parser::parse_tokens(&lexed.tokens, src.len());
    let mut diags: Vec<SyntaxDiag> = lexed
        .errors
        .into_iter()
        .map(|e| SyntaxDiag { span: e.span, code: e.code, message: e.message, hint: e.hint })
        .collect();
    const OPERATORS: &[&str] = &["`!=`", "`&&`", "`*`", "`+`", "`-`", "`/`", "`<`", "`<=`", "`==`", "`>`", "`>=`", "`||`", "`!`", "`.`", "`(`", "something else"];
    for mut e in errs {
        if diags.iter().any(|d: &SyntaxDiag| d.span == e.span && d.code == "E0001") {
            continue;
        }
        if e.expected.len() > 3 {
            e.expected.retain(|x| !OPERATORS.contains(&x.as_str()));
        }
        // a lexer error already explains an `invalid token`
        if e.found.as_deref() == Some("invalid token") {
            continue;
        }
        let hint = if e.expected.is_empty() {
            None
        } else {
            Some(format!("expected {}", join_or(&e.expected)))
        };
        diags.push(SyntaxDiag { span: e.span, code: "E0001", message: e.message, hint });
    }
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    Parsed { file, diags, comments: lexed.comments }
}

fn join_or(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n if n > 8 => format!("{}, … or {}", items[..6].join(", "), items[n - 1]),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}
