//! Semantic tokens: a class for every token, from the lexer (comments, strings, numbers,
//! operators) refined by the index (a name is a function, parameter, variable, module,
//! enum value; a word before `=` a field; the first word of a block its kind). Tokens never
//! span lines (a multi-line string is split), and come sorted.

use super::index::{file_index, DefKind, KindInfo, Target};
use super::KEYWORDS;
use crate::db::{Db, SourceFile};
use crate::syntax::lexer::{self, Tok};
use crate::syntax::Span;
use std::collections::HashMap;

/// Token classes; the order is the legend the server announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenType {
    Namespace,
    Type,
    Function,
    Variable,
    Parameter,
    Property,
    EnumMember,
    Keyword,
    String,
    Number,
    Comment,
    Operator,
    Macro,
}

impl TokenType {
    pub const ALL: &'static [TokenType] = &[
        TokenType::Namespace,
        TokenType::Type,
        TokenType::Function,
        TokenType::Variable,
        TokenType::Parameter,
        TokenType::Property,
        TokenType::EnumMember,
        TokenType::Keyword,
        TokenType::String,
        TokenType::Number,
        TokenType::Comment,
        TokenType::Operator,
        TokenType::Macro,
    ];
    /// The protocol's name of the class.
    pub fn name(self) -> &'static str {
        match self {
            TokenType::Namespace => "namespace",
            TokenType::Type => "type",
            TokenType::Function => "function",
            TokenType::Variable => "variable",
            TokenType::Parameter => "parameter",
            TokenType::Property => "property",
            TokenType::EnumMember => "enumMember",
            TokenType::Keyword => "keyword",
            TokenType::String => "string",
            TokenType::Number => "number",
            TokenType::Comment => "comment",
            TokenType::Operator => "operator",
            TokenType::Macro => "macro",
        }
    }
    pub fn index(self) -> u32 {
        TokenType::ALL.iter().position(|t| *t == self).unwrap() as u32
    }
}

/// Modifier bits; the order is the legend the server announces.
pub const MODIFIERS: &[&str] = &["declaration", "documentation", "defaultLibrary", "readonly"];
pub const DECLARATION: u32 = 1;
pub const DOCUMENTATION: u32 = 2;
pub const DEFAULT_LIBRARY: u32 = 4;
pub const READONLY: u32 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub ty: TokenType,
    pub modifiers: u32,
}

fn def_class(k: DefKind) -> (TokenType, u32) {
    match k {
        DefKind::Let => (TokenType::Variable, READONLY),
        DefKind::Fn => (TokenType::Function, 0),
        DefKind::Param => (TokenType::Parameter, 0),
        DefKind::Local | DefKind::ForVar | DefKind::Receiver | DefKind::Datasource | DefKind::Var => (TokenType::Variable, 0),
        DefKind::Alias => (TokenType::Namespace, 0),
        DefKind::Component => (TokenType::Type, 0),
    }
}

/// The semantic tokens of `file`.
pub fn semantic_tokens(db: &dyn Db, file: SourceFile) -> Vec<SemanticToken> {
    let text = file.text(db).as_str();
    let idx = file_index(db, file);
    let mut class: HashMap<u32, (TokenType, u32)> = HashMap::new();
    for f in &idx.fields {
        for p in &f.path {
            class.insert(p.span.start, (TokenType::Property, 0));
        }
    }
    for b in &idx.blocks {
        if let Some(k) = &b.kind {
            let ty = match b.info {
                KindInfo::Decl(_) | KindInfo::Target(_) => TokenType::Keyword,
                _ => TokenType::Type,
            };
            class.insert(k.span.start, (ty, 0));
        }
        if let Some((_, s)) = &b.label {
            if text.as_bytes().get(s.start as usize) != Some(&b'"') {
                class.insert(s.start, (TokenType::Variable, DECLARATION));
            }
        }
    }
    for (span, _) in &idx.imports {
        // `std.panels`: every word of the path
        for (i, w) in text.get(span.range()).unwrap_or("").split('.').scan(span.start, |at, w| {
            let start = *at;
            *at += w.len() as u32 + 1;
            Some((start, w))
        }) {
            if !w.is_empty() && !w.starts_with('"') {
                class.insert(i, (TokenType::Namespace, 0));
            }
        }
    }
    for d in &idx.defs {
        if d.kind == DefKind::Component {
            continue;
        }
        let (ty, m) = def_class(d.kind);
        class.insert(d.span.start, (ty, m | DECLARATION));
    }
    for r in &idx.refs {
        if r.quoted {
            continue;
        }
        let c = match &r.target {
            Target::Def(d) => def_class(idx.defs[*d].kind),
            Target::Module(_) => (TokenType::Namespace, 0),
            Target::Member { module, name } => {
                let m = file_index(db, *module);
                match m.top_level(name) {
                    Some(i) => def_class(m.defs[i].kind),
                    None => (TokenType::Variable, 0),
                }
            }
            Target::Builtin(_) => (TokenType::Function, DEFAULT_LIBRARY),
            Target::Named(..) => (TokenType::Variable, 0),
            Target::Sym => (TokenType::EnumMember, 0),
        };
        class.insert(r.span.start, c);
    }

    let lexed = lexer::lex(text);
    let mut out: Vec<SemanticToken> = vec![];
    let mut push = |span: Span, ty: TokenType, modifiers: u32| {
        if span.end > span.start {
            out.push(SemanticToken { span, ty, modifiers });
        }
    };
    for c in &lexed.comments {
        push(c.span, TokenType::Comment, 0);
    }
    for (t, s) in &lexed.tokens {
        match t {
            Tok::Ident(w) => {
                if let Some((ty, m)) = class.get(&s.start) {
                    push(*s, *ty, *m);
                } else if KEYWORDS.contains(&w.as_str()) || w == "std" {
                    push(*s, TokenType::Keyword, 0);
                }
            }
            Tok::Number { .. } | Tok::Address(_) => push(*s, TokenType::Number, 0),
            Tok::StrStart | Tok::StrText(_) | Tok::StrEnd => push(*s, TokenType::String, 0),
            Tok::QueryStart(lang) => {
                let l = lang.len() as u32;
                push(Span { start: s.start, end: s.start + l }, TokenType::Macro, 0);
                push(Span { start: s.start + l, end: s.end }, TokenType::String, 0);
            }
            Tok::InterpStart | Tok::InterpEnd => push(*s, TokenType::Operator, 0),
            Tok::DocComment(_) => push(*s, TokenType::Comment, DOCUMENTATION),
            Tok::Punct(p) => {
                if !matches!(*p, "{" | "}" | "(" | ")" | "[" | "]" | "," | ";" | ".") {
                    push(*s, TokenType::Operator, 0);
                }
            }
            Tok::Error => {}
        }
    }
    out.sort_by_key(|t| (t.span.start, t.span.end));
    // no overlaps, no token across a line break
    let mut res: Vec<SemanticToken> = Vec::with_capacity(out.len());
    let mut last_end = 0u32;
    for t in out {
        if t.span.start < last_end {
            continue;
        }
        let mut start = t.span.start as usize;
        let end = (t.span.end as usize).min(text.len());
        while start < end {
            let piece_end = text[start..end].find('\n').map_or(end, |i| start + i);
            let trimmed = if piece_end > start && text.as_bytes()[piece_end - 1] == b'\r' { piece_end - 1 } else { piece_end };
            if trimmed > start {
                res.push(SemanticToken { span: Span::new(start, trimmed), ty: t.ty, modifiers: t.modifiers });
            }
            start = piece_end + 1;
        }
        last_end = t.span.end;
    }
    res
}
