//! Encoders: each turns a source string into the text one reader (systemd, go-ini, a shell,
//! a program's `$` expansion) reads back as exactly that string, or refuses it with a
//! [`Refusal`] when the reader has no way to represent it. Emitters call these for every
//! value that comes from the source; `gstackc build` fails on any refusal (issue #14).

pub mod dollar;
pub mod goini;
pub mod shell;
pub mod systemd;

use std::fmt;

/// A value an emitter cannot write so that its reader sees exactly the source string.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Refusal {
    /// The generated file (or kind of file) the value was going to.
    pub file: String,
    /// What the value is: the source field or the setting it fills.
    pub field: String,
    pub value: String,
    /// Why the reader cannot be given it.
    pub why: String,
}

impl Refusal {
    pub fn new(
        file: impl Into<String>,
        field: impl Into<String>,
        value: impl Into<String>,
        why: impl Into<String>,
    ) -> Refusal {
        Refusal {
            file: file.into(),
            field: field.into(),
            value: value.into(),
            why: why.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot write {} = {:?} into {}: {}",
            self.field, self.value, self.file, self.why
        )
    }
}

/// What starts a target's own variable reference in a command line: a source value that
/// reaches one may not contain it.
pub const GSTACK_REF: &str = "${GSTACK_";

/// The length of the `${GSTACK_…}` reference that starts `s` at byte `i`, if one does: the
/// targets' own run-time variables (`${GSTACK_CONFIG}`, `${GSTACK_DATA}`, …), which only the
/// emitters write. A source value holding one is refused before it gets here
/// ([`crate::sema::schema::Grammar::Path`], [`GSTACK_REF`]), so every other `$` is literal.
pub fn gstack_ref_at(s: &str, i: usize) -> Option<usize> {
    let rest = &s[i..];
    let body = rest.strip_prefix("${GSTACK_")?;
    let end = body.find('}')?;
    if end > 0
        && body[..end]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        Some("${GSTACK_".len() + end + 1)
    } else {
        None
    }
}

/// The first control character of `s` (newline, CR, NUL, tab, DEL, …), if any.
pub fn control_char(s: &str) -> Option<char> {
    s.chars().find(|c| c.is_control())
}

/// Refuse a value containing a control character (a line-based format cannot hold it).
pub fn no_control(file: &str, field: &str, value: &str) -> Result<(), Refusal> {
    match control_char(value) {
        Some(c) => Err(Refusal::new(
            file,
            field,
            value,
            format!("it contains the control character {c:?}, which this file cannot represent"),
        )),
        None => Ok(()),
    }
}

/// `\xNN` for each UTF-8 byte of `c`: the escape of a control character in a C-style
/// quoted string (bash's `$'…'`, systemd's quoted words).
pub(crate) fn push_hex(c: char, out: &mut String) {
    let mut b = [0u8; 4];
    for byte in c.encode_utf8(&mut b).bytes() {
        out.push_str(&format!("\\x{byte:02x}"));
    }
}
