//! Whole-file features on fixtures: document symbols, semantic tokens, inlay hints and
//! diagnostics.

use super::fixture::{diagnostics, document_symbols, inlay_hints, semantic_tokens};
use insta::assert_snapshot;

// ---- document symbols ----------------------------------------------------------------------------

#[test]
fn outline_of_a_stack_with_components_and_their_blocks() {
    assert_snapshot!(document_symbols(r#"
        import std.panels
        import "./teams/pay.gstack" as pay
        let window = 30d
        fn p(t: string) = stat "${t}" { query = promql`up` }
        stack shop {
          prometheus { scrape app { targets = ["a:1"] } }
          alertmanager {
            receiver oncall { webhook = secret.env("U") }
            route { receiver = oncall }
          }
        }
        datasource warehouse { type = postgres, url = "db:5432" }
        alert Down { expr = promql`up == 0` }
        target kubernetes { resources prometheus { cpu = 1 } }
    "#), @r#"
        Import std.panels (std.panels) [panels] 1:1-1:18
        Import pay (./teams/pay.gstack) [pay] 2:1-2:35
        Let window [window] 3:1-3:17
        Fn p (fn p(t: string)) [p] 4:1-4:53
          Panel stat ["${t}"] 4:19-4:53
        Stack shop (stack) [shop] 5:1-11:2
          Component prometheus [prometheus] 6:3-6:50
            Scrape app (scrape) [app] 6:16-6:48
          Component alertmanager [alertmanager] 7:3-10:4
            Receiver oncall (receiver) [oncall] 8:5-8:50
            Route route [route] 9:5-9:32
        Datasource warehouse (datasource) [warehouse] 12:1-12:58
        Alert Down (alert) [Down] 13:1-13:38
        Target kubernetes (target) [kubernetes] 14:1-14:55
          Block prometheus (resources) [prometheus] 14:21-14:53
        "#);
}

#[test]
fn outline_of_a_dashboard_lists_variables_rows_and_panels_in_for_and_if() {
    assert_snapshot!(document_symbols(r#"
        dashboard d {
          var job = query(prometheus, "label_values(up, job)")
          row "Traffic" {
            for s in ["a", "b"] { stat s { query = promql`up` } }
            if true { timeseries "t" { query = promql`up` } }
          }
          text "notes" {}
        }
    "#), @r#"
        Dashboard d (dashboard) [d] 1:1-8:2
          Variable job (var) [job] 2:3-2:55
          Row Traffic (row) ["Traffic"] 3:3-6:4
            Panel s (stat) [s] 4:27-4:56
            Panel t (timeseries) ["t"] 5:15-5:52
          Panel notes (text) ["notes"] 7:3-7:18
        "#);
}

#[test]
fn outline_of_broken_syntax_keeps_what_parsed() {
    assert_snapshot!(document_symbols(r#"
        let a = 1
        dashboard d {
          row "r" {
            stat "s" { query = promql`up`
        let b = (
    "#), @r#"
        Let a [a] 1:1-1:10
        Dashboard d (dashboard) [d] 2:1-5:1
          Row r (row) ["r"] 3:3-5:1
            Panel s (stat) ["s"] 4:5-5:1
        "#);
}

#[test]
fn outline_of_an_empty_file() {
    assert_snapshot!(document_symbols(""), @"(no symbols)");
}

// ---- semantic tokens -------------------------------------------------------------------------------

#[test]
fn tokens_of_names_fields_and_literals() {
    assert_snapshot!(semantic_tokens(r#"
        /// doc
        import std.panels as p
        let w = 15d
        fn f(x: string) = x
        stack s { prometheus { retention = w } }
        alert A { expr = promql`up`, severity = critical }
    "#), @r#"
        1:1 "/// doc" comment [documentation]
        2:1 "import" keyword
        2:8 "std" keyword
        2:12 "panels" namespace
        2:19 "as" keyword
        2:22 "p" namespace [declaration]
        3:1 "let" keyword
        3:5 "w" variable [declaration, readonly]
        3:7 "=" operator
        3:9 "15d" number
        4:1 "fn" keyword
        4:4 "f" function [declaration]
        4:6 "x" parameter [declaration]
        4:7 ":" operator
        4:17 "=" operator
        4:19 "x" parameter
        5:1 "stack" keyword
        5:7 "s" variable [declaration]
        5:11 "prometheus" type
        5:24 "retention" property
        5:34 "=" operator
        5:36 "w" variable [readonly]
        6:1 "alert" keyword
        6:7 "A" variable [declaration]
        6:11 "expr" property
        6:16 "=" operator
        6:18 "promql" macro
        6:24 "`" string
        6:25 "up" string
        6:27 "`" string
        6:30 "severity" property
        6:39 "=" operator
        6:41 "critical" enumMember
        "#);
}

#[test]
fn tokens_of_a_multi_line_string_are_split_per_line() {
    assert_snapshot!(semantic_tokens("let q = promql`sum(\n  rate(x[5m])\n)`\nlet s = \"é ${q}\"\n"), @r#"
        1:1 "let" keyword
        1:5 "q" variable [declaration, readonly]
        1:7 "=" operator
        1:9 "promql" macro
        1:15 "`" string
        1:16 "sum(" string
        2:1 "  rate(x[5m])" string
        3:1 ")" string
        3:2 "`" string
        4:1 "let" keyword
        4:5 "s" variable [declaration, readonly]
        4:7 "=" operator
        4:9 "\"" string
        4:10 "é " string
        4:12 "${" operator
        4:14 "q" variable [readonly]
        4:15 "}" operator
        4:16 "\"" string
        "#);
}

// ---- inlay hints -------------------------------------------------------------------------------------

#[test]
fn parameter_names_before_arguments() {
    assert_snapshot!(inlay_hints(r#"
        fn panel(title: string, metric: string) = stat "${title}" { query = promql`${metric}` }
        let metric = "up"
        dashboard d { row "r" { panel("Up", metric) panel("x") } }
    "#), @r#"
        fn panel(title: string, metric: string) = stat "${title}" { query = promql`${metric}` }
        let metric = "up"
        dashboard d { row "r" { panel(⟨title:⟩ "Up", metric) panel("x") } }
        "#);
}

#[test]
fn parameter_names_of_a_std_function() {
    assert_snapshot!(inlay_hints(r#"
        import std.panels
        dashboard d { row "r" { panels.rate_by("Requests", "http_requests_total", "route") } }
    "#), @r#"
        import std.panels
        dashboard d { row "r" { panels.rate_by(⟨title:⟩ "Requests", ⟨metric:⟩ "http_requests_total", ⟨by:⟩ "route") } }
        "#);
}

#[test]
fn no_hints_for_builtins_or_unresolved_calls() {
    assert_snapshot!(inlay_hints(r#"let x = join(["a"], ",") + nope("a")"#), @r#"let x = join(["a"], ",") + nope("a")"#);
}

// ---- diagnostics ---------------------------------------------------------------------------------------

#[test]
fn clean_stack() {
    assert_snapshot!(diagnostics(r#"
        stack s { prometheus {} }
        alert A { expr = promql`up == 0`, severity = critical }
    "#), @"
        file_local:
        stack:
          main.gstack: clean
        ");
}

#[test]
fn syntax_error_hides_evaluation_errors_on_its_line() {
    assert_snapshot!(diagnostics(r#"
        stack s { prometheus {} }
        let a = nowhere + (
        let b = also_nowhere
    "#), @"
        file_local:
          main.gstack:3:5 E0001: unexpected `b`
        stack:
          main.gstack:
            main.gstack:3:5 E0001: unexpected `b`
        ");
}

#[test]
fn stack_errors_go_to_the_file_they_are_in() {
    assert_snapshot!(diagnostics(r#"
        //- /main.gstack
        import "./alerts.gstack" as alerts
        stack s { prometheus {} }
        //- /alerts.gstack
        alert A { expr = promql`up == 0`, severity = loud }
    "#), @"
        file_local:
        stack:
          alerts.gstack:
            alerts.gstack:1:46 E0205: `loud` is not a valid `severity`
          main.gstack: clean
        ");
}

#[test]
fn a_file_without_a_stack() {
    assert_snapshot!(diagnostics("let x = 1\n"), @"
        file_local:
        stack:
          main.gstack:
            main.gstack:1:1 E0202: no `stack` is declared
        ");
}
