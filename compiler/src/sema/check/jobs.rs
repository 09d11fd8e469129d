//! Queries that refer to what exists (W0403): a PromQL selector's `job="…"` or `job=~"…"`
//! matcher that no scrape job of the stack's Prometheus produces. `absent(up{job="apiserver"})`
//! in a stack with no `apiserver` job fires forever; `rate(http_requests_total{job="web"}[5m])`
//! on a dashboard draws nothing. Prometheus sets `job` to the scrape config's `job_name`
//! unless the target's labels set it (https://prometheus.io/docs/concepts/jobs_instances/).
//!
//! The matchers are gathered while queries are checked ([`Checker::check_query`]) and judged
//! once the stack's scrape jobs are known ([`Checker::check_jobs`]), as datasource references
//! are. A query sent to a datasource that is not the stack's Prometheus, and every query of a
//! stack whose Prometheus also takes series it does not scrape (remote write, OTLP) or scrape
//! configs given as raw `settings`, is not judged: their jobs are not known here.

use super::*;

/// Stream labels Loki sets itself, whatever the shipper: `service_name`, which Loki 3 gives
/// every stream that lacks one (`limits_config.discover_service_name`, on by default).
pub(super) const LOKI_OWN_LABELS: &[&str] = &["service_name"];

/// A positive `job` matcher of a PromQL query, to judge against the stack's scrape jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct JobRef {
    /// The matched value: a job name (`=`), or a regex (`=~`, fully anchored as Prometheus
    /// anchors it).
    pub value: String,
    pub regex: bool,
    /// Where to report: the matcher in the source, or an import's call.
    pub at: Loc,
    /// The whole query literal's location (the query a panel's datasource answers).
    pub query: Loc,
    /// For a query of an imported file: which rule, for the message.
    pub imported: Option<String>,
    /// A LogQL stream selector's label name (`value`), judged against the stack's declared
    /// stream labels (W0404), not a job.
    pub label: bool,
}

/// The positive `job` matchers of a PromQL text: (byte offset of the matcher, its length, the
/// value, whether it is `=~`). Values that hold a Grafana variable (`$job`) or an escape are
/// left out (what they match is not known here), as are matchers outside a selector's braces.
pub(super) fn job_matchers(text: &str) -> Vec<(usize, usize, String, bool)> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut depth = 0usize;
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b':';
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' | b'`' => {
                // skip a string
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' && q != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'#' => {
                // a comment runs to the end of the line
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ if depth > 0 && text[i..].starts_with("job") && (i == 0 || !ident(b[i - 1])) && !b.get(i + 3).is_some_and(|c| ident(*c)) => {
                let start = i;
                let mut j = i + 3;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let regex = match (b.get(j), b.get(j + 1)) {
                    (Some(b'='), Some(b'~')) => {
                        j += 2;
                        true
                    }
                    (Some(b'='), _) => {
                        j += 1;
                        false
                    }
                    _ => {
                        i += 3;
                        continue;
                    }
                };
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let Some(&q) = b.get(j).filter(|c| matches!(c, b'"' | b'\'' | b'`')) else {
                    i = j;
                    continue;
                };
                let vstart = j + 1;
                let mut k = vstart;
                let mut escaped = false;
                while k < b.len() && b[k] != q {
                    if b[k] == b'\\' && q != b'`' {
                        escaped = true;
                        k += 1;
                    }
                    k += 1;
                }
                if k >= b.len() {
                    break;
                }
                let value = &text[vstart..k];
                if !escaped && !value.contains('$') {
                    out.push((start, k + 1 - start, value.to_string(), regex));
                }
                i = k + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The `job` label values the stack's Prometheus produces by scraping, `None` when they are
/// not all known here: its `settings` hold scrape configs, or it takes series it does not
/// scrape (`remote_write_receiver` asked for, `otlp_receiver`), whose `job` is the sender's.
/// The self-scrape jobs come from the facts table ([`crate::programs`]), as the Prometheus
/// backend writes them; the Kubernetes target (and so the Helm chart) adds `kubernetes-pods`
/// when it discovers pods (`service_discovery`).
pub(super) fn scrape_jobs(stack: &ir::Stack, remote_write_asked: bool) -> Option<BTreeSet<String>> {
    let p = stack.prometheus.as_ref()?;
    if p.otlp_receiver || remote_write_asked || p.settings.get("scrape_configs").is_some() {
        return None;
    }
    let mut jobs: BTreeSet<String> = crate::programs::enabled(stack).into_iter().filter_map(|c| c.facts().self_scrape.map(|s| s.job.to_string())).collect();
    for s in &p.scrapes {
        // a target label `job` replaces the job name
        jobs.insert(s.labels.get("job").cloned().unwrap_or_else(|| s.name.clone()));
    }
    // the Helm chart renders the kubernetes target's settings (or their defaults, without)
    if stack.targets.kubernetes.as_ref().is_some_and(|k| k.service_discovery) {
        jobs.insert("kubernetes-pods".into());
    }
    Some(jobs)
}

impl<'a> Checker<'a> {
    /// Gather the `job` matchers of a PromQL query literal at `loc` (see [`JobRef`]).
    pub(super) fn gather_jobs(&mut self, q: &QueryVal, loc: Loc) {
        for (off, len, value, regex) in job_matchers(&q.text) {
            let at = super::promql::query_span(q, off, len).map_or(loc, |span| Loc { file: loc.file, span });
            self.job_refs.push(JobRef { value, regex, at, query: loc, imported: None, label: false });
        }
    }

    /// Gather the stream-selector labels of a LogQL query literal at `loc` (W0404).
    pub(super) fn gather_stream_labels(&mut self, q: &QueryVal, loc: Loc) {
        for (off, len, name) in crate::sema::logql::positive_stream_matchers(&q.text) {
            let at = super::promql::query_span(q, off, len).map_or(loc, |span| Loc { file: loc.file, span });
            self.job_refs.push(JobRef { value: name, regex: false, at, query: loc, imported: None, label: true });
        }
    }

    /// Forget what the queries at `queries` refer to when they go to datasource `ds` that is
    /// not the stack's own program for them: `job` matchers unless it is `prometheus`, stream
    /// labels unless it is `loki`.
    pub(super) fn forget_refs(&mut self, queries: &[Loc], ds: &str) {
        self.job_refs.retain(|r| !queries.contains(&r.query) || ds == if r.label { Component::Loki.name() } else { Component::Prometheus.name() });
    }

    /// W0404 for each gathered LogQL stream label outside `declared` (the `loki` block's
    /// `stream_labels`, with Loki's own `service_name`), and nothing when none are declared.
    /// Takes the label refs, leaving the `job` ones.
    pub(super) fn check_stream_labels(&mut self, declared: Option<&[String]>) {
        let (labels, jobs): (Vec<JobRef>, Vec<JobRef>) = std::mem::take(&mut self.job_refs).into_iter().partition(|r| r.label);
        self.job_refs = jobs;
        let Some(declared) = declared else { return };
        let mut seen = HashSet::new();
        for r in labels {
            if r.at.file.path(self.db).starts_with("<std>") || declared.contains(&r.value) || LOKI_OWN_LABELS.contains(&r.value.as_str()) || !seen.insert((r.at, r.value.clone())) {
                continue;
            }
            let d = self.error("W0404", r.at, format!("no stream has the label `{}`: the stack's `stream_labels` do not include it", r.value));
            let known: Vec<&str> = declared.iter().map(String::as_str).chain(LOKI_OWN_LABELS.iter().copied()).collect();
            d.hint = Some(did_you_mean(&r.value, known.iter().copied()).unwrap_or_else(|| {
                format!("the streams' labels are {}; add `{}` to `loki {{ stream_labels = […] }}` if a log shipper sets it", known.join(", "), r.value)
            }));
        }
    }

    /// W0403 for each gathered `job` matcher that no scrape job of the stack produces
    /// (`jobs` from [`scrape_jobs`]; nothing is judged when it is `None`).
    pub(super) fn check_jobs(&mut self, jobs: Option<&BTreeSet<String>>) {
        let refs = std::mem::take(&mut self.job_refs);
        let Some(jobs) = jobs else { return };
        let mut seen = HashSet::new();
        for r in refs {
            // the bundled modules name each component's own job, for every stack (a rule about
            // a component the stack does not enable never fires)
            if r.at.file.path(self.db).starts_with("<std>") {
                continue;
            }
            let hit = if r.regex {
                match regex::Regex::new(&format!("^(?:{})$", r.value)) {
                    Ok(re) => jobs.iter().any(|j| re.is_match(j)),
                    // a regex that does not compile is the parser's error, reported already
                    Err(_) => true,
                }
            } else {
                jobs.contains(&r.value)
            };
            if hit || !seen.insert((r.at, r.value.clone(), r.imported.clone())) {
                continue;
            }
            let shown: Vec<&str> = jobs.iter().map(String::as_str).collect();
            let what = if r.regex { format!("`job=~\"{}\"` matches no scrape job of the stack", r.value) } else { format!("no scrape job of the stack is called `{}`", r.value) };
            let msg = match &r.imported {
                Some(rule) => format!("{rule}: {what}: the selector matches no series"),
                None => format!("{what}: the selector matches no series"),
            };
            let d = self.error("W0403", r.at, msg);
            if r.imported.is_some() {
                d.label = Some("imported here".into());
            }
            let near = if r.regex { None } else { did_you_mean(&r.value, shown.iter().copied()) };
            d.hint = Some(match near {
                Some(h) => h,
                None if shown.is_empty() => "the stack's Prometheus scrapes nothing: add a `scrape NAME { targets = [\"host:port\"] }` block".into(),
                None => format!(
                    "the stack's scrape jobs: {}; add `scrape {} {{ targets = [\"host:port\"] }}` to `prometheus` if the job is missing, or fix the name",
                    shown.join(", "),
                    if !r.regex && r.value.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') { r.value.clone() } else { "NAME".to_string() }
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Database;

    #[test]
    fn job_matchers_are_the_positive_ones_in_selectors() {
        let m = |t: &str| job_matchers(t).into_iter().map(|(o, l, v, r)| (t[o..o + l].to_string(), v, r)).collect::<Vec<_>>();
        assert_eq!(m(r#"absent(up{job="apiserver"})"#), [(r#"job="apiserver""#.to_string(), "apiserver".to_string(), false)]);
        assert_eq!(m(r#"up{instance="a", job =~ 'n.*'}"#), [(r#"job =~ 'n.*'"#.to_string(), "n.*".to_string(), true)]);
        // negative matchers, grouping labels, other labels ending in `job`, strings and
        // Grafana variables are not job references
        for t in [
            r#"up{job!="x"}"#,
            r#"up{job!~"x"}"#,
            r#"sum by (job) (up)"#,
            r#"up{cronjob="x", job_name="y"}"#,
            r#"label_replace(up, "job", "$1", "instance", "(.*)")"#,
            r#"up{job="$job"}"#,
            r#"up{job=~"${job:regex}"}"#,
            r#"up{job="a\"b"}"#,
            "up # {job=\"x\"}",
            r#"up{job="unclosed"#,
        ] {
            assert_eq!(m(t), [], "{t}");
        }
        assert_eq!(m(r#"a{job="x"} / on(job) b{job="y"}"#).len(), 2);
    }

    /// A stack's own query on a missing job warns; the bundled self-monitoring, whose rules
    /// and dashboards name every component's job, does not for the components left out.
    #[test]
    fn own_queries_warn_and_the_bundled_modules_do_not() {
        let src = "import std.selfmon\nstack s {\n  prometheus {}\n  grafana {}\n}\nalert A { expr = promql`absent(up{job=\"loki\"})` }\n";
        let mut db = Database::default();
        let f = db.set_file(std::path::Path::new("/s.gstack"), src.to_string());
        let checked = check_stack(&db, f);
        let w: Vec<_> = checked.diagnostics.iter().filter(|d| d.code == "W0403").map(|d| (d.location.as_ref().unwrap().file.display().to_string(), d.message.clone())).collect();
        assert_eq!(w, [("/s.gstack".to_string(), "no scrape job of the stack is called `loki`: the selector matches no series".to_string())]);
    }

    /// W0404: a positive stream matcher on a label outside the declared `stream_labels` and
    /// Loki's own `service_name` warns, at the label; negative and empty matchers, another
    /// Loki datasource's queries and a stack without `stream_labels` are not judged.
    #[test]
    fn stream_labels_warn_only_when_declared_and_on_the_stacks_loki() {
        let w0404 = |loki: &str| -> Vec<(String, String)> {
            let src = format!(
                "stack s {{\n  prometheus {{}}\n  loki {{ {loki} }}\n  grafana {{}}\n}}\ndatasource archive {{ type = loki, url = \"http://archive:3100\" }}\ndashboard d {{\n  logs \"Own\" {{ query = logql`{{app=\"shop\", env=\"prod\", pod!=\"x\", tier=\"\", service_name=~\"web.*\"}} |= \"error\"` }}\n  logs \"Archive\" {{ query = logql`{{region=\"eu\"}}`, datasource = archive }}\n}}\n"
            );
            let mut db = Database::default();
            let f = db.set_file(std::path::Path::new("/s.gstack"), src.clone());
            let checked = check_stack(&db, f);
            checked
                .diagnostics
                .iter()
                .filter(|d| d.code == "W0404")
                .map(|d| {
                    let sp = d.location.as_ref().unwrap().span.clone();
                    (src[sp.start as usize..sp.end as usize].to_string(), d.message.clone())
                })
                .collect()
        };
        assert_eq!(w0404("stream_labels = [\"app\"]"), [("env".to_string(), "no stream has the label `env`: the stack's `stream_labels` do not include it".to_string())]);
        assert_eq!(w0404("stream_labels = [\"app\", \"env\"]"), []);
        assert_eq!(w0404(""), []);
    }

    /// Series pushed to Prometheus carry the sender's `job`: nothing is judged then
    /// (`compiler/tests/scrape_jobs.rs` compares the jobs with every target's `prometheus.yml`).
    #[test]
    fn pushed_series_leave_jobs_unknown() {
        let mut db = Database::default();
        let f = db.set_file(std::path::Path::new("/s.gstack"), "stack s {\n  prometheus {}\n}\n".to_string());
        let checked = check_stack(&db, f);
        let stack = checked.stack.as_ref().unwrap();
        assert_eq!(scrape_jobs(stack, false), Some(["prometheus".to_string()].into_iter().collect()));
        assert_eq!(scrape_jobs(stack, true), None);
    }
}
