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
  /** The block branches back to its first instruction and may run several passes per call. */
  readonly loops: boolean;
  /** Runs at most `budget` instructions (at least one pass fits); returns how many completed. */
  readonly run: (cpu: Cpu, budget: number) => number;
}

/** Longest block (instructions). */
const MAX_BLOCK = 64;
const CANON = 0x800000000000;
const K_REL = 7;
const K_SREG = 4;

/**
 * Generic handlers (exec-general.ts) that only compute on registers, flags and memory: they may fault and write
 * memory, and read RIP-relative operands through nextRip, but never change RIP, modes, segment registers or
 * anything that depends on the instruction count. Their SREG forms (MOV/PUSH/POP Sreg) are excluded below.
 */
const GENERIC = new Set(
  (
    "add,or,adc,sbb,and,sub,xor,cmp,test,inc,dec,not,neg,mul,imul,div,idiv,rol,ror,rcl,rcr,shl,shr,sal,sar," +
    "shld,shrd,bt,bts,btr,btc,bsf,bsr,tzcnt,lzcnt,popcnt,mov,lea,xchg,movzx,movsx,movsxd,movbe,bswap,cbw,cwd," +
    "seto,setno,setb,setae,sete,setne,setbe,seta,sets,setns,setp,setnp,setl,setge,setle,setg," +
    "cmovo,cmovno,cmovb,cmovae,cmove,cmovne,cmovbe,cmova,cmovs,cmovns,cmovp,cmovnp,cmovl,cmovge,cmovle,cmovg," +
    "xadd,cmpxchg,lahf,sahf,clc,stc,cmc,cld,std,push,pop,nop"
  ).split(","),
);

type Role = BlockRole | "generic" | "jump";

function roleOf(i: Insn): Role | undefined {
  const r = blockRole(i);
  if (r !== undefined) return r;
  if (i.name === "jmp") return i.k0 === K_REL ? "jump" : undefined;
  if (!GENERIC.has(i.name) || i.vmxHook || i.k0 === K_SREG || i.k1 === K_SREG) return undefined;
  return "generic";
}

/**
 * Compiles the block starting with `head` (decoded at `rip` in 64-bit mode), reading further instructions through
 * `decodeNext(offset in the page)`. A direct CALL or JMP whose target lies in the same page continues the block
 * there, and so does a RET that returns to a CALL of the same block (guarded: another return address ends the
 * block). A block whose last instruction branches back to its first loops inside the function while the budget
 * allows. Returns undefined when fewer than two instructions qualify.
 */
export function compileBlock(
  head: Insn,
  rip: number,
  decodeNext: (pageOffset: number) => Insn | undefined,
): Block | undefined {
  const insns: Insn[] = [];
  const roles: Role[] = [];
  const rips: number[] = [];
  /** RIP after each instruction when it does not branch dynamically (the fall-through of a Jcc). */
  const after: number[] = [];
  /** Return addresses pushed by the block's CALLs (a RET continues at the top one, guarded). */
  const calls: number[] = [];
  const guarded: boolean[] = [];
  const pageBase = rip - head.pageOffset;
  let insn: Insn | undefined = head;
  let at = rip;
  let loops = false;
  while (insn !== undefined && insns.length < MAX_BLOCK) {
    if (insn.mode !== 64 || !insn.cacheable || insn.lock) break;
    const role = roleOf(insn);
    if (role === undefined) break;
    const next = at + insn.len;
    const isCall = role === "branchMem" && insn.name === "call";
    const isRet = role === "branchMem" && !isCall;
    let target = next;
    if (role === "branch" || role === "jump" || isCall) {
      // Static targets: a non-canonical one (#GP) stays with the interpreter.
      target = next + insn.imm;
      if (target < -CANON || target >= CANON) break;
    }
    const predicted = isRet ? calls.pop() : undefined;
    insns.push(insn);
    roles.push(role);
    rips.push(at);
    guarded.push(predicted !== undefined);
    after.push(role === "branch" ? next : isRet ? (predicted ?? next) : target);
    if (role === "branch") {
      loops = target === rip;
      break;
    }
    if (isRet && predicted === undefined) break;
    if (isCall) calls.push(next);
    at = after[after.length - 1]!;
    if (role === "jump" && at === rip) {
      loops = true;
      break;
    }
    const off = at - pageBase;
    if (off < 0 || off >= 4096) break;
    insn = decodeNext(off);
  }
  if (insns.length < 2) return undefined;
  const n = insns.length;
  const lastRole = roles[n - 1]!;
  const lines: string[] = [];
  for (let j = 0; j < n; j++) lines.push(`const h${j} = H[${j}].exec, i${j} = H[${j}];`);
  lines.push("return function block(c, budget) {");
  lines.push("  const ep = c.epoch;");
  lines.push("  let k = 0;");
  lines.push("  let done = 0;");
  lines.push("  try {");
  lines.push("   for (;;) {");
  for (let j = 0; j < n; j++) {
    const role = roles[j]!;
    const i = insns[j]!;
    const next = rips[j]! + i.len;
    const last = j === n - 1;
    const exit = last ? "" : `    if (c.epoch !== ep) { c.rip = ${after[j]}; return done + ${j + 1}; }`;
    lines.push(`    k = ${j};`);
    switch (role) {
      case "reg":
        lines.push(`    h${j}(c, i${j});`);
        break;
      case "mem":
        if (i.ripRel) lines.push(`    c.nextRip = ${next};`);
        lines.push(`    h${j}(c, i${j});`);
        if (exit) lines.push(exit);
        break;
      case "generic":
        lines.push(`    c.rip = ${next};`, `    c.nextRip = ${next};`, `    c.insnRip = ${rips[j]};`);
        lines.push(`    h${j}(c, i${j});`);
        if (exit) lines.push(exit);
        break;
      case "jump":
        // Nothing to execute: the next instruction of the block is the target (or the block ends there).
        break;
      default:
        // Jcc, CALL rel32 and RET: RIP is the fall-through unless the handler jumps.
        lines.push(`    c.rip = ${next};`, `    c.nextRip = ${next};`);
        lines.push(`    h${j}(c, i${j});`);
        if (guarded[j] && !last) lines.push(`    if (c.rip !== ${after[j]}) return done + ${j + 1};`);
        if (exit) lines.push(exit);
    }
  }
  // The end of one pass: loop back to the first instruction when the block is a loop and the budget allows.
  lines.push(`    done += ${n};`);
  if (loops) {
    if (lastRole === "jump") lines.push(`    c.rip = ${rip};`);
    else lines.push(`    if (c.rip !== ${rip}) return done;`);
    lines.push(`    if (c.epoch !== ep || done + ${n} > budget) return done;`);
  } else {
    // A Jcc or RET at the end has set RIP itself.
    const dynamic = lastRole === "branch" || (lastRole === "branchMem" && insns[n - 1]!.name !== "call");
    if (!dynamic) lines.push(`    c.rip = ${after[n - 1]};`);
    lines.push("    return done;");
  }
  lines.push("   }");
  lines.push("  } catch (e) {");
  lines.push("    c.blockIndex = k;");
  lines.push("    c.blockDone = done + k;");
  lines.push("    throw e;");
  lines.push("  }");
  lines.push("};");
  // The generated code only calls the handlers of `insns` and writes RIP, nextRip, insnRip, blockIndex/Done.
  const factory = new Function("H", lines.join("\n")) as (h: readonly Insn[]) => (cpu: Cpu, budget: number) => number;
  return { count: n, rips, last: insns[n - 1]!, loops, run: factory(insns) };
}
