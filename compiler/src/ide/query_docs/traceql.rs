//! TraceQL's functions, after Tempo's `traceql/construct-traceql-queries` and
//! `traceql/metrics-queries/functions` pages for Tempo 2.9, the version the stack renders;
//! the names are those of `sema::traceql`'s parser (the test holds them together).

use super::{Doc, DocKind};

macro_rules! d {
    ($name:literal, $sig:literal, $desc:literal, $page:literal) => {
        Doc { name: $name, kind: DocKind::Function, sig: $sig, desc: $desc, url: concat!("https://grafana.com/docs/tempo/latest/traceql/", $page), experimental: false }
    };
}

/// TraceQL's documented words: spanset aggregates, metrics functions, their second stage,
/// pipeline functions.
pub const DOCS: &[Doc] = &[
    d!("count", "{ … } | count() > n", "The number of spans of each spanset, to compare (`| count() > 2`).", "construct-traceql-queries/#aggregators"),
    d!("avg", "{ … } | avg(field) > x", "The average of the field over the spans of each spanset, to compare.", "construct-traceql-queries/#aggregators"),
    d!("max", "{ … } | max(field) > x", "The largest value of the field in each spanset, to compare.", "construct-traceql-queries/#aggregators"),
    d!("min", "{ … } | min(field) > x", "The smallest value of the field in each spanset, to compare.", "construct-traceql-queries/#aggregators"),
    d!("sum", "{ … } | sum(field) > x", "The sum of the field over the spans of each spanset, to compare.", "construct-traceql-queries/#aggregators"),
    d!("rate", "{ … } | rate() [by (attributes)] → time series", "The number of matching spans per second, per step.", "metrics-queries/functions/"),
    d!("count_over_time", "{ … } | count_over_time() [by (attributes)] → time series", "The number of matching spans per step.", "metrics-queries/functions/"),
    d!("min_over_time", "{ … } | min_over_time(field) [by (attributes)] → time series", "The smallest value of the field over the matching spans, per step.", "metrics-queries/functions/"),
    d!("max_over_time", "{ … } | max_over_time(field) [by (attributes)] → time series", "The largest value of the field over the matching spans, per step.", "metrics-queries/functions/"),
    d!("avg_over_time", "{ … } | avg_over_time(field) [by (attributes)] → time series", "The average of the field over the matching spans, per step.", "metrics-queries/functions/"),
    d!("sum_over_time", "{ … } | sum_over_time(field) [by (attributes)] → time series", "The sum of the field over the matching spans, per step.", "metrics-queries/functions/"),
    d!("quantile_over_time", "{ … } | quantile_over_time(field, q, …) [by (attributes)] → time series", "The q-quantiles (0 ≤ q ≤ 1) of the field over the matching spans, one series per q, per step.", "metrics-queries/functions/"),
    d!("histogram_over_time", "{ … } | histogram_over_time(field) [by (attributes)] → time series", "The distribution of the field over the matching spans as histogram buckets, per step (for heatmaps).", "metrics-queries/functions/"),
    d!("compare", "{ … } | compare({ selection }, topN, start, end) → time series", "The attribute values that set the spans of `selection` apart from the other matching spans.", "metrics-queries/functions/"),
    d!("topk", "… | rate() by (x) | topk(n) → time series", "The `n` series with the largest values, at each step.", "metrics-queries/functions/"),
    d!("bottomk", "… | rate() by (x) | bottomk(n) → time series", "The `n` series with the smallest values, at each step.", "metrics-queries/functions/"),
    d!("by", "{ … } | by(attributes)", "Splits each spanset into one per distinct value of the attributes (for the aggregates after it).", "construct-traceql-queries/#grouping"),
    d!("coalesce", "{ … } | by(x) | coalesce()", "Merges the spansets of each trace back into one.", "construct-traceql-queries/"),
    d!("select", "{ … } | select(attributes)", "Adds these attributes' values to the spans returned (not only the matched ones).", "construct-traceql-queries/#selection"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_exactly_the_parsers_functions() {
        let mut ours: Vec<&str> = DOCS.iter().map(|d| d.name).collect();
        let mut theirs: Vec<&str> = crate::sema::traceql::functions().collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
    }
}
