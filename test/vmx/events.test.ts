// Events driven through the hooks the interpreter calls: external interrupts with arbitrary vectors (the PIC's own
// come through test/vmx/interrupts.test.ts and payloads/irq.asm) and NMIs, which nothing in this machine raises,
// and INVVPID's invalidations, observed on the VmxCpu (the TLB is flushed on every VM entry and exit anyway, so a
// stale guest translation cannot be shown through the guest; what INVVPID asks the machine to drop can).
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { EXIT_CTLS, MSR, PIN_BASED, PROC_BASED, PROC_BASED2, VMCS } from "../../arch/index";
import { VmExitSignal } from "../../emulator/vmx-hooks";
import { runProgram, runSource } from "./helpers/program";

/** host32.asm stopped at the guest's first instruction: in VMX non-root operation. */
function inGuest() {
  const first = runProgram(join(__dirname, "programs/host32.asm"), { start: "protected32", max: 1 });
  const guest = first.symbols.get("guest");
  assert.ok(guest !== undefined);
  const m = first.machine;
  const stop = m.run({ maxInstructions: 100_000, breakpoints: new Set([guest]) });
  assert.equal(stop.kind, "breakpoint");
  assert.equal(first.vmx.nonRoot, true);
  return { m, vmx: first.vmx, cpu: m.cpu.vmxCpu };
}

/** Calls a hook that may perform a VM exit (it ends the current instruction with VmExitSignal). */
function exits(f: () => void): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof VmExitSignal) return true;
    throw e;
  }
}

describe("external interrupts and NMIs in non-root operation (SDM 25.2, 27.2.2)", () => {
  test("external-interrupt exiting with acknowledge interrupt on exit: exit 1, vector in the interruption information", () => {
    const { vmx, cpu } = inGuest();
    vmx.setField32(VMCS.PIN_BASED_VM_EXEC_CONTROLS, PIN_BASED.EXTERNAL_INTERRUPT_EXITING);
    vmx.setField32(
      VMCS.PRIMARY_VM_EXIT_CONTROLS,
      vmx.field32(VMCS.PRIMARY_VM_EXIT_CONTROLS) | EXIT_CTLS.ACKNOWLEDGE_INTERRUPT_ON_EXIT,
    );
    assert.equal(
      exits(() => vmx.event(cpu, { vector: 0x30, type: 0 }, undefined)),
      true,
    );
    assert.equal(vmx.nonRoot, false);
    assert.equal(vmx.field32(VMCS.EXIT_REASON), 1);
    assert.equal(vmx.field32(VMCS.VM_EXIT_INTERRUPTION_INFORMATION), 0x80000030);
    assert.equal(vmx.field(VMCS.EXIT_QUALIFICATION), 0n);
  });
  test("without acknowledge interrupt on exit the interruption information is invalid (the interrupt stays pending)", () => {
    const { vmx, cpu } = inGuest();
    vmx.setField32(VMCS.PIN_BASED_VM_EXEC_CONTROLS, PIN_BASED.EXTERNAL_INTERRUPT_EXITING);
    assert.equal(vmx.field32(VMCS.PRIMARY_VM_EXIT_CONTROLS) & EXIT_CTLS.ACKNOWLEDGE_INTERRUPT_ON_EXIT, 0);
    assert.equal(
      exits(() => vmx.event(cpu, { vector: 0x30, type: 0 }, undefined)),
      true,
    );
    assert.equal(vmx.field32(VMCS.EXIT_REASON), 1);
    assert.equal(vmx.field32(VMCS.VM_EXIT_INTERRUPTION_INFORMATION), 0);
  });
  test("without external-interrupt exiting the interrupt is delivered through the guest IDT (no exit)", () => {
    const { vmx, cpu } = inGuest();
    assert.equal(
      exits(() => vmx.event(cpu, { vector: 0x30, type: 0 }, undefined)),
      false,
    );
    assert.equal(vmx.nonRoot, true);
  });
  test("NMI exiting: exit 0 with interruption information 80000202h (type NMI, vector 2)", () => {
    const { vmx, cpu } = inGuest();
    vmx.setField32(VMCS.PIN_BASED_VM_EXEC_CONTROLS, PIN_BASED.NMI_EXITING);
    assert.equal(
      exits(() => vmx.event(cpu, { vector: 2, type: 2 }, undefined)),
      true,
    );
    assert.equal(vmx.field32(VMCS.EXIT_REASON), 0);
    assert.equal(vmx.field32(VMCS.VM_EXIT_INTERRUPTION_INFORMATION), 0x80000202);
  });
});

// A 64-bit host that executes INVVPID of each type (descriptor: VPID in bits 15:0, linear address in 64-127).
const INVVPID_HOST = `
        bits 64
        org 0x100000
start:  mov rax, cr4
        bts rax, 13
        mov cr4, rax
        mov ecx, 0x480
        rdmsr
        mov [0x200000], eax
        mov [0x201000], eax
        vmxon [rel ptr]
        vmclear [rel vmcs]
        vmptrld [rel vmcs]              ; a current VMCS: INVVPID failures are VMfailValid(28)
        mov ecx, 0
        lea rdx, [rel d_vpid1_addr]
        invvpid rcx, [rdx]              ; individual address, VPID 1, 0x123456000
        pushfq
        pop qword [rel flags0]
        mov ecx, 1
        invvpid rcx, [rel d_vpid1_addr] ; single context, VPID 1
        mov ecx, 2
        invvpid rcx, [rel d_vpid0]      ; all contexts (the VPID is ignored)
        mov ecx, 3
        invvpid rcx, [rel d_vpid1_addr] ; single context retaining globals
        mov ecx, 0
        invvpid rcx, [rel d_noncanon]   ; individual address, non-canonical: VMfailValid(28)
        pushfq
        pop qword [rel flags1]
        mov ecx, 1
        invvpid rcx, [rel d_vpid0]      ; single context with VPID 0: VMfailValid(28)
        pushfq
        pop qword [rel flags2]
        vmxoff
        hlt
        align 16
ptr:    dq 0x200000
vmcs:   dq 0x201000
d_vpid1_addr: dq 1, 0x123456000
d_vpid0: dq 0, 0
d_noncanon: dq 1, 0x0000800000000000
flags0: dq 0
flags1: dq 0
flags2: dq 0
`;

describe("INVVPID types 0-3 (SDM 30.3 INVVPID, 28.3.3.3)", () => {
  test("individual-address invalidates that linear address; single-context and all-context flush; bad operands flush nothing", () => {
    const calls: string[] = [];
    const r = runSource(INVVPID_HOST, "invvpid.asm", { max: 1 });
    const cpu = r.machine.cpu.vmxCpu;
    const page = cpu.flushTlbPage.bind(cpu);
    const all = cpu.flushTlb.bind(cpu);
    let recording = false;
    cpu.flushTlbPage = (la: bigint) => {
      if (recording) calls.push(`page 0x${la.toString(16)}`);
      page(la);
    };
    cpu.flushTlb = () => {
      if (recording) calls.push("all");
      all();
    };
    // Record only during the INVVPIDs (66 0F 38 81): VMXON, VMPTRLD and friends may flush for their own reasons.
    const m = r.machine;
    for (let i = 0; i < 200 && m.cpu.halted === false; i++) {
      const rip = m.cpu.rip;
      const bytes = m.readLinear(BigInt(rip), 4);
      recording =
        bytes !== undefined && bytes[0] === 0x66 && bytes[1] === 0x0f && bytes[2] === 0x38 && bytes[3] === 0x81;
      m.step();
    }
    assert.deepEqual(calls, ["page 0x123456000", "all", "all", "all"]);
    const flags = (name: string) => {
      const a = r.symbols.get(name);
      assert.ok(a !== undefined);
      return new DataView(m.readPhys(a, 8).buffer).getUint32(0, true);
    };
    assert.equal(flags("flags0") & 0x41, 0, "VMsucceed");
    assert.equal(flags("flags1") & 0x41, 0x40, "VMfailValid");
    assert.equal(flags("flags2") & 0x41, 0x40, "VMfailValid");
    assert.equal(r.vmx.store.get(0x201000, VMCS.VM_INSTRUCTION_ERROR), 28n, "invalid INVEPT/INVVPID operand");
  });
});

describe("XSAVES/XRSTORS exits (SDM 25.1.3; exit reasons 63 and 64)", () => {
  // skylake-x supports no IA32_XSS component (CPUID.(EAX=0DH,ECX=1):ECX = EDX = 0), so IA32_XSS stays 0 and these
  // exits cannot occur on it (payloads/exits2.asm shows that against Bochs). Here IA32_XSS reads as 100H through
  // the VmxCpu to exercise the exit itself.
  for (const [name, reg, reason] of [
    ["xsaves", 5, 63],
    ["xrstors", 3, 64],
  ] as const) {
    test(`${name.toUpperCase()} [EBX+10h] exits with reason ${reason}, the displacement and the instruction information`, () => {
      const { m, vmx, cpu } = inGuest();
      const rip = m.cpu.rip;
      // mov eax, -1; mov edx, -1; xsaves/xrstors [ebx+10h]
      m.load(
        new Uint8Array([
          0xb8,
          0xff,
          0xff,
          0xff,
          0xff,
          0xba,
          0xff,
          0xff,
          0xff,
          0xff,
          0x0f,
          0xc7,
          (1 << 6) | (reg << 3) | 3,
          0x10,
        ]),
        rip,
      );
      m.cpu.cr4 |= 1 << 18; // CR4.OSXSAVE in the guest
      vmx.setField32(
        VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS,
        vmx.field32(VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS) | PROC_BASED.ACTIVATE_SECONDARY_CONTROLS,
      );
      vmx.setField32(VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS, PROC_BASED2.ENABLE_XSAVES_XRSTORS);
      vmx.setField(VMCS.XSS_EXITING_BITMAP, 0x100n);
      const read = cpu.readMsr.bind(cpu);
      cpu.readMsr = (index: number) => (index === MSR.IA32_XSS ? 0x100n : read(index));
      for (let i = 0; i < 5 && vmx.nonRoot; i++) m.step();
      assert.equal(vmx.nonRoot, false);
      assert.equal(vmx.field32(VMCS.EXIT_REASON), reason);
      assert.equal(vmx.field(VMCS.EXIT_QUALIFICATION), 0x10n);
      assert.equal(vmx.field32(VMCS.VM_EXIT_INSTRUCTION_LENGTH), 4);
      // Table 27-9: address size 32 (1 << 7), DS (3 << 15), no index (bit 22), base EBX (3 << 23).
      assert.equal(vmx.field32(VMCS.VM_EXIT_INSTRUCTION_INFORMATION), (1 << 7) | (3 << 15) | (1 << 22) | (3 << 23));
      assert.equal(vmx.field(VMCS.GUEST_RIP), BigInt(rip + 10));
    });
  }
});
