//! The Prometheus rule-file reader of `import_rules` (see the module doc of [`super`]).


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
                    Some(s) if crate::sema::query::prometheus_duration(&s) => {}
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
                        Some(s) if crate::sema::query::prometheus_duration(&s) => {
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
