//! Datasources, dashboards, rows, panels, links, overrides, and `alert`/`log_alert` rules.

use super::*;

/// The dashboard variable constructors (`var x = query(…)`, …), Grafana's variable types.
pub const VARIABLE_CTORS: &[&str] = &["query", "custom", "interval", "datasource", "constant", "textbox", "adhoc"];

/// The panel block keywords, one per built-in Grafana panel ([`PANEL_KIND_DEFS`] gives each
/// its plugin id and options; no Angular-era panels).
pub const PANEL_KINDS: &[&str] = &[
    "timeseries", "stat", "gauge", "bargauge", "table", "logs", "traces", "nodeGraph", "heatmap", "histogram", "piechart", "text", "state_timeline",
    "status_history", "barchart", "geomap", "canvas", "xychart", "trend", "alertlist", "annolist", "dashlist", "news",
];

pub(super) const QUERY_ANY: Ty = Ty::Query(&[QueryLang::Promql, QueryLang::Logql, QueryLang::Traceql, QueryLang::Sql]);

/// What every panel's block says of itself (Grafana's panel JSON model).
pub(super) const PANEL_DOC: &str = "A dashboard panel; its kind is Grafana's panel plugin id and its label the title.";

/// The fields every panel kind takes.
pub(super) static PANEL_FIELDS: &[FieldDef] = &[
    f("query", QUERY_ANY, None, "The panel's query."),
    f("queries", Ty::ListOf(&QUERY_ANY), None, "Several queries."),
    f("datasource", Ty::Ref(RefKind::Datasource), None, "Datasource; default the stack's component for the query language."),
    f("unit", Ty::Word, None, "Grafana unit id (`reqps`, `percentunit`, `bytes`, `s`, …)."),
    f("thresholds", Ty::Thresholds, None, "`[0.8: yellow, 0.9: red]`; the base colour is green."),
    f("description", Ty::Str, None, "Panel description."),
    f("legend", Ty::Str, None, "Legend format (`{{route}}`)."),
    f("width", Ty::Int, None, "Width in grid units (1–24); default from the automatic layout."),
    f("height", Ty::Int, None, "Height in grid units."),
    f("content", Ty::Str, None, "Markdown content of a `text` panel."),
    f("repeat", Ty::Word, None, "Repeat the panel for each value of this dashboard variable (`repeat = service`)."),
    f("links", Ty::ListOf(&Ty::Record(&LINK)), None, "Panel links: `[{ title = \"Runbook\", url = \"https://…\" }]`."),
    f("time_from", Ty::Duration, None, "A relative time range of its own (Grafana's `timeFrom`)."),
    f("time_shift", Ty::Duration, None, "Shift the time range back (Grafana's `timeShift`)."),
    f("decimals", Ty::Int, None, "Decimals shown, 0–20 (`fieldConfig.defaults.decimals`)."),
    f("min", Ty::Num, None, "Scale minimum (`min`)."),
    f("max", Ty::Num, None, "Scale maximum (`max`); above `min`."),
    f("no_value", Ty::Str, None, "Text shown when there is no value (`noValue`)."),
    f("mappings", Ty::StrMap, None, "Values shown as text: `[\"0\": \"down\", \"1\": \"up\"]` (value mappings)."),
    f("threshold_mode", Ty::Enum(&["absolute", "percentage"]), None, "Whether `thresholds` are values or percentages of the min–max range."),
    f("draw_style", Ty::Enum(&["line", "bars", "points"]), None, "How a `timeseries` draws its series (`custom.drawStyle`)."),
    f("line_width", Ty::Int, None, "A `timeseries` line's width, 0–10 px (`custom.lineWidth`)."),
    f("fill_opacity", Ty::Int, None, "How opaque a `timeseries` fills below its lines, 0–100 % (`custom.fillOpacity`)."),
    f("stack", Ty::Enum(&["none", "normal", "percent"]), None, "Stack a `timeseries`' series (`custom.stacking.mode`)."),
    f("tooltip", Ty::Enum(&["single", "multi", "none"]), None, "A `timeseries`' tooltip: one series, all, or none (`options.tooltip.mode`)."),
    f("legend_mode", Ty::Enum(&["list", "table", "hidden"]), None, "A `timeseries`' legend (`options.legend.displayMode`)."),
    f("legend_placement", Ty::Enum(&["bottom", "right"]), None, "Where a `timeseries`' legend goes (`options.legend.placement`)."),
    f("color_mode", Ty::Enum(COLOR_MODES), None, "How values are coloured (`fieldConfig.defaults.color.mode`): `thresholds`, `\"palette-classic\"`, `fixed`, …"),
    f("null_text", Ty::Str, None, "Text shown for a null value (a `special` value mapping matching `null`): `\"N/A\"`."),
    f("max_data_points", Ty::Int, None, "The most points a query returns (`maxDataPoints`)."),
    f("x", Ty::Int, None, "Its column on the 24-column grid (0–23, `gridPos.x`), with `y`: a place of its own instead of the automatic layout's."),
    f("y", Ty::Int, None, "Its row on the grid (`gridPos.y`, from the dashboard's top), with `x`."),
];

/// Grafana's field colour modes (`FieldColorModeId`, packages/grafana-data/src/types/fieldColor.ts).
pub const COLOR_MODES: &[&str] = &[
    "thresholds", "palette-classic", "palette-classic-by-name", "continuous-GrYlRd", "continuous-RdYlGr", "continuous-BlYlRd", "continuous-YlRd",
    "continuous-BlPu", "continuous-YlBl", "continuous-blues", "continuous-reds", "continuous-greens", "continuous-purples", "fixed", "shades",
];

/// A panel of no particular kind (what a `fn` returning a panel is checked against; each kind
/// has its own schema in [`PANEL_KIND_DEFS`]).
pub static PANEL: Schema = Schema { settings: true, ..schema("panel", PANEL_DOC, PANEL_FIELDS, PANEL_BLOCKS) };

pub(super) const PANEL_BLOCKS: &[BlockDef] = &[OVERRIDE_BLOCK, TARGET_BLOCK, TRANSFORM_BLOCK];
pub(super) const OVERRIDE_BLOCK: BlockDef = b("override", Labelled, true, &OVERRIDE, OVERRIDE_DOC);
pub(super) const OVERRIDE_DOC: &str = "Field override: `override \"errors\" { unit = percent, color = red }`.";
pub(super) const TRANSFORM_BLOCK: BlockDef = b("transform", Labelled, true, &TRANSFORM, "A transformation, its label Grafana's transformer id: `transform organize { exclude = [\"Time\"] }`.");
pub(super) const TARGET_BLOCK: BlockDef = b("target", Labelled, true, &TARGET, "A query with options of its own, its label the refId: `target \"p99\" { query = promql`…`, legend = \"p99\", instant = true }`.");


/// The doc of a panel's `options { … }`.
pub const OPTIONS_DOC: &str = "The panel's own options (Grafana's `options`), typed by its kind: `piechart \"Share\" { options { pie_type = donut } }`. Names are Grafana's keys in snake_case; they merge over the panel's defaults, and anything not typed goes in `settings { … }`.";
/// The doc of a panel's `custom { … }`.
pub const CUSTOM_DOC: &str = "The panel's field config (Grafana's `fieldConfig.defaults.custom`), typed by its kind: `barchart \"Sizes\" { custom { fill_opacity = 80 } }`.";

pub static TARGET: Schema = schema(
    "target",
    "One query of a panel with its own options (a Grafana panel target; its label is the `refId`), after the panel's `query` and `queries`.",
    &[
        req("query", QUERY_ANY, "The query."),
        f("legend", Ty::Str, None, "Its series' legend (`legendFormat`: `{{route}}`); default the panel's `legend`. PromQL and LogQL."),
        f("instant", Ty::Bool, None, "Evaluate at the end of the range only (`instant`), as a table or stat wants; default a range query. PromQL and LogQL."),
        f("format", Ty::Enum(&["time_series", "table", "heatmap"]), None, "How Grafana reads the result (`format`). PromQL."),
        f("interval", Ty::Duration, None, "The smallest step it is evaluated at (`interval`, Grafana's min interval)."),
        f("hide", Ty::Bool, Some(Lit::Bool(false)), "Run it, but do not show it (`hide`): for expressions that use it."),
    ],
    &[],
);

pub static LINK: Schema = schema(
    "link",
    "A link on a dashboard or panel (Grafana's `DashboardLink` of type `link`).",
    &[
        req("title", Ty::Str, "Text of the link."),
        req("url", Ty::Str, "Where it goes."),
        f("new_tab", Ty::Bool, Some(Lit::Bool(false)), "Open in a new tab (`targetBlank`)."),
    ],
    &[],
);

/// An `override` schema: the field config of every panel, and with `$custom` (a panel kind's
/// field config) the `custom` properties of its kind.
macro_rules! override_schema {
    ($name:ident $(, $custom:expr)?) => {
        pub static $name: Schema = schema(
            "override",
            "Field config for the fields named by the label (`byName`, or `byRegexp` with `regex = true`).",
            &[
                f("regex", Ty::Bool, Some(Lit::Bool(false)), "The label is a regular expression."),
                f("unit", Ty::Word, None, "Grafana unit id."),
                f("color", Ty::Word, None, "A fixed colour."),
                f("display_name", Ty::Str, None, "Display name of the field."),
                f("decimals", Ty::Int, None, "Decimals shown."),
                f("min", Ty::Num, None, "Axis/scale minimum."),
                f("max", Ty::Num, None, "Axis/scale maximum."),
                $(f("custom", Ty::Record($custom), None, "The panel kind's field config for these fields (`custom.<key>` properties): `custom = { fill_opacity = 0 }`."),)?
            ],
            &[],
        );
    };
}
pub(super) use override_schema;
override_schema!(OVERRIDE);

/// Grafana's variable `sort` values, in the order of their numbers (0–8).
pub const VARIABLE_SORTS: &[&str] = &[
    "disabled", "alphabetical", "alphabetical_desc", "numerical", "numerical_desc", "alphabetical_ci", "alphabetical_ci_desc", "natural", "natural_desc",
];

pub static VARIABLE_OPTIONS: Schema = schema(
    "variable options",
    "How a `query` or `custom` variable offers its values, the last argument of its constructor: `query(prometheus, \"label_values(up, instance)\", { multi = false, include_all = false })` (Grafana's templating model, https://grafana.com/docs/grafana/latest/dashboards/variables/add-template-variables/).",
    &[
        f("multi", Ty::Bool, Some(Lit::Bool(true)), "Several values may be selected at once (`multi`); PromQL then sees a regex alternation, so match it with `=~` (W0310)."),
        f("include_all", Ty::Bool, None, "An `All` option (`includeAll`), a regex of every value unless `all_value` says otherwise; default `true` for a `query` variable, `false` for a `custom` one."),
        f("all_value", Ty::Str, None, "What `All` stands for (`allValue`), like `.*`; needs `include_all`."),
        f("refresh", Ty::Enum(&["on_load", "time_range"]), Some(Lit::Sym("on_load")), "When a query variable's values are fetched again: each dashboard load (`1`) or each time range change (`2`)."),
        f("sort", Ty::Enum(VARIABLE_SORTS), Some(Lit::Sym("alphabetical")), "How a query variable's values are sorted (`sort` 0–8)."),
        f("regex", Ty::Str, None, "Grafana's regex over a query variable's values, to filter or capture: `/.*instance=\\\"([^\\\"]*).*/`."),
        f("label", Ty::Str, None, "The name shown for it (`label`); default its own."),
        f("description", Ty::Str, None, "Its tooltip (`description`)."),
        f("hide", Ty::Enum(&["label", "variable"]), None, "Hide its label, or the whole variable (`hide` 1 or 2)."),
    ],
    &[],
);

pub static ROW: Schema = Schema {
    panels: true,
    ..schema("row", "A dashboard row: a title and its panels.", &[f("collapsed", Ty::Bool, Some(Lit::Bool(false)), "Start collapsed.")], &[])
};

pub static DASHBOARD: Schema = Schema {
    panels: true,
    ..schema(
        "dashboard",
        "A Grafana dashboard, provisioned from a file (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/).",
        &[
            f("title", Ty::Str, None, "Title; default the declaration name."),
            f("uid", Ty::Str, None, "Grafana uid (at most 40 characters); default derived from the name."),
            f("folder", Ty::Str, None, "Folder to provision into."),
            f("tags", STRS, Some(Lit::List(&[])), "Dashboard tags."),
            f("refresh", Ty::Duration, None, "Auto-refresh interval."),
            f("time_from", Ty::Duration, Some(Lit::Dur(6 * HOUR)), "Default time range: now minus this."),
            f("timezone", Ty::Enum(&["browser", "utc"]), Some(Lit::Sym("browser")), "Time zone of the dashboard."),
            f("links", Ty::ListOf(&Ty::Record(&LINK)), None, "Dashboard links: `[{ title = \"Runbook\", url = \"https://…\" }]`."),
            f("needs", Ty::ListOf(&Ty::Enum(&["prometheus", "loki", "tempo", "alertmanager", "node_exporter", "grafana"])), None, "Components it shows: a stack that does not enable them all gets no such (empty) dashboard."),
        ],
        &[b("row", Labelled, true, &ROW, "`row \"Title\" { panels… }`")],
    )
};

pub(super) const SEVERITY: Ty = Ty::Enum(&["critical", "warning", "info"]);

pub static ALERT: Schema = schema(
    "alert",
    "A Prometheus alerting rule (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/).",
    &[
        req("expr", Ty::Query(&[QueryLang::Promql]), "The PromQL condition."),
        f("for", Ty::Duration, Some(Lit::Dur(0)), "How long the condition must hold before firing."),
        f("severity", SEVERITY, None, "The `severity` label."),
        f("summary", Ty::Str, None, "The `summary` annotation (Go templates like `{{ $labels.x }}` allowed)."),
        f("description", Ty::Str, None, "The `description` annotation."),
        f("labels", Ty::StrMap, None, "Extra labels."),
        f("group", Ty::Str, Some(Lit::Str("gstack")), "Rule group name."),
    ],
    &[],
);

pub static LOG_ALERT: Schema = schema(
    "log_alert",
    "A Loki ruler alerting rule (https://grafana.com/docs/loki/latest/alert/).",
    &[
        req("expr", Ty::Query(&[QueryLang::Logql]), "The LogQL condition (a metric query)."),
        f("for", Ty::Duration, Some(Lit::Dur(0)), "How long the condition must hold before firing."),
        f("severity", SEVERITY, None, "The `severity` label."),
        f("summary", Ty::Str, None, "The `summary` annotation."),
        f("description", Ty::Str, None, "The `description` annotation."),
        f("labels", Ty::StrMap, None, "Extra labels."),
        f("group", Ty::Str, Some(Lit::Str("gstack-logs")), "Rule group name."),
    ],
    &[],
);
