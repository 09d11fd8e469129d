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
use crate::ide::query_docs::scan::{is_word, literal_at, open_at, word_after, word_before};
use crate::ide::query_docs::{Doc, DocKind, Lang};
use crate::syntax::Span;

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
