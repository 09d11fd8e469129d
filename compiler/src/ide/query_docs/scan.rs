//! Reading query text leniently, for hover and completion inside query literals: where a
//! literal's text is among a file's tokens, and what is open (a string, `{…}`, a label list)
//! at a byte of it, so that both hold while the query does not parse.

use super::Lang;
use crate::syntax::lexer::{self, Tok};

/// The query literal around byte `offset` of `text`, if `offset` is in its query text (not in
/// an interpolation): its language and the byte range of its text.
pub(crate) fn literal_at(text: &str, offset: usize) -> Option<(Lang, usize, usize)> {
    let lexed = lexer::lex(text);
    let toks = &lexed.tokens;
    // the open literals: (language tag, token index of the opening)
    let mut stack: Vec<(Option<&str>, usize)> = vec![];
    for (i, (t, s)) in toks.iter().enumerate() {
        match t {
            Tok::QueryStart(l) => stack.push((Some(l.as_str()), i)),
            Tok::StrStart | Tok::InterpStart => stack.push((None, i)),
            Tok::InterpEnd | Tok::StrEnd => {
                stack.pop();
            }
            Tok::StrText(_) if (s.start as usize) <= offset && offset <= s.end as usize => {
                let (Some(tag), open) = *stack.last()? else { return None };
                let lang = Lang::from_tag(tag)?;
                let start = toks[open].1.end as usize;
                // the end: the literal's closing backtick, or the end of the text
                let mut depth = 0usize;
                let mut end = text.len();
                for (t, s) in &toks[open + 1..] {
                    match t {
                        Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart => depth += 1,
                        Tok::InterpEnd | Tok::StrEnd if depth > 0 => depth -= 1,
                        Tok::StrEnd => {
                            end = s.start as usize;
                            break;
                        }
                        _ => {}
                    }
                }
                return (start <= end && end <= text.len()).then_some((lang, start, end));
            }
            _ => {}
        }
    }
    None
}

/// Every query literal of `text` in a language with documented words: its language and the
/// byte range of its text (up to its closing backtick, or the end of the text).
pub(crate) fn literals(text: &str) -> Vec<(Lang, usize, usize)> {
    let toks = lexer::lex(text).tokens;
    let mut out = vec![];
    for (i, (t, s)) in toks.iter().enumerate() {
        let Tok::QueryStart(tag) = t else { continue };
        let Some(lang) = Lang::from_tag(tag) else { continue };
        let start = s.end as usize;
        let mut depth = 0usize;
        let end = toks[i + 1..]
            .iter()
            .find_map(|(t, s)| match t {
                Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart => {
                    depth += 1;
                    None
                }
                Tok::InterpEnd | Tok::StrEnd if depth > 0 => {
                    depth -= 1;
                    None
                }
                Tok::StrEnd => Some(s.start as usize),
                _ => None,
            })
            .unwrap_or(text.len());
        if start <= end {
            out.push((lang, start, end));
        }
    }
    out
}

/// What is open at byte `at` of query text `q`: inside a string, the `{…}` depth, and whether
/// the innermost `(` is a label list (after `by`, `without`, `on`, `ignoring`, `group_left`,
/// `group_right`).
pub(crate) struct Open {
    pub in_string: bool,
    pub braces: usize,
    pub label_list: bool,
}

pub(crate) fn open_at(q: &str, at: usize, lang: Lang) -> Open {
    let b = q.as_bytes();
    let at = at.min(b.len());
    let mut quote: Option<u8> = None;
    let mut braces = 0usize;
    let mut parens: Vec<bool> = vec![];
    let mut i = 0;
    while i < at {
        let c = b[i];
        if let Some(qc) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == qc {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => quote = Some(c),
            b'\'' if lang == Lang::Promql => quote = Some(c),
            b'$' if b.get(i + 1) == Some(&b'{') => {
                // a Grafana variable `${name}`: not a brace of the query
                while i < at && b[i] != b'}' {
                    i += 1;
                }
            }
            b'{' => braces += 1,
            b'}' => braces = braces.saturating_sub(1),
            b'(' => {
                let w = word_before(q, i);
                parens.push(["by", "without", "on", "ignoring", "group_left", "group_right"].iter().any(|k| w.eq_ignore_ascii_case(k)));
            }
            b')' => {
                parens.pop();
            }
            _ => {}
        }
        i += 1;
    }
    Open { in_string: quote.is_some(), braces, label_list: parens.last() == Some(&true) }
}

pub(crate) fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The word ending (spaces aside) right before byte `at` of `q`.
pub(crate) fn word_before(q: &str, at: usize) -> &str {
    let b = q.as_bytes();
    let mut end = at.min(b.len());
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_word(b[start - 1]) {
        start -= 1;
    }
    &q[start..end]
}

/// The word starting (spaces aside) at byte `at` of `q`.
pub(crate) fn word_after(q: &str, at: usize) -> &str {
    let b = q.as_bytes();
    let mut start = at.min(b.len());
    while start < b.len() && b[start].is_ascii_whitespace() {
        start += 1;
    }
    let mut end = start;
    while end < b.len() && is_word(b[end]) {
        end += 1;
    }
    &q[start..end]
}
