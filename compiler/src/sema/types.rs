//! Types and units: what a field or parameter accepts, and the unit tables for durations
//! (Prometheus' units), byte sizes (SI and IEC, as Kubernetes reads them) and CPU.

use super::value::Val;
use crate::ir::{Bytes, Cpu, Duration};
use crate::syntax::ast::TypeExpr;

/// Duration units, as Prometheus accepts them: ms, s, m, h, d, w, y.
pub const DURATION_UNITS: &[(&str, u64)] =
    &[("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000), ("y", 31_536_000_000)];

/// Byte units: SI (`KB` = 1000) and IEC (`KiB` = 1024); Kubernetes spellings (`Ki`, `G`) too.
pub const BYTE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("K", 1_000),
    ("M", 1_000_000),
    ("G", 1_000_000_000),
    ("T", 1_000_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("Ki", 1 << 10),
    ("Mi", 1 << 20),
    ("Gi", 1 << 30),
    ("Ti", 1 << 40),
];

/// A literal's unit did not fit: the message and a hint.
pub struct UnitError {
    pub message: String,
    pub hint: String,
}

fn unit_names(t: &[(&str, u64)]) -> String {
    t.iter().map(|(u, _)| *u).collect::<Vec<_>>().join(", ")
}

/// `15s` → 15 000 ms. Errors name the units that are allowed.
pub fn duration(value: f64, unit: &str, text: &str) -> Result<Duration, UnitError> {
    match DURATION_UNITS.iter().find(|(u, _)| *u == unit) {
        Some((_, ms)) => {
            let millis = value * *ms as f64;
            if millis.fract() != 0.0 || millis < 0.0 {
                return Err(UnitError { message: format!("`{text}` is not a whole number of milliseconds"), hint: "use a smaller unit".into() });
            }
            Ok(Duration { millis: millis as u64 })
        }
        None => {
            let hint = if BYTE_UNITS.iter().any(|(u, _)| *u == unit) {
                format!("`{text}` is a byte size; a duration takes one of {}", unit_names(DURATION_UNITS))
            } else {
                let guess = match unit {
                    "min" | "mins" | "minute" | "minutes" => Some("m"),
                    "sec" | "secs" | "second" | "seconds" => Some("s"),
                    "hr" | "hrs" | "hour" | "hours" => Some("h"),
                    "day" | "days" => Some("d"),
                    "week" | "weeks" => Some("w"),
                    "year" | "years" => Some("y"),
                    _ => None,
                };
                match guess {
                    Some(g) => format!("write `{}{g}`", fmt_num(value)),
                    None => format!("duration units: {}", unit_names(DURATION_UNITS)),
                }
            };
            Err(UnitError { message: format!("`{text}` is not a duration: unknown unit `{unit}`"), hint })
        }
    }
}

/// `512MiB` → bytes.
pub fn bytes(value: f64, unit: &str, text: &str) -> Result<Bytes, UnitError> {
    match BYTE_UNITS.iter().find(|(u, _)| *u == unit) {
        Some((_, m)) => Ok(Bytes((value * *m as f64) as u64)),
        None => {
            let hint = if DURATION_UNITS.iter().any(|(u, _)| *u == unit) {
                format!("`{text}` is a duration; a size takes one of KiB, MiB, GiB, TiB (or KB, MB, GB, TB)")
            } else {
                match unit.to_ascii_lowercase().as_str() {
                    "gib" | "gb" | "g" => "sizes are case-sensitive: write `GiB` or `GB`".into(),
                    "mib" | "mb" | "m" => "sizes are case-sensitive: write `MiB` or `MB`".into(),
                    _ => "size units: B, KiB, MiB, GiB, TiB, KB, MB, GB, TB (Kubernetes' Ki, Mi, Gi, K, M, G too)".into(),
                }
            };
            Err(UnitError { message: format!("`{text}` is not a byte size: unknown unit `{unit}`"), hint })
        }
    }
}

/// `500m` → 500 millicores; `2` (no unit) → 2000.
pub fn cpu(value: f64, unit: &str, text: &str) -> Result<Cpu, UnitError> {
    match unit {
        "m" => Ok(Cpu(value as u64)),
        "" => Ok(Cpu((value * 1000.0) as u64)),
        _ => Err(UnitError { message: format!("`{text}` is not a CPU amount"), hint: "write millicores like `500m`, or cores like `2`".into() }),
    }
}

/// The type names a function parameter may declare (`list` takes an element type: `list[string]`).
pub const PARAM_TYPES: &[&str] = &[
    "string", "number", "int", "bool", "duration", "bytes", "cpu", "port", "address", "secret", "query", "list", "record",
    "panel", "block", "symbol", "any",
];

/// Check a function argument against its declared parameter type. `None` when it fits.
/// Unknown type names are reported at the declaration and accept anything here.
pub fn check_param(ty: &TypeExpr, v: &Val) -> Option<String> {
    if matches!(v, Val::Error) {
        return None;
    }
    let name = ty.name.name.as_str();
    let ok = match name {
        "any" => true,
        "string" => matches!(v, Val::Str(_)),
        "number" => matches!(v, Val::Num(_)),
        "int" => matches!(v, Val::Num(n) if n.fract() == 0.0),
        "bool" => matches!(v, Val::Bool(_)),
        "duration" => matches!(v, Val::Qty { value, unit, text } if duration(*value, unit, text).is_ok()),
        "bytes" => matches!(v, Val::Qty { value, unit, text } if bytes(*value, unit, text).is_ok()),
        "cpu" => matches!(v, Val::Qty { unit, .. } if unit == "m") || matches!(v, Val::Num(_)),
        "port" => matches!(v, Val::Num(n) if n.fract() == 0.0 && *n >= 1.0 && *n <= 65535.0),
        "address" => matches!(v, Val::Addr(_)),
        "secret" => matches!(v, Val::Secret(_)),
        "query" => matches!(v, Val::Query(_)),
        "list" => match v {
            Val::List(xs) => match ty.args.first() {
                Some(inner) => return xs.iter().find_map(|x| check_param(inner, &x.val)).map(|m| format!("in list: {m}")),
                None => true,
            },
            _ => false,
        },
        "record" => matches!(v, Val::Block(b) if b.kind.is_none()),
        "panel" | "block" => matches!(v, Val::Block(b) if b.kind.is_some()),
        "symbol" => matches!(v, Val::Sym(_)),
        _ => true,
    };
    if ok {
        None
    } else {
        Some(format!("expected {}, found {}", show_type(ty), v.type_name()))
    }
}

fn show_type(t: &TypeExpr) -> String {
    if t.args.is_empty() {
        t.name.name.clone()
    } else {
        format!("{}[{}]", t.name.name, t.args.iter().map(show_type).collect::<Vec<_>>().join(", "))
    }
}

/// Format a number without a trailing `.0` for whole numbers.
pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
