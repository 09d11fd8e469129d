//! Where a stack's programs are reached, as every target renders it: Tempo's memberlist port
//! (a port of the block, not a fixed 7946, so two stacks on one host do not collide), and the
//! external URLs alert links are made from (`--web.external-url`, `ruler.external_url`), which
//! must be the address each target's user reaches the program at.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// Build `src` (every target is declared in it) with the real gstackc into a temp dir.
fn build(tag: &str, src: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(tag);
    let file = dir.path().join("stack.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &[]);
    (dir, out)
}

fn yaml(path: &Path) -> serde_json::Value {
    serde_norway::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// Every YAML document of a Kubernetes manifest file.
fn docs(path: &Path) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    let text = std::fs::read_to_string(path).unwrap();
    serde_norway::Deserializer::from_str(&text).map(|d| serde_json::Value::deserialize(d).unwrap()).filter(|v| !v.is_null()).collect()
}

const TARGETS: &str = "target native {}\ntarget systemd {}\ntarget compose {}\ntarget kubernetes {}\n";

#[test]
fn tempo_memberlist_port_is_a_port_of_the_block() {
    let (_d, out) = build("reach-memberlist", &format!("stack s {{\n  tempo {{ memberlist_port = 17946 }}\n}}\n{TARGETS}"));
    for dir in ["native", "systemd", "compose"] {
        let cfg = yaml(&out.join(format!("{dir}/config/tempo/tempo.yaml")));
        assert_eq!(cfg["memberlist"]["bind_port"], 17946, "{dir}: {cfg}");
        assert_eq!(cfg["memberlist"]["advertise_port"], 17946, "{dir}: {cfg}");
    }
    // native/run checks it is free before it starts anything
    let run = std::fs::read_to_string(out.join("native/run")).unwrap();
    assert!(run.contains("port_free tempo memberlist 17946\n"), "{run}");
    // the Kubernetes Service names it, and never the default
    let k = std::fs::read_to_string(out.join("kubernetes/tempo.yaml")).unwrap();
    let svc = docs(&out.join("kubernetes/tempo.yaml")).into_iter().find(|o| o["kind"] == "Service").unwrap();
    assert!(svc["spec"]["ports"].as_array().unwrap().iter().any(|p| p["name"] == "memberlist" && p["port"] == 17946), "{svc}");
    assert!(!k.lines().any(|l| l.trim_end().ends_with(" 7946")), "the fixed 7946 is gone:\n{k}");
    // the default stays Tempo's own
    let (_d, out) = build("reach-memberlist-default", &format!("stack s {{\n  tempo {{}}\n}}\n{TARGETS}"));
    assert_eq!(yaml(&out.join("native/config/tempo/tempo.yaml"))["memberlist"]["bind_port"], 7946);
}
