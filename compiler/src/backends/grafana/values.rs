//! How Grafana reads values: `grafana.ini` and provisioning files expand `$__env{VAR}` and
//! `$__file{path}` (`pkg/setting/expanders.go`, `pkg/services/provisioning/values/values.go` of
//! grafana/grafana), and provisioning also `$VAR`, with `$$` a literal `$`.

use crate::backends::{Component, Ctx, SecretLayout, SecretUse};
use crate::ir::SecretRef;

/// `$__file{path}` / `$__env{VAR}` for a secret, as grafana.ini and provisioning read it.
pub fn secret_ref(ctx: &Ctx, name: &str, s: &SecretRef) -> String {
    match (s, &ctx.secrets) {
        (SecretRef::Env(v), SecretLayout::Direct | SecretLayout::Relative) => format!("$__env{{{v}}}"),
        _ => format!("$__file{{{}}}", ctx.secret_file(Component::Grafana, name, s)),
    }
}

/// The record of a secret Grafana reads: an environment secret Grafana reads itself
/// (`$__env{…}`), where the target passes the variable through.
pub fn secret_use(name: &str, s: &SecretRef) -> SecretUse {
    SecretUse { name: name.to_string(), secret: s.clone(), reads_env: matches!(s, SecretRef::Env(_)) }
}

/// Text in a field Grafana interpolates: `$` doubled.
pub fn esc(s: &str) -> String {
    s.replace('$', "$$")
}
