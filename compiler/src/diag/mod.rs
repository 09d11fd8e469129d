//! The one diagnostic model of gstack, after Gleam's: a stable code, a message, a primary
//! labelled span, optional extra labels (possibly in other files) and a hint.
//!
//! Rendered for terminals with ariadne ([`render`]) and for tools as JSON ([`to_json`]).
//! Every code has a row in [`codes::CODES`] (title, explanation, example), which
//! `docs/language.md` and `gstackc explain CODE` are made from.

pub mod codes;
pub mod explain;

use crate::syntax::Span;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is. Errors fail `gstackc check`; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A span in a named file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub span: Span,
}

/// An extra label: a location and what to say there.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One problem found in the source.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Diagnostic {
    /// Stable code `E0xxx` (errors) or `W0xxx` (warnings).
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is. `None` only for problems with no source (a missing root file).
    pub location: Option<Location>,
    /// Text under the primary span; defaults to the message.
    pub label: Option<String>,
    pub related: Vec<Related>,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A new diagnostic at `span` of `file`: a warning if `code` starts with `W`, else an
    /// error. In debug builds, panics if `code` has no row in [`codes::CODES`].
    pub fn error(code: &'static str, file: &Path, span: Span, message: impl Into<String>) -> Diagnostic {
        debug_assert_known(code);
        Diagnostic {
            code,
            severity: if code.starts_with('W') { Severity::Warning } else { Severity::Error },
            message: message.into(),
            location: Some(Location { file: file.to_path_buf(), span }),
            label: None,
            related: vec![],
            hint: None,
        }
    }
    /// An error with no source location. In debug builds, panics if `code` has no row in
    /// [`codes::CODES`].
    pub fn global(code: &'static str, message: impl Into<String>) -> Diagnostic {
        debug_assert_known(code);
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            location: None,
            label: None,
            related: vec![],
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub fn with_related(mut self, file: &Path, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related { location: Location { file: file.to_path_buf(), span }, message: message.into() });
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Every code must have a row in the table, so that a new code without one fails every test
/// that reaches it.
fn debug_assert_known(code: &str) {
    debug_assert!(codes::lookup(code).is_some(), "diagnostic code {code} has no row in compiler/src/diag/codes.rs");
}

/// Render diagnostics for a terminal. `source` returns a file's text.
pub fn render(diags: &[Diagnostic], source: &dyn Fn(&Path) -> Option<String>, color: bool) -> String {
    use ariadne::{Config, Label, Report, ReportKind};
    let mut out = Vec::new();
    for d in diags {
        let kind = match d.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let Some(loc) = &d.location else {
            let mut s = format!("{}[{}]: {}\n", if d.is_error() { "error" } else { "warning" }, d.code, d.message);
            if let Some(h) = &d.hint {
                s.push_str(&format!("  help: {h}\n"));
            }
            out.extend_from_slice(s.as_bytes());
            continue;
        };
        let name = |p: &Path| p.display().to_string();
        let mut cache: Vec<(String, String)> = Vec::new();
        let mut add = |p: &Path| {
            let n = name(p);
            if !cache.iter().any(|(k, _)| *k == n) {
                cache.push((n, source(p).unwrap_or_default()));
            }
        };
        add(&loc.file);
        for r in &d.related {
            add(&r.location.file);
        }
        let clamp = |p: &Path, s: Span| {
            // inside the text and on character boundaries (a span may split a character:
            // it then covers the whole character)
            let text = source(p).unwrap_or_default();
            let st = floor_char_boundary(&text, s.start as usize);
            let en = ceil_char_boundary(&text, s.end as usize).max(st);
            // ariadne counts chars; convert byte offsets
            let cs = text[..st].chars().count();
            let ce = cs + text[st..en].chars().count();
            cs..ce
        };
        let primary = (name(&loc.file), clamp(&loc.file, loc.span));
        let mut report = Report::build(kind, primary.clone())
            .with_config(Config::default().with_color(color))
            .with_code(d.code)
            .with_message(&d.message);
        // ariadne draws labels of one file as one snippet only when they come in source order
        // (otherwise it opens a second snippet headed by the primary position): sort them.
        let mut labels = vec![(primary, d.label.clone().unwrap_or_else(|| d.message.clone()))];
        for r in &d.related {
            labels.push(((name(&r.location.file), clamp(&r.location.file, r.location.span)), r.message.clone()));
        }
        let first_file = labels[0].0 .0.clone();
        labels.sort_by_key(|((f, s), _)| (*f != first_file, f.clone(), s.start, s.end));
        for (span, msg) in labels {
            report = report.with_label(Label::new(span).with_message(msg));
        }
        if let Some(h) = &d.hint {
            report = report.with_help(h);
        }
        let _ = report.finish().write(ariadne::sources(cache), &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The JSON form (`--message-format json`): one object per diagnostic with 1-based
/// line/column positions added next to byte spans.
pub fn to_json(diags: &[Diagnostic], source: &dyn Fn(&Path) -> Option<String>) -> serde_json::Value {
    let pos = |p: &Path, off: u32| -> serde_json::Value {
        let text = source(p).unwrap_or_default();
        let before = &text[..floor_char_boundary(&text, off as usize)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
        serde_json::json!({ "line": line, "column": col })
    };
    let loc = |l: &Location| {
        serde_json::json!({
            "file": l.file.display().to_string(),
            "span": { "start": l.span.start, "end": l.span.end },
            "start": pos(&l.file, l.span.start),
            "end": pos(&l.file, l.span.end),
        })
    };
    serde_json::Value::Array(
        diags
            .iter()
            .map(|d| {
                serde_json::json!({
                    "code": d.code,
                    "severity": d.severity,
                    "message": d.message,
                    "location": d.location.as_ref().map(loc),
                    "label": d.label,
                    "hint": d.hint,
                    "related": d.related.iter().map(|r| serde_json::json!({"location": loc(&r.location), "message": r.message})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The largest character boundary of `text` at or before `i` (its length when `i` is past it).
fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest character boundary of `text` at or after `i` (its length when `i` is past it).
fn ceil_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// "did you mean `x`?" by edit distance, for unknown names.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = levenshtein(&word.to_lowercase(), &c.to_lowercase());
        let limit = (word.len().max(c.len()) / 3).max(1);
        if d <= limit && best.map_or(true, |(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Edit distance where swapping two neighbouring characters counts as one edit (optimal
/// string alignment), so `rde` is one edit from `red` and `reqsp` one from `reqps`.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = (a[i - 1] != b[j - 1]) as usize;
            d[i][j] = (d[i - 1][j - 1] + cost).min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A span may end (or start) inside a multi-byte character (the checker's spans inside
    /// query literals are approximate): rendering covers the whole character, JSON positions
    /// count it once, and neither panics.
    #[test]
    fn spans_splitting_a_character_render() {
        let text = "let q = \"aé)\"\n";
        let at = text.find('é').unwrap() as u32;
        let file = Path::new("/t/a.gstack");
        let source = |_: &Path| Some(text.to_string());
        let diags = [
            Diagnostic::error("E0401", file, Span { start: at, end: at + 1 }, "ends inside"),
            Diagnostic::error("E0401", file, Span { start: at + 1, end: at + 3 }, "starts inside"),
            Diagnostic::error("E0401", file, Span { start: 90, end: 99 }, "past the end"),
        ];
        let out = render(&diags, &source, false);
        assert!(out.contains("ends inside") && out.contains("starts inside") && out.contains("past the end"), "{out}");
        let json = to_json(&diags, &source);
        let cols: Vec<_> = json.as_array().unwrap().iter().map(|d| (d["location"]["start"]["column"].clone(), d["location"]["end"]["column"].clone())).collect();
        assert_eq!(cols, [(11.into(), 11.into()), (11.into(), 13.into()), (1.into(), 1.into())]);
    }
}
