//! Alertmanager's routing tree as its dispatcher walks it (`dispatch/route.go`, `Route.Match`
//! of Alertmanager 0.28): which receivers a label set reaches ([`receivers_for`]), and the
//! routes no alert can reach (W0308).
//!
//! A route matches when all its matchers do (a missing label is the empty string; `=~`/`!~`
//! are RE2 regexes anchored at both ends). Its children are tried in order: each that matches
//! adds its own result, and the first one that matches without `continue` ends the search. A
//! matching route whose children match nothing is itself the result.
//!
//! Unreachable routes are found only where that is certain, never by guessing at regexes:
//! a route whose matchers (with its ancestors') contradict an equality (`a=1` under `a=2`,
//! `a=~"x.*"` under `a=y`), and a route every alert of which an earlier sibling without
//! `continue` takes first (each of the sibling's matchers is one of this route's, or holds
//! for a value this route fixes with `=`).

use super::*;

/// Whether matcher `m` holds for a label's value (`""` when the label is missing).
pub fn holds(m: &ir::LabelMatcher, value: &str) -> bool {
    let re = || regex::Regex::new(&format!("^(?:{})$", m.value)).is_ok_and(|re| re.is_match(value));
    match m.op.as_str() {
        "=" => value == m.value,
        "!=" => value != m.value,
        "=~" => re(),
        "!~" => !re(),
        _ => false,
    }
}

/// A route's matchers, parsed (those that do not parse are E0204 already, and left out).
pub fn matchers_of(texts: &[String]) -> Vec<ir::LabelMatcher> {
    texts.iter().filter_map(|m| super::grafana_alerting::parse_matcher(m).ok()).collect()
}

/// The receivers an alert with `labels` is sent to, in Alertmanager's order.
pub fn receivers_for(route: &ir::Route, labels: &BTreeMap<String, String>) -> Vec<String> {
    fn walk<'r>(r: &'r ir::Route, labels: &BTreeMap<String, String>, out: &mut Vec<&'r ir::Route>) -> bool {
        let get = |l: &str| labels.get(l).map(String::as_str).unwrap_or("");
        if !matchers_of(&r.matchers).iter().all(|m| holds(m, get(&m.label))) {
            return false;
        }
        let before = out.len();
        for c in &r.routes {
            if walk(c, labels, out) && !c.continue_ {
                break;
            }
        }
        if out.len() == before {
            out.push(r);
        }
        true
    }
    let mut out = vec![];
    walk(route, labels, &mut out);
    out.into_iter().map(|r| r.receiver.clone()).collect()
}

/// Two matchers of `chain` that no label set satisfies together: an equality and another
/// matcher of the same label that does not hold for its value.
pub fn contradiction(chain: &[ir::LabelMatcher]) -> Option<(&ir::LabelMatcher, &ir::LabelMatcher)> {
    for eq in chain.iter().filter(|m| m.op == "=") {
        if let Some(other) = chain.iter().find(|o| o.label == eq.label && !holds(o, &eq.value)) {
            return Some((eq, other));
        }
    }
    None
}

/// Whether every alert that satisfies `later` also satisfies `earlier`.
pub fn implies(later: &[ir::LabelMatcher], earlier: &[ir::LabelMatcher]) -> bool {
    earlier.iter().all(|m| later.contains(m) || later.iter().any(|l| l.op == "=" && l.label == m.label && holds(m, &l.value)))
}

fn show(m: &ir::LabelMatcher) -> String {
    format!("{}{}{:?}", m.label, m.op, m.value)
}

impl<'a> Checker<'a> {
    /// W0308 for each route below `rt` that no alert reaches; `above` holds the matchers of
    /// `rt` and its ancestors.
    pub(super) fn unreachable_routes(&mut self, rt: &Rec, above: &[ir::LabelMatcher]) {
        let children: Vec<&Rec> = rt.blocks_of("route").collect();
        let mut chains: Vec<Vec<ir::LabelMatcher>> = vec![];
        for (j, child) in children.iter().enumerate() {
            let own = matchers_of(&child.strs("matchers"));
            let chain: Vec<ir::LabelMatcher> = above.iter().cloned().chain(own.iter().cloned()).collect();
            let at = self.head(child);
            let receiver = match child.get("receiver") {
                Some(CV::Ref(name, _)) => name.clone(),
                _ => String::new(),
            };
            if let Some((eq, other)) = contradiction(&chain) {
                let d = self.error("W0308", at, format!("the route to `{receiver}` is never reached: no alert has both `{}` and `{}`", show(eq), show(other)));
                d.hint = Some("a route's matchers and those of the routes above it must all hold: fix the matcher, or move the route where its alerts go".into());
            } else if let Some(i) = (0..j).find(|&i| !children[i].bool_d("continue") && implies(&chain, &chains[i])) {
                let taken = match children[i].get("receiver") {
                    Some(CV::Ref(name, _)) => name.clone(),
                    _ => String::new(),
                };
                let d = self.error("W0308", at, format!("the route to `{receiver}` is never reached: every alert it matches goes to `{taken}` (route #{} of this level) first", i + 1));
                d.hint = Some(format!("move it before the route to `{taken}`, give it matchers that route lacks, or set `continue = true` on the route to `{taken}`"));
            } else {
                self.unreachable_routes(child, &chain);
            }
            chains.push(chain);
        }
    }
}

/// The labels every alert sent to the stack's Alertmanager carries with a value known at
/// compile time, with those values: `alertname` (the rule's name) and each label that every
/// rule sets to a constant (`severity = critical`, `labels = […]`; Prometheus's
/// `external_labels` for its rules). A label some rule leaves unset may come from the
/// queried series, and a templated value (`{{ $labels.team }}`) is known only when the rule
/// fires: neither is in the map. `None` when the alerts are not all known here: no rule at
/// all, Grafana-managed rules, or a Loki ruler with its own settings.
pub fn alert_labels(stack: &ir::Stack) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let mut sets: Vec<BTreeMap<String, String>> = vec![];
    let external = stack.prometheus.as_ref().map(|p| p.external_labels.clone()).unwrap_or_default();
    for a in &stack.alerts {
        let mut l = external.clone();
        l.extend(a.labels.clone());
        l.insert("alertname".into(), a.name.clone());
        sets.push(l);
    }
    if !stack.log_alerts.is_empty() && stack.loki.as_ref().is_some_and(|l| l.settings.get("ruler").is_some()) {
        return None;
    }
    for a in &stack.log_alerts {
        let mut l = a.labels.clone();
        l.insert("alertname".into(), a.name.clone());
        sets.push(l);
    }
    for imp in &stack.rule_imports {
        // checked already: Prometheus's rule file format
        let doc: serde_json::Value = serde_norway::from_str(&imp.text).ok()?;
        for g in doc["groups"].as_array()? {
            for r in g["rules"].as_array()? {
                let Some(name) = r["alert"].as_str() else { continue };
                let mut l = external.clone();
                for (k, v) in r["labels"].as_object().into_iter().flatten() {
                    l.insert(k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
                }
                l.insert("alertname".into(), name.to_string());
                sets.push(l);
            }
        }
    }
    if sets.is_empty() || !stack.grafana_alerts.is_empty() {
        return None;
    }
    let mut known: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for k in sets[0].keys() {
        let values: Option<BTreeSet<String>> = sets.iter().map(|s| s.get(k).filter(|v| !v.contains("{{")).cloned()).collect();
        if let Some(v) = values {
            known.insert(k.clone(), v);
        }
    }
    Some(known)
}

impl<'a> Checker<'a> {
    /// W0309 for each matcher of a route or inhibit rule of `am` (the `alertmanager` block)
    /// that no alert of the stack satisfies: it tests a label every rule sets (see
    /// [`alert_labels`]) against values none of them has, so the route never notifies (or
    /// the inhibition never applies).
    pub(super) fn unmatched_labels(&mut self, am: &Rec, stack: &ir::Stack) {
        let Some(known) = alert_labels(stack) else { return };
        let mut at: Vec<(Loc, String, &str)> = vec![];
        fn routes<'r>(r: &'r Rec, out: &mut Vec<(Loc, String, &'static str)>) {
            if let Some((CV::List(ms), loc)) = r.fields.get("matchers") {
                out.extend(ms.iter().filter_map(|m| if let CV::Str(m) = m { Some((*loc, m.clone(), "route")) } else { None }));
            }
            for c in r.blocks_of("route") {
                routes(c, out);
            }
        }
        for r in am.blocks_of("route") {
            routes(r, &mut at);
        }
        for i in am.blocks_of("inhibit") {
            for key in ["source_matchers", "target_matchers"] {
                if let Some((CV::List(ms), loc)) = i.fields.get(key) {
                    at.extend(ms.iter().filter_map(|m| if let CV::Str(m) = m { Some((*loc, m.clone(), "inhibit")) } else { None }));
                }
            }
        }
        for (loc, text, kind) in at {
            let Ok(m) = super::grafana_alerting::parse_matcher(&text) else { continue };
            let Some(values) = known.get(&m.label) else { continue };
            if values.iter().any(|v| holds(&m, v)) {
                continue;
            }
            let mut shown: Vec<String> = values.iter().take(8).map(|v| format!("{v:?}")).collect();
            if values.len() > 8 {
                shown.push(format!("… ({} in all)", values.len()));
            }
            let what = if kind == "route" { "the route never notifies its receiver" } else { "the inhibit rule never applies" };
            let d = self.error("W0309", loc, format!("matcher `{text}` holds for no alert of the stack: every rule sets `{}` to one of {}; {what}", m.label, shown.join(", ")));
            let near = if m.op == "=" { did_you_mean(&m.value, values.iter().map(String::as_str)) } else { None };
            d.hint = Some(match near {
                Some(h) => h,
                None => format!("match a value a rule sets, or set `{}` on the rules meant to go here", m.label),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> ir::LabelMatcher {
        super::super::grafana_alerting::parse_matcher(s).unwrap()
    }

    fn route(receiver: &str, matchers: &[&str], continue_: bool, routes: Vec<ir::Route>) -> ir::Route {
        ir::Route {
            receiver: receiver.into(),
            group_by: vec![],
            group_wait: None,
            group_interval: None,
            repeat_interval: None,
            matchers: matchers.iter().map(|s| s.to_string()).collect(),
            continue_,
            mute_time_intervals: vec![],
            active_time_intervals: vec![],
            routes,
        }
    }

    /// Which labels every alert carries with a known value: constants every rule sets, not a
    /// label one rule leaves to its series, nor a templated one.
    #[test]
    fn alert_labels_are_the_constants_every_rule_sets() {
        let src = r#"stack s {
  prometheus { external_labels = ["cluster": "eu1"] }
  loki {}
  alertmanager { receiver r { webhook = "https://hooks.example.com/x" } }
}
alert A { expr = promql`up == 0`, severity = critical, labels = ["team": "db", "svc": "{{ $labels.job }}"] }
alert B { expr = promql`up == 0`, severity = warning, labels = ["svc": "x"] }
log_alert C { expr = logql`sum(count_over_time({app="x"}[5m])) > 1`, labels = ["severity": "info", "team": "web"] }
"#;
        let mut db = crate::db::Database::default();
        let f = db.set_file(std::path::Path::new("/s.gstack"), src.to_string());
        let checked = check_stack(&db, f);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let known = alert_labels(checked.stack.as_ref().unwrap()).unwrap();
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
        // `cluster` is Prometheus's, and Loki's rule C does not have it; `svc` is templated in A;
        // B leaves `team` unset, so its series may carry one
        assert_eq!(known.keys().collect::<Vec<_>>(), ["alertname", "severity"]);
        assert_eq!(known["alertname"], set(&["A", "B", "C"]));
        assert_eq!(known["severity"], set(&["critical", "info", "warning"]));
        assert!(!known.contains_key("svc") && !known.contains_key("team"));
    }

    #[test]
    fn matchers_hold_as_alertmanager_reads_them() {
        assert!(holds(&m("a=1"), "1") && !holds(&m("a=1"), "10"));
        assert!(holds(&m("a!=1"), "") && !holds(&m("a!=1"), "1"));
        // anchored at both ends
        assert!(holds(&m("a=~\"1|2\""), "2") && !holds(&m("a=~\"1\""), "10"));
        assert!(holds(&m("a!~\"x.*\""), "y") && !holds(&m("a!~\"x.*\""), "xy"));
        // a missing label is the empty string
        assert!(holds(&m("a=~\".*\""), "") && !holds(&m("a=~\".+\""), ""));
    }

    #[test]
    fn receivers_follow_continue_and_fall_back_to_the_parent() {
        let tree = route("root", &[], false, vec![
            route("audit", &[], true, vec![]),
            route("db", &["team=db"], false, vec![route("page", &["severity=critical"], false, vec![])]),
            route("web", &["team=web"], false, vec![]),
        ]);
        let at = |pairs: &[(&str, &str)]| receivers_for(&tree, &pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        assert_eq!(at(&[("team", "db"), ("severity", "critical")]), ["audit", "page"]);
        assert_eq!(at(&[("team", "db")]), ["audit", "db"]);
        assert_eq!(at(&[("team", "web")]), ["audit", "web"]);
        assert_eq!(at(&[]), ["audit"]);
        let plain = route("root", &[], false, vec![route("db", &["team=db"], false, vec![])]);
        assert_eq!(receivers_for(&plain, &BTreeMap::new()), ["root"]);
    }

    #[test]
    fn only_certain_unreachability_is_reported() {
        assert!(contradiction(&[m("team=db"), m("team=web")]).is_some());
        assert!(contradiction(&[m("team=db"), m("team=~\"w.*\"")]).is_some());
        assert!(contradiction(&[m("team=db"), m("team!=db")]).is_some());
        assert!(contradiction(&[m("team=db"), m("team=~\"d.*\"")]).is_none());
        // two regexes may or may not overlap: never reported
        assert!(contradiction(&[m("team=~\"a.*\""), m("team=~\"b.*\"")]).is_none());
        assert!(implies(&[m("team=db"), m("severity=critical")], &[m("team=db")]));
        assert!(implies(&[m("team=db")], &[m("team=~\"d.*\"")]));
        assert!(implies(&[m("team=db")], &[]));
        assert!(!implies(&[m("team=~\"db\"")], &[m("team=db")]), "regex-equal to an equality is not claimed");
        assert!(!implies(&[m("severity=critical")], &[m("team=db")]));
        // `\n` in a quoted value is a newline, as Alertmanager unquotes it, and `.` does not match it
        assert_eq!(m("team=\"a\\nb\"").value, "a\nb");
        assert!(!implies(&[m("team=\"a\\nb\"")], &[m("team=~\".+\"")]));
    }
}
