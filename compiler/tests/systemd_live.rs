//! The systemd target under a real systemd: a Debian bookworm root with systemd as PID 1 in a
//! container (built once by `tests/systemd-image.sh`, cached by name), the stack's units
//! installed by the generated `systemd/install`, then through the programs' HTTP APIs on the
//! host (the container shares the host's network): every unit active and ready, every
//! Prometheus target up, a series and a silence kept across `systemctl restart`, and
//! `systemd-analyze security` at or below 2.0 for every unit as loaded. Prometheus,
//! Alertmanager and node_exporter run (CI installs them); Grafana, Loki and Tempo join when
//! `GSTACK_GRAFANA_BIN` / `GSTACK_LOKI_BIN` / `GSTACK_TEMPO_BIN` name their binaries.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

/// A running systemd container; removed on drop.
struct Container(String);
impl Container {
    fn start(image: &str) -> Container {
        let name = format!("gstack-systemd-{}-{}", std::process::id(), free_port());
        let (ok, text) = run(Command::new("docker").args(["run", "-d", "--name", &name, "--network", "host"]).args([
            // what runs systemd as PID 1 on this kind of machine (`--privileged` fails: the
            // VM's bounding set lacks CAP_SYS_RESOURCE)
            "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--cap-add", "SYS_PTRACE",
            "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
            "--tmpfs", "/run", "--tmpfs", "/run/lock", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--cgroupns=host",
            image, "/sbin/init",
        ]));
        assert!(ok, "docker run {image}:\n{text}");
        let c = Container(name);
        wait_for(60, "systemd running in the container", || {
            let (_, state) = c.exec_status(&["systemctl", "is-system-running"]);
            matches!(state.trim(), "running" | "degraded").then_some(())
        });
        c
    }
    fn exec_status(&self, args: &[&str]) -> (bool, String) {
        run(Command::new("docker").arg("exec").arg(&self.0).args(args))
    }
    fn exec(&self, args: &[&str]) -> String {
        let (ok, text) = self.exec_status(args);
        assert!(ok, "in the container: {args:?}:\n{text}");
        text
    }
    fn sh(&self, script: &str) -> String {
        self.exec(&["bash", "-c", script])
    }
    fn copy(&self, from: &Path, to: &str) {
        let (ok, text) = run(Command::new("docker").arg("cp").arg(from).arg(format!("{}:{to}", self.0)));
        assert!(ok, "docker cp {} {to}:\n{text}", from.display());
    }
}
impl Drop for Container {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // what the units said, for the failure report
            if let Ok(o) = Command::new("docker").args(["exec", &self.0, "journalctl", "--no-pager", "-n", "80"]).output() {
                eprintln!("journal of {}:\n{}", self.0, String::from_utf8_lossy(&o.stdout));
            }
        }
        let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
    }
}

/// The image, built by the one script (once; later runs reuse it by name).
fn image() -> String {
    require("docker");
    let t0 = std::time::Instant::now();
    let o = Command::new("bash").arg(root().join("tests/systemd-image.sh")).output().expect("run tests/systemd-image.sh");
    let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "tests/systemd-image.sh:\n{stdout}{stderr}");
    eprint!("{stderr}");
    let image = stdout.lines().last().expect("the image's name").trim().to_string();
    println!("systemd image {image} ready in {:.1}s", t0.elapsed().as_secs_f64());
    image
}

/// POST a JSON body; the JSON it answers with.
fn post_for_json(url: &str, body: &serde_json::Value) -> Option<serde_json::Value> {
    let mut r = ureq::post(url).header("content-type", "application/json").send(body.to_string()).ok()?;
    serde_json::from_str(&r.body_mut().read_to_string().ok()?).ok()
}

fn score(c: &Container, user: Option<&str>, unit: &str) -> f64 {
    let text = match user {
        None => c.exec(&["systemd-analyze", "security", "--no-pager", unit]),
        Some(u) => c.exec(&["runuser", "-u", u, "--", "env", "XDG_RUNTIME_DIR=/run/user/1000", "systemd-analyze", "--user", "security", "--no-pager", unit]),
    };
    let line = text.lines().find(|l| l.contains("Overall exposure level")).unwrap_or_else(|| panic!("no score:\n{text}"));
    line.split(':').nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap()
}

/// One systemd container at a time: two of them with the host's cgroup namespace manage the
/// same cgroup tree, and one's manager was seen re-executing on a SIGTERM during the other's
/// run.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn live(user: bool) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let bins: Vec<(&str, std::path::PathBuf)> =
        ["prometheus", "alertmanager", "node_exporter"].iter().map(|p| (*p, require(p))).collect();
    for v in ["GSTACK_GRAFANA_BIN", "GSTACK_LOKI_BIN", "GSTACK_TEMPO_BIN"] {
        if std::env::var_os(v).is_none() {
            println!("note: {} is not part of the systemd run: {v} is not set", v.trim_start_matches("GSTACK_").trim_end_matches("_BIN"));
        } else {
            // TODO(#12): Grafana, Loki and Tempo under systemd
            println!("note: {v} is set, but the systemd run does not yet start that program");
        }
    }
    let image = image();
    let t0 = std::time::Instant::now();
    let dir = TempDir::new(if user { "sdlive-user" } else { "sdlive-system" });
    let mut ports: Vec<u16> = vec![];
    while ports.len() < 3 {
        let p = free_port();
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    let (pp, ap, np) = (ports[0], ports[1], ports[2]);
    let bin_map: Vec<String> = bins.iter().map(|(p, _)| format!("{p} = \"/usr/local/bin/{p}\"")).collect();
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
  }}
  alertmanager {{
    port = {ap}
    receiver oncall {{ webhook = secret.env("ONCALL_URL") }}
    route {{ receiver = oncall }}
  }}
  node_exporter {{ port = {np} }}
}}

alert AlwaysFiring {{
  expr    = promql`vector(1)`
  summary = "test alert"
}}

target systemd {{
  user = {user}
  bin = {{ {bins} }}
}}
"#,
            bins = bin_map.join(", ")
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "systemd"]);

    let c = Container::start(&image);
    // the programs are linked against glibc only; the container's (bookworm) is this host's
    for (p, path) in &bins {
        c.copy(path, &format!("/usr/local/bin/{p}"));
        c.exec(&[&format!("/usr/local/bin/{p}"), "--version"]);
    }
    c.copy(&out.join("systemd"), "/opt/gstack-systemd");
    let units = ["alertmanager", "prometheus", "node-exporter"].map(|u| format!("gstack-live-{u}.service"));
    let ctl = |args: &str| -> String {
        if user {
            c.sh(&format!("runuser -u gs -- env XDG_RUNTIME_DIR=/run/user/1000 systemctl --user {args}"))
        } else {
            c.sh(&format!("systemctl {args}"))
        }
    };
    if user {
        // a user with a running user manager (lingering), owning the output it installs
        c.sh("useradd -m -u 1000 gs && chown -R gs: /opt/gstack-systemd && loginctl enable-linger gs");
        wait_for(30, "the user manager", || c.exec_status(&["test", "-S", "/run/user/1000/systemd/private"]).0.then_some(()));
        c.sh("runuser -u gs -- sh -c 'umask 077; mkdir -p ~/.config/gstack/live && echo ONCALL_URL=http://127.0.0.1:9/hook > ~/.config/gstack/live/secrets.env'");
        c.sh("runuser -u gs -- env XDG_RUNTIME_DIR=/run/user/1000 /opt/gstack-systemd/install");
    } else {
        c.sh("install -d -m 755 /etc/gstack/live && (umask 077; echo ONCALL_URL=http://127.0.0.1:9/hook > /etc/gstack/live/secrets.env)");
        c.exec(&["/opt/gstack-systemd/install"]);
    }
    println!("install done {:.1}s after the image", t0.elapsed().as_secs_f64());

    // every unit active (the readiness probe of ExecStartPost= has passed), every endpoint ready
    for u in &units {
        assert_eq!(ctl(&format!("is-active {u}")).trim(), "active", "{u}");
    }
    let prom = format!("http://127.0.0.1:{pp}");
    let am = format!("http://127.0.0.1:{ap}");
    for url in [format!("{prom}/-/ready"), format!("{am}/-/ready"), format!("http://127.0.0.1:{np}/metrics")] {
        wait_for(30, &url, || get(&url));
    }
    // node_exporter measures the machine: /proc is whole (no `ProcSubset=pid`) and `adjtimex`
    // is allowed (`timex`), so its collectors of the host's state succeed
    let metrics = get(&format!("http://127.0.0.1:{np}/metrics")).unwrap();
    for collector in ["cpu", "meminfo", "loadavg", "netdev", "timex", "filefd"] {
        let line = format!("node_scrape_collector_success{{collector=\"{collector}\"}} 1");
        assert!(metrics.contains(&line), "node_exporter's {collector} collector failed under the unit");
    }

    println!("units active and ready {:.1}s after the image", t0.elapsed().as_secs_f64());
    // every scrape target up
    let targets = wait_for(60, "all scrape targets up", || {
        let t = get_json(&format!("{prom}/api/v1/targets"))?;
        let active = t["data"]["activeTargets"].as_array()?.clone();
        (active.len() == 3 && active.iter().all(|a| a["health"] == "up")).then_some(active)
    });
    let mut jobs: Vec<&str> = targets.iter().map(|t| t["labels"]["job"].as_str().unwrap()).collect();
    jobs.sort();
    assert_eq!(jobs, ["alertmanager", "node", "prometheus"]);
    println!("targets up {:.1}s after the image", t0.elapsed().as_secs_f64());
    // the alert reaches Alertmanager (whose config names the secret written from secrets.env)
    wait_for(60, "AlwaysFiring in Alertmanager", || {
        let alerts = get_json(&format!("{am}/api/v2/alerts"))?;
        alerts.as_array()?.iter().any(|a| a["labels"]["alertname"] == "AlwaysFiring").then_some(())
    });

    println!("alert in Alertmanager {:.1}s after the image", t0.elapsed().as_secs_f64());
    // data survives `systemctl restart`: a sample and a silence
    let t_before = wait_for(30, "a scraped sample", || {
        let q = get_json(&format!("{prom}/api/v1/query?query=up%7Bjob%3D%22node%22%7D"))?;
        q["data"]["result"][0]["value"][0].as_f64()
    });
    let silence = post_for_json(
        &format!("{am}/api/v2/silences"),
        &serde_json::json!({
            "matchers": [{ "name": "alertname", "value": "AlwaysFiring", "isRegex": false }],
            "startsAt": "2020-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z",
            "createdBy": "systemd_live", "comment": "kept across restarts",
        }),
    )
    .expect("create a silence");
    let id = silence["silenceID"].as_str().unwrap().to_string();
    let before: Vec<String> = units.iter().map(|u| ctl(&format!("show -P MainPID {u}")).trim().to_string()).collect();
    let t_restart = std::time::Instant::now();
    ctl(&format!("restart {}", units.join(" ")));
    println!("systemctl restart took {:.1}s", t_restart.elapsed().as_secs_f64());
    let after: Vec<String> = units.iter().map(|u| ctl(&format!("show -P MainPID {u}")).trim().to_string()).collect();
    for ((u, b), a) in units.iter().zip(&before).zip(&after) {
        assert_ne!(b, a, "{u} was not restarted");
        assert_eq!(ctl(&format!("is-active {u}")).trim(), "active", "{u} after restart");
    }
    wait_for(30, "prometheus ready again", || get(&format!("{prom}/-/ready")));
    let q = get_json(&format!("{prom}/api/v1/query?query=up%7Bjob%3D%22node%22%7D&time={t_before}")).unwrap();
    assert_eq!(q["data"]["result"].as_array().map(|a| a.len()), Some(1), "series from before the restart: {q}");
    let s = wait_for(30, "the silence after the restart", || get_json(&format!("{am}/api/v2/silence/{id}")));
    assert_eq!(s["status"]["state"], "active", "{s}");

    // the units as systemd loaded them score low
    for u in &units {
        let sc = score(&c, user.then_some("gs"), u);
        println!("{u} ({}): exposure {sc}", if user { "user" } else { "system" });
        // node-exporter as a user unit: it measures the host (all of /proc, adjtimex), and a
        // user manager can neither give it a dynamic user nor remount /sys/fs/cgroup
        let limit = if user && u.contains("node-exporter") { 2.2 } else { 2.0 };
        assert!(sc <= limit, "{u}: exposure {sc} > {limit}");
    }
    println!("systemd run ({}) took {:.1}s after the image", if user { "user" } else { "system" }, t0.elapsed().as_secs_f64());
}

#[test]
fn system_units_run_under_systemd() {
    if skip_without(&["docker"]) {
        return;
    }
    live(false);
}

/// User units (`target systemd { user = true }`, the bundled example's) under a real user
/// manager: each runs with `PrivateUsers=yes`, in a user namespace where the manager may set up
/// the mount namespace and drop the capability bounding set (without it: "Failed to set up
/// mount namespacing" and "Failed to drop capabilities").
#[test]
fn user_units_run_under_systemd() {
    if skip_without(&["docker"]) {
        return;
    }
    live(true);
}
