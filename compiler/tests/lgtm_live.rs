//! Live tests for the AGPL programs gstack configures but never installs. Each needs a binary
//! (`GSTACK_LOKI_BIN`, `GSTACK_TEMPO_BIN`, `GSTACK_GRAFANA_BIN`), so each is `#[ignore]`d:
//! a plain `cargo test` lists them as ignored instead of passing without having run, and
//! `tests/run.sh` runs the ones whose variable is set with `-- --ignored`. Run by hand:
//! `GSTACK_LOKI_BIN=/path/to/loki cargo test -p gstack --test lgtm_live -- --ignored loki`.
//! Run without its variable, a test fails (it was asked for and cannot run). Each starts the
//! generated native target from the generated files and checks the program through its API.

mod common;
use common::*;

/// The binary named by `var`: an ignored test run on purpose (`--ignored`) needs it.
fn bin(var: &str) -> String {
    match std::env::var(var) {
        Ok(p) if std::path::Path::new(&p).is_file() => p,
        Ok(p) => panic!("{var}={p} is not a file"),
        Err(_) => panic!("{var} is not set: point it at a binary to run this live test"),
    }
}

/// Write `stack` (with a native target whose data lives in the temp dir and whose `bin`
/// map is `bin`), build it, and start the native target.
fn start_native(dir: &TempDir, stack: &str, bin: &str) -> (std::path::PathBuf, Running) {
    let src = dir.path().join("s.gstack");
    let data = dir.path().join("data");
    std::fs::write(&src, format!("{stack}\ntarget native {{ data_dir = \"{}\", bin = {{ {bin} }} }}\n", data.display())).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let run = Running::start(&out, &data);
    (out, run)
}

/// Start only the Grafana process of a built native target (provisioning needs no backend
/// running) and wait until it is healthy.
fn start_grafana_only(out: &std::path::Path, data: &std::path::Path, port: u16, env: &[(&str, &str)]) -> Running {
    let file = out.join("native/process-compose.yaml");
    let mut doc: serde_json::Value = serde_norway::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let g = doc["processes"]["grafana"].clone();
    doc["processes"] = serde_json::json!({ "grafana": g });
    doc["processes"]["grafana"].as_object_mut().unwrap().remove("depends_on");
    std::fs::write(&file, serde_norway::to_string(&doc).unwrap()).unwrap();
    let run = Running::start_with(out, data, env);
    wait_for(120, "grafana /api/health", || get(&format!("http://127.0.0.1:{port}/api/health")));
    run
}

#[test]
#[ignore = "needs GSTACK_LOKI_BIN (tests/run.sh runs it when set)"]
fn loki_starts_from_generated_files_and_finds_a_pushed_line() {
    let loki = bin("GSTACK_LOKI_BIN");
    require("process-compose");
    let dir = TempDir::new("loki");
    let (port, grpc) = (free_port(), free_port());
    let (_out, mut run) = start_native(
        &dir,
        &format!(
            r#"stack l {{ loki {{ port = {port}, grpc_port = {grpc}, retention = 7d, settings {{ ruler = {{ alertmanager_url = "http://127.0.0.1:9" }} }} }} }}
log_alert TooManyErrors {{
  expr = logql`sum(count_over_time({{job="gstack-test"}} |= "error" [5m])) > 100`
  for  = 1m
}}"#
        ),
        &format!("loki = \"{loki}\""),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_for(90, "loki /ready", || get(&format!("{base}/ready")));
    let line = format!("gstack live test {}", now_ns());
    let status = post_json(
        &format!("{base}/loki/api/v1/push"),
        &serde_json::json!({ "streams": [{ "stream": { "job": "gstack-test" }, "values": [[now_ns().to_string(), line]] }] }),
    );
    assert_eq!(status, 204, "push");
    wait_for(30, "the pushed line", || {
        let q = get_json(&format!("{base}/loki/api/v1/query_range?query=%7Bjob%3D%22gstack-test%22%7D&limit=10"))?;
        q.to_string().contains(&line).then_some(())
    });
    // the log_alert rule is loaded by the ruler
    wait_for(30, "ruler rule", || get(&format!("{base}/loki/api/v1/rules"))?.contains("TooManyErrors").then_some(()));
    // a line from 1970 is refused (older than `reject_old_samples_max_age`): Loki counts it in
    // the discarded-lines series std.selfmon shows, which exist only once something is discarded
    let old = post_json(&format!("{base}/loki/api/v1/push"), &serde_json::json!({ "streams": [{ "stream": { "job": "gstack-test" }, "values": [["1000000000", "too old"]] }] }));
    assert!((400..500).contains(&old), "an old line is refused: {old}");
    // every metric std.selfmon queries about Loki is one this Loki exposes
    let n = common::selfmon::assert_std_metrics_exposed("loki", &format!("{base}/metrics"));
    eprintln!("std.selfmon: {n} loki metrics exposed");
    run.stop();
}

#[test]
#[ignore = "needs GSTACK_TEMPO_BIN (tests/run.sh runs it when set)"]
fn tempo_starts_from_generated_files_and_finds_a_pushed_trace() {
    let tempo = bin("GSTACK_TEMPO_BIN");
    require("process-compose");
    let dir = TempDir::new("tempo");
    // every port free, memberlist's too: beside a running stack (which has 7946) this one starts
    let (port, grpc, og, oh, ml) = (free_port(), free_port(), free_port(), free_port(), free_port());
    let (_out, mut run) = start_native(
        &dir,
        // blocks cut and polled within seconds, so the blocklist series std.selfmon shows exists
        &format!(
            "stack t {{ tempo {{ port = {port}, grpc_port = {grpc}, otlp_grpc_port = {og}, otlp_http_port = {oh}, memberlist_port = {ml}, \
             settings {{ ingester = {{ trace_idle_period = \"1s\", max_block_duration = \"2s\" }}, storage = {{ trace = {{ blocklist_poll = \"1s\" }} }} }} }} }}"
        ),
        &format!("tempo = \"{tempo}\""),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_for(90, "tempo /ready", || get(&format!("{base}/ready")));
    assert!(std::net::TcpStream::connect(("127.0.0.1", ml)).is_ok(), "tempo's memberlist listens on memberlist_port {ml}");
    let trace_id = format!("{:032x}", now_ns());
    let start = now_ns();
    let body = serde_json::json!({ "resourceSpans": [{
        "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "gstack-test" } }] },
        "scopeSpans": [{ "spans": [{
            "traceId": trace_id, "spanId": "0102030405060708", "name": "live-test", "kind": 1,
            "startTimeUnixNano": start.to_string(), "endTimeUnixNano": (start + 1_000_000).to_string(),
        }] }],
    }] });
    assert_eq!(post_json(&format!("http://127.0.0.1:{oh}/v1/traces"), &body), 200, "OTLP push");
    wait_for(60, "the pushed trace", || get(&format!("{base}/api/traces/{trace_id}"))?.contains("live-test").then_some(()));
    // every metric std.selfmon queries about Tempo is one this Tempo exposes (the blocklist's
    // once the trace's block is flushed and polled)
    wait_for(90, "tempodb_blocklist_length", || get(&format!("{base}/metrics"))?.contains("tempodb_blocklist_length{").then_some(()));
    let n = common::selfmon::assert_std_metrics_exposed("tempo", &format!("{base}/metrics"));
    eprintln!("std.selfmon: {n} tempo metrics exposed");
    run.stop();
}

#[test]
#[ignore = "needs GSTACK_GRAFANA_BIN (tests/run.sh runs it when set)"]
fn grafana_provisions_every_datasource_and_dashboard() {
    let grafana = bin("GSTACK_GRAFANA_BIN");
    require("process-compose");
    let dir = TempDir::new("grafana");
    let port = free_port();
    let pw = dir.path().join("admin-password");
    std::fs::write(&pw, "gstack-test-pw").unwrap();
    // the bundled example's dashboards and datasources, with Grafana on a free port (typed
    // overrides, as the flake passes them)
    let overrides = dir.path().join("overrides.json");
    std::fs::write(
        &overrides,
        serde_json::json!({
            "grafana": { "port": port, "admin": { "password": { "file": pw.display().to_string() } } },
            "targets": { "native": { "data_dir": dir.path().join("data").display().to_string(), "bin": { "grafana": grafana } } },
        })
        .to_string(),
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "native", "--overrides", overrides.to_str().unwrap()]);
    let mut run = start_grafana_only(&out, &dir.path().join("data"), port, &[]);
    let base = format!("http://admin:gstack-test-pw@127.0.0.1:{port}");
    let ds = get_json(&format!("{base}/api/datasources")).expect("datasources");
    let mut uids: Vec<String> = ds.as_array().unwrap().iter().map(|d| d["uid"].as_str().unwrap().to_string()).collect();
    uids.sort();
    assert_eq!(uids, ["alertmanager", "loki", "prometheus", "tempo", "warehouse"]);
    // every dashboard of the stack (the example's, the team's, std.selfmon's) by uid
    let ir: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("ir.json")).unwrap()).unwrap();
    let uids: Vec<String> = ir["dashboards"].as_array().unwrap().iter().map(|d| d["uid"].as_str().unwrap().to_string()).collect();
    assert!(uids.len() >= 8, "{uids:?}");
    for uid in &uids {
        let d = get_json(&format!("{base}/api/dashboards/uid/{uid}")).unwrap_or_else(|| panic!("dashboard {uid}"));
        assert_eq!(d["dashboard"]["uid"], uid.as_str());
    }
    run.stop();
}

#[test]
#[ignore = "needs GSTACK_GRAFANA_BIN (tests/run.sh runs it when set)"]
fn grafana_provisions_alerting_from_the_generated_file() {
    let grafana = bin("GSTACK_GRAFANA_BIN");
    require("process-compose");
    let dir = TempDir::new("grafana-alerting");
    let port = free_port();
    let pw = dir.path().join("admin-password");
    std::fs::write(&pw, "gstack-test-pw").unwrap();
    let data = dir.path().join("data");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        format!(
            r#"stack a {{
  prometheus {{}}
  grafana {{
    port = {port}
    admin = {{ password = secret.file("{pw}") }}
    contact_point oncall {{ webhook = secret.env("GSTACK_TEST_ONCALL_URL") }}
    contact_point pager {{
      pagerduty = {{ integrationKey = secret.env("GSTACK_TEST_PD_KEY"), severity = "critical" }}
      telegram = {{ bottoken = secret.env("GSTACK_TEST_TG_TOKEN"), chatid = "-1001234567890", parse_mode = MarkdownV2 }}
      sns = {{ topic_arn = "arn:aws:sns:eu-west-1:123456789012:alerts", sigv4 = {{ region = "eu-west-1" }} }}
    }}
    policy {{ contact_point = oncall, route {{ matchers = ["severity=critical"], mute_timings = [weekends], active_timings = [weekdays] }} }}
    mute_timing weekends {{ weekdays = ["saturday", "sunday"] }}
    mute_timing weekdays {{ weekdays = ["monday:friday"] }}
    template "gstack-page" {{ content = "{{{{ define \"gstack-page\" }}}}{{{{ .CommonLabels.alertname }}}}{{{{ end }}}}" }}
  }}
}}
grafana_alert GstackLiveDown {{ query = promql`up == 0`, for = 1m, summary = "{{{{ $labels.job }}}} is down" }}
target native {{ data_dir = "{data}", bin = {{ grafana = "{grafana}" }} }}
"#,
            pw = pw.display(),
            data = data.display(),
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let mut run = start_grafana_only(
        &out,
        &data,
        port,
        &[("GSTACK_TEST_ONCALL_URL", "http://127.0.0.1:9/gstack-hook"), ("GSTACK_TEST_PD_KEY", "gstack-pd-key"), ("GSTACK_TEST_TG_TOKEN", "123:gstack")],
    );
    let base = format!("http://admin:gstack-test-pw@127.0.0.1:{port}");
    let cps = get_json(&format!("{base}/api/v1/provisioning/contact-points")).expect("contact points");
    let cp = cps.as_array().unwrap().iter().find(|c| c["name"] == "oncall").unwrap_or_else(|| panic!("no contact point oncall: {cps}"));
    assert_eq!(cp["type"], "webhook");
    // the typed integrations: Grafana's settings parsers accepted them (provisioning fails
    // otherwise), the secure keys are kept out of the settings it answers with
    let pager: Vec<&serde_json::Value> = cps.as_array().unwrap().iter().filter(|c| c["name"] == "pager").collect();
    let types: Vec<&str> = pager.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["pagerduty", "telegram", "sns"], "{cps}");
    assert!(!cps.to_string().contains("gstack-pd-key") && !cps.to_string().contains("123:gstack"), "a secure setting in the answer: {cps}");
    let rules = get(&format!("{base}/api/v1/provisioning/alert-rules")).expect("alert rules");
    assert!(rules.contains("gstacklivedown"), "{rules}");
    let policies = get_json(&format!("{base}/api/v1/provisioning/policies")).expect("policies");
    assert_eq!(policies["receiver"], "oncall", "{policies}");
    assert_eq!(policies["routes"][0]["active_time_intervals"], serde_json::json!(["weekdays"]), "{policies}");
    let mutes = get(&format!("{base}/api/v1/provisioning/mute-timings")).expect("mute timings");
    assert!(mutes.contains("weekends"), "{mutes}");
    let templates = get(&format!("{base}/api/v1/provisioning/templates")).expect("templates");
    assert!(templates.contains("gstack-page"), "{templates}");
    // std.selfmon's Grafana panels against this Grafana's /metrics: the rule metrics appear
    // once the rule's routine has evaluated it (pkg/services/ngalert/schedule, `WithLabelValues`
    // at the first evaluation), so wait for that first
    let metrics = format!("http://127.0.0.1:{port}/metrics");
    wait_for(150, "grafana's first rule evaluation", || get(&metrics).filter(|t| t.contains("grafana_alerting_rule_evaluations_total")));
    let n = common::selfmon::assert_std_metrics_exposed("grafana", &metrics);
    eprintln!("grafana exposes the {n} metrics std.selfmon queries of it");
    run.stop();
}
