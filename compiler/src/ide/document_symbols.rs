//! Document symbols: the outline of a file — imports, `let`s, functions, the stack with its
//! components (receivers, routes, scrape jobs), datasources, dashboards with their variables,
//! rows and panels, alerts, rule imports and targets. Blocks inside `for` and `if` bodies are
//! listed where they are written; panels returned by functions are not (they exist only once
//! evaluated).

use super::index::{file_index, BlockSite, FileIndex, KindInfo, Static};
use crate::db::{self, Db, SourceFile};
use crate::syntax::ast::{Entry, ImportPath};
use crate::syntax::Span;
use std::collections::HashMap;

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
///
/// Linear in the number of blocks (issue #14: 31 s at 20,000 dashboards): every block's
/// children and every top-level block are found through tables built in one pass over the
/// index, not by a scan of all blocks per symbol.
pub fn document_symbols(db: &dyn Db, file: SourceFile) -> Vec<Symbol> {
    let parsed = db::parse(db, file);
    let idx = file_index(db, file);
    let tables = Tables::new(idx);
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
                let children = tables.in_fn(idx, f.span).into_iter().filter_map(|i| block_symbol(idx, &tables, i)).collect();
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
                if let Some(&i) = tables.top.get(&b.span) {
                    out.extend(block_symbol(idx, &tables, i));
                }
            }
            _ => {}
        }
    }
    out
}

/// What `document_symbols` looks up, built in one pass over the file's blocks.
struct Tables {
    /// The first top-level block with each span.
    top: HashMap<Span, usize>,
    /// Each block's children that have a kind, in index order.
    children: Vec<Vec<usize>>,
    /// Blocks with a kind, no parent and not at the top level (those in functions' bodies),
    /// by start offset, then index.
    loose: Vec<(u32, usize)>,
}

impl Tables {
    fn new(idx: &FileIndex) -> Tables {
        let mut top = HashMap::new();
        let mut children = vec![vec![]; idx.blocks.len()];
        let mut loose = vec![];
        for (i, b) in idx.blocks.iter().enumerate() {
            if b.top {
                top.entry(b.span).or_insert(i);
            }
            if b.kind.is_none() {
                continue;
            }
            match b.parent {
                Some(p) if p < children.len() => children[p].push(i),
                Some(_) => {}
                None if !b.top => loose.push((b.span.start, i)),
                None => {}
            }
        }
        loose.sort_unstable();
        Tables { top, children, loose }
    }

    /// The loose blocks inside `span`, in index order.
    fn in_fn(&self, idx: &FileIndex, span: Span) -> Vec<usize> {
        let from = self.loose.partition_point(|(s, _)| *s < span.start);
        let mut v: Vec<usize> = self.loose[from..].iter().take_while(|(s, _)| *s <= span.end).map(|(_, i)| *i).filter(|i| idx.blocks[*i].span.end <= span.end).collect();
        v.sort_unstable();
        v
    }
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
        KindInfo::Settings => return None,
        KindInfo::Unknown => SymbolKind::Block,
    })
}

fn block_symbol(idx: &FileIndex, tables: &Tables, i: usize) -> Option<Symbol> {
    let b = &idx.blocks[i];
    let kind_ident = b.kind.as_ref()?;
    let kind = kind_of(b)?;
    let (name, selection, detail) = match &b.label {
        Some((l, s)) if !l.is_empty() => (l.clone(), *s, Some(kind_ident.name.clone())),
        Some((_, s)) => (kind_ident.name.clone(), *s, None),
        None => (kind_ident.name.clone(), kind_ident.span, None),
    };
    let children = tables.children[i].iter().filter_map(|&j| block_symbol(idx, tables, j)).collect();
    Some(Symbol { name, detail, kind, span: b.span.cover(selection), selection, children })
}
