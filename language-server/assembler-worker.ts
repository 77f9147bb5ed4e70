// Runs the assembler front end (seconds on a 10,000-line file) on a worker thread so that diagnostics from the
// analysis, hovers and completions never wait for it. The worker thread runs dist/assembler-worker.js (only the
// assembler and the analysis front end: less memory than the whole server); without that bundle the server
// starts itself again as the worker (`new Worker(__filename)`).

import { readFileSync } from "node:fs";
import { setPriority } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { assembleInContext, type FrontendResult } from "./analysis/frontend";
import type { Syntax } from "./analysis/types";
import { exposeFullGc } from "./gc";

export interface AssembleJob {
  id: number;
  file: string;
  text: string;
  syntax: Syntax;
  includePaths: string[];
  /** Texts of open documents, which win over the disk (includes being edited). */
  overlays: Record<string, string>;
  /** A file that includes `file`: assembled instead, with `file` read as part of it. */
  includer?: { file: string; text: string; syntax: Syntax };
}

export interface AssembleDone {
  id: number;
  file: string;
  result?: FrontendResult;
  error?: string;
}

const ROLE = "vmx-assembler";
const IDLE_STOP_MS = 1500;
const YOUNG_GENERATION_MB = Number(process.env.VMX_LS_WORKER_YOUNG_MB) || 4;

export function isAssemblerWorker(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === ROLE;
}

export function runAssemblerWorker(): void {
  const fullGc = exposeFullGc();
  // The editor's own requests come first: on Linux this lowers only this thread's priority.
  try {
    setPriority(19);
  } catch {
    // not permitted here: run at normal priority
  }
  parentPort?.on("message", (job: AssembleJob) => {
    let reply: AssembleDone;
    try {
      const result = assembleInContext({
        file: job.file,
        text: job.text,
        syntax: job.syntax,
        includePaths: job.includePaths,
        ...(job.includer ? { includer: job.includer } : {}),
        readFile: (p) => {
          if (p in job.overlays) return job.overlays[p];
          try {
            return readFileSync(p, "utf8");
          } catch {
            return undefined;
          }
        },
      });
      reply = { id: job.id, file: job.file, result };
    } catch (e) {
      reply = { id: job.id, file: job.file, error: e instanceof Error ? e.message : String(e) };
    }
    parentPort?.postMessage(reply);
    // The assembly of a large file leaves tens of MB of garbage; collect it while the worker waits for its next
    // job (this thread runs at low priority) instead of keeping it resident until V8 decides to.
    if (fullGc) setImmediate(fullGc);
  });
}

/** One worker, one job at a time; a newer job for the same file replaces a queued one. */
export class AssemblerPool {
  private worker: Worker | undefined;
  private busy = false;
  private readonly queue = new Map<string, AssembleJob>();
  private nextId = 1;

  constructor(
    private readonly script: string,
    private readonly onDone: (job: AssembleJob, done: AssembleDone) => void,
    private readonly log: (m: string) => void,
  ) {}

  submit(job: Omit<AssembleJob, "id">): number {
    const id = this.nextId++;
    this.queue.set(job.file, { ...job, id });
    this.pump();
    return id;
  }

  private current: AssembleJob | undefined;

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      // A small young generation: the assembler's short-lived objects are collected sooner, which halves the
      // worker's resident memory on a 10,000-line file at no measurable cost in time.
      const w = new Worker(this.script, {
        workerData: { role: ROLE },
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
      w.on("message", (done: AssembleDone) => {
        const job = this.current;
        this.busy = false;
        this.current = undefined;
        if (job) this.onDone(job, done);
        this.pump();
        if (!this.busy) this.scheduleIdleStop();
      });
      w.on("error", (e) => this.log(`assembler worker error: ${e.message}`));
      w.on("exit", () => {
        this.worker = undefined;
        this.busy = false;
        this.current = undefined;
      });
      w.unref();
      this.worker = w;
      return w;
    } catch (e) {
      this.log(`cannot start the assembler worker: ${String(e)}`);
      return undefined;
    }
  }

  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** An idle worker holds the last assembly's memory: stop it after a quiet period (restarted on demand). */
  private scheduleIdleStop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (!this.busy && this.worker) {
        void this.worker.terminate();
        this.worker = undefined;
      }
    }, IDLE_STOP_MS);
    this.idleTimer.unref?.();
  }

  private pump(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    if (this.busy) return;
    const next = this.queue.values().next();
    if (next.done) return;
    const job = next.value;
    this.queue.delete(job.file);
    const w = this.ensureWorker();
    if (!w) return;
    this.busy = true;
    this.current = job;
    w.postMessage(job);
  }

  dispose(): void {
    void this.worker?.terminate();
  }
}
