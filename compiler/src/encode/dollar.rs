//! `$` expansion by the programs themselves, and how each escapes it.
//!
//! - Grafana provisioning (`pkg/services/provisioning/values`): `$VAR`, `${VAR}`,
//!   `$__env{…}`, `$__file{…}` expanded, `$$` a literal `$`
//!   ([`crate::backends::grafana::values::esc`], applied with [`map_strings`]).
//! - Compose: every string value is interpolated (`$VAR`, `${VAR}`), `$$` a literal `$`
//!   ([`compose_tree`]).
//! - Loki and Tempo with `-config.expand-env=true` run the whole file through
//!   `github.com/drone/envsubst` (`EvalEnv`, Loki's `pkg/util/cfg/files.go`): `${…}` is
//!   expanded (a malformed one fails the load); `$$` is a literal `$` only in newer envsubst
//!   releases; `\\` and `\/` lose their backslash. No escape works across versions, so a
//!   file holding any of these outside the emitters' own `${GSTACK_…}` references is refused
//!   ([`envsubst_refusals`]).

use super::Refusal;
use serde_json::Value;

/// Every string value of a JSON tree mapped by `f` (keys are left: the programs here do not
/// interpolate them).
pub fn map_strings(v: &mut Value, f: &impl Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| map_strings(x, f)),
        Value::Object(m) => m.values_mut().for_each(|x| map_strings(x, f)),
        _ => {}
    }
}

/// A compose file's tree with every `$` of every string value written `$$`.
pub fn compose_tree(v: &mut Value) {
    map_strings(v, &|s| s.replace('$', "$$"))
}

/// Where envsubst would change `text`: a `${` or `$$` that is not one of the emitters'
/// `${GSTACK_…}` references, or `\\` / `\/`.
fn envsubst_changes(text: &str) -> Option<(usize, &'static str)> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'$') => return Some((i, "`$$`")),
            b'$' if b.get(i + 1) == Some(&b'{') => {
                let rest = &text[i + 2..];
                let ok = rest
                    .strip_prefix("GSTACK_")
                    .and_then(|r| r.find('}').map(|e| &r[..e]))
                    .is_some_and(|name| {
                        !name.is_empty()
                            && name
                                .bytes()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
                    });
                if !ok {
                    return Some((i, "`${`"));
                }
            }
            b'\\' if matches!(b.get(i + 1), Some(b'\\') | Some(b'/')) => {
                return Some((i, "a backslash before `\\` or `/`"))
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Refusals for a config file read with `-config.expand-env=true`: the source strings
/// (`settings`, walked with their paths; a `${GSTACK_…}` there would be expanded too) and,
/// as a backstop, the rendered text.
pub fn envsubst_refusals(
    file: &str,
    program: &str,
    settings: &crate::ir::Settings,
    text: &str,
) -> Vec<Refusal> {
    fn walk(file: &str, path: &str, v: &Value, out: &mut Vec<Refusal>) {
        match v {
            Value::String(s) => {
                // here even `${GSTACK_…}` is source text, which must not be expanded
                let hit = envsubst_changes(&s.replace("${GSTACK_", "${ GSTACK_"));
                if let Some((_, what)) = hit {
                    out.push(Refusal::new(file, path, s.as_str(), format!("{what} is rewritten by the envsubst expansion this file is loaded with, and no escape works across Loki/Tempo versions")));
                }
            }
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(file, &format!("{path}[{i}]"), x, out)),
            Value::Object(m) => m
                .iter()
                .for_each(|(k, x)| walk(file, &format!("{path}.{k}"), x, out)),
            _ => {}
        }
    }
    let mut out = vec![];
    for (k, v) in settings {
        walk(file, &format!("{program}.settings.{k}"), v, &mut out);
    }
    if out.is_empty() {
        if let Some((at, what)) = envsubst_changes(text) {
            let line = text[..at].lines().count().max(1);
            let snippet = text[at..].lines().next().unwrap_or("");
            out.push(Refusal::new(
                file,
                format!("line {line}"),
                snippet,
                format!("{what} is rewritten by the envsubst expansion this file is loaded with"),
            ));
        }
    }
    out
}

/// Text the kubelet reads exactly in a container's `command`, `args` or `env` value: it
/// expands `$(VAR)` from the container's environment and reads `$$` as `$`
/// (`third_party/forked/golang/expansion` of kubernetes/kubernetes), so every `$` is doubled.
pub fn kubelet(s: &str) -> String {
    s.replace('$', "$$")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn envsubst() {
        assert_eq!(envsubst_changes("path: ${GSTACK_DATA}/loki"), None);
        assert!(envsubst_changes("x: ${HOME}").is_some());
        assert!(envsubst_changes("x: $$HOME").is_some());
        assert!(envsubst_changes("x: a\\/b").is_some());
        assert_eq!(envsubst_changes("x: cost $5 a\\b"), None);
    }
}
