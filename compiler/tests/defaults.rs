//! Schema defaults and lowering agree: a stack whose blocks set nothing lowers, field by field,
//! to each field's schema default (`compiler/src/sema/schema.rs`, shown by hover and
//! `docs/reference.md`), and writing every default out explicitly lowers to the same IR.

use gstack::db::Database;
use gstack::sema::check::check_stack;
use gstack::sema::schema::{self, Lit, Schema};
use serde_json::{json, Value};
use std::path::Path;

/// A stack with every block that has defaulted fields, each as empty as the language allows
/// (required fields only). `%NAME%` marks where the fields of schema `NAME` go in
/// [`explicit`]; [`empty`] drops the markers.
const TEMPLATE: &str = r#"
stack s {
  grafana {
    %grafana%
    %admin%
    correlations = {
      %correlations%
      traces_to_logs = {
        %traces_to_logs%
      }
      derived_fields = [{
        name = "T"
        label = "trace_id"
        datasource = tempo
        %derived field%
      }]
      exemplars = [{
        label = "trace_id"
        %exemplar link%
      }]
    }
    contact_point c { webhook = "http://x" }
    policy {
      contact_point = c
      %policy%
      route {
        %policy route%
      }
    }
  }
  prometheus {
    %prometheus%
    scrape job {
      targets = ["app.internal:1"]
      %scrape%
    }
  }
  loki {
    %loki%
  }
  tempo {
    %tempo%
  }
  alertmanager {
    %alertmanager%
    receiver r { webhook = "http://x" }
    inhibit {
      source_matchers = ["a=b"]
      target_matchers = ["c=d"]
      %inhibit%
    }
    route {
      receiver = r
      %route%
      route {
        receiver = r
        %route%
      }
    }
  }
  node_exporter {
    %node_exporter%
  }
}

datasource ds {
  type = prometheus
  url = "http://x"
  %datasource%
}

dashboard d {
  %dashboard%
  links = [{
    title = "t"
    url = "http://x"
    %link%
  }]
  var v = query(prometheus, "label_values(up, job)", {
    %variable options%
  })
  timeseries "p" {
    query = promql`up`
    override "f" {
      %override%
    }
    target "t" {
      query = promql`up`
      %target%
    }
    transform sortBy {
      field = "f"
      %transform sortBy%
    }
    transform calculateField {
      %transform calculateField%
    }
  }
  row "r" {
    %row%
  }
}

alert a {
  expr = promql`up == 0`
  %alert%
}

log_alert l {
  expr = logql`sum(count_over_time({job="x"}[5m])) > 1`
  %log_alert%
}

grafana_alert g {
  query = promql`up > 0`
  %grafana_alert%
}

target native {
  %target native%
}
target systemd {
  %target systemd%
}
target compose {
  %target compose%
}
target kubernetes {
  %target kubernetes%
}
target helm {
  %target helm%
}
"#;

/// Where each schema's fields land in the IR: (schema, JSON pointers of the objects it lowers
/// to, IR key of each field whose key is not the field's name).
fn places() -> Vec<(&'static Schema, &'static [&'static str], &'static [(&'static str, &'static str)])> {
    use schema::*;
    vec![
        (&GRAFANA, &["/grafana"], &[]),
        (&ADMIN, &["/grafana"], &[("user", "admin_user")]),
        (&POLICY, &["/grafana/alerting/policy"], &[]),
        (&POLICY_ROUTE, &["/grafana/alerting/policy/routes/0"], &[("continue", "continue_")]),
        (&CORRELATIONS, &["/grafana/correlations"], &[]),
        (&TRACES_TO_LOGS, &["/grafana/correlations/traces_to_logs"], &[]),
        (&DERIVED_FIELD, &["/grafana/correlations/derived_fields/0"], &[]),
        (&EXEMPLAR_LINK, &["/grafana/correlations/exemplars/0"], &[]),
        (&T_SORT_BY, &["/dashboards/0/panels/0/transformations/0/options/sort/0"], &[]),
        (&T_CALCULATE_FIELD, &["/dashboards/0/panels/0/transformations/1/options"], &[]),
        (&PROMETHEUS, &["/prometheus"], &[]),
        (&SCRAPE, &["/prometheus/scrapes/0"], &[]),
        (&LOKI, &["/loki"], &[]),
        (&TEMPO, &["/tempo"], &[]),
        (&ALERTMANAGER, &["/alertmanager"], &[]),
        (&ROUTE, &["/alertmanager/route", "/alertmanager/route/routes/0"], &[("continue", "continue_")]),
        (&INHIBIT, &["/alertmanager/inhibit_rules/0"], &[]),
        (&NODE_EXPORTER, &["/node_exporter"], &[]),
        (&DATASOURCE, &["/datasources/0"], &[("default", "is_default")]),
        (&DASHBOARD, &["/dashboards/0"], &[]),
        (&LINK, &["/dashboards/0/links/0"], &[]),
        (&OVERRIDE, &["/dashboards/0/panels/0/overrides/0"], &[]),
        (&TARGET, &["/dashboards/0/panels/0/queries/1"], &[]),
        (&VARIABLE_OPTIONS, &["/dashboards/0/variables/0/options"], &[]),
        (&ROW, &["/dashboards/0/rows/0"], &[]),
        (&ALERT, &["/alerts/0"], &[("for", "for_")]),
        (&LOG_ALERT, &["/log_alerts/0"], &[("for", "for_")]),
        (&GRAFANA_ALERT, &["/grafana_alerts/0"], &[("for", "for_")]),
        (&TARGET_NATIVE, &["/targets/native"], &[]),
        (&TARGET_SYSTEMD, &["/targets/systemd"], &[]),
        (&TARGET_COMPOSE, &["/targets/compose"], &[]),
        (&TARGET_KUBERNETES, &["/targets/kubernetes"], &[]),
        (&TARGET_HELM, &["/targets/helm"], &[]),
    ]
}

/// Fields whose IR value is not the default as written but a translation of it (Grafana's
/// spelling of a state): checked by [`writing_every_default_changes_nothing`] only.
const TRANSLATED: &[(&str, &str)] = &[("grafana_alert", "no_data"), ("grafana_alert", "exec_err"), ("variable options", "refresh"), ("variable options", "sort")];

fn defaulted(s: &'static Schema) -> impl Iterator<Item = (&'static str, &'static Lit)> {
    s.fields.iter().filter_map(|f| f.default.as_ref().map(|d| (f.name, d)))
}

/// The source with the markers replaced by `fill(schema)`.
fn source(fill: impl Fn(&'static Schema) -> String) -> String {
    let mut src = TEMPLATE.to_string();
    for (s, _, _) in places() {
        src = src.replace(&format!("%{}%", s.name), &fill(s));
    }
    assert!(!src.contains('%'), "a marker has no schema in `places()`:\n{src}");
    src
}

fn empty() -> String {
    source(|_| String::new())
}

/// Every defaulted field written out as its default's source text; `admin` is a record field
/// of `grafana`, so its fields are written as `admin = { … }`.
fn explicit() -> String {
    source(|s| {
        let fields: Vec<String> = defaulted(s).map(|(name, d)| format!("{name} = {}", d.text())).collect();
        if std::ptr::eq(s, &schema::ADMIN) {
            format!("admin = {{ {} }}", fields.join(", "))
        } else {
            fields.join("\n    ")
        }
    })
}

/// Lower `src`; panics with the diagnostics unless it checks cleanly.
fn lower(src: &str) -> Value {
    let mut db = Database::default();
    let f = db.set_file(Path::new("defaults.gstack"), src.to_string());
    let checked = check_stack(&db, f);
    assert!(checked.diagnostics.is_empty(), "{:#?}\nin:\n{src}", checked.diagnostics);
    serde_json::to_value(checked.stack.as_ref().unwrap()).unwrap()
}

/// A default as the IR serialises it.
fn as_json(d: &Lit) -> Value {
    match d {
        Lit::Port(p) => json!(p),
        Lit::Int(i) => json!(i),
        Lit::Dur(ms) => json!(gstack::ir::Duration { millis: *ms }.to_prometheus()),
        Lit::Str(s) | Lit::Sym(s) | Lit::Addr(s) => json!(s),
        Lit::Bool(b) => json!(b),
        Lit::List(xs) => json!(xs),
    }
}

#[test]
fn empty_blocks_lower_to_the_schema_defaults() {
    let ir = lower(&empty());
    let mut checked = 0;
    for (s, ptrs, renames) in places() {
        for ptr in ptrs {
            let obj = ir.pointer(ptr).unwrap_or_else(|| panic!("the IR has nothing at `{ptr}` ({}):\n{ir:#}", s.name));
            for (name, d) in defaulted(s) {
                if TRANSLATED.contains(&(s.name, name)) {
                    continue;
                }
                let key = renames.iter().find(|(f, _)| *f == name).map_or(name, |(_, k)| *k);
                let got = obj.get(key).unwrap_or_else(|| panic!("`{ptr}` of the IR has no `{key}` (field `{}.{name}`):\n{obj:#}", s.name));
                assert_eq!(
                    got,
                    &as_json(d),
                    "`{}.{name}`: the schema's default is `{}` but an empty block lowers to {got} (at `{ptr}/{key}`)",
                    s.name,
                    d.text()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "checked only {checked} defaults");
}

#[test]
fn writing_every_default_changes_nothing() {
    let (src_empty, src_explicit) = (empty(), explicit());
    assert_ne!(src_empty, src_explicit);
    let (a, b) = (lower(&src_empty), lower(&src_explicit));
    assert!(a == b, "writing the defaults out changes the IR:\nempty blocks: {a:#}\nexplicit defaults: {b:#}\nsource:\n{src_explicit}");
}

/// Every schema with a defaulted field is placed, so a new one cannot go unchecked.
#[test]
fn every_schema_with_defaults_is_checked() {
    let placed: Vec<&Schema> = places().into_iter().map(|(s, _, _)| s).collect();
    let missing: Vec<&str> = schema::every_schema()
        .into_iter()
        // each panel kind's `override` comes from one macro: one placed stands for those of its
        // name with the same defaults
        .filter(|s| defaulted(s).next().is_some() && !placed.iter().any(|p| std::ptr::eq(*p, *s)))
        .filter(|s| !placed.iter().any(|p| p.name == s.name && defaulted(p).eq(defaulted(s))))
        .map(|s| s.name)
        .collect();
    assert!(missing.is_empty(), "schemas with defaults that `places()` does not check: {missing:?}");
}

/// The defaults targets render with when the stack declares no such target are those of an
/// empty target block.
#[test]
fn absent_targets_default_as_empty_ones() {
    let ir = lower(&empty());
    let native = serde_json::to_value(gstack::ir::NativeTarget::default_for("s")).unwrap();
    assert_eq!(ir.pointer("/targets/native").unwrap(), &native);
    let k8s = serde_json::to_value(gstack::ir::KubernetesTarget::default_for_helm()).unwrap();
    assert_eq!(ir.pointer("/targets/kubernetes").unwrap(), &k8s);
    // computed defaults, documented in the fields' docs
    assert_eq!(ir.pointer("/targets/native/data_dir").unwrap(), "~/.local/share/gstack/s");
    assert_eq!(ir.pointer("/targets/helm/chart").unwrap(), "s");
}
