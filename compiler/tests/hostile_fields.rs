//! Issue #14, the breadth: every string-typed field of the schema × every target. The fixture
//! `tests/hostile/all-fields.gstack` sets each such field to a benign value of its own on a
//! line tagged `// @<schema>.<field>`, with every target block. For each tagged literal, each
//! hostile value (newlines, quotes, `$`, `%`, `\`, `{{`, `#`, `;`, backticks, NUL, bidi
//! controls, very long) replaces it, and the stack is compiled in-process: either the checker
//! or an emitter refuses it (a diagnostic at the literal, or a refusal naming a field), or
//! every written file, read back the way its program reads it (YAML, JSON, go-ini, systemd's
//! unit syntax with word splitting and specifiers, a POSIX shell lexer, Helm's template
//! actions, and the `$` expansion of compose, the kubelet, Grafana's provisioning, Loki's and
//! Tempo's envsubst and Prometheus' external labels), is the benign build's tree with the
//! benign value replaced by the hostile one. Anything else is an injection.
//!
//! The real readers themselves run in `injection.rs`; this test is the breadth.

mod common;
use common::*;
use gstack::sema::schema::{every_schema, Ty};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

const FIXTURE: &str = include_str!("hostile/all-fields.gstack");

/// Fields no tagged line can cover, each with its reason.
const UNCOVERED: &[(&str, &str)] = &[];

/// Known injections left for later: (field, value), each reported on issue #14 (none now).
const KNOWN_INJECTIONS: &[(&str, &str)] = &[];

fn hostile_values() -> Vec<(&'static str, String)> {
    vec![
        ("newline", "a\nb = c\n[s]".to_string()),
        ("quotes", "x\"y'z".to_string()),
        ("dollar", "$HOME ${X} $(id) `id` $$ $__file{/etc/passwd}".to_string()),
        ("percent", "100% %n %% back\\".to_string()),
        ("backslash", "back\\".to_string()),
        ("template", "{{ .Values.x }}".to_string()),
        ("comment", "# ; [s]".to_string()),
        ("nul", "a\u{0}b".to_string()),
        ("bidi", "\u{202e}bidi\u{2066}".to_string()),
        ("spaces", " lead and trail ".to_string()),
        ("long", "z'\"$%{{\\".repeat(1366)),
    ]
}

/// A tagged literal of the fixture.
#[derive(Clone, Debug)]
struct Slot {
    tag: String,
    /// Byte range of the literal, quotes included.
    start: usize,
    end: usize,
    value: String,
}

fn slots(src: &str) -> Vec<Slot> {
    let mut out = vec![];
    let mut off = 0;
    for line in src.split_inclusive('\n') {
        if let Some(c) = line.find("// @").filter(|_| !line.trim_start().starts_with("//")) {
            let tag = line[c + 4..].trim().to_string();
            let q = line[..c].find('"').unwrap_or_else(|| panic!("no literal on the line of @{tag}"));
            let mut value = String::new();
            let mut it = line[q + 1..].char_indices();
            let end = loop {
                let (i, ch) = it.next().unwrap_or_else(|| panic!("unterminated literal at @{tag}"));
                match ch {
                    '"' => break q + 1 + i + 1,
                    '\\' => match it.next().unwrap().1 {
                        'n' => value.push('\n'),
                        't' => value.push('\t'),
                        o => value.push(o),
                    },
                    o => value.push(o),
                }
            };
            out.push(Slot { tag, start: off + q, end: off + end, value });
        }
        off += line.len();
    }
    out
}

/// Every string-typed field path of the schema, `<schema>.<field>`, plus the freeform
/// `settings` blocks.
fn string_fields() -> Vec<String> {
    fn stringy(t: &Ty) -> bool {
        match t {
            Ty::Str | Ty::Word | Ty::StrMap | Ty::StrOrSecret => true,
            Ty::ListOf(i) => stringy(i),
            _ => false,
        }
    }
    let mut out = vec![];
    for s in every_schema() {
        for f in s.fields {
            if stringy(&f.ty) {
                out.push(format!("{}.{}", s.name, f.name));
            }
        }
        if s.settings {
            out.push(format!("{}.settings", s.name));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn the_fixture_covers_every_string_field() {
    let tags: Vec<String> = slots(FIXTURE).into_iter().map(|s| s.tag).collect();
    let missing: Vec<String> = string_fields()
        .into_iter()
        .filter(|f| !tags.contains(f) && !UNCOVERED.iter().any(|(u, _)| u == f))
        .collect();
    assert!(missing.is_empty(), "string fields without a `// @<schema>.<field>` line in tests/hostile/all-fields.gstack: {missing:?}");
    let values: Vec<String> = slots(FIXTURE).into_iter().map(|s| s.value).collect();
    for (i, v) in values.iter().enumerate() {
        assert!(!values[..i].contains(v), "the benign value {v:?} is not unique in the fixture");
    }
}

// ---------------------------------------------------------------- compiling

enum Built {
    Files(BTreeMap<String, String>),
    /// Refused: by the checker (with the diagnostics' codes) or by an emitter.
    Refused { at_value: bool, text: String },
}

fn compile(src: &str, span: Option<(usize, usize)>) -> Built {
    let mut db = gstack::db::Database::default();
    let root = db.set_file(Path::new("/hostile/all-fields.gstack"), src.to_string());
    let checked = gstack::sema::check::check_stack(&db, root);
    if checked.has_errors() {
        let errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.is_error()).collect();
        let at_value = span.is_some_and(|(a, b)| {
            errors.iter().any(|d| d.location.as_ref().is_some_and(|l| (l.span.start as usize) < b && (l.span.end as usize) > a))
        });
        let text = errors.iter().map(|d| format!("{} {} @{:?}", d.code, d.message, d.location.as_ref().map(|l| l.span))).collect::<Vec<_>>().join("\n");
        return Built::Refused { at_value, text };
    }
    let stack = checked.stack.as_ref().expect("no errors, a stack");
    match gstack::targets::render(stack, None) {
        Ok(outs) => Built::Files(outs.into_iter().map(|o| (o.path, o.content)).collect()),
        // an emitter's refusal names the field and the file
        Err(e) => Built::Refused { at_value: !e.refusals.is_empty(), text: e.to_string() },
    }
}

// ---------------------------------------------------------------- readers

/// Marks an expansion the reader would do: such a tree never equals the expected one.
fn expanded(s: &str) -> String {
    format!("\u{1}EXPANDED[{s}]")
}

/// docker compose's interpolation: `$$` is `$`, `$NAME` and `${…}` expand.
fn compose_interp(s: &str) -> String {
    let b: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == '$' {
            match b.get(i + 1) {
                Some('$') => {
                    out.push('$');
                    i += 2;
                    continue;
                }
                Some(c) if *c == '{' || *c == '_' || c.is_ascii_alphabetic() => return expanded(s),
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// drone/envsubst as Loki and Tempo run it (`-config.expand-env`): `${…}` expands, and `$$`
/// and `\` escapes are rewritten; a lone `$NAME` stays (injection.rs shows it).
fn envsubst(s: &str) -> String {
    if s.contains("${") || s.contains("$$") {
        expanded(s)
    } else {
        s.to_string()
    }
}

/// Go's `os.Expand` as Prometheus applies it to external label values: `$$` is `$`,
/// `$NAME` and `${NAME}` expand.
fn os_expand(s: &str) -> String {
    compose_interp(s)
}

/// The kubelet's `$(NAME)` expansion of command, args and env values: `$$` is `$`; a
/// `$(NAME)` (defined or not) is marked.
fn kubelet(s: &str) -> String {
    let marked = kubelet_expand(s, &[]);
    // kubelet_expand leaves an undefined `$(NAME)` as written: mark any left
    if marked.contains("$(") && !s.contains("$$(") {
        return expanded(s);
    }
    marked
}

/// systemd specifiers, leniently: `%%` is `%`, any other specifier is marked.
fn sd_specifiers(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '%' {
            match it.next() {
                Some('%') => out.push('%'),
                _ => return expanded(s),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Exec lines: `$$` is `$`; `$NAME`/`${NAME}` expand (the generated `${GSTACK_…}` ones are
/// kept as written, marked the same in both builds).
fn sd_dollars(s: &str) -> String {
    let b: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == '$' {
            match b.get(i + 1) {
                Some('$') => {
                    out.push('$');
                    i += 2;
                    continue;
                }
                Some(c) if *c == '{' || *c == '_' || c.is_ascii_alphabetic() => {
                    let rest: String = b[i..].iter().collect();
                    if !rest.starts_with("${GSTACK_") && !rest.starts_with("${CREDENTIALS_DIRECTORY") && !rest.starts_with("${STATE_DIRECTORY") {
                        return expanded(s);
                    }
                    out.push_str("\u{1}VAR");
                }
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Word splitting without panics (an unterminated quote or a trailing `\` is marked).
fn sd_split(s: &str) -> Value {
    match std::panic::catch_unwind(|| sd_words(s)) {
        Ok(w) => json!(w),
        Err(_) => json!(expanded(s)),
    }
}

fn unit_tree(text: &str) -> Value {
    let settings = match std::panic::catch_unwind(|| unit_settings(text)) {
        Ok(s) => s,
        Err(_) => return json!(expanded(text)),
    };
    let mut out = vec![];
    for (sec, k, v) in settings {
        let v = if k.starts_with("Exec") {
            match sd_split(&sd_specifiers(&v)) {
                Value::Array(ws) => json!(ws.iter().map(|w| sd_dollars(w.as_str().unwrap())).collect::<Vec<_>>()),
                o => o,
            }
        } else if ["Environment", "ReadWritePaths", "ReadOnlyPaths"].contains(&k.as_str()) {
            sd_split(&sd_specifiers(&v))
        } else {
            json!(sd_specifiers(&v))
        };
        out.push(json!([sec, k, v]));
    }
    json!(out)
}

/// Grafana's `grafana.ini`: go-ini, then Grafana's own expansion of `$__env{…}`, `$__file{…}`
/// and `${…}` in values.
fn ini_tree(text: &str) -> Value {
    let items = match std::panic::catch_unwind(|| go_ini(text)) {
        Ok(i) => i,
        Err(_) => return json!(expanded(text)),
    };
    json!(items
        .into_iter()
        .map(|(s, k, v)| {
            let v = if v.contains("${") || v.contains("$__") { format!("\u{1}GRAFANA_EXPANDS[{v}]") } else { v };
            json!([s, k, v])
        })
        .collect::<Vec<_>>())
}

/// A POSIX shell lexer (bash's quoting): words, with `'…'`, `"…"`, `$'…'` and `\` removed;
/// expansions (`$…`, `` `…` ``) kept marked; operators and newlines as tokens; comments
/// dropped.
fn shell_tree(text: &str) -> Value {
    let b: Vec<char> = text.chars().collect();
    let mut toks: Vec<String> = vec![];
    let mut cur: Option<String> = None;
    let mut i = 0;
    fn expansion(b: &[char], i: usize) -> Option<usize> {
        // the end of an expansion starting at b[i] == '$'
        match b.get(i + 1)? {
            '{' | '(' => {
                let (open, close) = if b[i + 1] == '{' { ('{', '}') } else { ('(', ')') };
                let mut depth = 0;
                let mut j = i + 1;
                let mut q: Option<char> = None;
                while j < b.len() {
                    let c = b[j];
                    match q {
                        Some(x) if c == x => q = None,
                        Some('"') if c == '\\' => j += 1,
                        Some(_) => {}
                        None if c == '\'' || c == '"' => q = Some(c),
                        None if c == '\\' => j += 1,
                        None if c == open => depth += 1,
                        None if c == close => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(j + 1);
                            }
                        }
                        None => {}
                    }
                    j += 1;
                }
                Some(b.len())
            }
            c if c.is_ascii_alphabetic() || *c == '_' => {
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == '_') {
                    j += 1;
                }
                Some(j)
            }
            c if c.is_ascii_digit() || "@*#?$!-".contains(*c) => Some(i + 2),
            _ => None,
        }
    }
    // a command substitution is itself lexed
    fn subst(e: &[char], subs: &mut Vec<Value>) -> String {
        if e.len() >= 3 && e[1] == '(' && e[e.len() - 1] == ')' {
            let inner: String = e[2..e.len() - 1].iter().collect();
            subs.push(shell_tree(&inner));
            "$(\u{1}SUB)".to_string()
        } else {
            e.iter().collect()
        }
    }
    let mut subs = vec![];
    while i < b.len() {
        let c = b[i];
        match c {
            ' ' | '\t' => {
                toks.extend(cur.take());
                i += 1;
            }
            '\n' => {
                toks.extend(cur.take());
                toks.push("\u{1}NL".into());
                i += 1;
            }
            '#' if cur.is_none() => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            ';' | '&' | '|' | '(' | ')' | '<' | '>' => {
                toks.extend(cur.take());
                let mut op = c.to_string();
                if b.get(i + 1).is_some_and(|n| "&|;<>".contains(*n)) {
                    op.push(b[i + 1]);
                    i += 1;
                }
                toks.push(format!("\u{1}OP{op}"));
                i += 1;
            }
            '\\' => {
                if b.get(i + 1) == Some(&'\n') {
                    i += 2;
                } else {
                    cur.get_or_insert_with(String::new).extend(b.get(i + 1));
                    i += 2;
                }
            }
            '\'' => {
                let w = cur.get_or_insert_with(String::new);
                i += 1;
                while i < b.len() && b[i] != '\'' {
                    w.push(b[i]);
                    i += 1;
                }
                if i >= b.len() {
                    return json!(expanded("unterminated '"));
                }
                i += 1;
            }
            '$' if b.get(i + 1) == Some(&'\'') => {
                let w = cur.get_or_insert_with(String::new);
                i += 2;
                while i < b.len() && b[i] != '\'' {
                    if b[i] == '\\' && i + 1 < b.len() {
                        i += 1;
                        match b[i] {
                            'n' => w.push('\n'),
                            't' => w.push('\t'),
                            'r' => w.push('\r'),
                            'a' => w.push('\u{7}'),
                            'b' => w.push('\u{8}'),
                            'e' | 'E' => w.push('\u{1b}'),
                            'f' => w.push('\u{c}'),
                            'v' => w.push('\u{b}'),
                            'x' => {
                                let mut h = String::new();
                                while h.len() < 2 && i + 1 < b.len() && b[i + 1].is_ascii_hexdigit() {
                                    i += 1;
                                    h.push(b[i]);
                                }
                                w.push(char::from_u32(u32::from_str_radix(&h, 16).unwrap_or(0)).unwrap());
                            }
                            'u' | 'U' => {
                                let max = if b[i] == 'u' { 4 } else { 8 };
                                let mut h = String::new();
                                while h.len() < max && i + 1 < b.len() && b[i + 1].is_ascii_hexdigit() {
                                    i += 1;
                                    h.push(b[i]);
                                }
                                w.push(char::from_u32(u32::from_str_radix(&h, 16).unwrap_or(0xfffd)).unwrap_or('\u{fffd}'));
                            }
                            d @ '0'..='7' => {
                                let mut o = d.to_string();
                                while o.len() < 3 && i + 1 < b.len() && ('0'..='7').contains(&b[i + 1]) {
                                    i += 1;
                                    o.push(b[i]);
                                }
                                w.push(char::from_u32(u32::from_str_radix(&o, 8).unwrap()).unwrap());
                            }
                            o => w.push(o),
                        }
                    } else {
                        w.push(b[i]);
                    }
                    i += 1;
                }
                if i >= b.len() {
                    return json!(expanded("unterminated $'"));
                }
                i += 1;
            }
            '"' => {
                cur.get_or_insert_with(String::new);
                i += 1;
                loop {
                    if i >= b.len() {
                        return json!(expanded("unterminated \""));
                    }
                    let c = b[i];
                    if c == '"' {
                        i += 1;
                        break;
                    }
                    let w = cur.as_mut().unwrap();
                    if c == '\\' && i + 1 < b.len() {
                        let n = b[i + 1];
                        if "$`\"\\\n".contains(n) {
                            if n != '\n' {
                                w.push(n);
                            }
                        } else {
                            w.push('\\');
                            w.push(n);
                        }
                        i += 2;
                    } else if c == '$' {
                        match expansion(&b, i) {
                            Some(e) => {
                                let t = subst(&b[i..e], &mut subs);
                                w.push_str(&format!("\u{1}EXP[{t}]"));
                                i = e;
                            }
                            None => {
                                w.push('$');
                                i += 1;
                            }
                        }
                    } else if c == '`' {
                        return json!(expanded("backtick in a double-quoted word"));
                    } else {
                        w.push(c);
                        i += 1;
                    }
                }
            }
            '$' => match expansion(&b, i) {
                Some(e) => {
                    let t = subst(&b[i..e], &mut subs);
                    cur.get_or_insert_with(String::new).push_str(&format!("\u{1}EXP[{t}]"));
                    i = e;
                }
                None => {
                    cur.get_or_insert_with(String::new).push('$');
                    i += 1;
                }
            },
            '`' => return json!(expanded("backtick")),
            c => {
                cur.get_or_insert_with(String::new).push(c);
                i += 1;
            }
        }
    }
    toks.extend(cur.take());
    // the script of `sh -c` / `bash -c` is itself lexed
    let toks: Vec<Value> = toks
        .iter()
        .enumerate()
        .map(|(i, t)| if (i > 0 && toks[i - 1] == "-c") || t.contains(" && ") { json!({ "script": shell_tree(t) }) } else { json!(t) })
        .collect();
    if subs.is_empty() { json!(toks) } else { json!({ "words": toks, "substitutions": subs }) }
}

/// Go's text/template literal actions (`{{"…"}}`, `` {{`…`}} ``) as their text; `Err` with
/// the other actions.
/// Where a template action that starts `a` (just after its `{{`) ends: the byte offset of the
/// first `}}` outside a raw (`` ` ``) or quoted (`"`) string, as Go's text/template lexes it.
fn action_end(a: &str) -> Option<usize> {
    let bytes = a.as_bytes();
    let mut j = 0;
    let mut q: Option<u8> = None;
    while j + 1 < bytes.len() {
        let c = bytes[j];
        match q {
            Some(b'`') if c == b'`' => q = None,
            Some(b'"') if c == b'\\' => j += 1,
            Some(b'"') if c == b'"' => q = None,
            Some(_) => {}
            None if c == b'`' || c == b'"' => q = Some(c),
            None if c == b'}' && bytes[j + 1] == b'}' => return Some(j),
            None => {}
        }
        j += 1;
    }
    None
}

fn go_template(text: &str) -> Result<String, Vec<String>> {
    let mut out = String::new();
    let mut actions = vec![];
    let mut rest = text;
    while let Some(p) = rest.find("{{") {
        out.push_str(&rest[..p]);
        let a = &rest[p + 2..];
        let Some(end) = action_end(a) else {
            return Err(vec!["unterminated template action".into()]);
        };
        let body = a[..end].trim_start_matches('-').trim_end_matches('-').trim();
        rest = &a[end + 2..];
        if let Some(lit) = body.strip_prefix('`').and_then(|b| b.strip_suffix('`')).filter(|l| !l.contains('`')) {
            out.push_str(lit);
        } else if let Some(s) = (body.starts_with('"') && body.ends_with('"') && body.len() >= 2).then(|| serde_json::from_str::<String>(body).ok()).flatten() {
            out.push_str(&s);
        } else {
            actions.push(body.to_string());
        }
    }
    out.push_str(rest);
    if actions.is_empty() { Ok(out) } else { Err(actions) }
}

/// A Nix expression's tokens: strings (`"…"` with `\` escapes, `''…''`) as their text, an
/// interpolation `${…}` marked; everything else split at whitespace.
fn nix_tree(text: &str) -> Value {
    let b: Vec<char> = text.chars().collect();
    let mut toks: Vec<String> = vec![];
    let mut i = 0;
    let mut word = String::new();
    while i < b.len() {
        let c = b[i];
        if c == '"' || (c == '\'' && b.get(i + 1) == Some(&'\'')) {
            toks.push(std::mem::take(&mut word));
            let mut s = String::from("\u{1}STR");
            let indented = c == '\'';
            i += if indented { 2 } else { 1 };
            loop {
                if i >= b.len() {
                    return json!(expanded("unterminated nix string"));
                }
                if !indented && b[i] == '"' {
                    i += 1;
                    break;
                }
                if indented && b[i] == '\'' && b.get(i + 1) == Some(&'\'') {
                    match b.get(i + 2) {
                        Some('\'') => s.push_str("''"),
                        Some('$') => s.push('$'),
                        Some('\\') => {
                            s.push(*b.get(i + 3).unwrap_or(&' '));
                            i += 1;
                        }
                        _ => {
                            i += 2;
                            break;
                        }
                    }
                    i += 3;
                    continue;
                }
                if !indented && b[i] == '\\' && i + 1 < b.len() {
                    s.push(match b[i + 1] {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        o => o,
                    });
                    i += 2;
                    continue;
                }
                if b[i] == '$' && b.get(i + 1) == Some(&'{') {
                    return json!(expanded("nix interpolation"));
                }
                s.push(b[i]);
                i += 1;
            }
            toks.push(s);
        } else if c == '#' {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c.is_whitespace() {
            toks.push(std::mem::take(&mut word));
            i += 1;
        } else {
            word.push(c);
            i += 1;
        }
    }
    toks.push(word);
    json!(toks.into_iter().filter(|t| !t.is_empty()).collect::<Vec<_>>())
}

/// A Helm template as Helm renders it: literal actions (`` {{`…`}} ``, `{{"…"}}`) are their
/// text; `.Release.Namespace` is a fixed name; every other action is kept in a list (the
/// template's structure) and removed (`{{ . | toJson }}` becomes `null`); the rest is YAML.
fn helm_tree(text: &str, path: &str) -> Value {
    let mut out = String::new();
    let mut actions = vec![];
    let mut rest = text;
    while let Some(p) = rest.find("{{") {
        out.push_str(&rest[..p]);
        let a = &rest[p + 2..];
        // the action's end: `}}` outside a raw or quoted string
        let Some(end) = action_end(a) else {
            return json!(expanded("unterminated template action"));
        };
        let body = a[..end].trim_start_matches('-').trim_end_matches('-').trim();
        rest = &a[end + 2..];
        if let Some(lit) = body.strip_prefix('`').and_then(|b| b.strip_suffix('`')).filter(|l| !l.contains('`')) {
            out.push_str(lit);
        } else if body.starts_with('"') && body.ends_with('"') && body.len() >= 2 {
            match serde_json::from_str::<String>(body) {
                Ok(s) => out.push_str(&s),
                Err(_) => actions.push(body.to_string()),
            }
        } else if body == ".Release.Namespace | toJson" {
            out.push_str("\"zqreleasens\"");
        } else if body == ".Release.Namespace" {
            out.push_str("zqreleasens");
        } else {
            if body == ". | toJson" {
                out.push_str("null");
            }
            actions.push(body.to_string());
        }
    }
    out.push_str(rest);
    json!({ "actions": actions, "rendered": yaml_tree(&out, path) })
}

fn yaml_docs(text: &str) -> Option<Vec<Value>> {
    use serde::Deserialize;
    let mut docs = vec![];
    for d in serde_norway::Deserializer::from_str(text) {
        let v = Value::deserialize(d).ok()?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Some(docs)
}

fn yaml_tree(text: &str, path: &str) -> Value {
    match yaml_docs(text) {
        Some(docs) => {
            let mut docs = json!(docs);
            decode(&mut docs, path, &mut vec![]);
            docs
        }
        None => json!({ "unparsed": text }),
    }
}

/// The decoding the program applies to string values of the file at `path`, and nested files
/// (a ConfigMap's `data`) read by their own names.
fn decode(v: &mut Value, path: &str, keys: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            let names: Vec<String> = m.keys().cloned().collect();
            let cm_name = m.get("metadata").and_then(|md| md.get("name")).and_then(Value::as_str).map(str::to_string);
            for k in names {
                keys.push(k.clone());
                let inner = match &cm_name {
                    Some(n) if k == "data" || k == "stringData" => format!("{path}#{n}"),
                    _ => path.to_string(),
                };
                decode(m.get_mut(&k).unwrap(), &inner, keys);
                keys.pop();
            }
        }
        Value::Array(a) => {
            for x in a {
                decode(x, path, keys);
            }
        }
        Value::String(s) => {
            let key = keys.last().map(String::as_str).unwrap_or("");
            let in_k8s = path.starts_with("kubernetes/") || path.contains("/templates/");
            // a file inside a ConfigMap or Secret: read by its own reader
            if path.contains('#') && keys.iter().rev().nth(1).is_some_and(|k| k == "data" || k == "stringData") {
                let (_, cm) = path.split_once('#').unwrap();
                let prog = ["grafana", "loki", "tempo", "prometheus", "alertmanager"].iter().find(|p| cm.contains(*p)).copied().unwrap_or("");
                // a ConfigMap key stands for a path, `/` written `__`
                let key = &key.replace("__", "/");
                let inner = if key.ends_with(".ini") {
                    format!("{prog}/{key}")
                } else if prog == "grafana" && (key.ends_with(".yaml") || key.ends_with(".yml")) && !cm.contains("dashboard") {
                    format!("{prog}/provisioning/{key}")
                } else {
                    format!("{prog}/config/{prog}/{key}")
                };
                *v = tree(&inner, s);
                return;
            }
            let d = if path.starts_with("compose/docker-compose") {
                compose_interp(s)
            } else if path.contains("/provisioning/alerting/") && keys.iter().any(|k| ["annotations", "model", "templates", "muteTimes"].contains(&k.as_str())) {
                // read from `.Raw` or as plain strings (backends/grafana/alerting.rs names the
                // `values` fields of Grafana's alerting provisioning): not interpolated
                s.clone()
            } else if path.contains("/provisioning/") {
                grafana_interpolate(s)
            } else if !in_k8s && (path.ends_with("loki.yaml") || path.ends_with("tempo.yaml")) {
                envsubst(s)
            } else if path.ends_with("prometheus.yml") && keys.iter().any(|k| k == "external_labels") {
                os_expand(s)
            } else if in_k8s && (keys.iter().any(|k| k == "command" || k == "args") || (key == "value" && keys.iter().any(|k| k == "env"))) {
                kubelet(s)
            } else if path.ends_with("process-compose.yaml") && key == "command" {
                *v = match go_template(s) {
                    Ok(t) => json!({ "shell": shell_tree(&t) }),
                    Err(a) => json!(expanded(&format!("template actions {a:?}"))),
                };
                return;
            } else {
                s.clone()
            };
            *s = d;
        }
        _ => {}
    }
}

/// A written file as its program reads it.
fn tree(path: &str, content: &str) -> Value {
    let ext = path.rsplit('.').next().unwrap_or("");
    if path.contains("/templates/") && (ext == "yaml" || ext == "tpl") {
        return helm_tree(content, path);
    }
    match ext {
        "json" => match serde_json::from_str::<Value>(content) {
            Ok(mut v) => {
                decode(&mut v, path, &mut vec![]);
                v
            }
            Err(_) => json!({ "unparsed": content }),
        },
        "yaml" | "yml" => yaml_tree(content, path),
        "ini" => ini_tree(content),
        // the config files as Nix data, each in its program's own encoding (`$$` for compose
        // and Grafana, …): the strings' count and the expression's structure, not their text
        "nix" => match nix_tree(content) {
            Value::Array(t) => json!(t.iter().map(|x| if x.as_str().is_some_and(|x| x.starts_with('\u{1}')) { json!("\u{1}STR") } else { x.clone() }).collect::<Vec<_>>()),
            o => o,
        },
        "service" | "target" | "socket" | "timer" | "path" | "mount" => unit_tree(content),
        _ if content.starts_with("#!") => shell_tree(content),
        _ => json!({ "text": content }),
    }
}

fn replace_in(v: &Value, from: &str, to: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace(from, to)),
        Value::Array(a) => Value::Array(a.iter().map(|x| replace_in(x, from, to)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.replace(from, to), replace_in(x, from, to))).collect()),
        o => o.clone(),
    }
}

/// The first difference of two trees, as a path and the two values.
fn first_diff(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                // a key derived from the value (a ConfigMap key from a dashboard folder's slug)
                // (truncated, maybe: then the same value under one new key)
                fn other<'a>(k: &str, v: &Value, m: &serde_json::Map<String, Value>, n: &'a serde_json::Map<String, Value>) -> Option<&'a Value> {
                    n.iter().find(|(k2, v2)| !m.contains_key(*k2) && k2.chars().all(|c| c.is_ascii_alphanumeric() || "-/._".contains(c)) && (slug(k2) == slug(k) || *v2 == v)).map(|(_, v)| v)
                }
                let (p, q) = match (x.get(k), y.get(k)) {
                    (Some(p), None) => (Some(p), other(k, p, x, y)),
                    (None, Some(q)) if x.iter().any(|(k1, p)| !y.contains_key(k1) && (slug(k1) == slug(k) || p == q)) => continue,
                    pq => pq,
                };
                match (p, q) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_diff(p, q, &format!("{at}.{k}")) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{at}.{k}: expected {}, read {}", short(p), short(q))),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_diff(p, q, &format!("{at}[{i}]"))),
        _ if a == b => None,
        // a name derived from the value (a dashboard provider's `gstack-<folder slug>`)
        (Value::String(x), Value::String(y)) if slug(x) == slug(y) && y.chars().all(|c| c.is_ascii_alphanumeric() || "-/._<>$ ".contains(c)) => None,
        // … or its slug cut short in the middle (a name's length limit)
        (Value::String(x), Value::String(y)) if y.len() >= 20 && cut_slug(x, y) && y.chars().all(|c| c.is_ascii_alphanumeric() || "-/._<>$ ".contains(c)) => None,
        _ => Some(format!("{at}: expected {}, read {}", short(Some(a)), short(Some(b)))),
    }
}

/// `y`'s slug is `x`'s with a piece cut out.
fn cut_slug(x: &str, y: &str) -> bool {
    let (sx, sy) = (slug(x), slug(y));
    let p = sx.bytes().zip(sy.bytes()).take_while(|(a, b)| a == b).count();
    sy.len() < sx.len() && sx.ends_with(&sy[p..])
}

fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else if c == '-' { '-' } else { '-' }).collect()
}

fn short(v: Option<&Value>) -> String {
    let s = v.map_or("nothing".to_string(), |v| v.to_string());
    if s.len() > 400 {
        format!("{}…", &s[..s.char_indices().nth(400).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

fn trees(files: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    files.iter().map(|(p, c)| (p.clone(), unhash(&tree(p, c)))).collect()
}

/// Content hashes (a pod template's `gstack.dev/config-hash`) differ with any content: both
/// builds' are masked.
fn unhash(v: &Value) -> Value {
    match v {
        Value::String(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => json!("\u{1}HASH"),
        Value::Array(a) => Value::Array(a.iter().map(unhash).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), unhash(x))).collect()),
        o => o.clone(),
    }
}

/// `Some(reason)` when the hostile build is not the benign one with the value replaced.
fn injection(benign: &BTreeMap<String, Value>, slot: &Slot, hostile: &str, files: &BTreeMap<String, String>) -> Option<String> {
    let expected: BTreeMap<String, Value> = benign.iter().map(|(p, t)| (p.replace(&slot.value, hostile), replace_in(t, &slot.value, hostile))).collect();
    let got = trees(files);
    for (p, e) in &expected {
        match got.get(p) {
            // a file whose name is derived from the value (a dashboard folder's directory):
            // the same tree under another name
            None if got.iter().any(|(q, g)| !expected.contains_key(q) && g == e) => {}
            None => return Some(format!("file {p} is not written")),
            Some(g) => {
                if let Some(d) = first_diff(e, g, "") {
                    return Some(format!("{p}: {d}"));
                }
            }
        }
    }
    got.iter().find(|(p, g)| !expected.contains_key(*p) && !expected.values().any(|e| e == *g)).map(|(p, _)| format!("an extra file {p:?}"))
}

#[test]
fn hostile_values_in_every_string_field_are_refused_or_read_back_exactly() {
    let slots = slots(FIXTURE);
    let benign = match compile(FIXTURE, None) {
        Built::Files(f) => f,
        Built::Refused { text, .. } => panic!("the fixture does not build:\n{text}"),
    };
    let benign_trees = trees(&benign);
    let values = hostile_values();
    // every value for every fourth field, the core ones (a newline, quotes, `$`, `%` and `\`,
    // `{{`, very long) for the others: the whole run stays well under a minute
    const CORE: &[&str] = &["newline", "quotes", "dollar", "percent", "template", "long"];
    let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
    let names = &names;
    let jobs: Vec<(usize, usize)> = (0..slots.len())
        .flat_map(|s| (0..names.len()).filter(move |&v| s % 4 == 0 || CORE.contains(&names[v])).map(move |v| (s, v)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(vec![]);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    std::thread::scope(|sc| {
        for _ in 0..workers {
            sc.spawn(|| loop {
                let j = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(&(si, vi)) = jobs.get(j) else { break };
                let slot = &slots[si];
                let (vname, v) = &values[vi];
                let src = format!("{}{}{}", &FIXTURE[..slot.start], lit(v), &FIXTURE[slot.end..]);
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match compile(&src, Some((slot.start, slot.start + lit(v).len()))) {
                    Built::Refused { at_value: true, .. } => Ok(true),
                    Built::Refused { at_value: false, text } => Err(format!("refused, but not at the value:\n{text}")),
                    Built::Files(files) => match injection(&benign_trees, slot, v, &files) {
                        None => Ok(false),
                        Some(why) => Err(format!("INJECTION: {why}")),
                    },
                }));
                let r = r.unwrap_or_else(|_| Err("the compiler panicked".to_string()));
                results.lock().unwrap().push((slot.tag.clone(), *vname, r));
            });
        }
    });
    let results = results.into_inner().unwrap();
    let (mut refused, mut built, mut known, mut failures) = (0, 0, 0, vec![]);
    for (tag, vname, r) in &results {
        match r {
            Ok(true) => refused += 1,
            Ok(false) => built += 1,
            Err(why) if KNOWN_INJECTIONS.iter().any(|(t, v)| t == tag && v == vname) => {
                known += 1;
                eprintln!("KNOWN INJECTION: @{tag} × {vname}: {}", short(Some(&json!(why))));
            }
            Err(why) => failures.push(format!("@{tag} × {vname}: {why}")),
        }
    }
    failures.sort();
    for f in &failures {
        eprintln!("{f}\n");
    }
    println!("hostile fields: {} fields × {} values: {refused} refused, {built} built and read back exactly, {} injections ({} builds; {known} known injections allow-listed)", slots.len(), values.len(), failures.len(), results.len());
    assert!(failures.is_empty(), "{} of {} hostile builds failed (above)", failures.len(), results.len());
}
