//! LogQL's functions, aggregations, pipeline stages and keywords, after Loki's query pages
//! (`query/log_queries`, `query/metric_queries`, `query/_index`) for Loki 3.5, the version
//! the stack renders; the names are those of `sema::logql`'s parser (the tests hold them
//! together).

use super::{Doc, DocKind};

macro_rules! d {
    ($kind:ident, $name:literal, $sig:literal, $desc:literal, $page:literal) => {
        Doc { name: $name, kind: DocKind::$kind, sig: $sig, desc: $desc, url: concat!("https://grafana.com/docs/loki/latest/query/", $page), experimental: false }
    };
}
macro_rules! range {
    ($name:literal, $sig:literal, $desc:literal) => {
        d!(Function, $name, $sig, $desc, "metric_queries/#log-range-aggregations")
    };
}
macro_rules! unwrapped {
    ($name:literal, $sig:literal, $desc:literal) => {
        d!(Function, $name, $sig, $desc, "metric_queries/#unwrapped-range-aggregations")
    };
}
macro_rules! agg {
    ($name:literal, $sig:literal, $desc:literal) => {
        d!(Aggregation, $name, $sig, $desc, "metric_queries/#built-in-aggregation-operators")
    };
}

/// LogQL's documented words: range aggregations and functions, vector aggregations,
/// pipeline stages, keywords.
pub const DOCS: &[Doc] = &[
    range!("rate", "rate(log-range) → instant vector", "The number of lines per second over the range (with `| unwrap`: the per-second rate of the values)."),
    unwrapped!("rate_counter", "rate_counter(log-range | unwrap label) → instant vector", "The per-second rate of the unwrapped values, read as a counter (resets adjusted)."),
    range!("count_over_time", "count_over_time(log-range) → instant vector", "The number of lines of each stream in the range."),
    range!("bytes_rate", "bytes_rate(log-range) → instant vector", "The number of bytes per second of each stream over the range."),
    range!("bytes_over_time", "bytes_over_time(log-range) → instant vector", "The number of bytes of each stream in the range."),
    unwrapped!("avg_over_time", "avg_over_time(log-range | unwrap label) [by|without (labels)] → instant vector", "The average of the unwrapped values in the range."),
    unwrapped!("sum_over_time", "sum_over_time(log-range | unwrap label) → instant vector", "The sum of the unwrapped values in the range."),
    unwrapped!("min_over_time", "min_over_time(log-range | unwrap label) [by|without (labels)] → instant vector", "The smallest unwrapped value in the range."),
    unwrapped!("max_over_time", "max_over_time(log-range | unwrap label) [by|without (labels)] → instant vector", "The largest unwrapped value in the range."),
    unwrapped!("stdvar_over_time", "stdvar_over_time(log-range | unwrap label) [by|without (labels)] → instant vector", "The population variance of the unwrapped values in the range."),
    unwrapped!("stddev_over_time", "stddev_over_time(log-range | unwrap label) [by|without (labels)] → instant vector", "The population standard deviation of the unwrapped values in the range."),
    unwrapped!("quantile_over_time", "quantile_over_time(φ scalar, log-range | unwrap label) [by|without (labels)] → instant vector", "The φ-quantile (0 ≤ φ ≤ 1) of the unwrapped values in the range."),
    unwrapped!("first_over_time", "first_over_time(log-range | unwrap label) [by|without (labels)] → instant vector", "The first unwrapped value in the range."),
    unwrapped!("last_over_time", "last_over_time(log-range | unwrap label) [by|without (labels)] → instant vector", "The last unwrapped value in the range."),
    range!("absent_over_time", "absent_over_time(log-range) → instant vector", "A 1-element vector of value 1 when the range has no line, else nothing (alerts on silence)."),
    d!(Function, "label_replace", "label_replace(v instant-vector, dst_label string, replacement string, src_label string, regex string) → instant vector", "`v` with `dst_label` set to `replacement` (with `$1` … from `regex` matched against `src_label`).", "metric_queries/"),
    d!(Function, "vector", "vector(s scalar) → instant vector", "The number as a vector of one sample without labels (`… or vector(0)`).", "metric_queries/"),
    agg!("sum", "sum [by|without (labels)] (v instant-vector) → instant vector", "The sum of the samples, per group."),
    agg!("avg", "avg [by|without (labels)] (v instant-vector) → instant vector", "The average of the samples, per group."),
    agg!("min", "min [by|without (labels)] (v instant-vector) → instant vector", "The smallest sample, per group."),
    agg!("max", "max [by|without (labels)] (v instant-vector) → instant vector", "The largest sample, per group."),
    agg!("stddev", "stddev [by|without (labels)] (v instant-vector) → instant vector", "The population standard deviation of the samples, per group."),
    agg!("stdvar", "stdvar [by|without (labels)] (v instant-vector) → instant vector", "The population variance of the samples, per group."),
    agg!("count", "count [by|without (labels)] (v instant-vector) → instant vector", "The number of samples, per group."),
    agg!("topk", "topk [by|without (labels)] (k, v instant-vector) → instant vector", "The `k` largest samples, per group."),
    agg!("bottomk", "bottomk [by|without (labels)] (k, v instant-vector) → instant vector", "The `k` smallest samples, per group."),
    agg!("approx_topk", "approx_topk(k, v instant-vector) → instant vector", "About the `k` largest samples, estimated (a probabilistic sketch; Loki's query frontend)."),
    agg!("sort", "sort(v instant-vector) → instant vector", "`v` sorted by value, ascending."),
    agg!("sort_desc", "sort_desc(v instant-vector) → instant vector", "`v` sorted by value, descending."),
    d!(Stage, "json", "| json [label=\"expression\", …]", "Extracts the JSON fields of each line as labels (nested keys joined with `_`), or only the given ones.", "log_queries/#json"),
    d!(Stage, "logfmt", "| logfmt [--strict] [--keep-empty] [label=\"key\", …]", "Extracts the `key=value` pairs of each line as labels.", "log_queries/#logfmt"),
    d!(Stage, "regexp", "| regexp \"re\"", "Extracts the named captures `(?P<name>…)` of an RE2 regex as labels.", "log_queries/#regular-expression"),
    d!(Stage, "pattern", "| pattern \"<name> - <_> …\"", "Extracts the `<name>` parts of a line pattern as labels (`<_>` skips).", "log_queries/#pattern"),
    d!(Stage, "unpack", "| unpack", "Unpacks the JSON lines packed by Promtail's `pack` stage: the embedded labels become labels, `_entry` the line.", "log_queries/#unpack"),
    d!(Stage, "line_format", "| line_format \"{{.label}} …\"", "Rewrites each line with a Go template over its labels.", "log_queries/#line-format-expression"),
    d!(Stage, "label_format", "| label_format dst=\"{{template}}\", dst=src", "Renames labels (`dst=src`) or sets them from a Go template.", "log_queries/#labels-format-expression"),
    d!(Stage, "decolorize", "| decolorize", "Strips ANSI colour codes from each line.", "log_queries/#removing-color-codes"),
    d!(Stage, "drop", "| drop label, label=\"value\", …", "Removes these labels (or only those with this value) from the result.", "log_queries/#drop-labels-expression"),
    d!(Stage, "keep", "| keep label, label=\"value\", …", "Keeps only these labels (or those with this value) in the result.", "log_queries/#keep-labels-expression"),
    d!(Stage, "unwrap", "| unwrap label  or  | unwrap duration(label) / duration_seconds(label) / bytes(label)", "Takes the values of a label as the samples of a range aggregation (`sum_over_time`, `quantile_over_time`, …).", "metric_queries/#unwrapped-range-aggregations"),
    d!(Keyword, "by", "<aggregation> by (labels) (…)", "Keeps only these labels: one output series per distinct combination of their values.", "metric_queries/#built-in-aggregation-operators"),
    d!(Keyword, "without", "<aggregation> without (labels) (…)", "Drops these labels and aggregates over the series that then look alike.", "metric_queries/#built-in-aggregation-operators"),
    d!(Keyword, "offset", "<range-aggregation>(… [5m] offset d)", "Reads the range as it was the duration `d` earlier.", "metric_queries/"),
    d!(Keyword, "bool", "a <comparison> bool b", "The comparison gives 0 or 1 instead of filtering.", "#comparison-operators"),
    d!(Keyword, "on", "a <op> on (labels) b", "Matches the series of the two sides on these labels only.", "#binary-operators"),
    d!(Keyword, "ignoring", "a <op> ignoring (labels) b", "Matches the series of the two sides on all labels but these.", "#binary-operators"),
    d!(Keyword, "group_left", "a <op> on (labels) group_left (extra) b", "Many-to-one matching; `extra` labels are copied from the right side.", "#binary-operators"),
    d!(Keyword, "group_right", "a <op> on (labels) group_right (extra) b", "One-to-many matching; `extra` labels are copied from the left side.", "#binary-operators"),
    d!(Keyword, "and", "a and b", "The series of `a` that have a match in `b` (between label filters: both must hold).", "#logical-and-set-operators"),
    d!(Keyword, "or", "a or b", "The series of `a`, and those of `b` without a match in `a` (between label filters or line filter strings: either holds).", "#logical-and-set-operators"),
    d!(Keyword, "unless", "a unless b", "The series of `a` without a match in `b`.", "#logical-and-set-operators"),
    d!(Keyword, "ip", "label = ip(\"10.0.0.0/8\")  /  |= ip(\"…\")", "Matches IPv4 or IPv6 addresses: one address, a range `a-b` or a CIDR.", "ip/"),
    d!(Keyword, "duration", "| unwrap duration(label)", "Reads a Go duration (`1m30s`) as seconds.", "metric_queries/#unwrapped-range-aggregations"),
    d!(Keyword, "duration_seconds", "| unwrap duration_seconds(label)", "Reads a Go duration (`1m30s`) as seconds.", "metric_queries/#unwrapped-range-aggregations"),
    d!(Keyword, "bytes", "| unwrap bytes(label)", "Reads a byte size (`5 MiB`, `3k`) as bytes.", "metric_queries/#unwrapped-range-aggregations"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sema::logql::{self, all_functions, STAGES, VECTOR_FUNCTIONS};

    fn names(kinds: &[DocKind]) -> Vec<&'static str> {
        let mut v: Vec<&str> = DOCS.iter().filter(|d| kinds.contains(&d.kind)).map(|d| d.name).collect();
        v.sort();
        v
    }

    #[test]
    fn the_tables_name_exactly_the_parsers_functions_and_stages() {
        let mut functions: Vec<&str> = all_functions().collect();
        functions.sort();
        assert_eq!(names(&[DocKind::Function, DocKind::Aggregation]), functions);
        let mut vector = VECTOR_FUNCTIONS.to_vec();
        vector.sort();
        assert_eq!(names(&[DocKind::Aggregation]), vector);
        let mut stages = STAGES.to_vec();
        stages.sort();
        assert_eq!(names(&[DocKind::Stage]), stages);
        let all: Vec<&str> = DOCS.iter().map(|d| d.name).collect();
        for (i, n) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(n), "{n} twice");
        }
    }

    #[test]
    fn the_keywords_are_ones_the_parser_reads() {
        for q in [
            "sum by (a) (rate({a=\"b\"}[5m]))",
            "sum without (a) (rate({a=\"b\"}[5m] offset 1h))",
            "rate({a=\"b\"}[5m]) > bool on (a) group_left (c) rate({a=\"b\"}[5m])",
            "rate({a=\"b\"}[5m]) / ignoring (a) group_right rate({a=\"b\"}[5m])",
            "rate({a=\"b\"}[5m]) and rate({a=\"b\"}[5m]) or rate({a=\"b\"}[5m]) unless rate({a=\"b\"}[5m])",
            "{a=\"b\"} | addr = ip(\"10.0.0.0/8\")",
            "sum_over_time({a=\"b\"} | logfmt | unwrap duration(d) [5m]) + sum_over_time({a=\"b\"} | logfmt | unwrap duration_seconds(d) [5m]) + sum_over_time({a=\"b\"} | logfmt | unwrap bytes(d) [5m])",
        ] {
            assert!(logql::parse(q).is_ok(), "{q}: {:?}", logql::parse(q));
        }
        for d in DOCS.iter().filter(|d| d.kind == DocKind::Keyword) {
            assert!(
                ["by", "without", "offset", "bool", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "ip", "duration", "duration_seconds", "bytes"].contains(&d.name),
                "{} is not a word of the queries above",
                d.name
            );
        }
    }
}
