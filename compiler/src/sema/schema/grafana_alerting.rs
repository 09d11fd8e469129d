//! Grafana-managed alerting: contact points, notification policies, mute timings, templates,
//! and `grafana_alert` rules.

use super::*;

// ---- Grafana-managed alerting ----------------------------------------------------------------
// Written to Grafana's alerting file provisioning (`provisioning/alerting/*.yaml`, read by
// Grafana's `pkg/services/provisioning/alerting/`): see `backends/grafana_alerting.rs`.

/// The alerting blocks of `grafana { … }`.
pub(super) const GRAFANA_ALERTING_BLOCKS: &[BlockDef] = &[
    b("contact_point", Labelled, true, &CONTACT_POINT, "A contact point: `contact_point oncall { webhook = secret.env(\"ONCALL_URL\") }`."),
    b("policy", NoLabel, false, &POLICY, "The root notification policy: `policy { contact_point = oncall }`."),
    b("mute_timing", Labelled, true, &MUTE_TIMING, "A mute timing: `mute_timing weekends { weekdays = [\"saturday\", \"sunday\"] }`."),
    b("template", Labelled, true, &NOTIFICATION_TEMPLATE, "A notification template: `template \"page\" { content = \"{{ define \\\"page\\\" }}…{{ end }}\" }`."),
];

/// Grafana's `[smtp]` section (`pkg/setting/setting_smtp.go`, `readSmtpSettings`): how its
/// e-mail contact points (and invitations) send mail.
pub static GRAFANA_SMTP: Schema = schema(
    "smtp",
    "Grafana's SMTP server (`[smtp]`, https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#smtp): setting it writes `enabled = true`; an `email` contact point needs it.",
    &[
        g(req("host", Ty::Str, "The server, `host:port` (`host`)."), Grammar::HostPort),
        f("user", Ty::Str, None, "User to authenticate as (`user`)."),
        f("password", Ty::Secret, None, "The user's password, by reference (`password`, read through `$__file{…}`/`$__env{…}`)."),
        f("from_address", Ty::Str, None, "Sender address (`from_address`); Grafana's default `admin@grafana.localhost`."),
        f("from_name", Ty::Str, None, "Sender name (`from_name`); Grafana's default `Grafana`."),
        f("ehlo_identity", Ty::Str, None, "Name sent in EHLO (`ehlo_identity`); default the host name."),
        f("startTLS_policy", Ty::Enum(&["OpportunisticStartTLS", "MandatoryStartTLS", "NoStartTLS"]), None, "STARTTLS (`startTLS_policy`): when offered (Grafana's default), always, or never."),
        f("skip_verify", Ty::Bool, None, "Accept any server certificate (`skip_verify`)."),
    ],
    &[],
);

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
        f("pagerduty", Ty::Record(&CP_PAGERDUTY), None, "PagerDuty: `{ integrationKey = secret.env(\"PD_KEY\"), severity = \"critical\" }`."),
        f("opsgenie", Ty::Record(&CP_OPSGENIE), None, "OpsGenie: `{ apiKey = secret.env(\"OPSGENIE_KEY\") }`."),
        f("discord", Ty::Record(&CP_DISCORD), None, "Discord: `{ url = secret.env(\"DISCORD_URL\") }`."),
        f("telegram", Ty::Record(&CP_TELEGRAM), None, "Telegram: `{ bottoken = secret.env(\"TG_TOKEN\"), chatid = \"-1001234567890\" }`."),
        f("teams", Ty::Record(&CP_TEAMS), None, "Microsoft Teams: `{ url = secret.env(\"TEAMS_URL\") }`."),
        f("webex", Ty::Record(&CP_WEBEX), None, "Cisco Webex: `{ bot_token = secret.env(\"WEBEX_TOKEN\"), room_id = \"…\" }`."),
        f("pushover", Ty::Record(&CP_PUSHOVER), None, "Pushover: `{ userKey = secret.env(\"PO_USER\"), apiToken = secret.env(\"PO_TOKEN\") }`."),
        f("victorops", Ty::Record(&CP_VICTOROPS), None, "Splunk On-Call: `{ url = secret.env(\"VO_URL\") }`."),
        f("googlechat", Ty::Record(&CP_GOOGLECHAT), None, "Google Chat: `{ url = secret.env(\"GCHAT_URL\") }`."),
        f("sns", Ty::Record(&CP_SNS), None, "Amazon SNS: `{ topic_arn = \"arn:aws:sns:…\", sigv4 = { region = \"eu-west-1\" } }`."),
        f("jira", Ty::Record(&CP_JIRA), None, "Jira: `{ api_url = \"https://example.atlassian.net/rest/api/3\", project = \"OPS\", issue_type = \"Bug\", api_token = secret.env(\"JIRA_TOKEN\") }`."),
        f("wecom", Ty::Record(&CP_WECOM), None, "WeCom (WeChat Work): `{ url = secret.env(\"WECOM_URL\") }`."),
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
        f("active_timings", Ty::ListOf(&Ty::Word), None, "Names of `mute_timing`s outside of which this policy sends nothing (`active_time_intervals`)."),
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

/// The fields of an Alertmanager time interval, Grafana's mute timing and the alertmanager
/// block's `time_interval` alike (https://prometheus.io/docs/alerting/latest/configuration/#time_interval).
pub static TIME_INTERVAL_FIELDS: [FieldDef; 6] = [
    f("times", STRS, None, "Clock ranges `\"HH:MM-HH:MM\"` (end up to `24:00`)."),
    f("weekdays", STRS, None, "`\"saturday\"`, or a range `\"monday:friday\"`."),
    f("days_of_month", STRS, None, "`\"1\"`, `\"-1\"` (the last day), or a range `\"1:7\"`."),
    f("months", STRS, None, "`\"january\"`, `\"1\"`, or a range `\"june:august\"`."),
    f("years", STRS, None, "`\"2025\"`, or a range `\"2025:2026\"`."),
    f("location", Ty::Str, None, "IANA time zone of the times (`\"Europe/Berlin\"`); default UTC."),
];

pub static MUTE_TIMING: Schema = schema(
    "mute_timing",
    "A Grafana mute timing: when its lists all match (an empty list matches always), policies naming it send nothing. Alertmanager's time interval (https://prometheus.io/docs/alerting/latest/configuration/#time_interval).",
    &TIME_INTERVAL_FIELDS,
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
