//! The block reference (`docs/reference.md`), generated from the schemas so it cannot drift.

use super::schema::{self, Schema};
use std::fmt::Write;

fn section(out: &mut String, title: &str, s: &Schema, seen: &mut Vec<&'static str>) {
    if seen.contains(&s.name) {
        return;
    }
    seen.push(s.name);
    let _ = writeln!(out, "\n## `{title}`\n\n{}\n", s.doc);
    if !s.fields.is_empty() {
        out.push_str("| field | type | default | |\n|---|---|---|---|\n");
        for f in s.fields {
            let default = match (f.required, &f.default) {
                (true, _) => "required".to_string(),
                (false, Some(d)) => format!("`{}`", d.text()),
                (false, None) => "unset".to_string(),
            };
            let doc = match f.grammar {
                Some(g) => format!("{} Must be {}.", f.doc, g.describe()),
                None => f.doc.to_string(),
            };
            let _ = writeln!(out, "| `{}` | {} | {} | {} |", f.name, f.ty.describe().replace('|', "\\|"), default, doc.replace('|', "\\|"));
        }
    }
    if !s.blocks.is_empty() {
        out.push_str("\nBlocks:\n");
        for b in s.blocks {
            let label = if b.label == schema::LabelRule::Required { " NAME" } else { "" };
            let many = if b.many { " (any number)" } else { "" };
            let _ = writeln!(out, "- `{}{label} {{ … }}`{many}: {}", b.kind, b.doc);
        }
    }
    if s.settings {
        out.push_str("\nTakes a freeform `settings { … }` block, merged over the generated config.\n");
    }
    if s.panels {
        let _ = writeln!(out, "\nTakes panels: {}.", schema::PANEL_KINDS.iter().map(|k| format!("`{k} \"Title\" {{ … }}`")).collect::<Vec<_>>().join(", "));
    }
    for b in s.blocks {
        section(out, b.kind, b.schema, seen);
    }
    // the records its fields take (`smtp = { … }`, `correlations = { … }`)
    for f in s.fields {
        let mut t = &f.ty;
        while let schema::Ty::ListOf(inner) = t {
            t = inner;
        }
        if let schema::Ty::Record(r) = t {
            section(out, r.name, r, seen);
        }
    }
}

/// The Markdown reference of every declaration, component, target and nested block.
pub fn markdown() -> String {
    let mut out = String::from("# gstack block reference\n\nGenerated from the compiler's schemas (`compiler/src/sema/schema/`) by the test\n`docs_reference_is_current`; run it with `GSTACK_UPDATE_DOCS=1` to refresh.\n");
    let mut seen = vec![];
    for (kind, s) in schema::TOP_LEVEL {
        if *kind == "target" {
            continue;
        }
        section(&mut out, kind, s, &mut seen);
    }
    section(&mut out, "panel", &schema::PANEL, &mut seen);
    panel_kinds(&mut out, &mut seen);
    for (kind, s) in schema::TARGETS {
        section(&mut out, &format!("target {kind}"), s, &mut seen);
    }
    out
}

/// Each panel kind: its Grafana plugin id and its typed `options` and `custom` blocks, with
/// every record they hold.
fn panel_kinds(out: &mut String, seen: &mut Vec<&'static str>) {
    out.push_str("\n## Panel kinds\n\nEach panel takes the fields of `panel` above; its own options and field config are typed by its kind. Names are Grafana's keys in snake_case (`show_legend` is `showLegend`).\n\n| keyword | Grafana plugin id | `options { … }` | `custom { … }` |\n|---|---|---|---|\n");
    for k in schema::PANEL_KIND_DEFS {
        let of = |kind: &str| k.schema.block(kind).map_or("none".to_string(), |b| format!("`{}`", b.schema.name));
        let _ = writeln!(out, "| `{}` | `{}` | {} | {} |", k.keyword, k.plugin, of("options"), of("custom"));
    }
    for k in schema::PANEL_KIND_DEFS {
        for b in k.schema.blocks.iter().filter(|b| b.kind == "options" || b.kind == "custom") {
            section(out, b.schema.name, b.schema, seen);
        }
    }
    out.push_str("\n## Transformations\n\n`transform ID { … }` in a panel, by Grafana's transformer id.\n");
    for (_, t) in schema::TRANSFORMATIONS {
        section(out, t.name, t, seen);
    }
}

