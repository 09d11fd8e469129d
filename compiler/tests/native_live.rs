//! The native target for real: build a Prometheus + Alertmanager + node-exporter stack, start
//! the generated `native/run` (process-compose) with the real binaries on 127.0.0.1, and check
//! through the programs' HTTP APIs that everything is wired as the .gstack file says.

mod common;
use common::*;

#[test]
fn native_target_runs_prometheus_alertmanager_node_exporter() {
    for p in ["prometheus", "alertmanager", "node_exporter", "process-compose"] {
        require(p);
    }
    let dir = TempDir::new("native");
    let (pp, ap, np) = (free_port(), free_port(), free_port());
    let src = dir.path().join("stack.gstack");
    std::fs::write(
        &src,
        format!(
            r#"
stack live {{
  prometheus {{
    port = {pp}
    scrape_interval = 1s
    evaluation_interval = 1s
    // a target label `job` replaces the job name (W0403 knows it)
    scrape app {{ targets = ["127.0.0.1:{np}"], labels = ["job": "svc"] }}
  }}
  alertmanager {{
    port = {ap}
    receiver oncall {{ webhook = secret.env("ONCALL_URL") }}
    route {{ receiver = oncall, group_wait = 1s, group_interval = 1s }}
  }}
  node_exporter {{ port = {np} }}
}}

alert AlwaysFiring {{
  expr    = promql`vector(1)`
  summary = "test alert"
}}

alert NodeDown {{
  expr     = promql`up{{job="node"}} == 0`
  for      = 1m
  severity = critical
}}

target native {{ data_dir = "{data}" }}
"#,
            data = dir.path().join("data").display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);

    // the on-call webhook: Alertmanager reads its URL from the secret `ONCALL_URL`
    let hook = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook_url = format!("http://{}/hook", hook.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for conn in hook.incoming().flatten() {
            let mut conn = conn;
            conn.set_read_timeout(Some(std::time::Duration::from_secs(2))).ok();
            let mut buf = vec![0u8; 65536];
            let mut got = Vec::new();
            while let Ok(n) = conn.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got);
                if let Some(h) = text.find("\r\n\r\n") {
                    let len = text[..h]
                        .lines()
                        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                        .unwrap_or(0);
                    if got.len() >= h + 4 + len {
                        break;
                    }
                }
            }
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = tx.send(String::from_utf8_lossy(&got).to_string());
        }
    });

    let data = dir.path().join("data");
    let mut run = Running::start_with(&out, &data, &[("ONCALL_URL", hook_url.as_str())]);
    let prom = format!("http://127.0.0.1:{pp}");

    // every readiness endpoint answers
    for url in [format!("{prom}/-/ready"), format!("http://127.0.0.1:{ap}/-/ready"), format!("http://127.0.0.1:{np}/metrics")] {
        wait_for(60, &url, || get(&url));
    }

    // every scrape target is up: prometheus, alertmanager, node, and `app` (job `svc`)
    let targets = wait_for(60, "all scrape targets up", || {
        let t = get_json(&format!("{prom}/api/v1/targets"))?;
        let active = t["data"]["activeTargets"].as_array()?.clone();
        (active.len() == 4 && active.iter().all(|a| a["health"] == "up")).then_some(active)
    });
    let mut jobs: Vec<String> = targets.iter().map(|t| t["labels"]["job"].as_str().unwrap().to_string()).collect();
    jobs.sort();
    assert_eq!(jobs, ["alertmanager", "node", "prometheus", "svc"]);
    // the jobs W0403 takes the stack to have are the ones this Prometheus produces: a rule on
    // each live job is quiet, and one on the scrape's own name (replaced by its label) warns
    let mut check = std::fs::read_to_string(&src).unwrap();
    for (i, j) in jobs.iter().chain(["app".to_string()].iter()).enumerate() {
        check.push_str(&format!("alert Job{i} {{\n  expr = promql`absent(up{{job=\"{j}\"}})`\n}}\n"));
    }
    let check_src = dir.path().join("check.gstack");
    std::fs::write(&check_src, check).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg(&check_src).args(["--message-format", "json"]).output().unwrap();
    let diags: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let w0403: Vec<&str> = diags.as_array().unwrap().iter().filter(|d| d["code"] == "W0403").map(|d| d["message"].as_str().unwrap()).collect();
    assert_eq!(w0403, ["no scrape job of the stack is called `app`: the selector matches no series"], "{diags:#}");

    // the rules of the .gstack file are loaded
    let rules = get_json(&format!("{prom}/api/v1/rules")).unwrap();
    let mut names: Vec<String> = rules["data"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()))
        .collect();
    names.sort();
    assert_eq!(names, ["AlwaysFiring", "NodeDown"]);

    // Alertmanager is Prometheus' alertmanager, and the firing alert reaches it
    let ams = get_json(&format!("{prom}/api/v1/alertmanagers")).unwrap();
    let urls: Vec<&str> =
        ams["data"]["activeAlertmanagers"].as_array().unwrap().iter().map(|a| a["url"].as_str().unwrap()).collect();
    assert_eq!(urls, [format!("http://127.0.0.1:{ap}/api/v2/alerts").as_str()]);
    wait_for(60, "AlwaysFiring in Alertmanager", || {
        let alerts = get_json(&format!("http://127.0.0.1:{ap}/api/v2/alerts"))?;
        alerts.as_array()?.iter().any(|a| a["labels"]["alertname"] == "AlwaysFiring").then_some(())
    });
    // … and Alertmanager notifies the receiver, whose URL came from the secret
    let notified = wait_for(60, "webhook notification", || rx.try_recv().ok().filter(|b| b.contains("AlwaysFiring")));
    // every metric std.selfmon queries is one these programs expose, now that they have rules,
    // an Alertmanager and a receiver
    for (c, url) in [("prometheus", format!("{prom}/metrics")), ("alertmanager", format!("http://127.0.0.1:{ap}/metrics")), ("node_exporter", format!("http://127.0.0.1:{np}/metrics"))] {
        let n = common::selfmon::assert_std_metrics_exposed(c, &url);
        eprintln!("std.selfmon: {n} {c} metrics exposed at {url}");
    }
    assert!(notified.starts_with("POST /hook"), "{notified}");
    // the links in it open where the user reaches the programs, not at the machine's host name:
    // Alertmanager's own (`externalURL`) and the alert's source in Prometheus (`generatorURL`)
    let payload: serde_json::Value = serde_json::from_str(&notified[notified.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert_eq!(payload["externalURL"], format!("http://127.0.0.1:{ap}"), "{payload}");
    let generator = payload["alerts"][0]["generatorURL"].as_str().unwrap();
    assert!(generator.starts_with(&format!("{prom}/graph?")), "{generator}");

    // kill -9 node_exporter: process-compose restarts it and it is ready again
    let needle = format!("--web.listen-address=127.0.0.1:{np}");
    let before = pids_with(&needle);
    assert_eq!(before.len(), 1, "one node_exporter: {before:?}");
    kill(before[0], "KILL");
    wait_for(30, "node_exporter restarted", || {
        let now = pids_with(&needle);
        (now.len() == 1 && now[0] != before[0] && get(&format!("http://127.0.0.1:{np}/metrics")).is_some()).then_some(())
    });

    // data survives a stop and start of the whole target
    let t_before = wait_for(30, "a scraped sample", || {
        let q = get_json(&format!("{prom}/api/v1/query?query=up%7Bjob%3D%22node%22%7D"))?;
        q["data"]["result"][0]["value"][0].as_f64()
    });
    run.stop();
    assert!(get(&format!("{prom}/-/ready")).is_none(), "prometheus still answers after stop");
    let mut run2 = Running::start_with(&out, &data, &[("ONCALL_URL", hook_url.as_str())]);
    wait_for(60, "prometheus ready again", || get(&format!("{prom}/-/ready")));
    let q = get_json(&format!("{prom}/api/v1/query?query=up%7Bjob%3D%22node%22%7D&time={t_before}")).unwrap();
    assert_eq!(q["data"]["result"].as_array().map(|a| a.len()), Some(1), "series from before the restart: {q}");
    run2.stop();
}

/// A native stack of node-exporter alone, whose binary is `bin` (through the target's `bin`
/// map), on a free port: (its port, the output directory, the data directory).
fn node_exporter_stack(dir: &std::path::Path, bin: &std::path::Path) -> (u16, std::path::PathBuf, std::path::PathBuf) {
    let np = free_port();
    let src = dir.join("stack.gstack");
    let data = dir.join("data");
    std::fs::write(
        &src,
        format!(
            "stack one {{\n  node_exporter {{ port = {np} }}\n}}\n\ntarget native {{\n  data_dir = \"{}\"\n  bin = {{ node_exporter = \"{}\" }}\n}}\n",
            data.display(),
            bin.display()
        ),
    )
    .unwrap();
    let out = dir.join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    (np, out, data)
}

/// An executable shell script at `path` that counts its runs in `path.count`, then runs `body`.
fn counting_script(path: &std::path::Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let count = path.with_extension("count");
    std::fs::write(
        path,
        format!("#!/bin/sh\nn=$(cat '{c}' 2>/dev/null || echo 0)\nn=$((n + 1))\necho \"$n\" > '{c}'\n{body}\n", c = count.display()),
    )
    .unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn runs(path: &std::path::Path) -> u32 {
    std::fs::read_to_string(path.with_extension("count")).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0)
}

#[test]
fn a_program_that_exits_0_is_restarted() {
    let real = require("node_exporter");
    require("process-compose");
    let dir = TempDir::new("native-exit0");
    // the first run exits 0 at once (as Loki does on SIGTERM, Tempo on a fatal start error);
    // the next ones are the real node_exporter
    let wrapper = dir.path().join("node_exporter");
    counting_script(&wrapper, &format!("[ \"$n\" -gt 1 ] || exit 0\nexec '{}' \"$@\"", real.display()));
    let (np, out, data) = node_exporter_stack(dir.path(), &wrapper);
    let mut run = Running::start(&out, &data);
    let url = format!("http://127.0.0.1:{np}/metrics");
    wait_for(60, "node_exporter started again after it exited 0", || get(&url));
    assert_eq!(runs(&wrapper), 2, "exited once with 0, restarted once");
    run.stop();
}

#[test]
fn a_program_that_keeps_exiting_is_restarted_a_limited_number_of_times() {
    require("process-compose");
    let dir = TempDir::new("native-restart-limit");
    let wrapper = dir.path().join("node_exporter");
    counting_script(&wrapper, "exit 0");
    let (_, out, data) = node_exporter_stack(dir.path(), &wrapper);
    let pc = std::fs::read_to_string(out.join("native/process-compose.yaml")).unwrap();
    let limit: u32 = pc
        .lines()
        .find_map(|l| l.trim().strip_prefix("max_restarts:"))
        .expect("a restart limit in process-compose.yaml")
        .trim()
        .parse()
        .unwrap();
    assert!(limit > 0, "max_restarts: 0 means no limit to process-compose");
    let mut run = Running::start(&out, &data);
    // the program gives up: process-compose ends when its last program has
    let status = wait_for(120, "process-compose to give up on the program", || run.0.try_wait().unwrap());
    assert_eq!(runs(&wrapper), limit + 1, "the first start and {limit} restarts ({status})");
}

#[test]
fn a_second_run_beside_the_orphans_of_a_dead_supervisor_refuses_and_keeps_their_config() {
    for p in ["prometheus", "node_exporter", "process-compose"] {
        require(p);
    }
    let dir = TempDir::new("native-orphans");
    let (pp, np) = (free_port(), free_port());
    let src = dir.path().join("stack.gstack");
    let data = dir.path().join("data");
    std::fs::write(
        &src,
        format!(
            "stack orphans {{\n  prometheus {{ port = {pp} }}\n  node_exporter {{ port = {np} }}\n}}\n\ntarget native {{ data_dir = \"{}\" }}\n",
            data.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    let prom = format!("http://127.0.0.1:{pp}/-/ready");
    let mut run = Running::start(&out, &data);
    wait_for(60, "prometheus ready", || get(&prom));
    wait_for(60, "node_exporter ready", || get(&format!("http://127.0.0.1:{np}/metrics")));
    let needles = [format!("--web.listen-address=127.0.0.1:{pp}"), format!("--web.listen-address=127.0.0.1:{np}")];
    let orphans: Vec<i32> = needles.iter().flat_map(|n| pids_with(n)).collect();
    assert_eq!(orphans.len(), 2, "{orphans:?}");
    // the supervisor dies (run exec'd process-compose: the child is process-compose); its
    // programs keep running
    kill(run.0.id() as i32, "KILL");
    let _ = run.0.wait();
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert!(get(&prom).is_some(), "the orphaned prometheus still answers");
    // a second run refuses, and leaves the orphans' config in place (bounded: a run that
    // starts crash-loops on the ports the orphans hold)
    let mark = data.join(".gstack/config/the-orphans-read-this");
    std::fs::write(&mark, "").unwrap();
    let (ok, log) = common::run(std::process::Command::new("timeout").arg("20").arg(out.join("native/run")).env("GSTACK_DATA", &data));
    let left: Vec<i32> = needles.iter().flat_map(|n| pids_with(n)).collect();
    for pid in &left {
        kill(*pid, "KILL");
    }
    eprintln!("second run: {log}");
    assert!(!ok, "a second run started beside the orphans:\n{log}");
    // the programs inherited the lock from process-compose; without flock the port check
    // refuses
    let why = if which("flock").is_some() { "is held: this stack is already running" } else { "is in use by another process" };
    assert!(log.contains(why), "says why:\n{log}");
    assert!(mark.is_file(), "the second run replaced the orphans' config");
    assert_eq!(left, orphans, "the second run started or stopped programs");
    // with the orphans gone, the stack starts again
    wait_for(30, "orphans gone", || (get(&prom).is_none()).then_some(()));
    let mut run2 = Running::start(&out, &data);
    wait_for(60, "prometheus ready again", || get(&prom));
    run2.stop();
}
