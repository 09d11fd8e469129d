//! Regular expressions in LogQL: Loki compiles them with Go's RE2, gstack with the `regex`
//! crate, after [`go_regex`] rewrites the few places where the two read the same text
//! differently. A regex with a Grafana variable in it ([`templated`]) is not judged.

use super::*;

/// Whether a matcher's value contains a Grafana variable (its value is not known here).
pub(super) fn templated(v: &str) -> bool {
    let b = v.as_bytes();
    b.windows(2).any(|w| w[0] == b'$' && (w[1] == b'{' || w[1] == b'_' || w[1].is_ascii_alphabetic())) || v.contains("[[")
}

/// `re` compiled as Loki compiles a matcher's regex (fully anchored); the error's first line.
pub(super) fn regex_error(re: &str) -> Option<String> {
    if templated(re) {
        return None;
    }
    regex::Regex::new(&format!("^(?:{})$", go_regex(re))).err().map(|e| {
        let s = e.to_string();
        s.lines().filter(|l| l.trim_start().starts_with("error:")).next().map(|l| l.trim().trim_start_matches("error:").trim().to_string()).unwrap_or_else(|| s.lines().last().unwrap_or("").trim().to_string())
    })
}

/// A Go (RE2) regex rewritten for the `regex` crate where the two read the same text
/// differently: Go takes a `{` that starts no repetition (`{"level":…}`, `a{b}`, `x{,3}`)
/// as a literal, and knows `\Q…\E` (quoted text) and `\C` (any byte); inside a class, Go
/// takes `[` (but `[:`), `&&`, `--` and `~~` literally where the crate nests or combines
/// classes. Everything else is the same syntax.
pub(super) fn go_regex(re: &str) -> String {
    let c: Vec<char> = re.chars().collect();
    let mut out = String::with_capacity(re.len() + 8);
    let mut i = 0;
    // `{n}`, `{n,}`, `{n,m}` at `i`: its length
    let repetition = |i: usize| -> Option<usize> {
        let mut j = i + 1;
        let d = |j: usize| c[j..].iter().take_while(|x| x.is_ascii_digit()).count();
        let n = d(j);
        if n == 0 {
            return None;
        }
        j += n;
        if c.get(j) == Some(&',') {
            j += 1;
            j += d(j);
        }
        (c.get(j) == Some(&'}')).then_some(j + 1 - i)
    };
    while i < c.len() {
        match c[i] {
            '\\' if c.get(i + 1) == Some(&'Q') => {
                let start = i + 2;
                let mut j = start;
                while j < c.len() && !(c[j] == '\\' && c.get(j + 1) == Some(&'E')) {
                    j += 1;
                }
                out.push_str(&regex::escape(&c[start..j].iter().collect::<String>()));
                i = (j + 2).min(c.len().max(j));
            }
            '\\' if c.get(i + 1) == Some(&'C') => {
                out.push_str("(?s:.)");
                i += 2;
            }
            '\\' => {
                out.push('\\');
                if let Some(n) = c.get(i + 1) {
                    out.push(*n);
                }
                i += 2;
            }
            '[' => {
                // a class: `[`, `^`?, a first `]` that is literal, then up to the closing `]`
                out.push('[');
                i += 1;
                if c.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if c.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
                while i < c.len() && c[i] != ']' {
                    match c[i] {
                        '\\' => {
                            out.push('\\');
                            if let Some(n) = c.get(i + 1) {
                                out.push(*n);
                            }
                            i += 2;
                            continue;
                        }
                        '[' if c.get(i + 1) == Some(&':') => {
                            // `[:alpha:]`: copied whole
                            let end = c[i..].iter().collect::<String>().find(":]").map(|e| i + e + 2);
                            match end {
                                Some(e) => {
                                    out.extend(&c[i..e]);
                                    i = e;
                                }
                                None => {
                                    out.push_str("\\[");
                                    i += 1;
                                }
                            }
                            continue;
                        }
                        '[' | '&' | '~' => {
                            out.push('\\');
                            out.push(c[i]);
                        }
                        '-' if c.get(i + 1) == Some(&'-') => out.push_str("\\-"),
                        x => out.push(x),
                    }
                    i += 1;
                }
                if i < c.len() {
                    out.push(']');
                    i += 1;
                }
            }
            '{' => match repetition(i) {
                Some(n) => {
                    out.extend(&c[i..i + n]);
                    i += n;
                }
                None => {
                    out.push_str("\\{");
                    i += 1;
                }
            },
            '}' => {
                out.push_str("\\}");
                i += 1;
            }
            x => {
                out.push(x);
                i += 1;
            }
        }
    }
    out
}

/// Whether a stream matcher matches the empty value (Loki's "empty-compatible").
pub(super) fn matches_empty(m: &Matcher) -> bool {
    if templated(&m.value) {
        return false;
    }
    let re = || regex::Regex::new(&format!("^(?:{})$", go_regex(&m.value))).map(|r| r.is_match("")).unwrap_or(false);
    match m.op {
        MatchOp::Eq => m.value.is_empty(),
        MatchOp::Neq => !m.value.is_empty(),
        MatchOp::Re => re(),
        MatchOp::Nre => !re(),
    }
}
