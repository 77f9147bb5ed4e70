// A small in-memory stand-in for the `vscode` module: just the API surface extension/ uses, recording what the
// extension registers and shows, so activate() and the glue run under node:test. Not a VS Code emulation:
// each member does the least that lets a test observe the extension's calls.
/* biome-ignore-all lint/suspicious/noExplicitAny: a stand-in for an external API typed by @types/vscode */
import { EventEmitter as NodeEmitter } from "node:events";

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private readonly emitter = new NodeEmitter();
  event = (listener: Listener<T>) => {
    this.emitter.on("e", listener);
    return { dispose: () => this.emitter.off("e", listener) };
  };
  fire(e: T): void {
    this.emitter.emit("e", e);
  }
  dispose(): void {
    this.emitter.removeAllListeners();
  }
}

export class Uri {
  constructor(
    readonly scheme: string,
    readonly path: string,
    readonly query = "",
  ) {}
  get fsPath(): string {
    return this.path;
  }
  static file(p: string): Uri {
    return new Uri("file", p);
  }
  static parse(s: string): Uri {
    const m = /^([a-z-]+):(.*)$/.exec(s);
    return m ? new Uri(m[1]!, m[2]!) : Uri.file(s);
  }
  static from(c: { scheme: string; path: string; query?: string }): Uri {
    return new Uri(c.scheme, c.path, c.query ?? "");
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.path, ...parts].join("/"));
  }
  toString(): string {
    return `${this.scheme}:${this.path}`;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}
export class ThemeIcon {
  constructor(readonly id: string) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class MarkdownString {
  constructor(readonly value: string) {}
}
export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  contextValue?: string;
  iconPath?: unknown;
  command?: unknown;
  resourceUri?: Uri;
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}
export class DebugAdapterExecutable {
  constructor(
    readonly command: string,
    readonly args: string[],
    readonly options?: unknown,
  ) {}
}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const OverviewRulerLane = { Left: 1, Center: 2, Right: 4, Full: 7 };
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 };
export const DebugConfigurationProviderTriggerKind = { Initial: 1, Dynamic: 2 };
export const InputBoxValidationSeverity = { Info: 1, Warning: 2, Error: 3 };
export const FileType = { File: 1, Directory: 2 };

export interface FakeDocument {
  uri: Uri;
  languageId: string;
  isClosed: boolean;
  lineCount: number;
  isDirty: boolean;
  lineAt(line: number): { range: Range };
}

export function fakeDocument(path: string, languageId: string, lineCount = 200): FakeDocument {
  return {
    uri: Uri.file(path),
    languageId,
    lineCount,
    isClosed: false,
    isDirty: false,
    lineAt: (line: number) => ({ range: new Range(new Position(line, 0), new Position(line, 40)) }),
  };
}

export interface FakeEditor {
  document: FakeDocument;
  decorations: Map<unknown, any[]>;
  setDecorations(type: unknown, options: any[]): void;
}

export function fakeEditor(doc: FakeDocument): FakeEditor {
  const decorations = new Map<unknown, any[]>();
  return { document: doc, decorations, setDecorations: (t, o) => decorations.set(t, o) };
}

/** A debug session whose custom requests are answered by `answer`. */
export interface FakeSession {
  type: string;
  name: string;
  requests: { method: string; args: unknown }[];
  customRequest(method: string, args: unknown): Promise<unknown>;
}

export function fakeSession(answer: (method: string, args: unknown) => unknown): FakeSession {
  const requests: { method: string; args: unknown }[] = [];
  return {
    type: "vmx",
    name: "test",
    requests,
    async customRequest(method, args) {
      requests.push({ method, args });
      return answer(method, args);
    },
  };
}

/** Everything the extension registered or showed, plus levers for the test. */
export function createFakeVscode() {
  const commands = new Map<string, (...a: any[]) => any>();
  const treeViews = new Map<string, { provider: any; message?: string }>();
  const debugProviders: { type: string; provider: any; trigger?: number }[] = [];
  const adapterFactories = new Map<string, any>();
  const trackerFactories = new Map<string, any>();
  const decorationProviders: any[] = [];
  const messages: { level: string; text: string; detail?: string }[] = [];
  const config = new Map<string, unknown>();
  const clipboard = { text: "" };
  const inputBoxAnswers: (string | undefined)[] = [];
  /** Picks the item with this label from the next quick pick (and records the items offered). */
  const quickPick = { answer: undefined as string | undefined, offered: [] as { label: string }[] };
  const debugStarted: unknown[] = [];
  const outputChannels = new Map<string, { lines: string[] }>();
  const statusItems: { text: string; visible: boolean; command?: string }[] = [];

  const ev = {
    startSession: new EventEmitter<any>(),
    activeSession: new EventEmitter<any>(),
    terminateSession: new EventEmitter<any>(),
    customEvent: new EventEmitter<any>(),
    activeEditor: new EventEmitter<any>(),
    visibleEditors: new EventEmitter<any>(),
    openDocument: new EventEmitter<any>(),
    configuration: new EventEmitter<any>(),
  };

  const window: any = {
    activeTextEditor: undefined as FakeEditor | undefined,
    visibleTextEditors: [] as FakeEditor[],
    createOutputChannel: (name: string) => {
      const channel = {
        name,
        lines: [] as string[],
        appendLine(s: string) {
          this.lines.push(s);
        },
        append(s: string) {
          this.lines.push(s);
        },
        clear() {},
        show() {},
        dispose() {},
      };
      outputChannels.set(name, channel);
      return channel;
    },
    createStatusBarItem: () => {
      const item = {
        text: "",
        visible: false,
        command: undefined as string | undefined,
        show() {
          this.visible = true;
        },
        hide() {
          this.visible = false;
        },
        dispose() {},
      };
      statusItems.push(item);
      return item;
    },
    createTreeView: (id: string, opts: { treeDataProvider: any }) => {
      const v = { provider: opts.treeDataProvider, message: undefined as string | undefined, dispose() {} };
      treeViews.set(id, v);
      return v;
    },
    createTextEditorDecorationType: (options: unknown) => ({ options, dispose() {} }),
    registerFileDecorationProvider: (p: any) => {
      decorationProviders.push(p);
      return { dispose() {} };
    },
    showInformationMessage: async (text: string, o?: any) => {
      messages.push({ level: "info", text, detail: o?.detail });
      return undefined;
    },
    showWarningMessage: async (text: string) => {
      messages.push({ level: "warning", text });
      return undefined;
    },
    showErrorMessage: async (text: string, o?: any) => {
      messages.push({ level: "error", text, detail: o?.detail });
      return undefined;
    },
    showInputBox: async () => inputBoxAnswers.shift(),
    showQuickPick: async (items: { label: string }[]) => {
      quickPick.offered = items;
      return items.find((i) => i.label === quickPick.answer);
    },
    showTextDocument: async () => undefined,
    onDidChangeActiveTextEditor: ev.activeEditor.event,
    onDidChangeVisibleTextEditors: ev.visibleEditors.event,
  };

  const workspace: any = {
    isTrusted: true,
    workspaceFolders: [{ uri: Uri.file("/ws"), name: "ws", index: 0 }],
    textDocuments: [] as FakeDocument[],
    getConfiguration: () => ({
      get: (key: string, dflt?: unknown) => (config.has(key) ? config.get(key) : dflt),
      update: async (key: string, value: unknown) => config.set(key, value),
    }),
    getWorkspaceFolder: () => workspace.workspaceFolders[0],
    openTextDocument: async (u: Uri) => fakeDocument(u.fsPath, "vmx-nasm"),
    onDidOpenTextDocument: ev.openDocument.event,
    onDidChangeConfiguration: ev.configuration.event,
    fs: { readDirectory: async () => [] },
  };

  const debug: any = {
    activeDebugSession: undefined,
    onDidStartDebugSession: ev.startSession.event,
    onDidChangeActiveDebugSession: ev.activeSession.event,
    onDidTerminateDebugSession: ev.terminateSession.event,
    onDidReceiveDebugSessionCustomEvent: ev.customEvent.event,
    registerDebugConfigurationProvider: (type: string, provider: any, trigger?: number) => {
      debugProviders.push({ type, provider, trigger });
      return { dispose() {} };
    },
    registerDebugAdapterDescriptorFactory: (type: string, f: any) => {
      adapterFactories.set(type, f);
      return { dispose() {} };
    },
    registerDebugAdapterTrackerFactory: (type: string, f: any) => {
      trackerFactories.set(type, f);
      return { dispose() {} };
    },
    startDebugging: async (_folder: unknown, config: unknown) => {
      debugStarted.push(config);
      return true;
    },
  };

  const module: any = {
    EventEmitter,
    Uri,
    Position,
    Range,
    ThemeIcon,
    ThemeColor,
    MarkdownString,
    TreeItem,
    DebugAdapterExecutable,
    TreeItemCollapsibleState,
    StatusBarAlignment,
    OverviewRulerLane,
    ConfigurationTarget,
    DebugConfigurationProviderTriggerKind,
    InputBoxValidationSeverity,
    FileType,
    window,
    workspace,
    debug,
    commands: {
      registerCommand: (id: string, handler: (...a: any[]) => any) => {
        if (commands.has(id)) throw new Error(`command ${id} registered twice`);
        commands.set(id, handler);
        return { dispose: () => commands.delete(id) };
      },
      executeCommand: async (id: string, ...args: unknown[]) => commands.get(id)?.(...args),
    },
    env: {
      clipboard: {
        writeText: async (t: string) => {
          clipboard.text = t;
        },
      },
    },
  };

  return {
    module,
    commands,
    treeViews,
    debugProviders,
    adapterFactories,
    trackerFactories,
    decorationProviders,
    messages,
    config,
    clipboard,
    inputBoxAnswers,
    quickPick,
    debugStarted,
    outputChannels,
    statusItems,
    ev,
  };
}

export type FakeVscode = ReturnType<typeof createFakeVscode>;
