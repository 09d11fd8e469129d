//! Third-party files read at compile time: Grafana dashboards (`import_dashboard`) and
//! Prometheus rule files (`import_rules`).
//!
//! # Dashboards
//!
//! [`rewrite_dashboard`] takes a dashboard as Grafana exports it — plain, "exported for
//! sharing externally" (`__inputs` with `${DS_…}` placeholders, `__requires`, `__elements`),
//! or the `{ "dashboard": …, "meta": … }` envelope of Grafana's HTTP API — and pins it to the
//! stack:
//!
//! - every datasource reference (panels, their targets, nested and legacy `rows` panels,
//!   template variables, annotations), whether a `{type, uid}` object, a plain name string,
//!   a `${DS_X}` input placeholder or a datasource template variable (`$datasource`,
//!   `${ds_prometheus}`), becomes `{type, uid}` of the stack's datasource of that type:
//!   the component's own (`prometheus`, `loki`, `tempo`, `alertmanager`), else a declared
//!   datasource of the type (the one marked `default` first, then declaration order). A
//!   reference already naming a stack datasource (by uid or name) keeps it. Grafana's own
//!   pseudo datasources (`-- Grafana --`, `-- Mixed --`, `-- Dashboard --`, expressions) stay;
//! - a missing/`null` datasource is made explicit the way Grafana's schema migration 36 does
//!   it: a panel with queries gets its first query's datasource or the stack's default, a
//!   query without one gets its panel's, a query variable and a non-built-in annotation the
//!   default; rows and panels without queries lose the `null`;
//! - datasource template variables stay (text may still use them) but are pinned to the
//!   mapped datasource (`current`) and hidden (`hide: 2`): the panels no longer follow them;
//! - `${VAR_X}` constant inputs are replaced by their value and `${DS_X}` placeholders left in
//!   other strings (data links) by the mapped uid; library panels shipped in `__elements` are
//!   inlined; `__inputs`, `__requires` and `__elements` are removed;
//! - `uid` becomes the declaration's (always: a declaration always has a name, so one file can
//!   be imported twice and uids are checked like those of native dashboards), `id` is `null`.
//!
//! Nothing else is changed: fields Grafana migrates itself when it loads an old dashboard
//! (`rows`, Angular graph options, …) are left for Grafana.
//!
//! What cannot be mapped (an input or a reference of a type the stack has no datasource for)
//! is returned in [`ImportedDashboard::unmapped`]; PromQL targets (`expr` of prometheus-typed
//! queries and annotations) in [`ImportedDashboard::promql`], for [`super::query::promql_problem`].
//!
//! # Rule files
//!
//! [`check_rules`] reads a Prometheus rule file as Prometheus' `rulefmt` does (known fields
//! only, `record` xor `alert`, `expr` set, durations, unique group names, what recording rules
//! may not have) and lists the PromQL expressions. `import_rules` is for Prometheus rule files
//! only: Loki's ruler reads the same structure with LogQL, which content alone cannot tell apart.

use crate::ir;
use crate::programs::Component;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;


mod dashboard;
mod rules;
pub use dashboard::*;
pub use rules::*;

// ---- the stack's datasources ------------------------------------------------------------

/// A datasource Grafana has in this stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackDatasource {
    pub name: String,
    /// Grafana plugin id.
    pub kind: String,
    pub uid: String,
    pub is_default: bool,
    /// One of the stack's components (uid = the component's name), not a declared datasource.
    pub component: bool,
}

/// Every datasource of the stack, components first.
#[derive(Clone, Debug, Default)]
pub struct Datasources {
    list: Vec<StackDatasource>,
}

impl Datasources {
    /// From the enabled components (those the facts table makes Grafana datasources, by name)
    /// and the declared datasources. Grafana's default is the component answering PromQL unless
    /// a declared datasource is the default.
    pub fn new(components: &[&str], declared: &[ir::Datasource]) -> Datasources {
        let user_default = declared.iter().any(|d| d.is_default);
        let mut list = vec![];
        for (c, f) in Component::datasources() {
            if components.contains(&c.name()) {
                list.push(StackDatasource {
                    name: f.title.to_string(),
                    kind: f.plugin.to_string(),
                    uid: c.name().to_string(),
                    is_default: Component::answering(ir::QueryLang::Promql) == Some(c) && !user_default,
                    component: true,
                });
            }
        }
        for d in declared {
            list.push(StackDatasource { name: d.name.clone(), kind: d.kind.clone(), uid: d.uid.clone(), is_default: d.is_default, component: false });
        }
        Datasources { list }
    }

    /// The datasource answering plugin type `kind`: the component's, else the declared default
    /// of that type, else the first declared.
    pub fn of_kind(&self, kind: &str) -> Option<&StackDatasource> {
        let kind = kind.trim();
        let same = |d: &&StackDatasource| d.kind.eq_ignore_ascii_case(kind);
        self.list
            .iter()
            .filter(same)
            .find(|d| d.component)
            .or_else(|| self.list.iter().filter(same).find(|d| d.is_default))
            .or_else(|| self.list.iter().find(same))
    }

    fn with_uid(&self, uid: &str) -> Option<&StackDatasource> {
        self.list.iter().find(|d| d.uid == uid)
    }

    fn named(&self, name: &str) -> Option<&StackDatasource> {
        self.list.iter().find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Grafana's default datasource of this stack.
    pub fn default(&self) -> Option<&StackDatasource> {
        self.list.iter().find(|d| d.is_default)
    }

    /// The plugin types present, sorted.
    pub fn kinds(&self) -> Vec<String> {
        let mut k: Vec<String> = self.list.iter().map(|d| d.kind.clone()).collect();
        k.sort();
        k.dedup();
        k
    }
}

fn ds_ref(d: &StackDatasource) -> Value {
    json!({ "type": d.kind, "uid": d.uid })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack_ds() -> Datasources {
        Datasources::new(&["prometheus", "loki", "tempo"], &[])
    }

    fn declared(name: &str, kind: &str, default: bool) -> ir::Datasource {
        ir::Datasource {
            name: name.into(),
            uid: name.into(),
            kind: kind.into(),
            url: "http://x".into(),
            database: None,
            user: None,
            password: None,
            is_default: default,
            settings: Default::default(),
            json_data: Default::default(),
            secure: vec![],
        }
    }

    #[test]
    fn inputs_variables_names_and_objects_map_by_type() {
        let d = json!({
            "__inputs": [
                { "name": "DS_PROM", "type": "datasource", "pluginId": "prometheus" },
                { "name": "VAR_JOB", "type": "constant", "value": "node" }
            ],
            "__requires": [{ "type": "datasource", "id": "prometheus" }],
            "__elements": {},
            "id": 7,
            "uid": "theirs",
            "title": "T",
            "templating": { "list": [
                { "name": "logs", "type": "datasource", "query": "loki" },
                { "name": "job", "type": "query", "datasource": "${DS_PROM}", "query": "label_values(up, job)" },
                { "name": "c", "type": "constant", "query": "${VAR_JOB}" }
            ] },
            "annotations": { "list": [{ "builtIn": 1, "name": "A", "enable": true, "iconColor": "red", "datasource": "-- Grafana --" }] },
            "panels": [
                { "title": "a", "type": "timeseries", "datasource": { "type": "prometheus", "uid": "${DS_PROM}" },
                  "targets": [{ "refId": "A", "expr": "rate(x[$__rate_interval])" }] },
                { "title": "b", "type": "logs", "datasource": "$logs", "targets": [{ "refId": "A", "expr": "{job=\"x\"}" }] },
                { "title": "c", "type": "timeseries", "datasource": { "type": "prometheus", "uid": "P1234" },
                  "targets": [{ "refId": "A", "datasource": { "type": "tempo", "uid": "other" }, "query": "{}" }] },
                { "title": "d", "type": "timeseries", "datasource": null, "targets": [{ "refId": "A", "expr": "up" }] },
                { "title": "r", "type": "row", "datasource": null, "collapsed": true, "panels": [
                    { "title": "e", "type": "stat", "datasource": "Prometheus", "targets": [{ "refId": "A", "expr": "up" }] }
                ] }
            ]
        });
        let r = rewrite_dashboard(&d.to_string(), "mine", &stack_ds()).unwrap();
        assert!(r.unmapped.is_empty(), "{:?}", r.unmapped);
        let j = &r.json;
        assert_eq!(j["uid"], "mine");
        assert_eq!(j["id"], Value::Null);
        for k in ["__inputs", "__requires", "__elements"] {
            assert!(j.get(k).is_none(), "{k}");
        }
        let prom = json!({ "type": "prometheus", "uid": "prometheus" });
        let loki = json!({ "type": "loki", "uid": "loki" });
        assert_eq!(j["panels"][0]["datasource"], prom);
        assert_eq!(j["panels"][0]["targets"][0]["datasource"], prom);
        assert_eq!(j["panels"][1]["datasource"], loki);
        assert_eq!(j["panels"][1]["targets"][0]["datasource"], loki);
        assert_eq!(j["panels"][2]["datasource"], prom);
        assert_eq!(j["panels"][2]["targets"][0]["datasource"], json!({ "type": "tempo", "uid": "tempo" }));
        assert_eq!(j["panels"][3]["datasource"], prom);
        assert!(j["panels"][4].get("datasource").is_none());
        assert_eq!(j["panels"][4]["panels"][0]["datasource"], prom);
        assert_eq!(j["templating"]["list"][0]["current"]["value"], "loki");
        assert_eq!(j["templating"]["list"][0]["hide"], 2);
        assert_eq!(j["templating"]["list"][1]["datasource"], prom);
        assert_eq!(j["templating"]["list"][2]["query"], "node");
        assert_eq!(j["annotations"]["list"][0]["datasource"], json!({ "type": "datasource", "uid": "grafana" }));
        let paths: Vec<&str> = r.promql.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["panels[0].targets[0].expr", "panels[3].targets[0].expr", "panels[4].panels[0].targets[0].expr"]);
    }

    #[test]
    fn a_type_the_stack_lacks_is_unmapped_once_per_source() {
        let d = json!({
            "__inputs": [{ "name": "DS_INFLUX", "type": "datasource", "pluginId": "influxdb" }],
            "panels": [
                { "title": "a", "datasource": "${DS_INFLUX}", "targets": [{ "refId": "A" }] },
                { "title": "b", "datasource": { "type": "influxdb", "uid": "${DS_INFLUX}" } }
            ]
        });
        let r = rewrite_dashboard(&d.to_string(), "u", &stack_ds()).unwrap();
        assert_eq!(r.unmapped.len(), 1, "{:?}", r.unmapped);
        let u = &r.unmapped[0];
        assert_eq!((u.panel.as_str(), u.path.as_str(), u.count, u.kind.as_deref()), ("a", "panels[0].datasource", 2, Some("influxdb")));
        // a declared datasource of the type maps it
        let ds = Datasources::new(&["prometheus"], &[declared("influx", "influxdb", false)]);
        let r = rewrite_dashboard(&d.to_string(), "u", &ds).unwrap();
        assert!(r.unmapped.is_empty());
        assert_eq!(r.json["panels"][1]["datasource"], json!({ "type": "influxdb", "uid": "influx" }));
    }

    #[test]
    fn declared_default_wins_for_null_and_components_win_by_type() {
        let ds = Datasources::new(&["prometheus"], &[declared("thanos", "prometheus", true)]);
        assert_eq!(ds.of_kind("prometheus").unwrap().uid, "prometheus");
        assert_eq!(ds.default().unwrap().uid, "thanos");
        let d = json!({ "panels": [{ "title": "x", "targets": [{ "expr": "up" }] }] });
        let r = rewrite_dashboard(&d.to_string(), "u", &ds).unwrap();
        assert_eq!(r.json["panels"][0]["datasource"]["uid"], "thanos");
        let only_declared = Datasources::new(&[], &[declared("a", "prometheus", false), declared("b", "prometheus", true)]);
        assert_eq!(only_declared.of_kind("prometheus").unwrap().uid, "b");
    }

    #[test]
    fn not_dashboards() {
        let ds = stack_ds();
        assert!(rewrite_dashboard("{", "u", &ds).unwrap_err().contains("not valid JSON"));
        assert!(rewrite_dashboard("[1]", "u", &ds).unwrap_err().contains("a list"));
        assert!(rewrite_dashboard(r#"{"apiVersion": 1, "datasources": []}"#, "u", &ds).unwrap_err().contains("no `panels`"));
        assert!(rewrite_dashboard(r#"{"panels": {}}"#, "u", &ds).unwrap_err().contains("not a list"));
        // the HTTP API envelope is unwrapped
        let env = r#"{"meta": {}, "dashboard": {"title": "x", "panels": []}}"#;
        assert_eq!(rewrite_dashboard(env, "u", &ds).unwrap().title, "x");
    }

    #[test]
    fn library_panels_are_inlined() {
        let d = json!({
            "__elements": { "lib1": { "uid": "lib1", "name": "L", "kind": 1,
                "model": { "title": "from lib", "type": "stat", "datasource": { "type": "prometheus", "uid": "${DS_P}" }, "targets": [{ "expr": "up" }] } } },
            "__inputs": [{ "name": "DS_P", "type": "datasource", "pluginId": "prometheus" }],
            "panels": [{ "id": 3, "gridPos": { "x": 0, "y": 0, "w": 6, "h": 4 }, "libraryPanel": { "uid": "lib1", "name": "L" }, "title": "L" }]
        });
        let r = rewrite_dashboard(&d.to_string(), "u", &stack_ds()).unwrap();
        let p = &r.json["panels"][0];
        assert_eq!(p["title"], "from lib");
        assert_eq!(p["id"], 3);
        assert_eq!(p["datasource"]["uid"], "prometheus");
        assert!(p.get("libraryPanel").is_none());
        assert!(r.library_panels.is_empty());
        // the list form of `__elements`, and a reference the file does not ship
        let mut d2 = d.clone();
        d2["__elements"] = json!([d["__elements"]["lib1"].clone()]);
        d2["panels"].as_array_mut().unwrap().push(json!({ "id": 4, "libraryPanel": { "uid": "gone", "name": "G" }, "title": "Missing" }));
        let r = rewrite_dashboard(&d2.to_string(), "u", &stack_ds()).unwrap();
        assert_eq!(r.json["panels"][0]["title"], "from lib");
        assert_eq!(r.library_panels, [("Missing".to_string(), "gone".to_string())]);
    }

    #[test]
    fn rule_structure() {
        let ok = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n    labels: {severity: warning}\n  - record: job:up:sum\n    expr: sum by (job) (up)\n";
        let c = check_rules(ok);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!((c.groups, c.rules, c.exprs.len()), (1, 2, 2));
        let bad = "groups:\n- name: g\n  rules:\n  - alert: A\n    record: b\n    expr: up\n  - alert: B\n    for: 10min\n  - record: r\n    expr: up\n    annotations: {a: b}\n    severity: x\n- name: g\n  rules: []\n";
        let c = check_rules(bad);
        let all = c.errors.join("\n");
        for want in ["only one of `alert` and `record`", "`for` `10min` is not a Prometheus duration", "`expr` must be set", "cannot have `annotations`", "unknown field `severity`", "repeated"] {
            assert!(all.contains(want), "{want}: {all}");
        }
        assert!(check_rules("- a\n- b\n").errors[0].contains("a list"));
        assert!(check_rules("groups: [\n").errors[0].contains("not valid YAML"));
        assert!(check_rules("").errors.is_empty());
    }
}
