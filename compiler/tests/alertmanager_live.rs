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
