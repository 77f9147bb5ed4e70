// Random byte sequences executed in every mode never throw a host exception and never hit an internal error:
// each run ends in an architectural outcome (an exception stop, a halt, a triple fault or the budget).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Machine, type StartState } from "../../emulator/index";
import { Rng } from "./differential/cases";

const PROGRAMS = Number(process.env.EMU_ROBUST_PROGRAMS ?? 1000);

function randomRun(r: Rng, m: Machine, start: StartState, prep?: (m: Machine) => void): string {
  const base = start === "real16" ? 0x7c00 : 0x100000;
  const bytes = new Uint8Array(256);
  for (let k = 0; k < bytes.length; k++) bytes[k] = Number(r.u64() & 0xffn);
  m.load(bytes, base);
  // Random register contents so memory operands land anywhere (including beyond RAM and non-canonical).
  for (let reg = 0; reg < 16; reg++)
    if (reg !== 4) m.cpu.setRegBig(reg, r.chance(0.5) ? r.u64() : BigInt(r.int(0x400000)));
  prep?.(m);
  const stop = m.run({ maxInstructions: 500 });
  if (stop.kind === "shutdown" && stop.message.startsWith("internal"))
    return `${stop.message} (${Buffer.from(bytes).toString("hex").slice(0, 64)}…)`;
  return "";
}

const MODES: [string, StartState, ((m: Machine) => void) | undefined][] = [
  ["64-bit mode", "long64", undefined],
  ["32-bit protected mode", "protected32", undefined],
  ["real mode", "real16", undefined],
  [
    "compatibility mode",
    "long64",
    (m) => {
      // CS = the 32-bit code segment (0x28) in IA-32e mode.
      m.cpu.setSegRaw(1, 0x28, 0, 0xffffffff, 0xc09b);
    },
  ],
  [
    "virtual-8086 mode",
    "protected32",
    (m) => {
      m.cpu.setFlags(0x20002 | 0x3000);
      // CS:IP = FFFF:0010 is linear 0x100000, where the random bytes are.
      for (let s = 0; s < 6; s++) m.cpu.setSegRaw(s, 0xffff, 0xffff0, 0xffff, s === 1 ? 0xfb : 0xf3);
      m.cpu.rip = 0x10;
      m.cpu.updateMode();
    },
  ],
];

for (const [name, start, prep] of MODES) {
  test(`random bytes in ${name} end in architectural outcomes (${PROGRAMS} programs)`, () => {
    const r = new Rng(name.length * 7919);
    const problems: string[] = [];
    const m = new Machine({ memoryBytes: 4 << 20 });
    m.setupStart(start, start === "real16" ? 0x7c00 : 0x100000);
    const clean = m.snapshot();
    for (let k = 0; k < PROGRAMS; k++) {
      try {
        m.restore(clean);
        const p = randomRun(r, m, start, prep);
        if (p) problems.push(p);
      } catch (e) {
        problems.push(`host exception: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
    assert.deepEqual(problems.slice(0, 5), []);
  });
}
