// Machine API: devices (UART, port 0xE9, unused ports, A20), memory beyond RAM, HLT, the deterministic TSC,
// step/run with budgets and breakpoints, snapshot/restore (copy-on-write), disassembly.
import assert from "node:assert/strict";
import { test } from "node:test";
import { disassemble, Machine } from "../../emulator/index";
import { CODE_BASE, NO_NASM, nasm, RAX, RBX, RCX, RDX, reg, runAsm, runBytes } from "./helpers";

test("UART transmit (THR) and port 0xE9 produce separate output streams", { skip: NO_NASM }, () => {
  const m = new Machine();
  const code = nasm(
    `bits 64\norg ${CODE_BASE}\n mov dx, 0x3f8\n mov al, 'U'\n out dx, al\n mov al, 'E'\n out 0xe9, al\n mov dx, 0x3fd\n in al, dx\n hlt`,
  );
  m.setupStart("long64", CODE_BASE);
  m.load(code, CODE_BASE);
  const seen: string[] = [];
  m.onOutput((b, s) => seen.push(`${s}:${String.fromCharCode(b[0]!)}`));
  const stop = m.run({ maxInstructions: 100 });
  assert.equal(stop.kind, "halted");
  assert.deepEqual(seen, ["uart:U", "e9:E"]);
  assert.equal(Number(reg(m, RAX) & 0x60n), 0x60); // LSR: THR empty, transmitter idle
});

test("UART receive: queued input shows in LSR.DR and is read from RBR", { skip: NO_NASM }, () => {
  const { m } = runAsm(
    "mov dx, 0x3fd\n in al, dx\n mov bl, al\n mov dx, 0x3f8\n in al, dx\n mov cl, al\n mov dx, 0x3fd\n in al, dx\n mov dl, al",
    "long64",
    { setup: (mm) => mm.uartInput(Uint8Array.of(0x41)) },
  );
  assert.equal(reg(m, RBX) & 1n, 1n);
  assert.equal(reg(m, RCX) & 0xffn, 0x41n);
  assert.equal(reg(m, RDX) & 1n, 0n);
});

test("unused ports read all-ones at every size", { skip: NO_NASM }, () => {
  const { m } = runAsm("mov dx, 0x1234\n in al, dx\n mov ebx, eax\n in ax, dx\n mov ecx, eax\n in eax, dx");
  assert.equal(reg(m, RBX) & 0xffn, 0xffn);
  assert.equal(reg(m, RCX) & 0xffffn, 0xffffn);
  assert.equal(reg(m, RAX), 0xffffffffn);
});

test("memory beyond RAM reads all-ones and drops writes", { skip: NO_NASM }, () => {
  const { m } = runAsm("mov rbx, 0x8000000\n mov dword [rbx], 0\n mov eax, [rbx]", "long64", {
    machine: { memoryBytes: 16 << 20 },
  });
  assert.equal(reg(m, RAX), 0xffffffffn);
  assert.deepEqual([...m.readPhys(0x8000000, 2)], [0xff, 0xff]);
});

test("the TSC advances with retired instructions: two runs read the same values", { skip: NO_NASM }, () => {
  const src = "rdtsc\n mov ebx, eax\n nop\n nop\n rdtsc\n sub eax, ebx";
  const a = runAsm(src).m;
  const b = runAsm(src).m;
  assert.equal(reg(a, RAX), 4n); // RDTSC, MOV, NOP, NOP retired between the two reads
  assert.equal(reg(a, RBX), reg(b, RBX));
});

test("CPUID and RDMSR come from the CPU model; an unknown MSR raises #GP", { skip: NO_NASM }, () => {
  const { m } = runAsm("mov eax, 1\n cpuid\n mov r8d, ecx\n mov ecx, 0x480\n rdmsr\n mov r9d, eax");
  assert.equal((reg(m, 8) >> 5n) & 1n, 1n); // CPUID.1:ECX.VMX
  assert.equal(reg(m, 9) & 0x7fffffffn, m.model.msr.get(0x480)! & 0x7fffffffn); // VMCS revision id
  const { stop } = runAsm("mov ecx, 0x12345678\n rdmsr");
  assert.equal(stop.kind === "exception" && stop.vector, 13);
});

test("run() stops at a linear breakpoint before the instruction, and on the budget", { skip: NO_NASM }, () => {
  const code = nasm(`bits 64\norg ${CODE_BASE}\n mov eax, 1\n mov eax, 2\ntarget:\n mov eax, 3\n jmp $`);
  const m = new Machine();
  m.setupStart("long64", CODE_BASE);
  m.load(code, CODE_BASE);
  const bp = m.run({ maxInstructions: 100, breakpoints: new Set([BigInt(CODE_BASE + 10)]) });
  assert.deepEqual(bp, {
    kind: "breakpoint",
    rip: BigInt(CODE_BASE + 10),
    address: BigInt(CODE_BASE + 10),
    physical: false,
  });
  assert.equal(reg(m, RAX), 2n);
  const budget = m.run({ maxInstructions: 50 });
  assert.equal(budget.kind, "budget");
  assert.equal(reg(m, RAX), 3n);
});

test("breakpoints in the batched run stop exactly where the instruction-by-instruction run stops", {
  skip: NO_NASM,
}, () => {
  for (const [mode, bits] of [
    ["long64", 64],
    ["protected32", 32],
  ] as const) {
    const code = nasm(
      `bits ${bits}\norg ${CODE_BASE}\n mov ecx, 1000\nloop:\n add eax, 3\n sub ecx, 1\nhit:\n jnz loop\n hlt`,
    );
    const hit = BigInt(CODE_BASE + 11);
    // CODE_BASE + 0x10000 + 10 shares the low 16 bits of `hit` (a filter collision) and is never executed.
    const bps = new Set([hit, hit + 0x10000n, BigInt(CODE_BASE)]);
    const make = () => {
      const m = new Machine();
      m.setupStart(mode, CODE_BASE);
      m.load(code, CODE_BASE);
      return m;
    };
    const batched = make();
    const stepped = make();
    for (let i = 0; i < 5; i++) {
      const a = batched.run({ maxInstructions: 10_000, breakpoints: bps });
      const b = stepped.run({ maxInstructions: 10_000, breakpoints: bps, trace: () => {} });
      assert.deepEqual(a, b, `${mode} stop ${i}`);
      assert.deepEqual(a, { kind: "breakpoint", rip: hit, address: hit, physical: false });
      assert.equal(batched.instructionCount, stepped.instructionCount);
      assert.equal(reg(batched, RCX), BigInt(999 - i));
    }
    assert.deepEqual(batched.run({ maxInstructions: 2, breakpoints: bps }), {
      kind: "budget",
      rip: BigInt(CODE_BASE + 8),
      executed: 2,
    });
  }
});

test("step() executes exactly one instruction", { skip: NO_NASM }, () => {
  const code = nasm(`bits 64\norg ${CODE_BASE}\n mov eax, 1\n mov eax, 2\n hlt`);
  const m = new Machine();
  m.setupStart("long64", CODE_BASE);
  m.load(code, CODE_BASE);
  assert.equal(m.step().kind, "step");
  assert.equal(reg(m, RAX), 1n);
  assert.equal(m.rip, BigInt(CODE_BASE + 5));
});

test("snapshot/restore brings back registers and memory; pages are shared until written", { skip: NO_NASM }, () => {
  const code = nasm(`bits 64\norg ${CODE_BASE}\n mov rbx, 0x200000\nl:\n inc dword [rbx]\n inc eax\n jmp l`);
  const m = new Machine();
  m.setupStart("long64", CODE_BASE);
  m.load(code, CODE_BASE);
  m.run({ maxInstructions: 31 });
  const snap = m.snapshot();
  const before = { rax: reg(m, RAX), mem: [...m.readPhys(0x200000, 4)], rip: m.rip, count: m.instructionCount };
  m.run({ maxInstructions: 300 });
  assert.notEqual(reg(m, RAX), before.rax);
  m.restore(snap);
  assert.equal(reg(m, RAX), before.rax);
  assert.deepEqual([...m.readPhys(0x200000, 4)], before.mem);
  assert.equal(m.rip, before.rip);
  assert.equal(m.instructionCount, before.count);
  // Replaying from the snapshot gives the same result as the first time.
  m.run({ maxInstructions: 300 });
  const again = reg(m, RAX);
  m.restore(snap);
  m.run({ maxInstructions: 300 });
  assert.equal(reg(m, RAX), again);
  assert.equal(m.memory.pages[0x200000 / 4096] === snap.memory.pages[0x200000 / 4096], false);
});

test("the decoded-instruction cache is invalidated by writes to code (self-modifying code)", { skip: NO_NASM }, () => {
  const { m } = runAsm(`
  mov ecx, 2
again:
  mov eax, 1
  mov byte [rel again + 1], 7    ; patch the immediate of "mov eax, 1"
  dec ecx
  jnz again`);
  assert.equal(reg(m, RAX), 7n);
});

test("the disassembler prints Intel and AT&T syntax", () => {
  const bytes = Uint8Array.from([0x48, 0x8b, 0x44, 0x8b, 0x10, 0x0f, 0x01, 0xc2, 0xf3, 0x0f, 0xc7, 0x36, 0xc3]);
  const intel = disassemble(bytes, 0x1000n, 64, "intel").map((d) => d.text);
  const att = disassemble(bytes, 0x1000n, 64, "att").map((d) => d.text);
  assert.deepEqual(intel, ["mov rax, qword ptr [rbx+rcx*4+0x10]", "vmlaunch", "vmxon qword ptr [rsi]", "ret"]);
  assert.deepEqual(att, ["mov 0x10(%rbx,%rcx,4),%rax", "vmlaunch", "vmxon (%rsi)", "ret"]);
});

test("a raw image runs in every start state", { skip: NO_NASM }, () => {
  for (const [start, bits] of [
    ["long64", 64],
    ["protected32", 32],
    ["real16", 16],
  ] as const) {
    const base = start === "real16" ? 0x7c00 : CODE_BASE;
    const { stop, out } = runBytes(nasm(`bits ${bits}\norg ${base}\n mov al, 'k'\n out 0xe9, al\n hlt`), start);
    assert.equal(stop.kind, "halted", start);
    assert.equal(out, "k");
  }
});

test("physical breakpoints stop where the linear address maps; readLinear has no side effects", {
  skip: NO_NASM,
}, () => {
  // Map linear 4 GiB + 0 → physical 0x300000 (4 KiB page) and jump there.
  const code = nasm(`bits 64
org ${CODE_BASE}
  mov rax, 0x200000 | 3
  mov [0x5000 + 4*8], rax
  mov rax, 0x201000 | 3
  mov [0x200000], rax
  mov qword [0x201000], 0x300000 | 3
  mov byte [0x300000], 0x90
  mov byte [0x300001], 0xf4
  mov rax, 0x100000000
  jmp rax`);
  const m = new Machine();
  m.setupStart("long64", CODE_BASE);
  m.load(code, CODE_BASE);
  const stop = m.run({ maxInstructions: 100, physicalBreakpoints: new Set([0x300000n]) });
  assert.deepEqual(stop, { kind: "breakpoint", rip: 0x100000000n, address: 0x300000n, physical: true });
  assert.equal(m.pc, 0x100000000n);
  const pteBefore = m.readPhys(0x201000, 1)[0]!;
  assert.equal(pteBefore & 0x20, 0); // not yet accessed: the breakpoint check did not walk with side effects
  assert.deepEqual([...m.readLinear(0x100000000n, 2)!], [0x90, 0xf4]);
  assert.equal(m.readPhys(0x201000, 1)[0], pteBefore); // no accessed-flag update from the debugger's read
  assert.equal(m.readLinear(0x100001000n, 1), undefined); // unmapped
  const insn = m.instructionAt(0x100000001n);
  assert.equal(insn?.name, "hlt");
});

test("a breakpoint on a long REP string instruction stops once, not at each internal restart", {
  skip: NO_NASM,
}, () => {
  const bytes = nasm(
    `bits 64\norg ${CODE_BASE}\n  mov rdi, 0x200000\n  mov ecx, 5000\n  xor eax, eax\nrep_here:\n  rep stosb\n  inc ebx\n  jmp rep_here\n`,
  );
  for (const physical of [false, true]) {
    const m = new Machine();
    m.setupStart("long64", CODE_BASE);
    m.load(bytes, CODE_BASE);
    const repAddr = BigInt(CODE_BASE) + BigInt(bytes.indexOf(0xf3));
    const bps = new Set([repAddr]);
    const opts = physical ? { physicalBreakpoints: bps } : { breakpoints: bps };
    const first = m.run({ maxInstructions: 100, ...opts });
    assert.equal(first.kind === "breakpoint" && first.address, repAddr);
    // Resuming runs the whole REP (5000 iterations, ~10 restarts) and the INC and JMP, then stops at the REP again.
    const second = m.run({ maxInstructions: 100, ...opts });
    assert.equal(second.kind === "breakpoint" && second.address, repAddr);
    assert.equal(m.cpu.regBig(3), 1n);
  }
});
