//! Grafana secure by default (issue #14): no stack keeps Grafana's `admin`/`admin` or the
//! `secret_key` every Grafana ships with — what the source does not give is read from the
//! environment secrets `GRAFANA_ADMIN_PASSWORD` and `GRAFANA_SECRET_KEY`, which each target
//! insists on before Grafana starts — and the session cookie is `Secure` when Grafana is
//! served over TLS.

mod common;
use common::*;

/// Build `src` for `target` and return the text holding grafana.ini (for Kubernetes, the
/// manifest whose ConfigMap carries it) and the whole output directory.
fn grafana_ini(dir: &TempDir, src: &str, target: &str) -> (String, std::path::PathBuf) {
    let file = dir.path().join(format!("{target}.gstack"));
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join(format!("out-{target}"));
    gstackc_build(&file, &out, &["--target", target]);
    let ini = match target {
        "kubernetes" => out.join("kubernetes/grafana.yaml"),
        t => out.join(format!("{t}/config/grafana/grafana.ini")),
    };
    (std::fs::read_to_string(&ini).unwrap_or_else(|e| panic!("{}: {e}", ini.display())), out)
}

/// The value of `key` in grafana.ini's text (the Kubernetes ConfigMap indents it).
fn value<'a>(ini: &'a str, key: &str) -> Option<&'a str> {
    ini.lines().map(str::trim).find_map(|l| l.strip_prefix(key).and_then(|r| r.trim_start().strip_prefix('=')).map(str::trim))
}

#[test]
fn grafana_never_keeps_its_default_credentials() {
    let dir = TempDir::new("grafana-defaults");
    for target in ["native", "systemd", "compose", "kubernetes"] {
        let (ini, out) = grafana_ini(&dir, &format!("stack s {{ grafana {{}} }}\ntarget {target} {{}}\n"), target);
        let pw = value(&ini, "admin_password").unwrap_or_else(|| panic!("{target}: no admin_password, so Grafana keeps `admin`:\n{ini}"));
        let key = value(&ini, "secret_key").unwrap_or_else(|| panic!("{target}: no secret_key, so Grafana keeps its built-in key:\n{ini}"));
        for (what, v, env) in [("admin_password", pw, "GRAFANA_ADMIN_PASSWORD"), ("secret_key", key, "GRAFANA_SECRET_KEY")] {
            // by reference: Grafana's `$__env{…}`, or a file the target writes from the variable
            assert!(v.starts_with("$__env{") || v.starts_with("$__file{"), "{target}: {what} = {v} is not a reference");
            let all: String = common::files_under(&out, &[""]).iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
            assert!(all.contains(env), "{target}: nothing in the output reads {env}");
        }
    }
    // natively, Grafana reads the variables itself: `run` refuses to start it without them
    let (_, out) = grafana_ini(&dir, "stack s { grafana {} }\ntarget native {}\n", "native");
    let pc = std::fs::read_to_string(out.join("native/process-compose.yaml")).unwrap();
    for env in ["GRAFANA_ADMIN_PASSWORD", "GRAFANA_SECRET_KEY"] {
        assert!(pc.contains(&format!("${{{env}:?the secret {env} is not set}}")), "native: Grafana starts without {env}:\n{pc}");
    }
    // the source's own references win
    let src = "stack s { grafana { admin = { password = secret.file(\"/run/pw\") } secret_key = secret.env(\"MY_KEY\") } }\ntarget native {}\n";
    let (ini, _) = grafana_ini(&dir, src, "native");
    assert_eq!(value(&ini, "admin_password"), Some("$__file{/run/pw}"));
    assert_eq!(value(&ini, "secret_key"), Some("$__env{MY_KEY}"));
}

#[test]
fn the_session_cookie_is_secure_when_grafana_is_served_over_tls() {
    let dir = TempDir::new("grafana-tls");
    let k8s = |ingress: &str| format!("stack s {{ grafana {{}} }}\ntarget kubernetes {{ {ingress} }}\n");
    let (ini, _) = grafana_ini(&dir, &k8s("ingress { host = \"g.example.com\", tls_secret = \"g-tls\" }"), "kubernetes");
    assert_eq!(value(&ini, "cookie_secure"), Some("true"), "{ini}");
    let (ini, _) = grafana_ini(&dir, &k8s("ingress { host = \"g.example.com\" }"), "kubernetes");
    assert_eq!(value(&ini, "cookie_secure"), None, "plain http: a Secure cookie would never come back\n{ini}");
    let (ini, _) = grafana_ini(&dir, "stack s { grafana { settings { server.protocol = https } } }\ntarget native {}\n", "native");
    assert_eq!(value(&ini, "cookie_secure"), Some("true"), "{ini}");
}

/// A datasource's `settings` land where Grafana reads them: a key of the datasource itself
/// (`editable`, `basicAuth`, …) at its top level, `jsonData = { … }` merged into `jsonData`
/// (never `jsonData.jsonData`), any other key in `jsonData`.
#[test]
fn datasource_settings_land_where_grafana_reads_them() {
    let src = "stack s { prometheus {} grafana {} }\ndatasource x {\n  type = prometheus\n  url = \"http://t:9090\"\n  settings {\n    jsonData = { timeInterval = \"30s\" }\n    editable = true\n    basicAuth = true\n    httpMethod = \"GET\"\n  }\n}\ntarget native {}\n";
    let dir = TempDir::new("ds-settings");
    let file = dir.path().join("s.gstack");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    gstackc_build(&file, &out, &["--target", "native"]);
    let text = std::fs::read_to_string(out.join("native/config/grafana/provisioning/datasources/stack.yaml")).unwrap();
    let doc: serde_json::Value = serde_norway::from_str(&text).unwrap();
    let x = doc["datasources"].as_array().unwrap().iter().find(|d| d["name"] == "x").unwrap().clone();
    assert_eq!((x["editable"].as_bool(), x["basicAuth"].as_bool()), (Some(true), Some(true)), "{x}");
    assert_eq!((x["jsonData"]["timeInterval"].as_str(), x["jsonData"]["httpMethod"].as_str()), (Some("30s"), Some("GET")), "{x}");
    assert!(x["jsonData"].get("jsonData").is_none() && x["jsonData"].get("editable").is_none(), "{x}");
}
