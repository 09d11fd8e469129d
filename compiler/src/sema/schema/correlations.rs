//! How Grafana links the stack's signals (`grafana { correlations = { … } }`): the `jsonData`
//! keys of the Tempo, Loki and Prometheus datasources that Grafana's trace view, log details and
//! exemplars read (packages/grafana-o11y-ds-frontend/src/TraceToLogs/TraceToLogsSettings.tsx,
//! TraceToMetrics/TraceToMetricsSettings.tsx, TraceToProfiles/TraceToProfilesSettings.tsx,
//! public/app/plugins/datasource/loki/configuration/DerivedFields.tsx,
//! public/app/plugins/datasource/prometheus … `exemplarTraceIdDestinations`).
//! Every setting has the stack's own wiring as its default; a record given merges over it.

use super::*;

const TAGS: Ty = Ty::StrMap;

pub static TRACES_TO_LOGS: Schema = schema(
    "traces_to_logs",
    "Logs for a span (Tempo's `tracesToLogsV2`): a query of the logs datasource over the span's time, by the span's attributes mapped to log labels.",
    &[
        f("enabled", Ty::Bool, None, "`false` turns the link off; it is on by default when the stack runs Loki."),
        f("datasource", Ty::Ref(RefKind::Datasource), None, "A Loki datasource; default the stack's `loki`."),
        f("tags", TAGS, None, "Span attribute → log label (`tags`): default `[\"service.name\": \"service_name\"]`, the label Loki's OTLP ingest gives `service.name`."),
        f("query", Ty::Str, None, "A query of your own (`customQuery`, `query`), with Grafana's `${__span.traceId}`, `${__tags}`, …; default Grafana's from `tags`."),
        f("start_shift", Ty::Duration, Some(Lit::Dur(5 * MIN)), "Search from this long before the span starts (`spanStartTimeShift`, written negative)."),
        f("end_shift", Ty::Duration, Some(Lit::Dur(5 * MIN)), "Search until this long after it ends (`spanEndTimeShift`)."),
        f("filter_by_trace_id", Ty::Bool, Some(Lit::Bool(true)), "Only lines with the trace id (`filterByTraceID`)."),
        f("filter_by_span_id", Ty::Bool, Some(Lit::Bool(false)), "Only lines with the span id (`filterBySpanID`)."),
    ],
    &[],
);

pub static TRACES_TO_METRICS: Schema = schema(
    "traces_to_metrics",
    "Metrics for a span (Tempo's `tracesToMetrics`): PromQL queries of the metrics datasource, by the span's attributes mapped to labels.",
    &[
        f("enabled", Ty::Bool, None, "`false` turns the link off; it is on by default when the stack runs Prometheus."),
        f("datasource", Ty::Ref(RefKind::Datasource), None, "A Prometheus datasource; default the stack's `prometheus`."),
        f("tags", TAGS, None, "Span attribute → metric label (`tags`); default `[\"service.name\": \"service\"]`."),
        f("queries", TAGS, None, "Link name → PromQL (`queries`), `$__tags` standing for the tags' matchers: `[\"Request rate\": \"sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))\"]`."),
        f("start_shift", Ty::Duration, None, "Query from this long before the span starts (`spanStartTimeShift`, written negative)."),
        f("end_shift", Ty::Duration, None, "Query until this long after it ends (`spanEndTimeShift`)."),
    ],
    &[],
);

pub static TRACES_TO_PROFILES: Schema = schema(
    "traces_to_profiles",
    "Profiles for a span (Tempo's `tracesToProfiles`): a Pyroscope datasource's profiles of the span's service.",
    &[
        req("datasource", Ty::Ref(RefKind::Datasource), "A declared `grafana-pyroscope-datasource`."),
        f("tags", TAGS, None, "Span attribute → profile label (`tags`); default `[\"service.name\": \"service_name\"]`."),
        f("profile_type_id", Ty::Str, None, "The profile type (`profileTypeId`): `process_cpu:cpu:nanoseconds:cpu:nanoseconds`."),
        f("query", Ty::Str, None, "A query of your own (`customQuery`, `query`)."),
    ],
    &[],
);

pub static DERIVED_FIELD: Schema = schema(
    "derived field",
    "A link from a log line (Loki's `derivedFields`): a value found in the line or its labels, linking to a datasource (a trace in Tempo) or a URL.",
    &[
        req("name", Ty::Str, "The field's name in log details."),
        f("label", Ty::Str, None, "Take the value of this label or structured-metadata key (`matcherType` `label`)."),
        f("regex", Ty::Str, None, "Take the first capture group of this regex over the line (`matcherType` `regex`): `traceID=(\\\\w+)`."),
        f("datasource", Ty::Ref(RefKind::Datasource), None, "Link to a query of this datasource, the value as `${__value.raw}` (`datasourceUid`)."),
        f("url", Ty::Str, None, "The link, or with `datasource` the query (default `${__value.raw}`)."),
        f("url_display_label", Ty::Str, None, "The link's text (`urlDisplayLabel`)."),
        f("new_tab", Ty::Bool, Some(Lit::Bool(false)), "Open an external link in a new tab (`targetBlank`)."),
    ],
    &[],
);

pub static EXEMPLAR_LINK: Schema = schema(
    "exemplar link",
    "A link from an exemplar (Prometheus' `exemplarTraceIdDestinations`): the exemplar label holding the trace id, and where it goes.",
    &[
        req("label", Ty::Str, "The exemplar label with the trace id (`name`): `trace_id`."),
        f("datasource", Ty::Ref(RefKind::Datasource), None, "A tracing datasource (`datasourceUid`); default the stack's `tempo` unless `url` is set."),
        f("url", Ty::Str, None, "An external link instead (`url`), with `${__value.raw}`."),
        f("url_display_label", Ty::Str, Some(Lit::Str("View trace")), "The link's text (`urlDisplayLabel`)."),
    ],
    &[],
);

pub static CORRELATIONS: Schema = schema(
    "correlations",
    "How Grafana links the stack's traces, logs, metrics and profiles: the correlation settings of its Tempo, Loki and Prometheus datasources. Each defaults to the stack's own wiring; a record merges over it, a list replaces it.",
    &[
        f("traces_to_logs", Ty::Record(&TRACES_TO_LOGS), None, "Tempo → logs."),
        f("traces_to_metrics", Ty::Record(&TRACES_TO_METRICS), None, "Tempo → metrics."),
        f("traces_to_profiles", Ty::Record(&TRACES_TO_PROFILES), None, "Tempo → profiles (off unless given)."),
        f("service_map", Ty::Bool, None, "Tempo's service map from the stack's Prometheus (`serviceMap`); default on when Tempo's generator runs `service_graphs`, which writes the series it draws."),
        f("node_graph", Ty::Bool, Some(Lit::Bool(true)), "Tempo's node graph of a trace (`nodeGraph.enabled`)."),
        f("loki_search", Ty::Bool, None, "Search traces by logs in Tempo's query editor (`lokiSearch`); default on with Loki."),
        f("derived_fields", Ty::ListOf(&Ty::Record(&DERIVED_FIELD)), None, "Loki's links from log lines; default a `TraceID` from the `trace_id` label to Tempo."),
        f("exemplars", Ty::ListOf(&Ty::Record(&EXEMPLAR_LINK)), None, "Prometheus' exemplar links; default `trace_id` (and Tempo's generator's `traceID`) to Tempo."),
    ],
    &[],
);
