//! Hover fixtures: `$0` is the cursor; the snapshot is the hovered text, then the Markdown.

use super::fixture::hover;
use insta::assert_snapshot;

#[test]
fn component_field_shows_type_default_and_doc() {
    assert_snapshot!(hover(r#"
        stack s {
          prometheus { reten$0tion = 30d }
        }
    "#), @r#"
        main.gstack:2:16 "retention"

        **retention**: duration (e.g. `15s`, `10m`, `30d`)

        Default: `15d`

        Units: `ms` `s` `m` `h` `d` `w` `y`

        `--storage.tsdb.retention.time`.

        *Field of* `prometheus`
        "#);
}

#[test]
fn component_block_is_the_datasource_of_its_name() {
    assert_snapshot!(hover(r#"
        stack s {
          lo$0ki {}
        }
    "#), @r#"
        main.gstack:2:3 "loki"

        ```gstack
        (component) loki
        ```

        A datasource of the stack (uid `loki`).

        Loki, single binary with filesystem storage and the tsdb/v13 schema (https://grafana.com/docs/loki/latest/configure/).
        "#);
}

#[test]
fn nested_block_kind() {
    assert_snapshot!(hover(r#"
        stack s {
          prometheus {
            scr$0ape app { targets = ["127.0.0.1:8080"] }
          }
        }
    "#), @r#"
        main.gstack:3:5 "scrape"

        ```gstack
        scrape app
        ```

        `scrape NAME { … }` (any number)

        A scrape job: `scrape app { targets = ["127.0.0.1:8080"] }`.

        A Prometheus scrape job (`scrape_configs[]`, https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config).

        Fields: `targets`, `interval`, `timeout`, `metrics_path`, `scheme`, `labels`
        "#);
}

#[test]
fn let_shows_its_value_and_doc() {
    assert_snapshot!(hover(r#"
        /// Where the shop's services listen.
        let services = ["checkout", "cart"]
        let n = len(serv$0ices)
    "#), @r#"
        main.gstack:3:13 "services"

        ```gstack
        let services
        ```

        Value: list of 2 items

        ---

        Where the shop's services listen.
        "#);
}

#[test]
fn function_call_shows_signature_and_doc() {
    assert_snapshot!(hover(r#"
        /// Requests per second of one service.
        fn rate_panel(svc: string) = timeseries "${svc}" { query = promql`up`, unit = reqps }
        dashboard d { row "r" { rate_pa$0nel("a") } }
    "#), @r#"
        main.gstack:3:25 "rate_panel"

        ```gstack
        fn rate_panel(svc: string)
        ```

        ---

        Requests per second of one service.
        "#);
}

#[test]
fn parameter_in_its_body() {
    assert_snapshot!(hover(r#"
        fn title(svc: string, n: int) = "${s$0vc} x ${n}"
    "#), @r#"
        main.gstack:1:36 "svc"

        ```gstack
        (parameter) svc: string
        ```
        "#);
}

#[test]
fn member_of_std_module() {
    assert_snapshot!(hover(r#"
        import std.panels
        dashboard d { row "r" { panels.rate$0_by("a", "b", "c") } }
    "#), @r#"
        main.gstack:2:32 "rate_by"

        ```gstack
        fn rate_by(title: string, metric: string, by: string)
        ```

        ---

        Requests per second of `metric`, summed by `by`.

        *Defined in* `std.panels`
        "#);
}

#[test]
fn import_alias_of_a_file() {
    assert_snapshot!(hover(r#"
        //- /main.gstack
        import "./lib.gstack" as l$0ib
        let x = lib.n
        //- /lib.gstack
        /// Shared values.
        let n = 1
        fn f(a: string) = a
    "#), @r#"
        main.gstack:1:26 "lib"

        ```gstack
        (module) /lib.gstack
        ```

        Shared values.

        Functions: `f`

        Values: `n`
        "#);
}

#[test]
fn builtin_function() {
    assert_snapshot!(hover(r#"
        let x = jo$0in(["a", "b"], ",")
    "#), @r#"
        main.gstack:1:9 "join"

        ```gstack
        (built-in) join
        ```

        Join strings: `join(["a", "b"], ",")` is "a,b".
        "#);
}

#[test]
fn enum_value_lists_the_choices() {
    assert_snapshot!(hover(r#"
        alert A { expr = promql`up == 0`, severity = crit$0ical }
    "#), @r#"
        main.gstack:1:46 "critical"

        `critical`: a value of **severity**, one of `critical`, `warning`, `info`
        "#);
}

#[test]
fn enum_value_that_is_not_one_of_them() {
    assert_snapshot!(hover(r#"
        alert A { expr = promql`up == 0`, severity = lo$0ud }
    "#), @r#"
        main.gstack:1:46 "loud"

        `loud`: a value of **severity**, one of `critical`, `warning`, `info` — **not one of them**
        "#);
}

#[test]
fn grafana_unit_word() {
    assert_snapshot!(hover(r#"
        dashboard d { stat "s" { query = promql`up`, unit = req$0ps } }
    "#), @r#"
        main.gstack:1:53 "reqps"

        `reqps`: a Grafana unit id

        Grafana unit id (`reqps`, `percentunit`, `bytes`, `s`, …).
        "#);
}

#[test]
fn unit_literal_in_a_duration_field() {
    assert_snapshot!(hover(r#"
        stack s { prometheus { retention = 1$05d } }
    "#), @r#"
        main.gstack:1:36 "15d"

        **duration** `15d` = 1296000000 ms = 1296000 s
        "#);
}

#[test]
fn unit_literal_in_a_cpu_field() {
    assert_snapshot!(hover(r#"
        stack s { prometheus {} }
        target kubernetes { resources prometheus { cpu = 50$00m } }
    "#), @r#"
        main.gstack:2:50 "500m"

        **CPU** `500m` = 500 millicores = 0.5 cores
        "#);
}

#[test]
fn datasource_reference_to_a_component_and_to_a_declaration() {
    assert_snapshot!(hover(r#"
        stack s { prometheus {} }
        /// The warehouse.
        datasource warehouse { type = postgres, url = "db:5432" }
        dashboard d { table "t" { datasource = wareho$0use, query = sql`select 1` } }
    "#), @r#"
        main.gstack:4:40 "warehouse"

        ```gstack
        datasource warehouse
        ```

        A Grafana datasource (type `postgres`); panels and variables name it with `datasource = warehouse`.

        ---

        The warehouse.
        "#);
}

#[test]
fn datasource_reference_to_a_stack_component() {
    assert_snapshot!(hover(r#"
        stack s { prometheus {} loki {} }
        dashboard d { logs "l" { datasource = lo$0ki, query = logql`{a="b"}` } }
    "#), @r#"
        main.gstack:2:39 "loki"

        ```gstack
        (component) loki
        ```

        A datasource of the stack (uid `loki`).

        Loki, single binary with filesystem storage and the tsdb/v13 schema (https://grafana.com/docs/loki/latest/configure/).
        "#);
}

#[test]
fn field_key_while_the_block_is_not_closed() {
    assert_snapshot!(hover(r#"
        stack s {
          loki {
            grpc_po$0rt =
    "#), @r#"
        main.gstack:3:5 "grpc_port"

        **grpc_port**: port (1–65535)

        Default: `9096`

        gRPC port (`server.grpc_listen_port`); not 9095, which Tempo uses.

        *Field of* `loki`
        "#);
    assert_snapshot!(hover(r#"
        dashboard d { stat "s" { query = promql`up`, un$0it = }
    "#), @r#"
        main.gstack:1:46 "unit"

        **unit**: name or string

        Grafana unit id (`reqps`, `percentunit`, `bytes`, `s`, …).

        *Field of* `panel`
        "#);
    // `==` is no entry
    assert_snapshot!(hover("let x = po$0rt == 1"), @"(no hover)");
}

#[test]
fn receiver_name_that_is_not_declared() {
    assert_snapshot!(hover(r#"
        stack s {
          alertmanager {
            receiver oncall { webhook = secret.env("URL") }
            route { receiver = pag$0er }
          }
        }
    "#), @r#"
        main.gstack:4:24 "pager"

        `pager`: **no receiver of this name in the stack**
        "#);
}

#[test]
fn freeform_setting_key() {
    assert_snapshot!(hover(r#"
        stack s { grafana { settings { users.allow_sig$0n_up = false } } }
    "#), @r#"
        main.gstack:1:32 "users.allow_sign_up"

        **users.allow_sign_up** — a freeform setting

        Passed through to the program's configuration as written (`a.b = v` is key `b` of section `a`). Secrets may not go here.
        "#);
}

#[test]
fn inside_a_string_and_a_comment_nothing() {
    assert_snapshot!(hover(r#"
        // a comm$0ent
        let x = "text"
    "#), @"(no hover)");
    assert_snapshot!(hover(r#"
        let x = "te$0xt"
    "#), @"(no hover)");
}

#[test]
fn at_the_end_of_the_file() {
    assert_snapshot!(hover("let services = 1\nlet x = services$0"), @r#"
        main.gstack:2:9 "services"

        ```gstack
        let services
        ```

        Value: number `1`
        "#);
}

#[test]
fn promql_function_shows_signature_what_it_returns_and_its_page() {
    assert_snapshot!(hover(r#"
        alert A { expr = promql`histogram_quan$0tile(0.9, sum by (le) (rate(http_duration_seconds_bucket[5m]))) > 1` }
    "#), @r#"
        main.gstack:1:25 "histogram_quantile"

        ```promql
        histogram_quantile(φ scalar, b instant-vector) → instant vector
        ```

        The φ-quantile (0 ≤ φ ≤ 1) estimated from the buckets of each histogram (`le` label, or native).

        [Documentation](https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)
        "#);
}

#[test]
fn promql_aggregation_before_its_grouping() {
    assert_snapshot!(hover(r#"
        alert A { expr = promql`su$0m by (job) (rate(http_requests_total[5m])) > 1` }
    "#), @r#"
        main.gstack:1:25 "sum"

        ```promql
        sum [by|without (labels)] (v instant-vector) → instant vector
        ```

        The sum of the samples, per group.

        [Documentation](https://prometheus.io/docs/prometheus/latest/querying/operators/#aggregation-operators)
        "#);
}

#[test]
fn promql_keyword_and_experimental_function() {
    assert_snapshot!(hover(r#"
        alert A { expr = promql`sum(up) wit$0hout (instance)` }
    "#), @r#"
        main.gstack:1:33 "without"

        ```promql
        <aggregation> without (labels) (…)
        ```

        Drops these labels and aggregates over the series that then look alike.

        [Documentation](https://prometheus.io/docs/prometheus/latest/querying/operators/#aggregation-operators)
        "#);
    assert_snapshot!(hover(r#"
        alert A { expr = promql`sort_by_la$0bel(up, "job")` }
    "#), @r#"
        main.gstack:1:25 "sort_by_label"

        ```promql
        sort_by_label(v instant-vector, labels string...) → instant vector
        ```

        `v` sorted by the values of the given labels, ascending.

        *Experimental*: Prometheus runs it only with `--enable-feature=promql-experimental-functions`.

        [Documentation](https://prometheus.io/docs/prometheus/latest/querying/functions/#sort_by_label)
        "#);
}

#[test]
fn promql_labels_strings_and_metric_names_are_not_functions() {
    // a label of a grouping, a matcher's label and value, a metric named like a function
    for src in [
        "alert A { expr = promql`sum by (ra$0te) (up)` }",
        "alert A { expr = promql`up{ra$0te=\"x\"}` }",
        "alert A { expr = promql`up{job=\"ra$0te\"}` }",
        "alert A { expr = promql`ra$0te > 1` }",
        "alert A { expr = promql`rate(x[$__rate_inter$0val])` }",
    ] {
        assert_eq!(hover(src), "(no hover)", "{src}");
    }
}

#[test]
fn logql_range_aggregation_and_vector_aggregation() {
    assert_snapshot!(hover(r#"
        log_alert L { expr = logql`sum by (app) (count_over$0_time({app="api"} |= "error" [5m])) > 10` }
    "#), @r#"
        main.gstack:1:42 "count_over_time"

        ```logql
        count_over_time(log-range) → instant vector
        ```

        The number of lines of each stream in the range.

        [Documentation](https://grafana.com/docs/loki/latest/query/metric_queries/#log-range-aggregations)
        "#);
    assert_snapshot!(hover(r#"
        log_alert L { expr = logql`s$0um by (app) (count_over_time({app="api"} |= "error" [5m])) > 10` }
    "#), @r#"
        main.gstack:1:28 "sum"

        ```logql
        sum [by|without (labels)] (v instant-vector) → instant vector
        ```

        The sum of the samples, per group.

        [Documentation](https://grafana.com/docs/loki/latest/query/metric_queries/#built-in-aggregation-operators)
        "#);
}

#[test]
fn logql_pipeline_stages() {
    assert_snapshot!(hover(r#"
        dashboard d { logs "l" { query = logql`{app="api"} | js$0on | line_format "{{.msg}}"` } }
    "#), @r#"
        main.gstack:1:54 "json"

        ```logql
        | json [label="expression", …]
        ```

        Extracts the JSON fields of each line as labels (nested keys joined with `_`), or only the given ones.

        [Documentation](https://grafana.com/docs/loki/latest/query/log_queries/#json)
        "#);
    assert_snapshot!(hover(r#"
        dashboard d { logs "l" { query = logql`{app="api"} | json | line_for$0mat "{{.msg}}"` } }
    "#), @r#"
        main.gstack:1:61 "line_format"

        ```logql
        | line_format "{{.label}} …"
        ```

        Rewrites each line with a Go template over its labels.

        [Documentation](https://grafana.com/docs/loki/latest/query/log_queries/#line-format-expression)
        "#);
    assert_snapshot!(hover(r#"
        log_alert L { expr = logql`sum(quantile_over_time(0.99, {app="api"} | logfmt | unw$0rap duration(took) [5m])) > 2` }
    "#), @r#"
        main.gstack:1:80 "unwrap"

        ```logql
        | unwrap label  or  | unwrap duration(label) / duration_seconds(label) / bytes(label)
        ```

        Takes the values of a label as the samples of a range aggregation (`sum_over_time`, `quantile_over_time`, …).

        [Documentation](https://grafana.com/docs/loki/latest/query/metric_queries/#unwrapped-range-aggregations)
        "#);
}

#[test]
fn logql_unwrap_conversion_and_not_a_selector_label() {
    assert_snapshot!(hover(r#"
        log_alert L { expr = logql`sum(sum_over_time({app="api"} | logfmt | unwrap dura$0tion(took) [5m])) > 2` }
    "#), @r#"
        main.gstack:1:76 "duration"

        ```logql
        | unwrap duration(label)
        ```

        Reads a Go duration (`1m30s`) as seconds.

        [Documentation](https://grafana.com/docs/loki/latest/query/metric_queries/#unwrapped-range-aggregations)
        "#);
    for src in [
        "dashboard d { logs \"l\" { query = logql`{js$0on=\"x\"}` } }",
        "dashboard d { logs \"l\" { query = logql`{app=\"x\"} |= \"js$0on\"` } }",
        "dashboard d { logs \"l\" { query = logql`{app=\"x\"} | logfmt | dura$0tion > 2s` } }",
    ] {
        assert_eq!(hover(src), "(no hover)", "{src}");
    }
}

#[test]
fn traceql_metrics_function_and_pipeline_function() {
    assert_snapshot!(hover(r#"
        dashboard d { timeseries "t" { query = traceql`{ span.http.status_code >= 500 } | quantile_over$0_time(duration, .99) by (resource.service.name)` } }
    "#), @r#"
        main.gstack:1:83 "quantile_over_time"

        ```traceql
        { … } | quantile_over_time(field, q, …) [by (attributes)] → time series
        ```

        The q-quantiles (0 ≤ q ≤ 1) of the field over the matching spans, one series per q, per step.

        [Documentation](https://grafana.com/docs/tempo/latest/traceql/metrics-queries/functions/)
        "#);
    assert_snapshot!(hover(r#"
        dashboard d { traces "t" { query = traceql`{ status = error } | sel$0ect(span.http.url)` } }
    "#), @r#"
        main.gstack:1:65 "select"

        ```traceql
        { … } | select(attributes)
        ```

        Adds these attributes' values to the spans returned (not only the matched ones).

        [Documentation](https://grafana.com/docs/tempo/latest/traceql/construct-traceql-queries/#selection)
        "#);
    // an intrinsic inside the spanset is not the aggregate
    assert_eq!(hover("dashboard d { traces \"t\" { query = traceql`{ .cou$0nt > 1 }` } }"), "(no hover)");
}
