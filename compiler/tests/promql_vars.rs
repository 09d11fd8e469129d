//! Grafana variables in `promql` literals: valid Grafana PromQL checks clean (no false E0400),
//! and errors after a variable still point at the right place. Regression for the
//! substituter that turned `$x` into `vx` (`[$interval]` became `[vinterval]`).

mod common;

fn check(src: &str) -> (bool, String) {
    let dir = common::TempDir::new("promql-vars");
    let f = dir.path().join("s.gstack");
    std::fs::write(&f, src).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg(&f).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn stack(queries: &[&str]) -> String {
    let panels: String = queries.iter().enumerate().map(|(i, q)| format!("  timeseries \"p{i}\" {{ query = promql`{q}` }}\n")).collect();
    format!(
        "stack s {{ prometheus {{}} grafana {{}} }}\n\ndashboard d {{\n  var interval = interval([\"1m\", \"5m\"])\n  var shift = custom([\"1h\", \"1d\"])\n  var k = custom([\"5\", \"10\"])\n  var job = query(prometheus, \"label_values(up, job)\")\n{panels}}}\n"
    )
}

#[test]
fn valid_grafana_promql_checks_clean() {
    let (ok, out) = check(&stack(&[
        "rate(http_requests_total[$interval])",
        "sum(rate(x[$${interval}] offset $shift))",
        "topk($k, sum by (job) (rate(x[$__rate_interval])))",
        "rate(x[5m]) * $__interval_ms / $__range_s",
        "sum by ($job) (up{job=~\"$job\"})",
        "x_recv{job=\"$job\"}",
        "rate(x[[[interval]]])",
        // Grafana's variables with a format (issue #16): written as they are, no `$${`
        "sum(up{job=~\"${job:regex}\"})",
        "count(up{job=~\"${job:pipe}\"}) > ${k:raw}",
        "timestamp(up) > ${__from:date:seconds}",
    ]));
    assert!(ok, "{out}");
    assert!(!out.contains("E0400"), "{out}");
}

/// `${var:format}` reaches Grafana as written, in queries and in titles; an error after one is
/// still reported where it is.
#[test]
fn formatted_variables_stay_grafanas() {
    let dir = common::TempDir::new("promql-fmt");
    let f = dir.path().join("s.gstack");
    std::fs::write(
        &f,
        "stack s { prometheus {} grafana {} }\ndashboard d {\n  var job = query(prometheus, \"label_values(up, job)\")\n  timeseries \"Up of ${job:text}\" { query = promql`sum(up{job=~\"${job:regex}\"})` }\n}\ntarget native {}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    common::gstackc_build(&f, &out, &["--target", "native"]);
    let d: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("native/config/grafana/dashboards/general/d.json")).unwrap()).unwrap();
    assert_eq!(d["panels"][0]["title"], "Up of ${job:text}");
    assert_eq!(d["panels"][0]["targets"][0]["expr"], "sum(up{job=~\"${job:regex}\"})");
    let (ok, text) = check(&stack(&["sum(up{job=~\"${job:regex}\"}"]));
    assert!(!ok && text.contains("E0400"), "{text}");
}

#[test]
fn an_error_after_a_variable_is_still_reported() {
    let (ok, out) = check(&stack(&["sum(rate(x{job=\"$job\"}[$interval])) by (job"]));
    assert!(!ok, "{out}");
    assert!(out.contains("E0400"), "{out}");
}
