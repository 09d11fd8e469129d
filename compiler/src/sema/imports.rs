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
//! queries and annotations) in [`ImportedDashboard::promql`], for [`promql_problem`].
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

// ---- dashboards ---------------------------------------------------------------------------

/// A datasource reference that could not be mapped, with where it is first used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmapped {
    /// What is referenced: "datasource input `${DS_INFLUXDB}` (influxdb)", …
    pub what: String,
    /// Its plugin type, when known.
    pub kind: Option<String>,
    /// The title of the panel of the first use ("" outside panels).
    pub panel: String,
    /// JSON path of the first use (`panels[2].targets[0].datasource`).
    pub path: String,
    /// How many references there are.
    pub count: usize,
}

/// A PromQL expression of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromqlTarget {
    /// Panel title (annotation name for annotations).
    pub panel: String,
    /// JSON path of the expression (`panels[3].targets[0].expr`).
    pub path: String,
    pub expr: String,
}

/// A dashboard rewritten for the stack.
#[derive(Clone, Debug)]
pub struct ImportedDashboard {
    pub json: Value,
    pub title: String,
    pub tags: Vec<String>,
    pub unmapped: Vec<Unmapped>,
    pub promql: Vec<PromqlTarget>,
}

impl ImportedDashboard {
    /// The JSON text written for Grafana.
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.json).expect("json");
        s.push('\n');
        s
    }
}

/// An input of an "export for sharing externally" file.
enum Input {
    /// `type: datasource`, with its plugin id.
    Datasource(String),
    /// `type: constant`, with its value.
    Constant(String),
}

/// What a datasource reference resolves to.
enum Resolved<'a> {
    /// One of Grafana's own pseudo datasources: written as given.
    Builtin(Value),
    Stack(&'a StackDatasource),
    /// No datasource: Grafana's default.
    Default,
    Unmapped { what: String, kind: Option<String> },
}

struct Rewriter<'a> {
    ds: &'a Datasources,
    inputs: BTreeMap<String, Input>,
    /// Datasource template variables: name → plugin type.
    vars: BTreeMap<String, String>,
    /// Datasource plugins of `__requires`.
    requires: Vec<String>,
    unmapped: Vec<Unmapped>,
    promql: Vec<PromqlTarget>,
}

/// `$name`, `${name}`, `${name:format}` or `[[name]]` as the whole string: the name.
fn var_ref(s: &str) -> Option<&str> {
    let s = s.trim();
    let name = if let Some(r) = s.strip_prefix("${") {
        let r = r.strip_suffix('}')?;
        r.split([':', '.']).next()?
    } else if let Some(r) = s.strip_prefix("[[") {
        r.strip_suffix("]]")?.split(':').next()?
    } else {
        s.strip_prefix('$')?
    };
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(name)
}

/// Grafana's pseudo datasources, by uid or legacy name.
fn builtin(uid: &str) -> Option<Value> {
    Some(match uid {
        "grafana" | "-- Grafana --" => json!({ "type": "datasource", "uid": "grafana" }),
        "-- Mixed --" => json!({ "type": "datasource", "uid": "-- Mixed --" }),
        "-- Dashboard --" => json!({ "type": "datasource", "uid": "-- Dashboard --" }),
        "__expr__" => json!({ "type": "__expr__", "uid": "__expr__" }),
        _ => return None,
    })
}

fn is_mixed(v: &Value) -> bool {
    v.get("uid").and_then(Value::as_str) == Some("-- Mixed --")
}

impl<'a> Rewriter<'a> {
    fn by_kind(&self, kind: &str, what: impl FnOnce() -> String) -> Resolved<'a> {
        match self.ds.of_kind(kind) {
            Some(d) => Resolved::Stack(d),
            None => Resolved::Unmapped { what: what(), kind: Some(kind.to_string()) },
        }
    }

    /// Resolve a uid or legacy name string, with the plugin type the reference states (if any).
    fn resolve_name(&self, s: &str, kind: Option<&str>) -> Resolved<'a> {
        let s = s.trim();
        if s.is_empty() || s == "default" {
            return match kind {
                Some(k) => self.by_kind(k, || format!("a {k} datasource")),
                None => Resolved::Default,
            };
        }
        if let Some(b) = builtin(s) {
            return Resolved::Builtin(b);
        }
        if let Some(v) = var_ref(s) {
            if let Some(Input::Datasource(k)) = self.inputs.get(v) {
                let k = k.clone();
                return self.by_kind(&k, || format!("datasource input `${{{v}}}` ({k})"));
            }
            if let Some(k) = self.vars.get(v) {
                let k = k.clone();
                return self.by_kind(&k, || format!("datasource variable `${v}` ({k})"));
            }
            return match kind {
                Some(k) => self.by_kind(k, || format!("datasource `{s}` ({k})")),
                None => match self.requires.as_slice() {
                    [only] => self.by_kind(only, || format!("datasource `{s}` ({only})")),
                    _ => Resolved::Unmapped { what: format!("`{s}`, which is no datasource input or variable of the file"), kind: None },
                },
            };
        }
        if let Some(d) = self.ds.with_uid(s) {
            if kind.is_none_or(|k| k.eq_ignore_ascii_case(&d.kind)) {
                return Resolved::Stack(d);
            }
        }
        if let Some(k) = kind {
            return self.by_kind(k, || format!("datasource `{s}` ({k})"));
        }
        if let Some(d) = self.ds.named(s) {
            return Resolved::Stack(d);
        }
        if let Some(d) = self.ds.of_kind(s) {
            return Resolved::Stack(d);
        }
        match self.requires.as_slice() {
            [only] => self.by_kind(only, || format!("datasource `{s}` ({only})")),
            _ => Resolved::Unmapped { what: format!("datasource `{s}` (of unknown type)"), kind: None },
        }
    }

    fn resolve(&self, v: &Value) -> Resolved<'a> {
        match v {
            Value::Null => Resolved::Default,
            Value::String(s) => self.resolve_name(s, None),
            Value::Object(o) => {
                let kind = o.get("type").and_then(Value::as_str).filter(|t| !t.is_empty());
                let uid = o.get("uid").and_then(Value::as_str).unwrap_or("");
                match kind {
                    Some("datasource" | "grafana" | "__expr__") => {
                        Resolved::Builtin(json!({ "type": kind.unwrap(), "uid": uid }))
                    }
                    _ => self.resolve_name(uid, kind),
                }
            }
            other => Resolved::Unmapped { what: format!("datasource `{other}`"), kind: None },
        }
    }

    fn note_unmapped(&mut self, what: String, kind: Option<String>, panel: &str, path: &str) {
        match self.unmapped.iter_mut().find(|u| u.what == what) {
            Some(u) => u.count += 1,
            None => self.unmapped.push(Unmapped { what, kind, panel: panel.to_string(), path: path.to_string(), count: 1 }),
        }
    }

    /// Rewrite the reference at `slot`: Some((new value, plugin type)) when it names a
    /// datasource, None when it is absent or default. Unmapped references are kept and noted.
    fn rewrite_slot(&mut self, slot: Option<&Value>, panel: &str, path: &str) -> Option<(Value, Option<String>)> {
        let v = slot?;
        match self.resolve(v) {
            Resolved::Builtin(b) => Some((b, None)),
            Resolved::Stack(d) => Some((ds_ref(d), Some(d.kind.clone()))),
            Resolved::Default => None,
            Resolved::Unmapped { what, kind } => {
                self.note_unmapped(what, kind.clone(), panel, path);
                Some((v.clone(), kind))
            }
        }
    }

    fn default_ref(&self) -> Option<(Value, Option<String>)> {
        self.ds.default().map(|d| (ds_ref(d), Some(d.kind.clone())))
    }

    fn panels(&mut self, list: &mut Value, path: &str) {
        if let Some(items) = list.as_array_mut() {
            for (i, p) in items.iter_mut().enumerate() {
                self.panel(p, &format!("{path}[{i}]"));
            }
        }
    }

    fn panel(&mut self, p: &mut Value, path: &str) {
        let Some(obj) = p.as_object_mut() else { return };
        let title = obj.get("title").and_then(Value::as_str).unwrap_or("").to_string();
        let is_row = obj.get("type").and_then(Value::as_str) == Some("row");
        let mut panel_ds = self.rewrite_slot(obj.get("datasource"), &title, &format!("{path}.datasource"));
        // a `{ "uid": null }` object without a type says as little as `null`
        let mut target_ds = vec![];
        if let Some(Value::Array(targets)) = obj.get("targets") {
            for (i, t) in targets.iter().enumerate() {
                let slot = t.get("datasource").filter(|d| !d.is_null());
                target_ds.push(self.rewrite_slot(slot, &title, &format!("{path}.targets[{i}].datasource")));
            }
        }
        if panel_ds.is_none() && !target_ds.is_empty() && !is_row {
            panel_ds = target_ds.iter().flatten().next().cloned().or_else(|| self.default_ref());
        }
        // what a query without its own datasource runs on
        let inherited = match &panel_ds {
            Some((v, _)) if is_mixed(v) => self.default_ref(),
            other => other.clone(),
        };
        if let Some(Value::Array(targets)) = obj.get_mut("targets") {
            for (i, (t, ds)) in targets.iter_mut().zip(target_ds).enumerate() {
                let Some(tobj) = t.as_object_mut() else { continue };
                let ds = ds.or_else(|| inherited.clone());
                let kind = ds.as_ref().and_then(|d| d.1.clone());
                if let Some((v, _)) = ds {
                    tobj.insert("datasource".into(), v);
                }
                if kind.as_deref() == Some("prometheus") {
                    if let Some(Value::String(e)) = tobj.get("expr") {
                        if !e.trim().is_empty() {
                            self.promql.push(PromqlTarget { panel: title.clone(), path: format!("{path}.targets[{i}].expr"), expr: e.clone() });
                        }
                    }
                }
            }
        }
        match panel_ds {
            Some((v, _)) => {
                obj.insert("datasource".into(), v);
            }
            None => {
                obj.remove("datasource");
            }
        }
        if let Some(inner) = obj.get_mut("panels") {
            self.panels(inner, &format!("{path}.panels"));
        }
    }

    fn templating(&mut self, d: &mut Map<String, Value>) {
        let Some(Value::Array(list)) = d.get_mut("templating").and_then(|t| t.get_mut("list")) else { return };
        for (i, var) in list.iter_mut().enumerate() {
            let Some(v) = var.as_object_mut() else { continue };
            let name = v.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            let ty = v.get("type").and_then(Value::as_str).unwrap_or("").to_string();
            if ty == "datasource" {
                // pinned to the datasource the panels now use, and hidden
                let kind = v.get("query").and_then(Value::as_str).unwrap_or("").to_string();
                if let Some(d) = self.ds.of_kind(&kind) {
                    v.insert("current".into(), json!({ "selected": true, "text": d.name, "value": d.uid }));
                    v.insert("options".into(), json!([]));
                    v.insert("hide".into(), json!(2));
                }
                continue;
            }
            let here = format!("variable `{name}`");
            let path = format!("templating.list[{i}].datasource");
            let slot = v.get("datasource").filter(|d| !d.is_null());
            match self.rewrite_slot(slot, &here, &path) {
                Some((r, _)) => {
                    v.insert("datasource".into(), r);
                }
                None if ty == "query" || ty == "adhoc" => match self.default_ref() {
                    Some((r, _)) => {
                        v.insert("datasource".into(), r);
                    }
                    None => {
                        v.remove("datasource");
                    }
                },
                None => {
                    v.remove("datasource");
                }
            }
        }
    }

    fn annotations(&mut self, d: &mut Map<String, Value>) {
        let Some(Value::Array(list)) = d.get_mut("annotations").and_then(|t| t.get_mut("list")) else { return };
        for (i, a) in list.iter_mut().enumerate() {
            let Some(obj) = a.as_object_mut() else { continue };
            let name = obj.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            let builtin_ann = obj.get("builtIn").and_then(Value::as_f64).unwrap_or(0.0) == 1.0;
            let here = format!("annotation `{name}`");
            let slot = obj.get("datasource").filter(|d| !d.is_null());
            let ds = if builtin_ann && slot.is_none() {
                Some((json!({ "type": "grafana", "uid": "-- Grafana --" }), None))
            } else {
                self.rewrite_slot(slot, &here, &format!("annotations.list[{i}].datasource")).or_else(|| self.default_ref())
            };
            if let Some((r, kind)) = ds {
                if kind.as_deref() == Some("prometheus") {
                    if let Some(Value::String(e)) = obj.get("expr") {
                        if !e.trim().is_empty() {
                            self.promql.push(PromqlTarget { panel: here.clone(), path: format!("annotations.list[{i}].expr"), expr: e.clone() });
                        }
                    }
                }
                obj.insert("datasource".into(), r);
            }
        }
    }

    /// Replace `${NAME}` placeholders of inputs in every string outside `datasource` fields.
    fn placeholders(&mut self, v: &mut Value, path: &str, panel: &str) {
        match v {
            Value::String(s) if s.contains("${") => {
                let mut missing = vec![];
                for (name, input) in &self.inputs {
                    let ph = format!("${{{name}}}");
                    if !s.contains(&ph) {
                        continue;
                    }
                    match input {
                        Input::Constant(val) => *s = s.replace(&ph, val),
                        Input::Datasource(k) => match self.ds.of_kind(k) {
                            Some(d) => *s = s.replace(&ph, &d.uid),
                            None => missing.push((format!("datasource input `{ph}` ({k})"), k.clone())),
                        },
                    }
                }
                for (what, k) in missing {
                    self.note_unmapped(what, Some(k), panel, path);
                }
            }
            Value::Array(xs) => {
                for (i, x) in xs.iter_mut().enumerate() {
                    self.placeholders(x, &format!("{path}[{i}]"), panel);
                }
            }
            Value::Object(o) => {
                let title = o.get("title").and_then(Value::as_str).filter(|_| o.contains_key("gridPos") || o.contains_key("targets"));
                let panel = title.map(str::to_string).unwrap_or_else(|| panel.to_string());
                for (k, x) in o.iter_mut() {
                    if k != "datasource" {
                        let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                        self.placeholders(x, &p, &panel);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Replace panels that refer to a library panel shipped in `__elements` by its model.
fn inline_library_panels(panels: &mut Value, elements: &Map<String, Value>) {
    let Some(list) = panels.as_array_mut() else { return };
    for p in list.iter_mut() {
        let uid = p.get("libraryPanel").and_then(|l| l.get("uid")).and_then(Value::as_str).map(str::to_string);
        if let Some(model) = uid.and_then(|u| elements.get(&u)).and_then(|e| e.get("model")).and_then(Value::as_object) {
            let mut m = model.clone();
            for k in ["gridPos", "id"] {
                if let Some(x) = p.get(k) {
                    m.insert(k.into(), x.clone());
                }
            }
            m.remove("libraryPanel");
            *p = Value::Object(m);
        }
        if let Some(inner) = p.get_mut("panels") {
            inline_library_panels(inner, elements);
        }
    }
}

/// Parse, check and rewrite a dashboard file's text for the stack; `Err` says why it is not a
/// Grafana dashboard.
pub fn rewrite_dashboard(text: &str, uid: &str, ds: &Datasources) -> Result<ImportedDashboard, String> {
    let mut root: Value = serde_json::from_str(text).map_err(|e| format!("it is not valid JSON: {e}"))?;
    // the envelope of Grafana's HTTP API (`GET /api/dashboards/uid/…`)
    if root.get("dashboard").is_some_and(Value::is_object) && root.get("meta").is_some() {
        root = root["dashboard"].take();
    }
    let Value::Object(mut d) = root else {
        let what = match root {
            Value::Array(_) => "a list",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(format!("a dashboard is a JSON object; this file is {what}"));
    };
    if d.get("kind").and_then(Value::as_str) == Some("Dashboard") && d.get("spec").is_some() {
        return Err("it uses Grafana's v2 dashboard schema (`kind: Dashboard`, `spec`), which cannot be provisioned as a classic dashboard; export it as classic JSON".into());
    }
    for key in ["panels", "rows"] {
        if let Some(v) = d.get(key) {
            if !v.is_array() {
                return Err(format!("its `{key}` is not a list"));
            }
        }
    }
    if !d.contains_key("panels") && !d.contains_key("rows") {
        let keys: Vec<&str> = d.keys().take(6).map(String::as_str).collect();
        return Err(format!(
            "it has no `panels` (top-level keys: {})",
            if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
        ));
    }
    if let Some(t) = d.get("title") {
        if !t.is_string() {
            return Err("its `title` is not a string".into());
        }
    }

    let mut rw = Rewriter { ds, inputs: BTreeMap::new(), vars: BTreeMap::new(), requires: vec![], unmapped: vec![], promql: vec![] };
    if let Some(Value::Array(inputs)) = d.get("__inputs") {
        for i in inputs {
            let name = i.get("name").and_then(Value::as_str).unwrap_or("");
            if name.is_empty() {
                continue;
            }
            match i.get("type").and_then(Value::as_str) {
                Some("datasource") => {
                    let k = i.get("pluginId").and_then(Value::as_str).unwrap_or("").to_string();
                    rw.inputs.insert(name.to_string(), Input::Datasource(k));
                }
                Some("constant") => {
                    let v = match i.get("value") {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    };
                    rw.inputs.insert(name.to_string(), Input::Constant(v));
                }
                _ => {}
            }
        }
    }
    if let Some(Value::Array(req)) = d.get("__requires") {
        rw.requires = req
            .iter()
            .filter(|r| r.get("type").and_then(Value::as_str) == Some("datasource"))
            .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
            .collect();
    }
    if let Some(Value::Array(list)) = d.get("templating").and_then(|t| t.get("list")) {
        for v in list {
            if v.get("type").and_then(Value::as_str) == Some("datasource") {
                if let (Some(n), Some(q)) = (v.get("name").and_then(Value::as_str), v.get("query").and_then(Value::as_str)) {
                    rw.vars.insert(n.to_string(), q.to_string());
                }
            }
        }
    }
    if let Some(Value::Object(elements)) = d.remove("__elements") {
        if let Some(p) = d.get_mut("panels") {
            inline_library_panels(p, &elements);
        }
    }

    rw.annotations(&mut d);
    rw.templating(&mut d);
    if let Some(p) = d.get_mut("panels") {
        rw.panels(p, "panels");
    }
    if let Some(Value::Array(rows)) = d.get_mut("rows") {
        for (i, r) in rows.iter_mut().enumerate() {
            if let Some(p) = r.get_mut("panels") {
                rw.panels(p, &format!("rows[{i}].panels"));
            }
        }
    }
    let mut root = Value::Object(d);
    if !rw.inputs.is_empty() {
        rw.placeholders(&mut root, "", "");
    }
    let Value::Object(mut d) = root else { unreachable!() };
    d.remove("__inputs");
    d.remove("__requires");
    d.insert("id".into(), Value::Null);
    d.insert("uid".into(), json!(uid));

    let title = d.get("title").and_then(Value::as_str).unwrap_or("").to_string();
    let tags = match d.get("tags") {
        Some(Value::Array(t)) => t.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec![],
    };
    Ok(ImportedDashboard { json: Value::Object(d), title, tags, unmapped: rw.unmapped, promql: rw.promql })
}

// ---- rule files ---------------------------------------------------------------------------

/// A PromQL expression of a rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleExpr {
    /// "group `g`, rule 3 (`Name`)"
    pub rule: String,
    pub expr: String,
}

/// What [`check_rules`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RulesCheck {
    /// Structural problems (each makes Prometheus refuse the file).
    pub errors: Vec<String>,
    pub exprs: Vec<RuleExpr>,
    pub groups: usize,
    pub rules: usize,
}

fn yaml_kind(v: &serde_norway::Value) -> &'static str {
    use serde_norway::Value as Y;
    match v {
        Y::Null => "null",
        Y::Bool(_) => "a boolean",
        Y::Number(_) => "a number",
        Y::String(_) => "a string",
        Y::Sequence(_) => "a list",
        Y::Mapping(_) => "a mapping",
        Y::Tagged(_) => "a tagged value",
    }
}

/// A scalar as the text Prometheus' YAML decoder gives a string field.
fn yaml_text(v: &serde_norway::Value) -> Option<String> {
    use serde_norway::Value as Y;
    match v {
        Y::Null => Some(String::new()),
        Y::Bool(b) => Some(b.to_string()),
        Y::Number(n) => Some(n.to_string()),
        Y::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Check a Prometheus rule file's text the way `rulefmt` does.
pub fn check_rules(text: &str) -> RulesCheck {
    use serde_norway::Value as Y;
    let mut out = RulesCheck::default();
    let root: Y = match serde_norway::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            out.errors.push(format!("it is not valid YAML: {e}"));
            return out;
        }
    };
    let top = match &root {
        Y::Null => return out,
        Y::Mapping(m) => m,
        other => {
            out.errors.push(format!("a rule file is a mapping with `groups:`; this one is {}", yaml_kind(other)));
            return out;
        }
    };
    let key = |k: &Y| k.as_str().map(str::to_string).unwrap_or_else(|| format!("{k:?}"));
    if top.get("spec").is_some() && top.get("kind").is_some() {
        out.errors.push("this is a Kubernetes object (a PrometheusRule?), not a rule file: import the content of its `spec` as a plain file".into());
        return out;
    }
    for (k, _) in top.iter() {
        if k.as_str() != Some("groups") {
            out.errors.push(format!("unknown top-level field `{}` (a rule file has only `groups`)", key(k)));
        }
    }
    let groups = match top.get("groups") {
        None | Some(Y::Null) => return out,
        Some(Y::Sequence(g)) => g,
        Some(other) => {
            out.errors.push(format!("`groups` is {}, not a list", yaml_kind(other)));
            return out;
        }
    };
    let mut names: Vec<String> = vec![];
    for (gi, g) in groups.iter().enumerate() {
        let Y::Mapping(gm) = g else {
            out.errors.push(format!("group {} is {}, not a mapping", gi + 1, yaml_kind(g)));
            continue;
        };
        out.groups += 1;
        let gname = gm.get("name").and_then(yaml_text).unwrap_or_default();
        let gwhere = if gname.is_empty() { format!("group {}", gi + 1) } else { format!("group `{gname}`") };
        if gname.is_empty() {
            out.errors.push(format!("{gwhere}: a group needs a non-empty `name`"));
        } else if names.contains(&gname) {
            out.errors.push(format!("{gwhere}: the group name is repeated in the file"));
        }
        names.push(gname.clone());
        for (k, v) in gm.iter() {
            let k = key(k);
            match k.as_str() {
                "name" => {
                    if yaml_text(v).is_none() {
                        out.errors.push(format!("{gwhere}: `name` is {}, not a string", yaml_kind(v)));
                    }
                }
                "interval" | "query_offset" => match yaml_text(v) {
                    Some(s) if super::query::prometheus_duration(&s) => {}
                    _ => out.errors.push(format!("{gwhere}: `{k}` {} is not a Prometheus duration (like `30s`, `1m`, `1h30m`)", show(v))),
                },
                "limit" => {
                    if v.as_i64().is_none() {
                        out.errors.push(format!("{gwhere}: `limit` {} is not an integer", show(v)));
                    }
                }
                "labels" => labels_check(v, &gwhere, "label", true, &mut out.errors),
                "rules" => {}
                other => out.errors.push(format!("{gwhere}: unknown field `{other}` (a group has name, interval, query_offset, limit, labels, rules)")),
            }
        }
        let rules = match gm.get("rules") {
            None | Some(Y::Null) => continue,
            Some(Y::Sequence(r)) => r,
            Some(other) => {
                out.errors.push(format!("{gwhere}: `rules` is {}, not a list", yaml_kind(other)));
                continue;
            }
        };
        for (ri, r) in rules.iter().enumerate() {
            let Y::Mapping(rm) = r else {
                out.errors.push(format!("{gwhere}, rule {}: a rule is a mapping, not {}", ri + 1, yaml_kind(r)));
                continue;
            };
            out.rules += 1;
            let text_of = |k: &str| rm.get(k).and_then(yaml_text).unwrap_or_default();
            let (alert, record) = (text_of("alert"), text_of("record"));
            let rname = if !alert.is_empty() { alert.clone() } else { record.clone() };
            let rwhere = if rname.is_empty() { format!("{gwhere}, rule {}", ri + 1) } else { format!("{gwhere}, rule {} (`{rname}`)", ri + 1) };
            let mut errs: Vec<String> = vec![];
            match (alert.is_empty(), record.is_empty()) {
                (true, true) => errs.push(format!("{rwhere}: one of `alert` or `record` must be set")),
                (false, false) => errs.push(format!("{rwhere}: only one of `alert` and `record` may be set")),
                _ => {}
            }
            for (k, v) in rm.iter() {
                let k = key(k);
                match k.as_str() {
                    "alert" | "record" | "expr" => {
                        if yaml_text(v).is_none() {
                            errs.push(format!("{rwhere}: `{k}` is {}, not a string", yaml_kind(v)));
                        }
                    }
                    "for" | "keep_firing_for" => match yaml_text(v) {
                        Some(s) if super::query::prometheus_duration(&s) => {
                            if !record.is_empty() && s != "0" {
                                errs.push(format!("{rwhere}: a recording rule cannot have `{k}`"));
                            }
                        }
                        _ => errs.push(format!("{rwhere}: `{k}` {} is not a Prometheus duration (like `5m`, `1h`; units ms s m h d w y)", show(v))),
                    },
                    "labels" => labels_check(v, &rwhere, "label", true, &mut errs),
                    "annotations" => {
                        if !record.is_empty() && matches!(v, Y::Mapping(m) if !m.is_empty()) {
                            errs.push(format!("{rwhere}: a recording rule cannot have `annotations`"));
                        }
                        labels_check(v, &rwhere, "annotation", false, &mut errs);
                    }
                    other => errs.push(format!(
                        "{rwhere}: unknown field `{other}` (a rule has alert or record, expr, for, keep_firing_for, labels, annotations)"
                    )),
                }
            }
            if !record.is_empty() && (record.contains('{') || record.contains('}')) {
                errs.push(format!("{rwhere}: braces in the recording rule name; should they be in `expr`?"));
            }
            out.errors.extend(errs);
            let expr = text_of("expr");
            if expr.trim().is_empty() {
                out.errors.push(format!("{rwhere}: `expr` must be set"));
            } else {
                out.exprs.push(RuleExpr { rule: rwhere.clone(), expr });
            }
        }
    }
    out
}

fn show(v: &serde_norway::Value) -> String {
    match yaml_text(v) {
        Some(s) => format!("`{s}`"),
        None => format!("({})", yaml_kind(v)),
    }
}

/// Labels/annotations: a mapping of names to scalar values.
fn labels_check(v: &serde_norway::Value, at: &str, what: &str, labels: bool, errors: &mut Vec<String>) {
    use serde_norway::Value as Y;
    match v {
        Y::Null => {}
        Y::Mapping(m) => {
            for (k, x) in m.iter() {
                let Some(k) = k.as_str() else {
                    errors.push(format!("{at}: {what} names are strings, found {}", yaml_kind(k)));
                    continue;
                };
                if k.is_empty() || (labels && k == "__name__") {
                    errors.push(format!("{at}: invalid {what} name `{k}`"));
                }
                if yaml_text(x).is_none() {
                    errors.push(format!("{at}: {what} `{k}` is {}, not a string", yaml_kind(x)));
                }
            }
        }
        other => errors.push(format!("{at}: `{what}s` is {}, not a mapping", yaml_kind(other))),
    }
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
