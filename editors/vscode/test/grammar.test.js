// Tokenizes sample templates with VS Code's own TextMate engine (vscode-textmate +
// vscode-oniguruma, the regex library VS Code uses) and checks the Velocity scopes.
//
//   node test/grammar.test.js [TEMPLATE...]
//
// The built-in cases pin what each construct is scoped as; every TEMPLATE given (the
// project's shipped examples) must tokenize with every `$name` a variable and every
// `#end`/`#if(`/`#foreach(` a directive, wherever it sits (text, attribute, <!-- -->).
// Prints one JSON line {"cases": n, "templates": n, "failures": [...]}; exit 1 on failure.
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const GRAMMAR = path.join(__dirname, "..", "syntaxes", "velocity-html.tmLanguage.json");

const CASES = [
  // [line, text of a token, a scope it must have]
  ["Hello $data.name!", "$", "punctuation.definition.variable.velocity"],
  ["Hello $data.name!", "data", "variable.other.velocity"],
  ["Hello $data.name!", "name", "variable.other.property.velocity"],
  ["Hello $data.name!", "!", null],                       // plain text after the reference
  ["$!data.get('firstName')", "!", "keyword.operator.quiet.velocity"],
  ["$!data.get('firstName')", "get", "entity.name.function.method.velocity"],
  ["$!data.get('firstName')", "'firstName'", "string.quoted.single.velocity"],
  ["${data.total|'0'}", "{", "punctuation.definition.variable.begin.velocity"],
  ["${data.total|'0'}", "|", "keyword.operator.alternate.velocity"],
  ["$data.items[0].price", "price", "variable.other.property.velocity"],
  ["$data.items[0].price", "0", "constant.numeric.velocity"],
  ["#if($data.vip && $data.total > 10)VIP#end", "if", "keyword.control.directive.velocity"],
  ["#if($data.vip && $data.total > 10)VIP#end", "&&", "keyword.operator.velocity"],
  ["#if($data.vip && $data.total > 10)VIP#end", "10", "constant.numeric.velocity"],
  ["#if($data.vip && $data.total > 10)VIP#end", "end", "keyword.control.directive.velocity"],
  ["#{else}x#{end}", "else", "keyword.control.directive.velocity"],
  ["#foreach($item in $data.items)", "in", "keyword.operator.word.velocity"],
  ["#set($total = $mathTool.add($a, 1))", "add", "entity.name.function.method.velocity"],
  ["#set($s = \"Hi $data.name\")", "name", "variable.other.property.velocity"],
  ["#set($s = \"Hi $data.name\")", "Hi ", "string.quoted.double.velocity"],
  ["#macro(card $title)<b>$title</b>#end", "macro", "keyword.control.directive.velocity"],
  ["#card('Sale')", "card", "entity.name.function.macro.velocity"],
  ["#@box()inside#end", "@box", "entity.name.function.macro.velocity"],
  ["## a line comment $data.x", "## a line comment $data.x", "comment.line.double-number-sign.velocity"],
  ["#* block $data.x *#", " block $data.x ", "comment.block.velocity"],
  ["#[[ $raw #if ]]#", " $raw #if ", "markup.raw.unparsed.velocity"],
  ["\\$data.name", "\\$data.name", "constant.character.escape.velocity"],
  ["<!--#if($item.get('size'))-->", "if", "keyword.control.directive.velocity"],
  ["<a href=\"$!item.get('url')\">x</a>", "item", "variable.other.velocity"],
  ["<a href=\"$!item.get('url')\">x</a>", "'url'", "string.quoted.single.velocity"],
  // near misses: HTML that only looks like Velocity stays HTML
  ["<td style=\"color:#fff\">#</td>", "color:#fff", null],
  ["<a href=\"#top\">up</a>", "#top", null],
  ["Price: 5$ only", "$ only", null],
  ["$data.name. Next", ". Next", null],
];

function tokensOf(grammar, line) {
  return grammar.tokenizeLine(line, vsctm.INITIAL).tokens.map((t) => (
    {start: t.startIndex, end: t.endIndex, text: line.substring(t.startIndex, t.endIndex),
     scopes: t.scopes}));
}

function isVelocity(scopes) {
  return scopes.some((s) => s.endsWith(".velocity") && s !== "text.html.velocity");
}

// A case passes when the token where `text` first starts has `scope`; with a null scope,
// when no token overlapping `text` has a Velocity scope.
function check(grammar, [line, text, scope]) {
  const at = line.indexOf(text);
  if (at < 0) return {line, text, problem: "text not in line"};
  const tokens = tokensOf(grammar, line);
  if (scope === null) {
    const bad = tokens.filter((t) => t.end > at && t.start < at + text.length && isVelocity(t.scopes));
    return bad.length ? {line, text, scope, got: bad.map((t) => [t.text, t.scopes])} : null;
  }
  const token = tokens.find((t) => t.start <= at && at < t.end);
  return token.scopes.includes(scope) ? null : {line, text, scope, got: [token.text, token.scopes]};
}

async function main() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    // text.html.basic is VS Code's own HTML grammar; without it the Velocity layer is tested
    loadGrammar: async (scopeName) => scopeName === "text.html.velocity"
      ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null,
  });
  const grammar = await registry.loadGrammar("text.html.velocity");
  const failures = [];

  for (const testCase of CASES) {
    const failure = check(grammar, testCase);
    if (failure) failures.push(failure);
  }

  const templates = process.argv.slice(2);
  for (const file of templates) {
    let state = vsctm.INITIAL;
    const lines = fs.readFileSync(file, "utf8").split(/\r\n|\r|\n/);
    lines.forEach((line, index) => {
      const result = grammar.tokenizeLine(line, state);
      state = result.ruleStack;
      for (const t of result.tokens) {
        const text = line.substring(t.startIndex, t.endIndex);
        const before = line.substring(0, t.startIndex);
        if (/^[a-zA-Z_]/.test(text) && /\$!?\{?$/.test(before)
            && !t.scopes.includes("variable.other.velocity")
            && !t.scopes.some((s) => s.startsWith("comment.") || s.startsWith("markup.raw"))) {
          failures.push({file, line: index + 1, text, scope: "variable.other.velocity", got: t.scopes});
        }
        if (/^(end|if|foreach|else|elseif|set)$/.test(text) && /#\{?$/.test(before)
            && !t.scopes.includes("keyword.control.directive.velocity")
            && !t.scopes.some((s) => s.startsWith("comment.") || s.startsWith("markup.raw"))) {
          failures.push({file, line: index + 1, text, scope: "keyword.control.directive.velocity", got: t.scopes});
        }
      }
    });
  }

  console.log(JSON.stringify({cases: CASES.length, templates: templates.length, failures}));
  process.exit(failures.length ? 1 : 0);
}

main().catch((err) => {
  console.log(JSON.stringify({error: String(err && err.stack || err)}));
  process.exit(2);
});
