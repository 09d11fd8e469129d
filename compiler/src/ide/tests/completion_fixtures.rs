//! Completion fixtures: `$0` is the cursor. `completion` shows every item with its kind,
//! detail and inserted text; `completion_labels` only the labels, for long lists.

use super::fixture::{completion, completion_labels};
use insta::assert_snapshot;

#[test]
fn fields_of_a_component_block_not_set_yet() {
    assert_snapshot!(completion_labels(r#"
        stack s {
          loki {
            retention = 7d
            $0
          }
        }
    "#), @"version port grpc_port stream_labels settings let for if");
}

#[test]
fn a_field_being_typed_in_a_component_block() {
    assert_snapshot!(completion(r#"
        stack s {
          tempo { otlp_h$0 }
        }
    "#), @r#"
        replace "otlp_h"
        Field version — string => version = $0
        Field port — port (1–65535) => port = $0
        Field grpc_port — port (1–65535) => grpc_port = $0
        Field otlp_grpc_port — port (1–65535) => otlp_grpc_port = $0
        Field otlp_http_port — port (1–65535) => otlp_http_port = $0
        Field memberlist_port — port (1–65535) => memberlist_port = $0
        Field retention — duration (e.g. `15s`, `10m`, `30d`) => retention = $0
        Field generator — list of one of service_graphs, span_metrics, local_blocks => generator = $0
        Block settings — freeform settings => settings {
        	$0
        }
        Keyword let => let ${1:name} = $0
        Keyword for => for ${1:x} in ${2:list} {
        	$0
        }
        Keyword if => if ${1:cond} {
        	$0
        }
        "#);
}

#[test]
fn components_of_the_stack_block() {
    assert_snapshot!(completion_labels(r#"
        stack s {
          prometheus {}
          $0
        }
    "#), @"grafana loki tempo alertmanager node_exporter let for if");
}

#[test]
fn top_level_declarations() {
    assert_snapshot!(completion_labels("$0"), @"stack datasource dashboard alert log_alert rules grafana_alert target import let fn");
}

#[test]
fn enum_values_of_a_field() {
    assert_snapshot!(completion(r#"
        stack s {
          prometheus { scrape app { targets = ["a:1"], scheme = $0 } }
        }
    "#), @r#"
        replace ""
        EnumValue http — scheme
        EnumValue https — scheme
        Function secret — built-in
        Function query — built-in => query
        Function custom — built-in => custom
        Function interval — built-in => interval
        Function datasource — built-in => datasource
        Function constant — built-in => constant
        Function textbox — built-in => textbox
        Function adhoc — built-in => adhoc
        Function import_dashboard — built-in => import_dashboard
        Function import_rules — built-in => import_rules
        Function len — built-in => len
        Function join — built-in => join
        Function lower — built-in => lower
        Function upper — built-in => upper
        Function range — built-in => range
        Function str — built-in => str
        "#);
}

#[test]
fn datasource_names_of_the_stack() {
    assert_snapshot!(completion(r#"
        //- /main.gstack
        import "./ds.gstack" as ds
        stack s { prometheus {} loki {} }
        dashboard d { table "t" { datasource = $0 } }
        //- /ds.gstack
        datasource warehouse { type = postgres, url = "db:5432" }
    "#), @r#"
        replace ""
        Reference prometheus — stack component
        Reference loki — stack component
        Reference warehouse — datasource (postgres)
        Module ds — import "./ds.gstack"
        Function secret — built-in
        Function query — built-in => query
        Function custom — built-in => custom
        Function interval — built-in => interval
        Function datasource — built-in => datasource
        Function constant — built-in => constant
        Function textbox — built-in => textbox
        Function adhoc — built-in => adhoc
        Function import_dashboard — built-in => import_dashboard
        Function import_rules — built-in => import_rules
        Function len — built-in => len
        Function join — built-in => join
        Function lower — built-in => lower
        Function upper — built-in => upper
        Function range — built-in => range
        Function str — built-in => str
        "#);
}

#[test]
fn datasource_names_as_the_first_argument_of_query() {
    assert_snapshot!(completion_labels(r#"
        stack s { prometheus {} }
        dashboard d { var job = query($0) }
    "#), @"prometheus secret query custom interval datasource constant textbox adhoc import_dashboard import_rules len join lower upper range str");
}

#[test]
fn variable_constructors_after_var() {
    assert_snapshot!(completion_labels(r#"
        dashboard d { var job = $0 }
    "#), @"query custom interval datasource constant textbox adhoc secret import_dashboard import_rules len join lower upper range str");
}

#[test]
fn receiver_names_in_a_route() {
    assert_snapshot!(completion_labels(r#"
        stack s {
          alertmanager {
            receiver oncall { webhook = secret.env("URL") }
            receiver team { webhook = secret.env("TEAM") }
            route { receiver = $0 }
          }
        }
    "#), @"oncall team secret query custom interval datasource constant textbox adhoc import_dashboard import_rules len join lower upper range str");
}

#[test]
fn units_after_digits_follow_the_field_type() {
    assert_snapshot!(completion_labels(r#"
        stack s { prometheus { retention = 15$0 } }
    "#), @"15ms 15s 15m 15h 15d 15w 15y");
    assert_snapshot!(completion(r#"
        stack s { prometheus {} }
        target kubernetes { resources prometheus { cpu = 5$0 } }
    "#), @r#"
        replace "5"
        Unit 5m — millicores
        "#);
}

#[test]
fn members_of_an_imported_file() {
    assert_snapshot!(completion(r#"
        //- /main.gstack
        import "./lib.gstack" as lib
        let x = lib.$0
        //- /lib.gstack
        /// The services.
        let services = ["a"]
        fn panel(t: string) = stat "${t}" { query = promql`up` }
    "#), @r#"
        replace ""
        Function panel — fn panel(t: string) => panel(${1:t})
        Variable services — let
        "#);
}

#[test]
fn std_modules_after_import() {
    assert_snapshot!(completion("import std.$0"), @r#"
        replace ""
        Module selfmon — std module
        Module panels — std module
        "#);
}

#[test]
fn target_kinds() {
    assert_snapshot!(completion_labels("target $0"), @"native systemd compose kubernetes helm");
}

#[test]
fn panel_fields_inside_a_function_body() {
    assert_snapshot!(completion_labels(r#"
        fn p(t: string) = stat "${t}" {
          query = promql`up`
          $0
        }
    "#), @"queries datasource unit thresholds description legend width height content repeat links time_from time_shift decimals min max no_value mappings threshold_mode draw_style line_width fill_opacity stack tooltip legend_mode legend_placement color_mode null_text max_data_points x y override target transform options settings let for if");
}

#[test]
fn names_in_scope_in_a_value() {
    assert_snapshot!(completion_labels(r#"
        let a = 1
        fn f(x: int) = x
        let b = $0
        let c = 2
    "#), @"a f secret query custom interval datasource constant textbox adhoc import_dashboard import_rules len join lower upper range str");
}

#[test]
fn nothing_inside_strings_queries_and_comments() {
    assert_snapshot!(completion(r#"let x = "te$0xt""#), @r#"
        replace "te"
        (no items)
        "#);
    assert_snapshot!(completion("dashboard d { table \"t\" { query = sql`sel$0ect 1` } }"), @r#"
        replace "sel"
        (no items)
        "#);
    assert_snapshot!(completion("// a comm$0ent"), @r#"
        replace "comm"
        (no items)
        "#);
}

#[test]
fn names_inside_an_interpolation() {
    assert_snapshot!(completion_labels(r#"
        let svc = "a"
        let t = "x ${s$0}"
    "#), @"svc secret query custom interval datasource constant textbox adhoc import_dashboard import_rules len join lower upper range str");
}

#[test]
fn in_broken_syntax_the_block_is_still_known() {
    assert_snapshot!(completion_labels(r#"
        stack s {
          alertmanager {
            receiver oncall { webhook = secret.env("U") }
            route { receiver =
            $0
    "#), @"oncall secret query custom interval datasource constant textbox adhoc import_dashboard import_rules len join lower upper range str");
}

#[test]
fn at_the_end_of_the_file_after_a_dot() {
    assert_snapshot!(completion("let x = secret.$0"), @r#"
        replace ""
        Function file — secret.file(path) => file("${1:/run/secrets/name}")
        Function env — secret.env(name) => env("${1:NAME}")
        "#);
}

#[test]
fn logql_stages_after_a_pipe() {
    assert_snapshot!(completion(r#"
        dashboard d { logs "l" { query = logql`{app="api"} | l$0` } }
    "#), @r#"
        replace "l"
        Keyword json — | json [label="expression", …] => json
        Keyword logfmt — | logfmt [--strict] [--keep-empty] [label="key", …] => logfmt
        Keyword regexp — | regexp "re" => regexp "$0"
        Keyword pattern — | pattern "<name> - <_> …" => pattern "$0"
        Keyword unpack — | unpack => unpack
        Keyword line_format — | line_format "{{.label}} …" => line_format "$0"
        Keyword label_format — | label_format dst="{{template}}", dst=src => label_format ${1:dst}=${2:src}
        Keyword decolorize — | decolorize => decolorize
        Keyword drop — | drop label, label="value", … => drop ${1:label}
        Keyword keep — | keep label, label="value", … => keep ${1:label}
        Keyword unwrap — | unwrap label  or  | unwrap duration(label) / duration_seconds(label) / bytes(label) => unwrap ${1:label}
        "#);
}

#[test]
fn logql_functions_at_the_start() {
    assert_snapshot!(completion_labels(r#"
        log_alert L { expr = logql`$0` }
    "#), @"rate rate_counter count_over_time bytes_rate bytes_over_time avg_over_time sum_over_time min_over_time max_over_time stdvar_over_time stddev_over_time quantile_over_time first_over_time last_over_time absent_over_time sum avg min max stddev stdvar count topk bottomk approx_topk sort sort_desc label_replace vector {…}");
}

#[test]
fn logql_labels_in_a_stream_selector() {
    assert_snapshot!(completion(r#"
        log_alert L { expr = logql`count_over_time({team="core"}[5m]) > 1` }
        dashboard d { logs "l" { query = logql`{$0}` } }
    "#), @r#"
        replace ""
        Field team — stream label (the stack's queries select on it) => team="$0"
        Field service_name — stream label (set by Loki or its usual clients) => service_name="$0"
        Field job — stream label (set by Loki or its usual clients) => job="$0"
        Field instance — stream label (set by Loki or its usual clients) => instance="$0"
        Field app — stream label (set by Loki or its usual clients) => app="$0"
        Field namespace — stream label (set by Loki or its usual clients) => namespace="$0"
        Field pod — stream label (set by Loki or its usual clients) => pod="$0"
        Field container — stream label (set by Loki or its usual clients) => container="$0"
        Field host — stream label (set by Loki or its usual clients) => host="$0"
        Field filename — stream label (set by Loki or its usual clients) => filename="$0"
        Field level — stream label (set by Loki or its usual clients) => level="$0"
        Field env — stream label (set by Loki or its usual clients) => env="$0"
        "#);
}

#[test]
fn logql_line_filters_after_the_selector() {
    assert_snapshot!(completion(r#"
        dashboard d { logs "l" { query = logql`{app="api"} $0` } }
    "#), @r#"
        replace ""
        Snippet |= "…" — line filter: lines containing the text => |= "$0"
        Snippet != "…" — line filter: lines not containing the text => != "$0"
        Snippet |~ "…" — line filter: lines matching the RE2 regex => |~ "$0"
        Snippet !~ "…" — line filter: lines not matching the RE2 regex => !~ "$0"
        Snippet |> "…" — line filter: lines matching the pattern (`<_>` is any text) => |> "$0"
        Snippet !> "…" — line filter: lines not matching the pattern => !> "$0"
        "#);
}
