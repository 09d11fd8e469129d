//! The TraceQL lexer (Tempo 2.9 `pkg/traceql/lexer.go`): tokens, keywords, scopes, attribute
//! names, strings, numbers and durations, with byte positions.

use super::*;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    /// operators and structural operators, as written
    Op(&'static str),
    Str(String),
    Int(i64),
    Float(f64),
    Duration(String),
    Ident(String),
    /// scope (`""` for a leading `.`) and name
    Attr(String, String),
    /// `span:duration`, …
    Scoped(String),
    Eof,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Operators, longest first (lexer.go `tokens`).
pub(super) const OPS: &[&str] = &[
    "!>>", "!<<", "&>>", "&<<", "!=", "=~", "!~", ">=", "<=", "&&", "||", ">>", "<<", "!>", "!<", "&~", "&>", "&<",
    "=", ">", "<", "+", "-", "/", "%", "*", "^", "!", "|", "~",
];

pub(super) fn err(offset: usize, len: usize, message: impl Into<String>, hint: Option<String>) -> TraceqlError {
    TraceqlError { offset, len: len.max(1), message: message.into(), hint }
}

/// `lexer.go` `isAttributeRune`: what an attribute name may contain.
pub(super) fn attribute_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '{' | '}' | '(' | ')' | '=' | '~' | '!' | '<' | '>' | '&' | '|' | '^' | ',')
}

pub(super) fn ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(super) fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A Prometheus or Go duration: `1h30m`, `2s`, `1.5ms`, `100µs` (units ns us µs ms s m h d w y).
pub fn duration_ok(s: &str) -> bool {
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let n = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        if n == 0 || rest[..n].matches('.').count() > 1 || rest[..n].starts_with('.') || rest[..n].ends_with('.') {
            return false;
        }
        rest = &rest[n..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h", "d", "w", "y"].iter().filter(|u| rest.starts_with(**u)).max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

pub(super) fn lex(text: &str) -> Result<Vec<Token>, TraceqlError> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    let ch = |i: usize| text[i..].chars().next();
    while i < b.len() {
        let c = ch(i).unwrap();
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let push = |out: &mut Vec<Token>, tok, end| out.push(Token { tok, start, end });
        match c {
            '{' => push(&mut out, Tok::LBrace, i + 1),
            '}' => push(&mut out, Tok::RBrace, i + 1),
            '(' => push(&mut out, Tok::LParen, i + 1),
            ')' => push(&mut out, Tok::RParen, i + 1),
            ',' => push(&mut out, Tok::Comma, i + 1),
            '"' | '`' => {
                let (s, end) = lex_string(text, i)?;
                push(&mut out, Tok::Str(s), end);
                i = end;
                continue;
            }
            '\'' => {
                return Err(err(i, 1, "TraceQL strings are quoted with `\"` or `` ` ``, not `'`", Some("write `\"…\"`".into())));
            }
            // comments, as Go's text/scanner (Tempo's lexer) skips them
            '/' if b.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(b.len(), |e| i + e);
                continue;
            }
            '/' if b.get(i + 1) == Some(&b'*') => {
                match text[i + 2..].find("*/") {
                    Some(e) => i = i + 2 + e + 2,
                    None => return Err(err(i, 2, "unterminated comment", Some("close it with `*/`".into()))),
                }
                continue;
            }
            '.' if b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                let end = lex_number(text, i, &mut out)?;
                i = end;
                continue;
            }
            '.' => {
                let (name, end) = lex_attribute_name(text, i + 1)?;
                if name.is_empty() {
                    return Err(err(i, 1, "`.` must be followed by an attribute name", Some("write `.name`, e.g. `.http.method`".into())));
                }
                push(&mut out, Tok::Attr(String::new(), name), end);
                i = end;
                continue;
            }
            '0'..='9' => {
                let end = lex_number(text, i, &mut out)?;
                i = end;
                continue;
            }
            c if ident_start(c) => {
                let mut j = i;
                while let Some(d) = ch(j).filter(|d| ident_char(*d)) {
                    j += d.len_utf8();
                }
                let word = &text[i..j];
                match b.get(j) {
                    Some(b'.') if SCOPES.contains(&word) => {
                        let mut scope = word.to_string();
                        let mut k = j + 1;
                        if word == "parent" {
                            for inner in ["span.", "resource."] {
                                if text[k..].starts_with(inner) {
                                    scope = format!("parent.{}", &inner[..inner.len() - 1]);
                                    k += inner.len();
                                    break;
                                }
                            }
                        }
                        let (name, end) = lex_attribute_name(text, k)?;
                        if name.is_empty() {
                            return Err(err(i, k - i, format!("`{word}.` must be followed by an attribute name"), Some(format!("write `{word}.name`"))));
                        }
                        push(&mut out, Tok::Attr(scope, name), end);
                        i = end;
                        continue;
                    }
                    Some(b'.') => {
                        // `resorce.x`, `foo.bar`: not a scope
                        let hint = did_you_mean(word, SCOPES.iter().copied())
                            .map(|h| h.replace("`?", ".…`?"))
                            .unwrap_or_else(|| format!("attribute scopes are {}; or write `.{word}.…` for any scope", scope_list()));
                        return Err(err(i, j - i + 1, format!("unknown attribute scope `{word}.`"), Some(hint)));
                    }
                    Some(b':') if ["trace", "span", "event", "link", "instrumentation"].contains(&word) => {
                        let mut k = j + 1;
                        while let Some(d) = ch(k).filter(|d| ident_char(*d)) {
                            k += d.len_utf8();
                        }
                        let full = &text[i..k];
                        if !SCOPED_INTRINSICS.contains(&full) {
                            let hint = did_you_mean(full, SCOPED_INTRINSICS.iter().copied()).or_else(|| {
                                let of: Vec<&str> = SCOPED_INTRINSICS.iter().copied().filter(|s| s.starts_with(&text[i..=j])).collect();
                                Some(format!("the `{word}:` intrinsics are {}", of.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")))
                            });
                            return Err(err(i, k - i, format!("unknown intrinsic `{full}`"), hint));
                        }
                        push(&mut out, Tok::Scoped(full.to_string()), k);
                        i = k;
                        continue;
                    }
                    Some(b':') => {
                        let hint = did_you_mean(word, ["trace", "span", "event", "link", "instrumentation"]).map(|h| h.replace("`?", ":…`?"));
                        return Err(err(i, j - i + 1, format!("unknown intrinsic scope `{word}:`"), hint));
                    }
                    _ => {}
                }
                push(&mut out, Tok::Ident(word.to_string()), j);
                i = j;
                continue;
            }
            '=' if b.get(i + 1) == Some(&b'=') => {
                return Err(err(i, 2, "TraceQL compares with `=`, not `==`", Some("write `=`: e.g. `{ .http.method = \"GET\" }`".into())));
            }
            '$' => {
                return Err(err(i, 1, "unexpected `$`", Some("Grafana variables are `$name`, `${name}` or `$__range`".into())));
            }
            _ => {
                if let Some(op) = OPS.iter().find(|o| text[i..].starts_with(**o)) {
                    push(&mut out, Tok::Op(op), i + op.len());
                    i += op.len();
                    continue;
                }
                return Err(err(i, c.len_utf8(), format!("unexpected character `{c}`"), None));
            }
        }
        i += 1;
    }
    out.push(Token { tok: Tok::Eof, start: text.len(), end: text.len() });
    Ok(out)
}

pub(super) fn scope_list() -> String {
    SCOPES.iter().map(|s| format!("`{s}.`")).collect::<Vec<_>>().join(", ")
}

/// A `"…"` (escapes `\"`, `\\`, `\n`, …) or `` `…` `` string at `i`: its value and end.
pub(super) fn lex_string(text: &str, i: usize) -> Result<(String, usize), TraceqlError> {
    let b = text.as_bytes();
    let q = b[i];
    let mut j = i + 1;
    let mut s = String::new();
    while j < b.len() {
        let c = text[j..].chars().next().unwrap();
        if c as u32 == q as u32 {
            return Ok((s, j + 1));
        }
        if c == '\n' && q == b'"' {
            break;
        }
        if c == '\\' && q == b'"' {
            let Some(e) = text[j + 1..].chars().next() else { break };
            if !matches!(e, '"' | '\\' | 'n' | 't' | 'r' | 'a' | 'b' | 'f' | 'v' | '\'' | 'x' | 'u' | 'U' | '0'..='7') {
                return Err(err(j, 1 + e.len_utf8(), format!("unknown escape `\\{e}` in a string"), Some("in a `\"…\"` string a backslash is written `\\\\` (or use a `` `…` `` string)".into())));
            }
            s.push(e);
            j += 1 + e.len_utf8();
            continue;
        }
        s.push(c);
        j += c.len_utf8();
    }
    let q = q as char;
    Err(err(i, 1, "unterminated string", Some(format!("close the string with `{q}`"))))
}

/// An attribute name from `i` (`lexer.go` `parseAttribute`: attribute runes, quoted parts).
pub(super) fn lex_attribute_name(text: &str, mut i: usize) -> Result<(String, usize), TraceqlError> {
    let mut name = String::new();
    while let Some(c) = text[i..].chars().next() {
        if c == '"' {
            let (s, end) = lex_string(text, i).map_err(|mut e| {
                e.message = "unterminated quoted attribute name".into();
                e
            })?;
            name.push_str(&s);
            i = end;
        } else if attribute_char(c) {
            name.push(c);
            i += c.len_utf8();
        } else {
            break;
        }
    }
    Ok((name, i))
}

/// A number (int, float, duration) at `i`; pushes its token and returns its end.
pub(super) fn lex_number(text: &str, i: usize, out: &mut Vec<Token>) -> Result<usize, TraceqlError> {
    let b = text.as_bytes();
    let mut j = i;
    if text[i..].starts_with("0x") || text[i..].starts_with("0X") {
        j += 2;
        while j < b.len() && b[j].is_ascii_hexdigit() {
            j += 1;
        }
        let v = i64::from_str_radix(&text[i + 2..j], 16).map_err(|_| err(i, j - i, format!("`{}` is not a number", &text[i..j]), None))?;
        out.push(Token { tok: Tok::Int(v), start: i, end: j });
        return Ok(j);
    }
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    let mut float = false;
    if j < b.len() && b[j] == b'.' && b.get(j + 1).is_some_and(|d| d.is_ascii_digit()) {
        float = true;
        j += 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
    }
    if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
        let mut k = j + 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        if k < b.len() && b[k].is_ascii_digit() {
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            float = true;
            j = k;
        }
    }
    // a duration: the number and the run of digits, `.` and unit letters that follows
    let mut k = j;
    while let Some(c) = text[k..].chars().next().filter(|c| c.is_ascii_digit() || *c == '.' || "nsumhµdwy".contains(*c)) {
        k += c.len_utf8();
    }
    if k > j && duration_ok(&text[i..k]) {
        // a unit letter glued to more letters (`2sec`) is a misspelled unit, not a duration
        if !text[k..].chars().next().is_some_and(ident_char) {
            out.push(Token { tok: Tok::Duration(text[i..k].to_string()), start: i, end: k });
            return Ok(k);
        }
    }
    let mut w = j;
    while let Some(c) = text[w..].chars().next().filter(|c| ident_char(*c) || *c == 'µ') {
        w += c.len_utf8();
    }
    if w > j {
        return Err(err(i, w - i, format!("`{}` is not a number or a duration", &text[i..w]), Some("durations are written like `100ms`, `2s`, `1m30s`: units ns, us, ms, s, m, h, d, w, y".into())));
    }
    let s = &text[i..j];
    let tok = if float {
        Tok::Float(s.parse().map_err(|_| err(i, j - i, format!("`{s}` is not a number"), None))?)
    } else {
        Tok::Int(s.parse().map_err(|_| err(i, j - i, format!("`{s}` is out of range"), None))?)
    };
    out.push(Token { tok, start: i, end: j });
    Ok(j)
}
