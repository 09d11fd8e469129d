//! Completion inside a `traceql` query literal: TraceQL's intrinsics, scopes, values and
//! functions, from the parser's vocabulary (`sema::traceql`, Tempo 2.9's lexer), the
//! functions with their docs (`ide::query_docs::traceql`).

use super::*;
use crate::ide::query_docs::Lang;
use crate::sema::traceql::{AGGREGATES, INTRINSICS, METRICS_FUNCTIONS, PIPELINE_FUNCTIONS, SCOPED_INTRINSICS, SCOPES, SECOND_STAGE};

/// Is the innermost literal open before the cursor a `traceql` query?
pub(super) fn inside(toks: &[(Tok, Span)]) -> bool {
    let mut stack: Vec<Option<&str>> = vec![];
    for (t, _) in toks {
        match t {
            Tok::QueryStart(l) => stack.push(Some(l.as_str())),
            Tok::StrStart | Tok::InterpStart => stack.push(None),
            Tok::InterpEnd | Tok::StrEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last() == Some(&Some("traceql"))
}

/// What may come at the cursor, `before` being the text up to the word being typed.
pub(super) fn items(before: &str) -> Vec<Completion> {
    let f = |name: &str, detail: &str| {
        let c = Completion::new(name, CompletionKind::Function).detail(detail.to_string()).snippet(format!("{name}($0)"));
        match Lang::Traceql.lookup(name).next() {
            Some(d) => c.doc(d.markdown(Lang::Traceql)),
            None => c,
        }
    };
    let kw = |name: &str, detail: &str| Completion::new(name, CompletionKind::Keyword).detail(detail.to_string());
    // `span:du…`: the intrinsics of that scope
    if let Some(rest) = before.strip_suffix(':') {
        let scope: String = rest.chars().rev().take_while(|c| c.is_ascii_alphanumeric()).collect::<Vec<_>>().into_iter().rev().collect();
        return SCOPED_INTRINSICS
            .iter()
            .filter_map(|s| s.strip_prefix(&format!("{scope}:")))
            .map(|n| kw(n, &format!("{scope}: intrinsic")))
            .collect();
    }
    // `span.…`: an attribute name, not known here
    if before.ends_with('.') {
        return vec![];
    }
    if before.trim_end().ends_with('|') {
        let mut out: Vec<Completion> = AGGREGATES.iter().map(|a| f(a, "aggregate: `| count() > 2`")).collect();
        out.extend(METRICS_FUNCTIONS.iter().map(|m| f(m, "metrics function")));
        out.extend(PIPELINE_FUNCTIONS.iter().chain(SECOND_STAGE).map(|p| f(p, "pipeline")));
        return out;
    }
    let mut out: Vec<Completion> = INTRINSICS.iter().map(|i| kw(i, "intrinsic")).collect();
    out.extend(SCOPED_INTRINSICS.iter().map(|i| kw(i, "intrinsic")));
    out.extend(SCOPES.iter().map(|s| Completion::new(format!("{s}."), CompletionKind::Keyword).detail("attribute scope")));
    out.extend(["ok", "error", "unset"].iter().map(|v| Completion::new(*v, CompletionKind::EnumValue).detail("status")));
    out.extend(["server", "client", "producer", "consumer", "internal", "unspecified"].iter().map(|v| Completion::new(*v, CompletionKind::EnumValue).detail("kind")));
    out.extend(["true", "false", "nil"].iter().map(|v| kw(v, "value")));
    out
}

#[cfg(test)]
mod tests {
    use crate::db::{Database, SourceFile};
    use crate::ide::completion;

    fn db_with(files: &[(&str, &str)]) -> (Database, Vec<SourceFile>) {
        let mut db = Database::default();
        let fs = files.iter().map(|(p, t)| db.set_file(std::path::Path::new(p), t.to_string())).collect();
        (db, fs)
    }

    #[test]
    fn traceql_literals_complete_traceql() {
        let cases: &[(&str, &str)] = &[
            ("dashboard d { traces \"t\" { query = traceql`{ dur‸` } }", "duration"),
            ("dashboard d { traces \"t\" { query = traceql`{ span:‸` } }", "duration"),
            ("dashboard d { timeseries \"t\" { query = traceql`{ } | ra‸` } }", "rate"),
            ("dashboard d { traces \"t\" { query = traceql`{ status = er‸` } }", "error"),
            ("dashboard d { traces \"t\" { query = traceql`{ res‸` } }", "resource."),
        ];
        for (i, (src, want)) in cases.iter().enumerate() {
            let off = src.find('‸').unwrap();
            let text = src.replacen('‸', "", 1);
            let (db, fs) = db_with(&[(&format!("/t/tq{i}.gstack"), &text)]);
            let c = completion::completion(&db, fs[0], off as u32, &fs);
            assert!(c.items.iter().any(|it| it.label == *want), "case {i}: {want:?} not in {:?}", c.items.iter().map(|it| &it.label).collect::<Vec<_>>());
        }
        // not in other literals
        let text = "dashboard d { table \"t\" { query = sql`dur` } }";
        let (db, fs) = db_with(&[("/t/pq.gstack", text)]);
        assert!(completion::completion(&db, fs[0], text.find("dur").unwrap() as u32 + 3, &fs).items.is_empty());
    }
}
