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
    let (closed, brace_diags) = close_braces(&lexed.tokens, src, &lexed.errors);
    let tokens = closed.unwrap_or(lexed.tokens);
    let mut diags: Vec<SyntaxDiag> = lexed
        .errors
        .into_iter()
        .map(|e| SyntaxDiag { span: e.span, code: e.code, message: e.message, hint: e.hint })
        .collect();
    diags.extend(brace_diags);
    // The parser (and the evaluator after it) recurse once per nesting level; far past any
    // real file that would overflow the stack, so such a file is refused before parsing.
    if let Some((span, message)) = too_deep(&tokens) {
        diags.push(SyntaxDiag { span, code: "E0001", message, hint: Some("name inner parts with `let` and use them by name".into()) });
        diags.sort_by_key(|d| (d.span.start, d.span.end));
        return Parsed { file: ast::File::default(), diags, comments: lexed.comments };
    }
    let (file, errs) = parser::parse_owned(tokens, src.len());
    const OPERATORS: &[&str] = &["`!=`", "`&&`", "`*`", "`+`", "`-`", "`/`", "`<`", "`<=`", "`==`", "`>`", "`>=`", "`||`", "`!`", "`.`", "`(`", "something else"];
    for mut e in errs {
        if diags.iter().any(|d: &SyntaxDiag| d.span == e.span && d.code == "E0001") {
            continue;
        }
        if e.expected.len() > 3 || e.expected.iter().any(|x| x == "expression") {
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

/// How deeply `{ ( [`, strings and `${` may nest. Real files stay under ten; the limit keeps
/// the recursive parser well inside a 2 MiB thread stack even in debug builds.
pub const MAX_NESTING: usize = 32;

/// How many binary operators one expression may chain (`a + b + …`); the syntax tree of a
/// chain is as deep as it is long.
pub const MAX_CHAIN: usize = 1000;

/// The first token past [`MAX_NESTING`] levels of nesting, of `-`/`!` prefixes in a row, or of
/// [`MAX_CHAIN`] chained operators, with the message to report there.
fn too_deep(tokens: &[(lexer::Tok, Span)]) -> Option<(Span, String)> {
    use lexer::Tok;
    let (mut depth, mut prefixes, mut chain) = (0usize, 0usize, 0usize);
    for (t, s) in tokens {
        if matches!(t, Tok::Punct("-" | "!")) {
            prefixes += 1;
            if prefixes > MAX_NESTING {
                return Some((*s, format!("more than {MAX_NESTING} `-`/`!` in a row")));
            }
        } else {
            prefixes = 0;
        }
        match t {
            Tok::Punct("{" | "(" | "[") | Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart => {
                depth += 1;
                chain = 0;
                if depth > MAX_NESTING {
                    return Some((*s, format!("brackets, blocks and strings nest deeper than {MAX_NESTING} levels here")));
                }
            }
            Tok::Punct("}" | ")" | "]") | Tok::StrEnd | Tok::InterpEnd => {
                depth = depth.saturating_sub(1);
                chain = 0;
            }
            Tok::Punct("=" | "," | ";" | ":") => chain = 0,
            Tok::Punct("+" | "-" | "*" | "/" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||") => {
                chain += 1;
                if chain > MAX_CHAIN {
                    return Some((*s, format!("an expression chains more than {MAX_CHAIN} operators")));
                }
            }
            _ => {}
        }
    }
    None
}

/// When a file opens more `{` than it closes, insert the missing `}` where indentation says
/// they belong (before an entry or a `}` that sits at or left of its opener's line, else at
/// the end of the file) and report each unclosed `{` once. Without this one missing brace swallows the rest of the
/// file and every later declaration becomes an error. `None` for balanced files (nothing to change).
fn close_braces(tokens: &[(lexer::Tok, Span)], src: &str, lex_errors: &[lexer::LexError]) -> (Option<Vec<(lexer::Tok, Span)>>, Vec<SyntaxDiag>) {
    use lexer::Tok;
    let count = |p: &'static str| tokens.iter().filter(|(t, _)| *t == Tok::Punct(p)).count();
    let (opens, closes) = (count("{"), count("}"));
    if opens <= closes {
        return (None, vec![]);
    }
    let mut missing = opens - closes;
    let line_start = |off: usize| src[..off].rfind('\n').map_or(0, |i| i + 1);
    let indent = |off: usize| src[line_start(off)..].bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
    let mut out = Vec::with_capacity(tokens.len() + missing);
    let mut diags = vec![];
    let mut open: Vec<(Span, usize)> = vec![];
    let report = |opener: Span, at: usize, diags: &mut Vec<SyntaxDiag>| {
        // an unterminated string in between already explains the missing brace
        if lex_errors.iter().any(|e| e.code == "E0002" && e.span.start >= opener.start && (e.span.start as usize) <= at) {
            return;
        }
        let hint = if at >= src.len() {
            "add the missing `}`".to_string()
        } else {
            let line = src[..at].matches('\n').count() + 1;
            format!("add the missing `}}`; judging by indentation it belongs before line {line}")
        };
        diags.push(SyntaxDiag { span: opener, code: "E0001", message: "unclosed `{`".into(), hint: Some(hint) });
    };
    let mut in_string = 0usize;
    for (t, s) in tokens {
        // an entry (a name first on its line) at or left of the indentation of the innermost
        // open block's line does not belong inside it: that block was left open
        if let Tok::Ident(_) = t {
            let at = s.start as usize;
            let ls = line_start(at);
            if in_string == 0 && src[ls..at].trim().is_empty() {
                let col = at - ls;
                while missing > 0 && open.last().is_some_and(|(o, ind)| *ind >= col && (o.start as usize) < ls) {
                    let (opener, _) = open.pop().unwrap();
                    out.push((Tok::Punct("}"), Span::new(at, at)));
                    report(opener, at, &mut diags);
                    missing -= 1;
                }
            }
        }
        match t {
            Tok::StrStart | Tok::QueryStart(_) => in_string += 1,
            Tok::StrEnd => in_string = in_string.saturating_sub(1),
            Tok::Punct("{") => open.push((*s, indent(s.start as usize))),
            Tok::Punct("}") => {
                let at = s.start as usize;
                let ls = line_start(at);
                if src[ls..at].trim().is_empty() {
                    let col = at - ls;
                    while missing > 0 && open.last().is_some_and(|(_, ind)| *ind > col) {
                        let (opener, _) = open.pop().unwrap();
                        out.push((Tok::Punct("}"), Span::new(at, at)));
                        report(opener, at, &mut diags);
                        missing -= 1;
                    }
                }
                open.pop();
            }
            _ => {}
        }
        out.push((t.clone(), *s));
    }
    while missing > 0 {
        let Some((opener, _)) = open.pop() else { break };
        out.push((Tok::Punct("}"), Span::new(src.len(), src.len())));
        report(opener, src.len(), &mut diags);
        missing -= 1;
    }
    (Some(out), diags)
}

fn join_or(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n if n > 8 => format!("{}, … or {}", items[..6].join(", "), items[n - 1]),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}
