//! The kubernetes and helm targets: every manifest passes `kubernetes-validate --strict` for
//! the oldest and newest Kubernetes versions we support, checkov finds nothing beyond the
//! checks the README accepts, every pod is hardened, every NetworkPolicy allows exactly the
//! stack's flows (from the service records), and the Helm chart lints and renders the same
//! objects as the kubernetes target.

mod common;
use common::*;
use gstack::backends;
use gstack::targets::kubernetes as k8s;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Kubernetes versions the README declares supported (schemas of kubernetes-validate).
const VERSIONS: &[&str] = &["1.25", "1.37"];
/// checkov checks the README explains as accepted.
const ACCEPTED: &[&str] = &["CKV_K8S_15", "CKV_K8S_40", "CKV_K8S_43"];
/// checkov checks accepted on the per-node workload only: the host's PID and network
/// namespaces, which node_exporter needs to measure the node (README).
const ACCEPTED_PER_NODE: &[&str] = &["CKV_K8S_17", "CKV_K8S_19"];

fn build(tag: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(tag);
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "kubernetes"]);
    (dir, out)
}

fn manifests(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out.join("kubernetes"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().unwrap() != "kustomization.yaml"
                && p.extension().is_some_and(|e| e == "yaml")
        })
        .collect();
    v.sort();
    v
}

fn docs(files: &[PathBuf]) -> Vec<serde_json::Value> {
    let mut out = vec![];
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        for d in serde_norway::Deserializer::from_str(&text) {
            let v: serde_json::Value = serde::Deserialize::deserialize(d).unwrap();
            if !v.is_null() {
                out.push(v);
            }
        }
    }
    out
}

fn example_stack() -> gstack::ir::Stack {
    let mut db = gstack::db::Database::default();
    let p = root().join("examples/default.gstack");
    let f = db.set_file(&p, std::fs::read_to_string(&p).unwrap());
    gstack::sema::check::check_stack(&db, f).stack.clone().unwrap()
}

#[test]
fn kubernetes_validate_strict_on_supported_versions() {
    if skip_without(&["kubernetes-validate"]) {
        return;
    }
    let kv = require("kubernetes-validate");
    let (_d, out) = build("kv");
    let files = manifests(&out);
    assert!(files.len() >= 8);
    for v in VERSIONS {
        let (ok, text) = run(Command::new(&kv).args(["--strict", "-k", v]).args(&files));
        assert!(ok, "kubernetes-validate {v}:\n{text}");
        assert!(!text.contains("ERROR"), "{text}");
    }
    // kustomization lists every file
    let kust: serde_json::Value = serde_norway::from_str(&std::fs::read_to_string(out.join("kubernetes/kustomization.yaml")).unwrap()).unwrap();
    let listed: BTreeSet<String> = kust["resources"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    let present: BTreeSet<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().to_string()).collect();
    assert_eq!(listed, present);
}

#[test]
fn checkov_reports_only_accepted_checks() {
    if skip_without(&["checkov"]) {
        return;
    }
    let checkov = require("checkov");
    let (_d, out) = build("checkov");
    let o = Command::new(&checkov)
        .args(["-d"])
        .arg(out.join("kubernetes"))
        .args(["--framework", "kubernetes", "--skip-download", "--quiet", "--compact", "-o", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("checkov JSON: {e}\n{}", String::from_utf8_lossy(&o.stderr)));
    let report = if report.is_array() { report[0].clone() } else { report };
    let summary = &report["summary"];
    println!("checkov: {} passed, {} failed", summary["passed"], summary["failed"]);
    let mut counts = std::collections::BTreeMap::new();
    for f in report["results"]["failed_checks"].as_array().into_iter().flatten() {
        let id = f["check_id"].as_str().unwrap().to_string();
        let sev = f["severity"].as_str().unwrap_or("").to_string();
        if ACCEPTED_PER_NODE.contains(&id.as_str()) {
            let res = f["resource"].as_str().unwrap_or_default();
            assert!(res.starts_with("DaemonSet."), "{id} on {res}: only the per-node workload may use the host's namespaces");
            continue;
        }
        assert!(sev != "HIGH" && sev != "CRITICAL", "{id} is {sev}");
        *counts.entry(id).or_insert(0) += 1;
    }
    for (id, n) in &counts {
        println!("  {id}: {n}");
        assert!(ACCEPTED.contains(&id.as_str()), "checkov {id} failed {n} times and is not an accepted check (README)");
    }
    assert!(summary["passed"].as_u64().unwrap() > 100);
}

#[test]
fn every_pod_is_hardened() {
    let (_d, out) = build("pods");
    let objs = docs(&manifests(&out));
    let workloads: Vec<_> = objs.iter().filter(|o| ["StatefulSet", "Deployment", "DaemonSet"].contains(&o["kind"].as_str().unwrap())).collect();
    assert_eq!(workloads.len(), 6);
    for w in workloads {
        let name = w["metadata"]["name"].as_str().unwrap();
        let pod = &w["spec"]["template"]["spec"];
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
        assert_ne!(pod["securityContext"]["runAsUser"], 0, "{name}");
        assert_eq!(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault", "{name}");
        assert!(pod["securityContext"]["fsGroup"].as_u64().unwrap() > 0, "{name}");
        for c in pod["containers"].as_array().unwrap() {
            let sc = &c["securityContext"];
            assert_eq!(sc["readOnlyRootFilesystem"], true, "{name}");
            assert_eq!(sc["allowPrivilegeEscalation"], false, "{name}");
            assert_eq!(sc["capabilities"]["drop"], serde_json::json!(["ALL"]), "{name}");
            assert!(c["resources"]["limits"]["memory"].is_string() && c["resources"]["limits"]["cpu"].is_string(), "{name}: limits");
            assert!(c["readinessProbe"]["httpGet"]["path"].is_string(), "{name}: readiness");
            assert!(c["livenessProbe"]["httpGet"]["path"].is_string(), "{name}: liveness");
        }
        // a config change rolls the pods
        assert_eq!(pod.get("containers").is_some(), true);
        assert_eq!(w["spec"]["template"]["metadata"]["annotations"]["gstack.dev/config-hash"].as_str().map(str::len), Some(64), "{name}");
    }
    // the stateful components keep their data in claims of the cluster's default storage
    // class: the example sets none, so none is written (most clusters have no `standard`)
    for name in ["prometheus", "loki", "tempo", "alertmanager", "grafana"] {
        let w = objs.iter().find(|o| o["kind"] == "StatefulSet" && o["metadata"]["name"] == name).unwrap_or_else(|| panic!("{name} StatefulSet"));
        assert!(w["spec"]["volumeClaimTemplates"][0]["spec"].get("storageClassName").is_none(), "{name}: a storage class nobody set");
    }
    let prom = objs.iter().find(|o| o["kind"] == "StatefulSet" && o["metadata"]["name"] == "prometheus").unwrap();
    assert_eq!(prom["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"], "50Gi");
    // the target's limits, and requests of their own (not the limits again)
    let res = &prom["spec"]["template"]["spec"]["containers"][0]["resources"];
    assert_eq!(res["limits"], serde_json::json!({ "cpu": "500m", "memory": "2Gi" }));
    assert_eq!(res["requests"], serde_json::json!({ "cpu": "100m", "memory": "256Mi" }));
    // no secret value: Secrets are mounted by name
    assert!(!objs.iter().any(|o| o["kind"] == "Secret"));
}

#[test]
fn network_policies_allow_exactly_the_stack_flows() {
    let (_d, out) = build("netpol");
    let objs = docs(&manifests(&out));
    let stack = example_stack();
    let kt = stack.targets.kubernetes.clone().unwrap();
    let services = backends::services(&stack, &k8s::ctx(&stack, &kt));
    // from the service records: (from, to, port)
    let mut want: BTreeSet<(String, String, u64)> = BTreeSet::new();
    for s in &services {
        for f in &s.flows {
            want.insert((s.host_name.clone(), backends::host_name(f.to), f.port as u64));
        }
    }
    assert!(want.len() >= 8, "{want:?}");
    let name_of = |sel: &serde_json::Value| sel["matchLabels"]["app.kubernetes.io/name"].as_str().map(str::to_string);
    let mut ingress_flows = BTreeSet::new();
    let mut egress_flows = BTreeSet::new();
    for np in objs.iter().filter(|o| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] != "default-deny") {
        let me = name_of(&np["spec"]["podSelector"]).unwrap();
        for rule in np["spec"]["ingress"].as_array().unwrap() {
            for from in rule["from"].as_array().into_iter().flatten() {
                for p in rule["ports"].as_array().unwrap() {
                    ingress_flows.insert((name_of(&from["podSelector"]).unwrap(), me.clone(), p["port"].as_u64().unwrap()));
                }
            }
        }
        for rule in np["spec"]["egress"].as_array().unwrap() {
            if rule.get("to").is_none() {
                // a flow to a per-node service: its port on the nodes' addresses
                for p in rule["ports"].as_array().unwrap() {
                    let port = p["port"].as_u64().unwrap();
                    for t in services.iter().filter(|t| t.host_rootfs.is_some() && t.ports.iter().any(|q| q.port as u64 == port)) {
                        egress_flows.insert((me.clone(), t.host_name.clone(), port));
                    }
                }
            }
            for to in rule["to"].as_array().into_iter().flatten() {
                if let Some(t) = name_of(&to["podSelector"]) {
                    if to.get("namespaceSelector").is_none() {
                        for p in rule["ports"].as_array().unwrap() {
                            egress_flows.insert((me.clone(), t.clone(), p["port"].as_u64().unwrap()));
                        }
                    }
                }
            }
        }
    }
    assert_eq!(ingress_flows, want, "ingress rules between components");
    assert_eq!(egress_flows, want, "egress rules between components");
    // default deny in the namespace
    let deny = objs.iter().find(|o| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == "default-deny").unwrap();
    assert_eq!(deny["spec"]["podSelector"], serde_json::json!({}));
}

#[test]
fn helm_chart_lints_and_renders_the_kubernetes_objects() {
    if skip_without(&["helm"]) {
        return;
    }
    let helm = require("helm");
    let dir = TempDir::new("helm");
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &[]);
    let chart = out.join("helm/shop-observability");
    let (ok, text) = run(Command::new(&helm).arg("lint").arg(&chart));
    assert!(ok, "helm lint:\n{text}");
    let o = Command::new(&helm).args(["template", "shop"]).arg(&chart).args(["--namespace", "observability"]).output().unwrap();
    assert!(o.status.success(), "helm template: {}", String::from_utf8_lossy(&o.stderr));
    let tmp = dir.path().join("rendered.yaml");
    std::fs::write(&tmp, &o.stdout).unwrap();
    let mut rendered = docs(&[tmp]);
    let mut plain = docs(&manifests(&out));
    let key = |v: &serde_json::Value| format!("{}/{}/{}", v["kind"], v["metadata"]["namespace"], v["metadata"]["name"]);
    rendered.sort_by_key(key);
    plain.sort_by_key(key);
    // the chart's config hashes are over its configs with the namespace still a template
    // (helm_chart_wires_every_address_to_the_release_namespace checks they follow the config)
    for o in rendered.iter_mut().chain(plain.iter_mut()) {
        if let Some(a) = o.pointer_mut("/spec/template/metadata/annotations").and_then(|a| a.as_object_mut()) {
            assert_eq!(a.remove("gstack.dev/config-hash").and_then(|h| h.as_str().map(str::len)), Some(64));
        }
    }
    assert_eq!(rendered.len(), plain.len(), "object count");
    for (a, b) in rendered.iter().zip(&plain) {
        assert_eq!(a, b, "{} differs between helm template and the kubernetes target", key(b));
    }
    // a value operators tune reaches the objects
    let o = Command::new(&helm)
        .args(["template", "shop"])
        .arg(&chart)
        .args(["--namespace", "obs", "--set", "prometheus.image=example/prom:1", "--set", "ingress.enabled=false"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && text.contains("example/prom:1") && !text.contains("kind: Ingress"), "{text}");
}

#[test]
fn service_discovery_gets_rbac_and_a_pod_job() {
    if skip_without(&["kubernetes-validate"]) {
        return;
    }
    let kv = require("kubernetes-validate");
    let promtool = require("promtool");
    let dir = TempDir::new("k8s-sd");
    let ov = dir.path().join("overrides.json");
    std::fs::write(&ov, r#"{ "targets": { "kubernetes": { "service_discovery": true } } }"#).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &["--target", "kubernetes", "--overrides", ov.to_str().unwrap()]);
    let rbac = out.join("kubernetes/rbac.yaml");
    let objs = docs(&[rbac.clone()]);
    let role = objs.iter().find(|o| o["kind"] == "ClusterRole").expect("ClusterRole");
    for rule in role["rules"].as_array().unwrap() {
        for verb in rule["verbs"].as_array().unwrap() {
            assert!(["get", "list", "watch"].contains(&verb.as_str().unwrap()), "only read verbs: {rule}");
        }
    }
    let binding = objs.iter().find(|o| o["kind"] == "ClusterRoleBinding").expect("ClusterRoleBinding");
    assert_eq!(binding["subjects"][0]["name"], "prometheus");
    let (ok, text) = run(Command::new(&kv).arg("--strict").arg(&rbac));
    assert!(ok, "{text}");
    // Prometheus mounts its token and has a job discovering pods; promtool accepts the config
    let all = docs(&manifests(&out));
    let prom = all.iter().find(|o| o["kind"] == "StatefulSet" && o["metadata"]["name"] == "prometheus").unwrap();
    assert_eq!(prom["spec"]["template"]["spec"]["automountServiceAccountToken"], true);
    let cm = all.iter().find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == "prometheus-config").unwrap();
    let cfg = cm["data"]["prometheus.yml"].as_str().unwrap();
    assert!(cfg.contains("kubernetes_sd_configs"), "{cfg}");
    let f = dir.path().join("prometheus.yml");
    std::fs::write(&f, cfg).unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let (ok, text) = run(Command::new(&promtool).args(["check", "config", "--syntax-only"]).arg(&f));
    assert!(ok, "promtool:\n{text}");
}

/// node-exporter measures the nodes, not one container: a DaemonSet on the host's PID and
/// network namespaces with the host's `/`, `/proc` and `/sys` read-only, the flags of
/// node_exporter's docs pointing at them, probes on `/` (a probe reading part of `/metrics`
/// makes it log connection resets), a headless Service and a Prometheus job that finds every
/// node by DNS. The real node_exporter runs with those flags and answers the probe path.
#[test]
fn node_exporter_is_a_daemonset_measuring_the_host() {
    let (_d, out) = build("node");
    let objs = docs(&manifests(&out));
    assert!(!objs.iter().any(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "node-exporter"), "not a Deployment");
    let ds = objs.iter().find(|o| o["kind"] == "DaemonSet" && o["metadata"]["name"] == "node-exporter").expect("node-exporter DaemonSet");
    let pod = &ds["spec"]["template"]["spec"];
    assert_eq!(pod["hostPID"], true);
    assert_eq!(pod["hostNetwork"], true);
    assert_eq!(pod["dnsPolicy"], "ClusterFirstWithHostNet");
    let c = &pod["containers"][0];
    let args: Vec<&str> = c["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    // every host directory is a read-only hostPath mount, and the matching flag points at it
    for (host, flag) in [("/", "--path.rootfs"), ("/proc", "--path.procfs"), ("/sys", "--path.sysfs")] {
        let vol = pod["volumes"].as_array().unwrap().iter().find(|v| v["hostPath"]["path"] == host).unwrap_or_else(|| panic!("hostPath {host}"));
        let m = c["volumeMounts"].as_array().unwrap().iter().find(|m| m["name"] == vol["name"]).unwrap_or_else(|| panic!("mount of {host}"));
        assert_eq!(m["readOnly"], true, "{host}");
        let at = m["mountPath"].as_str().unwrap();
        assert!(args.contains(&format!("{flag}={at}").as_str()), "{flag}={at} in {args:?}");
    }
    for p in ["readinessProbe", "livenessProbe"] {
        assert_eq!(c[p]["httpGet"]["path"], "/", "{p}");
    }
    let svc = objs.iter().find(|o| o["kind"] == "Service" && o["metadata"]["name"] == "node-exporter").unwrap();
    assert_eq!(svc["spec"]["clusterIP"], "None", "headless: the name resolves to every node");
    // Prometheus discovers every node through that name
    let cm = objs.iter().find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == "prometheus-config").unwrap();
    let cfg: serde_json::Value = serde_norway::from_str(cm["data"]["prometheus.yml"].as_str().unwrap()).unwrap();
    let job = cfg["scrape_configs"].as_array().unwrap().iter().find(|j| j["job_name"] == "node").expect("node job");
    assert_eq!(job["dns_sd_configs"][0]["names"][0], "node-exporter.observability.svc", "{job}");
    assert_eq!(job["dns_sd_configs"][0]["type"], "A");
    assert_eq!(job["dns_sd_configs"][0]["port"], 9100);
    // the real node_exporter takes the flags (on this machine's own directories) and serves `/`
    let bin = require("node_exporter");
    let port = free_port();
    let mut flags: Vec<String> = args
        .iter()
        .filter(|a| a.starts_with("--path."))
        .map(|a| a.replace("/host/root", "/").replace("/host/proc", "/proc").replace("/host/sys", "/sys"))
        .collect();
    flags.push(format!("--web.listen-address=127.0.0.1:{port}"));
    let mut child = Command::new(bin).args(&flags).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let page = wait_for(20, "node_exporter's landing page", || get(&format!("http://127.0.0.1:{port}/")));
    let metrics = get(&format!("http://127.0.0.1:{port}/metrics")).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.contains("/metrics"), "{page}");
    assert!(metrics.contains("node_boot_time_seconds"), "node metrics from the host's /proc");
}

/// Empty maps and lists a Kubernetes API server drops (`nodeSelector: {}`, `tolerations: []`,
/// omitempty fields), in the target's objects and in the chart's rendered objects: a
/// client-side apply compares them with what the server kept and reports the object
/// `configured` at every apply. Kept: the ones that mean something (`emptyDir: {}`, an
/// all-selecting `podSelector: {}` / `namespaceSelector: {}`).
#[test]
fn no_empty_fields_the_server_drops() {
    if skip_without(&["helm"]) {
        return;
    }
    fn walk(v: &serde_json::Value, at: &str, bad: &mut Vec<String>) {
        const MEANINGFUL: &[&str] = &["emptyDir", "podSelector", "namespaceSelector"];
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let empty = x.as_object().is_some_and(|o| o.is_empty()) || x.as_array().is_some_and(|a| a.is_empty());
                    if empty && !MEANINGFUL.contains(&k.as_str()) {
                        bad.push(format!("{at}.{k}"));
                    }
                    walk(x, &format!("{at}.{k}"), bad);
                }
            }
            serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, &format!("{at}[{i}]"), bad)),
            _ => {}
        }
    }
    let helm = require("helm");
    let dir = TempDir::new("empty");
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &[]);
    let o = Command::new(&helm).args(["template", "shop"]).arg(out.join("helm/shop-observability")).args(["-n", "observability"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let tmp = dir.path().join("rendered.yaml");
    std::fs::write(&tmp, &o.stdout).unwrap();
    for (what, objs) in [("kubernetes", docs(&manifests(&out))), ("helm", docs(&[tmp]))] {
        let mut bad = vec![];
        for obj in &objs {
            walk(obj, &format!("{}/{}", obj["kind"].as_str().unwrap(), obj["metadata"]["name"].as_str().unwrap()), &mut bad);
        }
        assert!(bad.is_empty(), "{what}: empty fields the server drops: {bad:#?}");
    }
}

fn gstackc(src: &Path, out: &Path) -> (bool, String) {
    run(Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("build").arg(src).arg("-o").arg(out).args(["--target", "kubernetes"]))
}

/// Dashboards are split into ConfigMaps a client-side apply can record (255 KiB each, the
/// last-applied annotation holds 256 KiB), never one ConfigMap over Kubernetes' 1 MiB, and
/// mounted as one directory where Grafana's provisioning finds every file. A stack importing
/// every real dashboard of `../shared/data` (1.2 MB, Node Exporter Full alone 457 KiB) builds,
/// warns with the sizes of the two dashboards only a server-side apply takes, and the
/// manifests pass `kubernetes-validate --strict`; a dashboard over 1 MiB is an error.
#[test]
fn dashboards_are_split_into_configmaps_under_the_size_limits() {
    if skip_without(&["kubernetes-validate", SHARED_DATA]) {
        return;
    }
    let kv = require("kubernetes-validate");
    let dir = TempDir::new("k8s-dash");
    let mut src = String::from("stack big {\n  prometheus {}\n  loki {}\n  tempo {}\n  grafana {}\n}\n\ntarget kubernetes {}\n");
    let dashboards = shared_files("dashboards", "json");
    assert!(dashboards.len() >= 8, "{dashboards:?}");
    for (name, p) in &dashboards {
        src.push_str(&format!("dashboard {name} = import_dashboard(\"{}\")\n", p.display()));
    }
    let file = dir.path().join("big.gstack");
    std::fs::write(&file, &src).unwrap();
    let out = dir.path().join("out");
    let (ok, text) = gstackc(&file, &out);
    assert!(ok, "{text}");
    // the dashboards only a server-side apply takes, each with its size
    let warned: Vec<&str> = text.lines().filter(|l| l.contains("W0602")).collect();
    assert_eq!(warned.len(), 2, "{text}");
    assert!(text.contains("dashboard `node_exporter_full` is") && text.contains("KiB in its ConfigMap, over the 255 KiB"), "{text}");
    assert!(text.contains("dashboard `haproxy` is"), "{text}");
    let files = vec![out.join("kubernetes/grafana.yaml")];
    let objs = docs(&files);
    let cms: Vec<_> = objs.iter().filter(|o| o["kind"] == "ConfigMap").collect();
    assert!(cms.len() >= 4, "{}", cms.len());
    let mut keys = BTreeSet::new();
    for cm in &cms {
        let size = serde_json::to_string(cm).unwrap().len();
        let data = cm["data"].as_object().unwrap();
        let name = cm["metadata"]["name"].as_str().unwrap();
        assert!(size <= gstack::ir::CONFIGMAP_LIMIT, "{name}: {size} bytes");
        // over the budget only as the one file of its ConfigMap, a warned one
        assert!(size <= gstack::ir::CONFIGMAP_BUDGET || data.len() == 1, "{name}: {size} bytes with {} files", data.len());
        keys.extend(data.keys().cloned());
    }
    // every dashboard is in one, and the pod mounts them all into the config directory
    let sts = objs.iter().find(|o| o["kind"] == "StatefulSet").unwrap();
    let vol = sts["spec"]["template"]["spec"]["volumes"].as_array().unwrap().iter().find(|v| v["name"] == "config").unwrap();
    let mut mounted = BTreeSet::new();
    for src in vol["projected"]["sources"].as_array().expect("a projected volume") {
        let cm = cms.iter().find(|c| c["metadata"]["name"] == src["configMap"]["name"]).expect("a ConfigMap of the file");
        for it in src["configMap"]["items"].as_array().unwrap() {
            assert!(cm["data"].get(it["key"].as_str().unwrap()).is_some(), "{it}");
            mounted.insert(it["path"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(mounted.len(), keys.len());
    let json_files: Vec<_> = mounted.iter().filter(|p| p.starts_with("dashboards/") && p.ends_with(".json")).collect();
    assert_eq!(json_files.len(), dashboards.len(), "every import: {json_files:?}");
    // the provisioning file reads the directories they are mounted in
    let prov = cms.iter().find_map(|c| c["data"].get("provisioning__dashboards__stack.yaml")).expect("provider file").as_str().unwrap();
    for p in &json_files {
        let d = Path::new(p.as_str()).parent().unwrap().to_string_lossy().to_string();
        assert!(prov.contains(&format!("/etc/gstack/grafana/{d}")), "{d} not provisioned:\n{prov}");
    }
    let (ok, text) = run(Command::new(&kv).args(["--strict", "-k", "1.37"]).args(&files));
    assert!(ok, "{text}");

    // one dashboard over 1 MiB: an error with both sizes, nothing written
    let nef = dashboards.iter().find(|(n, _)| n == "node_exporter_full").unwrap();
    let mut huge: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&nef.1).unwrap()).unwrap();
    huge["description"] = serde_json::json!("x".repeat(700 << 10));
    let hp = dir.path().join("huge.json");
    std::fs::write(&hp, serde_json::to_string(&huge).unwrap()).unwrap();
    let file = dir.path().join("huge.gstack");
    std::fs::write(&file, format!("stack huge {{\n  prometheus {{}}\n  grafana {{}}\n}}\n\ntarget kubernetes {{}}\ndashboard huge = import_dashboard(\"./huge.json\")\n")).unwrap();
    let (ok, text) = gstackc(&file, &dir.path().join("out2"));
    assert!(!ok && text.contains("E0601") && text.contains("over the 1023 KiB a Kubernetes ConfigMap holds"), "{text}");
}

fn egress_of(np: &serde_json::Value) -> Vec<(Option<String>, Option<u64>)> {
    let mut v = vec![];
    for rule in np["spec"]["egress"].as_array().unwrap() {
        let cidr = rule["to"][0]["ipBlock"]["cidr"].as_str().map(str::to_string);
        if rule.get("to").is_some() && cidr.is_none() {
            if rule.get("ports").is_none() && rule["to"][0]["namespaceSelector"] == serde_json::json!({}) && rule["to"][0].get("podSelector").is_none() {
                v.push((Some("all pods".into()), None));
            }
            continue;
        }
        for p in rule["ports"].as_array().unwrap() {
            v.push((cidr.clone(), p["port"].as_u64()));
        }
    }
    v
}

/// Egress follows the stack: Alertmanager reaches its receivers (a URL's host port; a secret
/// URL, unknown until run time, its scheme's ports; e-mail its smarthost), Grafana its
/// datasources outside the stack (`db.internal:5432`), every component the target's typed
/// `egress` list, and Prometheus with service discovery the pods it discovers; the policies
/// pass `kubernetes-validate --strict`, and `network_policies = false` writes none.
#[test]
fn network_policies_allow_receivers_datasources_and_the_egress_list() {
    if skip_without(&["kubernetes-validate"]) {
        return;
    }
    let kv = require("kubernetes-validate");
    // the bundled example: a webhook from a secret, a Postgres datasource
    let (_d, out) = build("egress-example");
    let objs = docs(&manifests(&out));
    let np = |objs: &[serde_json::Value], name: &str| objs.iter().find(|o| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == name).cloned().unwrap();
    let am = egress_of(&np(&objs, "alertmanager"));
    assert!(am.contains(&(None, Some(443))) && am.contains(&(None, Some(80))), "{am:?}");
    assert!(egress_of(&np(&objs, "grafana")).contains(&(None, Some(5432))));

    let dir = TempDir::new("egress");
    let src = r##"stack eg {
  prometheus {}
  grafana {}
  alertmanager {
    receiver hooks { webhook = "http://hooks.internal:8080/alert" }
    receiver chat { slack_webhook = "https://hooks.slack.com/services/X", slack_channel = "#ops" }
    receiver mail { email = "ops@example.com" }
    route { receiver = hooks }
    settings { global = { smtp_smarthost = "smtp.example.com:2525", smtp_from = "am@example.com" } }
  }
}

datasource shop {
  type = mysql
  url = "mysql.shop.svc"
  database = "shop"
}

target kubernetes {
  service_discovery = true
  egress = ["10.20.0.0/16:8443", "9418", "[fd00::/8]:5432"]
}
"##;
    let file = dir.path().join("eg.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    let (ok, text) = gstackc(&file, &out);
    assert!(ok, "{text}");
    let files = manifests(&out);
    let objs = docs(&files);
    let am = egress_of(&np(&objs, "alertmanager"));
    for port in [8080, 443, 2525] {
        assert!(am.contains(&(None, Some(port))), "alertmanager to port {port}: {am:?}");
    }
    assert!(!am.contains(&(None, Some(80))), "no port of a URL the config does not hold: {am:?}");
    assert!(egress_of(&np(&objs, "grafana")).contains(&(None, Some(3306))), "mysql's usual port");
    for name in ["prometheus", "grafana", "alertmanager"] {
        let e = egress_of(&np(&objs, name));
        assert!(e.contains(&(Some("10.20.0.0/16".into()), Some(8443))), "{name}: {e:?}");
        assert!(e.contains(&(Some("fd00::/8".into()), Some(5432))), "{name}: {e:?}");
        assert!(e.contains(&(None, Some(9418))), "{name}: {e:?}");
    }
    assert!(egress_of(&np(&objs, "prometheus")).contains(&(Some("all pods".into()), None)), "discovered pods on any port");
    assert!(!egress_of(&np(&objs, "grafana")).contains(&(Some("all pods".into()), None)));
    for v in VERSIONS {
        let (ok, text) = run(Command::new(&kv).args(["--strict", "-k", v]).args(&files));
        assert!(ok, "kubernetes-validate {v}:\n{text}");
    }

    // off: no policy at all (the default deny included)
    std::fs::write(&file, src.replace("service_discovery = true", "service_discovery = true\n  network_policies = false")).unwrap();
    let out = dir.path().join("out-off");
    let (ok, text) = gstackc(&file, &out);
    assert!(ok, "{text}");
    let objs = docs(&manifests(&out));
    assert!(!objs.iter().any(|o| o["kind"] == "NetworkPolicy"), "no NetworkPolicy");
    assert!(!out.join("kubernetes/default-deny.yaml").exists());
}

fn helm_template(chart: &Path, ns: &str) -> (String, Vec<serde_json::Value>) {
    let helm = require("helm");
    let o = Command::new(&helm).args(["template", "shop"]).arg(chart).args(["--namespace", ns]).output().unwrap();
    assert!(o.status.success(), "helm template: {}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let objs = serde_norway::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .filter(|v: &serde_json::Value| !v.is_null())
        .collect();
    (text, objs)
}

/// `helm install -n monitoring` wires every address in the configs (Prometheus' targets and
/// Alertmanager, Grafana's datasources, Loki's and Tempo's URLs, external URLs) to the release's
/// namespace, inside the ConfigMaps too; neither the chart nor the kustomization owns a
/// Namespace (uninstalling never deletes the user's namespace with its Secrets and volumes);
/// the config hash still changes with the config. promtool reads the rendered Prometheus config.
#[test]
fn helm_chart_wires_every_address_to_the_release_namespace() {
    if skip_without(&["helm"]) {
        return;
    }
    let promtool = require("promtool");
    let dir = TempDir::new("helm-ns");
    let out = dir.path().join("out");
    gstackc_build(&root().join("examples/default.gstack"), &out, &[]);
    let chart = out.join("helm/shop-observability");
    let (text, objs) = helm_template(&chart, "monitoring");
    assert!(!text.contains(".observability.svc") && !text.contains("gstack-release-namespace"), "an address outside the release's namespace");
    assert!(!objs.iter().any(|o| o["kind"] == "Namespace"), "the chart owns no Namespace");
    assert!(!docs(&manifests(&out)).iter().any(|o| o["kind"] == "Namespace"), "the kustomization owns no Namespace");
    let kust = std::fs::read_to_string(out.join("kubernetes/kustomization.yaml")).unwrap();
    assert!(kust.contains("kubectl create namespace observability"), "{kust}");
    let cm = |name: &str, key: &str| -> String {
        objs.iter().find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == name).unwrap()["data"][key].as_str().unwrap().to_string()
    };
    let prom = cm("prometheus-config", "prometheus.yml");
    for want in ["alertmanager.monitoring.svc:9093", "prometheus.monitoring.svc:9090", "loki.monitoring.svc:3100", "node-exporter.monitoring.svc"] {
        assert!(prom.contains(want), "{want} in\n{prom}");
    }
    assert!(cm("grafana-config", "provisioning__datasources__stack.yaml").contains("url: http://prometheus.monitoring.svc:9090"));
    assert!(cm("loki-config", "loki.yaml").contains("alertmanager_url: http://alertmanager.monitoring.svc:9093"));
    assert!(cm("tempo-config", "tempo.yaml").contains("http://prometheus.monitoring.svc:9090/api/v1/write"));
    assert!(text.contains("--web.external-url=http://prometheus.monitoring.svc:9090"));
    let f = dir.path().join("prometheus.yml");
    std::fs::write(&f, &prom).unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let (ok, t) = run(Command::new(&promtool).args(["check", "config", "--syntax-only"]).arg(&f));
    assert!(ok, "promtool:\n{t}");
    // a config change rolls the pods
    let hash = |objs: &[serde_json::Value]| {
        objs.iter().find(|o| o["kind"] == "StatefulSet" && o["metadata"]["name"] == "prometheus").unwrap()["spec"]["template"]["metadata"]["annotations"]
            ["gstack.dev/config-hash"]
            .clone()
    };
    let ov = dir.path().join("ov.json");
    std::fs::write(&ov, r#"{ "stack": { "prometheus": { "scrape_interval": "30s" } } }"#).unwrap();
    let out2 = dir.path().join("out2");
    gstackc_build(&root().join("examples/default.gstack"), &out2, &["--overrides", ov.to_str().unwrap()]);
    let (_, objs2) = helm_template(&out2.join("helm/shop-observability"), "monitoring");
    assert_ne!(hash(&objs), hash(&objs2), "the config hash follows the config");
}

/// Requests are set apart from limits (`cpu_request`, `memory_request`), default below them,
/// never above (a lower limit caps the default; a request above its limit is E0603); a storage
/// class is written only when set, in the target and the chart (`helm template` renders it).
#[test]
fn requests_apart_from_limits_and_storage_class_only_when_set() {
    if skip_without(&["kubernetes-validate"]) {
        return;
    }
    let kv = require("kubernetes-validate");
    let dir = TempDir::new("k8s-res");
    let src = r#"stack res {
  prometheus {}
  loki {}
  grafana {}
}

target kubernetes {
  resources prometheus { cpu = 2, memory = 4GiB, cpu_request = 1500m, memory_request = 3GiB }
  resources loki { cpu = 50m, memory = 128MiB }
}
target helm {}
"#;
    let file = dir.path().join("res.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &[]);
    let files = manifests(&out);
    let objs = docs(&files);
    let res = |name: &str| objs.iter().find(|o| o["kind"] == "StatefulSet" && o["metadata"]["name"] == name).unwrap()["spec"]["template"]["spec"]["containers"][0]["resources"].clone();
    assert_eq!(res("prometheus"), serde_json::json!({ "requests": { "cpu": "1500m", "memory": "3Gi" }, "limits": { "cpu": "2", "memory": "4Gi" } }));
    assert_eq!(res("loki"), serde_json::json!({ "requests": { "cpu": "50m", "memory": "128Mi" }, "limits": { "cpu": "50m", "memory": "128Mi" } }));
    for o in objs.iter().filter(|o| o["kind"] == "StatefulSet") {
        assert!(o["spec"]["volumeClaimTemplates"][0]["spec"].get("storageClassName").is_none(), "{}", o["metadata"]["name"]);
    }
    let (ok, text) = run(Command::new(&kv).args(["--strict", "-k", "1.37"]).args(&files));
    assert!(ok, "{text}");
    let (text, _) = helm_template(&out.join("helm/res"), "obs");
    assert!(!text.contains("storageClassName"), "the chart writes no class by default");
    // set: in both
    std::fs::write(&file, src.replace("target kubernetes {", "target kubernetes {\n  storage_class = \"fast-ssd\"")).unwrap();
    let out = dir.path().join("out2");
    gstackc_build(&file, &out, &[]);
    assert!(docs(&manifests(&out)).iter().filter(|o| o["kind"] == "StatefulSet").all(|o| o["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast-ssd"));
    let (_, rendered) = helm_template(&out.join("helm/res"), "obs");
    let sts: Vec<_> = rendered.iter().filter(|o| o["kind"] == "StatefulSet").collect();
    assert!(!sts.is_empty() && sts.iter().all(|o| o["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast-ssd"));
}

/// Grafana's NetworkPolicy lets its contact points' notifications out: a webhook URL's port, a
/// Slack URL read from a secret on 443 and 80, e-mail on the port of `settings.smtp.host`.
#[test]
fn network_policies_let_grafana_contact_points_out() {
    let dir = TempDir::new("egress-contact-points");
    let src = r##"stack cp {
  prometheus {}
  grafana {
    settings { smtp = { enabled = true, host = "smtp.example.com:2587" } }
    contact_point hooks { webhook = "https://hooks.example.com:8443/alert" }
    contact_point team {
      email = "ops@example.com"
      slack = { url = secret.env("SLACK_URL") }
    }
    contact_point pager {
      pagerduty = { integrationKey = secret.env("PD_KEY"), url = "https://events.example.com:9443/v2/enqueue" }
      telegram = { bottoken = secret.env("TG_TOKEN"), chatid = "-100123" }
    }
  }
}

target kubernetes {}
"##;
    let file = dir.path().join("cp.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    let (ok, text) = gstackc(&file, &out);
    assert!(ok, "{text}");
    let objs = docs(&manifests(&out));
    let np = objs
        .iter()
        .find(|o| o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == "grafana")
        .unwrap();
    let e = egress_of(np);
    // (PagerDuty's own URL's port; Telegram's default endpoint on 443)
    for port in [8443, 443, 80, 2587, 9443] {
        assert!(
            e.contains(&(None, Some(port))),
            "grafana to port {port}: {e:?}"
        );
    }
    assert!(
        !e.contains(&(None, Some(25))),
        "the SMTP host's port, not the usual ones: {e:?}"
    );
}

/// What `kubernetes/apply` prunes: every kind the target writes is in its list, every object
/// carries the stack's namespace label (templated by the chart), and cluster-scoped objects
/// are named after the namespace, so the same stack in two namespaces (or two releases of the
/// chart) never shares or prunes the other's ClusterRole.
#[test]
fn objects_are_selected_per_namespace_for_pruning() {
    if skip_without(&["helm"]) {
        return;
    }
    let dir = TempDir::new("k8s-prune-static");
    let ov = dir.path().join("overrides.json");
    std::fs::write(
        &ov,
        r#"{ "targets": { "kubernetes": { "service_discovery": true } } }"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    gstackc_build(
        &root().join("examples/default.gstack"),
        &out,
        &["--overrides", ov.to_str().unwrap()],
    );
    let objs = docs(&manifests(&out));
    let script = std::fs::read_to_string(out.join("kubernetes/apply")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert!(
        std::fs::metadata(out.join("kubernetes/apply"))
            .unwrap()
            .permissions()
            .mode()
            & 0o111
            != 0,
        "kubernetes/apply is not executable"
    );
    let kinds: BTreeSet<String> = objs
        .iter()
        .map(|o| o["kind"].as_str().unwrap().to_string())
        .collect();
    for (gvk, resource) in gstack::targets::kubernetes::PRUNE_KINDS {
        assert!(
            script.contains(resource),
            "{gvk} ({resource}) is not pruned by kubernetes/apply:\n{script}"
        );
    }
    for k in &kinds {
        assert!(
            gstack::targets::kubernetes::PRUNE_KINDS
                .iter()
                .any(|(gvk, _)| gvk.ends_with(&format!("/{k}"))),
            "{k} is written but never pruned"
        );
        assert!(
            !["Secret", "PersistentVolumeClaim"].contains(&k.as_str()),
            "{k} would be pruned"
        );
    }
    for line in script.lines().filter(|l| l.contains(" get ")) {
        assert!(
            !line.contains("secrets") && !line.contains("persistentvolumeclaims"),
            "{line}"
        );
    }
    for o in &objs {
        assert_eq!(
            o["metadata"]["labels"]["gstack.dev/namespace"], "observability",
            "{} {}",
            o["kind"], o["metadata"]["name"]
        );
    }
    let role = objs.iter().find(|o| o["kind"] == "ClusterRole").unwrap();
    assert_eq!(
        role["metadata"]["name"],
        "shop-observability-prometheus-discovery"
    );
    let (ok, text) = run(Command::new("bash")
        .arg("-n")
        .arg(out.join("kubernetes/apply")));
    assert!(ok, "bash -n kubernetes/apply: {text}");
    // two releases of the chart in two namespaces: their own ClusterRoles
    let chart = out.join("helm/shop-observability");
    let names = |ns: &str| -> BTreeSet<String> {
        let (_, objs) = helm_template(&chart, ns);
        for o in &objs {
            assert_eq!(
                o["metadata"]["labels"]["gstack.dev/namespace"], ns,
                "{} {}",
                o["kind"], o["metadata"]["name"]
            );
        }
        let binding = objs
            .iter()
            .find(|o| o["kind"] == "ClusterRoleBinding")
            .unwrap();
        assert_eq!(binding["roleRef"]["name"], binding["metadata"]["name"]);
        objs.iter()
            .filter(|o| o["kind"].as_str().unwrap().starts_with("ClusterRole"))
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (names("monitoring"), names("staging"));
    assert_eq!(
        a,
        BTreeSet::from(["shop-monitoring-prometheus-discovery".to_string()])
    );
    assert!(a.is_disjoint(&b), "{a:?} {b:?}");
}

/// A scrape target on a loopback address is the Prometheus pod itself in a cluster: W0605
/// without `loopback_host`; with it, the target names that host and keeps its port.
#[test]
fn loopback_scrape_targets_name_the_loopback_host() {
    let dir = TempDir::new("k8s-loopback");
    let src = "stack lb {\n  prometheus {\n    scrape app { targets = [\"127.0.0.1:8080\", \"localhost:9000\", \"db.internal:9187\"] }\n  }\n}\n\ntarget kubernetes {}\n";
    let file = dir.path().join("lb.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    let (ok, text) = gstackc(&file, &out);
    assert!(ok, "{text}");
    assert_eq!(text.matches("W0605").count(), 2, "{text}");
    std::fs::write(
        &file,
        src.replace(
            "target kubernetes {}",
            "target kubernetes { loopback_host = \"cart.shop.svc\" }",
        ),
    )
    .unwrap();
    let out = dir.path().join("out2");
    let (ok, text) = gstackc(&file, &out);
    assert!(ok && !text.contains("W0605"), "{text}");
    let objs = docs(&manifests(&out));
    let cfg = objs
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == "prometheus-config")
        .unwrap()["data"]["prometheus.yml"]
        .as_str()
        .unwrap()
        .to_string();
    for want in [
        "cart.shop.svc:8080",
        "cart.shop.svc:9000",
        "db.internal:9187",
    ] {
        assert!(cfg.contains(want), "{want} in\n{cfg}");
    }
    assert!(
        !cfg.contains("127.0.0.1:8080") && !cfg.contains("localhost:9000"),
        "{cfg}"
    );
}
