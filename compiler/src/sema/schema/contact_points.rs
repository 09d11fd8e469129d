//! The integrations of a Grafana contact point beyond `webhook`, `email` and `slack`: one record
//! per Grafana integration type, each field named exactly as the integration's settings key
//! (what Grafana's contact point export and file provisioning carry, so `integrationKey`,
//! `chatid`, `okPriority` as Grafana spells them).
//!
//! The keys, their types and which are secure or required follow the settings parsers of
//! Grafana 12.2's alerting module, `receivers/<type>/config.go` of grafana/alerting (the last
//! commit of that layout, bd061d3d, 2025-09-25; every `config.go` is byte-identical from
//! 8eef376f, 2025-07-11): a key Grafana decrypts from its secure settings is a secret here
//! (`Ty::Secret`, or a URL that may be one), a key its parser refuses to go without is
//! required, and the checks it makes beyond that are the checker's
//! (`sema/check/grafana_alerting.rs`). Text fields are Go templates, as Alertmanager's.

use super::*;

/// A Grafana integration's URL: `http://` or `https://` and a host, plain or a secret.
const fn url_or_secret(name: &'static str, doc: &'static str) -> FieldDef {
    g(req(name, Ty::StrOrSecret, doc), Grammar::HttpUrl)
}

/// An optional plain URL.
const fn url(name: &'static str, doc: &'static str) -> FieldDef {
    g(f(name, Ty::Str, None, doc), Grammar::HttpUrl)
}

const fn text(name: &'static str, doc: &'static str) -> FieldDef {
    f(name, Ty::Str, None, doc)
}

pub static CP_PAGERDUTY: Schema = schema(
    "contact_point pagerduty",
    "A PagerDuty integration of a Grafana contact point (Events API v2; grafana/alerting `receivers/pagerduty`).",
    &[
        req("integrationKey", Ty::Secret, "The service's integration key (secure)."),
        text("severity", "`critical` (default), `error`, `warning` or `info` (template)."),
        text("class", "The class of the event (template); default `default`."),
        text("component", "The broken part (template); default `Grafana`."),
        text("group", "A grouping of sources (template); default `default`."),
        text("summary", "Summary of the incident (template); default `{{ template \"default.title\" . }}`."),
        text("source", "Where it happened (template); default Grafana's host name."),
        text("client", "Name of the client; default `Grafana`."),
        text("client_url", "Link to the client (template); default `{{ .ExternalURL }}`."),
        f("details", Ty::StrMap, None, "Extra details (templates), merged over Grafana's `firing`, `resolved`, `num_firing`, `num_resolved`."),
        url("url", "Events API endpoint; default https://events.pagerduty.com/v2/enqueue."),
    ],
    &[],
);

pub static CP_OPSGENIE: Schema = schema(
    "contact_point opsgenie",
    "An OpsGenie integration of a Grafana contact point (grafana/alerting `receivers/opsgenie`).",
    &[
        req("apiKey", Ty::Secret, "The API integration's key (secure)."),
        url("apiUrl", "Alert API endpoint; default https://api.opsgenie.com/v2/alerts."),
        text("message", "The alert's message (template); default `{{ template \"default.title\" . }}`."),
        text("description", "The alert's description (template)."),
        f("autoClose", Ty::Bool, None, "Close the alert when it resolves; Grafana's default `true`."),
        f("overridePriority", Ty::Bool, None, "Take the priority from the `og_priority` annotation; Grafana's default `true`."),
        f("sendTagsAs", Ty::Enum(&["tags", "details", "both"]), None, "Send the labels as OpsGenie tags (default), details, or both."),
    ],
    &[],
);

pub static CP_DISCORD: Schema = schema(
    "contact_point discord",
    "A Discord integration of a Grafana contact point (grafana/alerting `receivers/discord`).",
    &[
        url_or_secret("url", "The channel's webhook URL (secure: a secret, usually)."),
        text("title", "Title (template); default `{{ template \"default.title\" . }}`."),
        text("message", "Message (template); default `{{ template \"default.message\" . }}`."),
        text("avatar_url", "Avatar of the message's author."),
        f("use_discord_username", Ty::Bool, None, "Post as the webhook's own user name instead of Grafana."),
    ],
    &[],
);

pub static CP_TELEGRAM: Schema = schema(
    "contact_point telegram",
    "A Telegram integration of a Grafana contact point (grafana/alerting `receivers/telegram`).",
    &[
        req("bottoken", Ty::Secret, "The bot's API token (secure)."),
        req("chatid", Ty::Str, "The chat to post to, as text (Grafana reads a string): `\"-1001234567890\"`, or `\"@channel\"`."),
        text("message_thread_id", "A forum topic of the chat: an integer, as text."),
        text("message", "Message (template); default `{{ template \"default.message\" . }}`."),
        f("parse_mode", Ty::Enum(&["HTML", "Markdown", "MarkdownV2", "None"]), None, "How Telegram reads the text; Grafana's default `HTML`."),
        f("disable_web_page_preview", Ty::Bool, None, "No link previews."),
        f("protect_content", Ty::Bool, None, "Forbid forwarding and saving."),
        f("disable_notifications", Ty::Bool, None, "Deliver silently."),
    ],
    &[],
);

pub static CP_TEAMS: Schema = schema(
    "contact_point teams",
    "A Microsoft Teams integration of a Grafana contact point (a Teams or Power Automate workflow webhook; grafana/alerting `receivers/teams`).",
    &[
        url_or_secret("url", "The webhook URL (a secret, usually)."),
        text("title", "Title (template); default `{{ template \"default.title\" . }}`."),
        text("sectiontitle", "Title of the message's section (template)."),
        text("message", "Message (template); default `{{ template \"teams.default.message\" . }}`."),
    ],
    &[],
);

pub static CP_WEBEX: Schema = schema(
    "contact_point webex",
    "A Cisco Webex integration of a Grafana contact point (grafana/alerting `receivers/webex`).",
    &[
        req("bot_token", Ty::Secret, "The bot's access token, sent as `Authorization: Bearer …` (secure)."),
        req("room_id", Ty::Str, "The room to post to."),
        url("api_url", "Messages API endpoint; default https://webexapis.com/v1/messages."),
        text("message", "Message (template); default `{{ template \"default.message\" . }}`."),
    ],
    &[],
);

pub static CP_PUSHOVER: Schema = schema(
    "contact_point pushover",
    "A Pushover integration of a Grafana contact point (grafana/alerting `receivers/pushover`).",
    &[
        req("userKey", Ty::Secret, "The user or group key, several separated by `,` (secure)."),
        req("apiToken", Ty::Secret, "The application's API token (secure)."),
        f("priority", Ty::Int, None, "Priority of a firing alert, -2 to 2; default 0."),
        f("okPriority", Ty::Int, None, "Priority of a resolved alert, -2 to 2; default 0."),
        f("retry", Ty::Int, None, "Seconds between retries of an emergency (priority 2) notification, at least 30."),
        f("expire", Ty::Int, None, "Seconds an emergency notification is retried, at most 10800."),
        text("device", "Devices to send to, separated by `,`; default all."),
        text("sound", "Sound of a firing alert."),
        text("okSound", "Sound of a resolved alert."),
        f("uploadImage", Ty::Bool, None, "Attach the panel's image; Grafana's default `true`."),
        text("title", "Title (template); default `{{ template \"default.title\" . }}`."),
        text("message", "Message (template); default `{{ template \"default.message\" . }}`."),
    ],
    &[],
);

pub static CP_VICTOROPS: Schema = schema(
    "contact_point victorops",
    "A Splunk On-Call (VictorOps) integration of a Grafana contact point (grafana/alerting `receivers/victorops`).",
    &[
        url_or_secret("url", "The REST endpoint URL with its routing key (secure: a secret, usually)."),
        text("messageType", "`CRITICAL` (default) or `WARNING`, the message type of a firing alert."),
        text("title", "Title (template); default `{{ template \"default.title\" . }}`."),
        text("description", "Description (template); default `{{ template \"default.message\" . }}`."),
    ],
    &[],
);

pub static CP_GOOGLECHAT: Schema = schema(
    "contact_point googlechat",
    "A Google Chat integration of a Grafana contact point (grafana/alerting `receivers/googlechat`).",
    &[
        url_or_secret("url", "The space's webhook URL (secure: a secret, usually)."),
        text("title", "Title (template); default `{{ template \"default.title\" . }}`."),
        text("message", "Message (template); default `{{ template \"default.message\" . }}`."),
    ],
    &[],
);

pub static CP_SIGV4: Schema = schema(
    "contact_point sigv4",
    "How Grafana signs its SNS requests (AWS Signature Version 4): keys of their own (`access_key` and `secret_key`, both or neither), else AWS's default chain.",
    &[
        text("region", "AWS region, like `eu-west-1`."),
        f("access_key", Ty::Secret, None, "Access key id (secure); with `secret_key`."),
        f("secret_key", Ty::Secret, None, "Secret access key (secure); with `access_key`."),
        text("profile", "Named profile of the shared credentials file."),
        text("role_arn", "Role to assume, like `arn:aws:iam::123456789012:role/grafana`."),
    ],
    &[],
);

pub static CP_SNS: Schema = schema(
    "contact_point sns",
    "An Amazon SNS integration of a Grafana contact point (grafana/alerting `receivers/sns`): publishes to `topic_arn`, `target_arn` or `phone_number`.",
    &[
        url("api_url", "SNS endpoint; default the region's."),
        f("sigv4", Ty::Record(&CP_SIGV4), None, "Request signing: `{ region = \"eu-west-1\", role_arn = \"arn:aws:iam::…\" }`."),
        text("topic_arn", "Topic to publish to, like `arn:aws:sns:eu-west-1:123456789012:alerts`."),
        text("target_arn", "Mobile platform endpoint to push to."),
        text("phone_number", "Phone number to text, E.164 like `+15551234567`."),
        text("subject", "Subject (template); default `{{ template \"default.title\" . }}`."),
        text("message", "Message (template); default `{{ template \"default.message\" . }}`."),
        f("attributes", Ty::StrMap, None, "SNS message attributes."),
    ],
    &[],
);

pub static CP_JIRA: Schema = schema(
    "contact_point jira",
    "A Jira integration of a Grafana contact point (Grafana 11.6+; grafana/alerting `receivers/jira`): an issue per alert group, authenticated by `api_token` alone or by `user` and `password`.",
    &[
        g(req("api_url", Ty::Str, "The REST API, like `https://example.atlassian.net/rest/api/3` (v2 or v3)."), Grammar::HttpUrl),
        req("project", Ty::Str, "Project key, like `OPS`."),
        req("issue_type", Ty::Str, "Issue type, like `Bug`."),
        text("summary", "Summary (template); default `{{ template \"jira.default.summary\" . }}`."),
        text("description", "Description (template); default `{{ template \"jira.default.description\" . }}`."),
        text("priority", "Priority (template); default `{{ template \"jira.default.priority\" . }}`."),
        f("labels", Ty::ListOf(&Ty::Str), None, "Labels of the issue (templates)."),
        text("reopen_transition", "Transition that reopens a resolved issue."),
        text("resolve_transition", "Transition that resolves the issue when the alerts resolve."),
        text("wont_fix_resolution", "Resolution that keeps an issue closed."),
        f("reopen_duration", Ty::Duration, None, "How long after resolving an issue is reopened rather than a new one made."),
        text("dedup_key_field", "Number of a custom field that holds the deduplication key (digits only)."),
        text("user", "User of basic authentication (its e-mail address on Jira Cloud); with `password`."),
        f("password", Ty::Secret, None, "Password or API token of `user` (secure)."),
        f("api_token", Ty::Secret, None, "A personal access token, sent as a bearer token (secure); not with `user`."),
    ],
    &[],
);

pub static CP_WECOM: Schema = schema(
    "contact_point wecom",
    "A WeCom (WeChat Work) integration of a Grafana contact point (grafana/alerting `receivers/wecom`): a group robot's `url`, or an application's `secret` with `corp_id` and `agent_id`.",
    &[
        g(f("url", Ty::StrOrSecret, None, "A group robot's webhook URL (secure: a secret, usually)."), Grammar::HttpUrl),
        f("secret", Ty::Secret, None, "The application's secret (secure); with `corp_id` and `agent_id`."),
        text("corp_id", "The corporation id of the application."),
        text("agent_id", "The application's agent id."),
        url("endpointUrl", "API endpoint; default https://qyapi.weixin.qq.com."),
        f("msgtype", Ty::Enum(&["markdown", "text"]), None, "Message type; Grafana's default `markdown`."),
        text("title", "Title (template); default `{{ template \"default.title\" . }}`."),
        text("message", "Message (template); default `{{ template \"default.message\" . }}`."),
        text("touser", "Users to message, separated by `|`; default `@all`."),
    ],
    &[],
);

/// The contact point fields that are Grafana integrations beyond webhook, e-mail and Slack:
/// (field, Grafana's integration `type`), in the order they are written.
pub const CONTACT_POINT_INTEGRATIONS: &[(&str, &str)] = &[
    ("pagerduty", "pagerduty"),
    ("opsgenie", "opsgenie"),
    ("discord", "discord"),
    ("telegram", "telegram"),
    ("teams", "teams"),
    ("webex", "webex"),
    ("pushover", "pushover"),
    ("victorops", "victorops"),
    ("googlechat", "googlechat"),
    ("sns", "sns"),
    ("jira", "jira"),
    ("wecom", "wecom"),
];
