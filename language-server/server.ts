// The VMX language server: LSP glue only. Every answer comes from language-server/analysis (pure TypeScript);
// this file converts positions and shapes, keeps per-document state, debounces analysis and never lets an
// exception escape (each handler catches, logs and answers with nothing).
// Started as `node dist/server.js --stdio` or `--node-ipc` (createConnection reads the transport from argv).
import { existsSync, readFileSync } from "node:fs";
import { readFile as readFileAsync } from "node:fs/promises";
import { isAbsolute, join, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import {
  type CodeAction,
  CodeActionKind,
  type CompletionItem,
  CompletionItemKind,
  createConnection,
  type Diagnostic,
  DiagnosticSeverity,
  type DidChangeTextDocumentParams,
  DidChangeWatchedFilesNotification,
  type DidChangeWatchedFilesParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
  type DocumentSymbol,
  FileChangeType,
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
  type Range,
  SymbolKind,
  type TextDocumentContentChangeEvent,
  TextDocumentSyncKind,
  type WorkspaceEdit,
  type WorkspaceFoldersChangeEvent,
  type WorkspaceSymbol,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { DEFAULT_VMX_SETTINGS, VMX_SETTINGS_SECTION, type VmxSettings } from "../protocol/vmx-settings";
import { codeActionsAt } from "./analysis/code-actions";
import { type CompletionKind, completionsAt } from "./analysis/completion";
import { foldingRanges } from "./analysis/folding";
import { INCLUDE_FILE } from "./analysis/frontend";
import { hoverAt } from "./analysis/hover";
import {
  type Analysis,
  type AnalysisSettings,
  analyze,
  diagnosticsForFile,
  type FrontendResult,
  ParseCache,
  resolveSyntax,
} from "./analysis/index";
import { inlayHints } from "./analysis/inlay";
import { targetAt } from "./analysis/locate";
import { definitionAt, referencesAt, renameAt } from "./analysis/navigation";
import { SEMANTIC_TOKEN_MODIFIERS, SEMANTIC_TOKEN_TYPES, semanticTokens } from "./analysis/semantic-tokens";
import { documentSymbols, type OutlineSymbol, workspaceSymbols } from "./analysis/symbols";
import type { AnalysisDiagnostic, CodeFix, Severity, TextEdit } from "./analysis/types";
import { AssemblerPool, isAssemblerWorker, runAssemblerWorker } from "./assembler-worker";
import { exposeFullGc } from "./gc";
import { ASSEMBLY_FILE, WATCHED_FILES, WorkspaceIndex } from "./workspace-index";

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

// The analysis keeps its results between edits, so most young objects survive their first scavenge and V8
// would grow the young generation to its maximum (2 x 16 MB here) for good. Keeping it at its initial size costs
// about 5% of the time of an analysis and 15-30 MB of resident memory less (measured on the 10,000-line bench
// file). A GC tuning flag: safe to set at run time (`node --v8-options`: semi_space_growth_factor).
try {
  setFlagsFromString(process.env.VMX_LS_V8 ?? "--semi-space-growth-factor=1");
} catch {
  // not supported by this Node: keep V8's default
}

if (isAssemblerWorker()) runAssemblerWorker();
else startServer();

function startServer(): void {
  const fullGc = exposeFullGc();
  const connection = createConnection(ProposedFeatures.all);
  const documents = new Map<string, TextDocument>();
  const cache = new ParseCache();

  let settings: VmxSettings = { ...DEFAULT_VMX_SETTINGS };
  let workspaceRoots: string[] = [];

  /**
   * How long to wait after a keystroke before re-analysing (ms). None: the analysis reuses unchanged lines and
   * blocks, and keystrokes that arrive while it runs are taken together by the next one (the timer fires only
   * after every message already received has been handled).
   */
  const DEBOUNCE_MS = 0;
  /** VMX_LS_TRACE=1 logs how long each analysis takes. */
  const trace = process.env.VMX_LS_TRACE === "1";
  /** The assembler (on its worker) runs after a longer pause: it re-assembles the whole file. */
  const ASSEMBLE_DEBOUNCE_MS = 400;

  type Change = TextDocumentContentChangeEvent;

  interface DocState {
    version: number;
    analysis?: Analysis;
    timer?: ReturnType<typeof setTimeout>;
    asmTimer?: ReturnType<typeof setTimeout>;
    /** The latest assembler result and the document version it was computed for. */
    frontend?: { version: number; result: FrontendResult };
    /** Edits since older versions, to move stale assembler diagnostics with the text. */
    changes: { version: number; changes: Change[] }[];
    /**
     * Analysed and assembled in the file that includes it: an include file (.inc …) always, any other file once
     * its assembly on its own found symbols undefined that an includer may define.
     */
    inIncluder?: boolean;
  }
  const states = new Map<string, DocState>();

  function stateOf(uri: string): DocState {
    let st = states.get(uri);
    if (!st) {
      st = { version: -1, changes: [] };
      states.set(uri, st);
    }
    return st;
  }

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

  const openByPath = new Map<string, TextDocument>();

  /** The assembly files of the workspace folders (symbols, includes), read in the background. */
  const index = new WorkspaceIndex({
    syntax: () => settings.syntax,
    includePaths: () => analysisSettings().includePaths,
    openText: (p) => openByPath.get(p)?.getText(),
    log,
  });

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
      // Relative entries are taken from the first workspace folder.
      includePaths: [
        ...settings.includePaths.map((p) =>
          isAbsolute(p) || !workspaceRoots[0] ? p : resolvePath(workspaceRoots[0], p),
        ),
        ...workspaceRoots,
      ],
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
  // Assembler results (worker thread), moved along with later edits until a fresh one arrives

  function newlineCount(text: string): number {
    let n = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  }

  /** Moves diagnostic ranges over one edit; undefined when the edit touched the diagnostic's lines. */
  function shiftRange(r: Range, change: Change): Range | undefined {
    if (!("range" in change) || !change.range) return undefined;
    const { start, end } = change.range;
    if (r.end.line < start.line) return r;
    if (r.start.line > end.line) {
      const delta = newlineCount(change.text) - (end.line - start.line);
      return {
        start: { line: r.start.line + delta, character: r.start.character },
        end: { line: r.end.line + delta, character: r.end.character },
      };
    }
    return undefined;
  }

  function sameFrontend(a: FrontendResult, b: FrontendResult): boolean {
    if (a.diagnostics.length !== b.diagnostics.length) return false;
    for (let i = 0; i < a.diagnostics.length; i++) {
      const x = a.diagnostics[i]!;
      const y = b.diagnostics[i]!;
      if (
        x.code !== y.code ||
        x.message !== y.message ||
        x.file !== y.file ||
        JSON.stringify(x.range) !== JSON.stringify(y.range)
      )
        return false;
    }
    const am = a.addresses ?? new Map<string, bigint>();
    const bm = b.addresses ?? new Map<string, bigint>();
    if (am.size !== bm.size) return false;
    for (const [k, v] of am) if (bm.get(k) !== v) return false;
    return true;
  }

  function frontendFor(uri: string, st: DocState): FrontendResult | undefined {
    const fe = st.frontend;
    if (!fe) return { diagnostics: [] };
    const path = uriToPath(uri);
    const later = st.changes.filter((c) => c.version > fe.version);
    if (later.length === 0) return fe.result;
    const diagnostics: AnalysisDiagnostic[] = [];
    for (const d of fe.result.diagnostics) {
      if (d.file !== path) continue;
      let r: Range | undefined = d.range;
      for (const c of later) for (const ch of c.changes) if (r) r = shiftRange(r, ch);
      if (r) diagnostics.push({ ...d, range: r });
    }
    return fe.result.addresses ? { diagnostics, addresses: fe.result.addresses } : { diagnostics };
  }

  // dist/assembler-worker.js (the worker alone) when it was built next to this bundle, else this file again.
  const workerBundle = join(__dirname, "assembler-worker.js");
  const pool = new AssemblerPool(
    existsSync(workerBundle) ? workerBundle : __filename,
    (job, done) => {
      const uri = pathToUri(job.file);
      const st = states.get(uri);
      const doc = documents.get(uri);
      if (!st || !doc) return;
      if (done.error) log(`assembler failed on ${uri}: ${done.error}`);
      if (!done.result) return;
      const version = jobVersions.get(done.id) ?? -1;
      jobVersions.delete(done.id);
      // Jobs replaced in the queue by newer ones never report back: forget them.
      for (const id of jobVersions.keys()) if (id < done.id - 100) jobVersions.delete(id);
      if (st.frontend && st.frontend.version > version) return;
      // What the current analysis was given (an older result moved with the edits since).
      const before = st.analysis && st.version === doc.version ? frontendFor(uri, st) : undefined;
      const path = uriToPath(uri);
      if (
        !st.inIncluder &&
        !job.includer &&
        done.result.diagnostics.some(
          (d) => d.code === "asm-undefined-symbol" && d.severity === "error" && d.file === path,
        ) &&
        findIncluder(path)
      ) {
        // A file that only assembles as part of another: from now on, analysed and assembled in it.
        st.inIncluder = true;
        st.analysis = undefined;
        schedule(uri, 0);
        scheduleAssembly(uri, 0);
        return;
      }
      st.frontend = { version, result: done.result };
      st.changes = st.changes.filter((c) => c.version > version);
      const after = frontendFor(uri, st);
      // Re-analyse only when the assembler says something new (most keystrokes change nothing it reports).
      if (before && after && sameFrontend(before, after)) return;
      st.analysis = undefined;
      schedule(uri, 0);
    },
    (m) => log(m),
  );
  const jobVersions = new Map<number, number>();

  function scheduleAssembly(uri: string, delay: number): void {
    // VMX_LS_ASSEMBLER=off leaves out the assembler's diagnostics (to measure the analysis alone).
    if (process.env.VMX_LS_ASSEMBLER === "off") return;
    const st = stateOf(uri);
    if (st.asmTimer) clearTimeout(st.asmTimer);
    st.asmTimer = setTimeout(
      safe("assemble", undefined, () => {
        st.asmTimer = undefined;
        const doc = documents.get(uri);
        if (!doc) return;
        const path = uriToPath(doc.uri);
        const overlays: Record<string, string> = {};
        for (const [p, d] of openByPath) if (p !== path) overlays[p] = d.getText();
        const includer = includerOf(path, st);
        const id = pool.submit({
          file: path,
          text: doc.getText(),
          syntax: resolveSyntax(path, doc.getText(), settings.syntax, doc.languageId),
          includePaths: analysisSettings().includePaths.slice(),
          overlays,
          ...(includer ? { includer } : {}),
        });
        jobVersions.set(id, doc.version);
      }),
      delay,
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  // Analysis scheduling

  /**
   * The file a file meant to be included (.inc, .mac, .h; or any file whose assembly on its own found undefined
   * symbols) is analysed in: an open document whose analysis includes it, else the outermost file of the
   * workspace index that includes it.
   */
  function includerOf(path: string, st: DocState): { file: string; text: string; syntax: "gas" | "nasm" } | undefined {
    if (!INCLUDE_FILE.test(path) && !st.inIncluder) return undefined;
    return findIncluder(path);
  }

  function findIncluder(path: string): { file: string; text: string; syntax: "gas" | "nasm" } | undefined {
    let found: string | undefined;
    for (const [uri, other] of states) {
      const a = other.analysis;
      if (a && a.root === a.file && a.file !== path && a.unit.files.has(path) && documents.has(uri)) {
        found = a.file;
        break;
      }
    }
    if (!found) {
      const includers = index.includersOf(path);
      found = includers.find((f) => index.includersOf(f).length === 0) ?? includers[0];
    }
    const text = found ? readFile(found) : undefined;
    if (!found || text === undefined) return undefined;
    return { file: found, text, syntax: resolveSyntax(found, text, settings.syntax) };
  }

  function runAnalysis(doc: TextDocument, st: DocState): Analysis {
    const path = uriToPath(doc.uri);
    const input: Parameters<typeof analyze>[0] = {
      file: path,
      text: doc.getText(),
      languageId: doc.languageId,
      settings: analysisSettings(),
      readFile,
      cache,
      skipFrontend: true,
    };
    const fe = frontendFor(doc.uri, st);
    if (fe) input.frontend = fe;
    const includer = includerOf(path, st);
    if (includer) input.includer = includer;
    return analyze(input);
  }

  /** The analysis of the document's current version (computed now if the debounced one has not run yet). */
  function currentAnalysis(uri: string): Analysis | undefined {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const st = stateOf(uri);
    if (!st.analysis || st.version !== doc.version) {
      st.analysis = runAnalysis(doc, st);
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
      const t0 = performance.now();
      const a = currentAnalysis(uri);
      if (trace) {
        const m = process.memoryUsage();
        const mb = (n: number) => (n / 1048576).toFixed(0);
        log(
          `analysis of ${uri} v${doc.version}: ${(performance.now() - t0).toFixed(1)} ms; rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB`,
        );
      }
      const path = uriToPath(uri);
      diagnostics = a ? diagnosticsForFile(a, path).map(toLspDiagnostic) : [];
    } catch (e) {
      log(`analysis of ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    collectWhenIdle();
  }

  // Garbage of the analyses of a typing burst stays in V8's heap until its heuristics collect it (seconds to
  // minutes later). A full collection once the editor has been quiet for a moment returns it: a few tens of ms
  // of main-thread time while nothing else happens.
  const IDLE_GC_MS = 1000;
  // During a long burst (edits without a pause of IDLE_GC_MS), the heap is collected once it has grown by
  // BURST_GC_GROWTH_MB since the last collection: right after the diagnostics went out.
  const BURST_GC_GROWTH_MB = Number(process.env.VMX_LS_BURST_GC_MB) || 32;
  let heapAfterGc = process.memoryUsage().heapUsed;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let burstGcQueued = false;
  const collect = () => {
    burstGcQueued = false;
    fullGc?.();
    heapAfterGc = process.memoryUsage().heapUsed;
  };
  function collectWhenIdle(): void {
    if (!fullGc) return;
    // (several documents published in one turn queue one collection)
    if (!burstGcQueued && process.memoryUsage().heapUsed - heapAfterGc > BURST_GC_GROWTH_MB * 1048576) {
      burstGcQueued = true;
      setImmediate(collect);
    }
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      collect();
    }, IDLE_GC_MS);
    idleTimer.unref?.();
  }

  function schedule(uri: string, delay: number): void {
    const st = stateOf(uri);
    if (st.timer) clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      publish(uri);
    }, delay);
  }

  function reanalyzeAll(): void {
    for (const doc of documents.values()) {
      const st = stateOf(doc.uri);
      st.analysis = undefined;
      schedule(doc.uri, 0);
      scheduleAssembly(doc.uri, 0);
    }
  }

  connection.onDidOpenTextDocument(
    safe("open", undefined, (p: DidOpenTextDocumentParams) => {
      const doc = TextDocument.create(
        p.textDocument.uri,
        p.textDocument.languageId,
        p.textDocument.version,
        p.textDocument.text,
      );
      documents.set(doc.uri, doc);
      openByPath.set(uriToPath(doc.uri), doc);
      const st = stateOf(doc.uri);
      st.analysis = undefined;
      schedule(doc.uri, 0);
      scheduleAssembly(doc.uri, 0);
    }),
  );

  connection.onDidChangeTextDocument(
    safe("change", undefined, (p: DidChangeTextDocumentParams) => {
      const old = documents.get(p.textDocument.uri);
      if (!old) return;
      const doc = TextDocument.update(old, p.contentChanges, p.textDocument.version);
      documents.set(doc.uri, doc);
      const path = uriToPath(doc.uri);
      openByPath.set(path, doc);
      const st = stateOf(doc.uri);
      st.changes.push({ version: doc.version, changes: p.contentChanges });
      if (st.changes.length > 1000) {
        // Too many edits to replay: drop the stale assembler result until the next one arrives.
        st.changes = [];
        st.frontend = undefined;
      }
      schedule(doc.uri, DEBOUNCE_MS);
      scheduleAssembly(doc.uri, ASSEMBLE_DEBOUNCE_MS);
      // Files that include this one see the change too.
      for (const [uri, other] of states) {
        if (uri === doc.uri || !other.analysis) continue;
        if (other.analysis.unit.files.has(path)) {
          other.analysis = undefined;
          schedule(uri, 50);
          scheduleAssembly(uri, ASSEMBLE_DEBOUNCE_MS * 2);
        }
      }
    }),
  );

  connection.onDidCloseTextDocument(
    safe("close", undefined, (p: DidCloseTextDocumentParams) => {
      const uri = p.textDocument.uri;
      const st = states.get(uri);
      if (st?.timer) clearTimeout(st.timer);
      if (st?.asmTimer) clearTimeout(st.asmTimer);
      states.delete(uri);
      documents.delete(uri);
      const path = uriToPath(uri);
      openByPath.delete(path);
      cache.delete(path);
      void connection.sendDiagnostics({ uri, diagnostics: [] });
      // The file on disk is what the workspace has now (unsaved edits were dropped).
      if (ASSEMBLY_FILE.test(path))
        void readFileAsync(path, "utf8").then(
          (text) => index.update(path, text),
          () => index.remove(path),
        );
    }),
  );

  // ---------------------------------------------------------------------------------------------------------
  // Lifecycle and settings

  let clientPullsConfiguration = false;
  let clientWatchesFolders = false;
  let clientWatchesFiles = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    try {
      mergeSettings(params.initializationOptions?.[VMX_SETTINGS_SECTION] ?? params.initializationOptions);
      clientPullsConfiguration = !!params.capabilities.workspace?.configuration;
      clientWatchesFolders = !!params.capabilities.workspace?.workspaceFolders;
      clientWatchesFiles = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
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
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
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

  /** Include files opened before the index knew their includers: analysed again in them. */
  function revisitIncludeFiles(): void {
    for (const doc of documents.values()) {
      const path = uriToPath(doc.uri);
      const st = stateOf(doc.uri);
      if (!INCLUDE_FILE.test(path) || st.analysis?.root !== path || !findIncluder(path)) continue;
      st.analysis = undefined;
      st.frontend = undefined;
      schedule(doc.uri, 0);
      scheduleAssembly(doc.uri, 0);
    }
  }

  connection.onInitialized(() => {
    if (clientPullsConfiguration) void pullConfiguration();
    void index.scan(workspaceRoots).then(revisitIncludeFiles);
    // Files created, changed or deleted outside the editor (git checkout, a generator, another editor): the
    // client watches them for us and says so in workspace/didChangeWatchedFiles.
    if (clientWatchesFiles)
      connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: WATCHED_FILES }] })
        .catch((e: unknown) => log(`watching files: ${String(e)}`));
    if (clientWatchesFolders)
      connection.workspace.onDidChangeWorkspaceFolders(
        safe("workspace folders", undefined, (e: WorkspaceFoldersChangeEvent) => {
          const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
          workspaceRoots = [...workspaceRoots.filter((r) => !removed.has(r)), ...e.added.map((f) => uriToPath(f.uri))];
          void index.scan(workspaceRoots).then(revisitIncludeFiles);
        }),
      );
  });

  connection.onDidChangeWatchedFiles(
    safe("watched files", undefined, (p: DidChangeWatchedFilesParams) => {
      let changed = false;
      for (const c of p.changes) {
        const path = uriToPath(c.uri);
        // An open document's text is the editor's, not the disk's.
        if (!ASSEMBLY_FILE.test(path) || openByPath.has(path)) continue;
        changed = true;
        cache.delete(path);
        if (c.type === FileChangeType.Deleted) index.remove(path);
        else
          void readFileAsync(path, "utf8").then(
            (text) => index.update(path, text),
            () => index.remove(path),
          );
      }
      // An open file may include what changed: analyse the open files again with the disk's new text.
      if (changed) reanalyzeAll();
    }),
  );

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
      const h = hoverAt(a, p.position);
      return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: h.range } : null;
    }),
  );

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
    withAnalysis(p.textDocument.uri, [], (a) => {
      let found = definitionAt(a, p.position);
      if (found.length === 0) {
        // An included file on its own does not see what its includers define: ask the open files that include it.
        const t = targetAt(a, p.position);
        if (t?.kind === "symbol") {
          const path = uriToPath(p.textDocument.uri);
          for (const doc of documents.values()) {
            if (doc.uri === p.textDocument.uri) continue;
            const other = currentAnalysis(doc.uri);
            if (!other?.unit.files.has(path)) continue;
            found = (other.unit.defs.get(t.name) ?? []).map((d) => ({ file: d.file, range: d.range }));
            if (found.length) break;
          }
        }
      }
      return found.map((l) => ({ uri: pathToUri(l.file), range: l.range }));
    }),
  );

  connection.onReferences((p): Location[] =>
    withAnalysis(p.textDocument.uri, [], (a) =>
      referencesAt(a, p.position, p.context.includeDeclaration).map((l) => ({
        uri: pathToUri(l.file),
        range: l.range,
      })),
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
      const analyses = [...documents.values()].map((d) => currentAnalysis(d.uri)).filter((a): a is Analysis => !!a);
      const found = workspaceSymbols(analyses, p.query);
      // Files no open document reads: from the workspace index.
      const covered = new Set<string>();
      for (const a of analyses) for (const f of a.unit.files.keys()) covered.add(f);
      for (const sym of index.symbols(p.query, 2000)) {
        if (found.length >= 1000) break;
        if (!covered.has(sym.file)) found.push({ name: sym.name, kind: sym.kind, file: sym.file, range: sym.range });
      }
      return found.map((s) => ({
        name: s.name,
        kind: symbolKinds[s.kind],
        location: { uri: pathToUri(s.file), range: s.range },
        ...(s.container ? { containerName: s.container } : {}),
      }));
    }),
  );

  connection.onFoldingRanges((p): FoldingRange[] =>
    withAnalysis(p.textDocument.uri, [], (a) =>
      foldingRanges(a).map((f) => ({
        startLine: f.startLine,
        endLine: f.endLine,
        ...(f.kind ? { kind: f.kind } : {}),
      })),
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

  connection.onShutdown(() => pool.dispose());
  connection.listen();
}
