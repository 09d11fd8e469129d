//! A panel's typed `options { … }` and `custom { … }` blocks (checked against its kind's schema,
//! [`schema::PANEL_KIND_DEFS`], like any block) lowered to Grafana's JSON (`options`,
//! `fieldConfig.defaults.custom`) with Grafana's key names ([`schema::grafana_key`]).

use super::*;

/// A typed block's fields as Grafana's JSON object, keys renamed to Grafana's (nested records
/// and lists of records alike); `None` when the block is absent.
pub(super) fn grafana_json(r: Option<&Rec>) -> Settings {
    let Some(r) = r else { return Settings::new() };
    let mut out = Settings::new();
    for (name, (cv, _)) in &r.fields {
        if let Some(v) = cv_json(cv) {
            out.insert(schema::grafana_key(name), v);
        }
    }
    out
}

fn cv_json(cv: &CV) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match cv {
        CV::Str(s) | CV::Sym(s) => Value::String(s.clone()),
        CV::Int(i) => Value::from(*i),
        // a whole number as Grafana's editors write it (`2`, not `2.0`)
        CV::Num(n) if n.fract() == 0.0 && n.abs() < 9e15 => Value::from(*n as i64),
        CV::Num(n) => serde_json::Number::from_f64(*n).map(Value::Number)?,
        CV::Bool(b) => Value::Bool(*b),
        CV::List(xs) => Value::Array(xs.iter().filter_map(cv_json).collect()),
        CV::Record(r) => Value::Object(grafana_json(Some(r)).into_iter().collect()),
        CV::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect()),
        _ => return None,
    })
}
