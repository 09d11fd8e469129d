//! Completion: what may be written at the cursor.
//!
//! The context comes from the tokens before the cursor, not the syntax tree, so it holds
//! while the line being typed does not parse yet: the unclosed `{`s before the cursor give
//! the chain of enclosing blocks (classified against the schemas like the checker does), and
//! the tokens of the current entry say whether the cursor starts an entry, writes a value
//! (after `key =`), a unit (after digits), a member (after `alias.`), an import, or a label.
//!
//! - entry start: the fields of the enclosing block not set yet, its nested blocks, panels,
//!   `settings`, `var`, `let`/`for`/`if`; at the top level the declaration kinds, `import`,
//!   `let`, `fn`;
//! - a value: by the field's type — enum values, Grafana units, `true`/`false`, receiver and
//!   datasource names of the stack, `secret.file(…)`, query literals, colours in thresholds,
//!   variable constructors — and the names in scope;
//! - `15|`: the units of the field's type; `alias.|`: the module's names; `import |` and
//!   `import std.|`: the std modules; `target |`: the target kinds;
//! - inside `traceql` and `logql` literals: their words (`completion/traceql.rs`, `completion/logql.rs`).

use super::index::{self, classify, elem, file_index, Ctx, DefKind};
use crate::db::{Db, SourceFile, STD_MODULES};
use crate::sema::eval::BUILTINS;
use crate::sema::schema::{self, LabelRule, RefKind, Ty};
use crate::sema::types;
use crate::syntax::lexer::{self, Tok};
use crate::syntax::Span;

mod logql;
mod values;
use values::{builtin_doc, secret_items, std_modules, variable_ctors};
mod traceql;
mod promql;

/// What kind of thing an item is (the server maps it to the protocol's kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Field,
    Block,
    Keyword,
    EnumValue,
    Unit,
    Variable,
    Function,
    Module,
    /// A receiver or datasource name.
    Reference,
    Snippet,
}

/// One completion item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub doc: Option<String>,
    /// Text to insert instead of the label; snippet syntax (`$1`, `${1:x}`, `$0`) when `snippet`.
    pub insert: Option<String>,
    pub snippet: bool,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind) -> Completion {
        Completion { label: label.into(), kind, detail: None, doc: None, insert: None, snippet: false }
    }
    fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }
    fn doc(mut self, d: impl Into<String>) -> Self {
        let d = d.into();
        if !d.is_empty() {
            self.doc = Some(d);
        }
        self
    }
    fn snippet(mut self, s: impl Into<String>) -> Self {
        self.insert = Some(s.into());
        self.snippet = true;
        self
    }
    fn insert(mut self, s: impl Into<String>) -> Self {
        self.insert = Some(s.into());
        self
    }
}

/// The items and the span they replace (the word being typed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completions {
    pub replace: Span,
    pub items: Vec<Completion>,
}

/// Completion at byte `offset` of `file`; `stack` is the files of the stack.
pub fn completion(db: &dyn Db, file: SourceFile, offset: u32, stack: &[SourceFile]) -> Completions {
    let text = file.text(db).as_str();
    let mut off = (offset as usize).min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let bytes = text.as_bytes();
    let mut start = off;
    while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_' || (bytes[start - 1] == b'.' && start < off && bytes[start].is_ascii_digit())) {
        start -= 1;
    }
    let replace = Span::new(start, off);
    let prefix = &text[start..off];
    let lexed = lexer::lex(text);
    let mut out = Completions { replace, items: vec![] };
    // nothing inside comments and literal text
    if lexed.comments.iter().any(|c| (c.span.start as usize) < off && off <= c.span.end as usize) {
        return out;
    }
    let all = &lexed.tokens;
    let n = all.iter().take_while(|(_, s)| (s.end as usize) <= start && (s.start as usize) < start).count();
    let toks = &all[..n];
    if in_literal(toks) || toks.last().is_some_and(|(t, s)| matches!(t, Tok::DocComment(_)) && s.end as usize >= start) {
        if traceql::inside(toks) {
            out.items = traceql::items(&text[..start]);
        } else if let Some(q) = logql::inside(toks) {
            out.items = logql::items(db, file, stack, &text[q.min(start)..start], q);
        } else if let Some(q) = promql::inside(toks) {
            out.items = promql::items(db, file, stack, &text[q.min(start)..start], q);
        }
        return out;
    }
    let lines = Lines::new(text);
    let ctx = block_context(toks, &lines);
    let prev = toks.last().map(|(t, _)| t);
    let before_line = &text[lines.start_of(start)..start];
    let word_line = lines.line(start);

    // `alias.` / `secret.` / `import std.`
    if prev == Some(&Tok::Punct(".")) && toks.last().is_some_and(|(_, s)| s.end as usize == start) {
        let obj = match toks.len().checked_sub(2).map(|i| &toks[i].0) {
            Some(Tok::Ident(o)) => o.clone(),
            _ => return out,
        };
        if before_line.trim_start().starts_with("import") {
            if obj == "std" {
                out.items = std_modules(db, false);
            }
            return out;
        }
        if obj == "secret" {
            out.items = vec![
                Completion::new("file", CompletionKind::Function).detail("secret.file(path)").snippet("file(\"${1:/run/secrets/name}\")").doc(builtin_doc("secret")),
                Completion::new("env", CompletionKind::Function).detail("secret.env(name)").snippet("env(\"${1:NAME}\")").doc(builtin_doc("secret")),
            ];
            return out;
        }
        let idx = file_index(db, file);
        if let Some(d) = idx.defs.iter().find(|d| d.kind == DefKind::Alias && d.name == obj) {
            if let Some(m) = d.module {
                let midx = file_index(db, m);
                out.items = midx
                    .defs
                    .iter()
                    .filter(|d| matches!(d.kind, DefKind::Fn | DefKind::Let | DefKind::Alias))
                    .map(|d| name_item(db, m, d))
                    .collect();
            }
        }
        return out;
    }
    // `import |`
    if before_line.trim() == "import" {
        out.items = std_modules(db, true);
        return out;
    }
    // `15|`: units
    if prefix.starts_with(|c: char| c.is_ascii_digit()) {
        let digits: String = prefix.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let key = value_key(toks, &lines, word_line);
        let ty = key.as_ref().and_then(|k| ctx.field(k)).map(|f| elem(&f.ty));
        let (durations, sizes) = match ty {
            Some(Ty::Duration) => (true, false),
            Some(Ty::Bytes) => (false, true),
            Some(Ty::Cpu) => {
                out.items.push(Completion::new(format!("{digits}m"), CompletionKind::Unit).detail("millicores"));
                return out;
            }
            Some(_) => (false, false),
            None => (true, true),
        };
        if durations {
            for (u, ms) in types::DURATION_UNITS {
                out.items.push(Completion::new(format!("{digits}{u}"), CompletionKind::Unit).detail(format!("duration ({u} = {ms} ms)")));
            }
        }
        if sizes {
            for (u, b) in types::BYTE_UNITS {
                out.items.push(Completion::new(format!("{digits}{u}"), CompletionKind::Unit).detail(format!("byte size ({u} = {b} bytes)")));
            }
        }
        return out;
    }
    // labels: `target |`, `resources |`
    if let Some(Tok::Ident(kw)) = prev {
        let opens = unmatched(toks);
        let entry_level = matches!(opens.last().map(|o| &toks[*o].0), None | Some(Tok::Punct("{")));
        let entry_start = entry_level
            && (toks.len() < 2 || is_entry_boundary(&toks[toks.len() - 2].0) || lines.line(toks[toks.len() - 2].1.start as usize) != lines.line(toks[toks.len() - 1].1.start as usize));
        let on_line = lines.line(toks[toks.len() - 1].1.start as usize) == word_line;
        if entry_start && on_line {
            if kw == "target" && ctx == Ctx::File {
                out.items = schema::TARGETS.iter().map(|(k, s)| Completion::new(*k, CompletionKind::EnumValue).detail("target").doc(s.doc)).collect();
                return out;
            }
            if kw == "resources" && ctx.schema().is_some_and(|s| s.block("resources").is_some()) {
                out.items = components(db, stack).into_iter().map(|c| Completion::new(c, CompletionKind::Reference).detail("component")).collect();
                return out;
            }
            if matches!(ctx, Ctx::Schema(_) | Ctx::File) && !["let", "fn", "for", "if", "else", "import"].contains(&kw.as_str()) {
                // a label being written: nothing to offer
                let takes_label = match ctx {
                    Ctx::File => schema::TOP_LEVEL.iter().any(|(k, _)| k == kw),
                    Ctx::Schema(s) => s.0.block(kw).is_some_and(|b| b.label == LabelRule::Required) || kw == "var",
                    _ => false,
                };
                if takes_label {
                    return out;
                }
            }
        }
    }
    let opens = unmatched(toks);
    let entry_level = matches!(opens.last().map(|o| &toks[*o].0), None | Some(Tok::Punct("{")));
    let entry_start = entry_level
        && match toks.last() {
            None => true,
            Some((t, s)) => is_entry_boundary(t) || (lines.line(s.start as usize) != word_line && !continues(t)),
        };
    if entry_start {
        out.items = entry_items(db, file, ctx, all, n, off);
        return out;
    }
    // a value
    let v = value_position(toks, &lines, word_line);
    let fd = v.key.as_ref().and_then(|k| ctx.field(k));
    let mut items = vec![];
    if let Some((f, 0)) = &v.call {
        if f == "query" || f == "datasource" {
            items.extend(datasources(db, stack));
        }
    }
    // `var x = |` (not inside the constructor's arguments: `var x = query(|`)
    if v.var && v.call.is_none() {
        items.extend(variable_ctors());
    } else if let Some(fd) = fd {
        match elem(&fd.ty) {
            Ty::Enum(vs) => items.extend(vs.iter().map(|v| Completion::new(*v, CompletionKind::EnumValue).detail(fd.name))),
            Ty::Word if fd.name == "unit" => items.extend(schema::UNITS.iter().map(|u| Completion::new(*u, CompletionKind::EnumValue).detail("Grafana unit"))),
            Ty::Bool => items.extend(["true", "false"].map(|b| Completion::new(b, CompletionKind::Keyword))),
            Ty::Ref(RefKind::Receiver) => items.extend(receivers(db, stack)),
            Ty::Ref(RefKind::Datasource) => items.extend(datasources(db, stack)),
            Ty::Secret | Ty::StrOrSecret => items.extend(secret_items()),
            Ty::Query(langs) => {
                for l in *langs {
                    let name = format!("{l:?}").to_lowercase();
                    items.push(Completion::new(format!("{name}`…`"), CompletionKind::Snippet).detail(format!("{name} query")).snippet(format!("{name}`$0`")));
                }
            }
            Ty::Thresholds if v.after_colon => items.extend(schema::COLORS.iter().map(|c| Completion::new(*c, CompletionKind::EnumValue).detail("colour"))),
            Ty::Thresholds if v.call.is_none() && !v.in_list => {
                items.push(Completion::new("[0.8: yellow, 0.9: red]", CompletionKind::Snippet).snippet("[${1:0.8}: ${2:yellow}, ${3:0.9}: ${4:red}]"))
            }
            Ty::Record(s) if !v.in_list => items.push(Completion::new("{ … }", CompletionKind::Snippet).detail(s.name).snippet("{ $0 }")),
            _ => {}
        }
    }
    if !v.after_colon {
        // a name already offered (a variable constructor is also a built-in) is offered once
        for c in names_in_scope(db, file, off as u32) {
            if !items.iter().any(|i| i.label == c.label) {
                items.push(c);
            }
        }
    }
    out.items = items;
    out
}

/// The context of the block the position after `toks` is in, from its unclosed `{`s.
fn block_context(toks: &[(Tok, Span)], lines: &Lines) -> Ctx {
    enclosing(toks, lines).iter().fold(Ctx::File, |ctx, e| match e {
        Elem::Block(k, l) => classify(ctx, k, l.as_deref()).1,
        Elem::Record(key) => match ctx.field(key).map(|f| &f.ty) {
            Some(Ty::Record(s)) => Ctx::Schema(index::Static(*s)),
            Some(Ty::StrMap) => Ctx::Free,
            _ => Ctx::Unknown,
        },
        Elem::Transparent => ctx,
        Elem::Unknown => Ctx::Unknown,
    })
}

/// The context of the block around byte `offset` of `file`, read from the tokens before it as
/// completion does, so it holds while the text does not parse (hover uses it for a key whose
/// entry is not written to the end yet).
pub fn context_at(db: &dyn Db, file: SourceFile, offset: u32) -> Ctx {
    let text = file.text(db).as_str();
    let lexed = lexer::lex(text);
    let n = lexed.tokens.iter().take_while(|(_, s)| s.end <= offset && s.start < offset).count();
    block_context(&lexed.tokens[..n], &Lines::new(text))
}

/// Is the position after these tokens inside string or query text (not in `${…}`)?
fn in_literal(toks: &[(Tok, Span)]) -> bool {
    let mut stack = vec![];
    for (t, _) in toks {
        match t {
            Tok::StrStart | Tok::QueryStart(_) => stack.push(true),
            Tok::InterpStart => stack.push(false),
            Tok::InterpEnd | Tok::StrEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last() == Some(&true)
}

fn is_entry_boundary(t: &Tok) -> bool {
    matches!(t, Tok::Punct("{" | "}" | "," | ";") | Tok::DocComment(_))
}

/// A token after which the next line continues the expression.
fn continues(t: &Tok) -> bool {
    matches!(t, Tok::Punct(p) if !matches!(*p, "}" | ")" | "]")) || matches!(t, Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart)
}

/// Line numbers of byte offsets.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Lines { starts }
    }
    fn line(&self, off: usize) -> usize {
        self.starts.partition_point(|s| *s <= off) - 1
    }
    fn start_of(&self, off: usize) -> usize {
        self.starts[self.line(off)]
    }
}

/// One unclosed `{` before the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Elem {
    /// `kind label? {`
    Block(String, Option<String>),
    /// `key = {`
    Record(String),
    /// `for … {`, `if … {`, `else {`: the body belongs to the enclosing block.
    Transparent,
    Unknown,
}

/// The unclosed `{`s before the end of `toks`, outermost first, with their token index.
fn open_braces(toks: &[(Tok, Span)]) -> Vec<usize> {
    let mut open = vec![];
    for (i, (t, _)) in toks.iter().enumerate() {
        match t {
            Tok::Punct("{") => open.push(i),
            Tok::Punct("}") => {
                open.pop();
            }
            _ => {}
        }
    }
    open
}

fn enclosing(toks: &[(Tok, Span)], lines: &Lines) -> Vec<Elem> {
    open_braces(toks).into_iter().map(|i| header(toks, i, lines)).collect()
}

/// What the `{` at token `i` opens, from the tokens of its header.
fn header(toks: &[(Tok, Span)], i: usize, lines: &Lines) -> Elem {
    let mut j = i;
    let mut line = lines.line(toks[i].1.start as usize);
    let mut jumped = false;
    while j > 0 {
        let (t, s) = &toks[j - 1];
        if matches!(t, Tok::Punct("{" | "}" | "," | ";") | Tok::DocComment(_)) {
            break;
        }
        let l = lines.line(s.start as usize);
        if l != line {
            if j == i && !jumped {
                jumped = true;
                line = l;
            } else {
                break;
            }
        }
        j -= 1;
    }
    let h = &toks[j..i];
    if matches!(h.first().map(|t| &t.0), Some(Tok::Ident(w)) if w == "for" || w == "if" || w == "else") || (j > 0 && toks[j - 1].0 == Tok::Punct("}") && h.first().is_some_and(|t| t.0 == Tok::Ident("else".into()))) {
        return Elem::Transparent;
    }
    match h.last().map(|t| &t.0) {
        Some(Tok::Punct("=")) => match h.len().checked_sub(2).map(|k| &h[k].0) {
            Some(Tok::Ident(k)) => Elem::Record(k.clone()),
            _ => Elem::Unknown,
        },
        Some(Tok::StrEnd) => {
            // back to the string's start
            let mut depth = 0usize;
            let mut k = h.len() - 1;
            loop {
                match &h[k].0 {
                    Tok::StrEnd => depth += 1,
                    Tok::StrStart | Tok::QueryStart(_) => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                if k == 0 {
                    return Elem::Unknown;
                }
                k -= 1;
            }
            let label = match h.get(k + 1) {
                Some((Tok::StrText(t), _)) => Some(t.clone()),
                _ => Some(String::new()),
            };
            match k.checked_sub(1).map(|x| &h[x].0) {
                Some(Tok::Ident(kind)) => Elem::Block(kind.clone(), label),
                _ => Elem::Unknown,
            }
        }
        Some(Tok::Ident(x)) => match h.len().checked_sub(2).map(|k| &h[k].0) {
            Some(Tok::Ident(k)) => Elem::Block(k.clone(), Some(x.clone())),
            _ => Elem::Block(x.clone(), None),
        },
        _ => Elem::Unknown,
    }
}

/// Where a value is being written.
#[derive(Default)]
struct ValuePos {
    /// The field (`key =`), single-segment keys only.
    key: Option<String>,
    /// `var name = …`
    var: bool,
    /// Inside a call: the callee and the argument's index.
    call: Option<(String, usize)>,
    /// After `:` in a `[k: v]` map.
    after_colon: bool,
    in_list: bool,
}

fn value_key(toks: &[(Tok, Span)], lines: &Lines, word_line: usize) -> Option<String> {
    value_position(toks, lines, word_line).key
}

/// The unclosed brackets and string/interpolation openers in `toks`, outermost first.
fn unmatched(toks: &[(Tok, Span)]) -> Vec<usize> {
    let mut st = vec![];
    for (i, (t, _)) in toks.iter().enumerate() {
        match t {
            Tok::Punct("(" | "[" | "{") | Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart => st.push(i),
            Tok::Punct(")" | "]" | "}") | Tok::StrEnd | Tok::InterpEnd => {
                st.pop();
            }
            _ => {}
        }
    }
    st
}

/// Walk back over the entry being written to its `key =`.
fn value_position(toks: &[(Tok, Span)], lines: &Lines, word_line: usize) -> ValuePos {
    let mut v = ValuePos { after_colon: matches!(toks.last(), Some((Tok::Punct(":"), _))), ..Default::default() };
    let opens = unmatched(toks);
    // the opener enclosing token `k`
    let encl = |k: usize| opens.iter().rev().find(|o| **o < k).map(|o| &toks[*o].0);
    let entry_level = |k: usize| matches!(encl(k), None | Some(Tok::Punct("{")));
    let mut depth = 0i32;
    let mut commas = 0usize;
    let mut k = toks.len();
    let mut line = word_line;
    while k > 0 {
        k -= 1;
        let (t, s) = &toks[k];
        let l = lines.line(s.start as usize);
        if l != line {
            // a line break ends the entry unless a bracket is open or the line continues
            if depth == 0 && entry_level(k + 1) && !continues(t) {
                return v;
            }
            line = l;
        }
        if depth > 0 {
            match t {
                Tok::Punct(")" | "]" | "}") | Tok::StrEnd | Tok::InterpEnd => depth += 1,
                Tok::Punct("(" | "[" | "{") | Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart => depth -= 1,
                _ => {}
            }
            continue;
        }
        match t {
            Tok::Punct(")" | "]" | "}") | Tok::StrEnd | Tok::InterpEnd => depth += 1,
            Tok::Punct("(") if v.call.is_none() && !v.in_list => {
                let callee = match k.checked_sub(1).map(|x| &toks[x].0) {
                    Some(Tok::Ident(f)) => f.clone(),
                    _ => String::new(),
                };
                v.call = Some((callee, commas));
            }
            Tok::Punct("[") if v.call.is_none() => v.in_list = true,
            Tok::Punct("(" | "[") => {}
            Tok::Punct("{") | Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart => return v,
            Tok::Punct("," | ";") => {
                if entry_level(k) {
                    return v;
                }
                if v.call.is_none() && !v.in_list {
                    commas += 1;
                }
            }
            Tok::Punct("=") => {
                if let Some(Tok::Ident(key)) = k.checked_sub(1).map(|x| &toks[x].0) {
                    match k.checked_sub(2).map(|x| &toks[x].0) {
                        Some(Tok::Ident(w)) if w == "var" => v.var = true,
                        Some(Tok::Ident(w)) if w == "let" => {}
                        Some(Tok::Punct(".")) => {}
                        _ => v.key = Some(key.clone()),
                    }
                }
                return v;
            }
            _ => {}
        }
    }
    v
}

/// What may start an entry of a block with context `ctx` (the cursor is at byte `off`, after
/// token `n` of `all`).
fn entry_items(db: &dyn Db, file: SourceFile, ctx: Ctx, all: &[(Tok, Span)], n: usize, off: usize) -> Vec<Completion> {
    let mut items = vec![];
    match ctx {
        Ctx::File => {
            for (k, s) in schema::TOP_LEVEL {
                let snip = match *k {
                    "stack" => "stack ${1:name} {\n\t$0\n}".to_string(),
                    "datasource" => "datasource ${1:name} {\n\ttype = ${2:postgres}\n\turl  = \"$3\"\n}".into(),
                    "dashboard" => "dashboard ${1:name} {\n\ttitle = \"$2\"\n\t$0\n}".into(),
                    "alert" => "alert ${1:Name} {\n\texpr     = promql`$2`\n\tfor      = ${3:5m}\n\tseverity = ${4|critical,warning,info|}\n}".into(),
                    "log_alert" => "log_alert ${1:Name} {\n\texpr = logql`$2`\n\tfor  = ${3:5m}\n}".into(),
                    "rules" => "rules ${1:name} = import_rules(\"$2\")".into(),
                    "target" => "target ${1|native,systemd,compose,kubernetes,helm|} {\n\t$0\n}".into(),
                    other => format!("{other} $0"),
                };
                let doc = if *k == "target" { "A deployment target: native, systemd, compose, kubernetes or helm." } else { s.doc };
                items.push(Completion::new(*k, CompletionKind::Block).detail("declaration").doc(doc).snippet(snip));
            }
            items.push(Completion::new("import", CompletionKind::Keyword).detail("import std.… / \"./file.gstack\" as name").snippet("import ${1:std.panels}"));
            items.push(Completion::new("let", CompletionKind::Keyword).snippet("let ${1:name} = $0"));
            items.push(Completion::new("fn", CompletionKind::Keyword).snippet("fn ${1:name}(${2:arg: string}) = $0"));
        }
        Ctx::Schema(index::Static(s)) => {
            let (set, blocks) = present(all, n, off);
            for f in s.fields.iter().filter(|f| !set.contains(&f.name.to_string())) {
                items.push(
                    Completion::new(f.name, CompletionKind::Field)
                        .detail(f.ty.describe())
                        .doc(super::describe::describe_field(f, Some(s.name)))
                        .snippet(format!("{} = $0", f.name)),
                );
            }
            for b in s.blocks.iter().filter(|b| b.many || !blocks.contains(&b.kind.to_string())) {
                let snip = if b.label == LabelRule::Required {
                    if b.kind == "resources" {
                        format!("{} ${{1:component}} {{\n\t$0\n}}", b.kind)
                    } else {
                        format!("{} ${{1:name}} {{\n\t$0\n}}", b.kind)
                    }
                } else {
                    format!("{} {{\n\t$0\n}}", b.kind)
                };
                items.push(Completion::new(b.kind, CompletionKind::Block).detail("block").doc(format!("{}\n\n{}", b.doc, b.schema.doc)).snippet(snip));
            }
            if s.settings && !blocks.contains(&"settings".to_string()) {
                items.push(
                    Completion::new("settings", CompletionKind::Block)
                        .detail("freeform settings")
                        .doc("Merged over the generated configuration of this program: `a.b = value` sets key `b` of section `a`.")
                        .snippet("settings {\n\t$0\n}"),
                );
            }
            if s.name == "dashboard" {
                items.push(
                    Completion::new("var", CompletionKind::Block)
                        .detail("dashboard variable")
                        .snippet("var ${1:name} = ${2|query,custom,interval,datasource,constant|}($0)"),
                );
            }
            if s.panels {
                for p in schema::PANEL_KINDS {
                    let body = match *p {
                        "text" => "content = \"$0\"",
                        "logs" => "query = logql`$0`",
                        "traces" | "nodeGraph" => "query = traceql`$0`",
                        "alertlist" | "annolist" | "dashlist" | "news" => "options {\n\t\t$0\n\t}",
                        _ => "query = promql`$0`",
                    };
                    items.push(
                        Completion::new(*p, CompletionKind::Block)
                            .detail("panel")
                            .doc(format!("A `{p}` panel.\n\n{}", schema::PANEL.doc))
                            .snippet(format!("{p} \"${{1:Title}}\" {{\n\t{body}\n}}")),
                    );
                }
                // functions returning panels
                items.extend(names_in_scope(db, file, off as u32).into_iter().filter(|c| c.kind == CompletionKind::Function && c.detail.as_deref().is_some_and(|d| d.starts_with("fn "))));
            }
            items.extend(keywords());
        }
        Ctx::Free => {}
        Ctx::Unknown => {
            items.extend(keywords());
            items.extend(names_in_scope(db, file, off as u32));
        }
    }
    items
}

fn keywords() -> Vec<Completion> {
    vec![
        Completion::new("let", CompletionKind::Keyword).snippet("let ${1:name} = $0"),
        Completion::new("for", CompletionKind::Keyword).snippet("for ${1:x} in ${2:list} {\n\t$0\n}"),
        Completion::new("if", CompletionKind::Keyword).snippet("if ${1:cond} {\n\t$0\n}"),
    ]
}

/// Fields set and blocks present in the block around the cursor (the innermost `{` before
/// token `n` of `all`), excluding the entry at the cursor.
fn present(all: &[(Tok, Span)], n: usize, off: usize) -> (Vec<String>, Vec<String>) {
    let (mut fields, mut blocks) = (vec![], vec![]);
    let Some(open) = open_braces(&all[..n]).last().copied() else { return (fields, blocks) };
    let mut depth = 0i32;
    let mut i = open + 1;
    while i < all.len() {
        let (t, s) = &all[i];
        match t {
            Tok::Punct("{" | "(" | "[") | Tok::StrStart | Tok::QueryStart(_) | Tok::InterpStart => depth += 1,
            Tok::Punct("}" | ")" | "]") | Tok::StrEnd | Tok::InterpEnd => {
                depth -= 1;
                if depth < 0 {
                    break;
                }
            }
            Tok::Ident(name) if depth == 0 && !(s.start as usize <= off && off <= s.end as usize) => match all.get(i + 1).map(|t| &t.0) {
                Some(Tok::Punct("=")) if !matches!(all[i - 1].0, Tok::Ident(_) | Tok::Punct(".")) => fields.push(name.clone()),
                Some(Tok::Punct("{")) if !matches!(all[i - 1].0, Tok::Ident(_)) => blocks.push(name.clone()),
                Some(Tok::Ident(_)) if !matches!(all[i - 1].0, Tok::Ident(_)) => blocks.push(name.clone()),
                _ => {}
            },
            _ => {}
        }
        i += 1;
    }
    (fields, blocks)
}

/// The stack's component names (`prometheus`, …).
fn components(db: &dyn Db, stack: &[SourceFile]) -> Vec<String> {
    let mut out = vec![];
    for f in stack {
        for d in &file_index(db, *f).defs {
            if d.kind == DefKind::Component && !out.contains(&d.name) {
                out.push(d.name.clone());
            }
        }
    }
    out
}

fn receivers(db: &dyn Db, stack: &[SourceFile]) -> Vec<Completion> {
    let mut out: Vec<Completion> = vec![];
    for f in stack {
        for d in file_index(db, *f).defs.iter().filter(|d| d.kind == DefKind::Receiver) {
            if !out.iter().any(|c| c.label == d.name) {
                out.push(Completion::new(d.name.clone(), CompletionKind::Reference).detail("receiver"));
            }
        }
    }
    out
}

fn datasources(db: &dyn Db, stack: &[SourceFile]) -> Vec<Completion> {
    let mut out: Vec<Completion> = vec![];
    for f in stack {
        for d in &file_index(db, *f).defs {
            let detail = match d.kind {
                DefKind::Datasource => format!("datasource{}", d.detail.as_deref().map(|t| format!(" ({t})")).unwrap_or_default()),
                DefKind::Component if crate::programs::Component::is_datasource(&d.name) => "stack component".into(),
                _ => continue,
            };
            if !out.iter().any(|c| c.label == d.name) {
                out.push(Completion::new(d.name.clone(), CompletionKind::Reference).detail(detail));
            }
        }
    }
    out
}

fn name_item(db: &dyn Db, file: SourceFile, d: &index::Def) -> Completion {
    let text = file.text(db);
    let doc = super::doc_above(text, d.span.start).or_else(|| d.doc.clone()).unwrap_or_default();
    match d.kind {
        DefKind::Fn => {
            let args: Vec<String> = d.params.iter().enumerate().map(|(i, p)| format!("${{{}:{p}}}", i + 1)).collect();
            Completion::new(d.name.clone(), CompletionKind::Function)
                .detail(d.detail.clone().unwrap_or_default())
                .doc(doc)
                .snippet(format!("{}({})", d.name, args.join(", ")))
        }
        DefKind::Alias => Completion::new(d.name.clone(), CompletionKind::Module).detail(d.detail.clone().unwrap_or_default()),
        DefKind::Param => Completion::new(d.name.clone(), CompletionKind::Variable).detail(format!("parameter{}", d.detail.as_deref().map(|t| format!(": {t}")).unwrap_or_default())),
        _ => Completion::new(d.name.clone(), CompletionKind::Variable).detail("let").doc(doc),
    }
}

/// The names visible at `offset`: locals, the file's names, built-ins.
pub fn names_in_scope(db: &dyn Db, file: SourceFile, offset: u32) -> Vec<Completion> {
    let idx = file_index(db, file);
    let mut out: Vec<Completion> = vec![];
    let mut defs: Vec<&index::Def> = idx
        .defs
        .iter()
        .filter(|d| matches!(d.kind, DefKind::Let | DefKind::Fn | DefKind::Alias | DefKind::Param | DefKind::Local | DefKind::ForVar))
        .filter(|d| d.scope.start <= offset && offset <= d.scope.end)
        .collect();
    // innermost first
    defs.sort_by_key(|d| std::cmp::Reverse(d.scope.start));
    for d in defs {
        if out.iter().any(|c| c.label == d.name) {
            continue;
        }
        out.push(name_item(db, file, d));
    }
    for (b, doc) in BUILTINS {
        if out.iter().any(|c| c.label == *b) {
            continue;
        }
        let c = Completion::new(*b, CompletionKind::Function).detail("built-in").doc(*doc);
        out.push(if *b == "secret" { c } else { c.insert(*b) });
    }
    out
}
