//! How a schema field is described to the user (hover and completion details): type, units,
//! default, documentation.

use super::index::elem;
use crate::sema::schema::{FieldDef, Ty};
use crate::sema::types;

/// Describe a field of a schema: type, units, default, documentation.
pub fn describe_field(fd: &'static FieldDef, owner: Option<&str>) -> String {
    let mut md = format!("**{}**: {}", fd.name, fd.ty.describe());
    if fd.required {
        md.push_str(" — *required*");
    }
    if let Some(d) = &fd.default {
        md.push_str(&format!("\n\nDefault: `{}`", d.text()));
    }
    if let Some(u) = units_note(elem(&fd.ty)) {
        md.push_str(&format!("\n\n{u}"));
    }
    if !fd.doc.is_empty() {
        md.push_str(&format!("\n\n{}", fd.doc));
    }
    if let Some(o) = owner {
        md.push_str(&format!("\n\n*Field of* `{o}`"));
    }
    md
}

/// The units a type accepts, for hover.
pub fn units_note(t: &Ty) -> Option<String> {
    Some(match t {
        Ty::Duration => format!("Units: {}", types::DURATION_UNITS.iter().map(|(u, _)| format!("`{u}`")).collect::<Vec<_>>().join(" ")),
        Ty::Bytes => "Units: `KiB` `MiB` `GiB` `TiB` (×1024), `KB` `MB` `GB` `TB` (×1000); Kubernetes' `Ki` `Mi` `Gi` `Ti`, `K` `M` `G` `T` too".into(),
        Ty::Cpu => "Millicores (`500m`) or cores (`2`)".into(),
        _ => return None,
    })
}
