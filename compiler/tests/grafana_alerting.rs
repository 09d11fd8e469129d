//! Grafana-managed alerting (`contact_point`, `policy`, `mute_timing`, `template` in
//! `grafana { … }`, and `grafana_alert`): the generated `provisioning/alerting/stack.yaml` of a
//! small stack (a snapshot), accepted by yamllint, with Grafana's field names, and no secret
//! value in any generated file of any target.

mod common;
use common::*;
use gstack::db::Database;
use gstack::sema::check::check_stack;
use std::path::Path;
use std::process::Command;

const ALERTING: &str = "native/config/grafana/provisioning/alerting/stack.yaml";

/// A small stack using every alerting block; `{file}` is a secret file's path.
fn source(file: &str) -> String {
    format!(
        r##"
stack shop {{
  prometheus {{}}
  grafana {{
    smtp = {{ host = "smtp.example.com:587", from_address = "grafana@example.com", password = secret.env("SMTP_PASSWORD") }}
    contact_point oncall {{ webhook = secret.env("ONCALL_URL") }}
    contact_point team {{
      email = "ops@example.com"
      slack = {{ url = secret.file("{file}"), channel = "#payments" }}
    }}
    contact_point audit {{ webhook = "https://audit.example.com/hook?cost=$5" }}
    policy {{
      contact_point = oncall
      group_by = ["alertname", "team"]
      repeat_interval = 4h
      route {{
        matchers = ["team=payments", "severity=~\"warning|info\""]
        contact_point = team
        mute_timings = [weekends, nights]
        route {{ matchers = ["env!=prod"], contact_point = audit, continue = true, active_timings = [nights] }}
      }}
    }}
    mute_timing weekends {{ weekdays = ["saturday", "sunday"] }}
    mute_timing nights {{ times = ["0:00-7:30", "22:00-24:00"], weekdays = ["monday:friday"], location = "Europe/Berlin" }}
    template "page" {{ content = "{{{{ define \"page\" }}}}{{{{ .CommonLabels.alertname }}}} on $${{instance}}{{{{ end }}}}" }}
  }}
}}

datasource longterm {{ type = prometheus, url = "http://thanos:9090", uid = "thanos" }}

grafana_alert HighLatency {{
  query = promql`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[$__rate_interval]))) > 0.5`
  for = 5m
  folder = "Payments"
  group = "latency"
  interval = 30s
  severity = warning
  summary = "p99 of {{{{ $labels.instance }}}} is {{{{ $values.A }}}}s"
  labels = {{ team = "payments", price = "$5" }}
  no_data = ok
}}

grafana_alert TargetDown {{
  query = promql`up == 0`
  datasource = longterm
  exec_err = alerting
}}

target native {{}}
"##
    )
}

fn build_lib(src: &str) -> Vec<gstack::targets::Output> {
    let mut db = Database::default();
    let f = db.set_file(Path::new("shop.gstack"), src.to_string());
    let checked = check_stack(&db, f);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    gstack::targets::render(checked.stack.as_ref().unwrap(), None).expect("renders")
}

fn alerting_file(outputs: &[gstack::targets::Output]) -> String {
    outputs.iter().find(|o| o.path == ALERTING).unwrap_or_else(|| panic!("no {ALERTING}")).content.clone()
}

#[test]
fn alerting_file_snapshot() {
    let outputs = build_lib(&source("/run/secrets/slack-url"));
    // the file replaces the directory's empty placeholder
    assert!(!outputs.iter().any(|o| o.path.ends_with("provisioning/alerting/none.yaml")));
    insta::assert_snapshot!("grafana_alerting_stack_yaml", alerting_file(&outputs));
}

#[test]
fn alerting_file_has_grafanas_field_names() {
    let doc: serde_json::Value = serde_norway::from_str(&alerting_file(&build_lib(&source("/run/secrets/slack-url")))).unwrap();
    assert_eq!(doc["apiVersion"], 1);
    let cp = &doc["contactPoints"][0];
    assert_eq!(cp["name"], "oncall");
    assert_eq!(cp["receivers"][0]["type"], "webhook");
    assert_eq!(cp["receivers"][0]["settings"]["url"], "$__env{ONCALL_URL}");
    let team = &doc["contactPoints"][1]["receivers"];
    assert_eq!(team[0]["settings"]["addresses"], "ops@example.com");
    assert_eq!(team[1]["settings"]["url"], "$__file{/run/secrets/slack-url}");
    assert_eq!(team[1]["settings"]["recipient"], "#payments");
    // interpolated by Grafana: `$` doubled
    assert_eq!(doc["contactPoints"][2]["receivers"][0]["settings"]["url"], "https://audit.example.com/hook?cost=$$5");
    let p = &doc["policies"][0];
    assert_eq!(p["receiver"], "oncall");
    assert_eq!(p["routes"][0]["object_matchers"][1], serde_json::json!(["severity", "=~", "warning|info"]));
    assert_eq!(p["routes"][0]["mute_time_intervals"], serde_json::json!(["weekends", "nights"]));
    assert_eq!(p["routes"][0]["routes"][0]["continue"], true);
    assert_eq!(p["routes"][0]["routes"][0]["active_time_intervals"], serde_json::json!(["nights"]));
    let nights = &doc["muteTimes"][1]["time_intervals"][0];
    assert_eq!(nights["times"][0], serde_json::json!({ "start_time": "00:00", "end_time": "07:30" }));
    assert_eq!(nights["location"], "Europe/Berlin");
    // not interpolated: written as is
    assert_eq!(doc["templates"][0]["template"], "{{ define \"page\" }}{{ .CommonLabels.alertname }} on ${instance}{{ end }}");
    let g = &doc["groups"][0];
    assert_eq!((g["name"].as_str(), g["folder"].as_str(), g["interval"].as_str()), (Some("latency"), Some("Payments"), Some("30s")));
    let r = &g["rules"][0];
    assert_eq!(r["condition"], "C");
    assert_eq!(r["data"][0]["datasourceUid"], "prometheus");
    assert_eq!(r["data"][1]["model"]["type"], "threshold");
    assert_eq!(r["labels"]["price"], "$$5");
    assert_eq!(r["annotations"]["summary"], "p99 of {{ $labels.instance }} is {{ $values.A }}s");
    assert_eq!(r["noDataState"], "OK");
    // a declared datasource by its uid; the default group and folder
    let down = &doc["groups"][1];
    assert_eq!((down["name"].as_str(), down["folder"].as_str(), down["interval"].as_str()), (Some("gstack"), Some("Alerts"), Some("1m")));
    assert_eq!(down["rules"][0]["data"][0]["datasourceUid"], "thanos");
    assert_eq!(down["rules"][0]["execErrState"], "Alerting");
}

#[test]
fn a_stack_without_alerting_keeps_the_empty_directory() {
    let outputs = build_lib("stack s { grafana {} prometheus {} }\ntarget native {}\n");
    let empty = outputs.iter().find(|o| o.path == "native/config/grafana/provisioning/alerting/none.yaml").expect("placeholder");
    assert_eq!(empty.content, "apiVersion: 1\n");
    assert!(!outputs.iter().any(|o| o.path == ALERTING));
}

#[test]
fn yamllint_accepts_the_alerting_file() {
    let yamllint = require("yamllint");
    let dir = TempDir::new("grafana-alerting-yamllint");
    let src = dir.path().join("shop.gstack");
    std::fs::write(&src, source("/run/secrets/slack-url")).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let (ok, text) = run(Command::new(&yamllint).arg("-s").arg("-c").arg(root().join(".yamllint.yaml")).arg(out.join(ALERTING)));
    assert!(ok, "yamllint:\n{text}");
}

#[test]
fn no_secret_value_reaches_any_generated_file() {
    let dir = TempDir::new("grafana-alerting-canary");
    let canary_file_value = "CANARY-SLACK-FILE-93be1d";
    let canary_env_value = "CANARY-ONCALL-ENV-4c0a77";
    let secret_path = dir.path().join("slack-url");
    std::fs::write(&secret_path, canary_file_value).unwrap();
    let src = dir.path().join("shop.gstack");
    let text = source(&secret_path.display().to_string())
        + "target systemd {}\ntarget compose {}\ntarget kubernetes {}\ntarget helm { chart = \"shop\" }\n";
    std::fs::write(&src, text).unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .arg("build")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .env("ONCALL_URL", canary_env_value)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = files_under(&out, &[""]);
    assert!(files.len() > 30, "{}", files.len());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains(canary_file_value) && !text.contains(canary_env_value), "secret value in {}", f.display());
    }
    // the references are there instead, as each target lays secrets out
    let native = std::fs::read_to_string(out.join(ALERTING)).unwrap();
    assert!(native.contains("$__env{ONCALL_URL}"), "{native}");
    assert!(native.contains(&format!("$__file{{{}}}", secret_path.display())), "{native}");
    let k8s = std::fs::read_to_string(out.join("kubernetes/grafana.yaml")).unwrap();
    assert!(k8s.contains("$__file{/run/secrets/grafana/contact-point-oncall-webhook-url}"), "{k8s}");
    assert!(k8s.contains("$__file{/run/secrets/grafana/contact-point-team-slack-url}"), "{k8s}");
}

/// Every typed integration of a contact point is written as Grafana 12.2's settings parsers
/// read it (grafana/alerting `receivers/<type>/config.go`): its `type`, each key as Grafana
/// spells it, secure keys as `$__env{…}`/`$__file{…}` references, strings where Grafana's
/// field is a string (Telegram's `chatid`), numbers and booleans where it is one, and a
/// record (SNS's `sigv4`) as an object.
#[test]
fn contact_point_integrations_have_grafanas_types_and_keys() {
    let src = r#"
stack shop {
  prometheus {}
  grafana {
    contact_point all {
      pagerduty  = { integrationKey = secret.env("PD_KEY"), severity = "critical", details = { team = "ops" } }
      opsgenie   = { apiKey = secret.file("/run/secrets/og"), sendTagsAs = both, autoClose = false }
      discord    = { url = secret.env("DISCORD_URL"), use_discord_username = true }
      telegram   = { bottoken = secret.env("TG"), chatid = "-1001234567890", parse_mode = MarkdownV2, message_thread_id = "42" }
      teams      = { url = "https://example.webhook.office.com/x", sectiontitle = "Alerts" }
      webex      = { bot_token = secret.env("WEBEX"), room_id = "Y2lzY29" }
      pushover   = { userKey = secret.env("PO_USER"), apiToken = secret.env("PO_TOKEN"), priority = 1, retry = 60, uploadImage = false }
      victorops  = { url = secret.env("VO_URL"), messageType = "WARNING" }
      googlechat = { url = secret.env("GCHAT") }
      sns        = { topic_arn = "arn:aws:sns:eu-west-1:123456789012:alerts", sigv4 = { region = "eu-west-1", access_key = secret.env("AK"), secret_key = secret.env("SK") } }
      jira       = { api_url = "https://example.atlassian.net/rest/api/3", project = "OPS", issue_type = "Bug", api_token = secret.env("JIRA"), labels = ["gstack"], reopen_duration = 10m }
      wecom      = { url = secret.env("WECOM"), msgtype = text }
    }
  }
}
target native {}
"#;
    let doc: serde_json::Value = serde_norway::from_str(&alerting_file(&build_lib(src))).unwrap();
    let receivers = doc["contactPoints"][0]["receivers"].as_array().unwrap();
    let by_type = |t: &str| receivers.iter().find(|r| r["type"] == t).unwrap_or_else(|| panic!("no {t} receiver: {receivers:?}"))["settings"].clone();
    let types: Vec<&str> = receivers.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["pagerduty", "opsgenie", "discord", "telegram", "teams", "webex", "pushover", "victorops", "googlechat", "sns", "jira", "wecom"]);
    let pd = by_type("pagerduty");
    assert_eq!((pd["integrationKey"].as_str(), pd["details"]["team"].as_str()), (Some("$__env{PD_KEY}"), Some("ops")));
    let og = by_type("opsgenie");
    assert_eq!((og["apiKey"].as_str(), og["sendTagsAs"].as_str(), og["autoClose"].as_bool()), (Some("$__file{/run/secrets/og}"), Some("both"), Some(false)));
    assert_eq!(by_type("discord")["use_discord_username"], true);
    let tg = by_type("telegram");
    // Go `string` fields: a JSON number would not decode
    assert_eq!((tg["chatid"].as_str(), tg["message_thread_id"].as_str(), tg["parse_mode"].as_str()), (Some("-1001234567890"), Some("42"), Some("MarkdownV2")));
    assert_eq!(tg["bottoken"], "$__env{TG}");
    assert_eq!(by_type("teams")["sectiontitle"], "Alerts");
    assert_eq!(by_type("webex")["bot_token"], "$__env{WEBEX}");
    let po = by_type("pushover");
    assert_eq!((po["priority"].as_i64(), po["retry"].as_i64(), po["uploadImage"].as_bool()), (Some(1), Some(60), Some(false)));
    assert_eq!((po["userKey"].as_str(), po["apiToken"].as_str()), (Some("$__env{PO_USER}"), Some("$__env{PO_TOKEN}")));
    assert_eq!(by_type("victorops")["messageType"], "WARNING");
    assert_eq!(by_type("googlechat")["url"], "$__env{GCHAT}");
    let sns = by_type("sns");
    assert_eq!((sns["sigv4"]["region"].as_str(), sns["sigv4"]["access_key"].as_str(), sns["sigv4"]["secret_key"].as_str()), (Some("eu-west-1"), Some("$__env{AK}"), Some("$__env{SK}")));
    let jira = by_type("jira");
    assert_eq!((jira["api_token"].as_str(), jira["reopen_duration"].as_str()), (Some("$__env{JIRA}"), Some("10m")));
    assert_eq!(jira["labels"], serde_json::json!(["gstack"]));
    assert_eq!((by_type("wecom")["url"].as_str(), by_type("wecom")["msgtype"].as_str()), (Some("$__env{WECOM}"), Some("text")));
}

/// Grafana's `smtp` is its `[smtp]` section, enabled, the password read from its secret
/// (`pkg/setting/setting_smtp.go` reads `enabled`, `host`, `user`, `password`, `from_address`,
/// `from_name`, `ehlo_identity`, `startTLS_policy`, `skip_verify`).
#[test]
fn smtp_is_grafanas_smtp_section() {
    let outputs = build_lib(&source("/run/secrets/slack-url"));
    let ini = outputs.iter().find(|o| o.path == "native/config/grafana/grafana.ini").map(|o| o.content.clone()).expect("grafana.ini");
    let section: Vec<&str> = ini.split("\n[").find(|s| s.starts_with("smtp]")).expect("an [smtp] section").lines().skip(1).collect();
    for line in ["enabled = true", "host = smtp.example.com:587", "from_address = grafana@example.com", "password = $__env{SMTP_PASSWORD}"] {
        assert!(section.contains(&line), "[smtp] has no `{line}`: {section:?}");
    }
}
