//! Tests of the LogQL parser: a corpus of valid queries (one or more per construct, modelled
//! on the examples of Loki's docs), broken queries with their message and position, Loki's
//! own dashboards (`../shared/data/dashboards/loki-mixin`), robustness and linearity.

use super::*;
use std::path::Path;
use std::time::Instant;

/// Valid LogQL, covering each construct of the grammar.
const VALID: &[&str] = &[
    // stream selectors
    r#"{app="mysql"}"#,
    r#"{app="mysql",name="mysql-backup"}"#,
    r#"{app!="x", env="prod"}"#,
    r#"{name=~"mysql.+"}"#,
    r#"{name!~"mysql.+", app="a"}"#,
    r#"{app=~".+"}"#,
    r#"{ app = "x" , env =~ "prod|staging" }"#,
    "{app=`raw`}",
    r#"{app="with \"quotes\" and \\ and \u00e9"}"#,
    "{app=\"x\"} # a comment\n|= \"y\"",
    r#"({app="x"})"#,
    // line filters
    r#"{job="mysql"} |= "error""#,
    r#"{job="mysql"} != "timeout""#,
    r#"{job="mysql"} |~ "err(or)?""#,
    r#"{job="mysql"} !~ "time(out)?""#,
    r#"{job="mysql"} |> "<_> level=error <_>""#,
    r#"{job="mysql"} !> "<_> debug <_>""#,
    r#"{job="mysql"} |= "error" != "timeout" |~ `\d+`"#,
    r#"{job="mysql"} |= "error" or "panic" or "fatal""#,
    r#"{job="mysql"} |= ip("192.168.0.1")"#,
    r#"{job="mysql"} != ip("10.0.0.0/8")"#,
    r#"{job="mysql"} |= "a" or ip("10.0.0.1")"#,
    r#"{job="mysql"} |~ "(?i)error""#,
    // parsers
    r#"{app="a"} | json"#,
    r#"{app="a"} | json first_server="servers[0]", ua="request.headers[\"User-Agent\"]""#,
    r#"{app="a"} | json status, method"#,
    r#"{app="a"} | logfmt"#,
    r#"{app="a"} | logfmt --strict"#,
    r#"{app="a"} | logfmt --strict --keep-empty"#,
    r#"{app="a"} | logfmt host, fwd_ip="fwd""#,
    r#"{app="a"} | logfmt --keep-empty level"#,
    r#"{app="a"} | pattern "<ip> - - <_> \"<method> <uri> <_>\" <status> <size> <_> \"<agent>\" <_>""#,
    r#"{app="a"} | regexp "(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)""#,
    "{app=\"a\"} | regexp `(?P<level>\\w+)`",
    r#"{app="a"} | unpack"#,
    r#"{app="a"} | JSON | LOGFMT"#,
    // label filters
    r#"{app="a"} | logfmt | level="error""#,
    r#"{app="a"} | logfmt | level!="debug""#,
    r#"{app="a"} | logfmt | level=~"err.*""#,
    r#"{app="a"} | logfmt | level!~"debug|info""#,
    r#"{app="a"} | logfmt | status >= 400"#,
    r#"{app="a"} | logfmt | status == 500"#,
    r#"{app="a"} | logfmt | status != 200"#,
    r#"{app="a"} | logfmt | status = 200"#,
    r#"{app="a"} | logfmt | ratio < 0.5"#,
    r#"{app="a"} | logfmt | temp > -10"#,
    r#"{app="a"} | logfmt | duration > 10s"#,
    r#"{app="a"} | logfmt | latency >= 250ms"#,
    r#"{app="a"} | logfmt | latency <= 1m30s"#,
    r#"{app="a"} | logfmt | latency < 1.5s"#,
    r#"{app="a"} | logfmt | latency > 100us"#,
    r#"{app="a"} | logfmt | size > 20MB"#,
    r#"{app="a"} | logfmt | size <= 1KiB"#,
    r#"{app="a"} | logfmt | size == 512B"#,
    r#"{app="a"} | logfmt | addr = ip("10.0.0.0/8")"#,
    r#"{app="a"} | logfmt | addr != ip("192.168.4.5-192.168.4.20")"#,
    r#"{app="a"} | logfmt | duration >= 20ms or size == 20kB and method!~"2..""#,
    r#"{app="a"} | logfmt | (duration >= 20ms or size == 20kB) and method!~"2..""#,
    r#"{app="a"} | logfmt | duration >= 20ms, method="GET""#,
    r#"{app="a"} | logfmt | duration >= 20ms method="GET""#,
    r#"{app="a"} | logfmt | __error__="""#,
    r#"{app="a"} | json | level="error" | line_format "{{.ts}} {{.msg}}""#,
    // formats and label stages
    r#"{app="a"} | logfmt | line_format "{{.query}} {{.duration}}""#,
    "{app=\"a\"} | line_format `{{ .level | ToUpper }}`",
    r#"{app="a"} | logfmt | label_format foo=bar"#,
    r#"{app="a"} | logfmt | label_format foo="{{.bar}}-{{.baz}}", level=lvl"#,
    r#"{app="a"} | decolorize"#,
    r#"{app="a"} | logfmt | drop level, method="GET""#,
    r#"{app="a"} | logfmt | drop __error__, __error_details__"#,
    r#"{app="a"} | logfmt | keep level, status"#,
    r#"{app="a"} | logfmt | keep level, method!~"GET|POST""#,
    // range aggregations
    r#"rate({app="a"}[5m])"#,
    r#"count_over_time({job="mysql"}[5m])"#,
    r#"bytes_rate({job="mysql"}[1m])"#,
    r#"bytes_over_time({job="mysql"}[1h])"#,
    r#"absent_over_time({job="mysql"}[1h])"#,
    r#"count_over_time({job="mysql"} |= "error" [5m])"#,
    r#"count_over_time({job="mysql"}[5m] |= "error")"#,
    r#"count_over_time({job="mysql"}[5m] offset 1h)"#,
    r#"count_over_time({job="mysql"} |= "x" [5m] offset 1h)"#,
    r#"count_over_time(({job="mysql"} |= "x")[5m])"#,
    r#"count_over_time(({job="mysql"})[5m] offset 5m)"#,
    r#"count_over_time((({job="mysql"} |= "x")[5m]))"#,
    r#"rate({app="a"} | json | unwrap bytes [1m])"#,
    r#"rate_counter({app="a"} | logfmt | unwrap requests [1m])"#,
    r#"sum_over_time({app="a"} | logfmt | unwrap bytes [5m])"#,
    r#"avg_over_time({app="a"} | logfmt | unwrap latency [5m]) by (host)"#,
    r#"avg_over_time({app="a"} | logfmt | unwrap duration(latency) [5m]) without (pod)"#,
    r#"max_over_time({app="a"} | logfmt | unwrap duration_seconds(latency) | __error__="" [5m]) by ()"#,
    r#"min_over_time({app="a"} | logfmt | unwrap bytes(size) [5m])"#,
    r#"stddev_over_time({app="a"} | logfmt | unwrap latency [5m])"#,
    r#"stdvar_over_time({app="a"} | logfmt | unwrap latency [5m])"#,
    r#"first_over_time({app="a"} | logfmt | unwrap latency [5m])"#,
    r#"last_over_time({app="a"} | logfmt | unwrap latency [5m]) by (pod)"#,
    r#"quantile_over_time(0.99, {app="a"} | json | unwrap latency [5m]) by (path)"#,
    r#"quantile_over_time(0.5, {app="a"} | logfmt | unwrap latency | __error__="" and latency > 0 [1m])"#,
    r#"sum_over_time({app="a"} | logfmt | unwrap latency [5m] offset 10m)"#,
    r#"sum_over_time({app="a"}[5m] | logfmt | unwrap latency)"#,
    r#"sum_over_time(({app="a"} | logfmt | unwrap latency)[5m])"#,
    r#"sum_over_time({app="a"} | unwrap latency [5m])"#,
    r#"absent_over_time({app="a"} | logfmt | unwrap latency [5m])"#,
    r#"count_over_time({app="a"}[1h30m])"#,
    r#"count_over_time({app="a"}[1d])"#,
    r#"count_over_time({app="a"}[100ms])"#,
    // vector aggregations
    r#"sum(rate({app="a"}[5m]))"#,
    r#"sum by (level) (count_over_time({app="a"} | logfmt [5m]))"#,
    r#"sum(count_over_time({app="a"} | logfmt [5m])) by (level)"#,
    r#"sum without (pod) (rate({app="a"}[5m]))"#,
    r#"avg(rate({app="a"}[5m])) by (host)"#,
    r#"min(rate({app="a"}[5m]))"#,
    r#"max(rate({app="a"}[5m]))"#,
    r#"stddev(rate({app="a"}[5m]))"#,
    r#"stdvar(rate({app="a"}[5m]))"#,
    r#"count(rate({app="a"}[5m]))"#,
    r#"topk(10, sum(rate({region="us-east1"}[5m])) by (name))"#,
    r#"bottomk(3, sum by (name) (rate({region="us-east1"}[5m])))"#,
    r#"topk by (app) (5, rate({region="x"}[5m]))"#,
    r#"sort(sum by (app) (rate({region="x"}[5m])))"#,
    r#"sort_desc(sum by (app) (rate({region="x"}[5m])))"#,
    r#"SUM BY (level) (RATE({app="a"}[5m]))"#,
    r#"sum by (a, b) (rate({app="a"}[5m]))"#,
    // binary operators
    r#"sum(rate({app="a"} |= "error" [5m])) / sum(rate({app="a"}[5m]))"#,
    r#"sum(rate({app="a"}[5m])) * 100"#,
    r#"sum(rate({app="a"}[5m])) + sum(rate({app="b"}[5m])) - 1"#,
    r#"sum(rate({app="a"}[5m])) % 3 ^ 2"#,
    r#"2 ^ 3 ^ 2"#,
    r#"sum(rate({app="a"}[5m])) > 10"#,
    r#"sum(rate({app="a"}[5m])) >= bool 10"#,
    r#"sum(rate({app="a"}[5m])) == bool 0"#,
    r#"sum(rate({app="a"}[5m])) != 0"#,
    r#"sum(rate({app="a"}[5m])) < 1 or vector(0)"#,
    r#"sum(rate({app="a"}[5m])) <= 1 and sum(rate({app="b"}[5m])) > 0"#,
    r#"sum(rate({app="a"}[5m])) unless sum(rate({app="b"}[5m]))"#,
    r#"sum by (a) (rate({app="a"}[5m])) / on (a) sum by (a) (rate({app="b"}[5m]))"#,
    r#"sum by (a, b) (rate({app="a"}[5m])) / ignoring (b) group_left sum by (a) (rate({app="b"}[5m]))"#,
    r#"sum by (a, b) (rate({app="a"}[5m])) * on (a) group_right (b) sum by (a) (rate({app="b"}[5m]))"#,
    r#"sum by (a) (rate({app="a"}[5m])) / on () group_left () sum(rate({app="b"}[5m]))"#,
    r#"(sum(rate({app="a"}[5m])) + 1) * 2"#,
    r#"-1 + 2"#,
    r#"1e3 * sum(rate({app="a"}[5m]))"#,
    r#"0x10"#,
    r#"vector(0)"#,
    r#"vector(1) + vector(2)"#,
    r#"label_replace(rate({job="api-server",service="a:c"} |= "err" [5m]), "foo", "$1", "service", "(.*):.*")"#,
    r#"sum(label_replace(rate({app="a"}[5m]), "x", "$1", "app", "(.*)")) by (x)"#,
    // identifiers that are function names used as labels
    r#"sum by (rate) (count_over_time({app="a"} | logfmt | rate > 1 [5m]))"#,
    r#"{app="a"} | logfmt | bytes > 1KB"#,
    r#"sum(rate({app="a"} | logfmt | unwrap bytes | bytes > 0 [5m]))"#,
];

/// Broken queries: (query, a part of the message, the error's offset).
const BROKEN: &[(&str, &str, usize)] = &[
    (r#"{app="x"} |= """#, "empty line filter", 13),
    (r#"{app="x"} != ``"#, "drops every line", 13),
    (r#"rate({app="x"})"#, "needs a range", 14),
    (r#"count_over_time({app="x"} |= "e")"#, "needs a range", 32),
    (r#"cont_over_time({app="x"}[5m])"#, "unknown function `cont_over_time`", 0),
    (r#"{app="x"} | jsno"#, "unknown pipeline stage `jsno`", 12),
    (r#"{app="x"} | logfmt --strcit"#, "unknown parser flag", 19),
    (r#"{app="x} |= "e""#, "unterminated string", 14),
    (r#"{app="x"} |= "e"#, "unterminated string", 13),
    (r#"{app="x"} |~ "\d+""#, "unknown escape `\\d`", 14),
    (r#"{app="x"} |= "\x4""#, "invalid escape", 14),
    (r#"{app=~".*"}"#, "empty-compatible", 0),
    (r#"{app!="x"}"#, "empty-compatible", 0),
    (r#"{app=""}"#, "empty-compatible", 0),
    (r#"{}"#, "selects nothing", 0),
    (r#"rate({app=~".*"}[5m])"#, "empty-compatible", 5),
    (r#"{app="x"} |"#, "ends with `|`", 10),
    (r#"{app="x"} | json |"#, "ends with `|`", 17),
    (r#"sum(rate({app="x"}[5m])) by"#, "`by` needs the labels", 25),
    (r#"sum(rate({app="x"}[5m])) by ("#, "expected a label name", 28),
    (r#"sum({app="x"})"#, "`sum` aggregates a metric query", 4),
    (r#"{app="x"}[5m]"#, "only goes inside a range aggregation", 9),
    (r#"rate({app="x"})[5m]"#, "needs a range", 14),
    (r#"rate({app="x"}[5 m])"#, "is not a duration", 14),
    (r#"rate({app="x"}[5min])"#, "is not a duration", 14),
    (r#"rate({app="x"}[10])"#, "is not a duration", 14),
    (r#"rate({app="x"}[5m:1m])"#, "is not a duration", 14),
    (r#"rate({app="x"}[5m"#, "unclosed `[`", 14),
    (r#"{app="x""#, "unclosed `{`", 0),
    (r#"{app=x}"#, "expected a quoted value", 5),
    (r#"{"app"="x"}"#, "expected a label name", 1),
    (r#"{app=="x"}"#, "not `==`", 4),
    (r#"{app="x",}"#, "expected a label name", 9),
    (r#"{app=~"("}"#, "invalid regex", 6),
    (r#"|= "error""#, "needs a stream selector", 0),
    (r#"up{job="x"}"#, "unexpected `up`", 0),
    (r#"increase({app="x"}[5m])"#, "unknown function `increase`", 0),
    (r#"sum_over_time({app="x"}[5m])"#, "needs `| unwrap <label>`", 0),
    (r#"count_over_time({app="x"} | logfmt | unwrap n [5m])"#, "cannot take an `unwrap`", 0),
    (r#"rate({app="x"}[5m]) by (a)"#, "takes no grouping", 20),
    (r#"quantile_over_time({app="x"} | unwrap n [5m])"#, "needs the quantile first", 19),
    (r#"topk(sum(rate({app="x"}[5m])))"#, "needs the number of series", 5),
    (r#"topk(1.5, sum(rate({app="x"}[5m])))"#, "whole number", 5),
    (r#"sum(5, rate({app="x"}[5m]))"#, "takes no parameter", 4),
    (r#"sort by (a) (rate({app="x"}[5m]))"#, "takes no grouping", 0),
    (r#"sum by (a) (rate({app="x"}[5m])) by (b)"#, "grouped twice", 33),
    (r#"{app="x"} + 1"#, "left side of `+` is a log query", 0),
    (r#"1 + {app="x"}"#, "right side of `+` is a log query", 4),
    (r#"sum(rate({app="x"}[5m])) + bool 1"#, "`bool` only modifies a comparison", 27),
    (r#"{app="x"} | unwrap n"#, "only goes inside a range aggregation", 12),
    (r#"sum_over_time({app="x"} | unwrap n | json [5m])"#, "only label filters may follow `unwrap`", 37),
    (r#"sum_over_time({app="x"} | unwrap [5m])"#, "`unwrap` needs a label", 33),
    (r#"sum_over_time({app="x"} | unwrap durations(n) [5m])"#, "unknown conversion", 33),
    (r#"{app="x"} | level > "5""#, "this is a string", 20),
    (r#"{app="x"} | level == "e""#, "not `==`", 18),
    (r#"{app="x"} | level ="#, "expected a value", 18),
    (r#"{app="x"} | "e""#, "a line filter is `|= \"text\"`", 12),
    (r#"{app="x"} |= error"#, "expected the text to match", 13),
    (r#"{app="x"} | regexp"#, "expected the regexp in quotes", 12),
    (r#"{app="x"} | regexp "(?P<a>""#, "invalid regex", 19),
    (r#"{app="x"} | regexp "\\d+""#, "named capture", 19),
    (r#"{app="x"} | pattern "<_> - <_>""#, "named capture", 20),
    (r#"{app="x"} | line_format"#, "expected a template", 12),
    (r#"{app="x"} | label_format a"#, "expected `=`", 25),
    (r#"{app="x"} | drop"#, "expected a label after `drop`", 12),
    (r#"{app='x'}"#, "does not start a string", 5),
    (r#"sum(rate({app="x"}[5m])"#, "expected `)`", 22),
    (r#"sum(rate({app="x"}[5m])))"#, "unexpected `)`", 24),
    (r#"rate(sum(rate({app="x"}[5m])))"#, "not a metric query", 5),
    (r#"sum(rate({app="x"}[5m])) / on (a) group_left"#, "expected a query", 34),
    (r#"sum(rate({app="x"}[5m])) > 5m"#, "is not a number", 27),
    (r#"count_over_time({app="x"} |= "a" [5m] |= "b")"#, "range goes after the whole pipeline", 38),
    (r#"count_over_time({app="x"}[5m] offset)"#, "after `offset`", 36),
    (r#""#, "the query is empty", 0),
    (r#"sum"#, "needs its arguments in parentheses", 0),
    (r#"rate {app="x"}[5m]"#, "needs its arguments in parentheses", 0),
    (r#"quantile_over_time("#, "needs the quantile first", 18),
    (r#"sum(rate({app="x"}[5m])) by (a,"#, "expected a label name", 30),
    (r#"{app="x"} {app="y"}"#, "after a complete query", 10),
];

#[test]
fn valid_queries_parse() {
    for q in VALID {
        if let Err(e) = parse(q) {
            panic!("{q}\n  {e:?}");
        }
        assert_eq!(check(q), None, "{q}");
    }
    eprintln!("{} valid LogQL queries parse", VALID.len());
}

#[test]
fn broken_queries_give_their_error() {
    let mut wrong = vec![];
    for (q, want, at) in BROKEN {
        match check(q) {
            None => wrong.push(format!("{q}: parses")),
            Some(e) if !e.message.contains(want) || e.offset != *at || e.offset + e.len > q.len() => {
                wrong.push(format!("{q}: want `{want}` at {at}, got {e:?}"))
            }
            Some(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    eprintln!("{} broken LogQL queries give their error", BROKEN.len());
}

#[test]
fn hints() {
    let h = |q: &str| check(q).and_then(|e| e.hint).unwrap_or_default();
    assert!(h(r#"cont_over_time({app="x"}[5m])"#).contains("`count_over_time`"));
    assert!(h(r#"{app="x"} | jsno"#).contains("`json`"));
    assert!(h(r#"{app="x"} | logfmt --strcit"#).contains("`--strict`"));
    assert!(h(r#"rate({app="x"})"#).contains(r#"rate({app="x"}[5m])"#));
    assert!(h(r#"sum({app="x"})"#).contains(r#"sum(count_over_time({app="x"}[5m]))"#));
    assert!(h(r#"{app="x"} |= """#).contains("between the quotes"));
    assert!(h(r#"{app=~".*"}"#).contains(r#"app=~".+""#));
    // the escape to write instead (a backtick would end the `logql` literal it is in)
    assert!(h(r#"{app="x"} |~ "\d+""#).contains(r"`\\d`"), "{}", h(r#"{app="x"} |~ "\d+""#));
    assert!(h(r#"sum(rate({app="x"}[5m])) by"#).contains("by (level)"));
}

#[test]
fn kinds_and_labels() {
    assert_eq!(kind(r#"{app="x"} |= "e""#), Some(Kind::Log));
    assert_eq!(kind(r#"({app="x"})"#), Some(Kind::Log));
    assert_eq!(kind(r#"count_over_time({app="x"}[5m]) > 0"#), Some(Kind::Metric));
    assert_eq!(kind("vector(1)"), Some(Kind::Metric));
    assert_eq!(kind("{"), None);
    let e = parse(r#"sum(rate({app="a", env=~"p.+"}[5m])) / sum(rate({app="a", pod="x"}[5m]))"#).unwrap();
    assert_eq!(e.stream_labels(), ["app", "env", "pod"]);
}

#[test]
fn grafana_variables_are_substituted() {
    for q in [
        r#"{job=~"$job"} |= "$search""#,
        r#"sum by ($label) (count_over_time({app="a"}[$__auto]))"#,
        r#"rate({app="a"}[$__interval])"#,
        r#"rate({app="a"}[${__range}])"#,
        r#"topk($k, sum by (app) (rate({app="a"}[5m])))"#,
        r#"count_over_time({app="a"}[5m] offset $shift)"#,
        r#"{app="a"} | logfmt | status > $min"#,
        r#"{container=~"${container:regex}"}"#,
        r#"{container=~"$container"}"#,
        // the shapes of queries in real dashboards
        r#"{namespace="$namespace", pod=~"$pod"} |~ "(?i)$filter""#,
        r#"sum by (level) (count_over_time({job="varlogs"} | json | __error__="" [$__interval]))"#,
        r#"{job="x"} | json | line_format "{{.message}}" | level =~ "$level""#,
        r#"sum(rate({app="x"}[$__rate_interval]))"#,
        r#"{cluster="$cluster"} != "health" !~ "ping|pong""#,
        r#"{app="x"} |= "$search" | logfmt | level=~"$level" | line_format "{{.msg}}""#,
        r#"sum by (level) (count_over_time({app="x"} | detected_level=~"error|warn" [$__auto]))"#,
        r#"sum by (host) (rate({job="x"} |= "error" [1m])) / on(host) group_left sum by (host) (rate({job="x"}[1m]))"#,
        r#"count_over_time({app="x"}[1m]) > 0 unless on() vector(1)"#,
        "quantile_over_time(0.95, {app=\"x\"} | regexp `took (?P<ms>\\d+)ms` | unwrap ms [5m]) by (app)",
        "{app=\"x\"} | label_format level=`{{ if eq .level \"warn\" }}warning{{ else }}{{ .level }}{{ end }}`",
        r#"{service_name="checkout"} | json | keep level, msg | decolorize"#,
        r#"{app="x"} | logfmt | latency > 1.5s and status >= 500 or level="error""#,
        r#"avg_over_time({app="x"} | logfmt | unwrap duration(took) | __error__="" [1m]) by (path)"#,
        "{app=\"x\"}\n  | json\n  | status >= 500\n  # only the slow ones\n  | duration > 2s",
    ] {
        assert_eq!(check(q), None, "{q}");
    }
}

/// The LogQL targets of Loki's own dashboards (the panels on a Loki datasource: `$loki_datasource`).
fn mixin_queries(dir: &Path) -> Vec<(String, String)> {
    fn walk(v: &serde_json::Value, ds: Option<&serde_json::Value>, file: &str, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::Object(o) => {
                let ds = o.get("datasource").filter(|d| !d.is_null()).or(ds);
                let loki = ds.is_some_and(|d| {
                    let s = d.to_string().to_lowercase();
                    s.contains("loki")
                });
                if let (Some(serde_json::Value::String(e)), true) = (o.get("expr"), loki) {
                    if !e.trim().is_empty() {
                        out.push((file.to_string(), e.clone()));
                    }
                }
                for x in o.values() {
                    walk(x, ds, file, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, ds, file, out)),
            _ => {}
        }
    }
    let mut out = vec![];
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|f| f.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    files.sort();
    for p in files {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        walk(&v, None, &p.file_name().unwrap().to_string_lossy(), &mut out);
    }
    out
}

fn shared() -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent (shared/ sits beside the repository)", p.display());
        None
    }
}

#[test]
fn loki_mixin_queries_parse() {
    let Some(data) = shared() else { return };
    let qs = mixin_queries(&data.join("dashboards/loki-mixin"));
    assert!(qs.len() >= 8, "{qs:?}");
    for (file, q) in &qs {
        if let Err(e) = parse_grafana(q) {
            panic!("{file}: {q}\n  {e:?}");
        }
    }
    eprintln!("{} LogQL queries from loki-mixin parse", qs.len());
    // the rule files of ../shared/data are Prometheus rules (PromQL about Loki): no LogQL there
}

/// The queries the tests and docs use: the corpus, Loki's dashboards, the repository's examples.
fn corpus() -> Vec<String> {
    let mut out: Vec<String> = VALID.iter().map(|s| s.to_string()).collect();
    out.extend(BROKEN.iter().map(|(q, _, _)| q.to_string()));
    if let Some(data) = shared() {
        out.extend(mixin_queries(&data.join("dashboards/loki-mixin")).into_iter().map(|(_, q)| substitute_grafana_vars(&q, false)));
    }
    out
}

/// A deterministic pseudo-random generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn never_panics() {
    let corpus = corpus();
    let mut n = 0;
    // every truncation of every corpus query, at every character boundary
    for q in &corpus {
        for (i, _) in q.char_indices().chain(std::iter::once((q.len(), ' '))) {
            let _ = check(&q[..i]);
            let _ = check(&q[i..]);
            n += 2;
        }
    }
    // mutations: bytes replaced, inserted, deleted; pieces of other queries spliced in
    let pieces = ["(", ")", "{", "}", "[5m]", "[", "]", "|", "|=", "\"", "`", "\\", "$", "$__auto", ",", " or ", " and ", " by ", "unwrap", "json", "é", "\n", "#", "-", "--", "1", "5m", "20MB", "=~", "!", "ip(", "bool", "on", "group_left"];
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for _ in 0..20_000 {
        let mut q = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(4) {
            let bounds: Vec<usize> = q.char_indices().map(|(i, _)| i).chain(std::iter::once(q.len())).collect();
            let at = bounds[rng.below(bounds.len())];
            match rng.below(4) {
                0 => q.insert_str(at, pieces[rng.below(pieces.len())]),
                1 => {
                    if let Some(c) = q[at..].chars().next() {
                        q.replace_range(at..at + c.len_utf8(), "");
                    }
                }
                2 => {
                    let o = &corpus[rng.below(corpus.len())];
                    let ob: Vec<usize> = o.char_indices().map(|(i, _)| i).chain(std::iter::once(o.len())).collect();
                    let (a, b) = (ob[rng.below(ob.len())], ob[rng.below(ob.len())]);
                    q.insert_str(at, &o[a.min(b)..a.max(b)]);
                }
                _ => {
                    let c = (32 + rng.below(95)) as u8 as char;
                    q.insert(at, c);
                }
            }
        }
        // every error recovered from, not only the first, lies inside the text
        for e in check_all(&q) {
            assert!(e.offset + e.len <= q.len(), "{q:?}: {e:?}");
            assert!(q.is_char_boundary(e.offset) && q.is_char_boundary(e.offset + e.len), "{q:?}: {e:?}");
        }
        n += 1;
    }
    eprintln!("{n} random and truncated LogQL inputs: no panic");
}

#[test]
fn deep_nesting_is_an_error() {
    for q in ["(".repeat(100_000), format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)), "sum(".repeat(50_000), format!("{{a=\"b\"}} | {}", "(".repeat(100_000)), "2^".repeat(50_000) + "2"] {
        let e = check(&q).expect("an error");
        assert!(e.message.contains("nests more than") || e.message.contains("expected"), "{}", e.message);
    }
    let ok = format!("{}1{}", "(".repeat(50), ")".repeat(50));
    assert_eq!(check(&ok), None);
}

#[test]
fn long_chains_parse_and_drop() {
    // 200,000 operators nest 200,000 deep: parsed in a loop, dropped without recursion
    let terms = vec!["1"; 200_000].join(" + ");
    assert_eq!(check(&terms), None);
    let filters = format!("{{app=\"a\"}} | {}", vec!["a=\"b\""; 200_000].join(" or "));
    assert_eq!(check(&filters), None);
}

fn time_of(q: &str) -> f64 {
    let t = Instant::now();
    assert_eq!(check(q), None, "{}", &q[..q.len().min(200)]);
    t.elapsed().as_secs_f64()
}

#[test]
fn parsing_is_linear() {
    let stages = |n: usize| format!("{{app=\"a\"}}{}", " | logfmt | level=\"error\" |= \"x\" or \"y\"".repeat(n));
    let terms = |n: usize| vec![r#"sum by (a) (count_over_time({app="a"} | json | n > 1 [5m]))"#; n].join(" + ");
    let filters = |n: usize| format!("{{app=\"a\"}} | {}", vec!["a=\"b\""; n].join(" and "));
    for (what, f) in [("pipeline stages", &stages as &dyn Fn(usize) -> String), ("binary terms", &terms), ("label filters", &filters)] {
        let (small, large) = (f(4_000), f(16_000));
        // the best of several interleaved runs (the machine is shared: other tests, other
        // builds), measured again when a ratio looks too high: quadratic time would be ~16×
        // every time, noise is not
        let mut ratio = f64::MAX;
        for attempt in 0..3 {
            let (mut ts, mut tl) = (f64::MAX, f64::MAX);
            for _ in 0..5 {
                ts = ts.min(time_of(&small));
                tl = tl.min(time_of(&large));
            }
            ratio = ratio.min(tl / ts);
            eprintln!("{what}: 4,000 in {:.2} ms, 16,000 in {:.2} ms (ratio {:.1}, attempt {})", ts * 1e3, tl * 1e3, tl / ts, attempt + 1);
            if ratio < 9.0 {
                break;
            }
        }
        assert!(ratio < 9.0, "{what}: 4× the input took {ratio:.1}× the time");
    }
}


#[test]
fn go_regexes_are_read_as_go_reads_them() {
    // Go takes these as literals or knows the syntax; the `regex` crate alone would refuse them
    for re in [r#"{"level":"error"}"#, "a{", "x{1", "{}", "a{b}", "^{", "a{,3}", r"\Qa.b{\E", r"\C", "[[]", "[a&&b]", "[a--b]", "[]a]", "[^]a]", "}"] {
        assert_eq!(regexp::regex_error(re), None, "{re}");
    }
    // and both refuse these
    for re in ["(", "[a", "x{2,1}", "*", r"\p{Nope}", "(?P<x"] {
        assert!(regexp::regex_error(re).is_some(), "{re}");
    }
    for ok in [r"\{x\}", "a{2}", "a{2,}", "a{2,5}", "[[:alpha:]]+", r"\pL", "(?i)abc", r"\d+\.\d*", "[a-z-]"] {
        assert_eq!(regexp::regex_error(ok), None, "{ok}");
    }
    assert_eq!(check(r#"{app="x"} |~ "{\"level\":\"error\"""#), None);
    assert!(check(r#"{app=~"{}|"}"#).is_some(), "`{{}}|` matches the empty value");
}

/// Queries with several independent mistakes (error recovery, issue #17): every error, in
/// order, as (part of the message, offset, length), and no other.
const SEVERAL: &[(&str, &[(&str, usize, usize)])] = &[
    // pipeline stages: each broken one is skipped to the next `|`
    (r#"{app="x"} | jsn | logfmt | lvl=~5 |= "a""#, &[("unknown pipeline stage `jsn`", 12, 3), ("expected a regex in quotes after `lvl=~`", 32, 1)]),
    (r#"{app="x"} | a > x != "y" | jsn"#, &[("expected a value after `a>`", 16, 1), ("unknown pipeline stage `jsn`", 27, 3)]),
    (r#"{app="x"} | level = error or status >= "500" and path=~"(" | json"#, &[("expected a value after `level=`", 20, 5), ("`>=` compares numbers, durations or sizes; this is a string", 39, 5), ("invalid regex", 55, 3)]),
    (r#"sum_over_time({app="x"} | unwrap n | a > x or b = y [5m])"#, &[("expected a value after `a>`", 41, 1), ("expected a value after `b=`", 50, 1)]),
    (r#"{app="x"} |= error | line_format | json"#, &[("expected the text to match after `|=`", 13, 5), ("expected a template in quotes", 33, 1)]),
    // matchers: each broken one is skipped to the next `,` or `}`; a missing `,` is read over
    (r#"{app=x, env="p", b=1} | json"#, &[("expected a quoted value after `app=`", 5, 1), ("expected a quoted value after `b=`", 19, 1)]),
    (r#"{app="x" env="y", b=1}"#, &[("expected `,` or `}` in the stream selector, found `env`", 9, 3), ("expected a quoted value after `b=`", 20, 1)]),
    (r#"{a=1,}"#, &[("expected a quoted value after `a=`", 3, 1), ("expected a label name", 5, 1)]),
    // operands of binary operators, arguments of functions
    (r#"sum(rat({app="x"}[5m])) + sum(rate({app="y"} | jsn [5m])) / foo"#, &[("unknown function `rat`", 4, 3), ("unknown pipeline stage `jsn`", 47, 3), ("unexpected `foo`", 60, 3)]),
    (r#"{app="x"} + {b="y"}"#, &[("the left side of `+` is a log query", 0, 9), ("the right side of `+` is a log query", 12, 7)]),
    (r#"sum by (a) (rate({app="x"}[5m])) by (b) + foo"#, &[("`sum` is grouped twice", 33, 2), ("unexpected `foo`", 42, 3)]),
    (r#"rate({app="x"} | jsn)"#, &[("unknown pipeline stage `jsn`", 17, 3), ("`rate` needs a range", 20, 1)]),
    // one mistake each: no follow-on errors
    (r#"{app="", b=1}"#, &[("expected a quoted value after `b=`", 11, 1)]),
    (r#"{app="x" |= "a" or "b""#, &[("expected `,` or `}` in the stream selector", 9, 2)]),
    (r#"sum(count_over_time({app="x" |= "a" [5m])) > 20"#, &[("expected `,` or `}` in the stream selector", 29, 2)]),
    (r#"{app="x"} | (a="1" | json"#, &[("expected `)` closing the label filter", 19, 1)]),
    (r#"sum(rate({app="x"}[5m])"#, &[("expected `)` closing `sum(`", 22, 1)]),
    (r#"{app="x"} |"#, &[("the query ends with `|`", 10, 1)]),
    (")", &[("expected a query, found `)`", 0, 1)]),
    // `or` before no label filter ends the log query: a binary operator, whose broken right
    // side does not make the left one a log query error too
    (r#"{app="x"} | logfmt | status >= 500 or size) > 1"#, &[("unexpected `size`", 38, 4), ("unexpected `)` after a complete query", 42, 1)]),
    (r#"sum(rate({app="x"}[5m])) / on (a) group_left"#, &[("expected a query", 34, 10)]),
];

#[test]
fn several_mistakes_give_each_error() {
    let mut wrong = vec![];
    for (q, want) in SEVERAL {
        let got = check_all(q);
        let ok = got.len() == want.len() && got.iter().zip(want.iter()).all(|(e, (m, o, l))| e.message.contains(m) && e.offset == *o && e.len == *l);
        if !ok {
            wrong.push(format!("{q}\n  want {want:?}\n  got  {:?}", got.iter().map(|e| (e.message.as_str(), e.offset, e.len)).collect::<Vec<_>>()));
        }
        // the first error is the one `check` (and a parser stopping at it) gives
        assert_eq!(check(q).as_ref(), got.first(), "{q}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn single_mistakes_give_one_error() {
    // each broken query of the corpus has one mistake: recovery adds nothing to it
    for (q, _, _) in BROKEN {
        let v = check_all(q);
        assert_eq!(v.len(), 1, "{q}: {v:?}");
    }
}

#[test]
fn errors_are_capped_and_linear() {
    // a broken stage after each `|`: at most MAX_ERRORS, each one found, in linear time
    let q = |n: usize| format!("{{app=\"a\"}}{}", " | jsn".repeat(n));
    let v = check_all(&q(50));
    assert_eq!(v.len(), MAX_ERRORS);
    assert!(v.iter().enumerate().all(|(i, e)| e.offset == 12 + 6 * i && e.len == 3 && e.message.contains("`jsn`")), "{v:?}");
    assert_eq!(check_all(&q(3)).len(), 3);
    let time = |t: &str| {
        let start = Instant::now();
        assert!(!check_all(t).is_empty());
        start.elapsed().as_secs_f64()
    };
    for make in [q, |n: usize| vec![r#"sum(rat({app="a"}[5m]))"#; n].join(" + "), |n: usize| format!("{{{}}}", vec!["a=1"; n].join(", "))] {
        let (small, large) = (make(20_000), make(80_000));
        let mut ratio = f64::MAX;
        for _ in 0..3 {
            let (mut ts, mut tl) = (f64::MAX, f64::MAX);
            for _ in 0..3 {
                ts = ts.min(time(&small));
                tl = tl.min(time(&large));
            }
            ratio = ratio.min(tl / ts.max(1e-9));
            if ratio < 9.0 {
                break;
            }
        }
        assert!(ratio < 9.0, "4× the input took {ratio:.1}× the time");
    }
}

#[test]
fn recovery_never_panics() {
    // operators, brackets and words pasted into the corpus, where recovery skips and resumes:
    // every error lies inside the text, the first is `check`'s
    let corpus = corpus();
    let pieces = ["(", ")", "{", "}", "[5m]", "|", "|=", "!=", ",", " or ", " and ", " by ", "unwrap", "json", "1", "5m", "=~", "!", "x", "+", "=", "\"a\""];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..20_000 {
        let mut q = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(3) {
            let bounds: Vec<usize> = q.char_indices().map(|(i, _)| i).chain(std::iter::once(q.len())).collect();
            let at = bounds[rng.below(bounds.len())];
            q.insert_str(at, pieces[rng.below(pieces.len())]);
        }
        let all = check_all(&q);
        assert!(all.len() <= MAX_ERRORS, "{q:?}");
        for e in &all {
            assert!(e.offset + e.len <= q.len() && q.is_char_boundary(e.offset) && q.is_char_boundary(e.offset + e.len), "{q:?}: {e:?}");
        }
        assert_eq!(check(&q).as_ref(), all.first(), "{q:?}");
    }
}
