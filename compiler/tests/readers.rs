//! Every file `gstackc build` writes for the bundled example is accepted by the real program
//! that reads it (promtool, amtool, process-compose, yamllint, nix-instantiate, an INI
//! parser), and no secret value reaches any generated file.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;

fn build_example(tag: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(tag);
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &[]);
    (dir, out)
}

#[test]
fn promtool_accepts_config_and_rules() {
    let promtool = require("promtool");
    let (_d, out) = build_example("promtool");
    let cfg = out.join("native/config/prometheus/prometheus.yml");
    let (ok, text) = run(Command::new(&promtool).arg("check").arg("config").arg(&cfg));
    assert!(ok, "promtool check config:\n{text}");
    assert!(text.contains("1 rule files found"), "{text}");
    let rules = files_under(&out.join("native/config/prometheus/rules"), &[".yml"]);
    assert!(!rules.is_empty());
    let (ok, text) = run(Command::new(&promtool).arg("check").arg("rules").args(&rules));
    assert!(ok, "promtool check rules:\n{text}");
    // every alert rule of the stack (the example, the team file, std.selfmon's pack)
    let ir: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("ir.json")).unwrap()).unwrap();
    let n = ir["alerts"].as_array().unwrap().len();
    assert!(n >= 10, "{n}");
    assert!(text.contains(&format!("{n} rules found")), "{text}");
}

#[test]
fn amtool_accepts_alertmanager_config() {
    let amtool = require("amtool");
    let (_d, out) = build_example("amtool");
    let (ok, text) = run(Command::new(&amtool).arg("check-config").arg(out.join("native/config/alertmanager/alertmanager.yml")));
    assert!(ok, "amtool check-config:\n{text}");
    assert!(text.contains("1 receivers"), "{text}");
}

#[test]
fn process_compose_validates_native_target() {
    let pc = require("process-compose");
    let (d, out) = build_example("pc");
    let (ok, text) = run(Command::new(&pc)
        .args(["up", "--dry-run", "--no-server", "--tui=false", "-f"])
        .arg(out.join("native/process-compose.yaml"))
        .env("GSTACK_CONFIG", out.join("native/config"))
        .env("GSTACK_DATA", d.path().join("data")));
    assert!(ok, "process-compose --dry-run:\n{text}");
    assert!(text.contains("Validated 6 configured processes"), "{text}");
}

#[test]
fn yamllint_accepts_every_yaml_file() {
    let yamllint = require("yamllint");
    let (_d, out) = build_example("yamllint");
    // Helm templates are Go templates, not YAML: `helm lint` checks them (tests/kubernetes.rs)
    let files: Vec<PathBuf> = files_under(&out, &[".yml", ".yaml"])
        .into_iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "templates"))
        .collect();
    assert!(files.len() >= 8, "{files:?}");
    let (ok, text) = run(Command::new(&yamllint).arg("-s").arg("-c").arg(root().join(".yamllint.yaml")).args(&files));
    assert!(ok, "yamllint:\n{text}");
}

#[test]
fn nix_instantiate_evaluates_stack_nix() {
    let Some(nix) = which("nix-instantiate") else {
        panic!("nix-instantiate is not on PATH: run .ci/run (it installs Debian's nix-bin)");
    };
    let (_d, out) = build_example("nix");
    let (ok, text) = run(Command::new(&nix).args(["--eval", "--strict", "--json"]).arg(out.join("nix/stack.nix")));
    assert!(ok, "nix-instantiate:\n{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON from nix");
    assert_eq!(v["name"], "shop");
    assert_eq!(v["services"]["prometheus"]["config"]["prometheus.yml"]["global"]["scrape_interval"], "15s");
    // the same data the IR has
    let ir: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("ir.json")).unwrap()).unwrap();
    // Nix prints a whole float (1.0) as 1: compare numbers as numbers
    fn norm(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(norm).collect()),
            serde_json::Value::Object(m) => serde_json::Value::Object(m.iter().map(|(k, x)| (k.clone(), norm(x))).collect()),
            other => other.clone(),
        }
    }
    assert_eq!(norm(&v["stack"]), norm(&ir));
}

#[test]
fn grafana_ini_parses_as_ini() {
    let python = require("python3");
    let (_d, out) = build_example("ini");
    let script = r#"
import configparser, sys
c = configparser.ConfigParser(interpolation=None, strict=True)
c.read_file(open(sys.argv[1]))
assert c["server"]["http_port"] == "3000", dict(c["server"])
assert c["users"]["allow_sign_up"] == "false"
assert c["security"]["admin_password"] == "$__file{/run/secrets/grafana-admin}"
print("sections:", ",".join(c.sections()))
"#;
    let (ok, text) = run(Command::new(python).arg("-c").arg(script).arg(out.join("native/config/grafana/grafana.ini")));
    assert!(ok, "INI parse:\n{text}");
}

#[test]
fn no_secret_value_reaches_any_generated_file() {
    let dir = TempDir::new("canary");
    let canary_file_value = "CANARY-FILE-7f3a9c";
    let canary_env_value = "CANARY-ENV-51be02";
    let secret_path = dir.path().join("admin-password");
    std::fs::write(&secret_path, canary_file_value).unwrap();
    let src = dir.path().join("stack.gstack");
    std::fs::write(
        &src,
        format!(
            r#"
stack canary {{
  grafana {{ admin = {{ password = secret.file("{p}") }}, secret_key = secret.env("GSTACK_CANARY") }}
  prometheus {{}}
  loki {{}}
  alertmanager {{
    receiver oncall {{ webhook = secret.env("GSTACK_CANARY"), slack_webhook = secret.file("{p}") }}
    route {{ receiver = oncall }}
  }}
}}
datasource db {{ type = postgres, url = "db:5432", password = secret.env("GSTACK_CANARY") }}
target native {{}}
target systemd {{}}
target compose {{}}
target kubernetes {{}}
target helm {{ chart = "canary" }}
"#,
            p = secret_path.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .args(["build"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .env("GSTACK_CANARY", canary_env_value)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = files_under(&out, &[""]);
    for t in ["native", "systemd", "compose", "kubernetes", "helm", "nix"] {
        assert!(out.join(t).is_dir(), "no {t} output");
    }
    assert!(files.len() > 30);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(!text.contains(canary_file_value) && !text.contains(canary_env_value), "secret value in {}", f.display());
    }
    // the references are there instead
    let ini = std::fs::read_to_string(out.join("native/config/grafana/grafana.ini")).unwrap();
    assert!(ini.contains(&format!("$__file{{{}}}", secret_path.display())));
    assert!(ini.contains("$__env{GSTACK_CANARY}"));
}

/// A YAML 1.1 reader (PyYAML, the reader of yamllint, Ansible and docker-compose v1; Go's
/// yaml.v2 and Ruby's Psych read 1.1 too) reads every YAML file we write as the same tree
/// as a YAML 1.2 reader: `user: 472:0` was the integer 28320 (base 60) to PyYAML, and
/// strings like `on`, `0o17` or `2001-12-14` change type the same way.
#[test]
fn yaml_1_1_readers_read_the_same_tree() {
    let python = require("python3");
    let dir = TempDir::new("yaml11");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        r#"stack s {
  prometheus {
    scrape app {
      targets = ["127.0.0.1:8080"]
      labels = { a = "on", b = "1:30", c = "0o17", d = "2001-12-14", e = "1_000", f = ".5", g = "y", h = "~", i = "0x1F", j = "+12" }
    }
  }
  grafana {}
  alertmanager { receiver r { webhook = secret.env("U") }  route { receiver = r } }
  node_exporter {}
}
target compose {}
target kubernetes { namespace = "obs" }
"#,
    )
    .unwrap();
    let mut files = vec![];
    let (_d, ex) = build_example("yaml11-example");
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &[]);
    for o in [&ex, &out] {
        files.extend(
            files_under(o, &[".yml", ".yaml"]).into_iter().filter(|f| !f.components().any(|c| c.as_os_str() == "templates")),
        );
    }
    assert!(files.len() >= 16, "{files:?}");
    // PyYAML's safe loader, to JSON; a date or any other non-JSON type is an error
    let script = "import sys, json, yaml\nfor f in sys.argv[1:]:\n    print(json.dumps(list(yaml.safe_load_all(open(f)))))\n";
    let o = Command::new(&python).arg("-c").arg(script).args(&files).output().unwrap();
    assert!(o.status.success(), "PyYAML:\n{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), files.len());
    for (f, line) in files.iter().zip(lines) {
        let py: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = std::fs::read_to_string(f).unwrap();
        let ours: Vec<serde_json::Value> = serde_norway::Deserializer::from_str(&text)
            .map(|d| serde::Deserialize::deserialize(d).unwrap())
            .collect();
        assert_eq!(py, serde_json::Value::Array(ours), "{} reads differently in YAML 1.1", f.display());
    }
}

/// An e-mail receiver needs the SMTP server and sender Alertmanager reads from `global`, a
/// Slack receiver its URL: given (typed, or through `settings`), amtool accepts the config;
/// missing, gstackc refuses the stack (E0202) where amtool would refuse the file.
#[test]
fn amtool_accepts_email_and_slack_receivers() {
    let amtool = require("amtool");
    let dir = TempDir::new("amtool-mail");
    let src = r##"stack mail {
  prometheus {}
  alertmanager {
    smtp_smarthost = "smtp.example.com:587"
    smtp_from = "alertmanager@example.com"
    receiver ops { email = "ops@example.com" }
    receiver chat { slack_channel = "#ops" }
    route { receiver = ops }
    settings { global = { slack_api_url = "https://hooks.slack.com/services/X" } }
  }
}

target native {}
"##;
    let file = dir.path().join("mail.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "native"]);
    let cfg = out.join("native/config/alertmanager/alertmanager.yml");
    let (ok, text) = run(Command::new(&amtool).arg("check-config").arg(&cfg));
    assert!(ok, "amtool check-config:\n{text}\n{}", std::fs::read_to_string(&cfg).unwrap());
    assert!(text.contains("2 receivers"), "{text}");

    // without them: amtool refuses the file gstackc used to write, and gstackc now refuses
    let bare = src.replace("    smtp_smarthost = \"smtp.example.com:587\"\n", "").replace("    smtp_from = \"alertmanager@example.com\"\n", "").replace(
        "    settings { global = { slack_api_url = \"https://hooks.slack.com/services/X\" } }\n",
        "",
    );
    std::fs::write(&file, &bare).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("build").arg(&file).arg("-o").arg(dir.path().join("out2")).output().unwrap();
    let text = String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    assert!(!o.status.success(), "{text}");
    for want in ["has no `smtp_smarthost`", "has no `smtp_from`", "has no `slack_api_url`"] {
        assert!(text.contains(want), "{want} in:\n{text}");
    }
    let mut broken: serde_json::Value = serde_norway::from_str(&std::fs::read_to_string(&cfg).unwrap()).unwrap();
    broken.as_object_mut().unwrap().remove("global");
    let f = dir.path().join("broken.yml");
    std::fs::write(&f, serde_norway::to_string(&broken).unwrap()).unwrap();
    let (ok, text) = run(Command::new(&amtool).arg("check-config").arg(&f));
    assert!(!ok && text.contains("no global SMTP smarthost set"), "amtool on the config without `global`:\n{text}");
}

/// Every typed integration (PagerDuty, OpsGenie, Teams, Discord, Telegram, Pushover,
/// VictorOps, Webex, SNS, Jira, Rocket.Chat; the new ones with every field set), with each
/// secret field written to its `_file` twin: amtool 0.28.1 loads the
/// config (its strict YAML refuses a field name Alertmanager does not know); and the checks
/// Alertmanager makes beyond the schema's required fields are gstackc's too.
#[test]
fn amtool_accepts_every_typed_integration() {
    let amtool = require("amtool");
    let dir = TempDir::new("amtool-integrations");
    let src = r##"stack hooks {
  alertmanager {
    receiver pager { pagerduty = { routing_key = secret.env("PD_KEY"), url = "https://events.example.com/v2/enqueue", severity = "critical", description = "{{ .CommonLabels.alertname }}", details = { runbook = "https://runbooks.example.com" }, send_resolved = false, http_config = { basic_auth = { username = "am", password = secret.env("PD_PROXY_PW") } } } }
    receiver genie { opsgenie = { api_key = secret.file("/run/secrets/opsgenie"), api_url = "https://api.eu.opsgenie.com/", priority = "P1", tags = "db,prod", update_alerts = true, http_config = { proxy_url = "http://proxy.example.com:3128", authorization = secret.env("OG_BEARER"), tls = { ca_file = "/etc/ssl/ca.pem", cert_file = "/etc/ssl/client.pem", key = secret.env("TLS_KEY"), server_name = "opsgenie.internal", insecure_skip_verify = false }, follow_redirects = false, enable_http2 = false } } }
    receiver teams { msteams = { webhook_url = secret.env("TEAMS_URL"), title = "{{ .Status }}", text = "{{ .CommonAnnotations.summary }}" } }
    receiver chat { discord = { webhook_url = "https://discord.example.com/api/webhooks/1/x", title = "t", message = "m" } }
    receiver bot { telegram = { bot_token = secret.env("TG_TOKEN"), chat_id = -1001234567890, parse_mode = MarkdownV2, disable_notifications = true } }
    receiver phone { pushover = { user_key = secret.env("PO_USER"), token = secret.env("PO_TOKEN"), priority = "1" } }
    receiver oncall { victorops = { api_key = secret.env("VO_KEY"), routing_key = "ops", message_type = "WARNING" } }
    receiver room { webex = { http_config = { proxy_url = "http://proxy.example.com:3128" }, bot_token = secret.env("WEBEX_TOKEN"), room_id = "Y2lzY29zcGFyazovL3VzL1JPT00", api_url = "https://webexapis.com/v1/messages", message = "{{ .Status }}", send_resolved = false } }
    receiver aws { sns = { api_url = "https://sns.eu-west-1.amazonaws.com", sigv4 = { region = "eu-west-1", profile = "alerts", role_arn = "arn:aws:iam::123456789012:role/am", use_fips_sts_endpoint = true }, topic_arn = "arn:aws:sns:eu-west-1:123456789012:alerts", subject = "{{ .Status }}", message = "m", attributes = { team = "ops" }, send_resolved = true } }
    receiver tickets { jira = { api_url = "https://example.atlassian.net/rest/api/2", project = "OPS", issue_type = "Bug", user = "bot@example.com", api_token = secret.env("JIRA_TOKEN"), summary = "s", description = "d", priority = "High", labels = ["alertmanager", "{{ .CommonLabels.team }}"], reopen_transition = "To Do", resolve_transition = "Done", wont_fix_resolution = "Won't Fix", reopen_duration = 1h, fields = { customfield_10001 = "x" }, send_resolved = true } }
    receiver rc { rocketchat = { token_id = secret.env("RC_ID"), token = secret.env("RC_TOKEN"), api_url = "https://chat.example.com/", channel = "#ops", color = "red", title = "t", title_link = "https://x.example.com", text = "x", emoji = ":fire:", icon_url = "https://x.example.com/i.png", image_url = "https://x.example.com/a.png", thumb_url = "https://x.example.com/t.png", short_fields = true, link_names = true, send_resolved = true } }
    template "page" { content = "{{ define \"page.title\" }}{{ .Status }}: {{ .CommonLabels.alertname }}{{ end }}" }
    route {
      receiver = pager
      route { receiver = genie, matchers = ["team=db"] }
      route { receiver = teams, matchers = ["team=web"] }
      route { receiver = chat, matchers = ["team=chat"] }
      route { receiver = bot, matchers = ["team=bot"] }
      route { receiver = phone, matchers = ["team=phone"] }
      route { receiver = oncall, matchers = ["team=ops"] }
      route { receiver = room, matchers = ["team=room"] }
      route { receiver = aws, matchers = ["team=aws"] }
      route { receiver = tickets, matchers = ["team=tickets"] }
      route { receiver = rc, matchers = ["team=rc"] }
    }
  }
}

target native {}
"##;
    let file = dir.path().join("hooks.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "native"]);
    let cfg = out.join("native/config/alertmanager/alertmanager.yml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let (ok, said) = run(Command::new(&amtool).arg("check-config").arg(&cfg));
    assert!(ok, "amtool check-config:\n{said}\n{text}");
    assert!(said.contains("11 receivers") && said.contains("1 templates"), "{said}");
    let v: serde_json::Value = serde_norway::from_str(&text).unwrap();
    let first = |r: usize, list: &str| v["receivers"][r][list][0].clone();
    assert_eq!(first(0, "pagerduty_configs")["routing_key_file"], "secrets/pager-pagerduty-routing-key", "{text}");
    assert_eq!(first(1, "opsgenie_configs")["api_key_file"], "/run/secrets/opsgenie");
    assert_eq!(first(2, "msteamsv2_configs")["webhook_url_file"], "secrets/teams-msteams-webhook-url");
    assert_eq!(first(4, "telegram_configs")["chat_id"], -1001234567890i64);
    assert!(!text.contains("PD_KEY") || text.contains("routing_key_file"), "{text}");
    assert_eq!(first(7, "webex_configs")["http_config"]["authorization"]["credentials_file"], "secrets/room-webex-http-config-authorization-credentials", "{text}");
    assert_eq!(first(0, "pagerduty_configs")["http_config"]["basic_auth"]["password_file"], "secrets/pager-pagerduty-http-config-basic-auth-password", "{text}");
    assert_eq!(first(1, "opsgenie_configs")["http_config"]["tls_config"]["key_file"], "secrets/genie-opsgenie-http-config-tls-config-key", "{text}");
    assert_eq!(first(1, "opsgenie_configs")["http_config"]["authorization"]["credentials_file"], "secrets/genie-opsgenie-http-config-authorization-credentials");
    assert_eq!(first(7, "webex_configs")["http_config"]["proxy_url"], "http://proxy.example.com:3128");
    assert_eq!(first(8, "sns_configs")["sigv4"]["role_arn"], "arn:aws:iam::123456789012:role/am");
    assert_eq!(first(9, "jira_configs")["http_config"]["basic_auth"]["password_file"], "secrets/tickets-jira-http-config-basic-auth-password", "{text}");
    assert_eq!(first(9, "jira_configs")["reopen_duration"], "1h");
    assert_eq!(first(10, "rocketchat_configs")["token_id_file"], "secrets/rc-rocketchat-token-id");

    // Alertmanager's own refusals, and gstackc's at the source
    // (source from, to; gstackc's message; amtool's; the receiver, list, key and value of
    // the file gstackc would have written without its check: a null value removes the key)
    let refusals = [
        ("pagerduty = { routing_key = secret.env(\"PD_KEY\"), url", "pagerduty = { url", "has no key", "missing service or routing key in PagerDuty config", (0, "pagerduty_configs", "routing_key_file", serde_json::Value::Null)),
        ("chat_id = -1001234567890", "chat_id = 0", "`chat_id` of 0", "missing chat_id on telegram_config", (4, "telegram_configs", "chat_id", serde_json::json!(0))),
        ("url = \"https://events.example.com/v2/enqueue\"", "url = \"events.example.com\"", "http://", "unsupported scheme", (0, "pagerduty_configs", "url", serde_json::json!("events.example.com"))),
        ("bot_token = secret.env(\"WEBEX_TOKEN\"), ", "", "needs the field `bot_token`", "missing webex_configs.http_config.authorization", (7, "webex_configs", "http_config", serde_json::Value::Null)),
        ("topic_arn = \"arn:aws:sns:eu-west-1:123456789012:alerts\", ", "", "has no destination", "must provide either a Target ARN, Topic ARN, or Phone Number", (8, "sns_configs", "topic_arn", serde_json::Value::Null)),
        ("topic_arn = \"arn", "phone_number = \"+15551234567\", topic_arn = \"arn", "both `topic_arn` and `phone_number`", "must provide either a Target ARN, Topic ARN, or Phone Number", (8, "sns_configs", "phone_number", serde_json::json!("+15551234567"))),
        ("jira = { api_url = \"https://example.atlassian.net/rest/api/2\", ", "jira = { ", "needs the field `api_url`", "no global Jira Cloud URL set", (9, "jira_configs", "api_url", serde_json::Value::Null)),
        ("jira = { api_url = \"https://example.atlassian.net/rest/api/2\", project = \"OPS\", ", "jira = { api_url = \"https://example.atlassian.net/rest/api/2\", ", "needs the field `project`", "missing project in jira_config", (9, "jira_configs", "project", serde_json::Value::Null)),
        ("issue_type = \"Bug\", ", "", "needs the field `issue_type`", "missing issue_type in jira_config", (9, "jira_configs", "issue_type", serde_json::Value::Null)),
        (
            "http_config = { basic_auth = {",
            "http_config = { authorization = secret.env(\"PD_BEARER\"), basic_auth = {",
            "authenticates twice (`http_config.basic_auth` and `http_config.authorization`)",
            "at most one of basic_auth, oauth2 & authorization must be configured",
            (0, "pagerduty_configs", "http_config", serde_json::json!({ "basic_auth": { "username": "am", "password_file": "x" }, "authorization": { "credentials_file": "y" } })),
        ),
        ("rocketchat = { token_id = secret.env(\"RC_ID\"), ", "rocketchat = { ", "needs the field `token_id`", "no global Rocketchat TokenID set", (10, "rocketchat_configs", "token_id_file", serde_json::Value::Null)),
        ("token = secret.env(\"RC_TOKEN\"), ", "", "needs the field `token`", "no global Rocketchat Token set", (10, "rocketchat_configs", "token_file", serde_json::Value::Null)),
    ];
    for (from, to, ours, theirs, (r, list, key, value)) in refusals {
        let broken = src.replacen(from, to, 1);
        assert_ne!(broken, src, "{from}");
        std::fs::write(&file, &broken).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg(&file).output().unwrap();
        let said = String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
        assert!(!o.status.success() && said.contains(ours), "gstackc on {to:?}:\n{said}");
        // the file gstackc would have written without the check: amtool refuses it
        let mut bad: serde_json::Value = v.clone();
        let c = bad["receivers"][r][list][0].as_object_mut().unwrap();
        if value.is_null() {
            c.remove(key);
        } else {
            c.insert(key.into(), value);
        }
        let f = dir.path().join("bad.yml");
        std::fs::write(&f, serde_norway::to_string(&bad).unwrap()).unwrap();
        let (ok, said) = run(Command::new(&amtool).arg("check-config").arg(&f));
        assert!(!ok && said.contains(theirs), "amtool on the config without gstackc's check ({to}):\n{said}");
    }
}

/// The bundled on-call routing tree (`examples/oncall.gstack`): for each label set of the
/// table, `amtool config routes test` (Alertmanager 0.28.1's own router) names the expected
/// receivers, and so does gstackc's routing (`sema::check::routing::receivers_for`, which the
/// unreachable-route warnings rest on).
#[test]
fn amtool_routes_the_oncall_example_as_gstackc_does() {
    let amtool = require("amtool");
    let dir = TempDir::new("amtool-routes");
    let src = root().join("examples/oncall.gstack");
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let cfg = out.join("native/config/alertmanager/alertmanager.yml");
    let (ok, said) = run(Command::new(&amtool).arg("check-config").arg(&cfg));
    assert!(ok, "{said}");
    let mut db = gstack::db::Database::default();
    let f = db.set_file(&src, std::fs::read_to_string(&src).unwrap());
    let checked = gstack::sema::check::check_stack(&db, f);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let route = &checked.stack.as_ref().unwrap().alertmanager.as_ref().unwrap().route;
    let table: &[(&[&str], &str)] = &[
        (&["severity=critical", "team=db"], "audit,pager"),
        (&["severity=critical"], "audit,pager"),
        (&["severity=warning", "team=db"], "audit,db"),
        (&["severity=warning", "team=storage"], "audit,db"),
        (&["severity=info", "team=storage"], "audit,tickets"),
        (&["severity=warning", "team=web"], "audit,web"),
        (&["severity=warning", "team=search"], "audit,tickets"),
        (&["severity=info"], "audit,tickets"),
        (&["severity=debug", "team=ops"], "audit"),
        (&[], "audit"),
    ];
    for (labels, want) in table {
        let (ok, said) = run(Command::new(&amtool).arg("config").arg("routes").arg("test").arg(format!("--config.file={}", cfg.display())).args(*labels));
        assert!(ok, "{said}");
        assert_eq!(said.trim(), *want, "amtool for {labels:?}");
        let set: std::collections::BTreeMap<String, String> = labels.iter().map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap()).collect();
        assert_eq!(gstack::sema::check::routing::receivers_for(route, &set).join(","), *want, "gstackc for {labels:?}");
    }
}

/// Routes no alert reaches are W0308, and amtool agrees: a label set that satisfies the
/// shadowed route goes to the route before it.
#[test]
fn unreachable_routes_are_warned_and_amtool_confirms() {
    let amtool = require("amtool");
    let dir = TempDir::new("amtool-unreachable");
    let src = r##"stack shadow {
  prometheus {}
  alertmanager {
    receiver all { webhook = "https://hooks.example.com/all" }
    receiver db { webhook = "https://hooks.example.com/db" }
    receiver dbpage { webhook = "https://hooks.example.com/dbpage" }
    receiver never { webhook = "https://hooks.example.com/never" }
    route {
      receiver = all
      route {
        receiver = db
        matchers = ["team=db"]
        route { receiver = never, matchers = ["team=web"] }
      }
      route { receiver = dbpage, matchers = ["team=db", "severity=critical"] }
    }
  }
}

target native {}
"##;
    let file = dir.path().join("shadow.gstack");
    std::fs::write(&file, src).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg(&file).output().unwrap();
    let said = String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "warnings only:\n{said}");
    assert_eq!(said.matches("[W0308]").count(), 2, "{said}");
    assert!(said.contains("the route to `dbpage` is never reached: every alert it matches goes to `db`"), "{said}");
    assert!(said.contains("the route to `never` is never reached: no alert has both `team=\"db\"` and `team=\"web\"`"), "{said}");
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "native"]);
    let cfg = out.join("native/config/alertmanager/alertmanager.yml");
    let (ok, got) = run(Command::new(&amtool).args(["config", "routes", "test"]).arg(format!("--config.file={}", cfg.display())).args(["team=db", "severity=critical"]));
    assert!(ok && got.trim() == "db", "{got}");
    // with `continue` on the route before it, the warning goes and amtool reaches it
    let cont = src.replace("        matchers = [\"team=db\"]\n", "        matchers = [\"team=db\"]\n        continue = true\n");
    std::fs::write(&file, &cont).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg(&file).output().unwrap();
    let said = String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    assert_eq!(said.matches("[W0308]").count(), 1, "{said}");
    let out = dir.path().join("out2");
    gstackc_build(&file, &out, &["--target", "native"]);
    let cfg = out.join("native/config/alertmanager/alertmanager.yml");
    let (ok, got) = run(Command::new(&amtool).args(["config", "routes", "test"]).arg(format!("--config.file={}", cfg.display())).args(["team=db", "severity=critical"]));
    assert!(ok && got.trim() == "db,dbpage", "{got}");
}

/// Route matchers as Alertmanager parses them: each that gstackc accepts, amtool 0.28 accepts
/// in the generated config; each that gstackc refuses (E0204), amtool refuses too.
#[test]
fn amtool_and_gstackc_agree_on_route_matchers() {
    let amtool = require("amtool");
    let dir = TempDir::new("amtool-matchers");
    let cases = [
        (r#"service=~"(cart|pay)""#, true),
        ("env!=prod", true),
        (r#"team="a b""#, true),
        (r#"team!~"^x.*""#, true),
        // Alertmanager 0.28's quoted UTF-8 label names
        (r#""service.name"=web"#, true),
        (r#"service=~"(cart|pay""#, false),
        (r#"service=~"[a-""#, false),
        ("=x", false),
    ];
    for (i, (m, valid)) in cases.iter().enumerate() {
        let lit = serde_json::to_string(m).unwrap();
        let src = format!(
            "stack m {{\n  prometheus {{}}\n  alertmanager {{\n    receiver oncall {{ webhook = \"https://hooks.example.com/x\" }}\n    route {{\n      receiver = oncall\n      route {{ receiver = oncall, matchers = [{lit}] }}\n    }}\n  }}\n}}\n\ntarget native {{}}\n"
        );
        let file = dir.path().join(format!("m{i}.gstack"));
        std::fs::write(&file, &src).unwrap();
        let out = dir.path().join(format!("out{i}"));
        let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("build").arg(&file).arg("-o").arg(&out).args(["--target", "native"]).output().unwrap();
        let text = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.success(), *valid, "gstackc on matcher {m}:\n{text}");
        let cfg = if *valid {
            out.join("native/config/alertmanager/alertmanager.yml")
        } else {
            assert!(text.contains("E0204") && text.contains("is not valid"), "{text}");
            // what gstackc would have written
            let f = dir.path().join(format!("m{i}.yml"));
            let y = serde_json::json!({
                "route": { "receiver": "oncall", "routes": [{ "receiver": "oncall", "matchers": [m] }] },
                "receivers": [{ "name": "oncall", "webhook_configs": [{ "url": "https://hooks.example.com/x" }] }],
            });
            std::fs::write(&f, serde_norway::to_string(&y).unwrap()).unwrap();
            f
        };
        let (ok, text) = run(Command::new(&amtool).arg("check-config").arg(&cfg));
        assert_eq!(ok, *valid, "amtool check-config on matcher {m}:\n{text}");
    }
}
