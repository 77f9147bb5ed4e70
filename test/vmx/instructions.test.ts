// VMX instructions' faults and their order (SDM 30.3 and ../shared/reference/vmx-instructions.md): the #UD and
// #GP cases the oracle payloads cannot reach, run as small programs on the Machine. In the long64 and
// protected32 start states an exception nobody handles stops the run with its vector.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MSR, VMCS, VM_INSTRUCTION_ERROR as VMX_INSTRUCTION_ERROR } from "../../arch/index";
import { type RunOptions, runSource } from "./helpers/program";

const PRELUDE = `
        bits 64
        org 0x100000
start:
        mov ecx, 0x480
        rdmsr
        mov [0x200000], eax             ; revision id into the VMXON region
`;

function run(body: string, opts: RunOptions = {}) {
  return runSource(`${PRELUDE}${body}\n        hlt\nvmxon_ptr: dq 0x200000\n`, "test.asm", opts);
}
function vector(r: ReturnType<typeof run>): number | undefined {
  return r.stop.kind === "exception" ? r.stop.vector : undefined;
}

describe("VMXON faults (SDM 30.3 VMXON)", () => {
  test("#UD with CR4.VMXE = 0", () => {
    assert.equal(vector(run("        vmxon [rel vmxon_ptr]")), 6);
  });
  // The start states keep a locked model value (emulator/start-states.ts), so the vmx-locked-off model's
  // firmware setting (1) reaches the program.
  test("#GP when IA32_FEATURE_CONTROL is locked without 'VMXON outside SMX' (model vmx-locked-off)", () => {
    const r = run(
      `        mov rax, cr4
        bts rax, 13
        mov cr4, rax
        vmxon [rel vmxon_ptr]`,
      { model: "vmx-locked-off" },
    );
    assert.equal(vector(r), 13);
  });
  test("#GP when CR0 violates IA32_VMX_CR0_FIXED0 (NE = 0)", () => {
    const r = run(`        mov rax, cr4
        bts rax, 13
        mov cr4, rax
        mov rax, cr0
        btr rax, 5
        mov cr0, rax
        vmxon [rel vmxon_ptr]`);
    assert.equal(vector(r), 13);
  });
  test("succeeds with CF = ZF = 0 otherwise", () => {
    const r = run(`        mov rax, cr4
        bts rax, 13
        mov cr4, rax
        vmxon [rel vmxon_ptr]
        pushfq
        pop rbx`);
    assert.equal(r.stop.kind, "halted");
    assert.equal(r.machine.cpu.regBig(3) & 0x41n, 0n);
  });
});

describe("instructions outside VMX operation or without the feature", () => {
  test("VMCALL outside VMX operation: #UD", () => assert.equal(vector(run("        vmcall")), 6));
  test("VMFUNC outside VMX non-root operation: #UD", () => assert.equal(vector(run("        vmfunc")), 6));
  test("VMREAD outside VMX operation: #UD", () => assert.equal(vector(run("        vmread rax, rbx")), 6));
  test("INVEPT on a model without EPT (core2-penryn): #UD even in VMX operation", () => {
    const r = run(
      `        mov rax, cr4
        bts rax, 13
        mov cr4, rax
        vmxon [rel vmxon_ptr]
        mov eax, 2
        invept rax, [rel vmxon_ptr]`,
      { model: "core2-penryn" },
    );
    assert.equal(vector(r), 6);
  });
  test("CR4.VMXE cannot be cleared in VMX operation: #GP", () => {
    const r = run(`        mov rax, cr4
        bts rax, 13
        mov cr4, rax
        vmxon [rel vmxon_ptr]
        btr rax, 13
        mov cr4, rax`);
    assert.equal(vector(r), 13);
  });
});

// IA32_SMM_MONITOR_CTL (SDM Vol. 3C 33.15.5): present with VMX, reads 0 (VALID clear), writable only in SMM.
describe("IA32_SMM_MONITOR_CTL", () => {
  for (const model of ["skylake-x", "sandy-bridge", "core2-penryn"]) {
    test(`RDMSR 9BH reads 0 on ${model}`, () => {
      const r = run(
        `        mov ecx, ${MSR.IA32_SMM_MONITOR_CTL}
        mov eax, 0x1234
        mov edx, 0x5678
        rdmsr`,
        { model },
      );
      assert.equal(r.stop.kind, "halted");
      assert.equal(r.machine.cpu.regBig(0), 0n);
      assert.equal(r.machine.cpu.regBig(2), 0n);
    });
  }
  test("WRMSR 9BH outside SMM: #GP", () => {
    assert.equal(
      vector(
        run(`        mov ecx, ${MSR.IA32_SMM_MONITOR_CTL}\n        mov eax, 1\n        xor edx, edx\n        wrmsr`),
      ),
      13,
    );
  });
  test("VMCALL in VMX root operation with VALID clear: VMfailValid 1", () => {
    const r = run(`        mov rax, cr4
        bts rax, 13
        mov cr4, rax
        vmxon [rel vmxon_ptr]
        mov qword [0x201000], 0
        mov eax, [0x200000]
        mov [0x201000], eax
        vmclear [rel vmcs_ptr]
        vmptrld [rel vmcs_ptr]
        vmcall
        pushfq
        pop rbx
        mov edx, ${VMCS.VM_INSTRUCTION_ERROR}
        vmread rcx, rdx
        hlt
vmcs_ptr: dq 0x201000`);
    assert.equal(r.stop.kind, "halted");
    assert.equal(r.machine.cpu.regBig(3) & 0x41n, 0x40n);
    assert.equal(r.machine.cpu.regBig(1), BigInt(VMX_INSTRUCTION_ERROR.VMCALL_IN_VMX_ROOT));
  });
});
