//! The panels of every generated benchmark dashboard, shared by `gen_stack.rs` (gstack) and
//! `gen_jsonnet.rs` (Grafonnet), so both sides write the same dashboards.

/// (title, query template, unit, legend): `SVC` is replaced by the service name.
pub const PANELS: &[(&str, &[(&str, &str, &str, &str)])] = &[
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
