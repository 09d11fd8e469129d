//! Alertmanager's routing, inhibition and muting, run for real: the native target of a stack
//! with typed `inhibit` rules, a `time_interval`, and route matchers, started by `native/run` (process-compose), with
//! the real Alertmanager (from PATH: `.ci/run` builds 0.28.1) delivering to a webhook sink the
//! test serves on 127.0.0.1. Without `alertmanager` or `process-compose` on PATH the test
//! fails: it never passes by skipping.

mod common;
use common::*;
use serde_json::{json, Value};

#[test]
fn inhibited_and_muted_alerts_are_not_delivered_and_the_others_are() {
    require("alertmanager");
    require("process-compose");
    let dir = TempDir::new("am-live");
    let (port, hook) = (free_port(), free_port());
    let hooks = serve(hook);
    let src = format!(
        r##"stack inhibit {{
  alertmanager {{
    port = {port}
    receiver oncall {{ webhook = "http://127.0.0.1:{hook}/oncall" }}
    receiver tickets {{ webhook = "http://127.0.0.1:{hook}/tickets" }}
    route {{
      receiver = oncall
      group_by = ["alertname", "node"]
      group_wait = 1s
      // info alerts are muted all week; warnings go to tickets
      route {{ receiver = tickets, matchers = ["severity=info"], mute_time_intervals = ["always"] }}
      route {{ receiver = tickets, matchers = ["severity=~\"warning|info\""] }}
    }}
    time_interval always {{ weekdays = ["sunday:saturday"] }}
    // a node that is down mutes its own latency warnings, not another node's
    inhibit {{
      source_matchers = ["alertname=NodeDown"]
      target_matchers = ["severity=warning"]
      equal = ["node"]
    }}
  }}
}}

target native {{}}
"##
    );
    let file = dir.path().join("inhibit.gstack");
    std::fs::write(&file, &src).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "native"]);
    let mut run = Running::start(&out, &dir.path().join("data"));
    let base = format!("http://127.0.0.1:{port}");
    wait_for(60, "alertmanager /-/ready", || get(&format!("{base}/-/ready")));

    let run_id = now_ns().to_string();
    let alert = |name: &str, node: &str, severity: &str| json!({ "labels": { "alertname": name, "node": node, "severity": severity, "run": run_id } });
    // the source first, so that it inhibits when the targets arrive
    assert_eq!(post_json(&format!("{base}/api/v2/alerts"), &json!([alert("NodeDown", "a", "critical")])), 200);
    wait_for(30, "NodeDown active", || {
        let a = get_json(&format!("{base}/api/v2/alerts?filter=alertname%3D%22NodeDown%22"))?;
        (!a.as_array()?.is_empty()).then_some(())
    });
    assert_eq!(
        post_json(&format!("{base}/api/v2/alerts"), &json!([alert("HighLatency", "a", "warning"), alert("HighLatency", "b", "warning"), alert("DiskSoon", "c", "info")])),
        200
    );

    // delivered: NodeDown to oncall, node b's latency to tickets; node a's is inhibited
    let delivered = |hooks: &[String]| -> Vec<(String, String, String)> {
        let mut v = vec![];
        for h in hooks {
            let n: Value = serde_json::from_str(h).unwrap();
            for a in n["alerts"].as_array().unwrap() {
                v.push((n["receiver"].as_str().unwrap().to_string(), a["labels"]["alertname"].as_str().unwrap().to_string(), a["labels"]["node"].as_str().unwrap().to_string()));
            }
        }
        v.sort();
        v
    };
    wait_for(60, "NodeDown at oncall and node b's HighLatency at tickets", || {
        let d = delivered(&hooks.lock().unwrap());
        (d.contains(&("oncall".into(), "NodeDown".into(), "a".into())) && d.contains(&("tickets".into(), "HighLatency".into(), "b".into()))).then_some(())
    });
    // Alertmanager says why node a's warning is held, and it never arrives
    let held = get_json(&format!("{base}/api/v2/alerts?filter=node%3D%22a%22&filter=alertname%3D%22HighLatency%22")).unwrap();
    assert_eq!(held[0]["status"]["state"], "suppressed", "{held}");
    assert!(!held[0]["status"]["inhibitedBy"].as_array().unwrap().is_empty(), "{held}");
    std::thread::sleep(std::time::Duration::from_secs(5));
    let d = delivered(&hooks.lock().unwrap());
    assert!(!d.iter().any(|(_, name, node)| name == "HighLatency" && node == "a"), "an inhibited alert was delivered: {d:?}");
    assert!(!d.iter().any(|(_, name, _)| name == "DiskSoon"), "an alert of a muted route was delivered: {d:?}");
    let muted = get_json(&format!("{base}/api/v2/alerts?filter=alertname%3D%22DiskSoon%22")).unwrap();
    eprintln!("note: the muted route's alert is {} (mutedBy {})", muted[0]["status"]["state"], muted[0]["status"]["mutedBy"]);
    let once: std::collections::BTreeSet<_> = d.iter().cloned().collect();
    assert_eq!(once.len(), d.len(), "an alert delivered twice: {d:?}");
    run.stop();
}

/// Each typed integration, run for real: the real Alertmanager delivers one alert per receiver
/// through the integration's URL field to a sink the test serves on 127.0.0.1 (PagerDuty's
/// `url`, OpsGenie's `api_url`, Teams' and Discord's webhook URLs given as secrets, Telegram's
/// `api_url`, Webex's and Rocket.Chat's `api_url`), and by e-mail to an SMTP sink, with the integration's key read from its `_file`
/// secret and the templates rendered (PagerDuty's from a shipped template file); each sink
/// receives exactly one notification.
#[test]
fn every_integration_delivers_once_with_its_secret_and_templates() {
    require("alertmanager");
    require("process-compose");
    let dir = TempDir::new("am-integrations");
    let (port, smtp, token) = (free_port(), free_port(), free_port());
    let mails = serve_smtp(smtp);
    // Discord's requests carry an OAuth 2.0 token from this endpoint (a form answer, which Go's
    // oauth2 client reads from a text/plain body) and an extra header
    let tokens = serve_answering_with_headers(token, "access_token=oauth-tok-9&token_type=bearer&expires_in=3600");
    let names = ["pagerduty", "opsgenie", "msteams", "discord", "telegram", "webex", "rocketchat"];
    let ports: Vec<u16> = names.iter().map(|_| free_port()).collect();
    // Telegram's client reads the Bot API's answer (a message), most others only the status
    let telegram = r#"{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":-1001234,"type":"group"}}}"#;
    let answer = |n: &str| match n {
        "telegram" => telegram,
        // Rocket.Chat's client reads `success` from the answer
        "rocketchat" => r#"{"success":true}"#,
        _ => "",
    };
    // Webex's and Rocket.Chat's secrets, and Discord's token and header, are headers: recorded
    // with the body
    let sinks: Vec<_> = names
        .iter()
        .zip(&ports)
        .map(|(n, p)| if ["webex", "rocketchat", "discord"].contains(n) { serve_answering_with_headers(*p, answer(n)) } else { serve_answering(*p, answer(n)) })
        .collect();
    let src = format!(
        r##"stack hooks {{
  alertmanager {{
    port = {port}
    receiver nobody {{}}
    smtp_smarthost = "127.0.0.1:{smtp}"
    smtp_from = "alertmanager@example.com"
    smtp_require_tls = false
    receiver mail {{ email = "oncall@example.com" }}
    receiver pager {{ pagerduty = {{ routing_key = secret.env("PD_KEY"), url = "http://127.0.0.1:{}/v2/enqueue", description = "{{{{ template \"page.summary\" . }}}}", severity = "critical" }} }}
    template "page" {{ content = "{{{{ define \"page.summary\" }}}}PD {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.node }}}}{{{{ end }}}}" }}
    receiver genie {{ opsgenie = {{ api_key = secret.env("OG_KEY"), api_url = "http://127.0.0.1:{}/", message = "OG {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.node }}}}" }} }}
    receiver teams {{ msteams = {{ webhook_url = secret.env("TEAMS_URL"), title = "MS {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.node }}}}" }} }}
    receiver chat {{ discord = {{
      webhook_url = secret.env("DISCORD_URL")
      title = "DC {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.node }}}}"
      http_config = {{
        oauth2 = {{ client_id = "gstack-am", client_secret = secret.env("OAUTH_SECRET"), token_url = "http://127.0.0.1:{token}/token", scopes = ["alerts"] }}
        headers = ["X-Scope-OrgID": "team-a"]
      }}
    }} }}
    receiver bot {{ telegram = {{ bot_token = secret.env("TG_TOKEN"), chat_id = -1001234, api_url = "http://127.0.0.1:{}", message = "TG {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.node }}}}" }} }}
    receiver room {{ webex = {{ bot_token = secret.env("WEBEX_TOKEN"), room_id = "room-1", api_url = "http://127.0.0.1:{}/v1/messages", message = "WX {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.node }}}}" }} }}
    receiver rc {{ rocketchat = {{ token_id = secret.env("RC_ID"), token = secret.env("RC_TOKEN"), api_url = "http://127.0.0.1:{}/", channel = "#ops", text = "RC {{{{ .CommonLabels.alertname }}}} on {{{{ .CommonLabels.node }}}}" }} }}
    route {{
      receiver = nobody
      group_by = ["alertname", "to"]
      group_wait = 1s
      route {{ receiver = pager, matchers = ["to=pagerduty"] }}
      route {{ receiver = genie, matchers = ["to=opsgenie"] }}
      route {{ receiver = teams, matchers = ["to=msteams"] }}
      route {{ receiver = chat, matchers = ["to=discord"] }}
      route {{ receiver = bot, matchers = ["to=telegram"] }}
      route {{ receiver = room, matchers = ["to=webex"] }}
      route {{ receiver = rc, matchers = ["to=rocketchat"] }}
      route {{ receiver = mail, matchers = ["to=email"] }}
    }}
  }}
}}

target native {{}}
"##,
        ports[0], ports[1], ports[4], ports[5], ports[6]
    );
    let file = dir.path().join("hooks.gstack");
    std::fs::write(&file, &src).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "native"]);
    let (teams, discord) = (format!("http://127.0.0.1:{}/teams", ports[2]), format!("http://127.0.0.1:{}/discord", ports[3]));
    let env = [("PD_KEY", "pd-routing-key-1"), ("OG_KEY", "og-key-2"), ("TEAMS_URL", teams.as_str()), ("DISCORD_URL", discord.as_str()), ("TG_TOKEN", "123:tg-token"), ("WEBEX_TOKEN", "wx-bot-token-5"), ("RC_ID", "rc-user-6"), ("RC_TOKEN", "rc-token-7"), ("OAUTH_SECRET", "oauth-secret-8")];
    // no secret in the generated files
    for f in files_under(&out, &[""]) {
        let t = std::fs::read_to_string(&f).unwrap_or_default();
        for (_, v) in &env {
            assert!(!t.contains(v), "{} holds a secret value {v}", f.display());
        }
    }
    let mut run = Running::start_with(&out, &dir.path().join("data"), &env);
    let base = format!("http://127.0.0.1:{port}");
    wait_for(60, "alertmanager /-/ready", || get(&format!("{base}/-/ready")));
    let alerts: Vec<Value> = names.iter().chain(&["email"]).map(|n| json!({ "labels": { "alertname": "DiskFull", "node": "node-a", "to": n } })).collect();
    assert_eq!(post_json(&format!("{base}/api/v2/alerts"), &json!(alerts)), 200);
    for (i, n) in names.iter().enumerate() {
        wait_for(60, &format!("a notification at the {n} sink"), || (!sinks[i].lock().unwrap().is_empty()).then_some(()));
    }
    wait_for(60, "a mail at the SMTP sink", || (!mails.lock().unwrap().is_empty()).then_some(()));
    std::thread::sleep(std::time::Duration::from_secs(4));
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "one mail: {mails:?}");
    assert_eq!(mails[0].0, ["oncall@example.com"], "{mails:?}");
    assert!(mails[0].1.contains("To: oncall@example.com") && mails[0].1.contains("DiskFull"), "{}", mails[0].1);
    let got: Vec<Vec<String>> = sinks.iter().map(|s| s.lock().unwrap().clone()).collect();
    for (i, n) in names.iter().enumerate() {
        assert_eq!(got[i].len(), 1, "{n}: one notification, got {:?}", got[i]);
    }
    let body = |i: usize| -> Value { serde_json::from_str(&got[i][0]).unwrap_or_else(|e| panic!("{}: {e}: {}", names[i], got[i][0])) };
    let pd = body(0);
    assert_eq!(pd["routing_key"], "pd-routing-key-1", "{pd}");
    assert_eq!(pd["event_action"], "trigger", "{pd}");
    assert_eq!(pd["payload"]["summary"], "PD DiskFull on node-a", "{pd}");
    assert_eq!(pd["payload"]["severity"], "critical", "{pd}");
    assert_eq!(body(1)["message"], "OG DiskFull on node-a", "{}", got[1][0]);
    assert!(got[2][0].contains("MS DiskFull on node-a"), "{}", got[2][0]);
    assert!(got[3][0].contains(r#""title":"DC DiskFull on node-a""#), "{}", got[3][0]);
    assert!(got[4][0].contains("TG DiskFull on node-a") && got[4][0].contains("-1001234"), "{}", got[4][0]);
    let header = |i: usize, name: &str| got[i][0].lines().find_map(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")).then(|| l[name.len() + 1..].trim().to_string()));
    assert!(got[5][0].contains(r#""roomId":"room-1""#) && got[5][0].contains("WX DiskFull on node-a"), "{}", got[5][0]);
    assert_eq!(header(5, "authorization").as_deref(), Some("Bearer wx-bot-token-5"), "{}", got[5][0]);
    assert!(got[6][0].contains("RC DiskFull on node-a") && got[6][0].contains("#ops"), "{}", got[6][0]);
    assert_eq!(header(6, "x-auth-token").as_deref(), Some("rc-token-7"), "{}", got[6][0]);
    assert_eq!(header(6, "x-user-id").as_deref(), Some("rc-user-6"), "{}", got[6][0]);
    // Discord's: the token fetched with the client's credentials (from its secret), and the header
    assert_eq!(header(3, "authorization").as_deref(), Some("Bearer oauth-tok-9"), "{}", got[3][0]);
    assert_eq!(header(3, "x-scope-orgid").as_deref(), Some("team-a"), "{}", got[3][0]);
    let tokens = tokens.lock().unwrap().clone();
    assert!(!tokens.is_empty(), "no token request");
    let t = &tokens[0];
    assert!(t.contains("grant_type=client_credentials") && t.contains("scope=alerts"), "{t}");
    // "gstack-am:oauth-secret-8", as HTTP basic authentication
    assert!(t.lines().any(|l| l.eq_ignore_ascii_case("authorization: Basic Z3N0YWNrLWFtOm9hdXRoLXNlY3JldC04")), "{t}");
    run.stop();
}

/// Alertmanager HA (issue #18), run for real: the native target of a stack with
/// `replicas = 3` starts a 3-peer gossip cluster of the real Alertmanager, and the real
/// Prometheus sends a firing rule's alert to every peer (the generated
/// `alerting.alertmanagers`). The webhook sink gets it once. Then one peer is frozen
/// (SIGSTOP: gone from the cluster, its sockets still accepting) and a second alert, sent to
/// the other peers as a sender does, arrives once; the frozen peer resumes (and handles what
/// it was sent meanwhile), another is killed (SIGKILL; process-compose restarts it, and
/// Prometheus resends to it), and still nothing arrives twice.
#[test]
fn a_three_peer_cluster_notifies_once_with_a_peer_lost() {
    require("alertmanager");
    require("prometheus");
    require("process-compose");
    let dir = TempDir::new("am-ha");
    // three peers on one host: (port, cluster_port) shifted by 10 per peer
    let am = free_ports(22);
    let (prom, hook) = (free_port(), free_port());
    let hooks = serve(hook);
    let src = format!(
        r##"stack ha {{
  prometheus {{
    port = {prom}
    evaluation_interval = 1s
  }}
  alertmanager {{
    port = {am}
    cluster_port = {cluster}
    replicas = 3
    receiver oncall {{ webhook = "http://127.0.0.1:{hook}/oncall" }}
    route {{
      receiver = oncall
      group_by = ["alertname"]
      group_wait = 1s
    }}
  }}
}}

alert GstackHaFiring {{
  expr = promql`vector(1)`
  severity = critical
  summary = "always firing"
}}

target native {{}}
"##,
        cluster = am + 1
    );
    let file = dir.path().join("ha.gstack");
    std::fs::write(&file, &src).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "native"]);
    let peers: Vec<String> = (0..3).map(|i| format!("127.0.0.1:{}", am + 10 * i)).collect();
    // Prometheus is told every peer
    let prom_yml = std::fs::read_to_string(out.join("native/config/prometheus/prometheus.yml")).unwrap();
    for p in &peers {
        assert!(prom_yml.contains(p), "prometheus.yml does not send to {p}:\n{prom_yml}");
    }
    let mut run = Running::start(&out, &dir.path().join("data"));
    for p in &peers {
        wait_for(90, &format!("alertmanager {p} /-/ready"), || get(&format!("http://{p}/-/ready")));
    }
    // the cluster formed: every peer sees three members
    for p in &peers {
        wait_for(60, &format!("{p} in a cluster of 3"), || {
            let s = get_json(&format!("http://{p}/api/v2/status"))?;
            (s["cluster"]["status"] == "ready" && s["cluster"]["peers"].as_array()?.len() == 3).then_some(())
        });
    }
    let count = |hooks: &[String], name: &str| -> usize {
        hooks
            .iter()
            .map(|h| {
                let n: Value = serde_json::from_str(h).unwrap();
                n["alerts"].as_array().unwrap().iter().filter(|a| a["labels"]["alertname"] == name && a["status"] == "firing").count()
            })
            .sum()
    };
    // a peer waits 15s per place in the cluster's order before it notifies what no other peer
    // did (Alertmanager's --cluster.peer-timeout): 2 places and a margin
    let settle = std::time::Duration::from_secs(35);
    wait_for(120, "the rule's alert at the sink", || (count(&hooks.lock().unwrap(), "GstackHaFiring") > 0).then_some(()));
    std::thread::sleep(settle);
    assert_eq!(count(&hooks.lock().unwrap(), "GstackHaFiring"), 1, "the rule's alert from 3 peers: {:?}", hooks.lock().unwrap());

    // one peer frozen: the others still notify, once
    let pid = |port: u16| -> i32 {
        let p = pids_with(&format!("--web.listen-address=127.0.0.1:{port}"));
        assert_eq!(p.len(), 1, "one process of the peer on {port}: {p:?}");
        p[0]
    };
    let frozen = pid(am);
    kill(frozen, "STOP");
    let run_id = now_ns().to_string();
    let b = json!([{ "labels": { "alertname": "GstackHaSecond", "severity": "critical", "run": run_id } }]);
    for p in &peers[1..] {
        assert_eq!(post_json(&format!("http://{p}/api/v2/alerts"), &b), 200);
    }
    wait_for(90, "the second alert at the sink with a peer frozen", || (count(&hooks.lock().unwrap(), "GstackHaSecond") > 0).then_some(()));
    std::thread::sleep(settle);
    // resumed: it handles the sends it was given while frozen, and repeats nothing
    kill(frozen, "CONT");
    // killed: restarted by process-compose, sent the firing alert again by Prometheus (it
    // resends every minute), and told by the others what was notified
    kill(pid(am + 10), "KILL");
    wait_for(60, "the killed peer restarted", || get(&format!("http://{}/-/ready", peers[1])));
    std::thread::sleep(std::time::Duration::from_secs(70));
    let h = hooks.lock().unwrap().clone();
    assert_eq!(count(&h, "GstackHaSecond"), 1, "the second alert, one peer frozen: {h:?}");
    assert_eq!(count(&h, "GstackHaFiring"), 1, "the rule's alert after a peer was frozen and another killed: {h:?}");
    eprintln!("3 peers: each alert delivered once ({} notifications)", h.len());
    run.stop();
}
