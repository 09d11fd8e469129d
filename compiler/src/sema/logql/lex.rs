//! The LogQL lexer, after Loki's `pkg/logql/syntax/lex.go`: tokens with byte offsets,
//! strings with Go's escapes (and raw backtick strings), numbers followed by a duration
//! (Prometheus's or Go's units) or byte-size suffix (humanize's), `[range]` read whole as a
//! Prometheus duration, `#` comments, `logfmt`'s `--flags`.

use super::*;
use crate::diag::did_you_mean;
use crate::sema::query::prometheus_duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum T {
    Ident,
    Str,
    Num,
    Dur,
    Bytes,
    /// `[5m]`; its text is the duration inside.
    Range,
    /// `--strict`, `--keep-empty`
    Flag,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Eq,
    Neq,
    Re,
    Nre,
    /// `!>`
    Npa,
    PipeExact,
    PipeMatch,
    PipePattern,
    Pipe,
    CmpEq,
    Gt,
    Gte,
    Lt,
    Lte,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eof,
}

#[derive(Clone, Debug)]
pub(super) struct Tok {
    pub(super) t: T,
    pub(super) start: usize,
    pub(super) end: usize,
    /// A string's value (escapes decoded), a range's duration, else the token's text.
    pub(super) s: String,
}

pub(super) fn err(offset: usize, len: usize, message: impl Into<String>, hint: Option<String>) -> LogqlError {
    LogqlError { offset, len, message: message.into(), hint }
}

/// A Go `time.ParseDuration` duration: `[-+]?(number unit)+` with units ns us µs ms s m h.
pub(super) fn go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let n = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let num = &rest[..n];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[n..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"].iter().filter(|u| rest.starts_with(**u)).max_by_key(|u| u.len());
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// A duration as Loki's lexer reads one outside a range: Prometheus's, else Go's.
pub(super) fn loki_duration(s: &str) -> bool {
    prometheus_duration(s.strip_prefix('-').unwrap_or(s)) || go_duration(s)
}

/// A byte size as `humanize.ParseBytes` reads one: a number and a unit like `B`, `KB`, `MiB`.
pub(super) fn bytes_size(s: &str) -> bool {
    let n = s.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    if n == 0 || s[..n].matches('.').count() > 1 {
        return false;
    }
    let unit = s[n..].to_ascii_lowercase();
    ["b", "k", "kb", "ki", "kib", "m", "mb", "mi", "mib", "g", "gb", "gi", "gib", "t", "tb", "ti", "tib", "p", "pb", "pi", "pib"].contains(&unit.as_str())
}

pub(super) fn is_duration_char(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || matches!(c, 'n' | 'u' | 'µ' | 'm' | 's' | 'h' | 'd' | 'w' | 'y')
}

pub(super) fn is_bytes_char(c: char) -> bool {
    c.is_ascii_digit() || c == '.' || matches!(c, 'B' | 'i' | 'k' | 'K' | 'M' | 'G' | 'T' | 'P')
}

/// The run of characters from `i` that satisfy `f`: its end.
pub(super) fn run(text: &str, i: usize, f: fn(char) -> bool) -> usize {
    let mut e = i;
    for c in text[i..].chars() {
        if !f(c) {
            break;
        }
        e += c.len_utf8();
    }
    e
}

/// A `"…"` string at `i` (Go escapes) or a `` `…` `` raw string: (value, end).
pub(super) fn lex_string(text: &str, i: usize) -> Result<(String, usize), LogqlError> {
    let b = text.as_bytes();
    let q = b[i];
    let mut out = String::new();
    let mut j = i + 1;
    let unterminated = |raw: bool| {
        let hint = if raw {
            "close the string with a backtick".to_string()
        } else {
            "close the string with `\"`; a `\"` inside a string is written `\\\"`, or put the text in backticks".to_string()
        };
        err(i, 1, format!("unterminated string: the `{}` here is not closed", q as char), Some(hint))
    };
    if q == b'`' {
        return match text[j..].find('`') {
            Some(e) => Ok((text[j..j + e].to_string(), j + e + 1)),
            None => Err(unterminated(true)),
        };
    }
    loop {
        let Some(c) = text[j..].chars().next() else { return Err(unterminated(false)) };
        match c {
            '"' => return Ok((out, j + 1)),
            '\n' => {
                return Err(err(i, 1, "unterminated string: a `\"…\"` string ends at the end of its line", Some("close it before the line ends, or use backticks for text over several lines".into())))
            }
            '\\' => {
                let Some(e) = text[j + 1..].chars().next() else { return Err(unterminated(false)) };
                let simple = match e {
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    'v' => Some('\u{b}'),
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    _ => None,
                };
                if let Some(s) = simple {
                    out.push(s);
                    j += 2;
                    continue;
                }
                let (digits, radix) = match e {
                    '0'..='7' => (3, 8),
                    'x' => (2, 16),
                    'u' => (4, 16),
                    'U' => (8, 16),
                    _ => (0, 0),
                };
                let start = if radix == 8 { j + 1 } else { j + 2 };
                let hex = text.get(start..start + digits).filter(|h| radix != 0 && h.chars().all(|c| c.is_digit(radix)));
                let value = hex.and_then(|h| u32::from_str_radix(h, radix).ok());
                let ch = match (radix, value) {
                    (0, _) => None,
                    (8, Some(v)) if v <= 255 => Some(char::from(v as u8)),
                    (16, Some(v)) if digits == 2 => Some(char::from(v as u8)),
                    (16, Some(v)) => char::from_u32(v),
                    _ => None,
                };
                match ch {
                    Some(c) => {
                        out.push(c);
                        j = start + digits;
                    }
                    None => {
                        let shown: String = text[j..].chars().take(if radix == 0 { 2 } else { 2 + digits }).collect();
                        let hint = if radix == 0 {
                            format!(
                                "a backslash in a `\"…\"` string starts an escape (Go's: \\n \\t \\\\ \\\" …); for a regex write `\\{e}` as `\\\\{e}` (a backtick would end the `logql` literal)"
                            )
                        } else {
                            "Go's escapes: \\NNN (octal, at most \\377), \\xHH, \\uHHHH, \\UHHHHHHHH".to_string()
                        };
                        let what = if radix == 0 { "unknown escape" } else { "invalid escape" };
                        return Err(err(j, shown.len(), format!("{what} `{shown}` in a string"), Some(hint)));
                    }
                }
            }
            c => {
                out.push(c);
                j += c.len_utf8();
            }
        }
    }
}

pub(super) fn lex(text: &str) -> Result<Vec<Tok>, LogqlError> {
    let b = text.as_bytes();
    let mut toks: Vec<Tok> = vec![];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'#' {
            i = text[i..].find('\n').map_or(b.len(), |e| i + e);
            continue;
        }
        let start = i;
        let two = text.get(i..i + 2).unwrap_or("");
        let mut push = |t: T, end: usize, s: String| toks.push(Tok { t, start, end, s });
        let op2 = match two {
            "!=" => Some(T::Neq),
            "=~" => Some(T::Re),
            "!~" => Some(T::Nre),
            "!>" => Some(T::Npa),
            "|=" => Some(T::PipeExact),
            "|~" => Some(T::PipeMatch),
            "|>" => Some(T::PipePattern),
            "==" => Some(T::CmpEq),
            ">=" => Some(T::Gte),
            "<=" => Some(T::Lte),
            _ => None,
        };
        if let Some(t) = op2 {
            push(t, i + 2, two.to_string());
            i += 2;
            continue;
        }
        let op1 = match c {
            b'{' => Some(T::LBrace),
            b'}' => Some(T::RBrace),
            b'(' => Some(T::LParen),
            b')' => Some(T::RParen),
            b',' => Some(T::Comma),
            b'=' => Some(T::Eq),
            b'|' => Some(T::Pipe),
            b'>' => Some(T::Gt),
            b'<' => Some(T::Lt),
            b'+' => Some(T::Add),
            b'*' => Some(T::Mul),
            b'/' => Some(T::Div),
            b'%' => Some(T::Mod),
            b'^' => Some(T::Pow),
            _ => None,
        };
        if let Some(t) = op1 {
            push(t, i + 1, (c as char).to_string());
            i += 1;
            continue;
        }
        match c {
            b'"' | b'`' => {
                let (s, end) = lex_string(text, i)?;
                push(T::Str, end, s);
                i = end;
            }
            b'\'' => {
                return Err(err(i, 1, "`'` does not start a string in LogQL", Some("write strings in double quotes `\"…\"` or backticks `` `…` ``".into())));
            }
            b'[' => {
                let Some(e) = text[i + 1..].find(']') else {
                    return Err(err(i, 1, "unclosed `[`: a range is a duration in brackets, like `[5m]`", Some("close the range with `]`".into())));
                };
                let inner = &text[i + 1..i + 1 + e];
                if !prometheus_duration(inner) {
                    let hint = if inner.contains(':') {
                        "LogQL has no subqueries: a range is one duration, like `[5m]`".to_string()
                    } else if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
                        format!("a range needs a unit: `[{inner}s]` or `[{inner}m]`")
                    } else if inner.trim() != inner {
                        format!("no spaces inside the brackets: `[{}]`", inner.trim())
                    } else {
                        "a range is a Prometheus duration: units ms, s, m, h, d, w, y, largest first, like `[5m]` or `[1h30m]`".to_string()
                    };
                    return Err(err(i, e + 2, format!("range `[{inner}]` is not a duration"), Some(hint)));
                }
                push(T::Range, i + e + 2, inner.to_string());
                i += e + 2;
            }
            b'-' if two == "--" => {
                let end = run(text, i + 2, |c| c.is_alphabetic() || c == '-');
                let flag = &text[i..end];
                if flag == "--strict" || flag == "--keep-empty" {
                    push(T::Flag, end, flag.to_string());
                    i = end;
                } else {
                    let hint = did_you_mean(flag, ["--strict", "--keep-empty"]).unwrap_or_else(|| "`logfmt` takes the flags `--strict` and `--keep-empty`".into());
                    return Err(err(i, end - i, format!("unknown parser flag `{flag}`"), Some(hint)));
                }
            }
            b'-' => {
                let end = run(text, i + 1, is_duration_char);
                if end > i + 1 && b[i + 1].is_ascii_digit() && loki_duration(&text[i..end]) {
                    push(T::Dur, end, text[i..end].to_string());
                    i = end;
                } else {
                    push(T::Sub, i + 1, "-".into());
                    i += 1;
                }
            }
            b'0'..=b'9' | b'.' if c != b'.' || b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                // a number as Go's text/scanner reads one, then a duration or byte-size suffix
                let mut e = i;
                if two == "0x" || two == "0X" {
                    e = run(text, i + 2, |c| c.is_ascii_hexdigit());
                } else {
                    e = run(text, e, |c| c.is_ascii_digit());
                    if b.get(e) == Some(&b'.') {
                        e = run(text, e + 1, |c| c.is_ascii_digit());
                    }
                    if matches!(b.get(e), Some(b'e' | b'E')) {
                        let mut k = e + 1;
                        if matches!(b.get(k), Some(b'+' | b'-')) {
                            k += 1;
                        }
                        if b.get(k).is_some_and(u8::is_ascii_digit) {
                            e = run(text, k, |c| c.is_ascii_digit());
                        }
                    }
                }
                let d = run(text, e, is_duration_char);
                let by = run(text, e, is_bytes_char);
                if d > e && loki_duration(&text[i..d]) {
                    push(T::Dur, d, text[i..d].to_string());
                    i = d;
                } else if by > e && bytes_size(&text[i..by]) {
                    push(T::Bytes, by, text[i..by].to_string());
                    i = by;
                } else {
                    push(T::Num, e, text[i..e].to_string());
                    i = e;
                }
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let end = run(text, i, |c| c.is_ascii_alphanumeric() || c == '_');
                push(T::Ident, end, text[i..end].to_string());
                i = end;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                let hint = match ch {
                    '!' => Some("`!` goes with `=`, `~` or `>`: `!=`, `!~`, `!>`".to_string()),
                    '$' => Some("a Grafana variable here must be one gstack knows how to substitute: `$name`, `${name}`, `$__interval`".to_string()),
                    _ => None,
                };
                return Err(err(i, ch.len_utf8(), format!("unexpected character `{ch}`"), hint));
            }
        }
    }
    toks.push(Tok { t: T::Eof, start: text.len(), end: text.len(), s: String::new() });
    Ok(toks)
}
