// The gstack extension: starts `gstackc lsp` (the language server) for .gstack files.
// Highlighting comes from the TextMate grammar, refined by the server's semantic tokens.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const cfg = vscode.workspace.getConfiguration('gstack');
  const command = cfg.get('server.path', 'gstackc');
  const args = cfg.get('server.args', ['lsp']);
  const delay = cfg.get('checkDelayMs', null);
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'gstack' }],
    initializationOptions: delay === null ? {} : { checkDelayMs: delay },
  };
  client = new LanguageClient('gstack', 'gstack language server', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
