// `vmx run FILE`: assembles FILE (or loads a raw image), runs it on the emulator, copies UART and port 0xE9
// output to stdout as it happens, prints the stop reason to stderr and exits non-zero on a crash.

import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { CPU_MODELS, cpuModel, DEFAULT_CPU_MODEL, EXIT_REASONS } from "../../arch/index";
import { assemble, flatBinary, lineAt, type Program } from "../../assembler/index";
import { formatInstruction, Machine, START_STATES, type StartState, type StopReason } from "../../emulator/index";
import type { VmxEvent } from "../../emulator/vmx/events";
import { createVmx, type Vmx } from "../../emulator/vmx/vmx";
import { type CliCommand, type CliIo, CliUsageError, parseArgs, parseNumber } from "../io";

const USAGE =
  "usage: vmx run FILE [--start long64|protected32|real16] [--load ADDR] [--entry LABEL|ADDR] [--cpu MODEL] [--max N] [--trace]";

/** Default load address of a raw image per start state (real16: where a BIOS puts a boot sector). */
const RAW_DEFAULT_LOAD: Record<StartState, bigint> = { real16: 0x7c00n, protected32: 0x10000n, long64: 0x10000n };
const DEFAULT_MAX = 200_000_000;

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** " (file:line)" for a linear address of the assembled program, or "" (raw images, addresses outside it). */
export type SourceOf = (linear: bigint) => string;
const NO_SOURCE: SourceOf = () => "";

/** One line describing a stop reason. */
export function describeStop(r: StopReason, at: SourceOf = NO_SOURCE): string {
  switch (r.kind) {
    case "halted":
      // RIP is past the HLT (one byte).
      return `halted at ${hex(r.rip)} (HLT with ${r.interruptsEnabled ? "no interrupt that can wake it" : "interrupts disabled"}${at(
        r.rip - 1n,
      )
        .replace(/^ \(/, " at ")
        .replace(/\)$/, "")})`;
    case "breakpoint":
      return `breakpoint at ${hex(r.address)}${r.physical ? " (physical)" : ""}`;
    case "budget":
      return `instruction budget exhausted after ${r.executed} instructions at ${hex(r.rip)}${at(r.rip)}`;
    case "tripleFault":
      return `triple fault at ${hex(r.rip)}${at(r.rip)}: ${r.message}`;
    case "exception":
      return `unhandled exception ${r.vector}${r.errorCode !== undefined ? ` error code ${hex(BigInt(r.errorCode))}` : ""} at ${hex(r.rip)}${at(r.rip)}${r.cr2 !== undefined ? ` cr2=${hex(r.cr2)}` : ""}`;
    case "init":
      return `INIT at ${hex(r.rip)}${at(r.rip)}: ${r.message}`;
    case "shutdown":
      return `shutdown at ${hex(r.rip)}${at(r.rip)}: ${r.message}`;
    case "vmEntryFailure":
      return `VM entry failed (${r.checkId}, SDM ${r.sdmSection}): ${r.message}${r.fields.length ? ` [${r.fields.map((f) => `${f.name}=${hex(f.value)}`).join(", ")}]` : ""}`;
    case "vmExit":
      return `VM exit ${r.exitReason} qualification ${hex(r.qualification)} at ${hex(r.rip)}`;
    default:
      return `stopped at ${hex(r.rip)}`;
  }
}

/** One line of the VMX exit trace (stderr). */
export function describeVmxEvent(e: VmxEvent, at: SourceOf = NO_SOURCE): string {
  switch (e.kind) {
    case "vmEntry":
      return `vmx: ${e.launch ? "VMLAUNCH" : "VMRESUME"} → guest RIP ${hex(e.guestRip)}`;
    case "vmExit": {
      const basic = e.exitReason & 0xffff;
      const name = EXIT_REASONS[basic]?.name ?? `reason ${basic}`;
      return `vmx: VM exit ${basic} (${name}) at guest RIP ${hex(e.guestRip)}, qualification ${hex(e.qualification)}, length ${e.instructionLength}`;
    }
    case "vmEntryFailure": {
      const f = e.failure;
      const outcome =
        e.outcome === "vmfailInvalid"
          ? "VMfailInvalid"
          : e.outcome === "vmfailValid"
            ? `VMfailValid(${e.error})`
            : `VM-entry failure, exit reason ${e.exitReason}`;
      const fields = f.fields.length ? ` [${f.fields.map((x) => `${x.name}=${hex(x.value)}`).join(", ")}]` : "";
      return `vmx: ${e.launch ? "VMLAUNCH" : "VMRESUME"}${at(e.rip).replace(/^ \(/, " at ").replace(/\)$/, "")} failed: ${outcome} — ${f.checkId} (SDM ${f.sdmSection}): ${f.message}${fields}`;
    }
    default:
      return `vmx: VMX abort ${e.indicator}: ${e.message}`;
  }
}

/** Exit status: 0 for a normal halt, 1 for a crash (exception, triple fault, shutdown, budget, entry failure). */
export function exitCodeFor(r: StopReason): number {
  return r.kind === "halted" ? 0 : 1;
}

export const runCommand: CliCommand = {
  summary: "assemble (or load) a program and run it on the emulator",
  async run(args: string[], io: CliIo): Promise<number> {
    const p = parseArgs(args, { "--start": [], "--load": [], "--entry": [], "--cpu": [], "--max": [] }, [
      "--trace",
      "--help",
      "-h",
    ]);
    if (p.flags.has("--help") || p.flags.has("-h")) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    const file = p.positional[0];
    if (!file || p.positional.length > 1) throw new CliUsageError(USAGE);
    const start = (p.options.get("--start")?.at(-1) ?? "long64") as StartState;
    if (!START_STATES.includes(start)) throw new CliUsageError(`--start must be one of ${START_STATES.join(", ")}`);
    const modelName = p.options.get("--cpu")?.at(-1) ?? DEFAULT_CPU_MODEL;
    const model = cpuModel(modelName);
    if (!model)
      throw new CliUsageError(`unknown CPU model '${modelName}' (known: ${CPU_MODELS.map((m) => m.name).join(", ")})`);
    const maxText = p.options.get("--max")?.at(-1);
    const max = maxText === undefined ? DEFAULT_MAX : Number(parseNumber(maxText, "--max"));
    const loadText = p.options.get("--load")?.at(-1);
    const entryText = p.options.get("--entry")?.at(-1);
    const path = resolve(io.cwd, file);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      io.err(`vmx run: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }

    const machine = new Machine({ cpuModel: model, vmx: createVmx });
    const raw = loadText !== undefined || /\.(bin|img)$/i.test(file);
    let program: Program | undefined;
    let entry: bigint;
    if (raw) {
      const at = loadText !== undefined ? parseNumber(loadText, "--load") : RAW_DEFAULT_LOAD[start];
      entry = entryText !== undefined ? parseNumber(entryText, "--entry") : at;
      machine.setupStart(start, entry);
      machine.load(new Uint8Array(data), at);
    } else {
      program = assemble(data.toString("utf8"), {
        fileName: path,
        cwd: dirname(path),
        readFile: (f) => {
          try {
            return readFileSync(resolve(dirname(path), f), "utf8");
          } catch {
            return undefined;
          }
        },
      });
      const errors = program.diagnostics.filter((d) => d.severity === "error");
      for (const d of program.diagnostics)
        io.err(`${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}\n`);
      if (errors.length > 0) return 1;
      if (entryText !== undefined) {
        const sym = program.symbols.get(entryText);
        entry = sym ? sym.value : parseNumber(entryText, "--entry");
      } else {
        const sym = program.symbols.get("start") ?? program.symbols.get("_start");
        const first = program.sections.find((s) => !s.nobits && s.size > 0);
        entry = sym?.value ?? program.entry ?? first?.address ?? 0n;
      }
      // Firmware structures first: a program loaded over them (an org below 0x10000) wins.
      machine.setupStart(start, entry);
      if (program.origin !== undefined) machine.load(flatBinary(program), program.origin);
      else for (const s of program.sections) if (!s.nobits) machine.load(s.bytes.subarray(0, s.size), s.address);
    }

    // Host addresses (the code that executes VMLAUNCH, faults, halts) are where the program was loaded.
    const assembled = program;
    const at: SourceOf = assembled
      ? (linear) => {
          const e = lineAt(assembled, linear);
          return e ? ` (${relative(io.cwd, e.file) || e.file}:${e.line + 1})` : "";
        }
      : NO_SOURCE;
    machine.onOutput((bytes) => io.out(Buffer.from(bytes).toString("latin1")));
    // The exit trace: every VM entry, VM exit and failed entry, on stderr as it happens.
    (machine.vmx as Vmx | undefined)?.onEvent((e) => io.err(`${describeVmxEvent(e, at)}\n`));
    const trace = p.flags.has("--trace")
      ? (m: Machine) => {
          const pc = m.pc;
          const insn = m.instructionAt(pc);
          const text = insn ? formatInstruction(insn, "intel", { address: pc }) : "(unmapped)";
          io.err(`${m.instructionCount.toString().padStart(10)}  ${hex(pc).padStart(18)}  ${text}\n`);
        }
      : undefined;
    const stop = machine.run({ maxInstructions: max, trace });
    // A stop's RIP is an offset in CS: name a source line only when CS's base is 0 (pc = rip).
    io.err(
      `vmx run: ${describeStop(stop, machine.pc === machine.rip ? at : NO_SOURCE)} (${machine.instructionCount} instructions)\n`,
    );
    return exitCodeFor(stop);
  },
};
