//! POSIX shell quoting for commands gstackc prints or writes (bash where noted).

/// `s` as one shell word: as is when it holds only safe characters, else in single quotes;
/// with control characters (which a comment line or a single-quoted word cannot carry on one
/// line) as a bash `$'…'` word.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b))
    {
        return s.to_string();
    }
    if !s.chars().any(char::is_control) {
        return format!("'{}'", s.replace('\'', "'\\''"));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => super::push_hex(c, &mut out),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `s` if it is an environment variable name.
pub fn env_name(s: &str) -> Option<&str> {
    let mut b = s.bytes();
    let first = b.next()?;
    ((first.is_ascii_alphabetic() || first == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_'))
    .then_some(s)
}
