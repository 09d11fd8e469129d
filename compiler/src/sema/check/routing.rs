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
