//! The compose target: accepted by `docker compose config` (Compose v2) and the
//! compose-spec JSON schema, and hardened: every service non-root, unprivileged, all
//! capabilities dropped, read-only root, host ports on 127.0.0.1, no secret value inline.

mod common;
use common::*;
use std::process::Command;

#[test]
fn compose_file_is_valid_and_hardened() {
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
    assert_eq!(services.len(), 6);
    for (name, s) in services {
        let user = s["user"].as_str().unwrap_or_else(|| panic!("{name}: no user"));
        let uid: u32 = user.split(':').next().unwrap().parse().unwrap();
        assert_ne!(uid, 0, "{name} runs as root");
        assert!(s.get("privileged").is_none() || s["privileged"] == false, "{name} is privileged");
        assert_eq!(s["cap_drop"], serde_json::json!(["ALL"]), "{name}");
        assert!(s.get("cap_add").is_none(), "{name} adds capabilities");
        assert_eq!(s["read_only"], true, "{name}");
        assert!(s["security_opt"].as_array().unwrap().iter().any(|o| o == "no-new-privileges:true"), "{name}");
        for p in s["ports"].as_array().into_iter().flatten() {
            assert!(p.as_str().unwrap().starts_with("127.0.0.1:"), "{name} publishes {p} beyond loopback");
        }
        // config is mounted read-only, relative to the compose file
        for v in s["volumes"].as_array().into_iter().flatten() {
            if v["type"] == "bind" {
                assert!(v["source"].as_str().unwrap().starts_with("./config/"), "{name}: {v}");
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
    assert_eq!(doc["secrets"]["grafana-admin-password"]["file"], "/run/secrets/grafana-admin");
    assert_eq!(doc["secrets"]["alertmanager-oncall-url"]["environment"], "ONCALL_URL");
    // every mounted config file exists next to the compose file
    for s in services.values() {
        for v in s["volumes"].as_array().into_iter().flatten() {
            if v["type"] == "bind" {
                assert!(out.join("compose").join(v["source"].as_str().unwrap()).is_dir());
            }
        }
    }
}
