//! Document symbols: the outline of a file — imports, `let`s, functions, the stack with its
//! components (receivers, routes, scrape jobs), datasources, dashboards with their variables,
//! rows and panels, alerts, rule imports and targets. Blocks inside `for` and `if` bodies are
//! listed where they are written; panels returned by functions are not (they exist only once
//! evaluated).

use super::index::{file_index, BlockSite, FileIndex, KindInfo, Static};
use crate::db::{self, Db, SourceFile};
use crate::syntax::ast::{Entry, ImportPath};
use crate::syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Import,
    Let,
    Fn,
    Stack,
    Component,
    Datasource,
    Dashboard,
    Row,
    Panel,
    /// A dashboard variable.
    Variable,
    Alert,
    Rules,
    Target,
    Receiver,
    Route,
    Scrape,
    /// Any other block.
    Block,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole declaration.
    pub span: Span,
    /// The name in it.
    pub selection: Span,
    pub children: Vec<Symbol>,
}

/// The outline of `file`, in source order.
pub fn document_symbols(db: &dyn Db, file: SourceFile) -> Vec<Symbol> {
    let parsed = db::parse(db, file);
    let idx = file_index(db, file);
    let mut out = vec![];
    for e in &parsed.file.entries {
        match e {
            Entry::Import(i) => {
                let (name, sel) = match (&i.alias, &i.path) {
                    (Some(a), _) => (a.name.clone(), a.span),
                    (None, ImportPath::Std(segs)) => (
                        format!("std.{}", segs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".")),
                        segs.first().map(|s| s.span.cover(segs.last().unwrap().span)).unwrap_or(i.span),
                    ),
                    (None, ImportPath::File(p, s)) => (p.clone(), *s),
                };
                let detail = match &i.path {
                    ImportPath::Std(segs) => format!("std.{}", segs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".")),
                    ImportPath::File(p, _) => p.clone(),
                };
                out.push(Symbol { name, detail: Some(detail), kind: SymbolKind::Import, span: i.span, selection: sel, children: vec![] });
            }
            Entry::Let(l) => out.push(Symbol { name: l.name.name.clone(), detail: None, kind: SymbolKind::Let, span: l.span, selection: l.name.span, children: vec![] }),
            Entry::Fn(f) => {
                let children = idx
                    .blocks
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.parent.is_none() && !b.top && b.kind.is_some() && f.span.start <= b.span.start && b.span.end <= f.span.end)
                    .filter_map(|(i, _)| block_symbol(idx, i))
                    .collect();
                out.push(Symbol {
                    name: f.name.name.clone(),
                    detail: Some(super::index::signature(f)),
                    kind: SymbolKind::Fn,
                    span: f.span,
                    selection: f.name.span,
                    children,
                })
            }
            Entry::Block(b) => {
                if let Some(i) = idx.blocks.iter().position(|s| s.top && s.span == b.span) {
                    out.extend(block_symbol(idx, i));
                }
            }
            _ => {}
        }
    }
    out
}

fn kind_of(b: &BlockSite) -> Option<SymbolKind> {
    Some(match b.info {
        KindInfo::Decl(Static(s)) => match s.name {
            "stack" => SymbolKind::Stack,
            "datasource" => SymbolKind::Datasource,
            "dashboard" => SymbolKind::Dashboard,
            "alert" | "log_alert" => SymbolKind::Alert,
            "rules" => SymbolKind::Rules,
            _ => SymbolKind::Block,
        },
        KindInfo::Target(_) => SymbolKind::Target,
        KindInfo::Block(Static(bd)) => match bd.kind {
            "row" => SymbolKind::Row,
            "receiver" => SymbolKind::Receiver,
            "route" => SymbolKind::Route,
            "scrape" => SymbolKind::Scrape,
            k if crate::sema::schema::STACK.block(k).is_some() => SymbolKind::Component,
            _ => SymbolKind::Block,
        },
        KindInfo::Panel => SymbolKind::Panel,
        KindInfo::Var => SymbolKind::Variable,
        KindInfo::Settings | KindInfo::Options => return None,
        KindInfo::Unknown => SymbolKind::Block,
    })
}

fn block_symbol(idx: &FileIndex, i: usize) -> Option<Symbol> {
    let b = &idx.blocks[i];
    let kind_ident = b.kind.as_ref()?;
    let kind = kind_of(b)?;
    let (name, selection, detail) = match &b.label {
        Some((l, s)) if !l.is_empty() => (l.clone(), *s, Some(kind_ident.name.clone())),
        Some((_, s)) => (kind_ident.name.clone(), *s, None),
        None => (kind_ident.name.clone(), kind_ident.span, None),
    };
    let children = idx
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.parent == Some(i) && c.kind.is_some())
        .filter_map(|(j, _)| block_symbol(idx, j))
        .collect();
    Some(Symbol { name, detail, kind, span: b.span.cover(selection), selection, children })
}
