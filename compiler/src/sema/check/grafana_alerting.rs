//! Grafana-managed alerting: contact points, the notification policy, mute timings and
//! templates of `grafana { … }`, and `grafana_alert` rules (written by
//! `backends/grafana/alerting.rs`).

use super::*;

pub(super) const WEEKDAYS: &[&str] = &["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
pub(super) const MONTHS: &[&str] =
    &["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/// A problem with one entry of a mute timing list: (code, message, hint).
pub(super) type EntryProblem = (&'static str, String, String);
/// One value of a mute timing entry: (its order, its text as written to the file).
pub(super) type Ordered = (i64, String);


impl<'a> Checker<'a> {
    /// Whether an error was already reported inside `loc` (so a block whose fields were all
    /// wrong is not also reported as empty).
    pub(super) fn errors_within(&self, loc: Loc) -> bool {
        let path = self.path(loc);
        self.diags.iter().any(|d| {
            d.is_error()
                && d.location.as_ref().is_some_and(|l| l.file == path && l.span.start >= loc.span.start && l.span.end <= loc.span.end)
        })
    }

    /// E0101 for a second block of the same name; returns whether `r` is the first.
    pub(super) fn first_of_name(&mut self, what: &str, r: &Rec, seen: &mut HashMap<String, Loc>) -> bool {
        let name = r.label();
        let lloc = Loc { file: r.loc.file, span: r.label_span() };
        if let Some(prev) = seen.get(&name) {
            let p = self.path(*prev);
            let ps = prev.span;
            self.error("E0101", lloc, format!("{what} `{name}` is declared twice")).with_related_mut(&p, ps, "first here");
            return false;
        }
        seen.insert(name, lloc);
        true
    }

    pub(super) fn grafana_alerting(&mut self, r: &Rec) -> ir::GrafanaAlerting {
        let mut out = ir::GrafanaAlerting::default();
        let mut seen = HashMap::new();
        let mut uids: HashMap<String, String> = HashMap::new();
        for cp in r.blocks_of("contact_point") {
            if !self.first_of_name("contact point", cp, &mut seen) {
                continue;
            }
            let name = cp.label();
            let lloc = Loc { file: cp.loc.file, span: cp.label_span() };
            let mut uid = uid_from(&name);
            uid.truncate(32);
            if let Some(other) = uids.get(&uid) {
                let d = self.error("E0101", lloc, format!("contact points `{other}` and `{name}` have the same uid `{uid}`"));
                d.hint = Some("uids are the names in lower case with `-` for other characters: rename one".into());
            }
            uids.insert(uid.clone(), name.clone());
            let webhook = match cp.get("webhook") {
                Some(CV::StrOrSecret(s)) => Some(s.clone()),
                _ => None,
            };
            let slack = match cp.get("slack") {
                Some(CV::Record(s)) => match s.get("url") {
                    Some(CV::StrOrSecret(u)) => Some(ir::SlackContact { url: u.clone(), channel: s.str("channel") }),
                    _ => None,
                },
                _ => None,
            };
            let email = cp.str("email");
            if let (Some(e), Some((_, at))) = (&email, cp.fields.get("email")) {
                if e.split([',', ';', '\n']).all(|a| a.trim().is_empty()) {
                    let d = self.error("E0202", *at, format!("contact point `{name}` has an `email` with no address"));
                    d.hint = Some("give an address, several separated by `;`: Grafana refuses \"could not find addresses in settings\"".into());
                }
            }
            // Grafana sends e-mail only with `[smtp] enabled` (else "SMTP not configured" at
            // every notification): the typed `smtp`, or the escape hatch's
            let smtp = r.get("smtp").is_some() || r.settings.get("smtp").and_then(|s| s.get("enabled")).is_some_and(|e| e == true || e == "true");
            if let (Some(_), false, Some((_, at))) = (&email, smtp, cp.fields.get("email")) {
                let d = self.error("E0202", *at, format!("contact point `{name}` sends e-mail, and Grafana has no SMTP server"));
                d.hint = Some("add `smtp = { host = \"smtp.example.com:587\", from_address = \"grafana@example.com\" }` to `grafana { … }`: without `[smtp] enabled`, Grafana fails every e-mail notification (\"SMTP not configured\")".into());
            }
            let integrations = self.contact_point_integrations(cp);
            if webhook.is_none() && email.is_none() && slack.is_none() && integrations.is_empty() && !self.errors_within(cp.loc) {
                let d = self.error("E0202", lloc, format!("contact point `{name}` has no channel"));
                d.hint = Some("set `webhook = …`, `email = \"…\"`, `slack = { url = … }` or another integration (`pagerduty = { … }`, `telegram = { … }`, …)".into());
            }
            out.contact_points.push(ir::ContactPoint { name, uid, webhook, email, slack, integrations });
        }

        let mut seen = HashMap::new();
        for mt in r.blocks_of("mute_timing") {
            if self.first_of_name("mute timing", mt, &mut seen) {
                out.mute_timings.push(self.mute_timing(mt, "mute timing"));
            }
        }

        let mut seen = HashMap::new();
        for t in r.blocks_of("template") {
            if self.first_of_name("template", t, &mut seen) {
                out.templates.push(ir::NotificationTemplate { name: t.label(), content: t.req_str("content") });
            }
        }

        let cps: Vec<String> = out.contact_points.iter().map(|c| c.name.clone()).collect();
        let mts: Vec<String> = out.mute_timings.iter().map(|m| m.name.clone()).collect();
        out.policy = match r.blocks_of("policy").next() {
            Some(p) => Some(self.policy(p, &cps, &mts, true)),
            // as Alertmanager's route: the first contact point takes everything
            None => cps.first().map(|c| ir::NotificationPolicy {
                contact_point: Some(c.clone()),
                group_by: schema::POLICY.list_default("group_by"),
                group_wait: None,
                group_interval: None,
                repeat_interval: None,
                matchers: vec![],
                mute_timings: vec![],
                active_timings: vec![],
                continue_: false,
                routes: vec![],
            }),
        };
        out
    }

    pub(super) fn policy(&mut self, p: &Rec, cps: &[String], mts: &[String], root: bool) -> ir::NotificationPolicy {
        let contact_point = match p.fields.get("contact_point") {
            Some((CV::Str(name), loc)) => {
                if !cps.contains(name) {
                    let d = self.error("E0301", *loc, format!("there is no contact point `{name}`"));
                    d.hint = Some(did_you_mean(name, cps.iter().map(String::as_str)).unwrap_or_else(|| {
                        if cps.is_empty() {
                            "declare one in `grafana { … }`: `contact_point name { webhook = … }`".into()
                        } else {
                            format!("contact points: {}", cps.join(", "))
                        }
                    }));
                }
                Some(name.clone())
            }
            _ => None,
        };
        let mut matchers = vec![];
        if let Some((CV::List(ms), loc)) = p.fields.get("matchers") {
            for (i, m) in ms.iter().enumerate() {
                let CV::Str(m) = m else { continue };
                match parse_matcher(m) {
                    Ok(x) => matchers.push(x),
                    Err(why) => {
                        let d = self.error("E0204", *loc, format!("matcher #{} `{m}` is not valid: {why}", i + 1));
                        d.hint = Some("write `label=value`, `label!=value`, `label=~\"regex\"` or `label!~\"regex\"`".into());
                    }
                }
            }
        }
        // `mute_timings` and `active_timings` both name mute timings (Grafana's time intervals)
        let mut timings = |key: &str| -> Vec<String> {
            let mut out = vec![];
            if let Some((CV::List(xs), loc)) = p.fields.get(key) {
                for x in xs {
                    let CV::Str(name) = x else { continue };
                    if !mts.contains(name) {
                        let d = self.error("E0301", *loc, format!("there is no mute timing `{name}`"));
                        d.hint = Some(did_you_mean(name, mts.iter().map(String::as_str)).unwrap_or_else(|| {
                            if mts.is_empty() {
                                "declare one in `grafana { … }`: `mute_timing name { weekdays = [\"saturday\", \"sunday\"] }`".into()
                            } else {
                                format!("mute timings: {}", mts.join(", "))
                            }
                        }));
                    }
                    out.push(name.clone());
                }
            }
            out
        };
        let mute_timings = timings("mute_timings");
        let active_timings = timings("active_timings");
        // the root policy's schema (`policy`) has a default; a nested one's (`policy route`)
        // inherits the parent's
        let group_by = if root { p.strs_d("group_by") } else { p.strs("group_by") };
        ir::NotificationPolicy {
            contact_point,
            group_by,
            group_wait: p.dur("group_wait"),
            group_interval: p.dur("group_interval"),
            repeat_interval: p.dur("repeat_interval"),
            matchers,
            mute_timings,
            active_timings,
            // the root policy (`policy`) has no `continue`
            continue_: !root && p.bool_d("continue"),
            routes: p.blocks_of("route").map(|c| self.policy(c, cps, mts, false)).collect(),
        }
    }

    /// A mute timing of Grafana's or a time interval of Alertmanager's (`what`, in messages):
    /// each list's entries checked.
    pub(super) fn mute_timing(&mut self, mt: &Rec, what_block: &str) -> ir::MuteTiming {
        let name = mt.label();
        // each list: its entries checked by `f`, problems reported at the list
        let list = |ck: &mut Self, field: &str, what: &str, f: &dyn Fn(&str) -> Result<String, EntryProblem>| -> Vec<String> {
            let loc = mt.fields.get(field).map(|(_, l)| *l).unwrap_or(mt.loc);
            let mut out = vec![];
            for (i, e) in mt.strs(field).iter().enumerate() {
                match f(e.trim()) {
                    Ok(v) => out.push(v),
                    Err((code, why, hint)) => {
                        let d = ck.error(code, loc, format!("{what_block} `{name}`: {what} #{} `{e}` {why}", i + 1));
                        d.hint = Some(hint);
                    }
                }
            }
            out
        };
        let times = list(self, "times", "time range", &|t| {
            let bad = |why: &str| ("E0204", why.to_string(), "write a range of the day as \"HH:MM-HH:MM\", e.g. \"09:00-17:00\" (end up to \"24:00\")".to_string());
            let (a, b) = t.split_once('-').ok_or_else(|| bad("is not `HH:MM-HH:MM`"))?;
            let (a, b) = (clock(a.trim()).ok_or_else(|| bad("has a start that is not a time of day"))?, clock(b.trim()).ok_or_else(|| bad("has an end that is not a time of day"))?);
            if a.0 >= b.0 || a.0 >= 24 * 60 {
                return Err(bad("ends before it starts"));
            }
            Ok(format!("{}-{}", a.1, b.1))
        });
        let weekdays = list(self, "weekdays", "weekday", &|w| range_entry(w, &|x| named_or_number(x, WEEKDAYS, None, "weekday")));
        let days_of_month = list(self, "days_of_month", "day of the month", &|d| {
            range_entry(d, &|x| match x.parse::<i64>() {
                Ok(n) if (1..=31).contains(&n) || (-31..=-1).contains(&n) => Ok((n, n.to_string())),
                _ => Err(("E0204", "is not a day of the month".into(), "days are 1 to 31, or -1 (the last day) to -31".into())),
            })
        });
        let months = list(self, "months", "month", &|m| range_entry(m, &|x| named_or_number(x, MONTHS, Some(1), "month")));
        let years = list(self, "years", "year", &|y| {
            range_entry(y, &|x| match x.parse::<i64>() {
                Ok(n) if n > 0 => Ok((n, n.to_string())),
                _ => Err(("E0204", "is not a year".into(), "write years as \"2025\" or \"2025:2026\"".into())),
            })
        });
        let times = times
            .into_iter()
            .map(|t| {
                let (s, e) = t.split_once('-').unwrap_or_default();
                ir::TimeRange { start: s.to_string(), end: e.to_string() }
            })
            .collect();
        ir::MuteTiming { name, times, weekdays, days_of_month, months, years, location: mt.str("location") }
    }

    /// Lower every `grafana_alert` (each name once: the declaration loop reported the others).
    pub(super) fn grafana_alerts(&mut self, decls: &[Arc<BlockVal>], enabled: &[&str], ds_types: &BTreeMap<String, String>) -> Vec<ir::GrafanaAlertRule> {
        let mut out: Vec<(ir::GrafanaAlertRule, Option<ir::Duration>)> = vec![];
        let mut seen: HashSet<String> = HashSet::new();
        let mut uids: HashMap<String, (String, Loc)> = HashMap::new();
        let mut titles: HashMap<(String, String), Loc> = HashMap::new();
        // (folder, group) → the first explicit interval: (interval, where, rule)
        let mut intervals: HashMap<(String, String), (ir::Duration, Loc, String)> = HashMap::new();
        for d in decls {
            let (Some(kind), Some((label, _)), None) = (&d.kind, &d.label, &d.value) else { continue };
            if kind.name != "grafana_alert" || !seen.insert(label.clone()) {
                continue;
            }
            let r = self.record(d, &schema::GRAFANA_ALERT, "grafana_alert");
            let lloc = Loc { file: r.loc.file, span: r.label_span() };
            // once, at the first rule
            if seen.len() == 1 && !enabled.contains(&"grafana") {
                let d = self.error("E0300", lloc, "this rule is evaluated by grafana, which the stack does not enable");
                d.hint = Some("add `grafana {}` to the stack, or write it as a Prometheus `alert`".into());
            }
            let Some((CV::Query(q, qloc), _)) = r.fields.get("query") else { continue };
            let datasource = match r.fields.get("datasource") {
                Some((CV::Ref(name, loc), _)) => {
                    self.check_ref(&DsRef::Named { name: name.clone(), loc: *loc, lang: Some(QueryLang::Promql) }, ds_types, enabled);
                    self.forget_refs(&[*qloc], name);
                    name.clone()
                }
                _ => {
                    self.check_ref(&DsRef::Lang { lang: QueryLang::Promql, loc: *qloc }, ds_types, enabled);
                    "prometheus".to_string()
                }
            };
            let name = r.label();
            let uid = self.uid(&r, "alert rule");
            if let Some((other, ploc)) = uids.get(&uid) {
                let (p, ps, other) = (self.path(*ploc), ploc.span, other.clone());
                self.error("E0101", lloc, format!("Grafana alert rule uid `{uid}` is also used by `{other}`")).with_related_mut(&p, ps, "the other rule");
            } else {
                uids.insert(uid.clone(), (name.clone(), lloc));
            }
            let title = r.str("title").unwrap_or_else(|| name.clone());
            let folder = r.str_d("folder");
            let group = r.str_d("group");
            if let Some(ploc) = titles.get(&(folder.clone(), title.clone())) {
                let (p, ps) = (self.path(*ploc), ploc.span);
                self.error("E0101", lloc, format!("two Grafana alert rules in folder `{folder}` are titled `{title}`"))
                    .with_related_mut(&p, ps, "the other rule");
            } else {
                titles.insert((folder.clone(), title.clone()), lloc);
            }
            let mut explicit = None;
            if let Some((CV::Dur(iv), loc)) = r.fields.get("interval") {
                if iv.millis == 0 || iv.millis % 10_000 != 0 {
                    let d = self.error("E0204", *loc, format!("evaluation interval `{}` is not a positive multiple of 10s", iv.to_prometheus()));
                    d.hint = Some("Grafana evaluates rules on a 10s tick (`[unified_alerting] base_interval`): `30s`, `1m`, `5m`, …".into());
                } else {
                    let key = (folder.clone(), group.clone());
                    match intervals.get(&key) {
                        Some((other, oloc, oname)) if other != iv => {
                            let (p, ps) = (self.path(*oloc), oloc.span);
                            let msg = format!(
                                "this rule evaluates group `{group}` of folder `{folder}` every {}, but `{oname}` sets {}",
                                iv.to_prometheus(),
                                other.to_prometheus()
                            );
                            let d = self.error("E0204", *loc, msg);
                            d.with_related_mut(&p, ps, "the group's interval is set here");
                            d.hint = Some("rules of one group share its interval: set it once, or use another `group`".into());
                        }
                        Some(_) => {}
                        None => {
                            intervals.insert(key, (*iv, *loc, name.clone()));
                        }
                    }
                    explicit = Some(*iv);
                }
            }
            let (labels, annotations) = rule_labels(&r);
            // the schema's words in Grafana's spelling
            let no_data = match r.sym_d("no_data").as_str() {
                "alerting" => "Alerting",
                "ok" => "OK",
                "keep_last" => "KeepLast",
                _ => "NoData",
            };
            let exec_err = match r.sym_d("exec_err").as_str() {
                "alerting" => "Alerting",
                "ok" => "OK",
                "keep_last" => "KeepLast",
                _ => "Error",
            };
            out.push((
                ir::GrafanaAlertRule {
                    name,
                    uid,
                    title,
                    folder,
                    group,
                    interval: ir::Duration::from_secs(60),
                    datasource,
                    query: ir::Query { lang: q.lang, expr: q.text.clone() },
                    for_: r.dur_d("for"),
                    no_data: no_data.into(),
                    exec_err: exec_err.into(),
                    labels,
                    annotations,
                },
                explicit,
            ));
        }
        // a rule without an interval takes its group's
        out.into_iter()
            .map(|(mut rule, explicit)| {
                rule.interval = explicit
                    .or_else(|| intervals.get(&(rule.folder.clone(), rule.group.clone())).map(|x| x.0))
                    .unwrap_or(ir::Duration::from_secs(60));
                rule
            })
            .collect()
    }
}


/// `HH:MM` (or `H:MM`) as (minutes since midnight, `HH:MM`); `24:00` is the end of the day.
pub(super) fn clock(t: &str) -> Option<(u32, String)> {
    let (h, m) = t.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.chars().chain(m.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some((h * 60 + m, format!("{h:02}:{m:02}")))
}

/// An entry that is one value or a range `a:b` of values, each read by `one` as (order, text).
pub(super) fn range_entry(e: &str, one: &dyn Fn(&str) -> Result<Ordered, EntryProblem>) -> Result<String, EntryProblem> {
    match e.split_once(':') {
        Some((a, b)) => {
            let (a, b) = (one(a.trim())?, one(b.trim())?);
            // days of the month may mix signs (`1:-1`: from the first to the last day)
            if (a.0 < 0) == (b.0 < 0) && a.0 > b.0 {
                return Err((
                    "E0204",
                    "is a range that ends before it starts".into(),
                    "a range runs from its first to its last value (weeks from sunday to saturday): split one that wraps around into two entries".into(),
                ));
            }
            Ok(format!("{}:{}", a.1, b.1))
        }
        None => one(e).map(|x| x.1),
    }
}

/// A weekday or month: its name (any case), or its number counted from `first` (months are
/// numbered from 1; Alertmanager reads weekdays by name only).
pub(super) fn named_or_number(x: &str, names: &[&str], first: Option<i64>, what: &str) -> Result<(i64, String), EntryProblem> {
    let lower = x.to_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok((i as i64 + first.unwrap_or(0), lower));
    }
    match (x.parse::<i64>(), first) {
        (Ok(n), Some(lo)) if (lo..lo + names.len() as i64).contains(&n) => Ok((n, n.to_string())),
        (Ok(_), Some(lo)) => Err((
            "E0204",
            format!("is not a {what} number"),
            format!("{what}s are numbered {lo} to {}, or named: {}", lo + names.len() as i64 - 1, names.join(", ")),
        )),
        _ => Err((
            "E0205",
            format!("is not a {what}"),
            did_you_mean(&lower, names.iter().copied()).unwrap_or_else(|| format!("one of: {}", names.join(", "))),
        )),
    }
}

/// A label matcher `label op value` (op `=`, `!=`, `=~`, `!~`; the value may be quoted).
pub(super) fn parse_matcher(m: &str) -> Result<ir::LabelMatcher, String> {
    // a label name may be quoted (Alertmanager 0.28's UTF-8 names: `"service.name"=web`)
    let (label, rest) = match m.trim_start().strip_prefix('"') {
        Some(q) => {
            let close = q.find('"').ok_or("its label's quote is not closed")?;
            let label = &q[..close];
            if label.is_empty() || label.contains('\\') {
                return Err(format!("`\"{label}\"` is not a label name"));
            }
            (label, q[close + 1..].trim_start())
        }
        None => {
            let pos = m.find(['=', '!']).ok_or("it has no operator")?;
            let label = m[..pos].trim();
            if label.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'') {
                return Err(format!("`{label}` is not a label name"));
            }
            (label, &m[pos..])
        }
    };
    let op = ["=~", "!~", "!=", "="].into_iter().find(|o| rest.starts_with(o)).ok_or("`!` must be followed by `=` or `~`")?;
    let raw = rest[op.len()..].trim();
    if label.is_empty() {
        return Err("it names no label".into());
    }
    let value = if let Some(inner) = raw.strip_prefix('"') {
        let inner = inner.strip_suffix('"').ok_or("its value's quote is not closed")?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                // Go's escapes, as Alertmanager unquotes the value (`\n` is a newline)
                '\\' => match chars.next().ok_or("its value ends with `\\`")? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    o => out.push(o),
                },
                '"' => return Err("its value has a `\"` that is not escaped".into()),
                c => out.push(c),
            }
        }
        out
    } else {
        raw.to_string()
    };
    // Alertmanager and Grafana compile a regex matcher anchored, with Go's RE2 syntax (the
    // `regex` crate's is RE2's): one that does not compile fails their config load
    if op.ends_with('~') {
        if let Err(e) = regex::Regex::new(&format!("^(?:{value})$")) {
            let why = e.to_string();
            let why = why.lines().last().unwrap_or("it does not compile").trim().trim_start_matches("error: ");
            return Err(format!("its regex does not compile: {why}"));
        }
    }
    Ok(ir::LabelMatcher { label: label.to_string(), op: op.to_string(), value })
}
