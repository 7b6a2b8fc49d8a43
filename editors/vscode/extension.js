// The corofy extension: .gocoro files get corofy lsp, a language server in
// front of gopls (go doc github.com/corofy/corofy/lsp).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("corofy");
  const selector = [{ scheme: "file", language: "gocoro" }];
  if (config.get("serveGoFiles")) {
    selector.push({ scheme: "file", language: "go" });
  }
  client = new LanguageClient(
    "corofy",
    "corofy lsp",
    { command: config.get("path"), args: ["lsp"] },
    { documentSelector: selector }
  );
  client.start();
  context.subscriptions.push(client);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
