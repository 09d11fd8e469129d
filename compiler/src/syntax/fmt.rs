//! The source formatter: `gstackc fmt`.
//!
//! A token-based pretty printer. It works from the lexer's token stream with the comments
//! (trivia) merged back in by position, and uses the parsed tree only to know where entries
//! start. It never reorders, adds or drops a token, so the token stream of the output equals
//! the token stream of the input.
//!
//! Layout rules:
//! - indentation is two spaces per open multi-line construct (`{ }`, `[ ]`, `( )`); several
//!   brackets opened on one line add one level, not one per bracket;
//! - a `{ … }` block or record written on one line stays on one line; one with a line break
//!   anywhere inside gets one entry per line, `{` ending its line and `}` on its own line;
//! - every top-level entry starts on its own line;
//! - other line breaks are kept where the source had them; a line continuing an expression
//!   (after `=`, a binary operator, `.` or `:`, or starting with one) is indented one more level;
//! - single spaces around `=` and binary operators, after `,`, `:` and `;`, none inside `( )`
//!   and `[ ]`, none around `.`, none after a unary `-` or `!` (a `-` is unary unless the token
//!   before it ends a value), none between a name and a following `(` or `[` (calls and types);
//! - string and query literals (including their `${…}` interpolations), numbers with units and
//!   addresses are reproduced exactly as written;
//! - `//` comments and `///` doc comments stay where they are: a comment that ended a line still
//!   ends it (after one space), a comment on its own line keeps its own line, re-indented;
//! - blank lines are kept but collapsed to at most one, and dropped at the start of the file,
//!   right after an opening bracket and right before a closing one; trailing whitespace is
//!   removed and a non-empty file ends with exactly one newline.
//!
//! Broken code is never formatted: a file with any lexical or syntax error is refused with a
//! [`FormatError`]. The result is idempotent: `format(format(x)) == format(x)`.

use super::ast::{Block, BlockBody, Entry, Expr, ExprKind};
use super::lexer::{self, Tok};
use super::Span;
use std::collections::HashSet;

/// Why a file was not formatted: the first lexical or syntax error in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FormatError {
    /// Where the error is, as a byte range into the source.
    pub span: Span,
    /// What is wrong, as the parser reported it.
    pub message: String,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot format a file with syntax errors: {} (at bytes {}..{})",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for FormatError {}

/// Format one `.gstack` source file.
///
/// Returns the formatted text, or a [`FormatError`] (the first diagnostic of
/// [`super::parse`]) if the file has any lexical or syntax error: broken code is never
/// reformatted. Formatting is idempotent and keeps every token and comment.
pub fn format(src: &str) -> Result<String, FormatError> {
    let parsed = super::parse(src);
    if let Some(d) = parsed.diags.first() {
        return Err(FormatError { span: d.span, message: d.message.clone() });
    }
    let mut starts = HashSet::new();
    entry_starts(&parsed.file.entries, &mut starts);
    let lexed = lexer::lex(src);
    if let Some(e) = lexed.errors.first() {
        // `parse` reports lexer errors too; this is only a safety net.
        return Err(FormatError { span: e.span, message: e.message.clone() });
    }
    let items = items(src, &lexed);
    Ok(Printer::new(&items, &starts).run())
}

// ---- entry starts from the tree ---------------------------------------------------------------

/// Collect the byte offset where each entry (at top level, in a block body, record, `for` or
/// `if` body) starts. The formatter puts such an entry on a new line when its container is
/// laid out one entry per line.
fn entry_starts(entries: &[Entry], out: &mut HashSet<usize>) {
    for e in entries {
        out.insert(e.span().start as usize);
        entry(e, out);
    }
}

fn entry(e: &Entry, out: &mut HashSet<usize>) {
    match e {
        Entry::Import(_) | Entry::Error(_) => {}
        Entry::Let(l) => expr(&l.value, out),
        Entry::Fn(f) => expr(&f.body, out),
        Entry::Field(f) => expr(&f.value, out),
        Entry::Block(b) => block(b, out),
        Entry::For(f) => {
            expr(&f.iter, out);
            entry_starts(&f.body, out);
        }
        Entry::If(i) => {
            expr(&i.cond, out);
            entry_starts(&i.then, out);
            match i.otherwise.as_slice() {
                // `else if …`: the nested `if` follows `else` on the same line. (For
                // `else { if … }` the brace already decides the layout.)
                [nested @ Entry::If(_)] => entry(nested, out),
                others => entry_starts(others, out),
            }
        }
        Entry::Expr(x) => expr(x, out),
    }
}

fn block(b: &Block, out: &mut HashSet<usize>) {
    match &b.body {
        BlockBody::Entries(es, _) => entry_starts(es, out),
        BlockBody::Expr(x) => expr(x, out),
    }
}

fn expr(e: &Expr, out: &mut HashSet<usize>) {
    match &e.kind {
        ExprKind::Record(es) => entry_starts(es, out),
        ExprKind::Block(b) => block(b, out),
        ExprKind::List(xs) => xs.iter().for_each(|x| expr(x, out)),
        ExprKind::Map(kvs) => kvs.iter().for_each(|(k, v)| {
            expr(k, out);
            expr(v, out);
        }),
        ExprKind::Member(x, _) | ExprKind::Unary(_, x) => expr(x, out),
        ExprKind::Call(f, args) => {
            expr(f, out);
            args.iter().for_each(|x| expr(x, out));
        }
        ExprKind::Binary(_, a, b) => {
            expr(a, out);
            expr(b, out);
        }
        ExprKind::If(c, a, b) => {
            expr(c, out);
            expr(a, out);
            expr(b, out);
        }
        // Literals are reproduced verbatim, interpolations included.
        ExprKind::Error
        | ExprKind::Bool(_)
        | ExprKind::Number { .. }
        | ExprKind::Address(_)
        | ExprKind::Str(_)
        | ExprKind::Query { .. }
        | ExprKind::Name(_) => {}
    }
}

// ---- items: tokens, whole literals and comments in source order -------------------------------

/// Idents with a grammatical role that matters for spacing: a `-` after them is unary, and a
/// `(` or `[` after them is not a call or type argument list.
const KEYWORDS: &[&str] = &["if", "then", "else", "in"];

/// Binary operators (plus `=`, `.` and `:`) that, ending a line, make the next line a
/// continuation, and that, starting a line after a value, make that line one.
const INFIX: &[&str] = &["=", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/", ".", ":"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `{`, `[` or `(`.
    Open(u8),
    /// `}`, `]` or `)`.
    Close(u8),
    /// Any other punctuation or operator.
    Punct(&'static str),
    /// A name that is not a keyword.
    Name,
    /// `if`, `then`, `else`, `in`.
    Keyword,
    /// A number, address, or whole string/query literal.
    Value,
    /// A `//` comment.
    Comment,
    /// A `///` doc comment (a token).
    Doc,
}

#[derive(Clone, Debug)]
struct Item<'s> {
    kind: Kind,
    /// Exactly what to print.
    text: &'s str,
    start: usize,
    /// Newlines in the source between the previous item and this one.
    nl: usize,
    /// For a `-` or `!`: whether it is a unary operator.
    unary: bool,
}

impl Item<'_> {
    /// Whether this item ends a value, so that a following `-` is binary.
    fn ends_value(&self) -> bool {
        matches!(self.kind, Kind::Name | Kind::Value | Kind::Close(_))
    }
    fn is_comment(&self) -> bool {
        self.kind == Kind::Comment
    }
}

/// Merge tokens and comments by position; collapse each string or query literal (from its
/// `StrStart`/`QueryStart` to the matching `StrEnd`) into one item holding its source text.
fn items<'s>(src: &'s str, lexed: &lexer::Lexed) -> Vec<Item<'s>> {
    let toks = &lexed.tokens;
    let mut raw: Vec<(Kind, usize, usize)> = Vec::new(); // kind, start, end
    let mut i = 0;
    while i < toks.len() {
        let (tok, span) = &toks[i];
        let start = span.start as usize;
        let mut end = span.end as usize;
        let kind = match tok {
            Tok::StrStart | Tok::QueryStart(_) => {
                let mut depth = 0usize;
                while i < toks.len() {
                    match &toks[i].0 {
                        Tok::StrStart | Tok::QueryStart(_) => depth += 1,
                        Tok::StrEnd => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                end = toks.get(i).map(|t| t.1.end as usize).unwrap_or(src.len());
                Kind::Value
            }
            Tok::Ident(s) if KEYWORDS.contains(&s.as_str()) => Kind::Keyword,
            Tok::Ident(_) => Kind::Name,
            Tok::Number { .. } | Tok::Address(_) => Kind::Value,
            Tok::DocComment(_) => Kind::Doc,
            Tok::Punct(p) => match *p {
                "{" | "[" | "(" => Kind::Open(p.as_bytes()[0]),
                "}" | "]" | ")" => Kind::Close(p.as_bytes()[0]),
                _ => Kind::Punct(p),
            },
            // Only inside literals (handled above) or after a lexical error (refused).
            Tok::StrText(_) | Tok::InterpStart | Tok::InterpEnd | Tok::StrEnd | Tok::Error => Kind::Value,
        };
        raw.push((kind, start, end));
        i += 1;
    }
    // Merge in the comments that are not inside a literal.
    let mut merged: Vec<(Kind, usize, usize)> = Vec::with_capacity(raw.len() + lexed.comments.len());
    let mut comments = lexed.comments.iter().map(|c| (Kind::Comment, c.span.start as usize, c.span.end as usize)).peekable();
    for t in raw {
        while let Some(&c) = comments.peek() {
            if c.1 >= t.1 {
                break;
            }
            comments.next();
            merged.push(c);
        }
        // drop comments that fall inside this item (inside a literal's interpolation)
        while comments.peek().is_some_and(|c| c.1 < t.2) {
            comments.next();
        }
        merged.push(t);
    }
    merged.extend(comments);

    let mut out: Vec<Item<'s>> = Vec::with_capacity(merged.len());
    let mut prev_end = 0usize;
    let mut prev_code: Option<usize> = None;
    for (kind, start, end) in merged {
        let mut text = &src[start..end];
        if matches!(kind, Kind::Comment | Kind::Doc) {
            text = text.trim_end();
        }
        let nl = if out.is_empty() { 0 } else { src[prev_end..start].matches('\n').count() };
        let unary = match kind {
            Kind::Punct("!") => true,
            Kind::Punct("-") => !prev_code.is_some_and(|p: usize| out[p].ends_value()),
            _ => false,
        };
        if kind != Kind::Comment {
            prev_code = Some(out.len());
        }
        out.push(Item { kind, text, start, nl, unary });
        prev_end = end;
    }
    out
}

// ---- the printer ------------------------------------------------------------------------------

/// An open bracket while printing.
struct Group {
    /// The indentation of the output line the bracket was opened on; content lines get one more.
    line_indent: usize,
    /// A `{ }` laid out one entry per line.
    multiline: bool,
}

struct Printer<'a, 's> {
    items: &'a [Item<'s>],
    starts: &'a HashSet<usize>,
    /// For each opening bracket, whether it is a `{` with a line break inside (and something in it).
    multiline: Vec<bool>,
    /// For each closing bracket, the index of its opening bracket.
    open_of: Vec<Option<usize>>,
    out: String,
    stack: Vec<Group>,
    line_indent: usize,
}

impl<'a, 's> Printer<'a, 's> {
    fn new(items: &'a [Item<'s>], starts: &'a HashSet<usize>) -> Self {
        let mut multiline = vec![false; items.len()];
        let mut open_of = vec![None; items.len()];
        let mut stack: Vec<usize> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            match it.kind {
                Kind::Open(_) => stack.push(i),
                Kind::Close(_) => {
                    if let Some(o) = stack.pop() {
                        open_of[i] = Some(o);
                        multiline[o] = items[o].kind == Kind::Open(b'{')
                            && i > o + 1
                            && items[o + 1..=i].iter().any(|x| x.nl > 0);
                    }
                }
                _ => {}
            }
        }
        Printer { items, starts, multiline, open_of, out: String::new(), stack: Vec::new(), line_indent: 0 }
    }

    fn run(mut self) -> String {
        let items = self.items;
        let mut prev: Option<usize> = None; // last item
        let mut prev_code: Option<usize> = None; // last item that is not a `//` comment
        for (i, it) in items.iter().enumerate() {
            let is_start = self.starts.contains(&it.start);
            let Some(p) = prev else {
                // first item: top level, no indentation
                self.push_item(i);
                prev = Some(i);
                if !it.is_comment() {
                    prev_code = Some(i);
                }
                continue;
            };
            // A comment (or a doc comment not opening an entry) that ended a line stays there.
            let trailing = it.nl == 0
                && (it.kind == Kind::Comment || (it.kind == Kind::Doc && !is_start));
            let empty_group = matches!(it.kind, Kind::Close(_)) && self.open_of[i] == Some(p);
            let mut brk = it.nl > 0 || matches!(items[p].kind, Kind::Comment | Kind::Doc);
            if !trailing {
                if prev_code.is_some_and(|pc| self.multiline[pc]) {
                    brk = true; // first thing after a multi-line `{`
                }
                if matches!(it.kind, Kind::Close(_)) && self.open_of[i].is_some_and(|o| self.multiline[o]) {
                    brk = true;
                }
                if is_start && self.stack.last().is_none_or(|g| g.multiline) {
                    brk = true; // one entry per line
                }
            }
            if empty_group {
                brk = false;
            }
            if brk {
                let blank = it.nl >= 2
                    && !matches!(items[p].kind, Kind::Open(_))
                    && !matches!(it.kind, Kind::Close(_));
                self.newline(blank);
                let indent = match it.kind {
                    Kind::Close(_) => self.stack.last().map(|g| g.line_indent).unwrap_or(0),
                    _ => {
                        let base = self.stack.last().map(|g| g.line_indent + 1).unwrap_or(0);
                        base + usize::from(!is_start && self.continues(prev_code, i))
                    }
                };
                for _ in 0..indent {
                    self.out.push_str("  ");
                }
                self.line_indent = indent;
            } else if trailing || self.space_between(p, i) {
                self.out.push(' ');
            }
            self.push_item(i);
            prev = Some(i);
            if !it.is_comment() {
                prev_code = Some(i);
            }
        }
        self.trim_line_end();
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }

    /// Print item `i` at the current position and track brackets.
    fn push_item(&mut self, i: usize) {
        let it = &self.items[i];
        self.out.push_str(it.text);
        match it.kind {
            Kind::Open(_) => self.stack.push(Group { line_indent: self.line_indent, multiline: self.multiline[i] }),
            Kind::Close(_) => {
                self.stack.pop();
            }
            _ => {}
        }
    }

    fn trim_line_end(&mut self) {
        let len = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(len);
    }

    fn newline(&mut self, blank: bool) {
        self.trim_line_end();
        self.out.push('\n');
        if blank {
            self.out.push('\n');
        }
    }

    /// Whether a line starting with item `i` continues an expression from the line before.
    fn continues(&self, prev_code: Option<usize>, i: usize) -> bool {
        let Some(p) = prev_code else { return false };
        let (prev, it) = (&self.items[p], &self.items[i]);
        let dangling = match prev.kind {
            Kind::Punct(op) => INFIX.contains(&op) || prev.unary,
            Kind::Keyword => true,
            _ => false,
        };
        let leading = prev.ends_value()
            && match it.kind {
                Kind::Punct(op) => INFIX.contains(&op),
                Kind::Keyword => matches!(it.text, "then" | "else") && prev.kind != Kind::Close(b'}'),
                _ => false,
            };
        dangling || leading
    }

    /// Whether items `p` and `n`, printed on one line, are separated by a space.
    fn space_between(&self, p: usize, n: usize) -> bool {
        let (prev, next) = (&self.items[p], &self.items[n]);
        if prev.unary {
            return false;
        }
        !matches!(
            (prev.kind, next.kind),
            (Kind::Open(_), Kind::Close(_))
                | (Kind::Open(b'(' | b'['), _)
                | (_, Kind::Close(b')' | b']'))
                | (Kind::Punct("."), _)
                | (_, Kind::Punct("." | "," | ":" | ";"))
                | (Kind::Name | Kind::Close(b')'), Kind::Open(b'('))
                | (Kind::Name, Kind::Open(b'['))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESIGN: &str = include_str!("testdata/aligned.gstack");

    fn fmt(src: &str) -> String {
        match format(src) {
            Ok(s) => s,
            Err(e) => panic!("format failed: {e}\n{src}"),
        }
    }

    fn kinds(src: &str) -> Vec<Tok> {
        lexer::lex(src).tokens.into_iter().map(|(t, _)| t).collect()
    }

    fn comments(src: &str) -> Vec<String> {
        lexer::lex(src).comments.into_iter().map(|c| c.text).collect()
    }

    /// Format, and check the invariants every formatting must keep.
    fn check(src: &str) -> String {
        let once = fmt(src);
        assert_eq!(fmt(&once), once, "not idempotent; first pass:\n{once}");
        assert_eq!(kinds(&once), kinds(src), "tokens changed:\n{once}");
        assert_eq!(comments(&once), comments(src), "comments changed:\n{once}");
        assert!(once.is_empty() || (once.ends_with('\n') && !once.ends_with("\n\n")));
        if !src.contains('`') {
            // (a multi-line query literal keeps its own trailing whitespace)
            assert!(once.lines().all(|l| l == l.trim_end()), "trailing whitespace:\n{once}");
        }
        assert!(!once.contains("\n\n\n"), "more than one blank line:\n{once}");
        once
    }

    #[test]
    fn design_example_is_idempotent_and_keeps_tokens() {
        let out = check(DESIGN);
        // spot checks
        assert!(out.contains("\n    version = \"12.2\" // picks the package / image\n"), "{out}");
        assert!(out.contains("  loki { retention = 31d }\n"), "{out}");
        assert!(out.contains("target compose { publish_on = 127.0.0.1 }\n"), "{out}");
        assert!(out.contains("resources prometheus { cpu = 500m, memory = 2GiB, storage = 50GiB }"), "{out}");
        assert!(out.contains("fn rate_panel(svc: string) = timeseries \"${svc} requests/s\" {\n"), "{out}");
        assert!(out.contains(
            "query = promql`sum by (route) (rate(http_requests_total{service=\"${svc}\"}[5m]))`"
        ));
        assert!(out.starts_with("// An illustration"));
    }

    #[test]
    fn every_token_survives() {
        for src in [
            DESIGN,
            "a=-5 b=x-1 c=[-1,-x, 2-3] d=!ok&&y||z",
            "stack s{a.b.c=f(x)(y) l=[1:a,2:b] e=if a==b then 1 else 2}",
            "fn f(a:list[string],b:duration)=a\nlet z=1_000s + 0.5",
            "q = sql`select\n  1  \n`  // q\nx = \"a\\tb ${ y  }\\\"\"",
            "if a { b = 1 } else if c { b = 2 } else { b = 3 }",
            "for x in [1,2] { p(x) };",
            "",
            "// only a comment",
        ] {
            check(src);
        }
    }

    #[test]
    fn comments_are_kept_in_place() {
        let src = "// header\n\n\n/// The window.\nlet w = 30d   // trailing\n\nstack s {   // after brace\n  // own line\n  a = 1\n      // before close\n}\n";
        let out = check(src);
        assert_eq!(
            out,
            "// header\n\n/// The window.\nlet w = 30d // trailing\n\nstack s { // after brace\n  // own line\n  a = 1\n  // before close\n}\n"
        );
    }

    #[test]
    fn messy_spacing_is_normalized() {
        let src = "stack   shop{\n grafana  {port=3000 ,admin={ user=\"a\",password=secret . file( \"/x\" )}\n\t\tsettings{users.allow_sign_up=false}   \n\n\n\n  }\n    tempo{generator=[ a , b ]}\n}\nlet n=- 5\nlet m = a-b *2\n\n\n";
        let out = check(src);
        assert_eq!(
            out,
            "stack shop {\n  grafana {\n    port = 3000,\n    admin = { user = \"a\", password = secret.file(\"/x\") }\n    settings { users.allow_sign_up = false }\n  }\n  tempo { generator = [a, b] }\n}\nlet n = -5\nlet m = a - b * 2\n"
        );
    }

    #[test]
    fn single_line_kept_multi_line_one_entry_per_line() {
        assert_eq!(check("x { a = 1, b = 2 }"), "x { a = 1, b = 2 }\n");
        assert_eq!(check("x { a = 1,\n b = 2 c = 3 }"), "x {\n  a = 1,\n  b = 2\n  c = 3\n}\n");
        assert_eq!(check("x {\n}\ny { }"), "x {}\ny {}\n");
        assert_eq!(check("let a = 1 let b = 2"), "let a = 1\nlet b = 2\n");
        assert_eq!(check("x {\r\n  a = 1 // c\r\n}\r\n"), "x {\n  a = 1 // c\n}\n");
    }

    #[test]
    fn lists_calls_and_continuations() {
        let src = "let xs = [\n\"a\",\n  \"b\",\n]\nlet y =\nf(1,\n2) +\ng(3)\nx = [{\na = 1\n}, {\nb = 2\n}]";
        assert_eq!(
            check(src),
            "let xs = [\n  \"a\",\n  \"b\",\n]\nlet y =\n  f(1,\n    2) +\n  g(3)\nx = [{\n  a = 1\n}, {\n  b = 2\n}]\n"
        );
    }

    #[test]
    fn unary_and_binary_minus() {
        assert_eq!(check("a = -5"), "a = -5\n");
        assert_eq!(check("a = b-5"), "a = b - 5\n");
        assert_eq!(check("a = [ -1, 2 -3, f( -x ) - -y ]"), "a = [-1, 2 - 3, f(-x) - -y]\n");
        assert_eq!(check("a = !x"), "a = !x\n");
    }

    #[test]
    fn literals_are_reproduced_exactly() {
        let src = "x = \"a  ${ y   +1 }\\n\"\nq = promql`sum( rate(x[5m]) )  \n   `\nd = 15s\nm = 512MiB\nip = 127.0.0.1\nn = 1_000";
        let out = check(src);
        assert_eq!(out, format!("{src}\n"));
    }

    #[test]
    fn syntax_errors_are_refused() {
        for src in ["stack s { a = }", "x = \"unterminated", "a = 1 }", "a = (1", "x = `q`", "a = 1 # 2"] {
            let err = format(src).expect_err(src);
            assert!(!err.message.is_empty());
            assert!(err.span.end as usize <= src.len());
        }
    }
}
