//! The `LanguageServer` implementation: protocol in, [`gstack::ide`] calls, protocol out.

use crate::line_index::LineIndex;
use crate::workspace::{self, lock, run, Doc, Edit, Shared, Snapshot};
use gstack::db::SourceFile;
use gstack::ide;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// The gstack language server.
pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
    worker: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend { client, shared: Arc::new(Shared::new()), worker: std::sync::Mutex::new(None) }
    }

    fn start_worker(&self) {
        let mut w = lock(&self.worker);
        if w.is_none() {
            let (shared, client) = (self.shared.clone(), self.client.clone());
            // a large stack: the compiler recurses once per nesting level
            let h = std::thread::Builder::new()
                .name("gstack-diagnostics".into())
                .stack_size(64 << 20)
                .spawn(move || workspace::worker(shared, client))
                .expect("spawn the diagnostics thread");
            *w = Some(h);
        }
    }

    /// Run `f` with the file of `uri` and its text and line index.
    fn with_file<R>(&self, uri: &Uri, f: impl Fn(&Snapshot, SourceFile, &str, &LineIndex) -> Option<R>) -> Option<R> {
        let path = lock(&self.shared.state).path_of(uri)?;
        run(&self.shared.state, |snap| {
            let file = snap.source(&path)?;
            let text = file.text(&snap.db).clone();
            let li = LineIndex::new(&text);
            f(snap, file, &text, &li)
        })
    }
}

impl Backend {
    /// `gstack/memoryUsage` (no params): the live heap in bytes and blocks
    /// ([`crate::memory::live`], `null` when not counted), resident memory, and the sizes of
    /// what the server keeps per file — `{liveBytes, liveBlocks, residentBytes, documents,
    /// pendingEdits, published, publishedDiagnostics, knownFiles}`. For tests and for a user
    /// reporting a memory problem.
    pub async fn memory_usage(&self) -> Result<serde_json::Value> {
        let live = crate::memory::live();
        let (documents, pending_edits, known_files) = {
            let st = lock(&self.shared.state);
            (st.docs.len(), st.docs.values().map(|d| d.edits.len()).sum::<usize>(), st.known.len())
        };
        let (published, published_diagnostics) = {
            let p = lock(&self.shared.published);
            (p.len(), p.values().map(Vec::len).sum::<usize>())
        };
        Ok(serde_json::json!({
            "liveBytes": live.map(|l| l.0),
            "liveBlocks": live.map(|l| l.1),
            "residentBytes": crate::memory::resident(),
            "documents": documents,
            "pendingEdits": pending_edits,
            "published": published,
            "publishedDiagnostics": published_diagnostics,
            "knownFiles": known_files,
        }))
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.shared.stop();
    }
}

fn token_legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: ide::semantic_tokens::TokenType::ALL.iter().map(|t| SemanticTokenType::new(t.name())).collect(),
        token_modifiers: ide::semantic_tokens::MODIFIERS.iter().map(|m| SemanticTokenModifier::new(m)).collect(),
    }
}

/// A location in the protocol's terms.
fn location(snap: &Snapshot, path: &std::path::Path, span: gstack::syntax::Span) -> Option<Location> {
    let uri = snap.uri(path)?;
    let (text, li) = snap.text(path)?;
    Some(Location { uri, range: li.range(&text, span.start, span.end) })
}

/// Snippet text as plain text, for clients without snippet support.
fn plain(snippet: &str) -> String {
    let mut out = String::new();
    let mut rest = snippet;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('{') {
            let end = r.find('}').unwrap_or(r.len());
            let inner = &r[..end];
            let body = inner.split_once(':').map(|(_, b)| b.to_string()).or_else(|| inner.split_once('|').map(|(_, b)| b.trim_end_matches('|').split(',').next().unwrap_or("").to_string()));
            out.push_str(&body.unwrap_or_default());
            rest = &r[(end + 1).min(r.len())..];
        } else {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        }
    }
    out.push_str(rest);
    out
}

fn invalid(msg: impl Into<String>) -> Error {
    Error { code: ErrorCode::InvalidRequest, message: msg.into().into(), data: None }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        {
            let mut st = lock(&self.shared.state);
            let mut folders: Vec<PathBuf> = params.workspace_folders.iter().flatten().filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned())).collect();
            #[allow(deprecated)]
            if folders.is_empty() {
                if let Some(p) = params.root_uri.as_ref().and_then(|u| u.to_file_path()) {
                    folders.push(p.into_owned());
                }
            }
            st.folders = folders;
            st.snippets = params
                .capabilities
                .text_document
                .as_ref()
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false);
            st.watch = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false);
            let opts = params.initialization_options.as_ref();
            if let Some(dir) = opts.and_then(|o| o.get("stdDir")).and_then(|v| v.as_str()) {
                st.std_dir = PathBuf::from(dir);
            }
            if let Some(ms) = opts.and_then(|o| o.get("checkDelayMs")).and_then(|v| v.as_u64()) {
                *lock(&self.shared.check_delay) = Some(std::time::Duration::from_millis(ms));
            }
        }
        self.start_worker();
        Ok(InitializeResult {
            server_info: Some(ServerInfo { name: "gstack-lsp".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::UTF16),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions { trigger_characters: Some(vec![".".into(), "=".into(), ":".into(), "|".into()]), ..Default::default() }),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions { prepare_provider: Some(true), work_done_progress_options: Default::default() })),
                document_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: token_legend(),
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    ..Default::default()
                })),
                inlay_hint_provider: Some(OneOf::Left(true)),
                ..Default::default()
            },
            ..Default::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // watch .gstack files changed outside the editor (a `git checkout`, another tool)
        if !lock(&self.shared.state).watch {
            return;
        }
        let reg = Registration {
            id: "gstack-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher { glob_pattern: GlobPattern::String("**/*.gstack".into()), kind: None }],
            })
            .ok(),
        };
        let _ = self.client.register_capability(vec![reg]).await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.stop();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let path = {
            let mut st = lock(&self.shared.state);
            let Some(path) = st.path_of(&doc.uri) else { return };
            let std = path.starts_with("<std>");
            if !std {
                st.db.set_file(&path, doc.text.clone());
                st.known.insert(path.clone());
            }
            st.seq += 1;
            let seq = st.seq;
            st.docs.insert(path.clone(), Doc { uri: doc.uri, version: doc.version, text: doc.text, std, global: vec![], global_seq: seq, edits: vec![] });
            path
        };
        self.shared.changed([path]);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let path = {
            let mut guard = lock(&self.shared.state);
            let st = &mut *guard;
            let Some(path) = st.path_of(&params.text_document.uri) else { return };
            let Some(doc) = st.docs.get_mut(&path) else { return };
            if doc.std {
                return;
            }
            st.seq += 1;
            let seq = st.seq;
            for ch in params.content_changes {
                match ch.range {
                    Some(r) => {
                        let li = LineIndex::new(&doc.text);
                        let start = li.offset(&doc.text, r.start);
                        let end = li.offset(&doc.text, r.end).max(start);
                        doc.text.replace_range(start as usize..end as usize, &ch.text);
                        doc.edits.push(Edit { seq, start, old_end: end, new_len: ch.text.len() as u32 });
                    }
                    None => {
                        doc.edits.push(Edit { seq, start: 0, old_end: doc.text.len() as u32, new_len: ch.text.len() as u32 });
                        doc.text = ch.text;
                    }
                }
            }
            doc.version = params.text_document.version;
            let text = doc.text.clone();
            let t = std::time::Instant::now();
            st.db.set_file(&path, text);
            if std::env::var_os("GSTACK_LSP_TRACE").is_some() {
                eprintln!("gstack-lsp: didChange: set_file {:.2} ms", t.elapsed().as_secs_f64() * 1000.0);
            }
            path
        };
        self.shared.changed([path]);
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let (path, uri, forget) = {
            let mut st = lock(&self.shared.state);
            let Some(path) = st.path_of(&params.text_document.uri) else { return };
            let Some(doc) = st.docs.remove(&path) else { return };
            if doc.std {
                return;
            }
            // the file on disk is the truth again (missing, if it is not there)
            let f = st.db.reload(&path);
            let forget = f.status(&st.db).is_err() || !st.scanned || !st.folders.iter().any(|f| path.starts_with(f));
            if forget {
                st.known.remove(&path);
            }
            (path, doc.uri, forget)
        };
        if forget {
            lock(&self.shared.published).remove(uri.as_str());
            self.client.publish_diagnostics(uri, vec![], None).await;
        }
        self.shared.changed([path]);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut changed = vec![];
        let created_or_deleted = params.changes.iter().any(|ev| ev.typ == FileChangeType::CREATED || ev.typ == FileChangeType::DELETED);
        {
            let mut st = lock(&self.shared.state);
            for ev in params.changes {
                let Some(path) = st.path_of(&ev.uri) else { continue };
                if st.docs.contains_key(&path) || path.starts_with("<std>") {
                    continue; // the editor's buffer wins
                }
                // created, changed or deleted: the disk's state becomes the input's, so a
                // file created after an import named it is found, and a deleted one is missing
                st.db.reload(&path);
                if ev.typ == FileChangeType::DELETED {
                    st.known.remove(&path);
                } else {
                    st.known.insert(path.clone());
                }
                changed.push(path);
            }
            // a file that appeared or went may be an import no stack could resolve, so no
            // stack lists it among its files: check every stack again (memoised, so the
            // stacks that do not name it cost a lookup)
            if created_or_deleted {
                changed.extend(st.docs.keys().cloned());
                changed.extend(st.known.iter().cloned());
            }
        }
        self.shared.changed(changed);
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        Ok(self.with_file(&p.text_document.uri, |snap, file, text, li| {
            let off = li.offset(text, p.position);
            let stack = snap.stack_of(file);
            let h = ide::hover::hover(&snap.db, file, off, &stack)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: h.markdown }),
                range: Some(li.range(text, h.span.start, h.span.end)),
            })
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        Ok(self.with_file(&p.text_document.uri, |snap, file, text, li| {
            use ide::completion::CompletionKind as K;
            let off = li.offset(text, p.position);
            let stack = snap.stack_of(file);
            let c = ide::completion::completion(&snap.db, file, off, &stack);
            let range = li.range(text, c.replace.start, c.replace.end);
            let items = c
                .items
                .into_iter()
                .enumerate()
                .map(|(i, it)| {
                    let (new_text, snippet) = match (&it.insert, it.snippet, snap.snippets) {
                        (Some(s), true, true) => (s.clone(), true),
                        (Some(s), true, false) => (plain(s), false),
                        (Some(s), false, _) => (s.clone(), false),
                        (None, _, _) => (it.label.clone(), false),
                    };
                    let filter = if it.label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                        None
                    } else {
                        Some(it.label.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.').collect::<String>())
                    };
                    CompletionItem {
                        label: it.label.clone(),
                        kind: Some(match it.kind {
                            K::Field => CompletionItemKind::FIELD,
                            K::Block => CompletionItemKind::STRUCT,
                            K::Keyword => CompletionItemKind::KEYWORD,
                            K::EnumValue => CompletionItemKind::ENUM_MEMBER,
                            K::Unit => CompletionItemKind::UNIT,
                            K::Variable => CompletionItemKind::VARIABLE,
                            K::Function => CompletionItemKind::FUNCTION,
                            K::Module => CompletionItemKind::MODULE,
                            K::Reference => CompletionItemKind::REFERENCE,
                            K::Snippet => CompletionItemKind::SNIPPET,
                        }),
                        detail: it.detail,
                        documentation: it.doc.map(|d| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: d })),
                        insert_text_format: Some(if snippet { InsertTextFormat::SNIPPET } else { InsertTextFormat::PLAIN_TEXT }),
                        text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text })),
                        filter_text: filter,
                        sort_text: Some(format!("{i:04}")),
                        ..Default::default()
                    }
                })
                .collect();
            Some(CompletionResponse::List(CompletionList { is_incomplete: false, items }))
        }))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        Ok(self.with_file(&p.text_document.uri, |snap, file, text, li| {
            let off = li.offset(text, p.position);
            let stack = snap.stack_of(file);
            let (span, targets) = ide::goto_definition::goto_definition(&snap.db, file, off, &stack)?;
            let origin = li.range(text, span.start, span.end);
            let links: Vec<LocationLink> = targets
                .into_iter()
                .filter_map(|t| {
                    let uri = snap.uri(&t.path)?;
                    let (tt, tl) = snap.text(&t.path)?;
                    Some(LocationLink {
                        origin_selection_range: Some(origin),
                        target_uri: uri,
                        target_range: tl.range(&tt, t.full.start, t.full.end),
                        target_selection_range: tl.range(&tt, t.focus.start, t.focus.end),
                    })
                })
                .collect();
            if links.is_empty() {
                return None;
            }
            // plain locations: every client understands them
            Some(GotoDefinitionResponse::Array(links.into_iter().map(|l| Location { uri: l.target_uri, range: l.target_selection_range }).collect()))
        }))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        Ok(self.with_file(&p.text_document.uri, |snap, file, text, li| {
            let off = li.offset(text, p.position);
            let stack = snap.stack_of(file);
            let files = snap.all_files();
            let refs = ide::references::references(&snap.db, file, off, &files, &stack, include);
            Some(refs.into_iter().filter_map(|r| location(snap, &r.path, r.span)).collect())
        }))
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let res = self.with_file(&params.text_document.uri, |snap, file, text, li| {
            let off = li.offset(text, params.position);
            let stack = snap.stack_of(file);
            Some(ide::rename::prepare_rename(&snap.db, file, off, &stack).map(|(span, name)| (li.range(text, span.start, span.end), name)))
        });
        match res {
            Some(Ok((range, placeholder))) => Ok(Some(PrepareRenameResponse::RangeWithPlaceholder { range, placeholder })),
            Some(Err(e)) => Err(invalid(e)),
            None => Ok(None),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let res = self.with_file(&p.text_document.uri, |snap, file, text, li| {
            let off = li.offset(text, p.position);
            let stack = snap.stack_of(file);
            let files = snap.all_files();
            Some(ide::rename::rename(&snap.db, file, off, &params.new_name, &files, &stack).map(|edits| {
                let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
                for e in edits {
                    if let Some(loc) = location(snap, &e.path, e.span) {
                        changes.entry(loc.uri).or_default().push(TextEdit { range: loc.range, new_text: e.text });
                    }
                }
                WorkspaceEdit { changes: Some(changes), ..Default::default() }
            }))
        });
        match res {
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(e)) => Err(invalid(e)),
            None => Ok(None),
        }
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        Ok(self.with_file(&params.text_document.uri, |snap, file, text, li| {
            fn conv(s: ide::document_symbols::Symbol, text: &str, li: &LineIndex) -> DocumentSymbol {
                use ide::document_symbols::SymbolKind as K;
                #[allow(deprecated)]
                DocumentSymbol {
                    name: if s.name.is_empty() { "?".into() } else { s.name },
                    detail: s.detail,
                    kind: match s.kind {
                        K::Import => SymbolKind::MODULE,
                        K::Let => SymbolKind::CONSTANT,
                        K::Fn => SymbolKind::FUNCTION,
                        K::Stack => SymbolKind::NAMESPACE,
                        K::Component => SymbolKind::MODULE,
                        K::Datasource => SymbolKind::INTERFACE,
                        K::Dashboard => SymbolKind::CLASS,
                        K::Row => SymbolKind::STRUCT,
                        K::Panel => SymbolKind::OBJECT,
                        K::Variable => SymbolKind::VARIABLE,
                        K::Alert => SymbolKind::EVENT,
                        K::Rules => SymbolKind::FILE,
                        K::Target => SymbolKind::PACKAGE,
                        K::Receiver => SymbolKind::INTERFACE,
                        K::Route => SymbolKind::KEY,
                        K::Scrape => SymbolKind::PROPERTY,
                        K::Block => SymbolKind::OBJECT,
                    },
                    tags: None,
                    deprecated: None,
                    range: li.range(text, s.span.start, s.span.end),
                    selection_range: li.range(text, s.selection.start, s.selection.end),
                    children: if s.children.is_empty() { None } else { Some(s.children.into_iter().map(|c| conv(c, text, li)).collect()) },
                }
            }
            let syms = ide::document_symbols::document_symbols(&snap.db, file);
            Some(DocumentSymbolResponse::Nested(syms.into_iter().map(|s| conv(s, text, li)).collect()))
        }))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let res = self.with_file(&params.text_document.uri, |_, _, text, li| {
            Some(match gstack::syntax::fmt::format(text) {
                Ok(out) if out == text => Ok(vec![]),
                Ok(out) => Ok(vec![TextEdit { range: li.range(text, 0, text.len() as u32), new_text: out }]),
                Err(e) => Err(e.to_string()),
            })
        });
        match res {
            Some(Ok(edits)) => Ok(Some(edits)),
            Some(Err(e)) => {
                self.client.log_message(MessageType::INFO, format!("gstack: not formatted: {e}")).await;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        Ok(self.with_file(&params.text_document.uri, |snap, file, text, li| {
            let toks = ide::semantic_tokens::semantic_tokens(&snap.db, file);
            let mut data = Vec::with_capacity(toks.len());
            let (mut line, mut col) = (0u32, 0u32);
            for t in toks {
                let p = li.position(text, t.span.start);
                let len = LineIndex::utf16_len(text, t.span.start, t.span.end);
                if len == 0 {
                    continue;
                }
                let delta_line = p.line - line;
                let delta_start = if delta_line == 0 { p.character - col } else { p.character };
                data.push(SemanticToken { delta_line, delta_start, length: len, token_type: t.ty.index(), token_modifiers_bitset: t.modifiers });
                line = p.line;
                col = p.character;
            }
            Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
        }))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        Ok(self.with_file(&params.text_document.uri, |snap, file, text, li| {
            let (a, b) = (li.offset(text, params.range.start), li.offset(text, params.range.end));
            let stack = snap.stack_of(file);
            let hints = ide::inlay_hints::inlay_hints(&snap.db, file, gstack::syntax::Span { start: a, end: b }, &stack);
            Some(
                hints
                    .into_iter()
                    .map(|h| InlayHint {
                        position: li.position(text, h.offset),
                        label: InlayHintLabel::String(h.label),
                        kind: Some(InlayHintKind::PARAMETER),
                        text_edits: None,
                        tooltip: None,
                        padding_left: None,
                        padding_right: Some(true),
                        data: None,
                    })
                    .collect(),
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn snippets_become_plain_text() {
        assert_eq!(super::plain("retention = $0"), "retention = ");
        assert_eq!(super::plain("stack ${1:name} {\n\t$0\n}"), "stack name {\n\t\n}");
        assert_eq!(super::plain("target ${1|native,systemd|} {}"), "target native {}");
        assert_eq!(super::plain("promql`$0`"), "promql``");
    }
}
