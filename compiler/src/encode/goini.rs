//! `grafana.ini` as Grafana reads it: go-ini (`gopkg.in/ini.v1`) with default options
//! (`ini.Load` in Grafana's `pkg/setting/setting.go`), then Grafana's expanders
//! (`pkg/setting/expanders.go`).
//!
//! go-ini's parser (`parser.go`), default options: a line is a comment when it starts with `#`
//! or `;`; `[name]` opens a section (up to the *last* `]`); a key ends at the first `=` or
//! `:`. An unquoted value is trimmed, cut at the first `#` or `;` (an inline comment),
//! continued on the next line when it ends with `\`, and loses one pair of surrounding `"` or
//! `'`. A value starting with `"""` runs to the last `"""` of the line (to a later line if
//! there is none) and is taken exactly. So values that unquoted would change are written
//! `"""value"""`; no quoting carries a newline or other control character on one line, so
//! those are refused, as are keys and section names go-ini would split or misread.
//!
//! Grafana then replaces `${VAR}` and `$__<name>{…}` (regex `\$(|__\w+){([^}]+)}`) in every
//! value, with no escape: a source value that contains one is refused.

use super::{no_control, Refusal};

const FILE: &str = "grafana.ini";

/// Would Grafana's expanders replace part of `s`?
pub fn expands(s: &str) -> bool {
    let b = s.as_bytes();
    for (i, _) in s.match_indices('$') {
        let mut j = i + 1;
        if b.get(j..j + 2) == Some(b"__") {
            j += 2;
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j == start {
                continue;
            }
        }
        if b.get(j) == Some(&b'{') {
            if let Some(close) = s[j + 1..].find('}') {
                if close > 0 {
                    return true;
                }
            }
        }
    }
    false
}

/// A value as go-ini reads back exactly `v`: as is when that already holds, else `"""v"""`.
/// `field` names it in a refusal.
pub fn value(field: &str, v: &str) -> Result<String, Refusal> {
    no_control(FILE, field, v)?;
    let changes = v.contains(['#', ';'])
        || v.ends_with('\\')
        || v.trim() != v
        || v.starts_with(['"', '\'', '`'])
        || v.ends_with(['"', '\'']);
    Ok(if changes {
        format!("\"\"\"{v}\"\"\"")
    } else {
        v.to_string()
    })
}

/// A source value (no intended references): refused when Grafana would expand part of it.
pub fn plain_value(field: &str, v: &str) -> Result<String, Refusal> {
    if expands(v) {
        return Err(Refusal::new(FILE, field, v, "Grafana expands `${…}` and `$__name{…}` in grafana.ini values and has no escape for them"));
    }
    value(field, v)
}

/// A key: go-ini ends it at `=` or `:` and reads special first characters.
pub fn key(field: &str, k: &str) -> Result<String, Refusal> {
    no_control(FILE, field, k)?;
    let bad = k.is_empty()
        || k == "-"
        || k.trim() != k
        || k.contains(['=', ':'])
        || k.starts_with(['#', ';', '[', '"', '`']);
    if bad {
        return Err(Refusal::new(FILE, field, k, "not a key go-ini reads back (empty, `-`, surrounding spaces, `=`, `:`, or a leading `#`, `;`, `[`, quote)"));
    }
    Ok(k.to_string())
}

/// A section name, written `[name]`.
pub fn section(field: &str, s: &str) -> Result<String, Refusal> {
    no_control(FILE, field, s)?;
    if s.trim() != s || s.contains([']', '[', '#', ';']) {
        return Err(Refusal::new(
            FILE,
            field,
            s,
            "not a section name go-ini reads back (`[`, `]`, `#`, `;` or surrounding spaces)",
        ));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn expanders() {
        assert!(expands("$__file{/etc/passwd}"));
        assert!(expands("a${X}b"));
        assert!(!expands("$HOME"));
        assert!(!expands("${}"));
        assert!(!expands("cost $5"));
    }
    #[test]
    fn values() {
        assert_eq!(value("x", "http://a/b").unwrap(), "http://a/b");
        assert_eq!(value("x", "a # b").unwrap(), "\"\"\"a # b\"\"\"");
        assert_eq!(value("x", "a\\").unwrap(), "\"\"\"a\\\"\"\"");
        assert!(value("x", "a\nb").is_err());
    }
}
