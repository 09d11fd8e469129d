//! The compose target on a real Docker engine: the bundled example, unchanged, started with
//! `docker compose up --pull never` from stand-in images built FROM scratch by
//! `tests/compose-images.sh` (the image contract of `nix/image.nix`, read from
//! `nix/components.nix`), then observed through the published ports: every container up,
//! every Prometheus target up (the example's `app` job scrapes an application on the host,
//! served here by the test), an alert delivered by Alertmanager to a webhook on the host
//! through the URL given as the stack's environment secret, and series and silences kept
//! across `docker compose restart` and `down`/`up`.
//!
//! Grafana, Loki and Tempo join when their binaries are given (`GSTACK_GRAFANA_BIN`,
//! `GSTACK_LOKI_BIN`, `GSTACK_TEMPO_BIN`); otherwise the test prints that they are skipped.
//! Needs `docker` with a running engine and `docker compose` v2 (`.ci/run` installs and
//! starts them); without them the test fails — it never passes by skipping.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;

fn docker(args: &[&str]) -> (bool, String) {
    run(Command::new(require("docker")).args(args))
}

/// One `docker compose` project, taken down with its volumes on drop.
struct Project {
    name: String,
    file: PathBuf,
    env: Vec<(String, String)>,
}
impl Project {
    fn compose(&self, args: &[&str]) -> (bool, String) {
        run(Command::new(require("docker"))
            .args(["compose", "-p", &self.name, "-f"])
            .arg(&self.file)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
    }
    fn must(&self, args: &[&str]) -> String {
        let (ok, text) = self.compose(args);
        assert!(ok, "docker compose {}:\n{text}", args.join(" "));
        text
    }
}
impl Drop for Project {
    fn drop(&mut self) {
        if std::env::var_os("GSTACK_KEEP_COMPOSE").is_none() {
            let (_, logs) = self.compose(&["logs", "--no-color", "--tail", "30"]);
            if std::thread::panicking() {
                eprintln!("--- docker compose logs ---\n{logs}");
            }
            let _ = self.compose(&["down", "-v", "--timeout", "5"]);
        }
    }
}

/// Prometheus' answer to an instant query at `time` (unix seconds), as `metric → value`.
fn query_at(q: &str, time: f64) -> Option<Vec<(String, String)>> {
    let url = format!("http://127.0.0.1:9090/api/v1/query?query={}&time={time}", urlencode(q));
    let v = get_json(&url)?;
    let r = v["data"]["result"].as_array()?;
    Some(r.iter().map(|x| (x["metric"].to_string(), x["value"][1].as_str().unwrap_or("").to_string())).collect())
}

fn wait_ready(what: &str, url: &str) {
    wait_for(120, &format!("{what} ready at {url}"), || get(url).map(|_| ()));
}

/// The binary a component's stand-in image is built from: `GSTACK_<C>_BIN` or the program on
/// PATH for the programs CI installs; Grafana, Loki and Tempo only when given.
fn binary(component: &str, program: &str) -> Option<PathBuf> {
    let var = format!("GSTACK_{}_BIN", component.to_ascii_uppercase());
    match std::env::var_os(&var) {
        Some(p) => Some(PathBuf::from(p)),
        None if matches!(component, "grafana" | "loki" | "tempo") => {
            eprintln!("note: compose run without {component}: {var} is not set (skipped, not passed)");
            None
        }
        None => Some(require(program)),
    }
}

fn contract() -> serde_json::Value {
    let (ok, text) = run(Command::new(require("nix-instantiate")).args(["--eval", "--strict", "--json"]).arg(root().join("nix/components.nix")));
    assert!(ok, "nix-instantiate nix/components.nix:\n{text}");
    serde_json::from_str(&text).unwrap()
}

/// Build the stand-in images `(component, image, binary)` with tests/compose-images.sh.
fn build_images(refs: &[(String, String, PathBuf)]) {
    let mut cmd = Command::new(root().join("tests/compose-images.sh"));
    for (c, image, bin) in refs {
        cmd.arg(format!("{c}={image}")).env(format!("GSTACK_{}_BIN", c.to_ascii_uppercase()), bin);
    }
    let (ok, text) = run(&mut cmd);
    assert!(ok, "tests/compose-images.sh:\n{text}");
}

/// One test at a time builds images and runs projects on the engine.
static ENGINE: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn compose_deployment_runs_on_docker() {
    if skip_without(&["docker"]) {
        return;
    }
    let _engine = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
    let (ok, info) = docker(&["info", "--format", "{{.ServerVersion}}"]);
    assert!(ok, "no Docker engine (run .ci/run, which installs docker.io and starts dockerd):\n{info}");
    let (ok, v) = docker(&["compose", "version", "--short"]);
    assert!(ok, "no `docker compose` plugin (run .ci/run):\n{v}");
    eprintln!("note: Docker engine {}, compose {}", info.trim(), v.trim());

    let dir = TempDir::new("compose-live");
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "compose"]);
    let file = out.join("compose/docker-compose.yaml");
    let doc: serde_json::Value = serde_norway::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let services = doc["services"].as_object().unwrap();

    // the stand-in images of the components this machine has binaries for
    let spec = contract();
    let mut run_services = vec![];
    let mut images = vec![];
    for (comp, s) in spec.as_object().unwrap() {
        let host = comp.replace('_', "-");
        let Some(svc) = services.get(&host) else { continue };
        let Some(bin) = binary(comp, s["program"].as_str().unwrap()) else { continue };
        images.push((comp.clone(), svc["image"].as_str().unwrap().to_string(), bin));
        run_services.push(host.clone());
        let init = format!("{host}-env-secrets");
        if services.contains_key(&init) {
            run_services.push(init);
        }
    }
    build_images(&images);

    // the host side: the application the `app` job scrapes, and the on-call webhook
    let _app = serve(8080);
    let hook_port = free_port();
    let hooks = serve(hook_port);
    let project = Project {
        name: format!("gstack-live-{}", std::process::id()),
        file: file.clone(),
        env: vec![("ONCALL_URL".into(), format!("http://host.docker.internal:{hook_port}/hook"))],
    };
    // secrets first, as a user would (the example's Grafana secrets only matter with Grafana)
    let (ok, text) = run(Command::new(out.join("compose/check-secrets")).env("ONCALL_URL", "x"));
    if run_services.iter().any(|s| s == "grafana") {
        assert!(ok, "check-secrets:\n{text}");
    } else {
        assert!(!text.contains("ONCALL_URL"), "{text}");
    }

    let mut up = vec!["up", "-d", "--pull", "never"];
    up.extend(run_services.iter().map(String::as_str));
    project.must(&up);

    let present = |c: &str| run_services.iter().any(|s| s == c);
    wait_ready("Prometheus", "http://127.0.0.1:9090/-/ready");
    wait_ready("Alertmanager", "http://127.0.0.1:9093/-/ready");
    if present("loki") {
        wait_ready("Loki", "http://127.0.0.1:3100/ready");
    }
    if present("tempo") {
        wait_ready("Tempo", "http://127.0.0.1:3200/ready");
    }
    if present("grafana") {
        wait_ready("Grafana", "http://127.0.0.1:3000/api/health");
    }

    // every target of a running component is up, the host application included
    let jobs_up = || {
        let t = get_json("http://127.0.0.1:9090/api/v1/targets")?;
        let active = t["data"]["activeTargets"].as_array()?.clone();
        let mut want: Vec<&str> = vec!["prometheus", "alertmanager", "node", "app"];
        for c in ["loki", "tempo", "grafana"] {
            if present(c) {
                want.push(c);
            }
        }
        want.iter()
            .all(|j| active.iter().any(|a| a["labels"]["job"] == *j && a["health"] == "up"))
            .then_some(active)
    };
    let active = std::panic::catch_unwind(|| wait_for(90, "every Prometheus target up", jobs_up)).unwrap_or_else(|_| {
        panic!("targets:\n{}", get_json("http://127.0.0.1:9090/api/v1/targets").map(|t| t.to_string()).unwrap_or_default())
    });
    let app = active.iter().find(|a| a["labels"]["job"] == "app").unwrap();
    assert_eq!(app["scrapeUrl"], "http://host.docker.internal:8080/metrics");
    // node-exporter measures the host: it reads the mounts of the host's PID 1 under the host
    // root, not its container's (whose bind-mounted /etc/hostname would show up)
    let mounts = wait_for(30, "node_filesystem_size_bytes", || {
        query_at("node_filesystem_size_bytes", now_secs()).filter(|r| !r.is_empty())
    });
    let points: Vec<String> = mounts
        .iter()
        .map(|(m, _)| serde_json::from_str::<serde_json::Value>(m).unwrap()["mountpoint"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(points.iter().any(|p| p == "/"), "node-exporter does not see the host's root: {points:?}");
    assert!(!points.iter().any(|p| p.starts_with("/etc/host") || p.starts_with("/etc/resolv")), "node-exporter measures its container: {points:?}");
    // Prometheus sends alerts to Alertmanager
    wait_for(60, "Prometheus sees Alertmanager", || {
        let a = get_json("http://127.0.0.1:9090/api/v1/alertmanagers")?;
        a["data"]["activeAlertmanagers"].as_array().filter(|v| !v.is_empty()).map(|_| ())
    });

    // an alert reaches the on-call webhook on the host, through the URL of the env secret
    let alert = serde_json::json!([{ "labels": { "alertname": "GstackComposeLive", "service": "cart", "severity": "critical" },
        "annotations": { "summary": "compose live test" } }]);
    assert_eq!(post_json("http://127.0.0.1:9093/api/v2/alerts", &alert), 200);
    let note = wait_for(90, "the alert at the webhook", || hooks.lock().unwrap().iter().find(|b| b.contains("GstackComposeLive")).cloned());
    // its links open where the user reaches Alertmanager: the published port
    let note: serde_json::Value = serde_json::from_str(&note).unwrap();
    assert_eq!(note["externalURL"], "http://127.0.0.1:9093", "{note}");

    // a log line pushed to Loki is read back; a trace sent to Tempo's OTLP port is found, and
    // its generator's series arrive in Prometheus
    let line = format!("gstack compose live {}", now_ns());
    if present("loki") {
        let push = serde_json::json!({ "streams": [{ "stream": { "service": "cart" }, "values": [[now_ns().to_string(), line]] }] });
        assert_eq!(post_json("http://127.0.0.1:3100/loki/api/v1/push", &push), 204, "Loki push");
        wait_for(60, "the pushed log line", || loki_has(&line).then_some(()));
    }
    let trace_id = format!("{:032x}", now_ns());
    if present("tempo") {
        let start = now_ns();
        let body = serde_json::json!({ "resourceSpans": [{
            "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "cart" } }] },
            "scopeSpans": [{ "spans": [{
                "traceId": trace_id, "spanId": "0102030405060708", "name": "compose-live", "kind": 2,
                "startTimeUnixNano": start.to_string(), "endTimeUnixNano": (start + 1_000_000).to_string(),
            }] }],
        }] });
        assert_eq!(post_json("http://127.0.0.1:4318/v1/traces", &body), 200, "OTLP push");
        wait_for(90, "the pushed trace", || tempo_has(&trace_id).then_some(()));
        wait_for(120, "Tempo's span metrics in Prometheus", || {
            query_at("traces_spanmetrics_calls_total", now_secs()).filter(|r| !r.is_empty()).map(|_| ())
        });
    }

    // a silence and a sample, to find again after restarts
    let silence = serde_json::json!({ "matchers": [{ "name": "alertname", "value": "KeepMe", "isRegex": false, "isEqual": true }],
        "startsAt": "2026-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z", "createdBy": "test", "comment": "kept" });
    assert_eq!(post_json("http://127.0.0.1:9093/api/v2/silences", &silence), 200);
    let t0 = now_secs() - 5.0;
    let before = wait_for(60, "app series", || query_at("http_requests_total", t0).filter(|r| !r.is_empty()));

    let kept = |when: &str| {
        wait_ready("Prometheus", "http://127.0.0.1:9090/-/ready");
        wait_ready("Alertmanager", "http://127.0.0.1:9093/-/ready");
        let after = query_at("http_requests_total", t0).unwrap_or_default();
        assert_eq!(after, before, "series lost after {when}");
        let s = get_json("http://127.0.0.1:9093/api/v2/silences").unwrap();
        assert!(s.as_array().unwrap().iter().any(|x| x["comment"] == "kept"), "silence lost after {when}: {s}");
        if present("loki") {
            wait_ready("Loki", "http://127.0.0.1:3100/ready");
            wait_for(60, &format!("the log line after {when}"), || loki_has(&line).then_some(()));
        }
        if present("tempo") {
            wait_ready("Tempo", "http://127.0.0.1:3200/ready");
            wait_for(60, &format!("the trace after {when}"), || tempo_has(&trace_id).then_some(()));
        }
    };
    // Prometheus writes its WAL; Alertmanager keeps silences in snapshots on shutdown
    project.must(&["restart"]);
    kept("docker compose restart");
    project.must(&["down"]);
    project.must(&up);
    kept("docker compose down/up");

    // every container still up
    let ps = project.must(&["ps", "--format", "{{.Service}} {{.State}}"]);
    for s in run_services.iter().filter(|s| !s.ends_with("-env-secrets")) {
        assert!(ps.lines().any(|l| l == format!("{s} running")), "{s} not running:\n{ps}");
    }
}

fn loki_has(line: &str) -> bool {
    let start = now_ns() - 3_600_000_000_000;
    get_json(&format!("http://127.0.0.1:3100/loki/api/v1/query_range?query={}&limit=100&start={start}", urlencode("{service=\"cart\"}")))
        .is_some_and(|q| q.to_string().contains(line))
}

fn tempo_has(trace_id: &str) -> bool {
    get(&format!("http://127.0.0.1:3200/api/traces/{trace_id}")).is_some_and(|b| b.contains("compose-live"))
}

/// The images `tests/compose-images.sh` builds follow the contract `nix/image.nix` builds
/// with, and both read it from one place, `nix/components.nix`.
#[test]
fn stand_in_images_follow_the_nix_image_contract() {
    if skip_without(&["docker"]) {
        return;
    }
    let (ok, info) = docker(&["info"]);
    assert!(ok, "no Docker engine (run .ci/run):\n{info}");
    let image_nix = std::fs::read_to_string(root().join("nix/image.nix")).unwrap();
    let lib_nix = std::fs::read_to_string(root().join("nix/lib.nix")).unwrap();
    let script = std::fs::read_to_string(root().join("tests/compose-images.sh")).unwrap();
    assert!(lib_nix.contains("import ./components.nix") && image_nix.contains("spec.uid") && image_nix.contains("spec.dataDir"));
    assert!(script.contains("nix/components.nix"));

    let spec = contract();
    let mut refs = vec![];
    for (comp, s) in spec.as_object().unwrap() {
        if let Some(bin) = binary(comp, s["program"].as_str().unwrap()) {
            refs.push((comp.clone(), format!("gstack-contract/{}:test", s["package"].as_str().unwrap()), bin));
        }
    }
    build_images(&refs);
    for (comp, image, _) in &refs {
        let s = &spec[comp];
        let (ok, text) = docker(&["image", "inspect", image]);
        assert!(ok, "{text}");
        let cfg = &serde_json::from_str::<serde_json::Value>(&text).unwrap()[0]["Config"];
        assert_eq!(cfg["User"], format!("{}:{}", s["uid"], s["gid"]), "{comp}");
        assert_eq!(cfg["Entrypoint"], serde_json::json!([format!("/bin/{}", s["program"].as_str().unwrap())]), "{comp}");
        assert!(cfg["Env"].as_array().unwrap().iter().any(|e| e == "PATH=/bin"), "{comp}");
        for p in s["ports"].as_array().unwrap() {
            assert!(cfg["ExposedPorts"].get(format!("{p}/tcp")).is_some(), "{comp}: port {p}");
        }
        // the file system, with numeric owners
        let (ok, id) = docker(&["create", image]);
        assert!(ok, "{id}");
        let id = id.trim().to_string();
        let listing = Command::new("sh")
            .arg("-c")
            .arg(format!("docker export {id} | tar -tv --numeric-owner"))
            .output()
            .unwrap();
        docker(&["rm", "-v", &id]);
        let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
        let has = |path: &str| listing.lines().any(|l| l.ends_with(&format!(" {path}")) || l.ends_with(&format!(" {path}/")));
        assert!(has(&format!("bin/{}", s["program"].as_str().unwrap())), "{comp}:\n{listing}");
        assert!(!has("bin/sh"), "{comp} has a shell");
        assert_eq!(has("etc/ssl/certs/ca-certificates.crt"), s["cacert"] == true, "{comp}: CA certificates");
        assert_eq!(has("usr/share/zoneinfo"), s["tzdata"] == true, "{comp}: tzdata");
        if let Some(d) = s["dataDir"].as_str() {
            assert_eq!(cfg["WorkingDir"], d, "{comp}");
            let line = listing.lines().find(|l| l.ends_with(&format!(" {}/", &d[1..]))).unwrap_or_else(|| panic!("{comp}: no {d}"));
            assert!(line.contains(&format!(" {}/{} ", s["uid"], s["gid"])), "{comp}: {d} not owned by the user: {line}");
        }
        let passwd = Command::new("sh").arg("-c").arg(format!("docker run --rm --entrypoint /bin/{} {image} --version >/dev/null 2>&1; echo $?", s["program"].as_str().unwrap())).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&passwd.stdout).trim(), "0", "{comp}: the program does not run in its image");
        docker(&["rmi", image]);
    }
}

/// Alertmanager's `replicas = 3` on compose (issue #18): three services of one gossip cluster,
/// each on its own host name and volume, only the first published; every peer sees the
/// cluster of three, and the real Prometheus sends to all three (its
/// `/api/v1/alertmanagers`). Delivery once per alert is shown on the native target
/// (`alertmanager_live.rs`).
#[test]
fn alertmanager_peers_form_one_cluster_on_docker() {
    if skip_without(&["docker"]) {
        return;
    }
    let _engine = ENGINE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new("compose-ha");
    let (am, prom) = (free_port(), free_port());
    let src = dir.path().join("ha.gstack");
    std::fs::write(
        &src,
        format!(
            "stack ha {{\n  prometheus {{ port = {prom} }}\n  alertmanager {{\n    port = {am}\n    replicas = 3\n    receiver r {{ webhook = \"http://host.docker.internal:9/hook\" }}\n  }}\n}}\ntarget compose {{}}\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "compose"]);
    let file = out.join("compose/docker-compose.yaml");
    let doc: serde_json::Value = serde_norway::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let services = doc["services"].as_object().unwrap();
    let names: Vec<&String> = services.keys().collect();
    assert_eq!(names, ["alertmanager", "alertmanager-1", "alertmanager-2", "prometheus"]);
    // only the first peer is published (one host port each)
    assert!(services["alertmanager-1"].get("ports").is_none() && services["alertmanager"]["ports"].is_array());
    let spec = contract();
    let images: Vec<(String, String, PathBuf)> = ["alertmanager", "prometheus"]
        .iter()
        .map(|c| (c.to_string(), services[*c]["image"].as_str().unwrap().to_string(), binary(c, spec[*c]["program"].as_str().unwrap()).unwrap()))
        .collect();
    build_images(&images);
    let project = Project { name: format!("gstack-ha-{}", std::process::id()), file, env: vec![] };
    project.must(&["up", "-d", "--pull", "never"]);
    wait_ready("Alertmanager", &format!("http://127.0.0.1:{am}/-/ready"));
    wait_for(120, "a cluster of 3 Alertmanager peers", || {
        let s = get_json(&format!("http://127.0.0.1:{am}/api/v2/status"))?;
        (s["cluster"]["status"] == "ready" && s["cluster"]["peers"].as_array()?.len() == 3).then_some(())
    });
    wait_ready("Prometheus", &format!("http://127.0.0.1:{prom}/-/ready"));
    let active = wait_for(120, "Prometheus sending to 3 Alertmanagers", || {
        let a = get_json(&format!("http://127.0.0.1:{prom}/api/v1/alertmanagers"))?;
        let v = a["data"]["activeAlertmanagers"].as_array()?.clone();
        (v.len() == 3).then_some(v)
    });
    eprintln!("compose: 3 Alertmanager peers in one cluster, Prometheus sends to {active:?}");
}
