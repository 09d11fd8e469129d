//! Prometheus and Loki alert rules (`alert`, `log_alert`) and Grafana uids.

use super::*;

impl<'a> Checker<'a> {

    pub(super) fn alert(&mut self, r: &Rec) -> Option<ir::AlertRule> {
        let expr = match r.get("expr") {
            Some(CV::Query(q, qloc)) => {
                // Loki's ruler evaluates samples: a log query there is refused when it loads
                if q.lang == QueryLang::Logql && crate::sema::logql::kind(&q.text) == Some(crate::sema::logql::Kind::Log) {
                    let d = self.error("E0401", *qloc, format!("`{}` needs a metric query; this LogQL is a log query (it returns lines)", r.kind));
                    d.hint = Some(format!("count the matching lines over a window and compare: logql`count_over_time({} [5m]) > 0`", q.text.trim()));
                }
                ir::Query { lang: q.lang, expr: q.text.clone() }
            }
            _ => return None,
        };
        let (labels, annotations) = rule_labels(r);
        // `alert` and `log_alert` have schemas of their own, with their own default group
        Some(ir::AlertRule { name: r.label(), group: r.str_d("group"), expr, for_: r.dur_d("for"), labels, annotations })
    }

    /// The `uid` of a dashboard or Grafana alert rule `r` (`what` names it in the message): as
    /// declared (E0204 unless 1–40 letters, digits, `-` and `_`, Grafana's limit), else derived
    /// from the declaration's name with [`uid_from`].
    pub(super) fn uid(&mut self, r: &Rec, what: &str) -> String {
        match r.fields.get("uid") {
            Some((CV::Str(u), loc)) => {
                if u.len() > 40 || u.is_empty() || !u.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    let d = self.error("E0204", *loc, format!("{what} uid `{u}` is not valid"));
                    d.hint = Some("a uid has 1–40 characters: letters, digits, `-` and `_`".into());
                }
                u.clone()
            }
            _ => uid_from(&r.label()),
        }
    }

}

/// An alert rule's labels (`labels`, plus `severity`) and annotations (`summary`,
/// `description`), for Prometheus/Loki rules and Grafana-managed rules alike.
pub(super) fn rule_labels(r: &Rec) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut labels = r.map("labels");
    if let Some(s) = r.sym("severity") {
        labels.insert("severity".into(), s);
    }
    let mut annotations = BTreeMap::new();
    for k in ["summary", "description"] {
        if let Some(s) = r.str(k) {
            annotations.insert(k.to_string(), s);
        }
    }
    (labels, annotations)
}
