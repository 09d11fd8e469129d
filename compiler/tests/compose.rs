//! The compose target: accepted by `docker compose config` (Compose v2) and the
//! compose-spec JSON schema, and hardened: every service non-root, unprivileged, all
//! capabilities dropped, read-only root, host ports on 127.0.0.1, no secret value inline.

mod common;
use common::*;
use std::process::Command;

#[test]
fn compose_file_is_valid_and_hardened() {
    if skip_without(&["docker-compose", "check-jsonschema"]) {
        return;
    }
    let compose = require("docker-compose");
    let cj = require("check-jsonschema");
    let dir = TempDir::new("compose");
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "compose"]);
    let file = out.join("compose/docker-compose.yaml");

    let (ok, text) = run(Command::new(&compose).arg("-f").arg(&file).args(["config", "-q"]).env("ONCALL_URL", "x"));
    assert!(ok, "docker compose config:\n{text}");
    assert!(!text.contains("level=warning"), "docker compose config warned:\n{text}");
    let (ok, text) = run(Command::new(&cj).args(["--builtin-schema", "vendor.compose-spec"]).arg(&file));
    assert!(ok, "check-jsonschema:\n{text}");

    let doc: serde_json::Value = serde_norway::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let services = doc["services"].as_object().unwrap();
    // six programs, and the one-shot containers the environment secrets of Alertmanager
    // (ONCALL_URL) and Grafana (GRAFANA_SECRET_KEY, as the example gives no secret_key) are
    // copied into
    assert_eq!(services.len(), 8, "{:?}", services.keys());
    for (name, s) in services {
        let user = s["user"].as_str().unwrap_or_else(|| panic!("{name}: no user"));
        let uid: u32 = user.split(':').next().unwrap().parse().unwrap();
        assert_ne!(uid, 0, "{name} runs as root");
        assert!(s.get("privileged").is_none() || s["privileged"] == false, "{name} is privileged");
        assert_eq!(s["cap_drop"], serde_json::json!(["ALL"]), "{name}");
        assert!(s.get("cap_add").is_none(), "{name} adds capabilities");
        if name.ends_with("-env-secrets") {
            // runs `<program> --version` only, without a network: compose copies the
            // environment secrets into its volume, which a read-only container refuses
            assert_eq!(s["read_only"], false, "{name}");
            assert_eq!(s["network_mode"], "none", "{name}");
            assert_eq!(s["command"], serde_json::json!(["--version"]), "{name}");
        } else {
            assert_eq!(s["read_only"], true, "{name}");
        }
        assert!(s["security_opt"].as_array().unwrap().iter().any(|o| o == "no-new-privileges:true"), "{name}");
        for p in s["ports"].as_array().into_iter().flatten() {
            assert!(p.as_str().unwrap().starts_with("127.0.0.1:"), "{name} publishes {p} beyond loopback");
        }
        // config is mounted read-only, relative to the compose file (and node-exporter sees
        // the host root, read-only)
        for v in s["volumes"].as_array().into_iter().flatten() {
            if v["type"] == "bind" {
                let host_root = name == "node-exporter" && v["source"] == "/" && v["target"] == "/host";
                assert!(host_root || v["source"].as_str().unwrap().starts_with("./config/"), "{name}: {v}");
                assert_eq!(v["read_only"], true);
            }
        }
    }
    // the uids of the upstream images
    assert_eq!(services["grafana"]["user"], "472:0");
    assert_eq!(services["prometheus"]["user"], "65534:65534");
    assert_eq!(services["loki"]["user"], "10001:10001");
    assert_eq!(services["tempo"]["user"], "10001:10001");
    // secrets by reference only
    assert_eq!(doc["secrets"]["grafana.admin-password"]["file"], "/run/secrets/grafana-admin");
    assert_eq!(doc["secrets"]["alertmanager.oncall-url"]["environment"], "ONCALL_URL");
    // compose refuses a non-file secret on a read-only service ("`file` is the sole supported
    // option"): environment secrets reach Alertmanager through its env-secrets volume
    for (name, s) in services {
        for u in s["secrets"].as_array().into_iter().flatten() {
            let def = &doc["secrets"][u["source"].as_str().unwrap()];
            assert!(s["read_only"] != true || def.get("file").is_some(), "{name}: {u} is not a file secret on a read-only service");
        }
    }
    let am = &services["alertmanager"];
    assert_eq!(am["depends_on"]["alertmanager-env-secrets"]["condition"], "service_completed_successfully");
    assert!(am["volumes"].as_array().unwrap().iter().any(|v| v["source"] == "alertmanager-env-secrets"
        && v["target"] == "/run/env-secrets/alertmanager" && v["read_only"] == true));
    let am_cfg = std::fs::read_to_string(out.join("compose/config/alertmanager/alertmanager.yml")).unwrap();
    assert!(am_cfg.contains("/run/env-secrets/alertmanager/oncall-url"), "{am_cfg}");
    // the gstack images are built locally: never pulled
    for (name, s) in services {
        assert_eq!(s["pull_policy"], "never", "{name}");
    }
    // a loopback scrape target is the host, not Prometheus' own container
    let prom = std::fs::read_to_string(out.join("compose/config/prometheus/prometheus.yml")).unwrap();
    assert!(prom.contains("host.docker.internal:8080") && !prom.contains("127.0.0.1:8080"), "{prom}");
    for (name, s) in services.iter().filter(|(n, _)| !n.ends_with("-env-secrets")) {
        assert_eq!(s["extra_hosts"], serde_json::json!(["host.docker.internal:host-gateway"]), "{name}");
    }
    // node-exporter measures the host: its PID namespace and root file system (read-only)
    let ne = &services["node-exporter"];
    assert_eq!(ne["pid"], "host");
    assert!(ne["command"].as_array().unwrap().iter().any(|a| a == "--path.rootfs=/host"));
    assert!(ne["volumes"].as_array().unwrap().iter().any(|v| v["source"] == "/" && v["target"] == "/host" && v["read_only"] == true));
    // Tempo flushes its traces on SIGTERM: give it time before SIGKILL
    let grace: u32 = services["tempo"]["stop_grace_period"].as_str().unwrap().trim_end_matches('s').parse().unwrap();
    assert!(grace >= 60, "tempo stop_grace_period {grace}s");
    // every mounted config file exists next to the compose file
    for s in services.values() {
        for v in s["volumes"].as_array().into_iter().flatten() {
            if v["type"] == "bind" {
                assert!(out.join("compose").join(v["source"].as_str().unwrap()).is_dir());
            }
        }
    }
}

/// An image the user names is theirs to pull: `pull_policy: never` only for gstack's own.
#[test]
fn user_images_are_pulled_as_usual() {
    let dir = TempDir::new("compose-images");
    let src = dir.path().join("s.gstack");
    std::fs::write(&src, "stack s { prometheus {} node_exporter {} }\ntarget compose { images = { prometheus = \"quay.io/prometheus/prometheus:v3.5.0\" } }\n").unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &[]);
    let doc: serde_json::Value = serde_norway::from_str(&std::fs::read_to_string(out.join("compose/docker-compose.yaml")).unwrap()).unwrap();
    assert!(doc["services"]["prometheus"].get("pull_policy").is_none(), "{}", doc["services"]["prometheus"]);
    assert_eq!(doc["services"]["node-exporter"]["pull_policy"], "never");
}

/// `compose/check-secrets` says, before `up`, what a secret file must be: compose bind-mounts
/// it with the host's owner and mode, so the program's uid must be able to read it.
#[test]
fn check_secrets_says_what_each_secret_needs() {
    let dir = TempDir::new("compose-secrets");
    let secret = dir.path().join("admin");
    std::fs::write(&secret, "pw").unwrap();
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        format!(
            "stack s {{ grafana {{ admin = {{ password = secret.file(\"{}\") }} }} alertmanager {{ receiver r {{ webhook = secret.env(\"HOOK_URL\") }} route {{ receiver = r }} }} }}\ntarget compose {{}}\n",
            secret.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &[]);
    let check = out.join("compose/check-secrets");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (ok, text) = run(Command::new(&check).env_remove("HOOK_URL").env_remove("GRAFANA_SECRET_KEY"));
    assert!(!ok);
    // Grafana's secret_key, not given in the source, is an environment secret the user provides
    assert!(text.contains("GRAFANA_SECRET_KEY (read by grafana) is not set"), "{text}");
    assert!(text.contains("not readable by uid 472") && text.contains(&format!("chown 472:0 {}", secret.display())), "{text}");
    assert!(text.contains("HOOK_URL (read by alertmanager) is not set"), "{text}");
    // world-readable, or owned by Grafana's uid, and the variable set: nothing to say
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, text) = run(Command::new(&check).env("HOOK_URL", "http://x").env("GRAFANA_SECRET_KEY", "k"));
    assert!(ok, "{text}");
    std::fs::remove_file(&secret).unwrap();
    let (ok, text) = run(Command::new(&check).env("HOOK_URL", "http://x").env("GRAFANA_SECRET_KEY", "k"));
    assert!(!ok && text.contains("does not exist"), "{text}");
}

/// Each service's compose secrets are `<host name>.<secret>`: Alertmanager peer 1's `pager`
/// receiver and peer 0's `1-pager` receiver keep one secret each (a `-` would join them into
/// one name, and one peer would page with the other's key).
#[test]
fn secrets_of_two_services_never_share_a_name() {
    let dir = TempDir::new("compose-secret-names");
    let src = dir.path().join("s.gstack");
    std::fs::write(
        &src,
        r#"stack s {
  prometheus {}
  alertmanager {
    replicas = 2
    receiver "1-pager" { pagerduty = { routing_key = secret.env("PD_A") } }
    receiver pager { pagerduty = { routing_key = secret.env("PD_B") } }
    route { receiver = pager, route { receiver = "1-pager", matchers = ["team=a"] } }
  }
}
target compose {}
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &["--target", "compose"]);
    let doc: serde_json::Value = serde_norway::from_str(&std::fs::read_to_string(out.join("compose/docker-compose.yaml")).unwrap()).unwrap();
    let secrets = doc["secrets"].as_object().unwrap();
    // two receivers × two peers: four secrets, each from its own variable
    let envs: Vec<(&str, &str)> = secrets.iter().map(|(k, v)| (k.as_str(), v["environment"].as_str().unwrap())).collect();
    assert_eq!(envs.len(), 4, "{envs:?}");
    for (peer, env) in [("alertmanager", "PD_A"), ("alertmanager", "PD_B"), ("alertmanager-1", "PD_A"), ("alertmanager-1", "PD_B")] {
        assert!(envs.iter().any(|(k, e)| k.starts_with(&format!("{peer}.")) && *e == env), "{peer} has no secret from {env}: {envs:?}");
    }
}
