//! The real programs the tests run are the versions the stack renders configs for: each
//! program on PATH (installed by `.ci/run`) prints, in `--version`, the major.minor of its
//! component's default `version` as a default stack lowers it. A reader of another version
//! would pass or refuse configs for a program the stack does not write for.

mod common;

use common::{require, run};
use gstack::db::Database;
use gstack::programs::{version_of, Component};
use gstack::sema::check::check_stack;
use std::path::Path;
use std::process::Command;

/// The programs the tests run, with the component whose version each must be.
const PROGRAMS: &[(&str, Component)] = &[
    ("prometheus", Component::Prometheus),
    ("promtool", Component::Prometheus),
    ("alertmanager", Component::Alertmanager),
    ("amtool", Component::Alertmanager),
    ("node_exporter", Component::NodeExporter),
];

/// A stack whose blocks set nothing they need not, lowered: its versions are the defaults.
fn default_stack() -> gstack::ir::Stack {
    let src = r#"
stack s {
  prometheus {}
  alertmanager {
    receiver r { webhook = "http://x" }
    route { receiver = r }
  }
  node_exporter {}
}
"#;
    let mut db = Database::default();
    let f = db.set_file(Path::new("versions.gstack"), src.to_string());
    let checked = check_stack(&db, f);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    checked.stack.clone().unwrap()
}

/// The version in the first line of `--version`: `prometheus, version 3.5.1 (branch: …`.
fn printed_version<'a>(program: &str, out: &'a str) -> Option<&'a str> {
    let line = out.lines().next()?;
    let rest = line.strip_prefix(program)?.strip_prefix(", version ")?;
    Some(rest.split(' ').next().unwrap_or("")).filter(|v| !v.is_empty())
}

#[test]
fn printed_version_reads_the_first_line() {
    assert_eq!(printed_version("amtool", "amtool, version 0.28.1 (branch: , revision: unknown)\n  go"), Some("0.28.1"));
    // a `go install`ed build not stamped with -X: no version
    assert_eq!(printed_version("prometheus", "prometheus, version  (branch: , revision: unknown)"), None);
    assert_eq!(printed_version("prometheus", "promtool, version 3.5.1 (branch: )"), None);
}

#[test]
fn the_programs_on_path_are_the_versions_the_stack_renders_for() {
    let stack = default_stack();
    let mut wrong = vec![];
    for &(program, component) in PROGRAMS {
        let rendered = version_of(&stack, component).expect("the default stack enables it");
        let path = require(program);
        let (ok, out) = run(Command::new(&path).arg("--version"));
        assert!(ok, "`{} --version` failed:\n{out}", path.display());
        let Some(printed) = printed_version(program, &out) else {
            wrong.push(format!(
                "{}: prints no version (a `go install`ed build not stamped with \
                 -ldflags -X github.com/prometheus/common/version.Version=…), the stack renders for {} {rendered}:\n{}",
                path.display(),
                component.name(),
                out.lines().next().unwrap_or("")
            ));
            continue;
        };
        // major.minor: the schema's versions are `3.5`; a patch release is that version
        let major_minor: Vec<&str> = printed.splitn(3, '.').take(2).collect();
        if major_minor.join(".") != rendered {
            wrong.push(format!(
                "{}: is version {printed}, the stack renders configs for {} {rendered} (schema default `version`)",
                path.display(),
                component.name()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "the tests would run other versions than the stack renders for; run .ci/run (it rebuilds them):\n{}",
        wrong.join("\n")
    );
}
