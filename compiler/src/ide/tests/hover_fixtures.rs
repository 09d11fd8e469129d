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
