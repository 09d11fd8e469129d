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

/// The value of `--web.external-url=` in an argument list.
fn external_url_arg<'a>(args: impl IntoIterator<Item = &'a str>) -> Option<String> {
    args.into_iter().find_map(|a| a.trim_matches('"').strip_prefix("--web.external-url=").map(str::to_string))
}

/// `http://host:port` → (host, port).
fn authority(url: &str) -> (String, u16) {
    let rest = url.strip_prefix("http://").unwrap_or_else(|| panic!("not an http URL: {url}"));
    let (host, port) = rest.trim_end_matches('/').rsplit_once(':').unwrap_or_else(|| panic!("no port: {url}"));
    (host.to_string(), port.parse().unwrap())
}

#[test]
fn alert_links_point_where_each_targets_user_reaches_the_program() {
    let (pp, ap, lp) = (19090, 19093, 13100);
    let src = format!(
        r#"stack s {{
  prometheus {{ port = {pp} }}
  alertmanager {{
    port = {ap}
    receiver r {{ webhook = "http://x" }}
    route {{ receiver = r }}
  }}
  loki {{ port = {lp} }}
}}
target native {{ listen = "0.0.0.0" }}
target systemd {{}}
target compose {{ publish_on = "127.0.0.2" }}
target kubernetes {{ namespace = "obs" }}
"#
    );
    let (_d, out) = build("reach-urls", &src);
    let ruler = |dir: &str| yaml(&out.join(format!("{dir}/config/loki/loki.yaml")))["ruler"]["external_url"].as_str().map(str::to_string);

    // native (listening on every address) and systemd: this host's loopback, the programs' ports
    let pc = yaml(&out.join("native/process-compose.yaml"));
    for (name, port) in [("prometheus", pp), ("alertmanager", ap)] {
        let cmd = pc["processes"][name]["command"].as_str().unwrap();
        assert_eq!(external_url_arg(cmd.split(' ')), Some(format!("http://127.0.0.1:{port}")), "native {name}: {cmd}");
        let unit = std::fs::read_to_string(out.join(format!("systemd/gstack-s-{name}.service"))).unwrap();
        let exec = unit.lines().find(|l| l.starts_with("ExecStart=")).unwrap();
        assert!(exec.contains(&format!("--web.listen-address=127.0.0.1:{port}")), "{exec}");
        assert_eq!(external_url_arg(exec.split(' ')), Some(format!("http://127.0.0.1:{port}")), "systemd {name}: {exec}");
    }
    assert_eq!(ruler("native"), Some(format!("http://127.0.0.1:{lp}")));
    assert_eq!(ruler("systemd"), Some(format!("http://127.0.0.1:{lp}")));

    // compose: the address and port the service is published on
    let compose = yaml(&out.join("compose/docker-compose.yaml"));
    let published = |svc: &str| -> Vec<String> {
        compose["services"][svc]["ports"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().rsplitn(2, ':').nth(1).unwrap().to_string()).collect()
    };
    for name in ["prometheus", "alertmanager"] {
        let args: Vec<&str> = compose["services"][name]["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let url = external_url_arg(args.iter().copied()).unwrap_or_else(|| panic!("compose {name}: no external URL in {args:?}"));
        let (host, port) = authority(&url);
        assert!(published(name).contains(&format!("{host}:{port}")), "compose {name}: {url} is not published: {:?}", published(name));
        assert_eq!(host, "127.0.0.2");
    }
    let (host, port) = authority(&ruler("compose").unwrap());
    assert!(published("loki").contains(&format!("{host}:{port}")), "compose loki ruler: {host}:{port} vs {:?}", published("loki"));

    // Kubernetes: the Service of the program, by its in-cluster name
    for (name, port, url) in [
        ("prometheus", pp, None),
        ("alertmanager", ap, None),
        ("loki", lp, {
            let objs = docs(&out.join("kubernetes/loki.yaml"));
            let cm = objs.iter().find(|o| o["kind"] == "ConfigMap" && o["data"]["loki.yaml"].is_string()).expect("loki's ConfigMap");
            let cfg: serde_json::Value = serde_norway::from_str(cm["data"]["loki.yaml"].as_str().unwrap()).unwrap();
            cfg["ruler"]["external_url"].as_str().map(str::to_string)
        }),
    ] {
        let objs = docs(&out.join(format!("kubernetes/{name}.yaml")));
        let url = url.unwrap_or_else(|| {
            let sts = objs.iter().find(|o| o["kind"] == "StatefulSet" || o["kind"] == "Deployment").unwrap();
            let args = sts["spec"]["template"]["spec"]["containers"][0]["args"].as_array().unwrap();
            external_url_arg(args.iter().map(|a| a.as_str().unwrap())).unwrap_or_else(|| panic!("kubernetes {name}: no external URL"))
        });
        let svc = objs.iter().find(|o| o["kind"] == "Service").unwrap();
        let (host, p) = authority(&url);
        assert_eq!(host, format!("{}.{}.svc", svc["metadata"]["name"].as_str().unwrap(), svc["metadata"]["namespace"].as_str().unwrap()), "kubernetes {name}: {url}");
        assert_eq!(p, port);
        assert!(svc["spec"]["ports"].as_array().unwrap().iter().any(|sp| sp["port"] == port), "kubernetes {name}: the Service serves {port}: {svc}");
    }
}
