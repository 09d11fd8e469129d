//! Generate a synthetic but realistic gstack stack for the benchmarks in `bench/`.
//!
//! `cargo run --release -p gstack --example gen_stack -- DIR DASHBOARDS ALERTS [PER_FILE]`
//!
//! Writes `DIR/main.gstack` (one `stack` with prometheus, grafana, loki, alertmanager, and one
//! `import` per part) and `DIR/part_NNN.gstack`, each holding up to PER_FILE dashboards
//! (default 100; 1 is the one-dashboard-per-file layout of most dashboards-as-code
//! repositories) and its share of the alert rules. Every dashboard has three rows and ten `timeseries` panels, each with a
//! PromQL query, a unit and a legend. The output is deterministic.

use std::fmt::Write as _;
use std::path::PathBuf;


/// (title, query template, unit, legend): `SVC` is replaced by the service name.
const PANELS: &[(&str, &[(&str, &str, &str, &str)])] = &[
    (
        "Traffic",
        &[
            ("Requests/s", r#"sum by (route) (rate(http_requests_total{job="SVC", instance=~"$instance"}[5m]))"#, "reqps", "{{route}}"),
            ("Errors/s", r#"sum by (code) (rate(http_requests_total{job="SVC", code=~"5.."}[5m]))"#, "reqps", "{{code}}"),
            ("Error ratio", r#"sum(rate(http_requests_total{job="SVC", code=~"5.."}[5m])) / sum(rate(http_requests_total{job="SVC"}[5m]))"#, "percentunit", "5xx"),
            ("In-flight requests", r#"sum by (instance) (http_requests_in_flight{job="SVC"})"#, "short", "{{instance}}"),
        ],
    ),
    (
        "Latency",
        &[
            ("p50 latency", r#"histogram_quantile(0.5, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="SVC"}[5m])))"#, "s", "p50 {{route}}"),
            ("p90 latency", r#"histogram_quantile(0.9, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="SVC"}[5m])))"#, "s", "p90 {{route}}"),
            ("p99 latency", r#"histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="SVC"}[5m])))"#, "s", "p99 {{route}}"),
        ],
    ),
    (
        "Saturation",
        &[
            ("CPU", r#"sum by (instance) (rate(process_cpu_seconds_total{job="SVC"}[5m]))"#, "short", "{{instance}}"),
            ("Resident memory", r#"sum by (instance) (process_resident_memory_bytes{job="SVC"})"#, "bytes", "{{instance}}"),
            ("Open file descriptors", r#"max by (instance) (process_open_fds{job="SVC"} / process_max_fds{job="SVC"})"#, "percentunit", "{{instance}}"),
        ],
    ),
];

fn svc(i: usize) -> String {
    format!("svc{i:05}")
}

fn dashboard(out: &mut String, i: usize) {
    let s = svc(i);
    let team = i / 25;
    writeln!(out, "/// Service {s}: traffic, latency and saturation.").unwrap();
    writeln!(out, "dashboard {s} {{").unwrap();
    writeln!(out, "  title  = \"Service {s}\"").unwrap();
    writeln!(out, "  folder = \"Team {team:03}\"").unwrap();
    writeln!(out, "  tags   = [\"{s}\", \"team{team:03}\", \"generated\"]").unwrap();
    writeln!(out, "  var instance = query(prometheus, \"label_values(up, instance)\")").unwrap();
    for (row, panels) in PANELS {
        writeln!(out).unwrap();
        writeln!(out, "  row \"{row}\" {{").unwrap();
        for (title, q, unit, legend) in *panels {
            writeln!(out, "    timeseries \"{title}\" {{").unwrap();
            writeln!(out, "      query  = promql`{}`", q.replace("SVC", &s)).unwrap();
            writeln!(out, "      unit   = {unit}").unwrap();
            writeln!(out, "      legend = \"{legend}\"").unwrap();
            writeln!(out, "    }}").unwrap();
        }
        writeln!(out, "  }}").unwrap();
    }
    writeln!(out, "}}\n").unwrap();
}

fn alert(out: &mut String, j: usize, n_dash: usize) {
    let s = svc(j % n_dash.max(1));
    let (name, expr, for_, sev, summary) = match j % 4 {
        0 => ("HighErrorRate", format!(r#"sum(rate(http_requests_total{{job="{s}", code=~"5.."}}[5m])) / sum(rate(http_requests_total{{job="{s}"}}[5m])) > 0.05"#), "10m", "critical", "5xx above 5% on {{ $labels.job }}"),
        1 => ("SlowRequests", format!(r#"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{job="{s}"}}[5m]))) > 2"#), "15m", "warning", "p99 latency above 2s"),
        2 => ("InstanceDown", format!(r#"up{{job="{s}"}} == 0"#), "5m", "critical", "{{ $labels.instance }} is down"),
        _ => ("HighMemory", format!(r#"process_resident_memory_bytes{{job="{s}"}} > 2 * 1024 * 1024 * 1024"#), "30m", "warning", "{{ $labels.instance }} uses more than 2GiB"),
    };
    writeln!(out, "alert {name}_{j:05} {{").unwrap();
    writeln!(out, "  expr     = promql`{expr}`").unwrap();
    writeln!(out, "  for      = {for_}").unwrap();
    writeln!(out, "  severity = {sev}").unwrap();
    writeln!(out, "  summary  = \"{summary}\"").unwrap();
    writeln!(out, "}}\n").unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 3 && args.len() != 4 {
        eprintln!("usage: gen_stack DIR DASHBOARDS ALERTS [PER_FILE]");
        std::process::exit(2);
    }
    let dir = PathBuf::from(&args[0]);
    let n_dash: usize = args[1].parse().expect("DASHBOARDS is a number");
    let n_alert: usize = args[2].parse().expect("ALERTS is a number");
    let per_file: usize = args.get(3).map(|s| s.parse().expect("PER_FILE is a number")).unwrap_or(100).max(1);
    std::fs::create_dir_all(&dir).expect("create output directory");

    let parts = n_dash.div_ceil(per_file).max(1);
    let mut root = String::new();
    root.push_str("// Generated by compiler/examples/gen_stack.rs for bench/compile.sh.\n\n");
    for p in 0..parts {
        writeln!(root, "import \"./part_{p:03}.gstack\"").unwrap();
    }
    root.push_str(
        r#"
/// The benchmark stack.
stack bench {
  grafana { port = 3000 }
  prometheus {
    retention = 15d
    scrape app {
      targets  = ["127.0.0.1:8080"]
      interval = 15s
    }
  }
  loki { retention = 31d }
  alertmanager {
    receiver oncall { webhook = secret.env("ONCALL_URL") }
    route { receiver = oncall, group_by = ["alertname", "job"] }
  }
}
"#,
    );
    std::fs::write(dir.join("main.gstack"), root).expect("write main.gstack");

    for p in 0..parts {
        let mut out = format!("/// Dashboards {}..{} and their alerts.\n\n", p * per_file, ((p + 1) * per_file).min(n_dash));
        for i in p * per_file..((p + 1) * per_file).min(n_dash) {
            dashboard(&mut out, i);
        }
        // alerts are spread evenly over the parts
        for j in (0..n_alert).filter(|j| j % parts == p) {
            alert(&mut out, j, n_dash);
        }
        std::fs::write(dir.join(format!("part_{p:03}.gstack")), out).expect("write part");
    }
    println!("{} dashboards, {} alerts, {} files in {}", n_dash, n_alert, parts + 1, dir.display());
}
