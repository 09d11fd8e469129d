//! A panel's queries as Grafana targets ([`ir::PanelQuery`]): `refId`s, and the options of
//! `target "refId" { … }` blocks checked against the query's language (E0205 for one Grafana's
//! query editor for that language does not read).

use super::*;

impl<'a> Checker<'a> {
    /// The targets of a panel's queries (`queries` from [`super::dashboards::panel_queries`]):
    /// a `target` block's refId is its label (E0101 when two share one); the others take the
    /// letters `A`, `B`, … that no label took, in order.
    pub(super) fn panel_targets(&mut self, queries: &[(Arc<QueryVal>, Loc, Option<&Rec>)]) -> Vec<ir::PanelQuery> {
        let labels: Vec<String> = queries.iter().filter_map(|(_, _, t)| t.map(|t| t.label())).collect();
        let mut seen: Vec<String> = vec![];
        for (_, _, t) in queries {
            let Some(t) = t else { continue };
            let id = t.label();
            let at = Loc { file: t.loc.file, span: t.label_span() };
            if id.is_empty() || id.chars().any(char::is_control) {
                self.error("E0204", at, "a target's refId is a non-empty line of text").hint = Some("`target \"A\" { … }`, `target \"p99\" { … }`".into());
            } else if seen.contains(&id) {
                let d = self.error("E0101", at, format!("refId `{id}` is used by another target of this panel"));
                d.hint = Some("Grafana keys a panel's queries by refId: give each its own".into());
            }
            seen.push(id);
        }
        let mut letters = (0..).map(|i: u32| {
            let (n, c) = (i / 26, (b'A' + (i % 26) as u8) as char);
            if n == 0 { c.to_string() } else { format!("{c}{n}") }
        });
        let mut out = vec![];
        for (q, _, t) in queries {
            let ref_id = match t {
                Some(t) => t.label(),
                None => letters.by_ref().find(|l| !labels.contains(l)).unwrap_or_default(),
            };
            let mut pq = ir::PanelQuery {
                query: ir::Query { lang: q.lang, expr: q.text.clone() },
                ref_id,
                legend: None,
                instant: None,
                format: None,
                interval: None,
                hide: false,
            };
            if let Some(t) = t {
                let lang = lang_name(q.lang);
                let only = |ck: &mut Self, k: &str, ok: bool, langs: &str| {
                    if let (Some((_, at)), false) = (t.fields.get(k), ok) {
                        let d = ck.error("E0205", *at, format!("`{k}` is an option of {langs} queries, and this one is {lang}"));
                        d.hint = Some("Grafana's query editor for this language does not read it: drop it".into());
                    }
                };
                let metric_like = matches!(q.lang, QueryLang::Promql | QueryLang::Logql);
                only(self, "legend", metric_like, "PromQL and LogQL");
                only(self, "instant", metric_like, "PromQL and LogQL");
                only(self, "format", q.lang == QueryLang::Promql, "PromQL");
                pq.legend = t.str("legend");
                pq.instant = match t.get("instant") {
                    Some(CV::Bool(b)) => Some(*b),
                    _ => None,
                };
                pq.format = t.sym("format");
                pq.interval = t.dur("interval");
                pq.hide = t.bool_d("hide");
            }
            out.push(pq);
        }
        out
    }
}
