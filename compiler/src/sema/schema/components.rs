//! The component blocks of a stack: Grafana, Prometheus (and scrape jobs), Loki, Tempo,
//! Alertmanager (receivers, routes), node-exporter, and the `stack` block that enables them.

use super::*;

/// The environment secret Grafana's admin password is read from when the source gives none.
pub const GRAFANA_ADMIN_PASSWORD_ENV: &str = "GRAFANA_ADMIN_PASSWORD";
/// The environment secret Grafana's `secret_key` is read from when the source gives none.
pub const GRAFANA_SECRET_KEY_ENV: &str = "GRAFANA_SECRET_KEY";

pub static ADMIN: Schema = schema(
    "admin",
    "Grafana's initial admin account (`[security] admin_user` / `admin_password`).",
    &[
        f("user", Ty::Str, Some(Lit::Str("admin")), "Admin login name."),
        f("password", Ty::Secret, None, "Admin password, by reference; Grafana reads it with `$__file{…}` or `$__env{…}`. Default: `secret.env(\"GRAFANA_ADMIN_PASSWORD\")`, which the user provides (never Grafana's `admin`)."),
    ],
    &[],
);

pub static GRAFANA: Schema = Schema {
    settings: true,
    ..schema(
        "grafana",
        "Grafana: dashboards and datasources are provisioned from this stack (https://grafana.com/docs/grafana/latest/administration/provisioning/).",
        &[
            g(f("version", Ty::Str, Some(Lit::Str("12.2")), "Grafana version; picks the package and image."), Grammar::Version),
            f("port", Ty::Port, Some(Lit::Port(3000)), "HTTP port (`[server] http_port`)."),
            f("admin", Ty::Record(&ADMIN), None, "`{ user = \"admin\", password = secret.file(\"…\") }`"),
            f("smtp", Ty::Record(&GRAFANA_SMTP), None, "`[smtp]`: `{ host = \"smtp.example.com:587\", user = \"grafana\", password = secret.env(\"SMTP_PASSWORD\"), from_address = \"grafana@example.com\" }`; needed by `email` contact points."),
            f("correlations", Ty::Record(&CORRELATIONS), None, "How Grafana links traces, logs, metrics and profiles: `{ traces_to_logs = { tags = [\"service.name\": \"app\"] }, service_map = false }`; default the stack's own wiring."),
            f("secret_key", Ty::Secret, None, "`[security] secret_key` (signs cookies, encrypts datasource secrets in Grafana's database), by reference. Default: `secret.env(\"GRAFANA_SECRET_KEY\")`, which the user provides (never Grafana's built-in key, the same in every installation)."),
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
            g(f("version", Ty::Str, Some(Lit::Str("3.5")), "Prometheus version."), Grammar::Version),
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
            g(f("version", Ty::Str, Some(Lit::Str("3.6")), "Loki version."), Grammar::Version),
            f("port", Ty::Port, Some(Lit::Port(3100)), "HTTP port (`server.http_listen_port`)."),
            f("grpc_port", Ty::Port, Some(Lit::Port(9096)), "gRPC port (`server.grpc_listen_port`); not 9095, which Tempo uses."),
            f("retention", Ty::Duration, Some(Lit::Dur(31 * DAY)), "`limits_config.retention_period`, enforced by the compactor."),
            f(
                "stream_labels",
                STRS,
                None,
                "The stream labels the stack's log shippers set (Promtail, Alloy, an OpenTelemetry collector: `app`, `namespace`, …; logs sent by OTLP are indexed by their resource attributes, `service_name`, `k8s_namespace_name`, …). When given, a LogQL selector on a label that is not one of them, nor Loki's own `service_name`, is W0404: it selects no stream. Not given: nothing is judged.",
            ),
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
            g(f("version", Ty::Str, Some(Lit::Str("2.9")), "Tempo version."), Grammar::Version),
            f("port", Ty::Port, Some(Lit::Port(3200)), "HTTP port (`server.http_listen_port`)."),
            f("grpc_port", Ty::Port, Some(Lit::Port(9095)), "gRPC port (`server.grpc_listen_port`)."),
            f("otlp_grpc_port", Ty::Port, Some(Lit::Port(4317)), "OTLP/gRPC receiver port."),
            f("otlp_http_port", Ty::Port, Some(Lit::Port(4318)), "OTLP/HTTP receiver port."),
            f(
                "memberlist_port",
                Ty::Port,
                Some(Lit::Port(7946)),
                "Memberlist (gossip) port (`memberlist.bind_port`), which Tempo opens even as a single binary: give two stacks on one host different ones.",
            ),
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
        g(f("webhook", Ty::StrOrSecret, None, "Webhook URL; a secret reference is written as `url_file`."), Grammar::HttpUrl),
        f("email", Ty::Str, None, "Address to mail."),
        f("slack_channel", Ty::Str, None, "Slack channel."),
        g(f("slack_webhook", Ty::StrOrSecret, None, "Slack webhook URL (a secret, usually)."), Grammar::HttpUrl),
        f("pagerduty", Ty::Record(&PAGERDUTY), None, "PagerDuty (`pagerduty_configs`): `{ routing_key = secret.env(\"PD_ROUTING_KEY\"), severity = \"critical\" }`."),
        f("opsgenie", Ty::Record(&OPSGENIE), None, "OpsGenie (`opsgenie_configs`): `{ api_key = secret.env(\"OPSGENIE_KEY\"), priority = \"P1\" }`."),
        f("msteams", Ty::Record(&MSTEAMS), None, "Microsoft Teams through a Power Automate workflow (`msteamsv2_configs`): `{ webhook_url = secret.env(\"TEAMS_URL\") }`."),
        f("discord", Ty::Record(&DISCORD), None, "Discord (`discord_configs`): `{ webhook_url = secret.env(\"DISCORD_URL\") }`."),
        f("telegram", Ty::Record(&TELEGRAM), None, "Telegram (`telegram_configs`): `{ bot_token = secret.env(\"TELEGRAM_TOKEN\"), chat_id = -1001234 }`."),
        f("pushover", Ty::Record(&PUSHOVER), None, "Pushover (`pushover_configs`): `{ user_key = secret.env(\"PUSHOVER_USER\"), token = secret.env(\"PUSHOVER_TOKEN\") }`."),
        f("victorops", Ty::Record(&VICTOROPS), None, "Splunk On-Call, formerly VictorOps (`victorops_configs`): `{ api_key = secret.env(\"VO_KEY\"), routing_key = \"ops\" }`."),
        f("webex", Ty::Record(&WEBEX), None, "Cisco Webex through a bot (`webex_configs`): `{ bot_token = secret.env(\"WEBEX_TOKEN\"), room_id = \"Y2lzY29…\" }`."),
        f("sns", Ty::Record(&SNS), None, "Amazon SNS (`sns_configs`): `{ topic_arn = \"arn:aws:sns:eu-west-1:123456789012:alerts\", sigv4 = { region = \"eu-west-1\" } }`."),
        f("jira", Ty::Record(&JIRA), None, "Jira issues (`jira_configs`): `{ api_url = \"https://example.atlassian.net/rest/api/2\", project = \"OPS\", issue_type = \"Bug\", user = \"bot@example.com\", api_token = secret.env(\"JIRA_TOKEN\") }`."),
        f("rocketchat", Ty::Record(&ROCKETCHAT), None, "Rocket.Chat (`rocketchat_configs`): `{ token_id = secret.env(\"RC_USER_ID\"), token = secret.env(\"RC_TOKEN\"), channel = \"#ops\" }`."),
    ],
    &[],
);

/// The receiver fields that are Alertmanager integrations beyond webhook, e-mail and Slack,
/// with the list each one is written to. Each integration's record holds Alertmanager's own
/// field names (config/notifiers.go of Alertmanager 0.28); a field typed as a secret is
/// written to its `<field>_file` twin, which Alertmanager reads at start. Two are not
/// Alertmanager's: Webex's `bot_token` is `http_config.authorization.credentials_file`, Jira's
/// `user` and `api_token` are `http_config.basic_auth`. WeChat (`wechat_configs`) is not
/// typed: its `api_secret` has no `_file` twin before Alertmanager 0.31, so it could only be
/// written in plain text.
pub const INTEGRATIONS: &[(&str, &str)] = &[
    ("pagerduty", "pagerduty_configs"),
    ("opsgenie", "opsgenie_configs"),
    ("msteams", "msteamsv2_configs"),
    ("discord", "discord_configs"),
    ("telegram", "telegram_configs"),
    ("pushover", "pushover_configs"),
    ("victorops", "victorops_configs"),
    ("webex", "webex_configs"),
    ("sns", "sns_configs"),
    ("jira", "jira_configs"),
    ("rocketchat", "rocketchat_configs"),
];

const SEND_RESOLVED: FieldDef = f("send_resolved", Ty::Bool, None, "Notify when the alerts resolve too (Alertmanager's default for this integration when unset).");

pub static TLS: Schema = schema(
    "tls",
    "How an integration's HTTPS connections verify the server and present a client certificate (Alertmanager's `http_config.tls_config`, https://prometheus.io/docs/alerting/latest/configuration/#tls_config).",
    &[
        f("ca_file", Ty::Str, None, "PEM file of the CAs that sign the server's certificate; default the system's."),
        f("cert_file", Ty::Str, None, "PEM file of the client certificate."),
        f("key", Ty::Secret, None, "The client certificate's private key, by reference (`key_file`)."),
        f("server_name", Ty::Str, None, "Name the server's certificate is checked against; default the URL's host."),
        f("insecure_skip_verify", Ty::Bool, None, "Accept any server certificate."),
    ],
    &[],
);

pub static BASIC_AUTH: Schema = schema(
    "basic_auth",
    "HTTP basic authentication of an integration's requests (`http_config.basic_auth`).",
    &[req("username", Ty::Str, "User name."), req("password", Ty::Secret, "Password, by reference (`password_file`).")],
    &[],
);

pub static OAUTH2: Schema = schema(
    "oauth2",
    "OAuth 2.0 client credentials for an integration's requests (`http_config.oauth2`, https://prometheus.io/docs/alerting/latest/configuration/#oauth2): Alertmanager fetches a token from `token_url` and sends it as `Authorization: Bearer …`.",
    &[
        req("client_id", Ty::Str, "The client's id."),
        f("client_secret", Ty::Secret, None, "The client's secret, by reference (`client_secret_file`)."),
        req_url("token_url", "The token endpoint, like `https://auth.example.com/oauth2/token`."),
        f("scopes", Ty::ListOf(&Ty::Str), None, "Scopes asked for."),
        f("endpoint_params", Ty::StrMap, None, "More form parameters of the token request: `[\"audience\": \"alerts\"]`."),
    ],
    &[],
);

pub static HTTP_CONFIG_SCHEMA: Schema = schema(
    "http_config",
    "How an integration makes its HTTP requests (Alertmanager's `http_config`, https://prometheus.io/docs/alerting/latest/configuration/#http_config); default `global.http_config`.",
    &[
        url("proxy_url", "HTTP proxy, like `http://proxy.example.com:3128`."),
        f("tls", Ty::Record(&TLS), None, "`tls_config`: `{ ca_file = \"/etc/ssl/internal-ca.pem\" }`."),
        f("basic_auth", Ty::Record(&BASIC_AUTH), None, "`{ username = \"alertmanager\", password = secret.env(\"HOOK_PASSWORD\") }`; not with `authorization`."),
        f("authorization", Ty::Secret, None, "A bearer token, sent as `Authorization: Bearer …` (`authorization.credentials_file`); not with `basic_auth` or `oauth2`."),
        f("oauth2", Ty::Record(&OAUTH2), None, "`{ client_id = \"alertmanager\", client_secret = secret.env(\"OAUTH_SECRET\"), token_url = \"https://auth.example.com/token\" }`; not with `basic_auth` or `authorization`."),
        f("headers", Ty::StrMap, None, "More request headers, in plain text (`http_headers`): `[\"X-Scope-OrgID\": \"team-a\"]`. Not `Authorization`, `Host`, `Content-Type` and the others Alertmanager sets itself; a secret goes in `authorization` or `oauth2`."),
        f("follow_redirects", Ty::Bool, None, "Follow HTTP redirects; Alertmanager's default `true`."),
        f("enable_http2", Ty::Bool, None, "Use HTTP/2 when the server offers it; Alertmanager's default `true`."),
    ],
    &[],
);

const HTTP_CONFIG: FieldDef = f("http_config", Ty::Record(&HTTP_CONFIG_SCHEMA), None, "How it makes its requests: `{ proxy_url = \"http://proxy:3128\", tls = { ca_file = \"/etc/ssl/ca.pem\" } }`.");

/// A required [`url`] field.
const fn req_url(name: &'static str, doc: &'static str) -> FieldDef {
    g(req(name, Ty::Str, doc), Grammar::HttpUrl)
}

/// An Alertmanager `url` field: `http://` or `https://` and a host, as its `URL` type parses.
const fn url(name: &'static str, doc: &'static str) -> FieldDef {
    g(f(name, Ty::Str, None, doc), Grammar::HttpUrl)
}

pub static PAGERDUTY: Schema = schema(
    "pagerduty",
    "A PagerDuty integration (https://prometheus.io/docs/alerting/latest/configuration/#pagerduty_config): Events API v2 with `routing_key`, v1 with `service_key`; the text fields are Alertmanager templates.",
    &[
        f("routing_key", Ty::Secret, None, "Integration key of an Events API v2 service (`routing_key_file`)."),
        f("service_key", Ty::Secret, None, "Integration key of an Events API v1 service (`service_key_file`)."),
        url("url", "Events API endpoint; default `global.pagerduty_url` (https://events.pagerduty.com/v2/enqueue)."),
        f("description", Ty::Str, None, "Summary of the incident (template); default `{{ template \"pagerduty.default.description\" . }}`."),
        f("severity", Ty::Str, None, "`critical`, `error`, `warning` or `info` (template)."),
        f("client", Ty::Str, None, "Name of the monitoring client (template)."),
        f("client_url", Ty::Str, None, "Link to the monitoring client (template)."),
        f("source", Ty::Str, None, "Where the incident happened (template); default `client`."),
        f("component", Ty::Str, None, "The part of the source that is broken (template)."),
        f("group", Ty::Str, None, "A cluster or grouping of sources (template)."),
        f("class", Ty::Str, None, "The class or type of the event (template)."),
        f("details", Ty::StrMap, None, "Extra key/value details (templates), merged over Alertmanager's `firing`, `resolved`, `num_firing`, `num_resolved`."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static OPSGENIE: Schema = schema(
    "opsgenie",
    "An OpsGenie integration (https://prometheus.io/docs/alerting/latest/configuration/#opsgenie_config); the text fields are Alertmanager templates.",
    &[
        req("api_key", Ty::Secret, "API key of an OpsGenie API integration (`api_key_file`)."),
        url("api_url", "API host; default `global.opsgenie_api_url` (https://api.opsgenie.com/)."),
        f("message", Ty::Str, None, "Alert text, at most 130 characters (template)."),
        f("description", Ty::Str, None, "Description of the alert (template)."),
        f("source", Ty::Str, None, "Backlink to the sender (template)."),
        f("priority", Ty::Str, None, "`P1` to `P5` (template)."),
        f("tags", Ty::Str, None, "Comma-separated tags (template)."),
        f("note", Ty::Str, None, "Additional note (template)."),
        f("entity", Ty::Str, None, "The domain of the alert (template)."),
        f("details", Ty::StrMap, None, "Extra key/value details (templates)."),
        f("update_alerts", Ty::Bool, None, "Update the message and description of an alert that is still open."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static MSTEAMS: Schema = schema(
    "msteams",
    "A Microsoft Teams integration through a Power Automate workflow's webhook (https://prometheus.io/docs/alerting/latest/configuration/#msteamsv2_config).",
    &[
        g(req("webhook_url", Ty::StrOrSecret, "The workflow's incoming webhook URL (a secret, usually: `webhook_url_file`)."), Grammar::HttpUrl),
        f("title", Ty::Str, None, "Message title (template)."),
        f("text", Ty::Str, None, "Message body (template)."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static DISCORD: Schema = schema(
    "discord",
    "A Discord integration through a channel webhook (https://prometheus.io/docs/alerting/latest/configuration/#discord_config).",
    &[
        g(req("webhook_url", Ty::StrOrSecret, "The channel's webhook URL (a secret, usually: `webhook_url_file`)."), Grammar::HttpUrl),
        f("title", Ty::Str, None, "Message title (template)."),
        f("message", Ty::Str, None, "Message body (template)."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static TELEGRAM: Schema = schema(
    "telegram",
    "A Telegram integration through a bot (https://prometheus.io/docs/alerting/latest/configuration/#telegram_config).",
    &[
        req("bot_token", Ty::Secret, "The bot's token (`bot_token_file`)."),
        req("chat_id", Ty::Int, "The chat to post to (group chats are negative)."),
        url("api_url", "Bot API endpoint; default `global.telegram_api_url` (https://api.telegram.org)."),
        f("message", Ty::Str, None, "Message text (template)."),
        f("parse_mode", Ty::Enum(&["HTML", "Markdown", "MarkdownV2"]), None, "How Telegram formats the message; Alertmanager's default `HTML`."),
        f("disable_notifications", Ty::Bool, None, "Deliver silently."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static PUSHOVER: Schema = schema(
    "pushover",
    "A Pushover integration (https://prometheus.io/docs/alerting/latest/configuration/#pushover_config).",
    &[
        req("user_key", Ty::Secret, "The recipient's user key (`user_key_file`)."),
        req("token", Ty::Secret, "The application's API token (`token_file`)."),
        f("title", Ty::Str, None, "Notification title (template)."),
        f("message", Ty::Str, None, "Notification text (template)."),
        f("priority", Ty::Str, None, "Pushover priority `-2` to `2` (template); Alertmanager's default 2 while firing, else 0."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static VICTOROPS: Schema = schema(
    "victorops",
    "A Splunk On-Call (VictorOps) integration (https://prometheus.io/docs/alerting/latest/configuration/#victorops_config).",
    &[
        req("api_key", Ty::Secret, "The REST endpoint's API key (`api_key_file`)."),
        req("routing_key", Ty::Str, "Routing key of the team to page."),
        url("api_url", "REST endpoint; default `global.victorops_api_url`."),
        f("message_type", Ty::Str, None, "`CRITICAL`, `WARNING` or `INFO` (template); Alertmanager's default `CRITICAL`."),
        f("state_message", Ty::Str, None, "Long explanation of the alert (template)."),
        f("entity_display_name", Ty::Str, None, "Summary of the alert (template)."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static WEBEX: Schema = schema(
    "webex",
    "A Cisco Webex integration through a bot (https://prometheus.io/docs/alerting/latest/configuration/#webex_config).",
    &[
        req("bot_token", Ty::Secret, "The bot's access token, sent as `Authorization: Bearer …` (`http_config.authorization.credentials_file`: Alertmanager refuses a Webex integration without `http_config.authorization`)."),
        req("room_id", Ty::Str, "The room to post to (template)."),
        url("api_url", "Messages API endpoint; default `global.webex_api_url` (https://webexapis.com/v1/messages)."),
        f("message", Ty::Str, None, "Message text (template); default `{{ template \"webex.default.message\" . }}`."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static SIGV4: Schema = schema(
    "sigv4",
    "How SNS requests are signed (AWS Signature Version 4, https://prometheus.io/docs/alerting/latest/configuration/#sigv4_config). The credentials come from AWS's default chain (the environment's `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, `~/.aws`, an instance or pod role): Alertmanager 0.28 reads `access_key` and `secret_key` only in plain text, so they are not fields here.",
    &[
        f("region", Ty::Str, None, "AWS region, like `eu-west-1`; default the chain's (`AWS_REGION`)."),
        f("profile", Ty::Str, None, "Named profile of the shared credentials file."),
        f("role_arn", Ty::Str, None, "Role to assume, like `arn:aws:iam::123456789012:role/alertmanager`."),
        f("use_fips_sts_endpoint", Ty::Bool, None, "Assume the role through STS's FIPS endpoint."),
    ],
    &[],
);

pub static SNS: Schema = schema(
    "sns",
    "An Amazon SNS integration (https://prometheus.io/docs/alerting/latest/configuration/#sns_configs): publishes to exactly one of `topic_arn`, `phone_number` (SMS) or `target_arn` (a mobile endpoint); the text fields are Alertmanager templates.",
    &[
        url("api_url", "SNS endpoint, like `https://sns.eu-west-1.amazonaws.com`; default the region's."),
        f("sigv4", Ty::Record(&SIGV4), None, "Request signing: `{ region = \"eu-west-1\", role_arn = \"arn:aws:iam::…\" }`."),
        f("topic_arn", Ty::Str, None, "Topic to publish to, like `arn:aws:sns:eu-west-1:123456789012:alerts` (template)."),
        f("phone_number", Ty::Str, None, "Phone number to text, E.164 like `+15551234567` (template)."),
        f("target_arn", Ty::Str, None, "Mobile platform endpoint to push to (template)."),
        f("subject", Ty::Str, None, "Subject of the message (template); default `{{ template \"sns.default.subject\" . }}`."),
        f("message", Ty::Str, None, "Message text (template); default `{{ template \"sns.default.message\" . }}`."),
        f("attributes", Ty::StrMap, None, "SNS message attributes (templates)."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static JIRA: Schema = schema(
    "jira",
    "A Jira integration: an issue per alert group, reopened or resolved through transitions (https://prometheus.io/docs/alerting/latest/configuration/#jira_config); the text fields are Alertmanager templates.",
    &[
        req_url("api_url", "Jira's REST API, like `https://example.atlassian.net/rest/api/2` (Alertmanager has no default `global.jira_api_url`)."),
        req("project", Ty::Str, "Project key of the issues, like `OPS` (template)."),
        req("issue_type", Ty::Str, "Issue type, like `Bug` (template)."),
        f("user", Ty::Str, None, "Account the issues are filed as (`http_config.basic_auth.username`); Jira Cloud: its e-mail address."),
        f("api_token", Ty::Secret, None, "That account's API token or password (`http_config.basic_auth.password_file`); needs `user`."),
        f("summary", Ty::Str, None, "Issue summary (template); default `{{ template \"jira.default.summary\" . }}`."),
        f("description", Ty::Str, None, "Issue description (template); default `{{ template \"jira.default.description\" . }}`."),
        f("priority", Ty::Str, None, "Issue priority (template); default `{{ template \"jira.default.priority\" . }}`."),
        f("labels", STRS, None, "Issue labels (templates)."),
        f("reopen_transition", Ty::Str, None, "Transition that reopens a resolved issue when its alerts fire again, like `To Do`."),
        f("resolve_transition", Ty::Str, None, "Transition that resolves the issue when its alerts resolve, like `Done`."),
        f("wont_fix_resolution", Ty::Str, None, "An issue with this resolution is not reopened."),
        f("reopen_duration", Ty::Duration, None, "A resolved issue older than this gets a new issue instead of reopening."),
        f("fields", Ty::StrMap, None, "Other issue fields, like `{ customfield_10001 = \"…\" }` (templates)."),
        SEND_RESOLVED,
        HTTP_CONFIG,
    ],
    &[],
);

pub static ROCKETCHAT: Schema = schema(
    "rocketchat",
    "A Rocket.Chat integration through a bot user's personal access token (https://prometheus.io/docs/alerting/latest/configuration/#rocketchat_config); the text fields are Alertmanager templates.",
    &[
        req("token_id", Ty::Secret, "The user id of the access token (`token_id_file`)."),
        req("token", Ty::Secret, "The access token (`token_file`)."),
        url("api_url", "Server URL; default `global.rocketchat_api_url` (https://open.rocket.chat/)."),
        f("channel", Ty::Str, None, "Channel or user to post to, like `#ops` or `@alice` (template); default the token's."),
        f("color", Ty::Str, None, "Attachment color (template); default red while firing, else green."),
        f("title", Ty::Str, None, "Attachment title (template)."),
        f("title_link", Ty::Str, None, "Link of the title (template)."),
        f("text", Ty::Str, None, "Attachment text (template)."),
        f("emoji", Ty::Str, None, "Avatar emoji of the message (template)."),
        f("icon_url", Ty::Str, None, "Avatar image of the message (template)."),
        f("image_url", Ty::Str, None, "Image of the attachment (template)."),
        f("thumb_url", Ty::Str, None, "Thumbnail of the attachment (template)."),
        f("short_fields", Ty::Bool, None, "Show the attachment's fields side by side."),
        f("link_names", Ty::Bool, None, "Turn `@names` and `#channels` in the text into links."),
        SEND_RESOLVED,
        HTTP_CONFIG,
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
        f("mute_time_intervals", STRS, None, "Time intervals (`time_interval` names) when this route sends nothing."),
        f("active_time_intervals", STRS, None, "Time intervals (`time_interval` names) outside of which this route sends nothing."),
    ],
    &[b("route", NoLabel, true, &ROUTE, "A child route.")],
);

pub static INHIBIT: Schema = schema(
    "inhibit",
    "An Alertmanager inhibit rule: while an alert matching `source_matchers` fires, alerts matching `target_matchers` that agree with it on every `equal` label are not sent (https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule).",
    &[
        req("source_matchers", STRS, "Matchers of the alerts that inhibit, like `alertname=\"NodeDown\"`."),
        req("target_matchers", STRS, "Matchers of the alerts inhibited, like `severity=\"warning\"`."),
        f("equal", STRS, Some(Lit::List(&[])), "Labels source and target must agree on (all of them, when empty)."),
    ],
    &[],
);

pub static ALERTMANAGER_TEMPLATE: Schema = schema(
    "template",
    "An Alertmanager notification template file (https://prometheus.io/docs/alerting/latest/notifications/): its `define`d templates can be named in the integrations' text fields (`{{ template \"page.title\" . }}`). Written to `templates/<label>.tmpl` beside `alertmanager.yml` on every target and listed in `templates`.",
    &[req("content", Ty::Str, "Go `text/template` text: `{{ define \"name\" }}…{{ end }}` blocks, written as is.")],
    &[],
);

pub static TIME_INTERVAL: Schema = schema(
    "time_interval",
    "An Alertmanager time interval: when its lists all match (an empty list matches always); routes name it in `mute_time_intervals` (send nothing then) or `active_time_intervals` (send only then) (https://prometheus.io/docs/alerting/latest/configuration/#time_interval).",
    &TIME_INTERVAL_FIELDS,
    &[],
);

pub static ALERTMANAGER: Schema = Schema {
    settings: true,
    ..schema(
        "alertmanager",
        "Alertmanager: receives alerts from Prometheus and the Loki ruler (https://prometheus.io/docs/alerting/latest/configuration/).",
        &[
            g(f("version", Ty::Str, Some(Lit::Str("0.28")), "Alertmanager version."), Grammar::Version),
            f("port", Ty::Port, Some(Lit::Port(9093)), "HTTP port."),
            f(
                "replicas",
                Ty::Int,
                Some(Lit::Int(1)),
                "Peers, 1–9 (https://prometheus.io/docs/alerting/latest/alertmanager/#high-availability): 2 or more form a gossip cluster (`--cluster.listen-address`, `--cluster.peer`) that shares silences and notification logs, and Prometheus and the Loki ruler send every alert to every peer, which notify once between them. Native and systemd run the peers on one host, peer `i` (from 0) on `port + 10i` and `cluster_port + 10i`; compose and Kubernetes give each its own host, `alertmanager-<i>` (the first keeps `alertmanager`).",
            ),
            f("cluster_port", Ty::Port, Some(Lit::Port(9094)), "The peers' gossip port (TCP and UDP), when `replicas` is 2 or more."),
            g(
                f("smtp_smarthost", Ty::Str, None, "SMTP server of the e-mail receivers, `host:port` (`global.smtp_smarthost`); required with an `email` receiver."),
                Grammar::HostPort,
            ),
            f("smtp_from", Ty::Str, None, "Sender address of the e-mail receivers (`global.smtp_from`); required with an `email` receiver."),
            f("resolve_timeout", Ty::Duration, None, "How long an alert without an end time stays firing after its last update (`global.resolve_timeout`); Alertmanager's default 5m."),
            f("smtp_require_tls", Ty::Bool, None, "Whether the e-mail receivers insist on STARTTLS (`global.smtp_require_tls`); Alertmanager's default `true`."),
        ],
        &[
            b("receiver", Labelled, true, &RECEIVER, "`receiver name { webhook = … }`"),
            b("route", NoLabel, false, &ROUTE, "The root route."),
            b("inhibit", NoLabel, true, &INHIBIT, "An inhibit rule (`inhibit_rules`)."),
            b("time_interval", Labelled, true, &TIME_INTERVAL, "A time interval: `time_interval weekends { weekdays = [\"saturday\", \"sunday\"] }`."),
            b("template", Labelled, true, &ALERTMANAGER_TEMPLATE, "A notification template file: `template \"page\" { content = \"{{ define \\\"page.title\\\" }}…{{ end }}\" }`."),
        ],
    )
};

pub static NODE_EXPORTER: Schema = Schema {
    settings: true,
    ..schema(
        "node_exporter",
        "node-exporter: host metrics (https://github.com/prometheus/node_exporter).",
        &[
            g(f("version", Ty::Str, Some(Lit::Str("1.9")), "node-exporter version."), Grammar::Version),
            f("port", Ty::Port, Some(Lit::Port(9100)), "HTTP port."),
            g(f("collectors", STRS, Some(Lit::List(&[])), "Extra collectors to enable (`--collector.<name>`)."), Grammar::Collector),
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
