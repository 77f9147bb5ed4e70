// Follows the active `vmx` debug session and keeps the latest answers of vmx/state and vmx/exitHistory.
// Refreshes when the adapter sends vmx/stateChanged (and, as a fallback, on DAP `stopped`), drops stale
// answers, and tells the views and decorations through onDidChange.
import * as vscode from "vscode";
import {
  VMX_EXIT_HISTORY_REQUEST,
  VMX_STATE_CHANGED_EVENT,
  VMX_STATE_REQUEST,
  type VmEntryFailureExplanation,
  type VmxExitHistoryResponseBody,
  type VmxStateResponseBody,
} from "../protocol/vmx-debug";
import { VMX_DEBUG_TYPE } from "./debug-configuration";
import { vmxRequest } from "./vmx-requests";

/** DAP requests after which the program runs until the next `stopped` event. */
const RESUMING = new Set(["continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue", "goto"]);

export class VmxSessionStore implements vscode.Disposable {
  state: VmxStateResponseBody | undefined;
  history: VmxExitHistoryResponseBody | undefined;
  /** The program is running: the values shown are those of the last stop. */
  running = false;
  /** Why the last refresh failed (shown in the view's message); undefined when it worked. */
  problem: string | undefined;
  session: vscode.DebugSession | undefined;
  /** The last failed VM entry of the latest session; kept after the session ends so it can still be explained. */
  lastEntryFailure: VmEntryFailureExplanation | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => {
        if (s.type === VMX_DEBUG_TYPE) this.follow(s);
      }),
      vscode.debug.onDidChangeActiveDebugSession((s) => {
        if (s?.type === VMX_DEBUG_TYPE && s !== this.session) this.follow(s);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s === this.session) {
          this.session = undefined;
          this.state = undefined;
          this.history = undefined;
          this.problem = undefined;
          this.changed.fire();
        }
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session === this.session && e.event === VMX_STATE_CHANGED_EVENT) this.scheduleRefresh();
      }),
      // Fallback for adapters that do not send vmx/stateChanged: refresh on every stop.
      vscode.debug.registerDebugAdapterTrackerFactory(VMX_DEBUG_TYPE, {
        createDebugAdapterTracker: (session) => ({
          onWillReceiveMessage: (m: { type?: string; command?: string }) => {
            if (session === this.session && m.type === "request" && RESUMING.has(m.command ?? ""))
              this.setRunning(true);
          },
          onDidSendMessage: (m: { type?: string; event?: string }) => {
            if (session !== this.session || m.type !== "event") return;
            if (m.event === "stopped") {
              this.running = false;
              this.scheduleRefresh();
            } else if (m.event === "continued") this.setRunning(true);
          },
        }),
      }),
    );
    const active = vscode.debug.activeDebugSession;
    if (active?.type === VMX_DEBUG_TYPE) this.follow(active);
  }

  private setRunning(running: boolean): void {
    if (this.running === running) return;
    this.running = running;
    this.changed.fire();
  }

  private follow(s: vscode.DebugSession): void {
    this.session = s;
    this.running = false;
    this.lastEntryFailure = undefined;
    this.state = undefined;
    this.history = undefined;
    this.problem = undefined;
    this.changed.fire();
  }

  /** Coalesces the custom event and the `stopped` event of one stop into one refresh. */
  scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, 20);
  }

  async refresh(): Promise<void> {
    const session = this.session;
    if (!session) return;
    const generation = ++this.generation;
    try {
      const [state, history] = await Promise.all([
        vmxRequest(session, VMX_STATE_REQUEST, {}),
        vmxRequest(session, VMX_EXIT_HISTORY_REQUEST, {}).catch(() => undefined),
      ]);
      if (generation !== this.generation || session !== this.session) return;
      if (this.state && state.stopId < this.state.stopId) return;
      this.state = state;
      this.lastEntryFailure = state.lastEntryFailure;
      this.history = history;
      this.problem = undefined;
    } catch (e) {
      if (generation !== this.generation) return;
      this.problem = e instanceof Error ? e.message : String(e);
    }
    this.changed.fire();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
