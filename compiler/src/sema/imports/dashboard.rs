//! The Grafana dashboard rewrite of `import_dashboard` (see the module doc of [`super`]).

use super::*;

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

/// The query language gstack parses for a datasource plugin (`None`: not parsed).
fn query_lang(plugin: Option<&str>) -> Option<ir::QueryLang> {
    [ir::QueryLang::Promql, ir::QueryLang::Logql].into_iter().find(|l| plugin.is_some() && Component::plugin_answering(*l) == plugin)
}

/// A dashboard rewritten for the stack.
#[derive(Clone, Debug)]
pub struct ImportedDashboard {
    pub json: Value,
    pub title: String,
    pub tags: Vec<String>,
    pub unmapped: Vec<Unmapped>,
    pub promql: Vec<PromqlTarget>,
    /// TraceQL queries of Tempo targets (`queryType` `traceql`), their path ending `.query`.
    pub traceql: Vec<PromqlTarget>,
    /// The LogQL expressions (targets and annotations on a Loki datasource), same shape.
    pub logql: Vec<PromqlTarget>,
    /// Panels that refer to a library panel the file does not ship (`libraryPanel` with no
    /// model in `__elements`): (panel title, library panel uid).
    pub library_panels: Vec<(String, String)>,
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
    traceql: Vec<PromqlTarget>,
    logql: Vec<PromqlTarget>,
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
                let traceql = matches!(tobj.get("queryType").and_then(Value::as_str), Some("traceql" | "traceqlSearch"));
                if kind.as_deref() == Some("tempo") && traceql {
                    if let Some(Value::String(q)) = tobj.get("query").filter(|q| q.as_str().is_some_and(|q| !q.trim().is_empty())) {
                        self.traceql.push(PromqlTarget { panel: title.clone(), path: format!("{path}.targets[{i}].query"), expr: q.clone() });
                    }
                }
                if let (Some(lang), Some(Value::String(e))) = (query_lang(kind.as_deref()), tobj.get("expr")) {
                    if !e.trim().is_empty() {
                        let t = PromqlTarget { panel: title.clone(), path: format!("{path}.targets[{i}].expr"), expr: e.clone() };
                        if lang == ir::QueryLang::Logql { self.logql.push(t) } else { self.promql.push(t) }
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
                if let (Some(lang), Some(Value::String(e))) = (query_lang(kind.as_deref()), obj.get("expr")) {
                    if !e.trim().is_empty() {
                        let t = PromqlTarget { panel: here.clone(), path: format!("annotations.list[{i}].expr"), expr: e.clone() };
                        if lang == ir::QueryLang::Logql { self.logql.push(t) } else { self.promql.push(t) }
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

/// The panels still referring to a library panel: Grafana's file provisioning neither creates
/// nor imports library panels (pkg/services/provisioning/dashboards/file_reader.go), so each
/// would show "Unable to load library panel" unless one of its uid was made by hand.
fn library_refs(panels: &Value, out: &mut Vec<(String, String)>) {
    for p in panels.as_array().into_iter().flatten() {
        if let Some(l) = p.get("libraryPanel") {
            let uid = l.get("uid").and_then(Value::as_str).unwrap_or_default().to_string();
            let title = p.get("title").or_else(|| l.get("name")).and_then(Value::as_str).unwrap_or_default().to_string();
            out.push((title, uid));
        }
        if let Some(inner) = p.get("panels") {
            library_refs(inner, out);
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

    let mut rw = Rewriter { ds, inputs: BTreeMap::new(), vars: BTreeMap::new(), requires: vec![], unmapped: vec![], promql: vec![], traceql: vec![], logql: vec![] };
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
    // an export for sharing ships its library panels in `__elements`, keyed by uid (older
    // exports: a list of them)
    let elements: Map<String, Value> = match d.remove("__elements") {
        Some(Value::Object(m)) => m,
        Some(Value::Array(xs)) => xs.into_iter().filter_map(|e| Some((e.get("uid")?.as_str()?.to_string(), e))).collect(),
        _ => Map::new(),
    };
    if let Some(p) = d.get_mut("panels") {
        inline_library_panels(p, &elements);
    }
    let mut library_panels = vec![];
    if let Some(p) = d.get("panels") {
        library_refs(p, &mut library_panels);
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
    Ok(ImportedDashboard { json: Value::Object(d), title, tags, unmapped: rw.unmapped, promql: rw.promql, traceql: rw.traceql, logql: rw.logql, library_panels })
}
