// Compiled blocks (emulator/block.ts) against the interpreter: the same program runs on a machine whose blocks are
// compiled at the first execution and on one without the block compiler; every register, RFLAGS, RIP, the
// instruction count, memory and the stop reason must agree — at the end, at every budget boundary, at breakpoints
// inside blocks, for faults in the middle of a block and for code that rewrites its own block.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Machine, type StopReason } from "../../emulator/index";
import { CODE_BASE, NO_NASM, nasm } from "./helpers";

function machines(source: string): { blocks: Machine; interp: Machine } {
  const bytes = nasm(`bits 64\norg ${CODE_BASE}\n${source}\n`);
  const make = (blocks: boolean) => {
    const m = new Machine();
    m.setupStart("long64", CODE_BASE);
    m.load(bytes, CODE_BASE);
    if (blocks) m.cpu.blockHeat = 1;
    else m.cpu.blockCompiler = undefined;
    return m;
  };
  return { blocks: make(true), interp: make(false) };
}

function state(m: Machine, stop: StopReason) {
  const regs: bigint[] = [];
  for (let r = 0; r < 16; r++) regs.push(m.cpu.regBig(r));
  return {
    stop: JSON.stringify(stop, (_k, v) => (typeof v === "bigint" ? v.toString(16) : v)),
    regs,
    flags: m.cpu.getFlags(),
    rip: m.rip,
    count: m.instructionCount,
    cr2: m.cpu.cr2,
    data: Buffer.from(m.readPhys(0x200000, 0x400)).toString("hex"),
    stack: Buffer.from(m.readPhys(0xff00, 0x100)).toString("hex"),
  };
}

/** Runs both machines in slices of `slice` instructions until they stop; compares after every slice. */
function compare(source: string, slice = 1_000_000, total = 1_000_000): StopReason {
  const { blocks, interp } = machines(source);
  let last: StopReason = { kind: "budget", rip: 0n, executed: 0 };
  for (let done = 0; done < total; done += slice) {
    const a = blocks.run({ maxInstructions: slice });
    const b = interp.run({ maxInstructions: slice });
    assert.deepEqual(state(blocks, a), state(interp, b), `after ${done + slice} instructions`);
    last = a;
    if (a.kind !== "budget") break;
  }
  // The block machine really ran blocks.
  assert.ok(blockCount(blocks) > 0, "no block was compiled");
  return last;
}

function blockCount(m: Machine): number {
  let n = 0;
  for (const page of m.cpu.codePages.values()) for (const i of page) if (i?.block) n++;
  return n;
}

const ALU = `
  mov eax, 1
  mov ebx, 3
  xor edx, edx
  mov rcx, 1000
  jmp l
  times 0x40 - ($ - $$) nop
l:
  add rax, rbx
  xor rdx, rax
  sub rbx, rdx
  shl rdx, 3
  cmp rbx, rax
  cmovb rbx, rdx
  lea rsi, [rax + 8]
  inc r8d
  dec rcx
  jnz l
  hlt`;

test("an ALU loop: same state at the end and at odd budget boundaries", { skip: NO_NASM }, () => {
  assert.equal(compare(ALU).kind, "halted");
  compare(ALU, 7, 12_000);
  compare(ALU, 1, 300);
});

const MEMORY = `
  mov rcx, 500
  xor esi, esi
l:
  mov rax, [rsi + 0x200000]
  add rax, rcx
  mov [rsi + 0x200100], rax
  mov edx, [rsi + 0x200004]
  mov [rsi + 0x200200], edx
  movzx edi, byte [rsi + 0x200001]
  push rax
  pop r9
  add rsi, 8
  and esi, 0xf8
  call f
  dec rcx
  jnz l
  hlt
f:
  add r10, rsi
  ret`;

test("loads, stores, PUSH/POP and CALL/RET in blocks", { skip: NO_NASM }, () => {
  assert.equal(compare(MEMORY).kind, "halted");
  compare(MEMORY, 13, 9000);
});

test("a page fault in the middle of a block: precise RIP, count, CR2 and registers", { skip: NO_NASM }, () => {
  // RSI walks up one page per iteration into the unmapped region above 4 GiB.
  const stop = compare(`
  mov rsi, 0xFFFF0000
  xor ecx, ecx
l:
  add rcx, 1
  mov rax, [rsi]
  add rsi, 0x1000
  inc rdx
  jmp l`);
  assert.equal(stop.kind, "exception");
  assert.equal(stop.kind === "exception" && stop.vector, 14);
});

test("code that rewrites a later instruction of its own block runs the new instruction", { skip: NO_NASM }, () => {
  // The store (a block instruction itself) turns "add rax, 1" (48 83 C0 01) into "add rax, 2".
  compare(`
  mov rcx, 100
  lea rdi, [rel patch]
  mov edx, 0x02C08348
l:
  mov [rdi], edx
  add rbx, rax
patch:
  add rax, 1
  dec rcx
  jnz l
  hlt`);
});

test("a breakpoint inside a block stops before that instruction", { skip: NO_NASM }, () => {
  const { blocks, interp } = machines(ALU);
  const bp = BigInt(CODE_BASE) + 0x40n + 3n + 3n + 3n; // inside the loop, after add, xor, sub
  blocks.run({ maxInstructions: 5000 }); // compile the loop's blocks
  interp.run({ maxInstructions: 5000 });
  const a = blocks.run({ maxInstructions: 100_000, breakpoints: new Set([bp]) });
  const b = interp.run({ maxInstructions: 100_000, breakpoints: new Set([bp]) });
  assert.equal(a.kind, "breakpoint");
  assert.deepEqual(state(blocks, a), state(interp, b));
});

test("a RET inside a block continues only when it returns where the block's CALL expects", { skip: NO_NASM }, () => {
  // f returns 2 bytes past its return address (over the short JMP), so the guarded continuation must give up.
  compare(`
  mov rcx, 200
l:
  call f
  jmp short skip
  inc rbx
skip:
  dec rcx
  jnz l
  hlt
f:
  add qword [rsp], 2
  ret`);
  compare(`
  mov rcx, 200
l:
  call f
  inc rbx
  dec rcx
  jnz l
  hlt
f:
  add rdx, rcx
  ret`);
});

test("a looping block stops at a breakpoint on its first instruction and at the budget", { skip: NO_NASM }, () => {
  const { blocks, interp } = machines(ALU);
  const head = BigInt(CODE_BASE) + 0x40n;
  for (const m of [blocks, interp]) m.run({ maxInstructions: 3001 });
  const a = blocks.run({ maxInstructions: 100_000, breakpoints: new Set([head]) });
  const b = interp.run({ maxInstructions: 100_000, breakpoints: new Set([head]) });
  assert.deepEqual(a.kind === "breakpoint" && a.address, head);
  assert.deepEqual(state(blocks, a), state(interp, b));
  for (const budget of [1, 9, 10, 11, 95]) {
    const x = blocks.run({ maxInstructions: budget });
    const y = interp.run({ maxInstructions: budget });
    assert.deepEqual(state(blocks, x), state(interp, y), `budget ${budget}`);
  }
});
