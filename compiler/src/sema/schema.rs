//! Schemas: for every block kind, its fields (name, type, default, doc) and nested blocks.
//! The checker validates evaluated blocks against these tables; the LSP reads them for hover
//! and completion. Defaults follow the programs' own documentation (see
//! `docs/language.md` for links).

use crate::ir::QueryLang;

/// A field's type.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// A nested record `{ a = 1 }` with its own schema.
    Record(&'static Schema),
    /// A bare word or a string (ids such as Grafana units: `unit = reqps`).
    Word,
    Str,
    Int,
    Num,
    Bool,
    /// `15s`, `10m`, `30d` (Prometheus units).
    Duration,
    /// `512MiB`, `50GiB`.
    Bytes,
    /// `500m`, `2`.
    Cpu,
    /// 1–65535.
    Port,
    /// `127.0.0.1`
    Addr,
    Secret,
    /// A string, or a secret reference.
    StrOrSecret,
    /// One of these bare words.
    Enum(&'static [&'static str]),
    ListOf(&'static Ty),
    /// `{ key = "value" }` or `["key": "value"]`: string to string.
    StrMap,
    /// A query literal in one of these languages.
    Query(&'static [QueryLang]),
    /// The name of something declared elsewhere.
    Ref(RefKind),
    /// `[0.8: yellow, 0.9: red]`
    Thresholds,
    /// A dashboard variable constructor: `query(…)`, `custom(…)`, …
    Variable,
}

/// What a [`Ty::Ref`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// An Alertmanager `receiver` of this stack.
    Receiver,
    /// A datasource: a declared `datasource`, or a stack component (`prometheus`, `loki`, `tempo`).
    Datasource,
}

impl Ty {
    /// How the type is shown in messages and hover.
    pub fn describe(&self) -> String {
        match self {
            Ty::Str => "string".into(),
            Ty::Int => "whole number".into(),
            Ty::Num => "number".into(),
            Ty::Bool => "bool".into(),
            Ty::Duration => "duration (e.g. `15s`, `10m`, `30d`)".into(),
            Ty::Bytes => "byte size (e.g. `512MiB`, `50GiB`)".into(),
            Ty::Cpu => "CPU amount (e.g. `500m`, `2`)".into(),
            Ty::Port => "port (1–65535)".into(),
            Ty::Addr => "IPv4 address (e.g. `127.0.0.1`)".into(),
            Ty::Secret => "secret (`secret.file(\"…\")` or `secret.env(\"…\")`)".into(),
            Ty::StrOrSecret => "string or secret".into(),
            Ty::Enum(vs) => format!("one of {}", vs.join(", ")),
            Ty::ListOf(t) => format!("list of {}", t.describe()),
            Ty::StrMap => "map of strings (`{ key = \"value\" }`)".into(),
            Ty::Query(ls) => {
                let names: Vec<_> = ls.iter().map(|l| format!("{}`…`", format!("{l:?}").to_lowercase())).collect();
                format!("query ({})", names.join(" or "))
            }
            Ty::Ref(RefKind::Receiver) => "receiver name".into(),
            Ty::Ref(RefKind::Datasource) => "datasource name".into(),
            Ty::Thresholds => "thresholds (`[0.8: yellow, 0.9: red]`)".into(),
            Ty::Word => "name or string".into(),
            Ty::Record(s) => format!("record `{{ … }}` ({})", s.name),
            Ty::Variable => "variable (`query(…)`, `custom([…])`, `interval([…])`, `datasource(…)`, `constant(…)`)".into(),
        }
    }
}

/// A field's default, typed: what lowering uses when the field is not written, and (through
/// [`Lit::text`]) what hover and `docs/reference.md` show. Each variant goes with the [`Ty`]
/// of the same name (`Sym` with [`Ty::Enum`], `List` with a [`Ty::ListOf`] strings or words);
/// the unit test `every_default_has_its_fields_type` holds them together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lit {
    Port(u16),
    Int(i64),
    /// A duration in **milliseconds** (as [`crate::ir::Duration`]); write it with the unit
    /// constants [`SEC`], [`MIN`], [`HOUR`], [`DAY`]: `Lit::Dur(15 * DAY)`.
    Dur(u64),
    Str(&'static str),
    /// A bare word of a [`Ty::Enum`].
    Sym(&'static str),
    Bool(bool),
    Addr(&'static str),
    /// A list of strings (shown quoted: `["a", "b"]`).
    List(&'static [&'static str]),
}

/// Milliseconds in one unit, for [`Lit::Dur`].
pub const SEC: u64 = 1000;
pub const MIN: u64 = 60 * SEC;
pub const HOUR: u64 = 60 * MIN;
pub const DAY: u64 = 24 * HOUR;

impl Lit {
    /// The default as gstack source text, as hover and the reference show it: `3200`, `14d`,
    /// `"2.9"`, `false`, `[]`, `http`, `127.0.0.1`.
    pub fn text(&self) -> String {
        fn quote(s: &str) -> String {
            format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
        }
        match self {
            Lit::Port(p) => p.to_string(),
            Lit::Int(i) => i.to_string(),
            Lit::Dur(ms) => crate::ir::Duration { millis: *ms }.to_prometheus(),
            Lit::Str(s) => quote(s),
            Lit::Sym(s) | Lit::Addr(s) => s.to_string(),
            Lit::Bool(b) => b.to_string(),
            Lit::List(xs) => format!("[{}]", xs.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", ")),
        }
    }
}

/// One field of a block.
#[derive(Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The default lowering applies when the field is not written (hover and the reference
    /// show [`Lit::text`]). `None`: unset, or computed by lowering (the field's doc says how).
    pub default: Option<Lit>,
    pub doc: &'static str,
}

/// Whether a block kind takes a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelRule {
    None,
    Required,
}

/// A nested block kind.
#[derive(Debug)]
pub struct BlockDef {
    pub kind: &'static str,
    pub label: LabelRule,
    /// May appear more than once.
    pub many: bool,
    pub schema: &'static Schema,
    pub doc: &'static str,
}

/// A block kind's schema.
#[derive(Debug)]
pub struct Schema {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [FieldDef],
    pub blocks: &'static [BlockDef],
    /// Has a freeform `settings { … }` block passed through to the program's file.
    pub settings: bool,
    /// Accepts panels (blocks of a panel kind, or panel values from functions).
    pub panels: bool,
}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
    pub fn block(&self, kind: &str) -> Option<&'static BlockDef> {
        self.blocks.iter().find(|b| b.kind == kind)
    }

    /// The default of field `name`, when it has one.
    pub fn default_of(&self, name: &str) -> Option<&'static Lit> {
        self.field(name).and_then(|f| f.default.as_ref())
    }

    /// The default of field `name` through `get`; a schema without such a default is a bug of
    /// the caller: it panics in debug builds (`tests/defaults.rs` lowers every default) and
    /// gives `T::default()` in release ones.
    fn typed_default<T: Default>(&self, name: &str, what: &str, get: impl Fn(&'static Lit) -> Option<T>) -> T {
        match self.default_of(name).and_then(get) {
            Some(v) => v,
            None => {
                debug_assert!(false, "schema `{}` has no {what} default for `{name}`: {:?}", self.name, self.default_of(name));
                T::default()
            }
        }
    }
    pub fn port_default(&self, name: &str) -> u16 {
        self.typed_default(name, "port", |d| if let Lit::Port(p) = d { Some(*p) } else { None })
    }
    pub fn dur_default(&self, name: &str) -> crate::ir::Duration {
        self.typed_default(name, "duration", |d| if let Lit::Dur(ms) = d { Some(crate::ir::Duration { millis: *ms }) } else { None })
    }
    pub fn str_default(&self, name: &str) -> &'static str {
        self.typed_default(name, "string", |d| if let Lit::Str(s) = d { Some(*s) } else { None })
    }
    pub fn sym_default(&self, name: &str) -> &'static str {
        self.typed_default(name, "word", |d| if let Lit::Sym(s) = d { Some(*s) } else { None })
    }
    pub fn addr_default(&self, name: &str) -> &'static str {
        self.typed_default(name, "address", |d| if let Lit::Addr(a) = d { Some(*a) } else { None })
    }
    pub fn bool_default(&self, name: &str) -> bool {
        self.typed_default(name, "bool", |d| if let Lit::Bool(b) = d { Some(*b) } else { None })
    }
    pub fn list_default(&self, name: &str) -> Vec<String> {
        self.typed_default(name, "list", |d| if let Lit::List(xs) = d { Some(xs.iter().map(|x| x.to_string()).collect()) } else { None })
    }
}

const fn f(name: &'static str, ty: Ty, default: Option<Lit>, doc: &'static str) -> FieldDef {
    FieldDef { name, ty, required: false, default, doc }
}
const fn req(name: &'static str, ty: Ty, doc: &'static str) -> FieldDef {
    FieldDef { name, ty, required: true, default: None, doc }
}
const fn b(kind: &'static str, label: LabelRule, many: bool, schema: &'static Schema, doc: &'static str) -> BlockDef {
    BlockDef { kind, label, many, schema, doc }
}
const fn schema(name: &'static str, doc: &'static str, fields: &'static [FieldDef], blocks: &'static [BlockDef]) -> Schema {
    Schema { name, doc, fields, blocks, settings: false, panels: false }
}

use LabelRule::{None as NoLabel, Required as Labelled};

const STRS: Ty = Ty::ListOf(&Ty::Str);

pub static ADMIN: Schema = schema(
    "admin",
    "Grafana's initial admin account (`[security] admin_user` / `admin_password`).",
    &[
        f("user", Ty::Str, Some(Lit::Str("admin")), "Admin login name."),
        f("password", Ty::Secret, None, "Admin password, by reference; Grafana reads it with `$__file{…}` or `$__env{…}`."),
    ],
    &[],
);

pub static GRAFANA: Schema = Schema {
    settings: true,
    ..schema(
        "grafana",
        "Grafana: dashboards and datasources are provisioned from this stack (https://grafana.com/docs/grafana/latest/administration/provisioning/).",
        &[
            f("version", Ty::Str, Some(Lit::Str("12.2")), "Grafana version; picks the package and image."),
            f("port", Ty::Port, Some(Lit::Port(3000)), "HTTP port (`[server] http_port`)."),
            f("admin", Ty::Record(&ADMIN), None, "`{ user = \"admin\", password = secret.file(\"…\") }`"),
            f("secret_key", Ty::Secret, None, "`[security] secret_key`, by reference."),
        ],
        GRAFANA_ALERTING_BLOCKS,
    )
};

pub static SCRAPE: Schema = schema(
    "scrape",
    "A Prometheus scrape job (`scrape_configs[]`, https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config).",
    &[
        req("targets", STRS, "`host:port` of each target (`static_configs[].targets`)."),
        f("interval", Ty::Duration, None, "`scrape_interval` for this job; default the global one."),
        f("timeout", Ty::Duration, None, "`scrape_timeout`."),
        f("metrics_path", Ty::Str, Some(Lit::Str("/metrics")), "HTTP path of the metrics endpoint."),
        f("scheme", Ty::Enum(&["http", "https"]), Some(Lit::Sym("http")), "`http` or `https`."),
        f("labels", Ty::StrMap, None, "Extra labels attached to every target."),
    ],
    &[],
);

pub static PROMETHEUS: Schema = Schema {
    settings: true,
    ..schema(
        "prometheus",
        "Prometheus: scrapes every enabled component and the user's `scrape` jobs, evaluates `alert` rules (https://prometheus.io/docs/prometheus/latest/configuration/configuration/).",
        &[
            f("version", Ty::Str, Some(Lit::Str("3.5")), "Prometheus version."),
            f("port", Ty::Port, Some(Lit::Port(9090)), "HTTP port (`--web.listen-address`)."),
            f("retention", Ty::Duration, Some(Lit::Dur(15 * DAY)), "`--storage.tsdb.retention.time`."),
            f("retention_size", Ty::Bytes, None, "`--storage.tsdb.retention.size`."),
            f("scrape_interval", Ty::Duration, Some(Lit::Dur(15 * SEC)), "`global.scrape_interval`."),
            f("evaluation_interval", Ty::Duration, Some(Lit::Dur(15 * SEC)), "`global.evaluation_interval`."),
            f("remote_write_receiver", Ty::Bool, Some(Lit::Bool(false)), "`--web.enable-remote-write-receiver`; turned on anyway when Tempo's generator writes here."),
            f("otlp_receiver", Ty::Bool, Some(Lit::Bool(false)), "`--web.enable-otlp-receiver` (Prometheus 3)."),
            f("external_labels", Ty::StrMap, None, "`global.external_labels`."),
        ],
        &[b("scrape", Labelled, true, &SCRAPE, "A scrape job: `scrape app { targets = [\"127.0.0.1:8080\"] }`.")],
    )
};

pub static LOKI: Schema = Schema {
    settings: true,
    ..schema(
        "loki",
        "Loki, single binary with filesystem storage and the tsdb/v13 schema (https://grafana.com/docs/loki/latest/configure/).",
        &[
            f("version", Ty::Str, Some(Lit::Str("3.6")), "Loki version."),
            f("port", Ty::Port, Some(Lit::Port(3100)), "HTTP port (`server.http_listen_port`)."),
            f("grpc_port", Ty::Port, Some(Lit::Port(9096)), "gRPC port (`server.grpc_listen_port`); not 9095, which Tempo uses."),
            f("retention", Ty::Duration, Some(Lit::Dur(31 * DAY)), "`limits_config.retention_period`, enforced by the compactor."),
        ],
        &[],
    )
};

pub static TEMPO: Schema = Schema {
    settings: true,
    ..schema(
        "tempo",
        "Tempo, single binary with local storage and OTLP receivers (https://grafana.com/docs/tempo/latest/configuration/).",
        &[
            f("version", Ty::Str, Some(Lit::Str("2.9")), "Tempo version."),
            f("port", Ty::Port, Some(Lit::Port(3200)), "HTTP port (`server.http_listen_port`)."),
            f("grpc_port", Ty::Port, Some(Lit::Port(9095)), "gRPC port (`server.grpc_listen_port`)."),
            f("otlp_grpc_port", Ty::Port, Some(Lit::Port(4317)), "OTLP/gRPC receiver port."),
            f("otlp_http_port", Ty::Port, Some(Lit::Port(4318)), "OTLP/HTTP receiver port."),
            f("retention", Ty::Duration, Some(Lit::Dur(14 * DAY)), "`compactor.compaction.block_retention`."),
            f(
                "generator",
                Ty::ListOf(&Ty::Enum(&["service_graphs", "span_metrics", "local_blocks"])),
                Some(Lit::List(&[])),
                "Metrics-generator processors; any of them makes Tempo remote-write to Prometheus.",
            ),
        ],
        &[],
    )
};

pub static RECEIVER: Schema = schema(
    "receiver",
    "An Alertmanager receiver (https://prometheus.io/docs/alerting/latest/configuration/#receiver).",
    &[
        f("webhook", Ty::StrOrSecret, None, "Webhook URL; a secret reference is written as `url_file`."),
        f("email", Ty::Str, None, "Address to mail."),
        f("slack_channel", Ty::Str, None, "Slack channel."),
        f("slack_webhook", Ty::StrOrSecret, None, "Slack webhook URL (a secret, usually)."),
    ],
    &[],
);

pub static ROUTE: Schema = schema(
    "route",
    "An Alertmanager route (https://prometheus.io/docs/alerting/latest/configuration/#route).",
    &[
        req("receiver", Ty::Ref(RefKind::Receiver), "Receiver name."),
        f("group_by", STRS, None, "Labels to group alerts by."),
        f("group_wait", Ty::Duration, None, "`group_wait`."),
        f("group_interval", Ty::Duration, None, "`group_interval`."),
        f("repeat_interval", Ty::Duration, None, "`repeat_interval`."),
        f("matchers", STRS, None, "Matchers like `severity=\"critical\"`."),
        f("continue", Ty::Bool, Some(Lit::Bool(false)), "Keep matching sibling routes."),
    ],
    &[b("route", NoLabel, true, &ROUTE, "A child route.")],
);

pub static ALERTMANAGER: Schema = Schema {
    settings: true,
    ..schema(
        "alertmanager",
        "Alertmanager: receives alerts from Prometheus and the Loki ruler (https://prometheus.io/docs/alerting/latest/configuration/).",
        &[
            f("version", Ty::Str, Some(Lit::Str("0.28")), "Alertmanager version."),
            f("port", Ty::Port, Some(Lit::Port(9093)), "HTTP port."),
        ],
        &[
            b("receiver", Labelled, true, &RECEIVER, "`receiver name { webhook = … }`"),
            b("route", NoLabel, false, &ROUTE, "The root route."),
        ],
    )
};

pub static NODE_EXPORTER: Schema = Schema {
    settings: true,
    ..schema(
        "node_exporter",
        "node-exporter: host metrics (https://github.com/prometheus/node_exporter).",
        &[
            f("version", Ty::Str, Some(Lit::Str("1.9")), "node-exporter version."),
            f("port", Ty::Port, Some(Lit::Port(9100)), "HTTP port."),
            f("collectors", STRS, Some(Lit::List(&[])), "Extra collectors to enable (`--collector.<name>`)."),
        ],
        &[],
    )
};

pub static STACK: Schema = schema(
    "stack",
    "The stack: which components run. Each component block enables that program.",
    &[],
    &[
        b("grafana", NoLabel, false, &GRAFANA, "Enable Grafana."),
        b("prometheus", NoLabel, false, &PROMETHEUS, "Enable Prometheus."),
        b("loki", NoLabel, false, &LOKI, "Enable Loki."),
        b("tempo", NoLabel, false, &TEMPO, "Enable Tempo."),
        b("alertmanager", NoLabel, false, &ALERTMANAGER, "Enable Alertmanager."),
        b("node_exporter", NoLabel, false, &NODE_EXPORTER, "Enable node-exporter."),
    ],
);

/// Grafana datasource plugin ids gstack knows.
pub const DATASOURCE_TYPES: &[&str] = &[
    "prometheus", "loki", "tempo", "postgres", "mysql", "mssql", "elasticsearch", "influxdb", "graphite", "jaeger", "zipkin",
    "alertmanager", "cloudwatch", "opentsdb",
];

pub static DATASOURCE: Schema = Schema {
    settings: true,
    ..schema(
        "datasource",
        "An extra Grafana datasource (https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources). The stack's own components get theirs automatically.",
        &[
            req("type", Ty::Enum(DATASOURCE_TYPES), "Grafana plugin id."),
            req("url", Ty::Str, "Where Grafana reaches it."),
            f("uid", Ty::Str, None, "Fixed uid; default the declaration name."),
            f("database", Ty::Str, None, "Database name (SQL datasources)."),
            f("user", Ty::Str, None, "User name."),
            f("password", Ty::Secret, None, "Password, by reference (`secureJsonData`)."),
            f("default", Ty::Bool, Some(Lit::Bool(false)), "Grafana's default datasource."),
        ],
        &[],
    )
};

/// Grafana panel plugin ids gstack emits (no Angular-era panels).
pub const PANEL_KINDS: &[&str] =
    &["timeseries", "stat", "gauge", "bargauge", "table", "heatmap", "logs", "traces", "nodeGraph", "text"];

const QUERY_ANY: Ty = Ty::Query(&[QueryLang::Promql, QueryLang::Logql, QueryLang::Traceql, QueryLang::Sql]);

pub static PANEL: Schema = Schema {
    settings: false,
    ..schema(
        "panel",
        "A dashboard panel; its kind is Grafana's panel plugin id and its label the title.",
        &[
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
        ],
        &[b("override", Labelled, true, &OVERRIDE, "Field override: `override \"errors\" { unit = percent, color = red }`.")],
    )
};

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

pub static OVERRIDE: Schema = schema(
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
    ],
    &[],
);

pub static OPTIONS_BLOCK: Schema = schema("options", "Freeform panel options passed through to the panel JSON.", &[], &[]);

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
        ],
        &[b("row", Labelled, true, &ROW, "`row \"Title\" { panels… }`")],
    )
};

const SEVERITY: Ty = Ty::Enum(&["critical", "warning", "info"]);

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

pub static RESOURCES: Schema = schema(
    "resources",
    "Resources of one component: `resources prometheus { cpu = 500m, memory = 2GiB, storage = 50GiB }`.",
    &[
        f("cpu", Ty::Cpu, None, "CPU limit."),
        f("memory", Ty::Bytes, None, "Memory limit."),
        f("storage", Ty::Bytes, None, "Volume size."),
    ],
    &[],
);

pub static INGRESS: Schema = schema(
    "ingress",
    "An Ingress for Grafana.",
    &[
        req("host", Ty::Str, "Host name."),
        f("tls_secret", Ty::Str, None, "Name of an existing TLS Secret."),
        f("class", Ty::Str, None, "IngressClass name."),
    ],
    &[],
);

pub static TARGET_NATIVE: Schema = schema(
    "target native",
    "Run the stack as local processes under process-compose, listening on 127.0.0.1.",
    &[
        f("data_dir", Ty::Str, None, "Where every program keeps its data; default `~/.local/share/gstack/<stack>` (the stack's name)."),
        f("listen", Ty::Addr, Some(Lit::Addr("127.0.0.1")), "Address every program listens on."),
        f("bin", Ty::StrMap, None, "Program → binary path; default the program name on PATH."),
    ],
    &[],
);

pub static TARGET_SYSTEMD: Schema = schema(
    "target systemd",
    "One systemd unit per program plus a `gstack-<stack>.target`.",
    &[
        f("user", Ty::Bool, Some(Lit::Bool(false)), "User units instead of system units."),
        f("data_dir", Ty::Str, None, "Data directory; default systemd's StateDirectory."),
        f("bin", Ty::StrMap, None, "Program → binary path."),
    ],
    &[],
);

pub static TARGET_COMPOSE: Schema = schema(
    "target compose",
    "A Docker compose file.",
    &[
        f("publish_on", Ty::Addr, Some(Lit::Addr("127.0.0.1")), "Host address ports are published on."),
        f("project", Ty::Str, None, "Compose project name; default the stack name."),
        f("images", Ty::StrMap, None, "Component → image; default the flake's `gstack/<component>:<version>`."),
    ],
    &[b("resources", Labelled, true, &RESOURCES, "Limits for one component.")],
);

pub static TARGET_KUBERNETES: Schema = schema(
    "target kubernetes",
    "Kubernetes manifests with a kustomization.",
    &[
        f("namespace", Ty::Str, Some(Lit::Str("observability")), "Namespace of every object."),
        f("storage_class", Ty::Str, None, "StorageClass of the volume claims; passed through as written."),
        f("service_discovery", Ty::Bool, Some(Lit::Bool(false)), "Give Prometheus RBAC for Kubernetes service discovery."),
        f("images", Ty::StrMap, None, "Component → image."),
    ],
    &[
        b("ingress", NoLabel, false, &INGRESS, "An Ingress for Grafana."),
        b("resources", Labelled, true, &RESOURCES, "Requests/limits and storage for one component."),
    ],
);

pub static TARGET_HELM: Schema = schema(
    "target helm",
    "A Helm chart rendering the same objects as the kubernetes target.",
    &[f("chart", Ty::Str, None, "Chart name; default the stack name."), f("version", Ty::Str, Some(Lit::Str("0.1.0")), "Chart version.")],
    &[],
);

/// Target kinds and their schemas.
pub const TARGETS: &[(&str, &Schema)] = &[
    ("native", &TARGET_NATIVE),
    ("systemd", &TARGET_SYSTEMD),
    ("compose", &TARGET_COMPOSE),
    ("kubernetes", &TARGET_KUBERNETES),
    ("helm", &TARGET_HELM),
];

pub static RULES: Schema = schema("rules", "Rules imported from a Prometheus rule file: `rules host = import_rules(\"./x.yml\")`.", &[], &[]);

/// Top-level declaration kinds.
pub const TOP_LEVEL: &[(&str, &Schema)] = &[
    ("stack", &STACK),
    ("datasource", &DATASOURCE),
    ("dashboard", &DASHBOARD),
    ("alert", &ALERT),
    ("log_alert", &LOG_ALERT),
    ("rules", &RULES),
    ("grafana_alert", &GRAFANA_ALERT),
    ("target", &TARGET_NATIVE),
];

/// Every schema reachable from the declarations, targets and panels (nested blocks and record
/// fields included), each once.
pub fn every_schema() -> Vec<&'static Schema> {
    fn walk(s: &'static Schema, out: &mut Vec<&'static Schema>) {
        if out.iter().any(|o| std::ptr::eq(*o, s)) {
            return;
        }
        out.push(s);
        for f in s.fields {
            let mut t = &f.ty;
            while let Ty::ListOf(inner) = t {
                t = inner;
            }
            if let Ty::Record(r) = t {
                walk(r, out);
            }
        }
        for b in s.blocks {
            walk(b.schema, out);
        }
    }
    let mut out = vec![];
    for (_, s) in TOP_LEVEL.iter().chain(TARGETS) {
        walk(s, &mut out);
    }
    walk(&PANEL, &mut out);
    out
}

/// Grafana unit ids accepted by `unit` (a common subset of Grafana's unit catalogue,
/// `packages/grafana-data/src/valueFormats/categories.ts`).
pub const UNITS: &[&str] = &[
    "none", "short", "percent", "percentunit", "humidity", "decibel", "hex0x", "hex", "sci", "locale", "pixel",
    "bytes", "decbytes", "bits", "decbits", "kbytes", "mbytes", "gbytes", "tbytes", "deckbytes", "decmbytes", "decgbytes",
    "Bps", "bps", "KBs", "Kbits", "MBs", "Mbits", "GBs", "Gbits", "binBps", "binbps",
    "ns", "µs", "ms", "s", "m", "h", "d", "dtdurationms", "dtdurations", "dthms", "dtdhms", "timeticks", "clockms", "clocks",
    "hertz", "rps", "reqps", "reqpm", "rpm", "ops", "opm", "wps", "wpm", "iops", "cps", "cpm", "mps", "mpm",
    "currencyUSD", "currencyEUR", "currencyGBP", "celsius", "fahrenheit", "watt", "kwatt", "volt", "amp",
    "dateTimeAsIso", "dateTimeAsUS", "dateTimeFromNow", "bool", "bool_yes_no", "bool_on_off", "string",
];

/// Colours accepted in thresholds (Grafana's named colours; `#rrggbb` is accepted too).
pub const COLORS: &[&str] = &[
    "green", "yellow", "red", "orange", "blue", "purple", "transparent", "text", "dark-green", "dark-red", "dark-yellow",
    "dark-orange", "dark-blue", "dark-purple", "light-green", "light-red", "light-yellow", "light-orange", "light-blue",
    "light-purple", "semi-dark-green", "semi-dark-red", "super-light-green", "super-light-red",
];

// ---- Grafana-managed alerting ----------------------------------------------------------------
// Written to Grafana's alerting file provisioning (`provisioning/alerting/*.yaml`, read by
// Grafana's `pkg/services/provisioning/alerting/`): see `backends/grafana_alerting.rs`.

/// The alerting blocks of `grafana { … }`.
const GRAFANA_ALERTING_BLOCKS: &[BlockDef] = &[
    b("contact_point", Labelled, true, &CONTACT_POINT, "A contact point: `contact_point oncall { webhook = secret.env(\"ONCALL_URL\") }`."),
    b("policy", NoLabel, false, &POLICY, "The root notification policy: `policy { contact_point = oncall }`."),
    b("mute_timing", Labelled, true, &MUTE_TIMING, "A mute timing: `mute_timing weekends { weekdays = [\"saturday\", \"sunday\"] }`."),
    b("template", Labelled, true, &NOTIFICATION_TEMPLATE, "A notification template: `template \"page\" { content = \"{{ define \\\"page\\\" }}…{{ end }}\" }`."),
];

pub static SLACK: Schema = schema(
    "slack",
    "A Slack integration of a contact point.",
    &[
        req("url", Ty::StrOrSecret, "Incoming-webhook URL (a secret, usually): Grafana's `url`."),
        f("channel", Ty::Str, None, "Channel to post to (Grafana's `recipient`); default the webhook's."),
    ],
    &[],
);

pub static CONTACT_POINT: Schema = schema(
    "contact_point",
    "A Grafana contact point (https://grafana.com/docs/grafana/latest/alerting/set-up/provision-alerting-resources/file-provisioning/); each channel set is one integration.",
    &[
        f("webhook", Ty::StrOrSecret, None, "Webhook URL (Grafana's `webhook` integration); a secret is written as `$__env{…}`/`$__file{…}`."),
        f("email", Ty::Str, None, "Address to mail (several separated by `;`)."),
        f("slack", Ty::Record(&SLACK), None, "`{ url = secret.env(\"SLACK_URL\"), channel = \"#ops\" }`"),
    ],
    &[],
);

pub static POLICY_ROUTE: Schema = schema(
    "policy route",
    "A nested notification policy: alerts matching `matchers` go to its contact point.",
    &[
        f("contact_point", Ty::Word, None, "Contact point name; default the parent policy's."),
        f("matchers", STRS, None, "Label matchers: `severity=critical`, `team=~\"db|infra\"`, `env!=dev`."),
        f("group_by", STRS, None, "Labels to group alerts by; default the parent's."),
        f("group_wait", Ty::Duration, None, "`group_wait`; default the parent's."),
        f("group_interval", Ty::Duration, None, "`group_interval`; default the parent's."),
        f("repeat_interval", Ty::Duration, None, "`repeat_interval`; default the parent's."),
        f("mute_timings", Ty::ListOf(&Ty::Word), None, "Names of `mute_timing`s during which this policy sends nothing."),
        f("continue", Ty::Bool, Some(Lit::Bool(false)), "Keep matching sibling policies."),
    ],
    &[b("route", NoLabel, true, &POLICY_ROUTE, "A nested policy.")],
);

pub static POLICY: Schema = schema(
    "policy",
    "Grafana's root notification policy (replaces Grafana's default one). Without it, and with contact points, the first contact point receives everything.",
    &[
        req("contact_point", Ty::Word, "Contact point of alerts no nested policy takes."),
        f("group_by", STRS, Some(Lit::List(&["grafana_folder", "alertname"])), "Labels to group alerts by (`...` groups by every label)."),
        f("group_wait", Ty::Duration, None, "`group_wait`; Grafana's default 30s."),
        f("group_interval", Ty::Duration, None, "`group_interval`; Grafana's default 5m."),
        f("repeat_interval", Ty::Duration, None, "`repeat_interval`; Grafana's default 4h."),
    ],
    &[b("route", NoLabel, true, &POLICY_ROUTE, "A nested policy: `route { matchers = [\"severity=critical\"], contact_point = pager }`.")],
);

pub static MUTE_TIMING: Schema = schema(
    "mute_timing",
    "A Grafana mute timing: when its lists all match (an empty list matches always), policies naming it send nothing. Alertmanager's time interval (https://prometheus.io/docs/alerting/latest/configuration/#time_interval).",
    &[
        f("times", STRS, None, "Clock ranges `\"HH:MM-HH:MM\"` (end up to `24:00`)."),
        f("weekdays", STRS, None, "`\"saturday\"`, or a range `\"monday:friday\"`."),
        f("days_of_month", STRS, None, "`\"1\"`, `\"-1\"` (the last day), or a range `\"1:7\"`."),
        f("months", STRS, None, "`\"january\"`, `\"1\"`, or a range `\"june:august\"`."),
        f("years", STRS, None, "`\"2025\"`, or a range `\"2025:2026\"`."),
        f("location", Ty::Str, None, "IANA time zone of the times (`\"Europe/Berlin\"`); default UTC."),
    ],
    &[],
);

pub static NOTIFICATION_TEMPLATE: Schema = schema(
    "template",
    "A Grafana notification template; its label is the template group's name.",
    &[req("content", Ty::Str, "Go `text/template` text: `{{ define \"name\" }}…{{ end }}` blocks, written as is.")],
    &[],
);

pub static GRAFANA_ALERT: Schema = schema(
    "grafana_alert",
    "A Grafana-managed alert rule (https://grafana.com/docs/grafana/latest/alerting/set-up/provision-alerting-resources/file-provisioning/): its PromQL query is data `A`, and a threshold `C` (`A > 0`) is the condition, so every series the query returns with a value above 0 fires, as a Prometheus rule whose expression holds the comparison.",
    &[
        req("query", Ty::Query(&[QueryLang::Promql]), "The PromQL condition (`… > 0.5`), evaluated as an instant query."),
        f("datasource", Ty::Ref(RefKind::Datasource), None, "A Prometheus datasource; default the stack's `prometheus`."),
        f("for", Ty::Duration, Some(Lit::Dur(0)), "How long the condition must hold before firing."),
        f("folder", Ty::Str, Some(Lit::Str("Alerts")), "Grafana folder of the rule (created when missing)."),
        f("group", Ty::Str, Some(Lit::Str("gstack")), "Evaluation group within the folder."),
        f("interval", Ty::Duration, None, "The group's evaluation interval, a multiple of 10s; default 1m (rules of one group agree)."),
        f("severity", SEVERITY, None, "The `severity` label."),
        f("summary", Ty::Str, None, "The `summary` annotation (`{{ $labels.x }}`, `{{ $values.A }}` allowed)."),
        f("description", Ty::Str, None, "The `description` annotation."),
        f("labels", Ty::StrMap, None, "Extra labels."),
        f("no_data", Ty::Enum(&["no_data", "alerting", "ok", "keep_last"]), Some(Lit::Sym("no_data")), "State when the query returns nothing (`noDataState`)."),
        f("exec_err", Ty::Enum(&["error", "alerting", "ok", "keep_last"]), Some(Lit::Sym("error")), "State when the query fails (`execErrState`)."),
        f("title", Ty::Str, None, "Rule title; default the declaration name."),
        f("uid", Ty::Str, None, "Grafana uid (at most 40 characters); default derived from the name."),
    ],
    &[],
);


#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `lit` is a value of `ty`.
    fn fits(lit: &Lit, ty: &Ty) -> bool {
        match (lit, ty) {
            (Lit::Port(p), Ty::Port) => *p > 0,
            (Lit::Int(_), Ty::Int) => true,
            (Lit::Dur(_), Ty::Duration) => true,
            (Lit::Str(_), Ty::Str | Ty::Word | Ty::StrOrSecret) => true,
            (Lit::Sym(s), Ty::Enum(vs)) => vs.contains(s),
            (Lit::Bool(_), Ty::Bool) => true,
            (Lit::Addr(a), Ty::Addr) => a.parse::<std::net::Ipv4Addr>().is_ok(),
            (Lit::List(xs), Ty::ListOf(t)) => match t {
                Ty::Str | Ty::Word => true,
                Ty::Enum(vs) => xs.iter().all(|x| vs.contains(x)),
                _ => xs.is_empty(),
            },
            _ => false,
        }
    }

    #[test]
    fn every_default_has_its_fields_type() {
        let schemas = every_schema();
        assert!(schemas.len() > 30, "walked only {} schemas", schemas.len());
        for s in schemas {
            for f in s.fields {
                if let Some(d) = &f.default {
                    assert!(!f.required, "`{}.{}` is required and has a default", s.name, f.name);
                    assert!(fits(d, &f.ty), "`{}.{}`: default {d:?} is not a {}", s.name, f.name, f.ty.describe());
                }
            }
        }
    }

    #[test]
    fn typed_defaults_read_the_schema() {
        assert_eq!(TEMPO.port_default("port"), 3200);
        assert_eq!(TEMPO.dur_default("retention"), crate::ir::Duration::from_secs(14 * 86400));
        assert_eq!(TEMPO.str_default("version"), "2.9");
        assert_eq!(TEMPO.list_default("generator"), Vec::<String>::new());
        assert_eq!(SCRAPE.sym_default("scheme"), "http");
        assert_eq!(TARGET_NATIVE.addr_default("listen"), "127.0.0.1");
        assert!(!PROMETHEUS.bool_default("otlp_receiver"));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "schema `tempo` has no port default for `version`")]
    fn a_default_of_another_type_panics_in_debug() {
        TEMPO.port_default("version");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "schema `target helm` has no string default for `chart`")]
    fn a_missing_default_panics_in_debug() {
        TARGET_HELM.str_default("chart");
    }

    #[test]
    fn default_text_is_gstack_source() {
        assert_eq!(Lit::Port(3200).text(), "3200");
        assert_eq!(Lit::Dur(14 * DAY).text(), "14d");
        assert_eq!(Lit::Dur(15 * SEC).text(), "15s");
        assert_eq!(Lit::Dur(0).text(), "0s");
        assert_eq!(Lit::Dur(90 * MIN).text(), "1h30m");
        assert_eq!(Lit::Str("2.9").text(), "\"2.9\"");
        assert_eq!(Lit::Str("a\"b").text(), "\"a\\\"b\"");
        assert_eq!(Lit::Bool(false).text(), "false");
        assert_eq!(Lit::List(&[]).text(), "[]");
        assert_eq!(Lit::List(&["a", "b"]).text(), "[\"a\", \"b\"]");
        assert_eq!(Lit::Sym("http").text(), "http");
        assert_eq!(Lit::Addr("127.0.0.1").text(), "127.0.0.1");
    }
}
