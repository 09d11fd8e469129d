//! `grafana { correlations = { … } }` resolved against the stack: each link gets the stack's own
//! wiring as its default (traces → the stack's Loki and Prometheus, log trace ids and exemplars
//! → its Tempo), the record given merges over it, and a link the stack cannot serve is an error
//! (E0300 for a component it does not enable, E0301/E0302 for a datasource it lacks or of
//! another kind): Grafana would show a link that leads nowhere.

use super::*;

/// What the correlations are resolved against: the components the stack enables and its
/// datasources (name → plugin id, and the resolved reference).
pub(super) struct Wiring<'w> {
    pub on: &'w dyn Fn(Component) -> bool,
    /// Tempo's metrics generator runs (its exemplars carry `traceID`).
    pub generator: bool,
    /// …with `service_graphs` (the series Tempo's service map draws).
    pub service_graphs: bool,
    pub ds_types: &'w BTreeMap<String, String>,
    pub refs: &'w BTreeMap<String, ir::DsRef>,
}

/// A record of `schema` with no fields: its accessors give the schema's defaults.
fn defaults(schema: &'static Schema, loc: Loc) -> Rec {
    Rec {
        kind: schema.name.into(),
        schema,
        label: None,
        doc: None,
        loc,
        fields: HashMap::new(),
        blocks: vec![],
        panels: vec![],
        settings: Settings::new(),
        settings_at: BTreeMap::new(),
        value: None,
        vars: vec![],
    }
}

fn tags(r: &Rec, default: &[(&str, &str)]) -> BTreeMap<String, String> {
    match r.get("tags") {
        Some(CV::Map(m)) => m.clone(),
        _ => default.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

impl<'a> Checker<'a> {
    /// The resolved correlations of the stack's datasources (`grafana` the `grafana` block).
    pub(super) fn correlations(&mut self, grafana: Option<&Rec>, w: &Wiring) -> ir::Correlations {
        let Some(g) = grafana else { return ir::Correlations::default() };
        let (c, at) = match g.fields.get("correlations") {
            Some((CV::Record(r), l)) => (r.clone(), *l),
            _ => (defaults(&schema::CORRELATIONS, g.loc), g.loc),
        };
        let given = |k: &str| c.fields.get(k).map(|(_, l)| *l);
        let tempo = (w.on)(Component::Tempo);
        // a span link of a stack without Tempo has no spans to start from
        for k in ["traces_to_logs", "traces_to_metrics", "traces_to_profiles", "service_map", "loki_search"] {
            if let (Some(l), false) = (given(k), tempo) {
                let d = self.error("E0300", l, format!("`{k}` links Tempo's traces, and the stack does not enable tempo"));
                d.hint = Some("add `tempo {}` to the stack, or drop it".into());
            }
        }
        let link = |ck: &mut Self, k: &str, schema: &'static Schema| -> Option<Rec> {
            match c.fields.get(k) {
                Some((CV::Record(r), _)) => (!matches!(r.get("enabled"), Some(CV::Bool(false)))).then(|| r.clone()),
                _ if tempo => {
                    let _ = ck;
                    Some(defaults(schema, at))
                }
                _ => None,
            }
        };
        let mut out = ir::Correlations { node_graph: tempo && c.bool_d("node_graph"), ..Default::default() };
        if !tempo {
            // Loki's and Prometheus' links lead to traces: without Tempo they need a datasource of their own
            out.derived_fields = self.derived_fields(&c, w);
            out.exemplars = self.exemplars(&c, w);
            return out;
        }
        if let Some(r) = link(self, "traces_to_logs", &schema::TRACES_TO_LOGS) {
            let explicit = given("traces_to_logs").is_some();
            if let Some(uid) = self.link_datasource(&r, Component::Loki, &["loki"], "traces_to_logs", explicit.then_some(at), w) {
                out.traces_to_logs = Some(ir::TraceLink {
                    datasource_uid: uid,
                    tags: tags(&r, &[("service.name", "service_name")]),
                    query: r.str("query"),
                    queries: BTreeMap::new(),
                    start_shift: Some(r.dur_d("start_shift")),
                    end_shift: Some(r.dur_d("end_shift")),
                    filter_by_trace_id: r.bool_d("filter_by_trace_id"),
                    filter_by_span_id: r.bool_d("filter_by_span_id"),
                    profile_type_id: None,
                });
            }
        }
        if let Some(r) = link(self, "traces_to_metrics", &schema::TRACES_TO_METRICS) {
            let explicit = given("traces_to_metrics").is_some();
            if let Some(uid) = self.link_datasource(&r, Component::Prometheus, &["prometheus"], "traces_to_metrics", explicit.then_some(at), w) {
                let queries = r.map("queries");
                for (name, q) in &queries {
                    // `$__tags` is the tags' matchers: `{$__tags}`, or after others
                    if let Some(why) = crate::sema::query::promql_problem(&q.replace("$__tags", "__tags=\"\""), true) {
                        let l = r.fields.get("queries").map_or(at, |(_, l)| *l);
                        self.error("E0400", l, format!("the traces-to-metrics query `{name}` is not PromQL: {why}")).hint =
                            Some("write the query as for a panel, with `$__tags` where the span's tags go: `sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))`".into());
                    }
                }
                out.traces_to_metrics = Some(ir::TraceLink {
                    datasource_uid: uid,
                    tags: tags(&r, &[("service.name", "service")]),
                    query: None,
                    queries,
                    start_shift: r.dur("start_shift"),
                    end_shift: r.dur("end_shift"),
                    filter_by_trace_id: false,
                    filter_by_span_id: false,
                    profile_type_id: None,
                });
            }
        }
        if let Some((CV::Record(r), _)) = c.fields.get("traces_to_profiles") {
            let pyroscope = &["grafana-pyroscope-datasource"];
            if let Some(uid) = self.link_datasource(r, Component::Grafana, pyroscope, "traces_to_profiles", Some(at), w) {
                out.traces_to_profiles = Some(ir::TraceLink {
                    datasource_uid: uid,
                    tags: tags(r, &[("service.name", "service_name")]),
                    query: r.str("query"),
                    queries: BTreeMap::new(),
                    start_shift: None,
                    end_shift: None,
                    filter_by_trace_id: false,
                    filter_by_span_id: false,
                    profile_type_id: r.str("profile_type_id"),
                });
            }
        }
        // the service map draws `traces_service_graphs_*`, which only the generator's
        // `service_graphs` processor writes, into the stack's Prometheus
        let prometheus = (w.on)(Component::Prometheus);
        out.service_map = match (c.fields.get("service_map"), prometheus && w.service_graphs) {
            (Some((CV::Bool(true), l)), false) => {
                let d = self.error("E0300", *l, "Tempo's service map draws the series of its metrics generator's `service_graphs`, which this stack does not write");
                d.hint = Some(if prometheus {
                    "add `generator = [service_graphs]` to `tempo`, or drop `service_map`".into()
                } else {
                    "add `prometheus {}` to the stack and `generator = [service_graphs]` to `tempo`, or drop `service_map`".into()
                });
                None
            }
            (Some((CV::Bool(false), _)), _) | (None, false) => None,
            _ => Some("prometheus".into()),
        };
        out.loki_search = match (c.fields.get("loki_search"), (w.on)(Component::Loki)) {
            (Some((CV::Bool(true), l)), false) => {
                self.error("E0300", *l, "`loki_search` searches traces by Loki's logs, and the stack does not enable loki").hint =
                    Some("add `loki {}` to the stack, or drop `loki_search`".into());
                None
            }
            (Some((CV::Bool(false), _)), _) | (None, false) => None,
            _ => Some("loki".into()),
        };
        out.derived_fields = self.derived_fields(&c, w);
        out.exemplars = self.exemplars(&c, w);
        out
    }

    /// The datasource uid a link goes to: its `datasource` (of one of the plugins `want`), else
    /// the stack's `component`; `None` (an error when `explicit` is where the link was given)
    /// when there is neither.
    fn link_datasource(&mut self, r: &Rec, component: Component, want: &[&str], what: &str, explicit: Option<Loc>, w: &Wiring) -> Option<String> {
        if let Some((CV::Ref(name, loc), _)) = r.fields.get("datasource") {
            return self.datasource_of(name, *loc, want, what, w);
        }
        if component != Component::Grafana && (w.on)(component) {
            return Some(component.name().to_string());
        }
        if let Some(l) = explicit {
            let d = self.error("E0300", l, format!("`{what}` needs a {} datasource: the stack does not enable {}", want[0], component.name()));
            d.hint = Some(format!("add `{} {{}}` to the stack, or set `datasource` to a declared {} datasource", component.name(), want[0]));
        }
        None
    }

    /// The uid of declared or stack datasource `name`, which must be one of the plugins `want`.
    fn datasource_of(&mut self, name: &str, loc: Loc, want: &[&str], what: &str, w: &Wiring) -> Option<String> {
        match w.ds_types.get(name) {
            None => {
                let d = self.error("E0301", loc, format!("there is no datasource `{name}`"));
                d.hint = did_you_mean(name, w.ds_types.keys().map(String::as_str));
                None
            }
            Some(t) if !want.contains(&t.as_str()) => {
                self.error("E0302", loc, format!("datasource `{name}` is {t}; `{what}` links to {}", want.join(" or ")));
                None
            }
            Some(_) => w.refs.get(name).map(|r| r.uid.clone()),
        }
    }

    /// Loki's derived fields: the given list, else a `TraceID` from the `trace_id` label to the
    /// stack's Tempo (when both run).
    fn derived_fields(&mut self, c: &Rec, w: &Wiring) -> Vec<ir::DerivedField> {
        let Some((CV::List(xs), _)) = c.fields.get("derived_fields") else {
            if (w.on)(Component::Loki) && (w.on)(Component::Tempo) {
                return vec![ir::DerivedField {
                    name: "TraceID".into(),
                    matcher_type: "label".into(),
                    matcher_regex: "trace_id".into(),
                    datasource_uid: Some("tempo".into()),
                    url: "${__value.raw}".into(),
                    url_display_label: Some("View trace".into()),
                    new_tab: false,
                }];
            }
            return vec![];
        };
        let mut out = vec![];
        for x in xs {
            let CV::Record(r) = x else { continue };
            let head = Loc { file: r.loc.file, span: r.loc.span };
            let (matcher_type, matcher_regex) = match (r.str("label"), r.str("regex")) {
                (Some(l), None) => ("label", l),
                (None, Some(re)) => ("regex", re),
                (Some(_), Some(_)) => {
                    self.error("E0201", head, "a derived field takes its value from a `label` or a `regex`, not both");
                    continue;
                }
                (None, None) => {
                    self.error("E0202", head, "a derived field needs `label = \"trace_id\"` or `regex = \"traceID=(\\\\w+)\"`");
                    continue;
                }
            };
            let uid = match r.fields.get("datasource") {
                Some((CV::Ref(name, loc), _)) => self.datasource_of(name, *loc, &TRACING, "a derived field", w),
                _ => None,
            };
            let url = r.str("url");
            if uid.is_none() && url.is_none() && !r.fields.contains_key("datasource") {
                self.error("E0202", head, "a derived field links to a `datasource` or a `url`").hint =
                    Some("`datasource = tempo` opens the trace; `url = \"https://…/${__value.raw}\"` an external page".into());
                continue;
            }
            out.push(ir::DerivedField {
                name: r.req_str("name"),
                matcher_type: matcher_type.into(),
                matcher_regex,
                datasource_uid: uid,
                url: url.unwrap_or_else(|| "${__value.raw}".into()),
                url_display_label: r.str("url_display_label"),
                new_tab: r.bool_d("new_tab"),
            });
        }
        out
    }

    /// Prometheus' exemplar links: the given list, else `trace_id` (and, with Tempo's metrics
    /// generator, its `traceID`: its `trace_id_label_name` default) to the stack's Tempo.
    fn exemplars(&mut self, c: &Rec, w: &Wiring) -> Vec<ir::ExemplarLink> {
        let tempo = (w.on)(Component::Tempo);
        let Some((CV::List(xs), _)) = c.fields.get("exemplars") else {
            if !((w.on)(Component::Prometheus) && tempo) {
                return vec![];
            }
            let mut labels = vec!["trace_id"];
            if w.generator {
                labels.push("traceID");
            }
            let to_tempo = |l: &str| ir::ExemplarLink { label: l.into(), datasource_uid: Some("tempo".into()), url: None, url_display_label: "View trace".into() };
            return labels.into_iter().map(to_tempo).collect();
        };
        let mut out = vec![];
        for x in xs {
            let CV::Record(r) = x else { continue };
            let label = r.req_str("label");
            if !is_label_name(&label) {
                let l = r.fields.get("label").map_or(r.loc, |(_, l)| *l);
                self.error("E0204", l, format!("`{}` is not a Prometheus label name", label.escape_debug())).hint =
                    Some("an exemplar label is letters, digits and `_`, not starting with a digit: `trace_id`".into());
            }
            let url = r.str("url");
            let uid = match r.fields.get("datasource") {
                Some((CV::Ref(name, loc), _)) => self.datasource_of(name, *loc, &TRACING, "an exemplar", w),
                _ if url.is_none() && tempo => Some("tempo".into()),
                _ if url.is_none() => {
                    self.error("E0202", r.loc, "an exemplar link goes to a `datasource` or a `url`, and the stack runs no tempo").hint =
                        Some("set `datasource` to a declared tracing datasource, or `url = \"https://…/${__value.raw}\"`".into());
                    None
                }
                _ => None,
            };
            out.push(ir::ExemplarLink { label, datasource_uid: uid, url, url_display_label: r.str_d("url_display_label") });
        }
        out
    }
}

/// The tracing datasources a log line or an exemplar can open a trace in.
const TRACING: [&str; 3] = ["tempo", "jaeger", "zipkin"];

/// Prometheus' label name grammar: `[a-zA-Z_][a-zA-Z0-9_]*`.
fn is_label_name(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
