//! Go to definition, find references and rename, on fixtures (`$0` is the cursor).

use super::fixture::{goto_definition, references, rename};
use insta::assert_snapshot;

// ---- go to definition --------------------------------------------------------------------------

#[test]
fn definition_of_a_let() {
    assert_snapshot!(goto_definition(r#"
        let window = 30d
        stack s { prometheus { retention = win$0dow } }
    "#), @r#"
        from main.gstack:2:36 "window"
        to main.gstack:1:5 "window" in "let window = 30d"
        "#);
}

#[test]
fn definition_of_a_for_variable_and_a_parameter() {
    assert_snapshot!(goto_definition(r#"
        dashboard d { row "r" { for svc in ["a"] { stat "${s$0vc}" { query = promql`up` } } } }
    "#), @r#"
        from main.gstack:1:52 "svc"
        to main.gstack:1:29 "svc" in "for svc in [\"a\"] { stat \"${svc}\" { query = promql`up` } }"
        "#);
    assert_snapshot!(goto_definition(r#"
        fn f(name: string) = na$0me
    "#), @r#"
        from main.gstack:1:22 "name"
        to main.gstack:1:6 "name" in "name"
        "#);
}

#[test]
fn definition_across_files_through_an_alias() {
    assert_snapshot!(goto_definition(r#"
        //- /main.gstack
        import "./teams/pay.gstack" as pay
        let n = len(pay.servi$0ces)
        //- /teams/pay.gstack
        let services = ["a", "b"]
    "#), @r#"
        from main.gstack:2:17 "services"
        to teams/pay.gstack:1:5 "services" in "let services = [\"a\", \"b\"]"
        "#);
}

#[test]
fn definition_of_an_import_path_is_the_file() {
    assert_snapshot!(goto_definition(r#"
        //- /main.gstack
        import "./li$0b.gstack" as lib
        //- /lib.gstack
        let x = 1
    "#), @r#"
        from main.gstack:1:9 "./lib.gstack"
        to lib.gstack:1:1 "" in ""
        "#);
}

#[test]
fn definition_of_a_datasource_is_the_component() {
    assert_snapshot!(goto_definition(r#"
        stack s {
          prometheus {}
          loki {}
        }
        dashboard d { logs "l" { datasource = lo$0ki, query = logql`{a="b"}` } }
    "#), @r#"
        from main.gstack:5:39 "loki"
        to main.gstack:3:3 "loki" in "loki {}"
        "#);
}

#[test]
fn definition_of_a_receiver_in_another_file_of_the_stack() {
    assert_snapshot!(goto_definition(r#"
        //- /main.gstack
        import "./am.gstack" as am
        stack s { alertmanager { route { receiver = onc$0all } } }
        //- /am.gstack
        stack other { alertmanager { receiver oncall { webhook = secret.env("U") } } }
    "#), @r#"
        from main.gstack:2:45 "oncall"
        to am.gstack:1:39 "oncall" in "receiver oncall { webhook = secret.env(\"U\") }"
        "#);
}

#[test]
fn no_definition_for_a_builtin_or_an_unknown_name() {
    assert_snapshot!(goto_definition("let x = le$0n([1])"), @"(no definition)");
    assert_snapshot!(goto_definition("let x = nowh$0ere"), @"(no definition)");
}

// ---- references ---------------------------------------------------------------------------------

#[test]
fn references_of_a_let_with_and_without_the_declaration() {
    let fx = r#"
        let services = ["a"]
        let n = len(services)
        dashboard d { row "r" { for s in servi$0ces { stat s { query = promql`up` } } } }
    "#;
    assert_snapshot!(references(fx, true), @r#"
        main.gstack:1:5 "services"
        main.gstack:2:13 "services"
        main.gstack:3:34 "services"
        "#);
    assert_snapshot!(references(fx, false), @r#"
        main.gstack:2:13 "services"
        main.gstack:3:34 "services"
        "#);
}

#[test]
fn references_of_a_function_across_files() {
    assert_snapshot!(references(r#"
        //- /lib.gstack
        fn pan$0el(t: string) = stat "${t}" { query = promql`up` }
        let p = panel("x")
        //- /main.gstack
        import "./lib.gstack" as lib
        dashboard d { row "r" { lib.panel("a") lib.panel("b") } }
    "#, true), @r#"
        lib.gstack:1:4 "panel"
        lib.gstack:2:9 "panel"
        main.gstack:2:29 "panel"
        main.gstack:2:44 "panel"
        "#);
}

#[test]
fn references_of_a_parameter_stay_in_its_function() {
    assert_snapshot!(references(r#"
        fn f(x: string) = x + x
        fn g(x: string) = x$0
        let v = f("a") + g("b")
    "#, true), @r#"
        main.gstack:2:6 "x"
        main.gstack:2:19 "x"
        "#);
    assert_snapshot!(references(r#"
        fn f(x$0: string) = x + x
        fn g(x: string) = x
    "#, true), @r#"
        main.gstack:1:6 "x"
        main.gstack:1:19 "x"
        main.gstack:1:23 "x"
        "#);
}

#[test]
fn references_of_an_import_path_are_every_import_of_the_file() {
    assert_snapshot!(references(r#"
        //- /a.gstack
        import "./li$0b.gstack" as l
        //- /b.gstack
        import "./lib.gstack" as m
        import std.panels
        //- /lib.gstack
        let x = 1
    "#, true), @r#"
        a.gstack:1:9 "./lib.gstack"
        b.gstack:1:9 "./lib.gstack"
        "#);
}

#[test]
fn references_of_an_implicit_alias_are_its_uses() {
    assert_snapshot!(references(r#"
        import std.pan$0els
        dashboard d { row "r" { panels.rate_by("a", "b", "c") panels.error_ratio("e", "x", "y") } }
    "#, true), @r#"
        main.gstack:1:12 "panels"
        main.gstack:2:25 "panels"
        main.gstack:2:55 "panels"
        "#);
}

#[test]
fn references_of_a_datasource_by_name_and_quoted() {
    assert_snapshot!(references(r#"
        stack s { prometheus {} }
        datasource ware$0house { type = postgres, url = "db:5432" }
        dashboard d {
          table "a" { datasource = warehouse, query = sql`select 1` }
          table "b" { datasource = "warehouse", query = sql`select 2` }
        }
    "#, true), @r#"
        main.gstack:2:12 "warehouse"
        main.gstack:4:28 "warehouse"
        main.gstack:5:29 "warehouse"
        "#);
}

// ---- rename ---------------------------------------------------------------------------------------

#[test]
fn rename_a_let_across_files() {
    assert_snapshot!(rename(r#"
        //- /lib.gstack
        let serv$0ices = ["a"]
        //- /main.gstack
        import "./lib.gstack" as lib
        let n = len(lib.services) + len(lib.services)
    "#, "apps"), @r#"
        prepare: lib.gstack:1:5 "services" (services)
        //- /lib.gstack
        let apps = ["a"]
        //- /main.gstack
        import "./lib.gstack" as lib
        let n = len(lib.apps) + len(lib.apps)
        "#);
}

#[test]
fn rename_a_receiver_renames_the_routes() {
    assert_snapshot!(rename(r#"
        stack s {
          alertmanager {
            receiver onc$0all { webhook = secret.env("U") }
            route { receiver = oncall, route { receiver = oncall } }
          }
        }
    "#, "pager"), @r#"
        prepare: main.gstack:3:14 "oncall" (oncall)
        //- /main.gstack
        stack s {
          alertmanager {
            receiver pager { webhook = secret.env("U") }
            route { receiver = pager, route { receiver = pager } }
          }
        }
        "#);
}

#[test]
fn rename_an_implicit_alias_adds_as() {
    assert_snapshot!(rename(r#"
        import std.panels
        dashboard d { row "r" { pan$0els.rate_by("a", "b", "c") } }
    "#, "p"), @r#"
        prepare: main.gstack:2:25 "panels" (panels)
        //- /main.gstack
        import std.panels as p
        dashboard d { row "r" { p.rate_by("a", "b", "c") } }
        "#);
}

#[test]
fn rename_refuses_std_builtins_components_keywords_and_clashes() {
    assert_snapshot!(rename(r#"
        import std.panels
        dashboard d { row "r" { panels.rate$0_by("a", "b", "c") } }
    "#, "x"), @"
        prepare: error: names of the bundled `std` library cannot be renamed
        error: names of the bundled `std` library cannot be renamed
        ");
    assert_snapshot!(rename("let x = le$0n([1])", "size"), @"
        prepare: error: `len` is a built-in
        error: `len` is a built-in
        ");
    assert_snapshot!(rename("stack s { prom$0etheus {} }", "prom"), @"
        prepare: error: a component's name is its kind; it cannot be renamed
        error: a component's name is its kind; it cannot be renamed
        ");
    assert_snapshot!(rename("let a$0 = 1", "if"), @r#"
        prepare: main.gstack:1:5 "a" (a)
        error: `if` is not a valid name: use letters, digits and `_`, not starting with a digit, and no keyword
        "#);
    assert_snapshot!(rename("let a$0 = 1\nlet b = 2", "b"), @r#"
        prepare: main.gstack:1:5 "a" (a)
        error: `b` is already defined
        "#);
}
