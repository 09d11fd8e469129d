//! Hover inside a `promql`, `logql` or `traceql` literal: the function, aggregation, pipeline
//! stage or keyword under the cursor, from [`crate::ide::query_docs`].
//!
//! The literal is found from the file's tokens (its text segments, not the `${…}`
//! interpolations); the word's role from the query text around it, read leniently so it
//! holds while the query does not parse: nothing inside strings, a selector's or spanset's
//! `{…}` or a label list (`by (…)`, `on (…)`, …); a function only before `(` (an aggregation
//! also before `by`/`without`), a LogQL stage only after `|`, an `unwrap` conversion only
//! after `unwrap`.

use super::Hover;
use crate::ide::query_docs::{Doc, DocKind, Lang};
use crate::syntax::lexer::{self, Tok};
use crate::syntax::Span;

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

fn is_word(c: u8) -> bool {
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
fn word_after(q: &str, at: usize) -> &str {
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

/// The documented word at `o` of query text `q` in its role there, with its byte range.
pub(crate) fn doc_at(lang: Lang, q: &str, o: usize) -> Option<(&'static Doc, usize, usize)> {
    let b = q.as_bytes();
    let o = o.min(b.len());
    let mut start = o;
    while start > 0 && is_word(b[start - 1]) {
        start -= 1;
    }
    let mut end = o;
    while end < b.len() && is_word(b[end]) {
        end += 1;
    }
    if start == end || b[start].is_ascii_digit() || (start > 0 && b[start - 1] == b'$') {
        return None;
    }
    let open = open_at(q, start, lang);
    if open.in_string || open.braces > 0 || open.label_list {
        return None;
    }
    let word = &q[start..end];
    let rest = q[end..].trim_start();
    let next = rest.bytes().next();
    let prev = q[..start].trim_end().bytes().last();
    let grouped = || ["by", "without"].iter().any(|k| word_after(q, end).eq_ignore_ascii_case(k));
    let doc = lang.lookup(word).find(|d| match d.kind {
        DocKind::Function => next == Some(b'('),
        DocKind::Aggregation => next == Some(b'(') || grouped(),
        DocKind::Stage => prev == Some(b'|'),
        DocKind::Keyword if lang == Lang::Logql && ["duration", "duration_seconds", "bytes"].contains(&d.name) => {
            next == Some(b'(') && word_before(q, start).eq_ignore_ascii_case("unwrap")
        }
        DocKind::Keyword if d.name == "ip" => next == Some(b'('),
        // a label filter's label (`| on="x"`) or a metric called like a keyword is no keyword
        DocKind::Keyword => !matches!(next, Some(b'=' | b'!' | b'<' | b'>' | b'~' | b'{' | b'[')),
    })?;
    Some((doc, start, end))
}

/// Hover at byte `offset` of `text` when it is on a documented word of a query literal.
pub(super) fn hover(text: &str, offset: u32) -> Option<Hover> {
    let offset = (offset as usize).min(text.len());
    let (lang, start, end) = literal_at(text, offset)?;
    let q = text.get(start..end)?;
    let (doc, ws, we) = doc_at(lang, q, offset.checked_sub(start)?)?;
    Some(Hover { span: Span::new(start + ws, start + we), markdown: doc.markdown(lang) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_aggregation_and_stage_hovers_in_its_place() {
        for lang in [Lang::Promql, Lang::Logql, Lang::Traceql] {
            let tag = match lang {
                Lang::Promql => "promql",
                Lang::Logql => "logql",
                Lang::Traceql => "traceql",
            };
            for d in lang.docs().iter().filter(|d| d.kind != DocKind::Keyword) {
                let q = match d.kind {
                    DocKind::Stage => format!("{{a=\"b\"}} | {}", d.name),
                    _ if lang == Lang::Traceql => format!("{{ }} | {}()", d.name),
                    _ => format!("{}(x)", d.name),
                };
                let text = format!("let q = {tag}`{q}`");
                let at = text.find(d.name).unwrap() + d.name.len() / 2;
                let at = if d.kind == DocKind::Stage { text.rfind(d.name).unwrap() + 1 } else { at };
                let h = hover(&text, at as u32).unwrap_or_else(|| panic!("{tag} {}: no hover in {text}", d.name));
                assert_eq!(&text[h.span.range()], d.name, "{tag}");
                assert!(h.markdown.contains(d.sig) && h.markdown.contains(d.url), "{tag} {}: {}", d.name, h.markdown);
            }
        }
    }
}
