//! Hand-written lexer for `.gstack` source.
//!
//! Produces a flat token stream in which string and query literals are split into
//! `StrStart`/`QueryStart`, `StrText`, `InterpStart … InterpEnd`, `StrEnd` so that the
//! chumsky parser handles `${…}` interpolation like any other nested expression.
//! Comments are kept as trivia (only the formatter reads them); `///` doc comments are
//! tokens the parser attaches to the next declaration.
//!
//! Never fails: bad input becomes an [`Tok::Error`] token plus a [`LexError`].

use super::Span;

/// One token. Text-carrying variants own their text so the token stream is `'static`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Tok {
    Ident(String),
    /// A number with an optional unit suffix: `15`, `0.5`, `15s`, `512MiB`, `500m`.
    Number { digits: String, unit: String },
    /// A dotted-quad IPv4 address: `127.0.0.1`.
    Address(String),
    /// `"` opening a string literal.
    StrStart,
    /// `promql\``, `logql\``, `traceql\``, `sql\``: the language name and the opening backtick.
    QueryStart(String),
    /// Literal text inside a string or query (escapes already decoded).
    StrText(String),
    /// `${` inside a string or query.
    InterpStart,
    /// `}` closing an interpolation.
    InterpEnd,
    /// Closing `"` or backtick.
    StrEnd,
    /// `/// text` (without the slashes and one leading space).
    DocComment(String),
    /// Punctuation and operators: `{ } ( ) [ ] , : . = == != + - * / < > <= >= && || !`.
    Punct(&'static str),
    /// An unrecognised character (already reported).
    Error,
}

impl std::fmt::Display for Tok {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "`{s}`"),
            Tok::Number { digits, unit } => write!(f, "`{digits}{unit}`"),
            Tok::Address(a) => write!(f, "`{a}`"),
            Tok::StrStart => write!(f, "string"),
            Tok::QueryStart(l) => write!(f, "{l} query"),
            Tok::StrText(_) => write!(f, "string text"),
            Tok::InterpStart => write!(f, "`${{`"),
            Tok::InterpEnd => write!(f, "`}}`"),
            Tok::StrEnd => write!(f, "end of string"),
            Tok::DocComment(_) => write!(f, "doc comment"),
            Tok::Punct(p) => write!(f, "`{p}`"),
            Tok::Error => write!(f, "invalid token"),
        }
    }
}

/// A comment kept for the formatter: its span and whether a line break precedes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

/// A lexical error: where, what, and the stable code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LexError {
    pub span: Span,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

/// Result of lexing one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lexed {
    pub tokens: Vec<(Tok, Span)>,
    pub comments: Vec<Comment>,
    pub errors: Vec<LexError>,
}

const PUNCT3: &[&str] = &[];
const PUNCT2: &[&str] = &["==", "!=", "<=", ">=", "&&", "||"];
const PUNCT1: &[&str] = &[
    "{", "}", "(", ")", "[", "]", ",", ":", ".", "=", "+", "-", "*", "/", "<", ">", "!", ";",
];

/// Lex a whole file.
pub fn lex(src: &str) -> Lexed {
    let mut lx = Lexer { src, bytes: src.as_bytes(), pos: 0, out: Lexed::default(), nest: 0 };
    lx.run(None);
    lx.out
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Lexed,
    /// Interpolations open around the current position (the lexer recurses into each).
    nest: usize,
}

/// How deeply strings may nest through `${…}` before the lexer stops (the parser's own limit,
/// [`super::MAX_NESTING`], is lower and reports first; this one keeps the lexer's recursion
/// bounded on any input).
const MAX_INTERP_NESTING: usize = 64;

#[derive(Clone, Copy, PartialEq)]
enum Quote {
    Double,
    Backtick,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    fn peek_at(&self, n: usize) -> Option<u8> {
        self.bytes.get(self.pos + n).copied()
    }
    fn push(&mut self, t: Tok, start: usize) {
        self.out.tokens.push((t, Span::new(start, self.pos)));
    }
    fn error(&mut self, start: usize, end: usize, code: &'static str, msg: String, hint: Option<String>) {
        self.out.errors.push(LexError { span: Span::new(start, end), code, message: msg, hint });
    }

    /// Lex tokens until end of input, or (inside an interpolation) until the `}` that closes it
    /// at brace depth 0. Returns true if the closing brace was found.
    fn run(&mut self, interp: Option<()>) -> bool {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.peek_at(1) == Some(b'/') => {
                    let end = self.src[start..].find('\n').map(|i| start + i).unwrap_or(self.src.len());
                    let text = &self.src[start..end];
                    self.pos = end;
                    if text.starts_with("///") && !text.starts_with("////") {
                        let body = text[3..].strip_prefix(' ').unwrap_or(&text[3..]);
                        self.push(Tok::DocComment(body.trim_end().to_string()), start);
                    } else {
                        self.out.comments.push(Comment { span: Span::new(start, end), text: text.trim_end().to_string() });
                    }
                }
                b'"' => {
                    self.pos += 1;
                    self.push(Tok::StrStart, start);
                    self.string(Quote::Double, start);
                }
                b'`' => {
                    self.pos += 1;
                    self.error(start, self.pos, "E0002", "a backtick query literal needs a language".into(),
                        Some("write promql`…`, logql`…`, traceql`…` or sql`…`".into()));
                    // an empty language marks the literal as already reported
                    self.push(Tok::QueryStart(String::new()), start);
                    self.string(Quote::Backtick, start);
                }
                b'0'..=b'9' => self.number(),
                c if c == b'_' || c.is_ascii_alphabetic() => {
                    while matches!(self.peek(), Some(c) if c == b'_' || c.is_ascii_alphanumeric()) {
                        self.pos += 1;
                    }
                    let word = &self.src[start..self.pos];
                    if self.peek() == Some(b'`') {
                        self.pos += 1;
                        self.push(Tok::QueryStart(word.to_string()), start);
                        self.string(Quote::Backtick, start);
                    } else {
                        self.push(Tok::Ident(word.to_string()), start);
                    }
                }
                _ => {
                    if interp.is_some() {
                        if c == b'{' {
                            depth += 1;
                        } else if c == b'}' {
                            if depth == 0 {
                                self.pos += 1;
                                self.push(Tok::InterpEnd, start);
                                return true;
                            }
                            depth -= 1;
                        }
                    }
                    let rest = &self.src[start..];
                    if let Some(p) = PUNCT3.iter().chain(PUNCT2).chain(PUNCT1).find(|p| rest.starts_with(**p)) {
                        self.pos += p.len();
                        self.push(Tok::Punct(p), start);
                    } else if c == b'#' && interp.is_none() {
                        // a comment in another language's syntax (YAML, TOML, shell): report it
                        // once and skip the line, so its words do not become more errors
                        self.pos += 1;
                        self.error(start, self.pos, "E0003", "unexpected character `#`".into(),
                            Some("comments start with `//`; the rest of this line is skipped".into()));
                        self.push(Tok::Error, start);
                        self.pos = self.src[start..].find('\n').map(|i| start + i).unwrap_or(self.src.len());
                    } else {
                        let ch = rest.chars().next().unwrap();
                        self.pos += ch.len_utf8();
                        self.error(start, self.pos, "E0003", format!("unexpected character `{}`", ch.escape_debug()), None);
                        self.push(Tok::Error, start);
                    }
                }
            }
        }
        false
    }

    fn number(&mut self) {
        let start = self.pos;
        let digits_end = |lx: &mut Self| {
            while matches!(lx.peek(), Some(b'0'..=b'9' | b'_')) {
                lx.pos += 1;
            }
        };
        digits_end(self);
        // dotted quad?
        let save = self.pos;
        let mut dots = 0;
        while self.peek() == Some(b'.') && matches!(self.peek_at(1), Some(b'0'..=b'9')) {
            self.pos += 1;
            digits_end(self);
            dots += 1;
        }
        if dots == 3 {
            let text = self.src[start..self.pos].to_string();
            self.push(Tok::Address(text), start);
            return;
        }
        self.pos = save;
        if self.peek() == Some(b'.') && matches!(self.peek_at(1), Some(b'0'..=b'9')) {
            self.pos += 1;
            digits_end(self);
        }
        let digits = self.src[start..self.pos].replace('_', "");
        let ustart = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        let unit = self.src[ustart..self.pos].to_string();
        self.push(Tok::Number { digits, unit }, start);
    }

    /// Is a `${` interpolation starting at `from` (just after `${`) left unclosed on its line
    /// with a `"` inside it, as in `"a ${x"`? That quote is then the string's own end. Nested
    /// strings are skipped (`"${join(xs, "}")}"` closes); an interpolation that simply goes on
    /// to the next line is left alone.
    fn interp_swallows_quote(&self, from: usize) -> bool {
        let b = self.bytes;
        let (mut i, mut depth, mut in_str) = (from, 0usize, false);
        while i < b.len() && b[i] != b'\n' {
            match b[i] {
                b'\\' if in_str => i += 1,
                b'"' => in_str = !in_str,
                b'{' if !in_str => depth += 1,
                b'}' if !in_str => {
                    if depth == 0 {
                        return false;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            i += 1;
        }
        in_str
    }

    /// Report a double-quoted string that reaches the end of its line (or file) unclosed.
    /// When its text ends with closing brackets it does not open (`"12.2 }`), the string most
    /// likely ends before them: they are left to be lexed as punctuation, so the block they
    /// close still closes and one mistake makes one error.
    fn unterminated_string(&mut self, open: usize, text_start: usize, mut buf: String, hint: &str) {
        let raw = &self.src[text_start..self.pos];
        let cut = raw.trim_end_matches(|c: char| matches!(c, ' ' | '\t' | '\r' | '}' | ')' | ']' | ',' | ';')).len();
        let tail = &raw[cut..];
        let unbalanced = |o: char, c: char| tail.contains(c) && raw.matches(c).count() > raw.matches(o).count();
        let end = if cut > 0 && (unbalanced('{', '}') || unbalanced('(', ')') || unbalanced('[', ']')) && buf.ends_with(tail) {
            buf.truncate(buf.len() - tail.len());
            text_start + cut
        } else {
            self.pos
        };
        if !buf.is_empty() {
            self.out.tokens.push((Tok::StrText(buf), Span::new(text_start, end)));
        }
        self.error(open, end, "E0002", "unterminated string literal".into(), Some(hint.into()));
        self.pos = end;
        self.push(Tok::StrEnd, end);
    }

    /// Lex the body of a string/query literal after its opening quote.
    fn string(&mut self, q: Quote, open: usize) {
        let close = match q {
            Quote::Double => b'"',
            Quote::Backtick => b'`',
        };
        let mut buf = String::new();
        let mut text_start = self.pos;
        loop {
            let Some(c) = self.peek() else {
                if q == Quote::Double {
                    self.unterminated_string(open, text_start, buf, "close it with `\"`");
                    return;
                }
                if !buf.is_empty() {
                    self.out.tokens.push((Tok::StrText(std::mem::take(&mut buf)), Span::new(text_start, self.pos)));
                }
                self.error(open, self.pos, "E0002", "unterminated string literal".into(),
                    Some(format!("close it with `{}`", close as char)));
                self.push(Tok::StrEnd, self.pos);
                return;
            };
            if c == close {
                if !buf.is_empty() {
                    self.out.tokens.push((Tok::StrText(std::mem::take(&mut buf)), Span::new(text_start, self.pos)));
                }
                let s = self.pos;
                self.pos += 1;
                self.push(Tok::StrEnd, s);
                return;
            }
            if c == b'\n' && q == Quote::Double {
                self.unterminated_string(open, text_start, buf,
                    "strings end on the same line: close it with `\"` (a query literal `…` may span lines)");
                return;
            }
            if c == b'$' && self.peek_at(1) == Some(b'$') && self.peek_at(2) == Some(b'{') {
                // `$${` is a literal `${`
                buf.push_str("${");
                self.pos += 3;
                continue;
            }
            if c == b'$' && self.peek_at(1) == Some(b'{') {
                if let Some(len) = grafana_formatted_variable(&self.src[self.pos..]) {
                    // `${var:format}` is Grafana's (a variable with a format): no gstack
                    // expression has that shape, so it stays text for Grafana to expand
                    buf.push_str(&self.src[self.pos..self.pos + len]);
                    self.pos += len;
                    continue;
                }
                if !buf.is_empty() {
                    self.out.tokens.push((Tok::StrText(std::mem::take(&mut buf)), Span::new(text_start, self.pos)));
                }
                let s = self.pos;
                self.pos += 2;
                self.push(Tok::InterpStart, s);
                if self.nest >= MAX_INTERP_NESTING {
                    // give up on the rest of the file rather than recurse without end
                    self.error(s, self.src.len(), "E0001", format!("strings nest through `${{` deeper than {MAX_INTERP_NESTING} levels"), Some("name inner parts with `let` and use them by name".into()));
                    self.pos = self.src.len();
                    self.push(Tok::InterpEnd, self.pos);
                    self.push(Tok::StrEnd, self.pos);
                    return;
                }
                if q == Quote::Double && self.interp_swallows_quote(self.pos) {
                    // `"a ${x"`: lex up to the line's last `"` (the string's own end) as the
                    // interpolation and close both there, instead of running on to some later
                    // `}` and taking the rest of the file with it.
                    let eol = self.src[self.pos..].find('\n').map(|i| self.pos + i).unwrap_or(self.src.len());
                    let quote = self.src[self.pos..eol].rfind('"').map(|i| self.pos + i);
                    let end = quote.unwrap_or(eol);
                    let (full, bytes) = (self.src, self.bytes);
                    self.src = &full[..end];
                    self.bytes = &bytes[..end];
                    self.nest += 1;
                    self.run(None);
                    self.nest -= 1;
                    self.src = full;
                    self.bytes = bytes;
                    self.pos = end;
                    let shown_end = self.src[s..end].trim_end().len() + s;
                    self.error(s, shown_end, "E0002", "unterminated `${` interpolation".into(), Some("close it with `}`".into()));
                    self.push(Tok::InterpEnd, end);
                    if quote.is_none() {
                        self.push(Tok::StrEnd, end);
                        return;
                    }
                    text_start = self.pos;
                    continue;
                }
                self.nest += 1;
                let closed = self.run(Some(()));
                self.nest -= 1;
                if !closed {
                    self.error(s, self.pos, "E0002", "unterminated `${` interpolation".into(), Some("close it with `}`".into()));
                    self.push(Tok::InterpEnd, self.pos);
                    self.push(Tok::StrEnd, self.pos);
                    return;
                }
                text_start = self.pos;
                continue;
            }
            if c == b'\\' && q == Quote::Double {
                let s = self.pos;
                self.pos += 1;
                match self.peek() {
                    Some(b'n') => buf.push('\n'),
                    Some(b't') => buf.push('\t'),
                    Some(b'"') => buf.push('"'),
                    Some(b'\\') => buf.push('\\'),
                    Some(b'$') => buf.push('$'),
                    other => {
                        let shown = other.map(|b| (b as char).to_string()).unwrap_or_default();
                        self.error(s, (self.pos + 1).min(self.src.len()), "E0002", format!("unknown escape `\\{shown}`"),
                            Some("valid escapes: \\n \\t \\\" \\\\ \\$".into()));
                    }
                }
                if self.peek().is_some() {
                    let ch = self.src[self.pos..].chars().next().unwrap();
                    self.pos += ch.len_utf8();
                }
                continue;
            }
            let ch = self.src[self.pos..].chars().next().unwrap();
            buf.push(ch);
            self.pos += ch.len_utf8();
        }
    }
}

/// The length of a Grafana variable with a format at the start of `s`:
/// `${name:format}` or `${name:format:arg}` (`${job:regex}`, `${__from:date:iso}`), per
/// https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/#advanced-variable-format-options.
fn grafana_formatted_variable(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("${")?;
    let name_len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    if name_len == 0 || rest.as_bytes()[0].is_ascii_digit() || rest.as_bytes().get(name_len) != Some(&b':') {
        return None;
    }
    let fmt = &rest[name_len + 1..];
    let fmt_len = fmt.bytes().take_while(|b| b.is_ascii_alphanumeric() || b"_:-.".contains(b)).count();
    (fmt_len > 0 && fmt.as_bytes().get(fmt_len) == Some(&b'}')).then_some(2 + name_len + 1 + fmt_len + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).tokens.into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn units_and_addresses() {
        assert_eq!(
            toks("15s 512MiB 127.0.0.1 0.5"),
            vec![
                Tok::Number { digits: "15".into(), unit: "s".into() },
                Tok::Number { digits: "512".into(), unit: "MiB".into() },
                Tok::Address("127.0.0.1".into()),
                Tok::Number { digits: "0.5".into(), unit: "".into() },
            ]
        );
    }

    #[test]
    fn interpolation_is_flattened() {
        assert_eq!(
            toks(r#""a ${x} b""#),
            vec![
                Tok::StrStart,
                Tok::StrText("a ".into()),
                Tok::InterpStart,
                Tok::Ident("x".into()),
                Tok::InterpEnd,
                Tok::StrText(" b".into()),
                Tok::StrEnd
            ]
        );
    }

    #[test]
    fn query_literal_and_escape() {
        let t = toks("promql`up{job=\"a\"} $${x}`");
        assert_eq!(t[0], Tok::QueryStart("promql".into()));
        assert_eq!(t[1], Tok::StrText("up{job=\"a\"} ${x}".into()));
    }

    #[test]
    fn unterminated_string_is_an_error_not_a_panic() {
        let l = lex("x = \"abc\ny = 1");
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.errors[0].code, "E0002");
    }
}
