// DAP glue: translates Debug Adapter Protocol requests into calls on the debug core (core/) and core events
// into DAP events. No debugging logic lives here.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import {
  Event as DapEvent,
  ExitedEvent,
  Handles,
  InitializedEvent,
  LoggingDebugSession,
  OutputEvent,
  StoppedEvent,
  TerminatedEvent,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { fieldByName, MSRS, msrByName, VMCS_FIELDS } from "../arch/index";
import {
  toHexString,
  VMX_EXIT_HISTORY_REQUEST,
  VMX_FIELD_BREAKPOINT_REQUEST,
  VMX_GO_TO_EXIT_REQUEST,
  VMX_STATE_CHANGED_EVENT,
  VMX_STATE_REQUEST,
  VMX_WRITE_FIELD_REQUEST,
  type VmxExitHistoryArguments,
  type VmxFieldBreakpointArguments,
  type VmxFieldBreakpointResponseBody,
  type VmxGoToExitArguments,
  type VmxStateChangedEventBody,
  type VmxWriteFieldArguments,
} from "../protocol/vmx-debug";
import { type CodeBreakpoint, type DataBreakpointTarget, dataIdOf, parseDataId } from "./core/breakpoints";
import { disassembleRange } from "./core/disassembly";
import {
  BREAK_FILTERS,
  type BreakFilter,
  DebugEngine,
  type EngineStop,
  explanationText,
  type StepGranularity,
} from "./core/engine";
import { completionNames, makeEvalEnv } from "./core/eval-env";
import { ExpressionError, evaluate, splitAssignment, splitFormat } from "./core/expression";
import { formatNumber, type NumberFormat, parseNumber } from "./core/format";
import { buildProgram, createTarget, defaultEntry } from "./core/machine-adapter";
import { SourcePaths } from "./core/paths";
import { registerRef } from "./core/registers";
import { callFrames, type Frame } from "./core/stack";
import type { DebugTarget } from "./core/target";
import { ChangeTracker, recordStopValues, scopes, type VarNode, vmcsGroupNodes } from "./core/variables";
import { exitHistory, fieldForName, VmcsHistory, vmxState } from "./core/vmx-state";
import { type LaunchSettings, parseLaunchArguments } from "./launch-config";

const THREAD_ID = 1;

/** Error ids of our error responses (shown to the user). */
const ERR = {
  launch: 3001,
  notRunning: 3002,
  badArgs: 3003,
  eval: 3004,
  ended: 3005,
  busy: 3006,
  unknown: 3007,
} as const;

type VarContainer = { kind: "scope"; index: number } | { kind: "host" } | { kind: "node"; node: VarNode };

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * A register name a data breakpoint can watch ("break when RAX changes"), lower-case; the instruction pointer
 * changes with every instruction, so it is not one.
 */
function watchableRegister(e: DebugEngine, name: string): string | undefined {
  const n = name.trim().replace(/^%/, "").toLowerCase();
  if (/^(rip|eip|ip)$/.test(n)) return undefined;
  return registerRef(e.target, n) ? n : undefined;
}

/**
 * DAP stepping granularity: "instruction" (the Disassembly view) steps one instruction; "statement", "line" and
 * the default step a source line (a macro invocation is one step).
 */
function granularity(args: { granularity?: DebugProtocol.SteppingGranularity } | undefined): StepGranularity {
  return isObject(args) && args.granularity === "instruction" ? "instruction" : "line";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

export class VmxDebugSession extends LoggingDebugSession {
  private engine: DebugEngine | undefined;
  private settings: LaunchSettings | undefined;
  private readonly handles = new Handles<VarContainer>();
  private readonly children = new Map<number, VarNode[]>();
  private tracker = new ChangeTracker();
  private readonly vmcsHistory = new VmcsHistory();
  private frames: Frame[] = [];
  private configurationDone: () => void = () => {};
  private readonly configured: Promise<void>;
  private pendingSource = new Map<string, DebugProtocol.SetBreakpointsArguments>();
  private terminated = false;
  private exceptionFilters = new Set<BreakFilter>();
  private decoder = new TextDecoder("utf-8");
  /** Canonical source paths, shown in the client's own spelling. */
  private readonly paths = new SourcePaths();

  constructor(debuggerLinesAndColumnsStartAt1 = false, isServer = false) {
    super(undefined, debuggerLinesAndColumnsStartAt1, isServer);
    // The core works with 0-based lines and columns, like the assembler.
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
    this.configured = new Promise((resolve) => {
      this.configurationDone = resolve;
    });
  }

  /** A source file as the client knows it (one canonical file, in the spelling the client used for it). */
  private source(file: string): DebugProtocol.Source {
    const path = this.paths.display(file);
    return { name: basename(path), path };
  }

  // ---- error handling: no request may crash the adapter -------------------------------------------------------

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    try {
      super.dispatchRequest(request);
    } catch (e) {
      const response = {
        type: "response",
        seq: 0,
        request_seq: request.seq,
        command: request.command,
        success: false,
      } as DebugProtocol.Response;
      this.fail(response, ERR.unknown, `internal error: ${(e as Error).message}`);
    }
  }

  /**
   * An error response. Only launch and restart failures are meant for a message box (showUser); the others —
   * an expression that does not evaluate in a hover, the Watch view or the Debug Console, a value that cannot
   * be set, a request at the wrong moment — are shown by VS Code where they happened (inline, in the REPL).
   */
  private fail(response: DebugProtocol.Response, id: number, message: string, showUser = false): void {
    // No `variables`: a "{name}" in the text stays as it is when the client formats the message.
    const error: DebugProtocol.Message = { id, format: message, showUser };
    response.success = false;
    response.message = message;
    response.body = { error };
    this.sendResponse(response);
  }

  /** Runs a handler, turning thrown errors (sync or async) into error responses. */
  private guard(response: DebugProtocol.Response, f: () => void | Promise<void>): void {
    const fail = (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      this.fail(response, e instanceof ExpressionError ? ERR.eval : ERR.badArgs, msg);
    };
    try {
      const r = f();
      if (r instanceof Promise) r.catch(fail);
    } catch (e) {
      fail(e);
    }
  }

  private live(response: DebugProtocol.Response): DebugEngine | undefined {
    const e = this.engine;
    if (!e) {
      this.fail(response, ERR.notRunning, "no program is being debugged (launch first)");
      return undefined;
    }
    if (this.terminated || e.hasEnded) {
      this.fail(response, ERR.ended, `the program has ended${e.endState ? `: ${e.endState.message}` : ""}`);
      return undefined;
    }
    return e;
  }

  /** A stopped, live engine (state inspection and modification). */
  private stopped(response: DebugProtocol.Response): DebugEngine | undefined {
    const e = this.live(response);
    if (e?.isRunning) {
      this.fail(response, ERR.busy, "the program is running; pause it first");
      return undefined;
    }
    return e;
  }

  // ---- initialize / launch ---------------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsInstructionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsSetExpression: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ["%", "_"],
      supportsValueFormattingOptions: true,
      supportsBreakpointLocationsRequest: true,
      supportsGotoTargetsRequest: true,
      exceptionBreakpointFilters: [
        {
          filter: "vmExit",
          label: "VM exit",
          description: "Stop after every VM exit (condition: e.g. reason == 10)",
          default: false,
          supportsCondition: true,
          conditionDescription: "e.g. reason == 10 (CPUID), qualification, guest_rip",
        },
        {
          filter: "vmEntryFailure",
          label: "VM-entry failure",
          description: "Stop when VMLAUNCH/VMRESUME fails a VM-entry check, with the explanation",
          default: true,
        },
        {
          filter: "vmFail",
          label: "VMfailInvalid / VMfailValid",
          description: "Stop when a VMX instruction fails (CF or ZF set)",
          default: false,
        },
        {
          filter: "exception",
          label: "CPU exception",
          description:
            "Stop on a CPU exception: at the program's own IDT handler once it is delivered (host or guest), when nobody handles it, or when the exception bitmap intercepts it from the guest",
          default: true,
          supportsCondition: true,
          conditionDescription: "e.g. vector == 13; also error_code, guest (1 in the guest)",
        },
        {
          filter: "tripleFault",
          label: "Triple fault",
          description: "Stop when the processor shuts down on a triple fault",
          default: true,
        },
      ],
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configurationDone();
    this.sendResponse(response);
  }

  protected override launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: DebugProtocol.LaunchRequestArguments,
  ): void {
    this.guard(response, async () => {
      if (this.engine) {
        this.fail(response, ERR.launch, "already launched", true);
        return;
      }
      const parsed = parseLaunchArguments(args);
      if (!parsed.settings) {
        this.fail(response, ERR.launch, parsed.error ?? "bad launch arguments", true);
        this.sendEvent(new TerminatedEvent());
        return;
      }
      const s = parsed.settings;
      this.settings = s;
      const start = this.startProgram(s);
      if ("error" in start) {
        this.fail(response, ERR.launch, start.error, true);
        this.sendEvent(new TerminatedEvent());
        return;
      }
      this.sendEvent(new InitializedEvent());
      // Breakpoints come between `initialized` and `configurationDone`; don't wait forever for a client that
      // never sends configurationDone.
      await Promise.race([this.configured, new Promise((r) => setTimeout(r, 2000))]);
      this.sendResponse(response);
      this.begin(s.stopOnEntry);
    });
  }

  /** Assembles and loads the program; on assembly errors prints the diagnostics and runs nothing. */
  private startProgram(s: LaunchSettings): { ok: true } | { error: string } {
    const missing = s.files.find((f) => readText(f) === undefined);
    if (missing) return { error: `cannot read program '${missing}'` };
    for (const f of s.files) this.paths.remember(f);
    const built = buildProgram({
      files: s.files,
      syntax: s.syntax,
      includePaths: s.includePaths,
      readFile: readText,
      canonical: this.paths.canonical,
    });
    for (const d of built.program.diagnostics) {
      const loc = `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
      const out = new OutputEvent(
        `${loc}: ${d.severity}: ${d.message} [${d.code}]\n`,
        d.severity === "error" ? "stderr" : "console",
      ) as DebugProtocol.OutputEvent;
      out.body.source = this.source(d.file);
      out.body.line = this.convertDebuggerLineToClient(d.range.start.line);
      out.body.column = this.convertDebuggerColumnToClient(d.range.start.character);
      this.sendEvent(out);
    }
    if (built.errors.length > 0) {
      const first = built.errors[0];
      const where = first ? ` — first: ${basename(first.file)}:${first.range.start.line + 1}: ${first.message}` : "";
      return {
        error: `assembly failed with ${built.errors.length} error${built.errors.length === 1 ? "" : "s"}; nothing was run${where}`,
      };
    }
    let entry: bigint | undefined;
    if (s.entry !== undefined) {
      const sym = built.sourceMap.symbol(s.entry);
      entry = sym ? sym.value : parseNumber(s.entry);
      if (entry === undefined) return { error: `entry '${s.entry}' is neither a label of the program nor an address` };
    } else entry = defaultEntry(built);
    if (entry === undefined) return { error: "the program is empty: nothing to run" };
    let target: DebugTarget;
    try {
      target = createTarget(
        built,
        { start: s.start, entry, cpuModel: s.cpuModel, memoryBytes: s.memoryBytes },
        (bytes, stream) => this.onProgramOutput(bytes, stream),
      );
    } catch (e) {
      return { error: (e as Error).message };
    }
    const breakOn = new Set<BreakFilter>(s.noDebug ? [] : [...s.breakOn, ...this.exceptionFilters]);
    if (this.engine) {
      this.engine.reset(target, built.sourceMap);
      this.engine.enabledFilters = breakOn;
    } else {
      this.engine = new DebugEngine(
        target,
        built.sourceMap,
        { syntax: built.syntax, maxInstructions: s.maxInstructions, trace: s.trace, breakOn },
        {
          output: (text, category, location) => {
            const ev = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
            if (location) {
              ev.body.source = this.source(location.file);
              ev.body.line = this.convertDebuggerLineToClient(location.line);
            }
            this.sendEvent(ev);
          },
          stopped: (stop) => this.onStopped(stop),
          ended: (code, message) => this.onEnded(code, message),
        },
      );
      for (const [, a] of this.pendingSource) this.applySourceBreakpoints(a);
      this.pendingSource.clear();
    }
    // A restart may bring a new configuration.
    this.engine.noDebug = s.noDebug;
    Object.assign(this.engine.config, { syntax: built.syntax, maxInstructions: s.maxInstructions, trace: s.trace });
    this.terminated = false;
    return { ok: true };
  }

  /**
   * Runs an engine operation after its request was answered. A failure inside the debugger or the emulator
   * must not leave the client waiting for a stop that never comes: it is reported and the program stops.
   */
  private execute(op: () => void | Promise<void>): void {
    const fail = (e: unknown) => {
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      this.sendEvent(new OutputEvent(`vmx debugger: internal error: ${msg}\n`, "stderr"));
      const stop: EngineStop = {
        cause: "exception",
        description: "internal debugger error",
        exception: {
          filter: "internal",
          id: "internal error",
          description: e instanceof Error ? e.message : String(e),
        },
      };
      if (this.engine) this.engine.lastStop = stop;
      this.onStopped(stop);
    };
    try {
      const r = op();
      if (r instanceof Promise) r.catch(fail);
    } catch (e) {
      fail(e);
    }
  }

  private begin(stopOnEntry: boolean): void {
    const e = this.engine;
    if (!e) return;
    recordStopValues(this.varContext());
    if (stopOnEntry) e.stopOnEntry();
    else this.execute(() => e.continue());
  }

  private onProgramOutput(bytes: Uint8Array, _stream: "uart" | "e9"): void {
    if (this.engine && !this.engine.isNewOutput()) return;
    this.sendEvent(new OutputEvent(this.decoder.decode(bytes, { stream: true }), "stdout"));
  }

  private onStopped(stop: EngineStop): void {
    // A run paused by terminate/disconnect stops quietly.
    if (this.terminated) return;
    this.handles.reset();
    this.children.clear();
    this.frames = [];
    const e = this.engine;
    if (e) {
      recordStopValues(this.varContext());
      this.vmcsHistory.record(e);
    }
    const ev = new StoppedEvent(
      stop.cause,
      THREAD_ID,
      stop.exception ? stop.exception.description : undefined,
    ) as DebugProtocol.StoppedEvent;
    ev.body.description = stop.description;
    ev.body.allThreadsStopped = true;
    if (stop.hitBreakpointIds) ev.body.hitBreakpointIds = stop.hitBreakpointIds;
    this.sendEvent(ev);
    this.sendStateChanged("stop");
  }

  private onEnded(code: number, message: string): void {
    if (this.terminated) return;
    this.terminated = true;
    this.sendEvent(new OutputEvent(`${message}\n`, code === 0 ? "console" : "stderr"));
    this.sendStateChanged("exited");
    this.sendEvent(new ExitedEvent(code));
    this.sendEvent(new TerminatedEvent());
  }

  private sendStateChanged(cause: VmxStateChangedEventBody["cause"]): void {
    const e = this.engine;
    if (!e) return;
    const f = e.lastEntryFailure();
    const body: VmxStateChangedEventBody = {
      stopId: e.stopId,
      mode: e.target.vmx.operation(),
      cause,
      entryFailure: f !== undefined && e.lastStop?.exception?.entryFailure === f,
    };
    this.sendEvent(new DapEvent(VMX_STATE_CHANGED_EVENT, body));
  }

  protected override restartRequest(
    response: DebugProtocol.RestartResponse,
    args: DebugProtocol.RestartArguments,
  ): void {
    this.guard(response, () => {
      const e = this.engine;
      if (!e || !this.settings) {
        this.fail(response, ERR.notRunning, "nothing to restart", true);
        return;
      }
      e.pause();
      let s = this.settings;
      if (isObject(args?.arguments)) {
        const p = parseLaunchArguments(args.arguments);
        if (!p.settings) {
          this.fail(response, ERR.badArgs, p.error ?? "bad arguments", true);
          return;
        }
        s = p.settings;
        this.settings = s;
      }
      const r = this.startProgram(s);
      if ("error" in r) {
        this.fail(response, ERR.launch, r.error, true);
        return;
      }
      this.tracker = new ChangeTracker();
      this.sendResponse(response);
      this.begin(s.stopOnEntry);
    });
  }

  protected override disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    args: DebugProtocol.DisconnectArguments,
  ): void {
    this.engine?.pause();
    this.terminated = true;
    // Answers and ends the adapter process (the base class's shutdown).
    super.disconnectRequest(response, args);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.engine?.pause();
    if (!this.terminated) {
      this.terminated = true;
      this.sendEvent(new TerminatedEvent());
    }
    this.sendResponse(response);
  }

  // ---- breakpoints ------------------------------------------------------------------------------------------

  private toDapBreakpoint(b: CodeBreakpoint): DebugProtocol.Breakpoint {
    const out: DebugProtocol.Breakpoint = { id: b.id, verified: b.verified };
    if (b.message) out.message = b.message;
    if (b.file !== undefined) out.source = this.source(b.file);
    if (b.line !== undefined) out.line = this.convertDebuggerLineToClient(b.line);
    if (b.column !== undefined) out.column = this.convertDebuggerColumnToClient(b.column);
    if (b.address !== undefined) out.instructionReference = toHexString(b.address);
    return out;
  }

  private applySourceBreakpoints(args: DebugProtocol.SetBreakpointsArguments): DebugProtocol.Breakpoint[] {
    const path = args.source?.path;
    const e = this.engine;
    if (!e || typeof path !== "string") return [];
    this.paths.remember(path);
    const specs = (
      Array.isArray(args.breakpoints) ? args.breakpoints : (args.lines ?? []).map((line) => ({ line }))
    ).map((b) => ({
      line: this.convertClientLineToDebugger(Number((b as DebugProtocol.SourceBreakpoint).line)),
      condition: (b as DebugProtocol.SourceBreakpoint).condition,
      hitCondition: (b as DebugProtocol.SourceBreakpoint).hitCondition,
      logMessage: (b as DebugProtocol.SourceBreakpoint).logMessage,
    }));
    return e.breakpoints.setSource(path, specs).map((b) => this.toDapBreakpoint(b));
  }

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      if (!isObject(args) || !isObject(args.source) || typeof args.source.path !== "string")
        throw new Error("setBreakpoints: 'source.path' is required");
      if (!this.engine) {
        // Before launch: remember them; they are resolved when the program is assembled.
        this.pendingSource.set(this.paths.remember(args.source.path), args);
        response.body = {
          breakpoints: (args.breakpoints ?? []).map((b) => ({
            verified: false,
            line: b.line,
            message: "not yet assembled",
          })),
        };
      } else response.body = { breakpoints: this.applySourceBreakpoints(args) };
      this.sendResponse(response);
    });
  }

  protected override breakpointLocationsRequest(
    response: DebugProtocol.BreakpointLocationsResponse,
    args: DebugProtocol.BreakpointLocationsArguments,
  ): void {
    this.guard(response, () => {
      const path = args?.source?.path;
      const sm = this.engine?.sourceMap;
      if (typeof path !== "string" || !sm) {
        response.body = { breakpoints: [] };
        this.sendResponse(response);
        return;
      }
      const from = this.convertClientLineToDebugger(args.line);
      const to = args.endLine !== undefined ? this.convertClientLineToDebugger(args.endLine) : from;
      response.body = {
        breakpoints: sm
          .linesOf(path)
          .filter((l) => l >= from && l <= to)
          .map((l) => ({ line: this.convertDebuggerLineToClient(l) })),
      };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      const e = this.engine;
      if (!e) throw new Error("launch first");
      if (!Array.isArray(args?.breakpoints)) throw new Error("setFunctionBreakpoints: 'breakpoints' must be a list");
      const bps = e.breakpoints.setFunctions(
        args.breakpoints.map((b) => ({
          name: String(b.name ?? ""),
          condition: b.condition,
          hitCondition: b.hitCondition,
        })),
      );
      response.body = { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override setInstructionBreakpointsRequest(
    response: DebugProtocol.SetInstructionBreakpointsResponse,
    args: DebugProtocol.SetInstructionBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      const e = this.engine;
      if (!e) throw new Error("launch first");
      if (!Array.isArray(args?.breakpoints)) throw new Error("setInstructionBreakpoints: 'breakpoints' must be a list");
      const bps = e.breakpoints.setInstructions(
        args.breakpoints.map((b) => {
          const base = parseNumber(String(b.instructionReference ?? ""));
          return {
            address: base === undefined ? undefined : BigInt.asUintN(64, base + BigInt(b.offset ?? 0)),
            condition: b.condition,
            hitCondition: b.hitCondition,
          };
        }),
      );
      response.body = { breakpoints: bps.map((b) => this.toDapBreakpoint(b)) };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      const filters = new Set<BreakFilter>();
      const conditions = new Map<BreakFilter, string>();
      const known = (f: unknown): f is BreakFilter => (BREAK_FILTERS as readonly unknown[]).includes(f);
      for (const f of Array.isArray(args?.filters) ? args.filters : []) if (known(f)) filters.add(f);
      for (const o of Array.isArray(args?.filterOptions) ? args.filterOptions : []) {
        if (!known(o.filterId)) continue;
        filters.add(o.filterId);
        if (o.condition) conditions.set(o.filterId, o.condition);
      }
      this.exceptionFilters = filters;
      const e = this.engine;
      if (e && !this.settings?.noDebug) {
        e.enabledFilters = new Set([...(this.settings?.breakOn ?? []), ...filters]);
        e.filterConditions = conditions;
      }
      response.body = { breakpoints: [...filters].map(() => ({ verified: true })) };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    args: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    this.guard(response, () => {
      const e = this.engine;
      const none = (why: string) => {
        response.body = { dataId: null, description: why };
        this.sendResponse(response);
      };
      if (!e) return none("no program");
      const registerData = (reg: string) => {
        response.body = {
          dataId: dataIdOf({ kind: "register", name: reg }),
          description: `${reg} changes`,
          accessTypes: ["write"],
          canPersist: true,
        };
        this.sendResponse(response);
      };
      const name = String(args?.name ?? "");
      if (args.variablesReference) {
        const node = this.children.get(args.variablesReference)?.find((n) => n.name === name);
        if (node?.dataId) {
          response.body = {
            dataId: node.dataId,
            description: `${name} changes`,
            accessTypes: ["write"],
            canPersist: true,
          };
          this.sendResponse(response);
          return;
        }
        const reg = node?.evaluateName ? watchableRegister(e, node.evaluateName) : undefined;
        if (reg) return registerData(reg);
        if (!node?.evaluateName) return none(`${name} cannot be watched`);
      }
      const reg = watchableRegister(e, name);
      if (reg) return registerData(reg);
      const msr = msrByName(name.trim().toUpperCase());
      if (msr && e.target.readMsr(msr.index) !== undefined) {
        response.body = {
          dataId: dataIdOf({ kind: "msr", index: msr.index, name: msr.name }),
          description: `${msr.name} changes`,
          accessTypes: ["write"],
          canPersist: true,
        };
        this.sendResponse(response);
        return;
      }
      const f = fieldByName(name.toUpperCase());
      if (f) {
        response.body = {
          dataId: `vmcs:${f.name}`,
          description: `${f.name} changes`,
          accessTypes: ["write"],
          canPersist: true,
        };
        this.sendResponse(response);
        return;
      }
      const env = makeEvalEnv(e.target, e.sourceMap, e.syntax, e.evalContext());
      if (args.asAddress) {
        const addr = evaluate(name, env).value;
        const size = Math.min(Math.max(args.bytes ?? 8, 1), 8);
        const dataId = dataIdOf({ kind: "memory", address: addr, size });
        response.body = {
          dataId,
          description: `${size} bytes at 0x${addr.toString(16)} change`,
          accessTypes: ["write"],
          canPersist: true,
        };
        this.sendResponse(response);
        return;
      }
      const r = evaluate(name, env);
      const m = r.place && /^(byte|word|dword|qword) \[(0x[0-9a-f]+)\]$/.exec(r.place.describe);
      if (!m) return none(`${name} is not memory or a VMCS field`);
      const size = { byte: 1, word: 2, dword: 4, qword: 8 }[m[1] as "byte"];
      const dataId = dataIdOf({ kind: "memory", address: BigInt(m[2] as string), size });
      response.body = { dataId, description: `${r.place?.describe} changes`, accessTypes: ["write"], canPersist: true };
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    args: DebugProtocol.SetDataBreakpointsArguments,
  ): void {
    this.guard(response, () => {
      const e = this.engine;
      if (!e) throw new Error("launch first");
      if (!Array.isArray(args?.breakpoints)) throw new Error("setDataBreakpoints: 'breakpoints' must be a list");
      const out: DebugProtocol.Breakpoint[] = [];
      e.breakpoints.data = [];
      for (const b of args.breakpoints) {
        const id = e.breakpoints.newId();
        const parsed = parseDataId(String(b.dataId ?? ""));
        if (b.accessType === "read" || b.accessType === "readWrite") {
          out.push({ id, verified: false, message: "only write (value change) data breakpoints are supported" });
          continue;
        }
        if (!parsed) {
          out.push({ id, verified: false, message: `unknown dataId '${b.dataId}'` });
          continue;
        }
        const field = parsed.kind === "vmcs" ? fieldByName(parsed.name) : undefined;
        if (parsed.kind === "vmcs" && !field) {
          out.push({ id, verified: false, message: `unknown VMCS field ${parsed.name}` });
          continue;
        }
        if (parsed.kind === "register" && !watchableRegister(e, parsed.name)) {
          out.push({ id, verified: false, message: `${parsed.name} is not a register that can be watched` });
          continue;
        }
        const msr = parsed.kind === "msr" ? msrByName(parsed.name) : undefined;
        if (parsed.kind === "msr" && !msr) {
          out.push({ id, verified: false, message: `unknown MSR ${parsed.name}` });
          continue;
        }
        const target: DataBreakpointTarget =
          parsed.kind === "memory" || parsed.kind === "register"
            ? parsed
            : parsed.kind === "msr"
              ? { kind: "msr", index: msr?.index ?? 0, name: msr?.name ?? "" }
              : { kind: "vmcs", encoding: field?.encoding ?? 0, name: field?.name ?? "" };
        e.breakpoints.data.push({
          id,
          dataId: dataIdOf(target),
          target,
          verified: true,
          hits: 0,
          condition: b.condition,
          hitCondition: b.hitCondition,
        });
        out.push({ id, verified: true });
      }
      e.captureDataValues();
      response.body = { breakpoints: out };
      this.sendResponse(response);
    });
  }

  // ---- execution --------------------------------------------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [{ id: THREAD_ID, name: "CPU 0" }] };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      response.body = { allThreadsContinued: true };
      this.sendResponse(response);
      this.execute(() => e.continue());
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      this.sendResponse(response);
      this.execute(() => e.stepOver(granularity(args)));
    });
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      this.sendResponse(response);
      this.execute(() => e.stepIn(granularity(args)));
    });
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const frames = callFrames(e.target, e.sourceMap, e.lastEntrySite(), e.lastExitSite());
      const caller = frames[1];
      this.sendResponse(response);
      this.execute(() => e.stepOut(caller && !caller.entrySite ? caller : undefined));
    });
  }

  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stoppedOrEnded(response);
      if (!e) return;
      this.sendResponse(response);
      this.execute(() => e.stepBack(granularity(args)));
    });
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.guard(response, () => {
      const e = this.stoppedOrEnded(response);
      if (!e) return;
      this.sendResponse(response);
      this.execute(() => e.reverseContinue());
    });
  }

  /** Reverse execution is allowed at a final stop (e.g. after a triple fault) as long as the session lives. */
  private stoppedOrEnded(response: DebugProtocol.Response): DebugEngine | undefined {
    const e = this.engine;
    if (!e || this.terminated) return this.stopped(response);
    if (e.isRunning) {
      this.fail(response, ERR.busy, "the program is running; pause it first");
      return undefined;
    }
    return e;
  }

  /** "Jump to Cursor": the instruction of a source line becomes the next one to execute (RIP is set). */
  protected override gotoTargetsRequest(
    response: DebugProtocol.GotoTargetsResponse,
    args: DebugProtocol.GotoTargetsArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const path = args?.source?.path;
      if (typeof path !== "string") throw new Error("gotoTargets: 'source.path' is required");
      const r = e.sourceMap?.resolveLine(path, this.convertClientLineToDebugger(Number(args.line)));
      response.body = {
        targets: r
          ? [
              {
                id: Number(r.address),
                label: `0x${r.address.toString(16)}`,
                line: this.convertDebuggerLineToClient(r.line),
                instructionPointerReference: toHexString(r.address),
              },
            ]
          : [],
      };
      this.sendResponse(response);
    });
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const target = Number(args?.targetId);
      if (!Number.isSafeInteger(target) || target < 0) throw new Error("goto: unknown target");
      e.jumpTo(BigInt(target));
      this.sendResponse(response);
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.guard(response, () => {
      const e = this.live(response);
      if (!e) return;
      this.sendResponse(response);
      e.pause();
    });
  }

  // ---- state ------------------------------------------------------------------------------------------------

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      this.frames = callFrames(e.target, e.sourceMap, e.lastEntrySite(), e.lastExitSite());
      const start = Math.max(0, Number(args?.startFrame ?? 0) || 0);
      const levels = Number(args?.levels ?? 0) || this.frames.length;
      const frames = this.frames.slice(start, start + levels).map((f, i): DebugProtocol.StackFrame => {
        const sf: DebugProtocol.StackFrame = {
          id: start + i + 1,
          name: `${f.world === "none" ? "" : `${f.world}: `}${f.name}`,
          line: 0,
          column: 0,
          instructionPointerReference: toHexString(f.address),
        };
        if (f.location) {
          sf.source = this.source(f.location.file);
          sf.line = this.convertDebuggerLineToClient(f.location.line);
          sf.column = this.convertDebuggerColumnToClient(f.location.column);
        } else sf.presentationHint = "subtle";
        if (f.entrySite) sf.presentationHint = "subtle";
        return sf;
      });
      response.body = { stackFrames: frames, totalFrames: this.frames.length };
      this.sendResponse(response);
    });
  }

  private varContext(format: NumberFormat = "hex") {
    const e = this.engine as DebugEngine;
    return { engine: e, tracker: this.tracker, format };
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const frame = this.frames[Number(args?.frameId) - 1];
      const list = scopes(this.varContext());
      // The host's VM-entry frame: what the host will have when it resumes (the VMCS host-state area).
      const hostScope: DebugProtocol.Scope[] = frame?.entrySite
        ? [
            {
              name: "Host state at the next VM exit (VMCS)",
              variablesReference: this.handles.create({ kind: "host" }),
              expensive: false,
              presentationHint: "registers",
            },
          ]
        : [];
      response.body = {
        scopes: [
          ...hostScope,
          ...list.map((s, index) => {
            const sc: DebugProtocol.Scope = {
              name: s.name,
              variablesReference: this.handles.create({ kind: "scope", index }),
              expensive: s.expensive,
            };
            if (s.hint) sc.presentationHint = s.hint;
            return sc;
          }),
        ],
      };
      this.sendResponse(response);
    });
  }

  private nodesOf(ref: number, format: NumberFormat): VarNode[] | undefined {
    const c = this.handles.get(ref);
    if (!c) return undefined;
    if (c.kind === "scope") return scopes(this.varContext(format))[c.index]?.children();
    if (c.kind === "host") return vmcsGroupNodes(this.varContext(format), "host-state");
    return c.node.children?.();
  }

  private toVariable(n: VarNode): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = {
      name: n.name,
      value: n.value,
      variablesReference: n.children ? this.handles.create({ kind: "node", node: n }) : 0,
    };
    if (n.type) v.type = n.type;
    if (n.evaluateName) v.evaluateName = n.evaluateName;
    if (n.memoryReference) v.memoryReference = n.memoryReference;
    const attributes: string[] = [];
    if (n.readOnly || !n.set) attributes.push("readOnly");
    // "changed since the last stop": VS Code also highlights values that differ between stops.
    if (n.changed) attributes.push("changed");
    if (attributes.length)
      v.presentationHint = { attributes: attributes as DebugProtocol.VariablePresentationHint["attributes"] };
    return v;
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const format: NumberFormat = args?.format?.hex === false ? "decimal" : "hex";
      const nodes = this.nodesOf(Number(args?.variablesReference), format);
      if (!nodes) throw new Error(`unknown variablesReference ${args?.variablesReference}`);
      this.children.set(args.variablesReference, nodes);
      response.body = { variables: nodes.map((n) => this.toVariable(n)) };
      this.sendResponse(response);
    });
  }

  protected override setVariableRequest(
    response: DebugProtocol.SetVariableResponse,
    args: DebugProtocol.SetVariableArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const ref = Number(args?.variablesReference);
      const list = this.children.get(ref) ?? this.nodesOf(ref, "hex");
      const node = list?.find((n) => n.name === args.name);
      if (!node) throw new Error(`no variable '${args?.name}' here`);
      if (!node.set) throw new Error(`${node.name} is read-only`);
      const value = String(args.value ?? "");
      const env = makeEvalEnv(e.target, e.sourceMap, e.syntax, e.evalContext());
      // Accept any expression (e.g. "rbx + 8" or a label) as the new value.
      const v = parseNumber(value) ?? evaluate(value, env).value;
      node.set(`0x${v.toString(16)}`);
      const fresh = this.nodesOf(ref, "hex")?.find((n) => n.name === args.name);
      response.body = { value: fresh?.value ?? `0x${v.toString(16)}` };
      this.sendResponse(response);
      this.sendStateChanged("write");
    });
  }

  private evalFormat(f: "d" | "x" | "b" | undefined, dapHex: boolean | undefined): NumberFormat {
    if (f === "d") return "decimal";
    if (f === "b") return "binary";
    if (f === "x") return "hex";
    return dapHex === false ? "decimal" : "hex";
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const text = String(args?.expression ?? "").trim();
      if (text === "") throw new ExpressionError("empty expression");
      const env = makeEvalEnv(e.target, e.sourceMap, e.syntax, e.evalContext());
      if (args.context === "repl") {
        const a = splitAssignment(text);
        if (a) {
          const target = evaluate(a.target, env);
          if (!target.place) throw new ExpressionError(`${a.target} cannot be assigned`);
          target.place.write(evaluate(a.value, env).value);
          const now = target.place.read();
          response.body = {
            result: `${target.place.describe} = ${formatNumber(now, target.place.bits)}`,
            variablesReference: 0,
          };
          this.sendResponse(response);
          this.sendStateChanged("write");
          return;
        }
        if (/^(explain|\.explain)$/i.test(text)) {
          const f = e.lastEntryFailure();
          response.body = { result: f ? explanationText(f) : "no VM entry has failed", variablesReference: 0 };
          this.sendResponse(response);
          return;
        }
      }
      const { expression, format } = splitFormat(text);
      const r = evaluate(expression, env);
      const bits = r.place?.bits ?? 64;
      const fmt = this.evalFormat(format, args.format?.hex);
      let result = formatNumber(r.value, bits, fmt);
      if (args.context === "repl" && fmt === "hex") result += ` (${r.value.toString(10)})`;
      response.body = { result, variablesReference: 0, memoryReference: toHexString(r.value) };
      if (r.place) response.body.type = r.place.describe;
      this.sendResponse(response);
    });
  }

  protected override setExpressionRequest(
    response: DebugProtocol.SetExpressionResponse,
    args: DebugProtocol.SetExpressionArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const env = makeEvalEnv(e.target, e.sourceMap, e.syntax, e.evalContext());
      const target = evaluate(String(args?.expression ?? ""), env);
      if (!target.place) throw new ExpressionError(`${args.expression} cannot be assigned`);
      target.place.write(evaluate(String(args.value ?? ""), env).value);
      response.body = { value: formatNumber(target.place.read(), target.place.bits) };
      this.sendResponse(response);
      this.sendStateChanged("write");
    });
  }

  protected override completionsRequest(
    response: DebugProtocol.CompletionsResponse,
    args: DebugProtocol.CompletionsArguments,
  ): void {
    this.guard(response, () => {
      const e = this.engine;
      const text = String(args?.text ?? "");
      const col = Math.min(Math.max(Number(args?.column ?? text.length + 1) - 1, 0), text.length);
      const m = /[%A-Za-z_.$][A-Za-z0-9_.$]*$/.exec(text.slice(0, col));
      const word = m ? m[0] : "";
      const prefix = word.replace(/^%/, "").toLowerCase();
      const all = completionNames(
        e?.sourceMap,
        VMCS_FIELDS.map((f) => f.name),
        MSRS.map((m2) => m2.name),
      );
      const targets = all
        .filter((c) => c.label.toLowerCase().startsWith(prefix))
        .slice(0, 200)
        .map(
          (c): DebugProtocol.CompletionItem => ({
            label: c.label,
            type: c.type,
            start: col - word.length + (word.startsWith("%") ? 1 : 0),
            length: prefix.length,
          }),
        );
      response.body = { targets };
      this.sendResponse(response);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    this.guard(response, () => {
      const e = this.engine;
      const x = e?.lastStop?.exception;
      if (!e || !x) throw new Error("the program did not stop on an exception");
      response.body = {
        exceptionId: x.id,
        description: x.description,
        breakMode: "always",
        details: {
          message: x.details ?? x.description,
          typeName: x.filter,
          fullTypeName: x.entryFailure ? `${x.entryFailure.checkId} (SDM ${x.entryFailure.sdm})` : x.id,
          stackTrace: x.details,
        },
      };
      this.sendResponse(response);
    });
  }

  // ---- memory and disassembly -------------------------------------------------------------------------------

  protected override readMemoryRequest(
    response: DebugProtocol.ReadMemoryResponse,
    args: DebugProtocol.ReadMemoryArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const base = this.memoryReference(e, args?.memoryReference);
      const count = Number(args.count);
      if (!Number.isSafeInteger(count) || count < 0 || count > 1 << 24)
        throw new Error("readMemory: 'count' must be between 0 and 16 MiB");
      const address = BigInt.asUintN(64, base + BigInt(Math.trunc(Number(args.offset ?? 0))));
      const bytes = e.target.readLinear(address, count);
      response.body = {
        address: toHexString(address),
        data: Buffer.from(bytes).toString("base64"),
        unreadableBytes: count - bytes.length,
      };
      this.sendResponse(response);
    });
  }

  protected override writeMemoryRequest(
    response: DebugProtocol.WriteMemoryResponse,
    args: DebugProtocol.WriteMemoryArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const base = this.memoryReference(e, args?.memoryReference);
      if (typeof args.data !== "string") throw new Error("writeMemory: 'data' must be base64");
      const data = Buffer.from(args.data, "base64");
      const address = BigInt.asUintN(64, base + BigInt(Math.trunc(Number(args.offset ?? 0))));
      const n = e.target.writeLinear(address, new Uint8Array(data));
      if (n < data.length && !args.allowPartial)
        throw new Error(`writeMemory: 0x${(address + BigInt(n)).toString(16)} is not mapped`);
      response.body = { offset: 0, bytesWritten: n };
      this.sendResponse(response);
      this.sendEvent(new DapEvent("memory", { memoryReference: toHexString(address), offset: 0, count: n }));
      this.sendStateChanged("write");
    });
  }

  private memoryReference(e: DebugEngine, ref: unknown): bigint {
    if (typeof ref !== "string" || ref.trim() === "") throw new Error("'memoryReference' is required");
    const n = parseNumber(ref);
    if (n !== undefined) return n;
    return evaluate(ref, makeEvalEnv(e.target, e.sourceMap, e.syntax)).value;
  }

  protected override disassembleRequest(
    response: DebugProtocol.DisassembleResponse,
    args: DebugProtocol.DisassembleArguments,
  ): void {
    this.guard(response, () => {
      const e = this.stopped(response);
      if (!e) return;
      const base = this.memoryReference(e, args?.memoryReference);
      const count = Number(args.instructionCount);
      if (!Number.isSafeInteger(count) || count < 0 || count > 10000)
        throw new Error("disassemble: 'instructionCount' must be between 0 and 10000");
      const start = BigInt.asUintN(64, base + BigInt(Math.trunc(Number(args.offset ?? 0))));
      const insns = disassembleRange(
        e.target,
        e.sourceMap,
        start,
        Math.trunc(Number(args.instructionOffset ?? 0)),
        count,
        e.syntax === "gas" ? "att" : "intel",
        readText,
      );
      response.body = {
        instructions: insns.map((i): DebugProtocol.DisassembledInstruction => {
          const d: DebugProtocol.DisassembledInstruction = {
            address: toHexString(i.address),
            instruction: i.text,
            instructionBytes: i.bytes,
          };
          if (i.symbol) d.symbol = i.symbol;
          if (i.location) {
            d.location = this.source(i.location.file);
            d.line = this.convertDebuggerLineToClient(i.location.line);
            d.column = this.convertDebuggerColumnToClient(i.location.column);
          }
          if (i.invalid) d.presentationHint = "invalid";
          return d;
        }),
      };
      this.sendResponse(response);
    });
  }

  // ---- custom requests (protocol/vmx-debug.ts) --------------------------------------------------------------

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    this.guard(response, () => {
      switch (command) {
        case VMX_STATE_REQUEST: {
          const e = this.stopped(response);
          if (!e) return;
          response.body = vmxState(e, this.vmcsHistory, (f) => this.paths.display(f));
          this.sendResponse(response);
          return;
        }
        case VMX_EXIT_HISTORY_REQUEST: {
          const e = this.engine;
          if (!e) throw new Error("no program");
          const a = (isObject(args) ? args : {}) as VmxExitHistoryArguments;
          response.body = exitHistory(e, typeof a.limit === "number" ? a.limit : undefined, (f) =>
            this.paths.display(f),
          );
          this.sendResponse(response);
          return;
        }
        case VMX_WRITE_FIELD_REQUEST: {
          const e = this.stopped(response);
          if (!e) return;
          const a = (isObject(args) ? args : {}) as Partial<VmxWriteFieldArguments>;
          const f = fieldForName(a.field);
          if (!f) throw new Error(`unknown VMCS field ${String(a.field)}`);
          const v = parseNumber(String(a.value ?? ""));
          if (v === undefined) throw new Error(`'${String(a.value)}' is not a number`);
          if (!e.target.vmx.writeField(f.encoding, v))
            throw new Error(`${f.name}: no current VMCS or the CPU model does not support the field`);
          response.body = { value: toHexString(e.target.vmx.readField(f.encoding) ?? 0n) };
          this.sendResponse(response);
          this.sendStateChanged("write");
          return;
        }
        case VMX_GO_TO_EXIT_REQUEST: {
          const e = this.stoppedOrEnded(response);
          if (!e) return;
          const a = (isObject(args) ? args : {}) as Partial<VmxGoToExitArguments>;
          const n = a.instructionCount;
          if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
            throw new Error("'instructionCount' must be a non-negative integer");
          response.body = {};
          this.sendResponse(response);
          this.execute(() => void e.goToAndStop(n));
          return;
        }
        case VMX_FIELD_BREAKPOINT_REQUEST: {
          const e = this.engine;
          if (!e) throw new Error("no program");
          const a = (isObject(args) ? args : {}) as Partial<VmxFieldBreakpointArguments>;
          const f = fieldForName(a.field);
          const body: VmxFieldBreakpointResponseBody = { verified: false, fields: [] };
          if (!f) body.message = `unknown VMCS field ${String(a.field)}`;
          else if (a.enabled) {
            if (!e.breakpoints.fieldWatches.has(f.name)) {
              const target = { kind: "vmcs" as const, encoding: f.encoding, name: f.name };
              e.breakpoints.fieldWatches.set(f.name, {
                id: e.breakpoints.newId(),
                dataId: dataIdOf(target),
                target,
                verified: true,
                hits: 0,
              });
            }
            body.verified = true;
          } else {
            e.breakpoints.fieldWatches.delete(f.name);
            body.verified = true;
          }
          e.captureDataValues();
          body.fields = [...e.breakpoints.fieldWatches.keys()];
          response.body = body;
          this.sendResponse(response);
          return;
        }
      }
      this.fail(response, ERR.unknown, `unknown request '${command}'`);
    });
  }
}
