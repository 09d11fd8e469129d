//! Grafana's dashboard JSON model: one file per dashboard, panels laid out on Grafana's
//! 24-column grid unless `width`/`height` are set, datasources as the IR resolved them.
//! Follows the dashboard JSON model of the Grafana 12 line (`schemaVersion` [`SCHEMA_VERSION`],
//! https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/).

use crate::backends::ConfigFile;
use crate::ir::{self, Dashboard, Panel, QueryLang, Variable};
use serde_json::{json, Value};

/// The dashboard JSON `schemaVersion` of the Grafana 12 line.
pub const SCHEMA_VERSION: u32 = 41;

/// The directory of a folder's dashboards under `dashboards/`: `general`, or the folder's
/// name as a uid.
pub fn folder_dir(f: Option<&str>) -> String {
    match f {
        None => "general".into(),
        Some(f) => ir::uid_from(f),
    }
}

/// Default size of a panel kind in grid units (width, height).
fn default_size(kind: &str) -> (u32, u32) {
    match kind {
        "stat" | "gauge" => (6, 5),
        "bargauge" => (8, 6),
        "logs" | "traces" | "table" | "nodeGraph" | "geomap" | "canvas" | "state-timeline" | "status-history" => (24, 10),
        "alertlist" | "annolist" | "dashlist" | "news" | "piechart" => (8, 8),
        "text" => (24, 4),
        _ => (12, 8),
    }
}

/// Place panels left to right on a 24-column grid, wrapping lines; returns the next free y.
struct Layout {
    x: u32,
    y: u32,
    line_h: u32,
}

impl Layout {
    fn place(&mut self, w: u32, h: u32) -> Value {
        let w = w.clamp(1, 24);
        if self.x + w > 24 {
            self.y += self.line_h;
            self.x = 0;
            self.line_h = 0;
        }
        let pos = json!({ "x": self.x, "y": self.y, "w": w, "h": h });
        self.x += w;
        self.line_h = self.line_h.max(h);
        pos
    }
    /// A panel at a place of its own: the flow goes on beside it, and the next line starts
    /// below it.
    fn place_at(&mut self, x: u32, y: u32, w: u32, h: u32) -> Value {
        let w = w.clamp(1, 24 - x.min(23));
        self.line_h = self.line_h.max((y + h).saturating_sub(self.y));
        json!({ "x": x, "y": y, "w": w, "h": h })
    }
    fn newline(&mut self) {
        if self.x > 0 {
            self.y += self.line_h;
            self.x = 0;
            self.line_h = 0;
        }
    }
}

/// A number as Grafana's editors write it: a whole one without a fraction (`70`, not `70.0`).
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn ds_json(stack: &ir::Stack, name: &str) -> Value {
    json!(stack.datasource_ref(name))
}

/// A panel target as Grafana's Prometheus, Loki, Tempo and SQL query models write it: an
/// instant query is `instant: true, range: false` (PromQL) or `queryType: instant` (LogQL).
fn target(stack: &ir::Stack, p: &Panel, pq: &ir::PanelQuery) -> Value {
    let (q, ref_id) = (&pq.query, &pq.ref_id);
    let instant = pq.instant == Some(true);
    let mut t = match q.lang {
        QueryLang::Promql if instant => json!({ "refId": ref_id, "expr": q.expr, "range": false, "instant": true, "editorMode": "code" }),
        QueryLang::Promql => json!({ "refId": ref_id, "expr": q.expr, "range": true, "editorMode": "code" }),
        QueryLang::Logql => json!({ "refId": ref_id, "expr": q.expr, "queryType": if instant { "instant" } else { "range" }, "editorMode": "code" }),
        QueryLang::Traceql => json!({ "refId": ref_id, "query": q.expr, "queryType": "traceql", "limit": 20 }),
        QueryLang::Sql => json!({ "refId": ref_id, "rawSql": q.expr, "rawQuery": true, "format": "table", "editorMode": "code" }),
    };
    if let (Some(l), QueryLang::Promql | QueryLang::Logql) = (pq.legend.as_ref().or(p.legend.as_ref()), q.lang) {
        t["legendFormat"] = json!(l);
    }
    if let Some(f) = &pq.format {
        t["format"] = json!(f);
    }
    if let Some(i) = pq.interval {
        t["interval"] = json!(i.to_prometheus());
    }
    if pq.hide {
        t["hide"] = json!(true);
    }
    if let Some(ds) = &p.datasource {
        t["datasource"] = ds_json(stack, ds);
    }
    t
}

fn panel_json(stack: &ir::Stack, p: &Panel, id: u32, layout: &mut Layout) -> Value {
    let (w, h) = default_size(&p.kind);
    let mut v = json!({
        "id": id,
        "type": p.kind,
        "title": p.title,
        "gridPos": match p.position {
            Some((x, y)) => layout.place_at(x, y, p.width.unwrap_or(w), p.height.unwrap_or(h)),
            None => layout.place(p.width.unwrap_or(w), p.height.unwrap_or(h)),
        },
    });
    if let Some(d) = &p.description {
        v["description"] = json!(d);
    }
    if let Some(ds) = &p.datasource {
        v["datasource"] = ds_json(stack, ds);
    }
    if !p.queries.is_empty() {
        v["targets"] = json!(p.queries.iter().map(|q| target(stack, p, q)).collect::<Vec<_>>());
    }
    if !p.queries.is_empty() {
        let mut defaults = json!({});
        if let Some(u) = &p.unit {
            defaults["unit"] = json!(u);
        }
        if !p.thresholds.is_empty() {
            defaults["thresholds"] = json!({
                "mode": p.display.threshold_mode.as_deref().unwrap_or("absolute"),
                "steps": p.thresholds.iter().map(|t| json!({ "color": t.color, "value": t.value.map(|n| number(n.0)) })).collect::<Vec<_>>(),
            });
        }
        display_defaults(&p.display, &mut defaults);
        let mut custom = super::panels::default_custom(&p.kind);
        crate::backends::merge(&mut custom, &defaults["custom"].as_object().cloned().unwrap_or_default().into_iter().collect());
        crate::backends::merge(&mut custom, &p.custom);
        if custom.as_object().is_some_and(|c| !c.is_empty()) {
            defaults["custom"] = custom;
        }
        v["fieldConfig"] = json!({ "defaults": defaults, "overrides": p.overrides.iter().map(override_json).collect::<Vec<_>>() });
    }
    if let Some(n) = p.display.max_data_points {
        v["maxDataPoints"] = json!(n);
    }
    if !p.transformations.is_empty() {
        v["transformations"] = json!(p.transformations.iter().map(|t| json!({ "id": t.id, "options": t.options })).collect::<Vec<_>>());
    }
    if let Some(r) = &p.repeat {
        v["repeat"] = json!(r);
        v["repeatDirection"] = json!("h");
    }
    if !p.links.is_empty() {
        v["links"] = links_json(&p.links);
    }
    if let Some(t) = p.time_from {
        v["timeFrom"] = json!(t.to_prometheus());
    }
    if let Some(t) = p.time_shift {
        v["timeShift"] = json!(t.to_prometheus());
    }
    let mut options = super::panels::default_options(&p.kind);
    if p.kind == "text" {
        options["content"] = json!(p.content.clone().unwrap_or_default());
    }
    if p.kind == "timeseries" {
        // the legend and tooltip the timeseries schema requires, Grafana's defaults unless set
        let d = &p.display;
        let mode = d.legend_mode.as_deref().unwrap_or("list");
        options["legend"] = json!({ "displayMode": mode, "placement": d.legend_placement.as_deref().unwrap_or("bottom"), "showLegend": mode != "hidden", "calcs": [] });
        options["tooltip"] = json!({ "mode": d.tooltip.as_deref().unwrap_or("single"), "sort": "none" });
    }
    crate::backends::merge(&mut options, &p.options);
    v["options"] = options;
    // the escape hatch, over everything
    crate::backends::merge(&mut v, &p.settings);
    v
}

/// A panel's standard field options and graph styles into `fieldConfig.defaults` (each only
/// when set; see [`ir::PanelDisplay`]).
fn display_defaults(d: &ir::PanelDisplay, defaults: &mut Value) {
    if let Some(x) = d.decimals {
        defaults["decimals"] = json!(x);
    }
    if let Some(x) = &d.min {
        defaults["min"] = number(x.0);
    }
    if let Some(x) = &d.max {
        defaults["max"] = number(x.0);
    }
    if let Some(x) = &d.no_value {
        defaults["noValue"] = json!(x);
    }
    let mut mappings = vec![];
    if !d.mappings.is_empty() {
        let options: serde_json::Map<String, Value> = d.mappings.iter().enumerate().map(|(i, (v, text))| (v.clone(), json!({ "text": text, "index": i }))).collect();
        mappings.push(json!({ "type": "value", "options": options }));
    }
    if let Some(t) = &d.null_text {
        mappings.push(json!({ "type": "special", "options": { "match": "null", "result": { "text": t } } }));
    }
    if !mappings.is_empty() {
        defaults["mappings"] = json!(mappings);
    }
    if let Some(m) = &d.color_mode {
        defaults["color"] = json!({ "mode": m });
    }
    let mut custom = json!({});
    if let Some(x) = &d.draw_style {
        custom["drawStyle"] = json!(x);
    }
    if let Some(x) = d.line_width {
        custom["lineWidth"] = json!(x);
    }
    if let Some(x) = d.fill_opacity {
        custom["fillOpacity"] = json!(x);
    }
    if let Some(x) = &d.stack {
        custom["stacking"] = json!({ "mode": x, "group": "A" });
    }
    if custom.as_object().is_some_and(|c| !c.is_empty()) {
        defaults["custom"] = custom;
    }
}

/// Grafana's `DashboardLink` (type `link`) for each link.
fn links_json(links: &[ir::Link]) -> Value {
    json!(links
        .iter()
        .map(|l| json!({
            "title": l.title, "type": "link", "url": l.url, "icon": "external link", "tooltip": "", "tags": [],
            "asDropdown": false, "targetBlank": l.new_tab, "includeVars": false, "keepTime": false,
        }))
        .collect::<Vec<_>>())
}

/// One `fieldConfig.overrides` entry: a matcher and its properties.
fn override_json(o: &ir::FieldOverride) -> Value {
    let mut props = vec![];
    if let Some(u) = &o.unit {
        props.push(json!({ "id": "unit", "value": u }));
    }
    if let Some(c) = &o.color {
        props.push(json!({ "id": "color", "value": { "mode": "fixed", "fixedColor": c } }));
    }
    if let Some(n) = &o.display_name {
        props.push(json!({ "id": "displayName", "value": n }));
    }
    if let Some(d) = o.decimals {
        props.push(json!({ "id": "decimals", "value": d }));
    }
    if let Some(m) = o.min {
        props.push(json!({ "id": "min", "value": number(m.0) }));
    }
    if let Some(m) = o.max {
        props.push(json!({ "id": "max", "value": number(m.0) }));
    }
    for (k, v) in &o.custom {
        props.push(json!({ "id": format!("custom.{k}"), "value": v }));
    }
    json!({
        "matcher": { "id": if o.regex { "byRegexp" } else { "byName" }, "options": o.field },
        "properties": props,
    })
}

/// A variable's optional keys, each only when set: `allValue`, `regex`, `description`, `hide`.
fn with_options(mut v: Value, o: &crate::ir::VariableOptions) -> Value {
    if let Some(a) = &o.all_value {
        v["allValue"] = json!(a);
    }
    if let Some(r) = &o.regex {
        v["regex"] = json!(r);
    }
    if let Some(d) = &o.description {
        v["description"] = json!(d);
    }
    if o.hide != 0 {
        v["hide"] = json!(o.hide);
    }
    v
}

fn variable_json(stack: &ir::Stack, v: &Variable) -> Value {
    match v {
        Variable::Query { name, datasource, query, options: o } => with_options(
            json!({
                "type": "query", "name": name, "label": o.label.as_deref().unwrap_or(name),
                "datasource": ds_json(stack, datasource),
                "query": query,
                "definition": query, "refresh": o.refresh, "multi": o.multi, "includeAll": o.include_all,
                "options": [], "sort": o.sort,
            }),
            o,
        ),
        Variable::Custom { name, values, options: o } => with_options(
            json!({
                "type": "custom", "name": name, "label": o.label.as_deref().unwrap_or(name), "query": values.join(","),
                "multi": o.multi, "includeAll": o.include_all,
                "options": values.iter().map(|x| json!({ "text": x, "value": x, "selected": false })).collect::<Vec<_>>(),
            }),
            o,
        ),
        Variable::Interval { name, values } => json!({
            "type": "interval", "name": name, "label": name, "query": values.join(","),
            "options": values.iter().map(|x| json!({ "text": x, "value": x, "selected": false })).collect::<Vec<_>>(),
            "refresh": 2,
        }),
        Variable::Datasource { name, plugin } => json!({
            "type": "datasource", "name": name, "label": name, "query": plugin, "options": [], "refresh": 1,
        }),
        Variable::Constant { name, value } => json!({
            "type": "constant", "name": name, "query": value, "hide": 2, "current": { "text": value, "value": value }, "options": [],
        }),
        // (public/app/features/variables/textbox: `query` is the default, `current` the value)
        Variable::Textbox { name, default } => json!({
            "type": "textbox", "name": name, "label": name, "query": default,
            "current": { "text": default, "value": default }, "options": [{ "selected": true, "text": default, "value": default }],
        }),
        // the datasource, and no filters at first: Grafana reads a missing `filters` as none
        // (public/app/features/dashboard-scene/serialization/transformSaveModelToScene.ts,
        // `filters: variable.filters ?? []`), and its dashboard JSON Schema has no such key
        Variable::AdHoc { name, datasource } => json!({
            "type": "adhoc", "name": name, "label": name, "datasource": ds_json(stack, datasource),
        }),
    }
}

/// The dashboard JSON model for `schemaVersion` [`SCHEMA_VERSION`]; panels are laid out
/// automatically unless `width`/`height` are set.
pub fn dashboard_json(stack: &ir::Stack, d: &Dashboard) -> Value {
    let mut panels = vec![];
    let mut id = 1;
    let mut layout = Layout { x: 0, y: 0, line_h: 0 };
    for p in &d.panels {
        panels.push(panel_json(stack, p, id, &mut layout));
        id += 1;
    }
    for r in &d.rows {
        layout.newline();
        let row_pos = json!({ "x": 0, "y": layout.y, "w": 24, "h": 1 });
        layout.y += 1;
        let row_id = id;
        id += 1;
        let mut inner = vec![];
        for p in &r.panels {
            inner.push(panel_json(stack, p, id, &mut layout));
            id += 1;
        }
        layout.newline();
        let mut row = json!({ "id": row_id, "type": "row", "title": r.title, "collapsed": r.collapsed, "gridPos": row_pos, "panels": [] });
        if r.collapsed {
            row["panels"] = json!(inner);
            panels.push(row);
        } else {
            panels.push(row);
            panels.extend(inner);
        }
    }
    json!({
        "uid": d.uid,
        "title": d.title,
        "tags": d.tags,
        "timezone": d.timezone,
        "editable": false,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": d.refresh.map(|r| r.to_prometheus()).unwrap_or_default(),
        "time": { "from": format!("now-{}", d.time_from.to_prometheus()), "to": "now" },
        "timepicker": {},
        "fiscalYearStartMonth": 0,
        "liveNow": false,
        "annotations": { "list": [{
            "builtIn": 1, "datasource": { "type": "grafana", "uid": "-- Grafana --" }, "enable": true, "hide": true,
            "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard",
        }] },
        "links": links_json(&d.links),
        "templating": { "list": d.variables.iter().map(|v| variable_json(stack, v)).collect::<Vec<_>>() },
        "panels": panels,
    })
}


/// The provisioned file of one dashboard: `dashboards/<folder>/<uid>.json`, Grafana's dashboard
/// JSON (an imported dashboard as the checker rewrote it for the stack).
pub fn dashboard_file(stack: &ir::Stack, d: &ir::Dashboard) -> ConfigFile {
    let dir = folder_dir(d.folder.as_deref());
    let content = match &d.source {
        ir::DashboardSource::Native => {
            let mut s = serde_json::to_string_pretty(&dashboard_json(stack, d)).expect("json");
            s.push('\n');
            s
        }
        ir::DashboardSource::Imported { json, .. } => json.to_string(),
    };
    ConfigFile { path: format!("dashboards/{dir}/{}.json", d.uid), content }
}
