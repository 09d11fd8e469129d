//! PromQL's functions, aggregation operators and keywords, after Prometheus's
//! `querying/functions`, `querying/operators` and `querying/basics` pages; the functions are
//! those of the `promql-parser` crate the checker parses with (its table is private: the
//! tests below hold the two together).

use super::{Doc, DocKind};

const FUNCTIONS: &str = "https://prometheus.io/docs/prometheus/latest/querying/functions/";

macro_rules! f {
    ($name:literal, $sig:literal, $desc:literal) => {
        f!($name, $sig, $desc, $name)
    };
    ($name:literal, $sig:literal, $desc:literal, $anchor:literal) => {
        Doc { name: $name, kind: DocKind::Function, sig: $sig, desc: $desc, url: concat!("https://prometheus.io/docs/prometheus/latest/querying/functions/#", $anchor), experimental: false }
    };
}
/// An experimental function (`--enable-feature=promql-experimental-functions`).
macro_rules! x {
    ($name:literal, $sig:literal, $desc:literal) => {
        Doc { name: $name, kind: DocKind::Function, sig: $sig, desc: $desc, url: FUNCTIONS, experimental: true }
    };
    ($name:literal, $sig:literal, $desc:literal, $anchor:literal) => {
        Doc { name: $name, kind: DocKind::Function, sig: $sig, desc: $desc, url: concat!("https://prometheus.io/docs/prometheus/latest/querying/functions/#", $anchor), experimental: true }
    };
}
macro_rules! agg {
    ($name:literal, $sig:literal, $desc:literal) => {
        Doc { name: $name, kind: DocKind::Aggregation, sig: $sig, desc: $desc, url: "https://prometheus.io/docs/prometheus/latest/querying/operators/#aggregation-operators", experimental: false }
    };
}
macro_rules! kw {
    ($name:literal, $sig:literal, $desc:literal, $url:expr) => {
        Doc { name: $name, kind: DocKind::Keyword, sig: $sig, desc: $desc, url: $url, experimental: false }
    };
}

/// PromQL's documented words: the functions, then the aggregation operators, then keywords.
pub const DOCS: &[Doc] = &[
    f!("abs", "abs(v instant-vector) → instant vector", "Each sample's absolute value."),
    f!("absent", "absent(v instant-vector) → instant vector", "A 1-element vector of value 1 when `v` has no samples, else nothing (alerts on missing series)."),
    f!("absent_over_time", "absent_over_time(v range-vector) → instant vector", "A 1-element vector of value 1 when no series of `v` has a sample in the range, else nothing."),
    f!("acos", "acos(v instant-vector) → instant vector", "The arccosine of each sample, in radians.", "trigonometric-functions"),
    f!("acosh", "acosh(v instant-vector) → instant vector", "The inverse hyperbolic cosine of each sample.", "trigonometric-functions"),
    f!("asin", "asin(v instant-vector) → instant vector", "The arcsine of each sample, in radians.", "trigonometric-functions"),
    f!("asinh", "asinh(v instant-vector) → instant vector", "The inverse hyperbolic sine of each sample.", "trigonometric-functions"),
    f!("atan", "atan(v instant-vector) → instant vector", "The arctangent of each sample, in radians.", "trigonometric-functions"),
    f!("atanh", "atanh(v instant-vector) → instant vector", "The inverse hyperbolic tangent of each sample.", "trigonometric-functions"),
    f!("avg_over_time", "avg_over_time(v range-vector) → instant vector", "The average of each series' samples in the range.", "aggregation_over_time"),
    f!("ceil", "ceil(v instant-vector) → instant vector", "Each sample rounded up to the nearest integer."),
    f!("changes", "changes(v range-vector) → instant vector", "How many times each series' value changed in the range."),
    f!("clamp", "clamp(v instant-vector, min scalar, max scalar) → instant vector", "Each sample clamped to `[min, max]`."),
    f!("clamp_max", "clamp_max(v instant-vector, max scalar) → instant vector", "Each sample capped at `max`."),
    f!("clamp_min", "clamp_min(v instant-vector, min scalar) → instant vector", "Each sample raised to at least `min`."),
    f!("cos", "cos(v instant-vector) → instant vector", "The cosine of each sample (in radians).", "trigonometric-functions"),
    f!("cosh", "cosh(v instant-vector) → instant vector", "The hyperbolic cosine of each sample.", "trigonometric-functions"),
    f!("count_over_time", "count_over_time(v range-vector) → instant vector", "The number of samples of each series in the range.", "aggregation_over_time"),
    f!("days_in_month", "days_in_month(v=vector(time()) instant-vector) → instant vector", "The number of days (28–31) in the month of each sample's value, a UTC timestamp."),
    f!("day_of_month", "day_of_month(v=vector(time()) instant-vector) → instant vector", "The day of the month (1–31) of each sample's value, a UTC timestamp."),
    f!("day_of_week", "day_of_week(v=vector(time()) instant-vector) → instant vector", "The day of the week (0 = Sunday … 6) of each sample's value, a UTC timestamp."),
    f!("day_of_year", "day_of_year(v=vector(time()) instant-vector) → instant vector", "The day of the year (1–366) of each sample's value, a UTC timestamp."),
    f!("deg", "deg(v instant-vector) → instant vector", "Each sample converted from radians to degrees.", "trigonometric-functions"),
    f!("delta", "delta(v range-vector) → instant vector", "The difference between the first and last value of each gauge in the range, extrapolated."),
    f!("deriv", "deriv(v range-vector) → instant vector", "The per-second derivative of each gauge in the range, by simple linear regression."),
    x!("end", "end() → scalar", "The end time of the query range, in seconds since the epoch."),
    f!("exp", "exp(v instant-vector) → instant vector", "The exponential `e^x` of each sample."),
    f!("first_over_time", "first_over_time(v range-vector) → instant vector", "The oldest sample of each series in the range.", "aggregation_over_time"),
    f!("floor", "floor(v instant-vector) → instant vector", "Each sample rounded down to the nearest integer."),
    f!("histogram_avg", "histogram_avg(v instant-vector) → instant vector", "The arithmetic average of the observations of each native histogram."),
    f!("histogram_count", "histogram_count(v instant-vector) → instant vector", "The number of observations of each native histogram.", "histogram_count-and-histogram_sum"),
    f!("histogram_fraction", "histogram_fraction(lower scalar, upper scalar, v instant-vector) → instant vector", "The estimated fraction of observations between `lower` and `upper`, for each histogram."),
    f!("histogram_quantile", "histogram_quantile(φ scalar, b instant-vector) → instant vector", "The φ-quantile (0 ≤ φ ≤ 1) estimated from the buckets of each histogram (`le` label, or native)."),
    x!("histogram_quantiles", "histogram_quantiles(b instant-vector, label string, φ scalar, φs scalar...) → instant vector", "Several quantiles of each histogram at once, one series per φ told apart by `label`."),
    f!("histogram_stddev", "histogram_stddev(v instant-vector) → instant vector", "The estimated standard deviation of the observations of each native histogram.", "histogram_stddev-and-histogram_stdvar"),
    f!("histogram_stdvar", "histogram_stdvar(v instant-vector) → instant vector", "The estimated variance of the observations of each native histogram.", "histogram_stddev-and-histogram_stdvar"),
    f!("histogram_sum", "histogram_sum(v instant-vector) → instant vector", "The sum of the observations of each native histogram.", "histogram_count-and-histogram_sum"),
    x!("info", "info(v instant-vector, data_label_selector=… instant-vector) → instant vector", "`v` with the data labels of the matching info series (`target_info`) added.", "info"),
    x!("double_exponential_smoothing", "double_exponential_smoothing(v range-vector, sf scalar, tf scalar) → instant vector", "The smoothed value of each gauge in the range (smoothing factor `sf`, trend factor `tf`; was `holt_winters`).", "double_exponential_smoothing"),
    f!("hour", "hour(v=vector(time()) instant-vector) → instant vector", "The hour of the day (0–23) of each sample's value, a UTC timestamp."),
    f!("idelta", "idelta(v range-vector) → instant vector", "The difference between the last two samples of each gauge in the range."),
    f!("increase", "increase(v range-vector) → instant vector", "The increase of each counter over the range, adjusted for resets and extrapolated."),
    x!("integral", "integral(v range-vector, ...) → instant vector", "The integral of each series over the range."),
    f!("irate", "irate(v range-vector) → instant vector", "The per-second rate of increase of each counter from its last two samples in the range."),
    f!("label_replace", "label_replace(v instant-vector, dst_label string, replacement string, src_label string, regex string) → instant vector", "`v` with `dst_label` set to `replacement` (with `$1` … from `regex` matched against `src_label`)."),
    f!("label_join", "label_join(v instant-vector, dst_label string, separator string, src_labels string...) → instant vector", "`v` with `dst_label` set to the values of the `src_labels` joined by `separator`."),
    x!("max_of", "max_of(a scalar, b scalar) → scalar", "The larger of two scalars."),
    f!("last_over_time", "last_over_time(v range-vector) → instant vector", "The most recent sample of each series in the range.", "aggregation_over_time"),
    x!("min_of", "min_of(a scalar, b scalar) → scalar", "The smaller of two scalars."),
    f!("ln", "ln(v instant-vector) → instant vector", "The natural logarithm of each sample."),
    f!("log10", "log10(v instant-vector) → instant vector", "The decimal logarithm of each sample."),
    f!("log2", "log2(v instant-vector) → instant vector", "The binary logarithm of each sample."),
    x!("mad_over_time", "mad_over_time(v range-vector) → instant vector", "The median absolute deviation of each series' samples in the range.", "aggregation_over_time"),
    f!("max_over_time", "max_over_time(v range-vector) → instant vector", "The largest sample of each series in the range.", "aggregation_over_time"),
    f!("min_over_time", "min_over_time(v range-vector) → instant vector", "The smallest sample of each series in the range.", "aggregation_over_time"),
    x!("ts_of_first_over_time", "ts_of_first_over_time(v range-vector) → instant vector", "The timestamp of the oldest sample of each series in the range.", "aggregation_over_time"),
    x!("ts_of_last_over_time", "ts_of_last_over_time(v range-vector) → instant vector", "The timestamp of the most recent sample of each series in the range.", "aggregation_over_time"),
    x!("ts_of_max_over_time", "ts_of_max_over_time(v range-vector) → instant vector", "The timestamp of the largest sample of each series in the range.", "aggregation_over_time"),
    x!("ts_of_min_over_time", "ts_of_min_over_time(v range-vector) → instant vector", "The timestamp of the smallest sample of each series in the range.", "aggregation_over_time"),
    f!("minute", "minute(v=vector(time()) instant-vector) → instant vector", "The minute of the hour (0–59) of each sample's value, a UTC timestamp."),
    f!("month", "month(v=vector(time()) instant-vector) → instant vector", "The month (1–12) of each sample's value, a UTC timestamp."),
    f!("pi", "pi() → scalar", "The number π.", "trigonometric-functions"),
    x!("range", "range() → scalar", "The length of the query range, in seconds."),
    f!("predict_linear", "predict_linear(v range-vector, t scalar) → instant vector", "The value each gauge is predicted to have `t` seconds from now, by linear regression over the range."),
    f!("present_over_time", "present_over_time(v range-vector) → instant vector", "The value 1 for each series with a sample in the range.", "aggregation_over_time"),
    f!("quantile_over_time", "quantile_over_time(φ scalar, v range-vector) → instant vector", "The φ-quantile (0 ≤ φ ≤ 1) of each series' samples in the range.", "aggregation_over_time"),
    f!("rad", "rad(v instant-vector) → instant vector", "Each sample converted from degrees to radians.", "trigonometric-functions"),
    f!("rate", "rate(v range-vector) → instant vector", "The per-second average rate of increase of each counter over the range, adjusted for resets."),
    f!("resets", "resets(v range-vector) → instant vector", "How many times each counter reset (decreased) in the range."),
    f!("round", "round(v instant-vector, to_nearest=1 scalar) → instant vector", "Each sample rounded to the nearest multiple of `to_nearest`."),
    f!("scalar", "scalar(v instant-vector) → scalar", "The sample's value when `v` has exactly one sample, else NaN."),
    f!("sgn", "sgn(v instant-vector) → instant vector", "The sign of each sample: 1, -1 or 0."),
    x!("start", "start() → scalar", "The start time of the query range, in seconds since the epoch."),
    x!("start_timestamp", "start_timestamp(v instant-vector) → instant vector", "The start time (created timestamp) of each sample's series, in seconds since the epoch."),
    x!("step", "step() → scalar", "The query's resolution step, in seconds."),
    f!("sin", "sin(v instant-vector) → instant vector", "The sine of each sample (in radians).", "trigonometric-functions"),
    f!("sinh", "sinh(v instant-vector) → instant vector", "The hyperbolic sine of each sample.", "trigonometric-functions"),
    f!("sort", "sort(v instant-vector) → instant vector", "`v` sorted by value, ascending (instant queries only)."),
    f!("sort_desc", "sort_desc(v instant-vector) → instant vector", "`v` sorted by value, descending (instant queries only)."),
    x!("sort_by_label", "sort_by_label(v instant-vector, labels string...) → instant vector", "`v` sorted by the values of the given labels, ascending.", "sort_by_label"),
    x!("sort_by_label_desc", "sort_by_label_desc(v instant-vector, labels string...) → instant vector", "`v` sorted by the values of the given labels, descending.", "sort_by_label_desc"),
    f!("sqrt", "sqrt(v instant-vector) → instant vector", "The square root of each sample."),
    f!("stddev_over_time", "stddev_over_time(v range-vector) → instant vector", "The population standard deviation of each series' samples in the range.", "aggregation_over_time"),
    f!("stdvar_over_time", "stdvar_over_time(v range-vector) → instant vector", "The population variance of each series' samples in the range.", "aggregation_over_time"),
    f!("sum_over_time", "sum_over_time(v range-vector) → instant vector", "The sum of each series' samples in the range.", "aggregation_over_time"),
    f!("tan", "tan(v instant-vector) → instant vector", "The tangent of each sample (in radians).", "trigonometric-functions"),
    f!("tanh", "tanh(v instant-vector) → instant vector", "The hyperbolic tangent of each sample.", "trigonometric-functions"),
    f!("time", "time() → scalar", "The evaluation time, in seconds since the epoch."),
    f!("timestamp", "timestamp(v instant-vector) → instant vector", "The timestamp of each sample, in seconds since the epoch."),
    f!("vector", "vector(s scalar) → instant vector", "The scalar as a vector of one sample without labels."),
    f!("year", "year(v=vector(time()) instant-vector) → instant vector", "The year of each sample's value, a UTC timestamp."),
    // aggregation operators (the lexer's aggregator keywords)
    agg!("sum", "sum [by|without (labels)] (v instant-vector) → instant vector", "The sum of the samples, per group."),
    agg!("avg", "avg [by|without (labels)] (v instant-vector) → instant vector", "The average of the samples, per group."),
    agg!("count", "count [by|without (labels)] (v instant-vector) → instant vector", "The number of samples, per group."),
    agg!("min", "min [by|without (labels)] (v instant-vector) → instant vector", "The smallest sample, per group."),
    agg!("max", "max [by|without (labels)] (v instant-vector) → instant vector", "The largest sample, per group."),
    agg!("group", "group [by|without (labels)] (v instant-vector) → instant vector", "The value 1 for each group."),
    agg!("stddev", "stddev [by|without (labels)] (v instant-vector) → instant vector", "The population standard deviation of the samples, per group."),
    agg!("stdvar", "stdvar [by|without (labels)] (v instant-vector) → instant vector", "The population variance of the samples, per group."),
    agg!("topk", "topk [by|without (labels)] (k scalar, v instant-vector) → instant vector", "The `k` largest samples, per group (their series kept as they are)."),
    agg!("bottomk", "bottomk [by|without (labels)] (k scalar, v instant-vector) → instant vector", "The `k` smallest samples, per group."),
    agg!("count_values", "count_values [by|without (labels)] (label string, v instant-vector) → instant vector", "How many samples have each value, per group, the value in the label `label`."),
    agg!("quantile", "quantile [by|without (labels)] (φ scalar, v instant-vector) → instant vector", "The φ-quantile (0 ≤ φ ≤ 1) of the samples, per group."),
    agg!("limitk", "limitk [by|without (labels)] (k scalar, v instant-vector) → instant vector", "Some `k` samples, per group (experimental in Prometheus)."),
    agg!("limit_ratio", "limit_ratio [by|without (labels)] (r scalar, v instant-vector) → instant vector", "A deterministic sample of about the ratio `r` of the series, per group (experimental in Prometheus)."),
    // keywords
    kw!("by", "<aggregation> by (labels) (…)", "Keeps only these labels: one output series per distinct combination of their values.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#aggregation-operators"),
    kw!("without", "<aggregation> without (labels) (…)", "Drops these labels and aggregates over the series that then look alike.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#aggregation-operators"),
    kw!("on", "a <op> on (labels) b", "Matches the series of the two sides on these labels only.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#one-to-one-vector-matches"),
    kw!("ignoring", "a <op> ignoring (labels) b", "Matches the series of the two sides on all labels but these.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#one-to-one-vector-matches"),
    kw!("group_left", "a <op> on (labels) group_left (extra) b", "Many-to-one matching: each series of the left side matches one of the right; `extra` labels are copied from the right.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#many-to-one-and-one-to-many-vector-matches"),
    kw!("group_right", "a <op> on (labels) group_right (extra) b", "One-to-many matching: each series of the right side matches one of the left; `extra` labels are copied from the left.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#many-to-one-and-one-to-many-vector-matches"),
    kw!("bool", "a <comparison> bool b", "The comparison gives 0 or 1 instead of filtering.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#comparison-binary-operators"),
    kw!("and", "a and b → instant vector", "The series of `a` that have a match in `b`.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#logical-set-binary-operators"),
    kw!("or", "a or b → instant vector", "The series of `a`, and those of `b` without a match in `a`.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#logical-set-binary-operators"),
    kw!("unless", "a unless b → instant vector", "The series of `a` without a match in `b`.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#logical-set-binary-operators"),
    kw!("atan2", "a atan2 b → instant vector", "The arctangent of `a / b`, in radians, sign-aware.", "https://prometheus.io/docs/prometheus/latest/querying/operators/#trigonometric-binary-operators"),
    kw!("offset", "v offset d", "Reads `v` as it was the duration `d` earlier.", "https://prometheus.io/docs/prometheus/latest/querying/basics/#offset-modifier"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::query_docs::min_args;
    use promql_parser::parser::parse;
    use std::path::PathBuf;

    fn of(kind: DocKind) -> impl Iterator<Item = &'static Doc> {
        DOCS.iter().filter(move |d| d.kind == kind)
    }

    #[test]
    fn every_function_is_one_the_parser_knows_with_the_arity_of_its_signature() {
        for d in of(DocKind::Function) {
            assert!(d.sig.starts_with(&format!("{}(", d.name)), "{}: {}", d.name, d.sig);
            let m = min_args(d.sig);
            let e = parse(&format!("{}()", d.name)).err().unwrap_or_default();
            assert!(!e.contains("unknown function"), "{}: {e}", d.name);
            if m == 0 {
                assert!(!e.contains("argument(s)"), "{} takes no argument: {e}", d.name);
            } else {
                assert!(e.contains(&format!("expected {m} argument(s)")) || e.contains(&format!("expected at least {m} argument(s)")), "{} takes {m}: {e}", d.name);
            }
        }
        let names: Vec<&str> = DOCS.iter().map(|d| d.name).collect();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[i + 1..].contains(n), "{n} twice");
        }
    }

    #[test]
    fn aggregations_and_keywords_are_the_parsers_keywords() {
        for d in of(DocKind::Aggregation) {
            let ok = ["(up)", "(1, up)", "(\"l\", up)"].iter().any(|a| parse(&format!("{}{a}", d.name)).is_ok() && parse(&format!("{} by (job) {a}", d.name)).is_ok());
            assert!(ok, "{} does not parse as an aggregation", d.name);
        }
        // each keyword in a query the parser reads
        let queries = [
            "sum by (job) (up)",
            "sum without (job) (up)",
            "up > bool on (job) group_left (team) info_metric",
            "up / ignoring (job) group_right up",
            "up and up or up unless up",
            "up atan2 up",
            "up offset 5m",
        ];
        for q in queries {
            assert!(parse(q).is_ok(), "{q}: {:?}", parse(q));
        }
        for d in of(DocKind::Keyword) {
            assert!(queries.iter().any(|q| q.split([' ', '(', ')']).any(|w| w == d.name)), "{} is in none of the queries", d.name);
        }
    }

    /// The source of `promql-parser`'s `src/parser/{file}`, of the version in `Cargo.lock`, when
    /// cargo's registry holds it.
    fn parser_source(file: &str) -> Option<String> {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).ok()?;
        let pkg = lock.split("[[package]]").find(|p| p.contains("name = \"promql-parser\"\n"))?;
        let version = pkg.lines().find_map(|l| l.strip_prefix("version = \""))?.trim_end_matches('"');
        let home = std::env::var("CARGO_HOME").map(PathBuf::from).or_else(|_| std::env::var("HOME").map(|h| PathBuf::from(h).join(".cargo"))).ok()?;
        std::fs::read_dir(home.join("registry/src")).ok()?.flatten().find_map(|r| std::fs::read_to_string(r.path().join(format!("promql-parser-{version}/src/parser/{file}"))).ok())
    }

    #[test]
    fn the_tables_are_the_parsers_when_its_source_is_at_hand() {
        let (Some(functions), Some(tokens)) = (parser_source("function.rs"), parser_source("token.rs")) else {
            eprintln!("promql-parser's source is not in cargo's registry: only the parse checks ran");
            return;
        };
        let table = &functions[functions.find("static ref FUNCTIONS").unwrap()..functions.find("fn get_function").unwrap()];
        let mut theirs: Vec<(String, bool)> = vec![];
        for entry in table.split("function!(").skip(1) {
            let name = entry.split('"').nth(1).unwrap().to_string();
            let experimental = entry.rfind("true").unwrap_or(0) > entry.rfind("false").unwrap_or(0);
            theirs.push((name, experimental));
        }
        let mut ours: Vec<(String, bool)> = of(DocKind::Function).map(|d| (d.name.to_string(), d.experimental)).collect();
        theirs.sort();
        ours.sort();
        assert_eq!(ours, theirs, "the PromQL functions and their experimental flags differ from promql-parser's");
        let aggs = &tokens[tokens.find("// Aggregators.").unwrap()..tokens.find("// Keywords.").unwrap()];
        let mut theirs: Vec<&str> = aggs.split('"').skip(1).step_by(2).collect();
        let mut ours: Vec<&str> = of(DocKind::Aggregation).map(|d| d.name).collect();
        theirs.sort();
        ours.sort();
        assert_eq!(ours, theirs, "the PromQL aggregations differ from promql-parser's");
    }
}
