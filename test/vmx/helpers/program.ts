// Assembling an example with our assembler and running it like `vmx run FILE` (start state long64 by default).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { cpuModel } from "../../../arch/index";
import { assemble } from "../../../assembler/index";
import type { CpuModel } from "../../../emulator/cpu-model";
import { Machine } from "../../../emulator/index";
import type { StopReason } from "../../../emulator/stop-reason";
import type { VmxEvent } from "../../../emulator/vmx/events";
import { createVmx, type Vmx } from "../../../emulator/vmx/vmx";

export interface ProgramRun {
  output: string;
  /** The program's symbols (label → address). */
  symbols: ReadonlyMap<string, bigint>;
  stop: StopReason;
  events: VmxEvent[];
  /** The device time (retired instructions plus halted time) of each event. */
  eventTimes: number[];
  machine: Machine;
  vmx: Vmx;
}

export interface RunOptions {
  start?: "long64" | "protected32" | "real16";
  model?: string;
  /** A CPU model object (overrides `model`). */
  modelObject?: CpuModel;
  max?: number;
}

export function runProgram(file: string, opts: RunOptions = {}): ProgramRun {
  return runSource(readFileSync(file, "utf8"), file, opts);
}

/** Assembles `source` (named `file` for diagnostics and includes) and runs it. */
export function runSource(source: string, file: string, opts: RunOptions = {}): ProgramRun {
  // GAS has no `org`: like `vmx run`, load .text of a GAS program at 1 MiB (program memory starts at 0x10000).
  const program = assemble(source, {
    fileName: file,
    ...(/\.[sS]$/.test(file) ? { base: 0x100000n } : {}),
    readFile: (p: string) => {
      try {
        return readFileSync(resolve(dirname(file), p), "utf8");
      } catch {
        try {
          return readFileSync(p, "utf8");
        } catch {
          return undefined;
        }
      }
    },
  });
  const errors = program.diagnostics.filter((d) => d.severity === "error");
  if (errors.length)
    throw new Error(`${file}: ${errors.map((e) => `${e.range.start.line + 1}: ${e.message}`).join("; ")}`);
  const machine = new Machine({ cpuModel: opts.modelObject ?? cpuModel(opts.model ?? "skylake-x")!, vmx: createVmx });
  for (const s of program.sections) machine.load(s.bytes, s.address);
  const entry = program.symbols.get("start")?.value ?? program.sections[0]!.address;
  machine.setupStart(opts.start ?? "long64", entry);
  const vmx = machine.vmx as Vmx;
  const events: VmxEvent[] = [];
  const eventTimes: number[] = [];
  vmx.onEvent((e) => {
    events.push(e);
    eventTimes.push(machine.cpu.deviceTime());
  });
  let output = "";
  machine.onOutput((bytes) => {
    output += Buffer.from(bytes).toString("latin1");
  });
  const stop = machine.run({ maxInstructions: opts.max ?? 2_000_000 });
  const symbols = new Map([...program.symbols].map(([k, v]) => [k, v.value] as const));
  return { output, symbols, stop, events, eventTimes, machine, vmx };
}
