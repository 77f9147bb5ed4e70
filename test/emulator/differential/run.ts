// Runs random instruction cases natively (harness.c, built with the system C compiler) and on the emulator,
// and compares every architecturally defined result: all GPRs but RSP, the defined arithmetic flags, and
// whether the instruction faulted (#DE ↔ SIGFPE, #UD ↔ SIGILL, #GP ↔ SIGSEGV/SIGBUS).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine } from "../../../emulator/index";
import { type Case, MEM_WINDOW, MEM_WINDOW_SIZE, makeCase, Rng } from "./cases";

export interface Failure {
  index: number;
  text: string;
  code: string;
  detail: string;
}

/** Why the native side cannot run here, or false. */
export function unsupportedReason(): string | false {
  if (process.platform !== "linux" || process.arch !== "x64") return "the native harness needs x86-64 Linux";
  if (spawnSync("gcc", ["--version"], { stdio: "ignore" }).status !== 0) return "gcc is not installed";
  return false;
}

let harnessPath: string | undefined;
function harness(): string {
  if (harnessPath && existsSync(harnessPath)) return harnessPath;
  const dir = mkdtempSync(join(tmpdir(), "emu-diff-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  harnessPath = join(dir, "harness");
  execFileSync("gcc", ["-O2", "-o", harnessPath, join(__dirname, "harness.c")], { stdio: "pipe" });
  return harnessPath;
}

const SIGNAL_OF_VECTOR: Record<number, number[]> = { 0: [8], 6: [4], 13: [11, 7] };
const CODE_BYTES = 64;
const CASE_BYTES = 1 + CODE_BYTES + 17 * 8 + MEM_WINDOW_SIZE;
const RESULT_BYTES = 18 * 8 + MEM_WINDOW_SIZE;

function runNative(cases: Case[]): Buffer {
  const input = Buffer.alloc(4 + cases.length * CASE_BYTES);
  input.writeUInt32LE(cases.length, 0);
  let o = 4;
  for (const c of cases) {
    input[o] = c.code.length;
    for (let k = 0; k < c.code.length; k++) input[o + 1 + k] = c.code[k]!;
    for (let r = 0; r < 16; r++) input.writeBigUInt64LE(c.regs[r]!, o + 1 + CODE_BYTES + r * 8);
    input.writeBigUInt64LE(BigInt(c.flags), o + 1 + CODE_BYTES + 128);
    input.set(c.memory, o + 1 + CODE_BYTES + 136);
    o += CASE_BYTES;
  }
  const res = spawnSync(harness(), [], { input, maxBuffer: cases.length * RESULT_BYTES + 1024 });
  if (res.status !== 0) throw new Error(`native harness failed: status ${res.status} ${res.stderr?.toString()}`);
  return res.stdout;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

export function runDifferential(seed: number, count: number, batch = 20000): { failures: Failure[]; executed: number } {
  const rng = new Rng(seed);
  const failures: Failure[] = [];
  const m = new Machine({ memoryBytes: 512 << 20 });
  const base = 0x100000;
  m.setupStart("long64", base);
  const cpu = m.cpu;
  let executed = 0;
  for (let start = 0; start < count; start += batch) {
    const cases: Case[] = [];
    for (let k = start; k < Math.min(count, start + batch); k++) cases.push(makeCase(rng));
    const out = runNative(cases);
    cases.forEach((c, k) => {
      const index = start + k;
      m.load(Uint8Array.from([...c.code, 0xf4]), base);
      m.load(c.memory, MEM_WINDOW);
      for (let r = 0; r < 16; r++) if (r !== 4) cpu.setRegBig(r, c.regs[r]!);
      cpu.setRegBig(4, 0x10000n);
      cpu.setFlags((c.flags & 0x8d5) | 2);
      cpu.rip = base;
      cpu.halted = false;
      // Half the cases run compiled blocks from the first execution (block.ts), half stay interpreted.
      cpu.blockHeat = index % 2 === 0 ? 1 : Number.POSITIVE_INFINITY;
      const stop = m.run({ maxInstructions: 16 });
      executed++;
      const o = k * RESULT_BYTES;
      const nativeSig = Number(out.readBigUInt64LE(o + 17 * 8));
      const problems: string[] = [];
      if (stop.kind === "exception") {
        const ok = SIGNAL_OF_VECTOR[stop.vector]?.includes(nativeSig);
        if (!ok) problems.push(`emulator raised vector ${stop.vector}, native signal ${nativeSig}`);
      } else if (stop.kind !== "halted") {
        problems.push(`emulator stopped with ${stop.kind}${"message" in stop ? `: ${stop.message}` : ""}`);
      } else if (nativeSig !== 0) {
        problems.push(`native signal ${nativeSig}, emulator completed`);
      } else {
        for (let r = 0; r < 16; r++) {
          if (r === 4 || c.undefinedRegs.includes(r)) continue;
          const nv = out.readBigUInt64LE(o + r * 8);
          const ev = cpu.regBig(r);
          if (nv !== ev) problems.push(`r${r}: native ${hex(nv)} emulator ${hex(ev)}`);
        }
        const nativeMem = out.subarray(o + 18 * 8, o + 18 * 8 + MEM_WINDOW_SIZE);
        const emuMem = m.readPhys(MEM_WINDOW, MEM_WINDOW_SIZE);
        const at = nativeMem.findIndex((b, k) => b !== emuMem[k]);
        if (at >= 0) problems.push(`memory +${at}: native ${nativeMem[at]} emulator ${emuMem[at]}`);
        const nf = Number(out.readBigUInt64LE(o + 16 * 8)) & c.flagMask;
        const ef = cpu.getFlags() & c.flagMask;
        if (nf !== ef)
          problems.push(
            `flags (mask ${hex(BigInt(c.flagMask))}): native ${hex(BigInt(nf))} emulator ${hex(BigInt(ef))}`,
          );
      }
      if (problems.length) {
        const inRegs = c.regs.map((v, r) => `r${r}=${hex(v)}`).join(" ");
        failures.push({
          index,
          text: c.text,
          code: Buffer.from(c.code).toString("hex"),
          detail: `${problems.join("; ")} | in: ${inRegs} flags=${hex(BigInt(c.flags))}`,
        });
      }
    });
  }
  return { failures, executed };
}
