//! Issue #14: every emitter encodes what it writes, so that the program reading a generated
//! file sees exactly the source string — or `gstackc build` refuses the value, naming it.
//! Each test compiles hostile values with the real `gstackc` and reads the output back the
//! way its reader does: `systemd-analyze verify` plus a parser following systemd.syntax(7) /
//! systemd.service(5); a go-ini reader (default options, as Grafana loads `grafana.ini`);
//! `kubectl kustomize` and bash for the kustomization header; Grafana's provisioning
//! interpolation; `docker compose config`; drone/envsubst's rules for Loki and Tempo.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Build `src`; Ok(out dir) or Err(stderr). Nothing may be written on failure.
fn build(dir: &TempDir, src: &str, extra: &[&str]) -> Result<PathBuf, String> {
    let file = dir.path().join("h.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .arg("build")
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    if o.status.success() {
        Ok(out)
    } else {
        assert!(!out.exists(), "a failed build wrote files:\n{stderr}");
        Err(stderr)
    }
}

fn refused(src: &str, field: &str) {
    let dir = TempDir::new("inj-refuse");
    let err = build(&dir, src, &[])
        .err()
        .unwrap_or_else(|| panic!("built, but {field} should be refused:\n{src}"));
    // refused by the checker at the value (the field has a grammar: E0204 names the field),
    // or by the emitter that cannot write it (the build names the field)
    let by_checker = err.contains("E0204")
        && (err.contains(&format!("`{}`", field.rsplit('.').next().unwrap()))
            || (field == "secret.file" && err.contains("secret file path"))
            || (field == "datasource uid" && err.contains("datasource uid")));
    assert!(
        by_checker || (err.contains("cannot write") && err.contains(field)),
        "the refusal does not name {field}:\n{err}"
    );
    // `gstackc check` refuses what `build` refuses, with the same code, at a place in the file
    let (ok, diags) = check_json(&dir, src);
    assert!(!ok, "built is refused, but check passes {field}:\n{src}");
    let code = if by_checker { "E0204" } else { "E0212" };
    assert!(
        diags.iter().any(|d| d["code"] == code && d["location"]["span"].is_object()),
        "check gives no located {code} for {field}: {diags:?}"
    );
}

/// `gstackc check --message-format json` of `src`: (exit 0?, the diagnostics).
fn check_json(dir: &TempDir, src: &str) -> (bool, Vec<Value>) {
    let file = dir.path().join("c.gstack");
    std::fs::write(&file, src).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc"))
        .args(["check", "--message-format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let diags: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    (o.status.success(), diags)
}

#[test]
fn a_refused_value_is_an_error_at_its_field_in_check_and_build() {
    let from = "a\n[x]\nk = v";
    let src = format!(
        "stack s {{\n  prometheus {{}}\n  grafana {{\n    smtp = {{ host = \"smtp.example.com:587\", from_address = {}, from_name = \"ops\" }}\n    settings {{ server.domain = \"$__env{{HOME}}\" }}\n  }}\n}}\ntarget native {{}}\n",
        serde_json::to_string(from).unwrap()
    );
    let dir = TempDir::new("inj-located");
    let (ok, diags) = check_json(&dir, &src);
    assert!(!ok);
    let at = |needle: &str| -> String {
        let d = diags
            .iter()
            .find(|d| d["code"] == "E0212" && d["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no E0212 naming {needle}: {diags:?}"));
        assert!(d["hint"].is_string(), "{d}");
        let (a, b) = (d["location"]["span"]["start"].as_u64().unwrap() as usize, d["location"]["span"]["end"].as_u64().unwrap() as usize);
        src[a..b].to_string()
    };
    // each error covers the value as written
    assert_eq!(at("grafana.smtp.from_address"), serde_json::to_string(from).unwrap());
    assert_eq!(at("grafana.settings.server.domain"), "\"$__env{HOME}\"");
    assert_eq!(diags.len(), 2, "{diags:?}");
    // build gives the same errors and writes nothing
    let err = build(&dir, &src, &[]).unwrap_err();
    assert_eq!(err.matches("E0212").count(), 2, "{err}");
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

// ---------------------------------------------------------------- systemd


/// `$$` → `$` (ExecStart= expands `$VAR`; the test values hold only escaped ones).
fn dollars(s: &str) -> String {
    assert!(
        !s.replace("$$", "").contains('$') || s.contains("${GSTACK_"),
        "an unescaped $ reaches ExecStart=: {s:?}"
    );
    s.replace("$$", "$")
}

fn systemd_src(
    version: &str,
    data_dir: &str,
    collector: &str,
    setting: &str,
    secret: &str,
) -> String {
    format!(
        "stack h {{\n  grafana {{ version = {v}, secret_key = secret.file({sec}) }}\n  node_exporter {{ collectors = [{c}], settings {{ collector.textfile.directory = {s} }} }}\n}}\ntarget systemd {{ data_dir = {d} }}\n",
        v = lit(version),
        sec = lit(secret),
        c = lit(collector),
        s = lit(setting),
        d = lit(data_dir)
    )
}

#[test]
fn systemd_values_that_cannot_be_written_are_refused() {
    let ok = ("12.0", "/var/lib/x", "cpu", "/t", "/run/secrets/k");
    let (v, d, c, s, k) = ok;
    refused(
        &systemd_src("12.0\n[Service]\nUser=root", d, c, s, k),
        "grafana.version",
    );
    refused(&systemd_src("12.0\\", d, c, s, k), "grafana.version");
    refused(
        &systemd_src(v, "/var/x\n[Install]", c, s, k),
        "target.systemd.data_dir",
    );
    refused(
        &systemd_src(v, d, c, s, "/run/k\n[X]\nExecStart=/bin/evil"),
        "secret.file",
    );
    let uid = "stack h {\n  grafana {}\n}\ndatasource ds { type = postgres, url = \"db:5432\", uid = \"a\\nb\", password = secret.file(\"/run/p\") }\ntarget systemd {}\n";
    // a datasource uid has Grafana's uid grammar: the checker refuses it (E0204)
    refused(uid, "datasource uid");
}

#[test]
fn systemd_units_carry_hostile_values_exactly() {
    if skip_without(&["systemd-analyze"]) {
        return;
    }
    let sa = require("systemd-analyze");
    // `version` and collector names have a grammar (refused by the checker, see
    // systemd_values_that_cannot_be_written_are_refused); the free-text values are hostile
    let version = "12.0";
    let data_dir = "/var/lib/x y%h";
    let collector = "cpu.freq_x";
    let setting = "/a b%i$HOME ${X}'q' \"d\" ; \\";
    let secret = "/run/secrets/k%h w";
    let dir = TempDir::new("inj-systemd");
    // `verify` checks that the binaries exist
    let bins = serde_json::json!({ "targets": { "systemd": { "bin": { "grafana": "/usr/bin/env", "node_exporter": "/usr/bin/env" } } } });
    std::fs::write(dir.path().join("o.json"), bins.to_string()).unwrap();
    let o = dir.path().join("o.json");
    let out = build(
        &dir,
        &systemd_src(version, data_dir, collector, setting, secret),
        &["--target", "systemd", "--overrides", o.to_str().unwrap()],
    )
    .unwrap();
    let units: Vec<PathBuf> = [
        "gstack-h-grafana.service",
        "gstack-h-node-exporter.service",
        "gstack-h.target",
    ]
    .iter()
    .map(|u| out.join("systemd").join(u))
    .collect();
    let runtime = dir.path().join("xdg");
    std::fs::create_dir_all(&runtime).unwrap();
    let (ok, text) = run(Command::new(&sa)
        .arg("verify")
        .arg("--man=no")
        .args(&units)
        .env("XDG_RUNTIME_DIR", &runtime));
    assert!(
        ok && text.trim().is_empty(),
        "systemd-analyze verify:\n{text}"
    );

    for u in &units {
        let text = read(u);
        let sections: BTreeSet<String> = text
            .lines()
            .filter(|l| l.trim_start().starts_with('['))
            .map(|l| l.trim().to_string())
            .collect();
        let allowed: BTreeSet<String> = ["[Unit]", "[Service]", "[Install]"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(
            sections.is_subset(&allowed),
            "{}: sections {sections:?}\n{text}",
            u.display()
        );
        let settings = unit_settings(&text);
        let get = |k: &str| {
            settings
                .iter()
                .filter(|(_, key, _)| key == k)
                .map(|(s, _, v)| (s.clone(), v.clone()))
                .collect::<Vec<_>>()
        };
        // the hardening is still in [Service]
        assert!(
            u.extension().unwrap() == "target"
                || get("ProtectSystem")
                    .iter()
                    .any(|(s, v)| s == "Service" && v == "strict"),
            "{text}"
        );
        if u.ends_with("gstack-h-node-exporter.service") {
            let (_, exec) = &get("ExecStart")[0];
            let args: Vec<String> = sd_words(&specifiers(exec))
                .iter()
                .map(|w| dollars(w))
                .collect();
            assert!(
                args.contains(&format!("--collector.{collector}")),
                "{args:?}"
            );
            assert!(
                args.contains(&format!("--collector.textfile.directory={setting}")),
                "{args:?}"
            );
            let env: Vec<String> = get("Environment")
                .iter()
                .flat_map(|(_, v)| sd_words(&specifiers(v)))
                .collect();
            assert!(env.contains(&format!("GSTACK_DATA={data_dir}")), "{env:?}");
            let rw: Vec<String> = get("ReadWritePaths")
                .iter()
                .flat_map(|(_, v)| sd_words(&specifiers(v)))
                .collect();
            assert_eq!(rw, vec![data_dir.to_string()]);
        }
        if u.ends_with("gstack-h-grafana.service") {
            let (_, d) = &get("Description")[0];
            assert_eq!(specifiers(d), format!("gstack h: grafana {version}"));
            let (_, cred) = &get("LoadCredential")[0];
            assert_eq!(specifiers(cred), format!("secret-key:{secret}"));
        }
    }
}

// ---------------------------------------------------------------- grafana.ini


fn grafana_src(settings: &[(&str, &str)]) -> String {
    let body: Vec<String> = settings
        .iter()
        .map(|(k, v)| format!("{k} = {}", lit(v)))
        .collect();
    format!(
        "stack h {{\n  grafana {{\n    settings {{ {} }}\n  }}\n}}\ntarget native {{}}\n",
        body.join(", ")
    )
}

#[test]
fn grafana_ini_values_read_back_exactly() {
    let hostile: &[(&str, &str)] = &[
        ("server.root_url", "http://x/#frag;x"),
        ("users.login_hint", "  \"quoted\"  "),
        ("auth.anonymous.org_name", "ends with a backslash\\"),
        ("smtp.from_name", "'single'"),
        ("smtp.ehlo_identity", "`tick"),
        ("log.filters", "a \"\"\" b"),
    ];
    let dir = TempDir::new("inj-ini");
    let out = build(&dir, &grafana_src(hostile), &["--target", "native"]).unwrap();
    let text = read(&out.join("native/config/grafana/grafana.ini"));
    let read = go_ini(&text);
    let sections: BTreeSet<&str> = read.iter().map(|(s, _, _)| s.as_str()).collect();
    let expected: BTreeSet<&str> = [
        "analytics",
        "auth.anonymous",
        "log",
        "paths",
        "security",
        "server",
        "smtp",
        "users",
    ]
    .into();
    assert_eq!(sections, expected, "{text}");
    for (path, v) in hostile {
        let (s, k) = path.rsplit_once('.').unwrap();
        let got: Vec<&String> = read
            .iter()
            .filter(|(sec, key, _)| sec == s && key == k)
            .map(|(_, _, v)| v)
            .collect();
        assert_eq!(got, vec![*v], "{path} in\n{text}");
    }
    // benign values stay as they were
    assert!(text.contains("\nreporting_enabled = false\n"), "{text}");
}

#[test]
fn grafana_ini_values_that_cannot_be_written_are_refused() {
    refused(
        &grafana_src(&[("auth.x", "a\n[auth.anonymous]\nenabled = true")]),
        "grafana.settings.auth.x",
    );
    refused(
        &grafana_src(&[("server.root_url", "$__file{/etc/passwd}")]),
        "grafana.settings.server.root_url",
    );
    refused(
        &grafana_src(&[("server.domain", "${HOME}")]),
        "grafana.settings.server.domain",
    );
    // keys the language cannot spell, through an overrides file
    for (settings, field) in [
        (
            serde_json::json!({ "auth": { "a=b": "x" } }),
            "grafana.settings.auth.a=b",
        ),
        (
            serde_json::json!({ "x]y": { "k": "v" } }),
            "grafana.settings.x]y",
        ),
    ] {
        let dir = TempDir::new("inj-ini-keys");
        let o = dir.path().join("o.json");
        std::fs::write(
            &o,
            serde_json::json!({ "stack": { "grafana": { "settings": settings } } }).to_string(),
        )
        .unwrap();
        let err = build(
            &dir,
            &grafana_src(&[]),
            &["--overrides", o.to_str().unwrap()],
        )
        .unwrap_err();
        assert!(err.contains("cannot write") && err.contains(field), "{err}");
    }
}

// ---------------------------------------------------------------- kubernetes

#[test]
fn kustomization_header_is_comments_and_commands_are_exact() {
    // a newline in a path is refused by the checker (E0204); everything else is carried
    let newline = format!(
        "stack h {{\n  grafana {{ secret_key = secret.file({}) }}\n}}\ntarget kubernetes {{}}\n",
        lit("/run/secrets/a\nnamespace: evil")
    );
    let err = build(&TempDir::new("inj-k8s-nl"), &newline, &["--target", "kubernetes"]).unwrap_err();
    assert!(err.contains("E0204") && err.contains("secret file path"), "{err}");
    let path = "/run/secrets/a b'c $(touch evil) `id` namespace: evil";
    let src = format!(
        "stack h {{\n  grafana {{ secret_key = secret.file({}), admin = {{ user = \"admin\", password = secret.env(\"GF_PW\") }} }}\n}}\ntarget kubernetes {{}}\n",
        lit(path)
    );
    let dir = TempDir::new("inj-k8s");
    let out = build(&dir, &src, &["--target", "kubernetes"]).unwrap();
    let file = out.join("kubernetes/kustomization.yaml");
    let text = read(&file);
    let header: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("apiVersion"))
        .collect();
    assert!(header.iter().all(|l| l.starts_with('#')), "{text}");
    assert!(
        !text.contains("--from-literal"),
        "a secret value on a command line:\n{text}"
    );
    let doc: Value = serde_norway::from_str(&text).unwrap();
    let keys: BTreeSet<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["apiVersion", "kind", "resources"].into(), "{text}");
    if let Some(kubectl) = which("kubectl") {
        let (ok, out) = run(Command::new(kubectl)
            .arg("kustomize")
            .arg(out.join("kubernetes")));
        assert!(ok, "kubectl kustomize:\n{out}");
        assert!(!out.contains("evil"), "{out}");
    }
    // bash reads each command back: kubectl gets the path and the variable's value exactly
    let cmd = header
        .iter()
        .find(|l| l.contains("create secret"))
        .unwrap()
        .trim_start_matches('#')
        .trim();
    let script = format!(
        "kubectl() {{ for a in \"$@\"; do case \"$a\" in --from-file=*=/dev/fd/*) printf 'fd:%s\\0' \"$(cat \"${{a##*=}}\")\";; *) printf '%s\\0' \"$a\";; esac; done; }}\n{cmd}\n"
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("GF_PW", "pw with $ and 'quotes'")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let args: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .split('\0')
        .map(str::to_string)
        .collect();
    assert!(
        args.contains(&format!("--from-file=secret-key={path}")),
        "{args:?}"
    );
    assert!(
        args.contains(&"fd:pw with $ and 'quotes'".to_string()),
        "{args:?}"
    );
}

// ---------------------------------------------------------------- `$` expansion


const HOSTILE: [&str; 3] = ["$__file{/etc/passwd}", "$HOME", "${X}"];

#[test]
fn grafana_provisioning_reads_plain_strings_exactly() {
    let src = format!(
        "stack h {{\n  grafana {{}}\n}}\ndatasource ds {{ type = postgres, url = {}, user = {}, database = {}, settings {{ sslmode = {} }} }}\ndashboard d {{ title = \"d\", folder = {} }}\ntarget native {{}}\n",
        lit(HOSTILE[0]),
        lit(HOSTILE[1]),
        lit(HOSTILE[2]),
        lit("a$$b"),
        lit("$HOME folder")
    );
    let dir = TempDir::new("inj-prov");
    let out = build(&dir, &src, &["--target", "native"]).unwrap();
    let ds: Value = serde_norway::from_str(&read(
        &out.join("native/config/grafana/provisioning/datasources/stack.yaml"),
    ))
    .unwrap();
    let d = ds["datasources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "ds")
        .unwrap();
    let g = |v: &Value| grafana_interpolate(v.as_str().unwrap());
    assert_eq!(g(&d["url"]), HOSTILE[0]);
    assert_eq!(g(&d["user"]), HOSTILE[1]);
    assert_eq!(g(&d["database"]), HOSTILE[2]);
    assert_eq!(g(&d["jsonData"]["database"]), HOSTILE[2]);
    assert_eq!(g(&d["jsonData"]["sslmode"]), "a$$b");
    let dp: Value = serde_norway::from_str(&read(
        &out.join("native/config/grafana/provisioning/dashboards/stack.yaml"),
    ))
    .unwrap();
    assert!(
        dp["providers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| g(&p["folder"]) == "$HOME folder"),
        "{dp}"
    );
}

#[test]
fn compose_reads_plain_strings_exactly() {
    if skip_without(&["docker-compose"]) {
        return;
    }
    let compose = require("docker-compose");
    let src = format!("stack h {{\n  grafana {{ version = {} }}\n  node_exporter {{ settings {{ collector.textfile.directory = {} }} }}\n}}\ntarget compose {{}}\n", lit("12.0"), lit("/t/$HOME/${X}/$$"));
    let dir = TempDir::new("inj-compose");
    let out = build(&dir, &src, &["--target", "compose"]).unwrap();
    let (ok, text) = run(Command::new(&compose)
        .arg("-f")
        .arg(out.join("compose/docker-compose.yaml"))
        .args(["config", "--format", "json"])
        .env("HOME", "/home/evil")
        .env("X", "evil"));
    assert!(ok, "docker compose config:\n{text}");
    let start = text.find('{').unwrap();
    let doc: Value = serde_json::from_str(&text[start..]).unwrap_or_else(|e| panic!("{e}: {text}"));
    // `config` prints the interpolated model re-escaped (a literal `$` as `$$`, while an
    // unescaped `$HOME` would print as /home/evil): undo that to get what the program gets
    let cmd: Vec<String> = doc["services"]["node-exporter"]["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().replace("$$", "$"))
        .collect();
    assert!(!text.contains("evil"), "{text}");
    assert!(
        cmd.contains(&"--collector.textfile.directory=/t/$HOME/${X}/$$".to_string()),
        "{cmd:?}"
    );
}

#[test]
fn loki_and_tempo_refuse_what_envsubst_would_rewrite() {
    for (prog, extra) in [("loki", ""), ("tempo", "")] {
        for v in HOSTILE
            .iter()
            .skip(2)
            .chain(["$$x", "a\\/b", "${GSTACK_DATA}"].iter())
        {
            let src = format!("stack h {{\n  {prog} {{ settings {{ server.x = {} }} {extra} }}\n}}\ntarget native {{}}\n", lit(v));
            refused(&src, &format!("{prog}.settings.server"));
        }
        // a lone `$` is not expanded, and stays
        let dir = TempDir::new("inj-envsubst");
        let src = format!(
            "stack h {{\n  {prog} {{ settings {{ server.x = {} }} }}\n}}\ntarget native {{}}\n",
            lit("cost $5 $HOME")
        );
        let out = build(&dir, &src, &["--target", "native"]).unwrap();
        assert!(
            read(&out.join(format!("native/config/{prog}/{prog}.yaml"))).contains("cost $5 $HOME")
        );
    }
}

// ---------------------------------------------------------------- kubelet expansion


#[test]
fn kubelet_reads_container_args_exactly() {
    let setting = "/x $(HOSTNAME) $$ ${X} $Y $(";
    let src = format!(
        "stack h {{\n  prometheus {{}}\n  grafana {{}}\n  node_exporter {{ settings {{ collector.textfile.directory = {} }} }}\n}}\ntarget kubernetes {{}}\n",
        lit(setting)
    );
    let dir = TempDir::new("inj-kubelet");
    let out = build(&dir, &src, &["--target", "kubernetes"]).unwrap();
    let text = read(&out.join("kubernetes/node-exporter.yaml"));
    let docs: Vec<serde_json::Value> = text
        .split("\n---\n")
        .map(|d| d.trim_start_matches("---\n"))
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_norway::from_str(d).unwrap())
        .collect();
    let pod = docs.iter().find(|d| d["kind"] == "DaemonSet" || d["kind"] == "Deployment" || d["kind"] == "StatefulSet").expect("a workload");
    let args: Vec<String> = pod["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| kubelet_expand(a.as_str().unwrap(), &[("HOSTNAME", "evil")]))
        .collect();
    assert!(args.contains(&format!("--collector.textfile.directory={setting}")), "{args:?}");
}


/// Prometheus expands environment variables in `global.external_labels` values when it loads
/// its config: the real Prometheus reports exactly the source's value, `$` and all.
#[test]
fn prometheus_external_labels_read_back_exactly() {
    let prometheus = require("prometheus");
    let dir = TempDir::new("extlabels");
    let value = "a$HOME b${PATH} c$$ d$";
    let port = free_port();
    let out = build(
        &dir,
        &format!("stack s {{ prometheus {{ port = {port}, external_labels = {{ site = {} }} }} }}\ntarget native {{}}\n", lit(value)),
        &["--target", "native"],
    )
    .unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let cfg = out.join("native/config/prometheus/prometheus.yml");
    let mut child = Command::new(&prometheus)
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let got = std::panic::catch_unwind(|| {
        wait_for(60, "Prometheus' flags and config", || {
            let c = get_json(&format!("http://127.0.0.1:{port}/api/v1/status/config"))?;
            let yaml: serde_json::Value = serde_norway::from_str(c["data"]["yaml"].as_str()?).ok()?;
            yaml["global"]["external_labels"]["site"].as_str().map(str::to_string)
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(got.unwrap(), value);
}

/// The Alertmanager fields this change adds carry any string exactly: an e-mail sender and a
/// route's and an inhibit rule's matcher values with a quote, `$`, `%`, `{{` (and a newline in
/// the sender) are what the real Alertmanager loaded, as its `/api/v2/status` shows its config.
#[test]
fn alertmanager_fields_read_back_exactly() {
    let alertmanager = require("alertmanager");
    let dir = TempDir::new("am-exact");
    let from = "ops \"$HOME\" 100% {{ .x }}\nteam@example.com";
    let value = "a\"$b 5% {{ c }}";
    let matcher = format!("team=\"{}\"", value.replace('"', "\\\""));
    let port = free_port();
    let src = format!(
        "stack s {{\n  prometheus {{}}\n  alertmanager {{\n    port = {port}\n    smtp_smarthost = \"smtp.example.com:587\"\n    smtp_from = {}\n    receiver mail {{ email = \"ops@example.com\" }}\n    route {{ receiver = mail, route {{ receiver = mail, matchers = [{m}] }} }}\n    inhibit {{ source_matchers = [{m}], target_matchers = [\"severity=warning\"] }}\n  }}\n}}\ntarget native {{}}\n",
        lit(from),
        m = lit(&matcher)
    );
    let out = build(&dir, &src, &["--target", "native"]).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut child = Command::new(&alertmanager)
        .arg(format!("--config.file={}", out.join("native/config/alertmanager/alertmanager.yml").display()))
        .arg(format!("--storage.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let got = std::panic::catch_unwind(|| {
        wait_for(60, "Alertmanager's loaded config", || {
            let s = get_json(&format!("http://127.0.0.1:{port}/api/v2/status"))?;
            serde_norway::from_str::<serde_json::Value>(s["config"]["original"].as_str()?).ok()
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    let cfg = got.unwrap();
    assert_eq!(cfg["global"]["smtp_from"], from, "{cfg}");
    // Alertmanager prints a matcher back in its own quoting: parse it as it does
    let back = |m: &serde_json::Value| m.as_str().map(|m| m.split_once('=').unwrap().1.trim_matches('"').replace("\\\"", "\"")).unwrap();
    assert_eq!(back(&cfg["route"]["routes"][0]["matchers"][0]), value, "{cfg}");
    assert_eq!(back(&cfg["inhibit_rules"][0]["source_matchers"][0]), value, "{cfg}");
}

/// node-exporter's flags from `settings` and its `bin` path, through the real process-compose
/// (which renders every command as a Go template, and expands `$` unless told not to) and
/// bash: the program gets exactly the source strings as its arguments. `bin` is a script
/// that writes its arguments, NUL-separated, to a file.
#[test]
fn process_compose_and_bash_give_a_program_its_flags_exactly() {
    let pc = require("process-compose");
    let dir = TempDir::new("inj-pc");
    let argv = dir.path().join("argv out");
    let script = dir.path().join("bin $HOME `x`/node_exporter");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(&script, format!("#!/bin/sh\nprintf '%s\\0' \"$@\" > {}\n", shell_word(&argv))).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let hostile = ["$HOME ${HOME} $$ $(touch pwned) `touch pwned2`", "{{ .X }} {{\"{{\"}} }}", "100% \\ \" ' ; # & |"];
    let settings: Vec<String> = hostile.iter().enumerate().map(|(i, v)| format!("f{i} = {}", lit(v))).collect();
    let src = format!(
        "stack s {{\n  node_exporter {{ port = {} settings {{ {} }} }}\n}}\ntarget native {{ data_dir = {} bin = {{ node_exporter = {} }} }}\n",
        free_port(),
        settings.join(" "),
        lit(&dir.path().join("data").display().to_string()),
        lit(&script.display().to_string())
    );
    let out = build(&dir, &src, &["--target", "native"]).unwrap_or_else(|e| panic!("{e}"));
    // the generated file, with only node-exporter, run once
    let mut y: Value = serde_norway::from_str(&read(&out.join("native/process-compose.yaml"))).unwrap();
    let procs = y["processes"].as_object_mut().unwrap();
    procs.retain(|k, _| k == "node-exporter" || k == "node_exporter");
    let p = procs.values_mut().next().expect("a node-exporter process");
    p["availability"] = serde_json::json!({ "restart": "no" });
    p.as_object_mut().unwrap().remove("readiness_probe");
    p.as_object_mut().unwrap().remove("liveness_probe");
    let file = dir.path().join("pc.yaml");
    std::fs::write(&file, serde_norway::to_string(&y).unwrap()).unwrap();
    let cfg = dir.path().join("config");
    std::fs::create_dir_all(cfg.join("node_exporter")).unwrap();
    let mut child = Command::new(pc)
        .args(["up", "-t=false", "--port", &free_port().to_string(), "-f"])
        .arg(&file)
        .current_dir(dir.path())
        .env("GSTACK_CONFIG", &cfg)
        .env("GSTACK_DATA", dir.path().join("data"))
        .env("X", "from-env")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let got = wait_for(30, "node-exporter's arguments", || std::fs::read(&argv).ok().filter(|b| !b.is_empty()));
    let _ = child.kill();
    let _ = child.wait();
    let args: Vec<String> = got.split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    for (i, v) in hostile.iter().enumerate() {
        let want = format!("--f{i}={v}");
        assert!(args.contains(&want), "node-exporter did not get {want:?}; it got {args:?}");
    }
    assert!(!dir.path().join("pwned").exists() && !dir.path().join("pwned2").exists(), "source text ran as a command");
}

/// A word for the test's own shell scripts.
fn shell_word(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// The targets' own `${GSTACK_…}` variables stay live in native and systemd command lines, so
/// a source value that would reach one spelling it is refused: by the checker for paths, by
/// the build for a free-form flag.
#[test]
fn values_spelling_the_targets_variables_are_refused() {
    for t in ["native", "systemd"] {
        refused(&format!("stack s {{ prometheus {{}} }}\ntarget {t} {{ bin = {{ prometheus = \"/opt/\\${{GSTACK_DATA}}/p\" }} }}\n"), "bin");
        refused(&format!("stack s {{ prometheus {{}} }}\ntarget {t} {{ data_dir = \"/x/\\${{GSTACK_CONFIG}}\" }}\n"), "data_dir");
        refused(&format!("stack s {{ node_exporter {{ settings {{ a = \"\\${{GSTACK_DATA}}\" }} }} }}\ntarget {t} {{}}\n"), "node_exporter.settings");
    }
}
