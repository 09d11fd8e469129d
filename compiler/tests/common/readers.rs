//! Readers of generated files, as the real programs read them (issue #14): systemd's unit
//! syntax, word splitting and specifiers; go-ini as Grafana loads `grafana.ini`; Grafana's
//! provisioning interpolation; the kubelet's `$(VAR)` expansion. Shared by `injection.rs` and
//! `hostile_fields.rs`.
#![allow(dead_code)]

/// A gstack string literal holding exactly `s`.
pub fn lit(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '$' => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A unit file as systemd reads it: continuation lines joined, comments dropped, then
/// (section, key, value) with surrounding whitespace trimmed.
pub fn unit_settings(text: &str) -> Vec<(String, String, String)> {
    let mut out = vec![];
    let mut section = String::new();
    let mut pending = String::new();
    for line in text.lines() {
        let l = format!("{pending}{line}");
        if l.ends_with('\\') {
            pending = format!("{} ", &l[..l.len() - 1]);
            continue;
        }
        pending.clear();
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if t.starts_with('[') {
            section = t.trim_start_matches('[').trim_end_matches(']').to_string();
            continue;
        }
        let (k, v) = t
            .split_once('=')
            .unwrap_or_else(|| panic!("not a setting: {t:?}"));
        out.push((section.clone(), k.trim().to_string(), v.trim().to_string()));
    }
    out
}

/// Specifiers: `%%` is `%` (the tests' values use no other specifier where they are read).
pub fn specifiers(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '%' {
            match it.next() {
                Some('%') => out.push('%'),
                Some(x) => {
                    out.push('%');
                    out.push(x)
                }
                None => panic!("lone % in {s:?}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// systemd's word splitting (extract_first_word with UNQUOTE | CUNESCAPE).
pub fn sd_words(s: &str) -> Vec<String> {
    let mut words = vec![];
    let mut cur: Option<Vec<u8>> = None;
    let mut quote: Option<char> = None;
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(w) = cur.take() {
                words.push(String::from_utf8(w).unwrap());
            }
            continue;
        }
        let w = cur.get_or_insert_with(Vec::new);
        let push = |w: &mut Vec<u8>, c: char| w.extend(c.to_string().as_bytes());
        match c {
            '"' | '\'' if quote.is_none() => quote = Some(c),
            c if Some(c) == quote => quote = None,
            '\\' => match it.next().expect("trailing backslash") {
                'n' => w.push(b'\n'),
                't' => w.push(b'\t'),
                'r' => w.push(b'\r'),
                'x' => {
                    let h: String = [it.next().unwrap(), it.next().unwrap()].iter().collect();
                    w.push(u8::from_str_radix(&h, 16).unwrap());
                }
                o => push(w, o),
            },
            c => push(w, c),
        }
    }
    assert!(quote.is_none(), "unterminated quote in {s:?}");
    words.extend(cur.map(|w| String::from_utf8(w).unwrap()));
    words
}

/// `grafana.ini` as go-ini (`gopkg.in/ini.v1`, default options: `ini.Load`) reads it:
/// parser.go's comment, section, key and value rules.
pub fn go_ini(text: &str) -> Vec<(String, String, String)> {
    let lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let mut out = vec![];
    let mut section = "DEFAULT".to_string();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start().to_string();
        i += 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            let close = line.rfind(']').expect("unclosed section");
            section = line[1..close].to_string();
            continue;
        }
        let end = line.find(['=', ':']).expect("no delimiter");
        let key = line[..end].trim().to_string();
        let rest = line[end + 1..]
            .trim_start_matches(char::is_whitespace)
            .to_string();
        let value = if rest.is_empty() {
            String::new()
        } else if rest.len() > 3 && rest.starts_with("\"\"\"") || rest.starts_with('`') {
            let q = if rest.starts_with('`') { "`" } else { "\"\"\"" };
            match rest[q.len()..].rfind(q) {
                Some(p) => rest[q.len()..q.len() + p].to_string(),
                None => {
                    let mut v = rest[q.len()..].to_string();
                    loop {
                        let next = &lines[i];
                        i += 1;
                        if let Some(p) = next.rfind(q) {
                            v.push_str(&next[..p]);
                            break v;
                        }
                        v.push_str(next);
                    }
                }
            }
        } else {
            let mut l = rest.trim().to_string();
            if l.ends_with('\\') {
                // continuation
                l.pop();
                while i < lines.len() {
                    let next = lines[i].trim().to_string();
                    i += 1;
                    if next.is_empty() {
                        break;
                    }
                    l.push_str(&next);
                    if !l.ends_with('\\') {
                        break;
                    }
                    l.pop();
                }
                l
            } else {
                if let Some(c) = l.find(['#', ';']) {
                    l = l[..c].trim().to_string();
                }
                let surrounded = |q: char| {
                    l.len() >= 2
                        && l.starts_with(q)
                        && l.ends_with(q)
                        && l[1..].find(q) == Some(l.len() - 2)
                };
                if surrounded('\'') || surrounded('"') {
                    l = l[1..l.len() - 1].to_string();
                }
                l
            }
        };
        out.push((section.clone(), key, value));
    }
    out
}

/// Grafana's provisioning interpolation (`values.go` `interpolateValue`): split at `$$`,
/// expand each part (here: any `$` that would start an expansion marks it), join with `$`.
pub fn grafana_interpolate(s: &str) -> String {
    s.split("$$")
        .map(|p| {
            let b = p.as_bytes();
            let expands = b.iter().enumerate().any(|(i, &c)| {
                c == b'$'
                    && b.get(i + 1)
                        .is_some_and(|n| *n == b'{' || *n == b'_' || n.is_ascii_alphanumeric())
            });
            if expands {
                format!("<EXPANDED {p}>")
            } else {
                p.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("$")
}

/// How the kubelet expands a container's args (`expansion.Expand` in kubernetes/kubernetes'
/// `third_party/forked/golang/expansion/expand.go`): `$$` is `$`, `$(NAME)` is the variable's
/// value when it is defined (else left as written), any other `$` stays.
pub fn kubelet_expand(input: &str, env: &[(&str, &str)]) -> String {
    let b: Vec<char> = input.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == '$' && i + 1 < b.len() {
            match b[i + 1] {
                '$' => {
                    out.push('$');
                    i += 2;
                    continue;
                }
                '(' => {
                    if let Some(close) = b[i + 2..].iter().position(|c| *c == ')') {
                        let name: String = b[i + 2..i + 2 + close].iter().collect();
                        match env.iter().find(|(k, _)| *k == name) {
                            Some((_, v)) => out.push_str(v),
                            None => out.push_str(&format!("$({name})")),
                        }
                        i += close + 3;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}
