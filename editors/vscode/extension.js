// The VS Code client: starts `templating lsp` (stdio) for Velocity templates and keeps it
// told about saved scenarios, partials and config, so diagnostics follow the data.
// Everything the editor shows comes from the server; this file only wires it up.
"use strict";

const fs = require("fs");
const path = require("path");
const vscode = require("vscode");
const {LanguageClient, TransportKind} = require("vscode-languageclient/node");

let client;

function serverCommand(folder) {
  const configured = vscode.workspace.getConfiguration("templating").get("command")
    || ["templating", "lsp"];
  let [program, ...args] = configured;
  // `.venv/bin/templating` and friends: relative to the workspace folder when it is there
  if (folder && !path.isAbsolute(program) && program.includes("/")) {
    const local = path.join(folder, program);
    if (fs.existsSync(local)) program = local;
  }
  return {command: program, args, transport: TransportKind.stdio,
          options: {cwd: folder || undefined}};
}

function activate(context) {
  const folders = vscode.workspace.workspaceFolders || [];
  const folder = folders.length ? folders[0].uri.fsPath : undefined;
  const run = serverCommand(folder);
  client = new LanguageClient("templating", "templating (Velocity)",
    {run, debug: run},
    {
      documentSelector: [{scheme: "file", language: "velocity-html"}],
      synchronize: {
        // a scenario, partial or config saved outside the editor re-lints open templates
        fileEvents: vscode.workspace.createFileSystemWatcher(
          "**/{*.json,*.html,*.htm,*.vm,*.vtl,*.txt,templating.toml,pyproject.toml}"),
      },
    });
  context.subscriptions.push({dispose: () => client && client.stop()});
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = {activate, deactivate};
