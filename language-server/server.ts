// The VMX language server: LSP glue only. Every answer comes from language-server/analysis (pure TypeScript);
// this file converts positions and shapes, keeps per-document state, debounces analysis and never lets an
// exception escape (each handler catches, logs and answers with nothing).
// Started as `node dist/server.js --stdio` or `--node-ipc` (createConnection reads the transport from argv).
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  type CodeAction,
  CodeActionKind,
  type CompletionItem,
  CompletionItemKind,
  createConnection,
  type Diagnostic,
  DiagnosticSeverity,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type InitializeParams,
  type InitializeResult,
  type InlayHint,
  InlayHintKind,
  InsertTextFormat,
  type Location,
  MarkupKind,
  ProposedFeatures,
  SymbolKind,
  type TextDocumentChangeEvent,
  TextDocumentSyncKind,
  TextDocuments,
  type WorkspaceEdit,
  type WorkspaceSymbol,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { DEFAULT_VMX_SETTINGS, VMX_SETTINGS_SECTION, type VmxSettings } from "../protocol/vmx-settings";
import { codeActionsAt } from "./analysis/code-actions";
import { type CompletionKind, completionsAt } from "./analysis/completion";
import { foldingRanges } from "./analysis/folding";
import { hoverAt } from "./analysis/hover";
import { type Analysis, type AnalysisSettings, analyze, ParseCache } from "./analysis/index";
import { inlayHints } from "./analysis/inlay";
import { definitionAt, referencesAt, renameAt } from "./analysis/navigation";
import { SEMANTIC_TOKEN_MODIFIERS, SEMANTIC_TOKEN_TYPES, semanticTokens } from "./analysis/semantic-tokens";
import { documentSymbols, type OutlineSymbol, workspaceSymbols } from "./analysis/symbols";
import type { AnalysisDiagnostic, CodeFix, Severity, TextEdit } from "./analysis/types";

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const cache = new ParseCache();

let settings: VmxSettings = { ...DEFAULT_VMX_SETTINGS };
let workspaceRoots: string[] = [];

/** How long to wait after the last keystroke before re-analysing (ms). Short: analysis is incremental enough. */
const DEBOUNCE_MS = 10;

interface DocState {
  version: number;
  analysis?: Analysis;
  timer?: ReturnType<typeof setTimeout>;
}
const states = new Map<string, DocState>();

function log(message: string): void {
  connection.console.error(`[vmx] ${message}`);
}

function safe<A extends unknown[], R>(name: string, fallback: R, fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch (e) {
      log(`${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  };
}

process.on("uncaughtException", (e) => log(`uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
process.on("unhandledRejection", (e) => log(`unhandled rejection: ${String(e)}`));

export function uriToPath(uri: string): string {
  if (uri.startsWith("file:")) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}

function pathToUri(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)) return path;
  return pathToFileURL(path).toString();
}

const openByPath = new Map<string, TextDocument>();

function readFile(path: string): string | undefined {
  const open = openByPath.get(path);
  if (open) return open.getText();
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function analysisSettings(): AnalysisSettings {
  return {
    cpuModel: settings.cpuModel,
    syntax: settings.syntax,
    includePaths: [...settings.includePaths, ...workspaceRoots],
    rules: settings.rules,
  };
}

function mergeSettings(raw: unknown): void {
  if (!raw || typeof raw !== "object") return;
  const r = raw as Partial<VmxSettings> & { rules?: Record<string, string> };
  const next: VmxSettings = { ...settings };
  if (typeof r.cpuModel === "string") next.cpuModel = r.cpuModel;
  if (r.syntax === "auto" || r.syntax === "gas" || r.syntax === "nasm") next.syntax = r.syntax;
  if (Array.isArray(r.includePaths))
    next.includePaths = r.includePaths.filter((p): p is string => typeof p === "string");
  if (r.rules && typeof r.rules === "object") next.rules = { ...(r.rules as VmxSettings["rules"]) };
  if (r.completionInsert === "name" || r.completionInsert === "encoding") next.completionInsert = r.completionInsert;
  if (typeof r.inlayHints === "boolean") next.inlayHints = r.inlayHints;
  settings = next;
}

// ---------------------------------------------------------------------------------------------------------
// Analysis scheduling

function runAnalysis(doc: TextDocument): Analysis {
  const path = uriToPath(doc.uri);
  return analyze({
    file: path,
    text: doc.getText(),
    languageId: doc.languageId,
    settings: analysisSettings(),
    readFile,
    cache,
  });
}

/** The analysis of the document's current version (computed now if the debounced one has not run yet). */
function currentAnalysis(uri: string): Analysis | undefined {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  const st = states.get(uri) ?? { version: -1 };
  states.set(uri, st);
  if (!st.analysis || st.version !== doc.version) {
    st.analysis = runAnalysis(doc);
    st.version = doc.version;
  }
  return st.analysis;
}

const toLspSeverity: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function toLspDiagnostic(d: AnalysisDiagnostic): Diagnostic {
  return {
    range: d.range,
    severity: toLspSeverity[d.severity],
    code: d.code,
    source: "vmx",
    message: d.message,
  };
}

function publish(uri: string): void {
  const doc = documents.get(uri);
  if (!doc) return;
  let diagnostics: Diagnostic[] = [];
  try {
    const a = currentAnalysis(uri);
    const path = uriToPath(uri);
    diagnostics = (a?.diagnostics ?? []).filter((d) => d.file === path).map(toLspDiagnostic);
  } catch (e) {
    log(`analysis of ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
}

function schedule(uri: string, delay: number): void {
  const st = states.get(uri) ?? { version: -1 };
  states.set(uri, st);
  if (st.timer) clearTimeout(st.timer);
  st.timer = setTimeout(() => {
    st.timer = undefined;
    publish(uri);
  }, delay);
}

function reanalyzeAll(): void {
  for (const doc of documents.all()) {
    const st = states.get(doc.uri);
    if (st) st.analysis = undefined;
    schedule(doc.uri, 0);
  }
}

documents.onDidOpen(
  safe("open", undefined, (e: TextDocumentChangeEvent<TextDocument>) => {
    openByPath.set(uriToPath(e.document.uri), e.document);
    schedule(e.document.uri, 0);
  }),
);
documents.onDidChangeContent(
  safe("change", undefined, (e: TextDocumentChangeEvent<TextDocument>) => {
    openByPath.set(uriToPath(e.document.uri), e.document);
    schedule(e.document.uri, DEBOUNCE_MS);
    // Files that include this one see the change too.
    const path = uriToPath(e.document.uri);
    for (const [uri, st] of states) {
      if (uri === e.document.uri || !st.analysis) continue;
      if ([...st.analysis.unit.files.keys()].includes(path)) {
        st.analysis = undefined;
        schedule(uri, DEBOUNCE_MS * 5);
      }
    }
  }),
);
documents.onDidClose(
  safe("close", undefined, (e: TextDocumentChangeEvent<TextDocument>) => {
    const st = states.get(e.document.uri);
    if (st?.timer) clearTimeout(st.timer);
    states.delete(e.document.uri);
    openByPath.delete(uriToPath(e.document.uri));
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  }),
);

// ---------------------------------------------------------------------------------------------------------
// Lifecycle and settings

let clientPullsConfiguration = false;

connection.onInitialize((params: InitializeParams): InitializeResult => {
  try {
    mergeSettings(params.initializationOptions?.[VMX_SETTINGS_SECTION] ?? params.initializationOptions);
    clientPullsConfiguration = !!params.capabilities.workspace?.configuration;
    workspaceRoots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (workspaceRoots.length === 0 && params.rootUri) workspaceRoots = [uriToPath(params.rootUri)];
  } catch (e) {
    log(`initialize: ${String(e)}`);
  }
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ["%", ".", "$", "_"], resolveProvider: false },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      foldingRangeProvider: true,
      inlayHintProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
      semanticTokensProvider: {
        legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [...SEMANTIC_TOKEN_MODIFIERS] },
        full: true,
      },
    },
    serverInfo: { name: "vmx-language-server", version: "0.1.0" },
  };
});

connection.onInitialized(() => {
  if (clientPullsConfiguration) void pullConfiguration();
});

async function pullConfiguration(): Promise<void> {
  try {
    const raw: unknown = await connection.workspace.getConfiguration(VMX_SETTINGS_SECTION);
    mergeSettings(raw);
    reanalyzeAll();
  } catch (e) {
    log(`configuration: ${String(e)}`);
  }
}

connection.onDidChangeConfiguration(
  safe("configuration", undefined, (change: { settings: unknown }) => {
    const s = change.settings as Record<string, unknown> | null | undefined;
    if (s && typeof s === "object" && VMX_SETTINGS_SECTION in s) mergeSettings(s[VMX_SETTINGS_SECTION]);
    else if (clientPullsConfiguration) {
      void pullConfiguration();
      return;
    }
    reanalyzeAll();
  }),
);

// ---------------------------------------------------------------------------------------------------------
// Features: each converts one analysis answer to its LSP shape.

function withAnalysis<T>(uri: string, fallback: T, fn: (a: Analysis, doc: TextDocument) => T): T {
  try {
    const a = currentAnalysis(uri);
    const doc = documents.get(uri);
    return a && doc ? fn(a, doc) : fallback;
  } catch (e) {
    log(`request on ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return fallback;
  }
}

connection.onHover((p): Hover | null =>
  withAnalysis(p.textDocument.uri, null, (a) => {
    const h = hoverAt(a, p.position, modelName());
    return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: h.range } : null;
  }),
);

function modelName(): string {
  return settings.cpuModel;
}

const completionKinds: Record<CompletionKind, CompletionItemKind> = {
  mnemonic: CompletionItemKind.Keyword,
  register: CompletionItemKind.Variable,
  directive: CompletionItemKind.Keyword,
  field: CompletionItemKind.Constant,
  msr: CompletionItemKind.Constant,
  label: CompletionItemKind.Reference,
  constant: CompletionItemKind.Constant,
  macro: CompletionItemKind.Function,
};

connection.onCompletion((p): CompletionItem[] =>
  withAnalysis(p.textDocument.uri, [], (a, doc) => {
    const line = doc.getText({ start: { line: p.position.line, character: 0 }, end: p.position });
    return completionsAt(a, p.position, line, settings.completionInsert).map((c) => {
      const item: CompletionItem = { label: c.label, kind: completionKinds[c.kind] };
      if (c.detail) item.detail = c.detail;
      if (c.documentation) item.documentation = { kind: MarkupKind.Markdown, value: c.documentation };
      if (c.insertText) {
        item.insertText = c.insertText;
        item.insertTextFormat = InsertTextFormat.PlainText;
      }
      if (c.filterText) item.filterText = c.filterText;
      if (c.sortText) item.sortText = c.sortText;
      if (c.additionalEdits?.length)
        item.additionalTextEdits = c.additionalEdits.map((e) => ({ range: e.range, newText: e.newText }));
      return item;
    });
  }),
);

connection.onDefinition((p): Location[] =>
  withAnalysis(p.textDocument.uri, [], (a) =>
    definitionAt(a, p.position).map((l) => ({ uri: pathToUri(l.file), range: l.range })),
  ),
);

connection.onReferences((p): Location[] =>
  withAnalysis(p.textDocument.uri, [], (a) =>
    referencesAt(a, p.position, p.context.includeDeclaration).map((l) => ({ uri: pathToUri(l.file), range: l.range })),
  ),
);

connection.onPrepareRename((p) =>
  withAnalysis(p.textDocument.uri, null, (a) => {
    const r = renameAt(a, p.position, "x");
    return r ? { range: r.range, placeholder: r.oldName } : null;
  }),
);

connection.onRenameRequest((p): WorkspaceEdit | null =>
  withAnalysis(p.textDocument.uri, null, (a) => {
    const r = renameAt(a, p.position, p.newName);
    if (!r) return null;
    const changes: NonNullable<WorkspaceEdit["changes"]> = {};
    for (const e of r.edits) addEdit(changes, e);
    return { changes };
  }),
);

const symbolKinds: Record<OutlineSymbol["kind"], SymbolKind> = {
  label: SymbolKind.Function,
  constant: SymbolKind.Constant,
  macro: SymbolKind.Module,
  section: SymbolKind.Namespace,
  data: SymbolKind.Variable,
};

function toDocumentSymbol(s: OutlineSymbol): DocumentSymbol {
  const d: DocumentSymbol = {
    name: s.name,
    kind: symbolKinds[s.kind],
    range: s.range,
    selectionRange: s.selectionRange,
  };
  if (s.detail) d.detail = s.detail;
  if (s.children.length) d.children = s.children.map(toDocumentSymbol);
  return d;
}

connection.onDocumentSymbol((p): DocumentSymbol[] =>
  withAnalysis(p.textDocument.uri, [], (a) => documentSymbols(a).map(toDocumentSymbol)),
);

connection.onWorkspaceSymbol(
  safe("workspaceSymbol", [] as WorkspaceSymbol[], (p: { query: string }): WorkspaceSymbol[] => {
    const analyses = documents
      .all()
      .map((d) => currentAnalysis(d.uri))
      .filter((a): a is Analysis => !!a);
    return workspaceSymbols(analyses, p.query).map((s) => ({
      name: s.name,
      kind: symbolKinds[s.kind],
      location: { uri: pathToUri(s.file), range: s.range },
      ...(s.container ? { containerName: s.container } : {}),
    }));
  }),
);

connection.onFoldingRanges((p): FoldingRange[] =>
  withAnalysis(p.textDocument.uri, [], (a) =>
    foldingRanges(a).map((f) => ({ startLine: f.startLine, endLine: f.endLine, ...(f.kind ? { kind: f.kind } : {}) })),
  ),
);

connection.languages.inlayHint.on((p): InlayHint[] =>
  withAnalysis(p.textDocument.uri, [], (a) => {
    if (!settings.inlayHints) return [];
    return inlayHints(a, p.range).map((h) => ({
      position: h.position,
      label: h.label,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      ...(h.tooltip ? { tooltip: h.tooltip } : {}),
    }));
  }),
);

connection.languages.semanticTokens.on((p) =>
  withAnalysis(p.textDocument.uri, { data: [] }, (a) => ({ data: semanticTokens(a) })),
);

function toWorkspaceEdit(fix: CodeFix): WorkspaceEdit {
  const changes: NonNullable<WorkspaceEdit["changes"]> = {};
  for (const e of fix.edits) addEdit(changes, e);
  return { changes };
}

function addEdit(changes: NonNullable<WorkspaceEdit["changes"]>, e: TextEdit): void {
  const uri = pathToUri(e.file);
  const list = changes[uri] ?? [];
  list.push({ range: e.range, newText: e.newText });
  changes[uri] = list;
}

connection.onCodeAction((p): CodeAction[] =>
  withAnalysis(p.textDocument.uri, [], (a) =>
    codeActionsAt(a, p.range, settings.cpuModel).map((c) => {
      const action: CodeAction = {
        title: c.fix.title,
        kind: c.kind === "quickfix" ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
        edit: toWorkspaceEdit(c.fix),
      };
      if (c.fix.preferred) action.isPreferred = true;
      if (c.diagnostic) action.diagnostics = [toLspDiagnostic(c.diagnostic)];
      return action;
    }),
  ),
);

documents.listen(connection);
connection.listen();
