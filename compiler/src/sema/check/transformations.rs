//! A panel's `transform ID { … }` blocks: checked against the typed transformer of their id
//! ([`schema::TRANSFORMATIONS`]) and lowered to Grafana's `{ id, options }` with the option
//! shapes its transformers read (`packages/grafana-data/src/transformations/transformers/`).

use super::*;
use serde_json::{json, Value};

impl<'a> Checker<'a> {
    /// Check a `transform` block of the panel in `rec` and keep it, in order.
    pub(super) fn transform_block(&mut self, rec: &mut Rec, inner: &BlockVal, kloc: Loc) {
        let ids = || schema::TRANSFORMATIONS.iter().map(|(k, _)| *k);
        let Some((id, span)) = inner.label.clone() else {
            self.error("E0202", kloc, "a `transform` needs Grafana's transformer id").hint =
                Some(format!("write `transform organize {{ … }}`; typed: {}", ids().collect::<Vec<_>>().join(", ")));
            return;
        };
        let Some((_, sch)) = schema::TRANSFORMATIONS.iter().find(|(k, _)| *k == id) else {
            let d = self.error("E0200", Loc { file: inner.loc.file, span }, format!("gstack does not type the transformation `{id}`"));
            d.hint = Some(did_you_mean(&id, ids()).unwrap_or_else(|| {
                format!("typed: {}; another goes in the panel's `settings {{ transformations = [{{ id = \"{id}\", options = {{ … }} }}] }}`", ids().collect::<Vec<_>>().join(", "))
            }));
            return;
        };
        let r = self.record(inner, sch, "transform");
        rec.blocks.push(("transform", r));
    }

    /// The panel's transformations, in order, as Grafana writes them.
    pub(super) fn transformations(&mut self, p: &Rec) -> Vec<ir::Transformation> {
        p.blocks_of("transform").map(|t| ir::Transformation { id: t.label(), options: self.transform_options(t) }).collect()
    }

    fn transform_options(&mut self, t: &Rec) -> Settings {
        let names = |k: &str, v: Value| -> Value { Value::Object(t.strs(k).into_iter().map(|n| (n, v.clone())).collect()) };
        let mut o = serde_json::Map::new();
        let mut put = |k: &str, v: Value| {
            o.insert(k.to_string(), v);
        };
        match t.label().as_str() {
            "organize" => {
                put("excludeByName", names("exclude", json!(true)));
                put("includeByName", names("include", json!(true)));
                put("renameByName", json!(t.map("rename")));
                let order: serde_json::Map<String, Value> = t.strs("order").into_iter().enumerate().map(|(i, n)| (n, json!(i))).collect();
                put("indexByName", Value::Object(order));
                // the manual order applies only with `fieldOrder: manual` (transformers/order.ts)
                put("fieldOrder", json!("manual"));
            }
            "reduce" => {
                put("reducers", json!(t.strs("reducers")));
                for (k, g) in [("mode", "mode")] {
                    if let Some(v) = t.sym(k) {
                        put(g, json!(v));
                    }
                }
                for (k, g) in [("include_time_field", "includeTimeField"), ("labels_to_fields", "labelsToFields")] {
                    if let Some(CV::Bool(b)) = t.get(k) {
                        put(g, json!(b));
                    }
                }
            }
            "filterFieldsByName" => {
                for (n, p, g) in [("names", "pattern", "include"), ("exclude_names", "exclude_pattern", "exclude")] {
                    let mut m = serde_json::Map::new();
                    if t.fields.contains_key(n) {
                        m.insert("names".into(), json!(t.strs(n)));
                    }
                    if let Some(x) = t.str(p) {
                        m.insert("pattern".into(), json!(x));
                    }
                    if !m.is_empty() {
                        put(g, Value::Object(m));
                    }
                }
            }
            "filterByRefId" => put("include", json!(t.req_str("include"))),
            "sortBy" => put("sort", json!([{ "field": t.req_str("field"), "desc": t.bool_d("desc") }])),
            "limit" => put("limitField", json!(t.get("limit").and_then(|v| if let CV::Int(i) = v { Some(*i) } else { None }))),
            "joinByField" => {
                if let Some(f) = t.str("field") {
                    put("byField", json!(f));
                }
                if let Some(m) = t.sym("mode") {
                    put("mode", json!(m));
                }
            }
            "renameByRegex" => {
                put("regex", json!(t.req_str("regex")));
                put("renamePattern", json!(t.req_str("rename_pattern")));
            }
            "labelsToFields" => {
                if let Some(m) = t.sym("mode") {
                    put("mode", json!(m));
                }
                if t.fields.contains_key("keep_labels") {
                    put("keepLabels", json!(t.strs("keep_labels")));
                }
                if let Some(v) = t.str("value_label") {
                    put("valueLabel", json!(v));
                }
            }
            "calculateField" => self.calculate_field(t, &mut o),
            "convertFieldType" => {
                let mut conv = vec![];
                for (field, to) in t.map("conversions") {
                    if !schema::FIELD_TYPES.contains(&to.as_str()) {
                        let at = t.fields.get("conversions").map_or(t.loc, |(_, l)| *l);
                        let d = self.error("E0205", at, format!("`{to}` is not a field type `convertFieldType` converts to"));
                        d.hint = Some(did_you_mean(&to, schema::FIELD_TYPES.iter().copied()).unwrap_or_else(|| format!("one of: {}", schema::FIELD_TYPES.join(", "))));
                    }
                    conv.push(json!({ "targetField": field, "destinationType": to }));
                }
                o.insert("conversions".into(), json!(conv));
            }
            "groupBy" => {
                let mut fields = serde_json::Map::new();
                for f in t.strs("group_by") {
                    fields.insert(f, json!({ "operation": "groupby", "aggregations": [] }));
                }
                for (f, reducer) in t.map("aggregate") {
                    if !schema::REDUCERS.contains(&reducer.as_str()) {
                        let at = t.fields.get("aggregate").map_or(t.loc, |(_, l)| *l);
                        self.error("E0205", at, format!("`{reducer}` is not a reducer id")).hint =
                            Some(did_you_mean(&reducer, schema::REDUCERS.iter().copied()).unwrap_or_else(|| format!("one of: {}", schema::REDUCERS.join(", "))));
                    }
                    fields.insert(f, json!({ "operation": "aggregate", "aggregations": [reducer] }));
                }
                o.insert("fields".into(), Value::Object(fields));
            }
            // merge, seriesToRows: no options
            _ => {}
        }
        o.into_iter().collect()
    }

    /// `calculateField`: a row's reduction (`reduce`) or a binary operation (`binary`), each
    /// option refused in the other mode (Grafana would ignore it).
    fn calculate_field(&mut self, t: &Rec, o: &mut serde_json::Map<String, Value>) {
        let mode = t.sym("mode").unwrap_or_else(|| "reduceRow".into());
        let (mine, theirs): (&[&str], &[&str]) = if mode == "binary" { (&["left", "operator", "right"], &["reducer", "include"]) } else { (&["reducer", "include"], &["left", "operator", "right"]) };
        for k in theirs {
            if let Some((_, at)) = t.fields.get(k) {
                self.error("E0205", *at, format!("`{k}` is not read in `{mode}` mode")).hint = Some(format!("this mode reads {}", mine.join(", ")));
            }
        }
        o.insert("mode".into(), json!(mode));
        if let Some(a) = t.str("alias") {
            o.insert("alias".into(), json!(a));
        }
        if let Some(CV::Bool(b)) = t.get("replace_fields") {
            o.insert("replaceFields".into(), json!(b));
        }
        if mode == "binary" {
            for k in ["left", "operator", "right"] {
                if !t.fields.contains_key(k) {
                    self.error("E0202", Loc { file: t.loc.file, span: t.label_span() }, format!("a `binary` calculation needs `{k}`"));
                }
            }
            // a number is a fixed value, anything else a field by name (binaryOperators.ts, `BinaryValue`)
            let side = |v: Option<String>| -> Value {
                let v = v.unwrap_or_default();
                if v.parse::<f64>().is_ok() {
                    json!({ "fixed": v })
                } else {
                    json!({ "matcher": { "id": "byName", "options": v } })
                }
            };
            o.insert("binary".into(), json!({ "left": side(t.str("left")), "operator": t.sym("operator").unwrap_or_else(|| "+".into()), "right": side(t.str("right")) }));
        } else {
            let mut reduce = json!({ "reducer": t.sym("reducer").unwrap_or_else(|| "sum".into()) });
            if t.fields.contains_key("include") {
                reduce["include"] = json!(t.strs("include"));
            }
            o.insert("reduce".into(), reduce);
        }
    }
}
