//! The scrape jobs W0403 takes a stack to have are the ones every target's `prometheus.yml`
//! defines: each scrape config's `job_name`, or the `job` label of its targets. A rule on each
//! written job is quiet; a rule on a job no target writes warns.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::process::Command;

const STACK: &str = r#"
stack s {
  prometheus {
    scrape web { targets = ["127.0.0.1:8080"] }
    scrape api { targets = ["10.0.0.1:8081"], labels = ["job": "backend", "team": "a"] }
  }
  alertmanager {
    receiver r { webhook = "https://hooks.example.com/x" }
  }
  grafana {}
  loki {}
  tempo {}
  node_exporter {}
}
target native {}
target systemd {}
target compose {}
target kubernetes { service_discovery = true }
target helm {}
"#;

/// The jobs of one `prometheus.yml` text.
fn jobs_of(cfg: &str, out: &mut BTreeSet<String>) {
    let v: serde_json::Value = serde_norway::from_str(cfg).unwrap();
    for sc in v["scrape_configs"].as_array().unwrap() {
        let label = sc["static_configs"][0]["labels"]["job"].as_str();
        out.insert(label.unwrap_or_else(|| sc["job_name"].as_str().unwrap()).to_string());
    }
}

#[test]
fn the_jobs_w0403_knows_are_the_ones_every_target_writes() {
    let dir = TempDir::new("scrape-jobs");
    let src = dir.path().join("s.gstack");
    std::fs::write(&src, STACK).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&src, &out, &[]);
    let mut written = BTreeSet::new();
    let mut configs = 0;
    for f in files_under(&out, &[""]) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let name = f.to_string_lossy().to_string();
        if name.ends_with("prometheus.yml") {
            configs += 1;
            jobs_of(&text, &mut written);
        } else if name.contains("/kubernetes/") && text.contains("prometheus.yml") {
            // the Kubernetes target's ConfigMap
            for doc in serde_norway::Deserializer::from_str(&text) {
                let v = <serde_json::Value as serde::Deserialize>::deserialize(doc).unwrap_or_default();
                if let Some(cfg) = v["data"]["prometheus.yml"].as_str() {
                    configs += 1;
                    jobs_of(cfg, &mut written);
                }
            }
        }
    }
    assert!(configs >= 4, "{configs} prometheus.yml found (native, systemd, compose, kubernetes)");
    assert!(written.contains("backend") && written.contains("kubernetes-pods") && !written.contains("api"), "{written:?}");
    // a rule on every written job, and one on the scrape's own name (replaced by its label)
    let mut check = STACK.to_string();
    for (i, j) in written.iter().chain(["api".to_string()].iter()).enumerate() {
        check.push_str(&format!("alert J{i} {{\n  expr = promql`absent(up{{job=\"{j}\"}})`\n}}\n"));
    }
    std::fs::write(&src, check).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg(&src).args(["--message-format", "json"]).output().unwrap();
    let diags: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let w: Vec<&str> = diags.as_array().unwrap().iter().filter(|d| d["code"] == "W0403").map(|d| d["message"].as_str().unwrap()).collect();
    assert_eq!(w, ["no scrape job of the stack is called `api`: the selector matches no series"], "{diags:#}");
}
