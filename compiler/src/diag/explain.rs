//! The text of the code table's rows: `gstackc explain CODE` and the table of
//! `docs/language.md` ([`super::codes`] holds the rows).

use super::codes::{CodeInfo, CODES};
use std::fmt::Write;

impl CodeInfo {
    /// The text of `gstackc explain CODE`: code and title, the explanation wrapped to 88
    /// columns, then the example and the files it reads, indented.
    pub fn explain(&self) -> String {
        let kind = if self.is_warning() { "warning" } else { "error" };
        let mut out = format!("{kind}[{}]: {}\n\n", self.code, self.title);
        out.push_str(&wrap(self.explanation, 88));
        if self.is_reserved() {
            out.push_str("\nThis code is reserved: no diagnostic uses it.\n");
            return out;
        }
        let (what, file) = if self.code.starts_with("E07") { ("overrides", "overrides.json") } else { ("input", "example.gstack") };
        let _ = writeln!(out, "\nAn example {what} (`{file}`):\n");
        indent(&mut out, self.example);
        for (path, text) in self.files {
            let _ = writeln!(out, "\nwith `{path}`:\n");
            indent(&mut out, text);
        }
        out
    }
}

/// The code table of `docs/language.md` (between its `<!-- codes -->` markers).
pub fn markdown() -> String {
    let mut out = String::from("| code | meaning |\n|---|---|\n");
    for c in CODES.iter() {
        let reserved = if c.is_reserved() { " (reserved)" } else { "" };
        let _ = writeln!(out, "| {} | {}{reserved} |", c.code, c.title.replace('|', "\\|"));
    }
    out
}

/// `text` broken at spaces into lines of at most `width` columns (longer words stand alone).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out.push('\n');
    out
}

fn indent(out: &mut String, text: &str) {
    for l in text.trim_end().lines() {
        if l.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {l}");
        }
    }
}

