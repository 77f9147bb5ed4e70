// Debug adapter benchmark (`npm run bench debug-adapter`). Prints one JSON line per figure:
//   step round trip over DAP (median, p95; target < 5 ms),
//   continue-to-breakpoint speed with 20 breakpoints as a fraction of the raw emulator's speed (target >= 0.5),
//   launch-to-first-stop over DAP for the examples and fixtures (target < 300 ms).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import { dataIdOf } from "../debug-adapter/core/breakpoints";
import { DebugEngine } from "../debug-adapter/core/engine";
import { buildProgram, createTarget, defaultEntry } from "../debug-adapter/core/machine-adapter";
import { adapterPath, fixture, launch, ROOT, startClient, waitStopped } from "../test/dap/harness";

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: "debug-adapter", ...o })}\n`);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** A temporary directory removed when the benchmark ends. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "vmx-bench-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const read = (p: string) => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};

/** A loop of `n` iterations (3 instructions each) and 20 functions that are never called, each with a breakpoint. */
function loopProgram(n: number): { path: string; breakpointLines: number[]; endLine: number } {
  const lines = [
    "bits 64",
    "org 0x100000",
    "start:",
    `    mov rcx, ${n}`,
    "    xor rax, rax",
    ".loop:",
    "    add rax, rcx",
    "    dec rcx",
    "    jnz .loop",
  ];
  const endLine = lines.length; // 0-based line of the hlt below
  lines.push("    hlt");
  const breakpointLines: number[] = [];
  for (let i = 0; i < 20; i++) {
    lines.push(`unused${i}:`);
    breakpointLines.push(lines.length);
    lines.push(`    mov rax, ${i}`, "    ret");
  }
  const dir = tempDir();
  const path = join(dir, "loop.asm");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return { path, breakpointLines, endLine };
}

async function continueSpeed(): Promise<void> {
  const n = 3_000_000;
  const prog = loopProgram(n);
  const built = buildProgram({ files: [prog.path], includePaths: [], readFile: read });
  const entry = defaultEntry(built) ?? 0n;
  // Best of three for each side, alternating, so neither is measured with a cold JIT or in a burst of load.
  let rawMs = Number.POSITIVE_INFINITY;
  let rawCount = 0;
  let dbgMs = Number.POSITIVE_INFINITY;
  let dbgCount = 0;
  for (let round = 0; round < 3; round++) {
    // Raw emulator: the same program, one run() to the end.
    const raw = createTarget(built, { start: "long64", entry }, () => {});
    let t0 = performance.now();
    raw.run({ maxInstructions: 10 * n, breakpoints: new Set(), stopOnVmExit: false });
    rawMs = Math.min(rawMs, performance.now() - t0);
    rawCount = raw.instructionCount;
    // The debug engine: 20 breakpoints plus one at the end of the loop, continue until it.
    const target = createTarget(built, { start: "long64", entry }, () => {});
    let stopped = false;
    const engine = new DebugEngine(
      target,
      built.sourceMap,
      { syntax: "nasm", trace: false, breakOn: new Set() },
      {
        output: () => {},
        stopped: () => {
          stopped = true;
        },
        ended: () => {},
      },
    );
    engine.breakpoints.setSource(
      prog.path,
      [...prog.breakpointLines, prog.endLine].map((line) => ({ line })),
    );
    t0 = performance.now();
    await engine.continue();
    dbgMs = Math.min(dbgMs, performance.now() - t0);
    dbgCount = target.instructionCount;
    if (!stopped) throw new Error("the engine did not stop at the end breakpoint");
  }
  const rawMips = rawCount / rawMs / 1000;
  const dbgMips = dbgCount / dbgMs / 1000;
  emit({
    metric: "continue_to_breakpoint",
    instructions: dbgCount,
    breakpoints: 21,
    raw_mips: round(rawMips, 2),
    debugger_mips: round(dbgMips, 2),
    ratio: round(dbgMips / rawMips),
    target_ratio: 0.5,
  });
}

/**
 * A write after n loop iterations, found by a memory data breakpoint (compared per slice), the same with the loop
 * writing a neighbour on the watched page ("hotPage": every slice is replayed instruction by instruction, the price
 * of not missing a value that changes and comes back), or watched through a register that only changes at the end
 * (compared after every instruction).
 */
async function dataBreakpoint(kind: "memory" | "hotPage" | "register" = "memory"): Promise<void> {
  const n = kind === "memory" ? 1_000_000 : 200_000;
  const dir = tempDir();
  const path = join(dir, "watch.asm");
  const neighbour = kind === "hotPage" ? " mov [0x200008], rcx\n" : "";
  writeFileSync(
    path,
    `bits 64\norg 0x100000\nstart:\n mov rcx, ${n}\n.l:\n add rax, rcx\n${neighbour} dec rcx\n jnz .l\n mov qword [0x200000], 5\n mov rbx, 7\n hlt\n`,
  );
  const built = buildProgram({ files: [path], includePaths: [], readFile: read });
  const target = createTarget(built, { start: "long64", entry: defaultEntry(built) ?? 0n }, () => {});
  let description = "";
  const engine = new DebugEngine(
    target,
    built.sourceMap,
    { syntax: "nasm", trace: false, breakOn: new Set() },
    {
      output: () => {},
      stopped: (s) => {
        description = s.description;
      },
      ended: () => {},
    },
  );
  const watched =
    kind === "register"
      ? { kind: "register" as const, name: "rbx" }
      : { kind: "memory" as const, address: 0x200000n, size: 8 };
  engine.breakpoints.data = [{ id: 1, dataId: dataIdOf(watched), target: watched, verified: true, hits: 0 }];
  engine.captureDataValues();
  const t0 = performance.now();
  await engine.continue();
  const ms = performance.now() - t0;
  if (!description.includes("changed")) throw new Error("the data breakpoint did not stop");
  emit({
    metric: {
      memory: "continue_to_data_breakpoint",
      hotPage: "continue_to_data_breakpoint_hot_page",
      register: "continue_to_register_data_breakpoint",
    }[kind],
    instructions: target.instructionCount,
    ms: round(ms, 1),
    mips: round(target.instructionCount / ms / 1000, 2),
  });
}

async function stepLatency(): Promise<void> {
  const dc = await startClient();
  try {
    const stopped = waitStopped(dc);
    await launch(dc, { program: fixture("spin.asm"), stopOnEntry: true });
    await stopped;
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const s = waitStopped(dc);
      const t0 = performance.now();
      await dc.stepInRequest({ threadId: 1 });
      await s;
      times.push(performance.now() - t0);
    }
    emit({
      metric: "step_round_trip_ms",
      steps: times.length,
      median: round(percentile(times, 50)),
      p95: round(percentile(times, 95)),
      target_ms: 5,
    });
    // A step followed by what VS Code asks at every stop: stack trace, scopes, general registers.
    const full: number[] = [];
    for (let i = 0; i < 100; i++) {
      const s = waitStopped(dc);
      const t0 = performance.now();
      await dc.stepInRequest({ threadId: 1 });
      await s;
      await dc.stackTraceRequest({ threadId: 1 });
      const sc = await dc.scopesRequest({ frameId: 1 });
      await dc.variablesRequest({ variablesReference: sc.body.scopes[0]?.variablesReference ?? 0 });
      full.push(performance.now() - t0);
    }
    emit({
      metric: "step_with_views_ms",
      steps: full.length,
      median: round(percentile(full, 50)),
      p95: round(percentile(full, 95)),
    });
    // Pause latency in an endless loop.
    const pauses: number[] = [];
    for (let i = 0; i < 20; i++) {
      await dc.continueRequest({ threadId: 1 });
      await new Promise((r) => setTimeout(r, 30));
      const s = waitStopped(dc);
      const t0 = performance.now();
      await dc.pauseRequest({ threadId: 1 });
      await s;
      pauses.push(performance.now() - t0);
    }
    emit({
      metric: "pause_latency_ms",
      pauses: pauses.length,
      median: round(percentile(pauses, 50)),
      max: round(Math.max(...pauses)),
      target_ms: 50,
    });
  } finally {
    await dc.stop();
  }
}

async function launchToFirstStop(): Promise<void> {
  const programs = [join(ROOT, "examples/hypervisor.asm"), fixture("loop.asm"), fixture("loop.s")];
  for (const program of programs) {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const dc: DebugClient = await startClient();
      try {
        const stopped = waitStopped(dc);
        const t0 = performance.now();
        await launch(dc, { program, stopOnEntry: true });
        await stopped;
        samples.push(performance.now() - t0);
      } finally {
        await dc.stop();
      }
    }
    emit({
      metric: "launch_to_first_stop_ms",
      program: program.replace(`${ROOT}/`, ""),
      median: round(percentile(samples, 50)),
      max: round(Math.max(...samples)),
      target_ms: 300,
    });
  }
}

async function main(): Promise<void> {
  adapterPath();
  await continueSpeed();
  await dataBreakpoint();
  await dataBreakpoint("hotPage");
  await dataBreakpoint("register");
  await stepLatency();
  await launchToFirstStop();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
