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

/// How deeply `{ ( [`, strings, `${` and `if`s (an `if` inside an `if`, an `else if` chain)
/// may nest. Real files stay under ten; the limit keeps the recursive parser well inside a
/// 2 MiB thread stack even in debug builds.
pub const MAX_NESTING: usize = 32;

/// How deep the operators of one expression may go: binary operators chained (`a + b + …`),
/// prefixes, calls and field accesses, counted along the expression and through the brackets
/// it is nested in. The syntax tree of a chain is as deep as it is long, and every pass over
/// it (evaluation, formatting, even freeing it) recurses on it.
pub const MAX_CHAIN: usize = 1000;

/// How many calls and field accesses may follow one another (`a.b.c`, `f(x)(y)`).
pub const MAX_POSTFIX: usize = 64;

/// The first token past one of the limits above, or past [`MAX_NESTING`] `-`/`!` prefixes in
/// a row, with the message to report there. Runs over the tokens (no recursion), so it is
/// safe on any input.
fn too_deep(tokens: &[(lexer::Tok, Span)]) -> Option<(Span, String)> {
    use lexer::Tok;
    /// One open bracket (the file itself at the bottom).
    #[derive(Default)]
    struct Level {
        /// `if`s open in the current expression of this level.
        ifs: usize,
        /// Operators, prefixes, calls and field accesses of the current expression so far.
        chain: usize,
        /// The deepest chain of a bracket closed inside the current expression.
        inner: usize,
        /// Calls and field accesses in a row.
        postfix: usize,
    }
    impl Level {
        /// A new expression starts at this level.
        fn reset(&mut self, ifs: &mut usize, chain: &mut usize) {
            *ifs -= self.ifs;
            *chain -= self.chain + self.inner;
            *self = Level::default();
        }
    }
    const KEYWORDS: &[&str] = &["if", "then", "else", "for", "in", "let", "fn", "import", "as"];
    // can this token end an expression? (then a name after it starts a new entry: nothing
    // in the grammar puts two expressions side by side)
    let ends = |t: &Tok| match t {
        Tok::Ident(w) => !KEYWORDS.contains(&w.as_str()),
        Tok::Number { .. } | Tok::Address(_) | Tok::StrEnd => true,
        Tok::Punct(p) => matches!(*p, ")" | "]" | "}"),
        _ => false,
    };
    let mut levels = vec![Level::default()];
    // sums over the open levels: `if`s, and chain + inner
    let (mut ifs, mut chain) = (0usize, 0usize);
    let mut prefixes = 0usize;
    let mut prev: Option<&Tok> = None;
    for (t, s) in tokens {
        if matches!(t, Tok::Punct("-" | "!")) {
            prefixes += 1;
            if prefixes > MAX_NESTING {
                return Some((*s, format!("more than {MAX_NESTING} `-`/`!` in a row")));
            }
        } else {
            prefixes = 0;
        }
        let after_end = prev.is_some_and(|p| ends(p));
        let l = levels.last_mut().expect("the file level stays");
        let mut grow = 0usize;
        match t {
            Tok::Punct("{" | "(" | "[") | Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart => {
                if *t == Tok::Punct("(") && after_end {
                    l.postfix += 1; // a call
                    grow = 1;
                } else {
                    l.postfix = 0;
                }
                if l.postfix > MAX_POSTFIX {
                    return Some((*s, format!("more than {MAX_POSTFIX} calls and field accesses in a row")));
                }
                levels.push(Level::default());
                if levels.len() - 1 > MAX_NESTING {
                    return Some((*s, format!("brackets, blocks and strings nest deeper than {MAX_NESTING} levels here")));
                }
            }
            Tok::Punct("}" | ")" | "]") | Tok::StrEnd | Tok::InterpEnd => {
                if levels.len() > 1 {
                    let mut closed = levels.pop().unwrap();
                    let depth = closed.chain + closed.inner;
                    closed.reset(&mut ifs, &mut chain);
                    let parent = levels.last_mut().unwrap();
                    if depth > parent.inner {
                        chain += depth - parent.inner;
                        parent.inner = depth;
                    }
                }
            }
            Tok::Punct("=" | "," | ";" | ":") => l.reset(&mut ifs, &mut chain),
            Tok::Punct(".") => {
                l.postfix += 1;
                grow = 1;
                if l.postfix > MAX_POSTFIX {
                    return Some((*s, format!("more than {MAX_POSTFIX} calls and field accesses in a row")));
                }
            }
            Tok::Punct("+" | "-" | "*" | "/" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||" | "!") => {
                l.postfix = 0;
                grow = 1;
            }
            Tok::Ident(w) => {
                if prev == Some(&Tok::Punct(".")) {
                    // the name of a field access: the chain goes on
                } else {
                    if after_end && !matches!(w.as_str(), "then" | "else" | "in" | "as") {
                        l.reset(&mut ifs, &mut chain); // a new entry
                    }
                    l.postfix = 0;
                    if w == "if" {
                        l.ifs += 1;
                        ifs += 1;
                        if levels.len() - 1 + ifs > MAX_NESTING {
                            return Some((*s, format!("`if`s, brackets, blocks and strings nest deeper than {MAX_NESTING} levels here")));
                        }
                    }
                }
            }
            _ => l.postfix = 0,
        }
        if grow > 0 {
            let l = levels.last_mut().unwrap();
            l.chain += grow;
            chain += grow;
            if chain > MAX_CHAIN {
                return Some((*s, format!("an expression chains more than {MAX_CHAIN} operators, calls and field accesses")));
            }
        }
        prev = Some(t);
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
