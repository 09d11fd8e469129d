//! Unit-file encoders, after systemd.syntax(7) (lines, `\` continuation, comments),
//! systemd.unit(5) (specifiers: `%%` is a literal `%`) and the command-line and assignment
//! quoting of systemd.service(5) / systemd.exec(5): words split at whitespace, double quotes
//! group, C-style escapes (`\n`, `\"`, `\\`, `\xNN`) are decoded, and in `ExecStart=` `$VAR`
//! / `${VAR}` are expanded and `$$` is a literal `$`.
//!
//! Text passed around here is either *source* text (what the user wrote) or *spec* text,
//! where `%` already means a specifier (built by the emitter, e.g. `%t/gstack-x`); [`pct`]
//! turns the first into the second.

use super::{gstack_ref_at, no_control, Refusal};

/// Source text as spec text: every `%` is a literal `%`.
pub fn pct(s: &str) -> String {
    s.replace('%', "%%")
}

/// C-style escaping of one character inside a quoted word or assignment; `None` for NUL
/// (systemd's unescaping refuses `\x00`).
fn c_escape(c: char, out: &mut String) -> bool {
    match c {
        '\0' => return false,
        '\\' => out.push_str("\\\\"),
        '"' => out.push_str("\\\""),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => super::push_hex(c, out),
        c => out.push(c),
    }
    true
}

/// Does a word need double quotes to stay one word with these exact characters?
fn needs_quotes(s: &str) -> bool {
    s.is_empty()
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '\\' | ';'))
}

fn quoted(
    file: &str,
    field: &str,
    source: &str,
    s: &str,
    dollars: bool,
) -> Result<String, Refusal> {
    let quote = needs_quotes(s);
    let mut body = String::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().unwrap();
        if dollars && c == '$' {
            if let Some(n) = gstack_ref_at(s, i) {
                body.push_str(&s[i..i + n]);
                i += n;
                continue;
            }
            body.push_str("$$");
        } else if !quote {
            body.push(c);
        } else if !c_escape(c, &mut body) {
            return Err(Refusal::new(
                file,
                field,
                source,
                "it contains a NUL character, which systemd cannot represent",
            ));
        }
        i += c.len_utf8();
    }
    Ok(if quote { format!("\"{body}\"") } else { body })
}

/// One word of an `ExecStart=`-style command line, from spec text: the program sees exactly
/// `s` (specifiers aside). `$` becomes `$$` except in `${GSTACK_…}` references.
pub fn exec_word(file: &str, field: &str, source: &str, spec: &str) -> Result<String, Refusal> {
    quoted(file, field, source, spec, true)
}

/// An argument of `ExecStart=` from source text.
pub fn exec_arg(file: &str, field: &str, source: &str) -> Result<String, Refusal> {
    exec_word(file, field, source, &pct(source))
}

/// The value of `Environment=`: the whole `K=V` one (quoted if needed) assignment; `value`
/// is spec text (no `$` expansion happens in `Environment=`).
pub fn environment(
    file: &str,
    field: &str,
    key: &str,
    source: &str,
    value: &str,
) -> Result<String, Refusal> {
    quoted(file, field, source, &format!("{key}={value}"), false)
}

/// A setting value that cannot be quoted (`Description=`, `LoadCredential=`'s path): the
/// rest of the line, specifiers expanded, surrounding whitespace dropped. Control characters
/// and a trailing `\` (a line continuation) cannot be represented; `%` is doubled.
pub fn raw_value(file: &str, field: &str, source: &str) -> Result<String, Refusal> {
    no_control(file, field, source)?;
    if source.ends_with('\\') {
        return Err(Refusal::new(
            file,
            field,
            source,
            "it ends with `\\`, which continues the line in a unit file",
        ));
    }
    if source.trim() != source {
        return Err(Refusal::new(
            file,
            field,
            source,
            "systemd drops leading and trailing whitespace of a setting",
        ));
    }
    Ok(pct(source))
}

/// A path in a space-separated path list (`ReadWritePaths=`), which systemd unquotes and
/// unescapes like a command-line word; control characters are refused.
pub fn path_word(file: &str, field: &str, source: &str) -> Result<String, Refusal> {
    no_control(file, field, source)?;
    quoted(file, field, source, &pct(source), false)
}

/// One side of a `BindReadOnlyPaths=SRC:DST` pair, from spec text built around `source`:
/// systemd splits the pair at `:` and the list at whitespace, and unquotes and unescapes
/// each part, so a source holding whitespace, a control character, `:`, a quote or `\\` is
/// refused rather than escaped.
pub fn bind_path(file: &str, field: &str, source: &str, spec: &str) -> Result<String, Refusal> {
    no_control(file, field, source)?;
    if source.chars().any(|c| c.is_whitespace() || matches!(c, ':' | '"' | '\'' | '\\')) {
        return Err(Refusal::new(
            file,
            field,
            source,
            "a bind-mounted path may not hold whitespace, `:`, quotes or `\\`",
        ));
    }
    Ok(spec.to_string())
}

/// A credential name (`LoadCredential=ID:…`), also a file name in shell commands: letters,
/// digits, `.`, `_`, `-` only.
pub fn credential_id(file: &str, field: &str, source: &str) -> Result<String, Refusal> {
    if !source.is_empty()
        && source
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        Ok(source.to_string())
    } else {
        Err(Refusal::new(
            file,
            field,
            source,
            "a credential name may hold only letters, digits, `.`, `_` and `-`",
        ))
    }
}

/// An environment variable name used in a generated shell command.
pub fn env_name(file: &str, field: &str, source: &str) -> Result<String, Refusal> {
    super::shell::env_name(source)
        .map(str::to_string)
        .ok_or_else(|| {
            Refusal::new(
                file,
                field,
                source,
                "not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn words() {
        let w = |s: &str| exec_arg("f", "x", s).unwrap();
        assert_eq!(w("--a=b"), "--a=b");
        assert_eq!(w("a b"), "\"a b\"");
        assert_eq!(w("${GSTACK_CONFIG}/x"), "${GSTACK_CONFIG}/x");
        assert_eq!(w("$HOME%i"), "$$HOME%%i");
        assert_eq!(w("a\nb\\"), "\"a\\nb\\\\\"");
        assert!(exec_arg("f", "x", "a\0").is_err());
        assert_eq!(bind_path("f", "x", "shop", "%E/gstack/shop").unwrap(), "%E/gstack/shop");
        for bad in ["a:b", "a b", "a\\b", "a\"b", "a\nb"] {
            assert!(bind_path("f", "x", bad, bad).is_err(), "{bad:?}");
        }
    }
}
