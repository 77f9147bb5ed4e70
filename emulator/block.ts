// The block compiler: a hot straight-line run of decoded 64-bit instructions in one physical page becomes one
// generated JavaScript function that calls their handlers in order (the same handlers the interpreter calls:
// no second semantics). It removes the run loop's per-instruction work (successor lookup, dispatch, counting,
// stop checks), and V8 can inline the handlers into it.
//
// Validity: a block hangs off its first decoded instruction, which lives in the decoded-instruction cache of its
// physical page; a write to the page drops the cache and the block with it. Every instruction of a block is in
// that page at a fixed offset from the first, so the translation that found the first instruction finds them
// all; the block is only run in 64-bit mode (no CS limit) outside VMX non-root operation, with RFLAGS.RF = 0,
// and when the run's budget and breakpoints allow all of it (Cpu.runBatch).
//
// Exits: the function returns the number of instructions it completed and leaves RIP after the last of them.
// It returns early when the epoch changes (a write to a code page, a TLB flush, a stop request), so what
// follows is fetched afresh. When an instruction faults it records its index in cpu.blockIndex and rethrows;
// the run loop then accounts for the instructions before it and delivers the exception at its RIP.

import type { Cpu } from "./cpu";
import type { Insn } from "./decoder";
import { type BlockRole, blockRole } from "./exec-fast";

export interface Block {
  /** Instructions in the block. */
  readonly count: number;
  /** RIP of each instruction (linear addresses: 64-bit mode). */
  readonly rips: readonly number[];
  /** The last instruction (the run loop's successor links continue from it). */
  readonly last: Insn;
  readonly run: (cpu: Cpu) => number;
}

/** Longest block (instructions). */
const MAX_BLOCK = 64;
const CANON = 0x800000000000;

/**
 * Compiles the block starting with `head` (decoded at `rip` in 64-bit mode), reading further instructions through
 * `decodeNext(offset in the page)`. Returns undefined when fewer than two instructions qualify.
 */
export function compileBlock(
  head: Insn,
  rip: number,
  decodeNext: (pageOffset: number) => Insn | undefined,
): Block | undefined {
  const insns: Insn[] = [];
  const roles: BlockRole[] = [];
  const rips: number[] = [];
  let insn: Insn | undefined = head;
  let off = head.pageOffset;
  let at = rip;
  while (insn !== undefined && insns.length < MAX_BLOCK) {
    if (insn.mode !== 64 || !insn.cacheable || insn.lock) break;
    const role = blockRole(insn);
    if (role === undefined) break;
    if (role === "branch") {
      // The target is static: a non-canonical one (#GP) stays with the interpreter.
      const t = at + insn.len + insn.imm;
      if (t < -CANON || t >= CANON) break;
    }
    insns.push(insn);
    roles.push(role);
    rips.push(at);
    if (role === "branch" || role === "branchMem") break;
    at += insn.len;
    off += insn.len;
    if (off >= 4096) break;
    insn = decodeNext(off);
  }
  if (insns.length < 2) return undefined;
  const n = insns.length;
  const lines: string[] = [];
  for (let j = 0; j < n; j++) lines.push(`const h${j} = H[${j}].exec, i${j} = H[${j}];`);
  lines.push("return function block(c) {");
  lines.push("  const ep = c.epoch;");
  lines.push("  let k = 0;");
  lines.push("  try {");
  for (let j = 0; j < n; j++) {
    const role = roles[j]!;
    const next = rips[j]! + insns[j]!.len;
    const nextLit = String(next);
    lines.push(`    k = ${j};`);
    if (role === "reg") {
      lines.push(`    h${j}(c, i${j});`);
      continue;
    }
    if (role === "mem") {
      if (insns[j]!.ripRel) lines.push(`    c.nextRip = ${nextLit};`);
      lines.push(`    h${j}(c, i${j});`);
      if (j < n - 1) lines.push(`    if (c.epoch !== ep) { c.rip = ${nextLit}; return ${j + 1}; }`);
      continue;
    }
    // Branches end the block: RIP is the fall-through unless the handler jumps.
    lines.push(`    c.rip = ${nextLit};`);
    lines.push(`    c.nextRip = ${nextLit};`);
    lines.push(`    h${j}(c, i${j});`);
    lines.push(`    return ${n};`);
  }
  lines.push("  } catch (e) {");
  lines.push("    c.blockIndex = k;");
  lines.push("    throw e;");
  lines.push("  }");
  const lastRole = roles[n - 1]!;
  if (lastRole !== "branch" && lastRole !== "branchMem") {
    lines.push(`  c.rip = ${rips[n - 1]! + insns[n - 1]!.len};`);
    lines.push(`  return ${n};`);
  }
  lines.push("};");
  // The generated code only calls the handlers of `insns` and writes RIP, nextRip and blockIndex.
  const factory = new Function("H", lines.join("\n")) as (h: readonly Insn[]) => (cpu: Cpu) => number;
  return { count: n, rips, last: insns[n - 1]!, run: factory(insns) };
}
