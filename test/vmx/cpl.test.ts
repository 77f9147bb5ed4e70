// VMX instructions at CPL 3 (SDM 30.3: "IF CPL > 0 THEN #GP(0)", after the #UD checks and, in VMX non-root
// operation, after the VM exit): check INS-03 of ../shared/reference/vm-entry-checks.md, which the Bochs payloads
// cannot reach (the oracle's stub has no way back to CPL 0). The program marks the 0-2 MiB page user-accessible,
// IRETQs to the stub layout's DPL-3 code segment (0x38) and executes the instruction there; an exception nobody
// handles stops the run with its vector.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runSource } from "./helpers/program";

/** `setup` runs at CPL 0, `ring3` at CPL 3 (a fault there ends the run; reaching `hlt` at CPL 3 is #GP too). */
function atCpl3(setup: string, ring3: string) {
  const source = `
        bits 64
        org 0x100000
start:
        mov ecx, 0x480
        rdmsr
        mov [0x200000], eax             ; revision id into the VMXON and VMCS regions
        mov [0x201000], eax
${setup}
        or qword [0x4000], 4            ; PML4E, PDPTE and the 2-MiB PDE of 0-2 MiB: user-accessible
        or qword [0x5000], 4
        or qword [0x6000], 4
        mov rax, cr3
        mov cr3, rax
        push 0x33                       ; SS: data, DPL 3
        push 0x1F0000                   ; RSP
        push 0x2                        ; RFLAGS
        push 0x3B                       ; CS: 64-bit code, DPL 3
        lea rax, [rel user]
        push rax
        iretq
user:
${ring3}
        ud2
vmxon_ptr: dq 0x200000
vmcs_ptr:  dq 0x201000
`;
  const r = runSource(source, "cpl3.asm");
  return r.stop.kind === "exception" ? { vector: r.stop.vector, errorCode: r.stop.errorCode } : { stop: r.stop.kind };
}

const VMXON = `
        mov rax, cr4
        bts rax, 13
        mov cr4, rax
        vmxon [rel vmxon_ptr]`;

describe("VMX instructions at CPL 3", () => {
  test("[INS-03] VMLAUNCH in VMX root operation at CPL 3: #GP(0), before the missing current VMCS (INS-04)", () => {
    assert.deepEqual(atCpl3(VMXON, "        vmlaunch"), { vector: 13, errorCode: 0 });
  });
  test("VMRESUME, VMPTRLD, VMREAD and VMXOFF at CPL 3: #GP(0)", () => {
    for (const insn of ["vmresume", "vmptrld [rel vmcs_ptr]", "vmread rax, rbx", "vmxoff"])
      assert.deepEqual(atCpl3(VMXON, `        ${insn}`), { vector: 13, errorCode: 0 }, insn);
  });
  test("[INS-01 before INS-03] outside VMX operation the same VMLAUNCH at CPL 3 is #UD", () => {
    assert.deepEqual(atCpl3("", "        vmlaunch"), { vector: 6, errorCode: undefined });
  });
  test("the ring-3 code does run at CPL 3 (CS.RPL = 3; at CPL 0 it would halt instead of reaching UD2)", () => {
    const check = `        mov ax, cs
        and eax, 3
        cmp eax, 3
        jne .not3
        ud2
.not3:  hlt`;
    assert.deepEqual(atCpl3(VMXON, check), { vector: 6, errorCode: undefined });
  });
});
