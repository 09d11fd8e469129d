//! Declared datasources (`datasource NAME { … }`): the fields every datasource takes, and the
//! common plugins' `jsonData` (and `secureJsonData`) keys typed, each for the plugins that read
//! it ([`JSON_DATA`]; E0205 on another plugin, which would ignore it). Keys as Grafana's
//! plugins read them from a provisioned datasource (pkg/tsdb/<plugin>/ settings structs and the
//! configuration editors under public/app/plugins/datasource/); anything else goes in the
//! datasource's `settings { … }`.

use super::*;

/// Grafana datasource plugin ids gstack knows.
pub const DATASOURCE_TYPES: &[&str] = &[
    "prometheus", "loki", "tempo", "postgres", "mysql", "mssql", "elasticsearch", "influxdb", "graphite", "jaeger", "zipkin",
    "alertmanager", "cloudwatch", "opentsdb", "grafana-pyroscope-datasource",
];

/// A typed `jsonData` key: the gstack field, Grafana's key, the plugins that read it, and
/// whether it is a secret (written to `secureJsonData` by reference).
pub struct JsonDataKey {
    pub field: &'static str,
    pub key: &'static str,
    pub plugins: &'static [&'static str],
    pub secret: bool,
    /// Plugins that read the same setting under another key: (plugin id, key).
    pub key_for: &'static [(&'static str, &'static str)],
}

impl JsonDataKey {
    /// Grafana's key for this setting in a `plugin` datasource.
    pub fn key(&self, plugin: &str) -> &'static str {
        self.key_for.iter().find(|(p, _)| *p == plugin).map_or(self.key, |(_, k)| k)
    }
}

const fn j(field: &'static str, key: &'static str, plugins: &'static [&'static str]) -> JsonDataKey {
    JsonDataKey { field, key, plugins, secret: false, key_for: &[] }
}
const fn s(field: &'static str, key: &'static str, plugins: &'static [&'static str]) -> JsonDataKey {
    JsonDataKey { field, key, plugins, secret: true, key_for: &[] }
}

const SQL: &[&str] = &["postgres", "mysql", "mssql"];
const HTTP_METHOD: &[&str] = &["prometheus", "influxdb"];

/// The typed `jsonData`/`secureJsonData` keys of the common plugins.
pub static JSON_DATA: &[JsonDataKey] = &[
    // Prometheus: pkg/promlib/querydata/request.go (`httpMethod`); InfluxDB reads `httpMode`
    // (pkg/tsdb/influxdb/models/datasource_info.go, GET or POST, else an error)
    JsonDataKey { key_for: &[("influxdb", "httpMode")], ..j("http_method", "httpMethod", HTTP_METHOD) },
    j("time_interval", "timeInterval", &["prometheus", "postgres", "mysql", "mssql", "influxdb", "elasticsearch"]),
    j("prometheus_type", "prometheusType", &["prometheus"]),
    j("query_timeout", "queryTimeout", &["prometheus"]),
    j("cache_level", "cacheLevel", &["prometheus"]),
    j("max_lines", "maxLines", &["loki"]),
    j("index", "index", &["elasticsearch"]),
    j("time_field", "timeField", &["elasticsearch"]),
    j("log_message_field", "logMessageField", &["elasticsearch"]),
    j("log_level_field", "logLevelField", &["elasticsearch"]),
    j("max_concurrent_shard_requests", "maxConcurrentShardRequests", &["elasticsearch"]),
    j("influx_version", "version", &["influxdb"]),
    j("organization", "organization", &["influxdb"]),
    j("default_bucket", "defaultBucket", &["influxdb"]),
    s("token", "token", &["influxdb"]),
    j("sslmode", "sslmode", &["postgres"]),
    j("postgres_version", "postgresVersion", &["postgres"]),
    j("timescaledb", "timescaledb", &["postgres"]),
    j("max_open_conns", "maxOpenConns", SQL),
    j("max_idle_conns", "maxIdleConns", SQL),
    j("auth_type", "authType", &["cloudwatch"]),
    j("default_region", "defaultRegion", &["cloudwatch"]),
    j("assume_role_arn", "assumeRoleArn", &["cloudwatch"]),
    s("access_key", "accessKey", &["cloudwatch"]),
    s("secret_key", "secretKey", &["cloudwatch"]),
    j("min_step", "minStep", &["grafana-pyroscope-datasource"]),
    j("implementation", "implementation", &["alertmanager"]),
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
            f("http_method", Ty::Enum(&["GET", "POST"]), None, "How queries are sent: `httpMethod` (prometheus), `httpMode` (influxdb)."),
            f("time_interval", Ty::Duration, None, "The lowest interval, its scrape interval (`timeInterval`: prometheus, SQL, influxdb, elasticsearch)."),
            f("prometheus_type", Ty::Enum(&["Prometheus", "Cortex", "Mimir", "Thanos"]), None, "What answers as Prometheus (`prometheusType`)."),
            f("query_timeout", Ty::Duration, None, "`queryTimeout` (prometheus)."),
            f("cache_level", Ty::Enum(&["Low", "Medium", "High", "None"]), None, "The query editor's metadata cache (`cacheLevel`: prometheus)."),
            f("max_lines", Ty::Int, None, "Log lines per query (`maxLines`: loki)."),
            f("index", Ty::Str, None, "Index name or pattern (`index`: elasticsearch)."),
            f("time_field", Ty::Str, None, "The time field (`timeField`: elasticsearch; `@timestamp` by Grafana's default)."),
            f("log_message_field", Ty::Str, None, "`logMessageField` (elasticsearch)."),
            f("log_level_field", Ty::Str, None, "`logLevelField` (elasticsearch)."),
            f("max_concurrent_shard_requests", Ty::Int, None, "`maxConcurrentShardRequests` (elasticsearch)."),
            f("influx_version", Ty::Enum(&["InfluxQL", "Flux", "SQL"]), None, "Query language (`version`: influxdb)."),
            f("organization", Ty::Str, None, "`organization` (influxdb, Flux)."),
            f("default_bucket", Ty::Str, None, "`defaultBucket` (influxdb, Flux)."),
            f("token", Ty::Secret, None, "API token, by reference (`secureJsonData.token`: influxdb)."),
            f("sslmode", Ty::Enum(&["disable", "require", "verify-ca", "verify-full"]), None, "TLS (`sslmode`: postgres)."),
            f("postgres_version", Ty::Int, None, "`postgresVersion` (postgres): 1500 for 15."),
            f("timescaledb", Ty::Bool, None, "TimescaleDB functions (`timescaledb`: postgres)."),
            f("max_open_conns", Ty::Int, None, "`maxOpenConns` (SQL)."),
            f("max_idle_conns", Ty::Int, None, "`maxIdleConns` (SQL)."),
            f("auth_type", Ty::Enum(&["default", "keys", "credentials", "ec2_iam_role", "grafana_assume_role"]), None, "`authType` (cloudwatch)."),
            f("default_region", Ty::Str, None, "`defaultRegion` (cloudwatch)."),
            f("assume_role_arn", Ty::Str, None, "`assumeRoleArn` (cloudwatch)."),
            f("access_key", Ty::Secret, None, "By reference (`secureJsonData.accessKey`: cloudwatch, `auth_type = keys`)."),
            f("secret_key", Ty::Secret, None, "By reference (`secureJsonData.secretKey`: cloudwatch, `auth_type = keys`)."),
            f("min_step", Ty::Duration, None, "`minStep` (grafana-pyroscope-datasource)."),
            f("implementation", Ty::Enum(&["prometheus", "mimir", "cortex"]), None, "`implementation` (alertmanager)."),
        ],
        &[],
    )
};
