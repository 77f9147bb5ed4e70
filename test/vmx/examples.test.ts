// The example hypervisors in examples/ run as `vmx run` runs them (our assembler, start state long64,
// skylake-x) and behave as the SDM says: the complete one handles every exit; each broken one fails in its
// one specific way, and the emulator explains why.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { REPO_ROOT } from "./helpers/oracle";
import { runProgram } from "./helpers/program";

const ex = (name: string) => join(REPO_ROOT, "examples", name);

describe("examples/hypervisor.asm", () => {
  const run = runProgram(ex("hypervisor.asm"));
  test("the run ends with HLT after VMXOFF", () => {
    assert.equal(run.stop.kind, "halted");
    assert.match(run.output, /VMXOFF: ok\nVM exits handled: 5\n$/);
  });
  test("bring-up: VMXON, VMCLEAR, VMPTRLD succeed", () => {
    assert.match(run.output, /VMXON: ok\nVMCLEAR: ok\nVMPTRLD: ok\nVMLAUNCH\n/);
  });
  test("the guest prints over the UART from non-root operation", () => {
    assert.match(run.output, /guest: hello from VMX non-root operation\n/);
  });
  test("exits in order: CPUID, RDMSR, I/O (port 80h via the I/O bitmap), CR0 write, HLT", () => {
    const reasons = run.events.filter((e) => e.kind === "vmExit").map((e) => (e.kind === "vmExit" ? e.exitReason : -1));
    assert.deepEqual(reasons, [10, 31, 30, 28, 12]);
    assert.match(run.output, /guest: CPUID 40000000h vendor = VMXWorkbench\n/);
    assert.match(run.output, /guest: RDMSR 40000000h = 0x584D56\n/);
    assert.match(run.output, /host: I\/O port 0x80 <- 0x42\n/);
  });
  test("CR0.CD is host-owned: the guest reads its own write back from the shadow, the real CR0 keeps CD=0", () => {
    assert.match(run.output, /host: guest CR0 write: shadow=0xC0000033 real=0x80000033\n/);
    assert.match(run.output, /guest: CR0 reads back as 0xC0000033\n/);
  });
  test("the I/O exit qualification names port 80h, OUT, 1 byte, immediate operand", () => {
    const io = run.events.find((e) => e.kind === "vmExit" && e.exitReason === 30);
    assert.ok(io && io.kind === "vmExit");
    assert.equal(io.qualification, (0x80n << 16n) | (1n << 6n));
    assert.equal(io.instructionLength, 2);
  });
});

describe("examples/hypervisor.s (GNU as, AT&T syntax) behaves like hypervisor.asm", () => {
  const gas = runProgram(ex("hypervisor.s"));
  const nasm = runProgram(ex("hypervisor.asm"));
  const withoutRips = (t: string) => t.replace(/rip=0x[0-9A-F]+/g, "rip=*");
  test("the same output, apart from code addresses", () => {
    assert.equal(gas.stop.kind, "halted");
    assert.equal(withoutRips(gas.output), withoutRips(nasm.output));
  });
  test("the same VM exits with the same qualifications", () => {
    const exits = (r: typeof gas) =>
      r.events.flatMap((e) => (e.kind === "vmExit" ? [[e.exitReason, e.qualification, e.instructionLength]] : []));
    assert.deepEqual(exits(gas), exits(nasm));
  });
});

describe("examples/broken: each fails in its one way", () => {
  const failure = (name: string) => {
    const r = runProgram(ex(`broken/${name}.asm`));
    return { r, f: r.events.find((e) => e.kind === "vmEntryFailure") };
  };
  test("wrong revision id: VMXON fails with VMfailInvalid", () => {
    const { r } = failure("wrong-revision-id");
    assert.match(r.output, /VMXON: VMfailInvalid/);
    assert.doesNotMatch(r.output, /VMLAUNCH/);
  });
  test("VMPTRLD of the VMXON region: VMfailValid, error 10", () => {
    assert.match(failure("vmptrld-vmxon-region").r.output, /VMPTRLD: VMfailValid, VM-instruction error 10\n/);
  });
  test("bad guest CR0 (PG without PE): VM-entry failure, exit reason 0x80000021, check GCR-01", () => {
    const { r, f } = failure("bad-guest-cr0");
    assert.match(r.output, /host: VM entry failed, exit reason 0x80000021 qualification 0x0\n/);
    assert.ok(f && f.kind === "vmEntryFailure");
    assert.equal(f.exitReason, 33);
    // Without unrestricted guest, CR0.PE is a FIXED0 bit: the first check to fail is GCR-01 (SDM 26.3.1.1).
    assert.equal(f.failure.checkId, "GCR-01");
    assert.match(f.failure.message, /guest CR0 0x80000032: bit 0 must be 1/);
  });
  test("missing VMCLEAR: VMLAUNCH fails with error 4 and says the VMCS was never VMCLEARed", () => {
    const { r, f } = failure("missing-vmclear");
    assert.match(r.output, /VMLAUNCH: VMfailValid, VM-instruction error 4\n/);
    assert.ok(f && f.kind === "vmEntryFailure");
    assert.match(f.failure.message, /without a VMCLEAR/);
  });
  test("launch twice: the second VMLAUNCH fails with error 4", () => {
    const { r, f } = failure("launch-twice");
    assert.match(r.output, /guest: hello from VMX non-root operation\nVMLAUNCH: VMfailValid, VM-instruction error 4\n/);
    assert.ok(f && f.kind === "vmEntryFailure");
    assert.equal(f.failure.checkId, "INS-07");
  });
});

describe("examples/v8086-guest.asm: a virtual-8086 guest whose INT 10h the host emulates", () => {
  const run = runProgram(ex("v8086-guest.asm"));
  test("each INT 10h teletype call is a #GP VM exit (reason 0, vector 13, error code 0)", () => {
    assert.match(run.output, /host: INT 10h teletype 'V'\n[\s\S]*'8'\n[\s\S]*'6'\n[\s\S]*'!'\n/);
    const gp = run.events.filter((e) => e.kind === "vmExit" && e.exitReason === 0);
    assert.equal(gp.length, 5);
  });
  test("HLT at CPL 3 faults (#GP) before HLT exiting could apply (SDM 25.1.1)", () => {
    assert.match(run.output, /host: HLT in virtual-8086 mode \(#GP\): the guest is done\nVMXOFF: ok\n/);
  });
  test("the guest runs in virtual-8086 mode at 0800:0000", () => {
    const entry = run.events.find((e) => e.kind === "vmEntry");
    assert.ok(entry && entry.kind === "vmEntry");
    assert.equal(entry.guestRip, 0n);
  });
});

describe("examples/real-mode-guest.asm: an unrestricted guest in real mode with EPT", () => {
  const run = runProgram(ex("real-mode-guest.asm"));
  test("the guest prints from real mode and gets CPUID from the host", () => {
    assert.match(run.output, /guest: real mode \(CR0.PE=0\) as an unrestricted guest\n/);
    assert.match(run.output, /exit 1: CPUID at guest rip=0x9\nguest: CPUID vendor GenuineIntel\n/);
    assert.match(run.output, /exit 2: HLT at guest rip=0x2C\nhost: guest halted\nVMXOFF: ok\n/);
  });
});

describe("examples/timer-guest.asm: the 8254's IRQ0 preempts a guest spinning with interrupts disabled", () => {
  const run = runProgram(ex("timer-guest.asm"));
  test("three external-interrupt exits, each acknowledged (vector 20h in the interruption information)", () => {
    const exits = run.events.filter((e) => e.kind === "vmExit" && e.exitReason === 1);
    assert.equal(exits.length, 3);
    for (let n = 1; n <= 3; n++)
      assert.match(run.output, new RegExp(`host: timer tick ${n}, vector 0x20, interruption information 0x80000020\n`));
  });
  test("the ticks come a millisecond of PIT time apart: 1193 PIT clocks of 4 instructions", () => {
    const times = run.events.flatMap((e, k) => (e.kind === "vmExit" && e.exitReason === 1 ? [run.eventTimes[k]!] : []));
    const gaps = times.slice(1).map((t, k) => t - times[k]!);
    assert.deepEqual(gaps, [1193 * 4, 1193 * 4]);
  });
  test("the host then stops the guest at its HLT and leaves VMX operation", () => {
    assert.match(
      run.output,
      /guest: stopped by the host\n[\s\S]*host: guest halted\nVMXOFF: ok\nVM exits handled: 4\n/,
    );
    assert.equal(run.stop.kind, "halted");
  });
});

describe("describeVmxEvent: what `vmx run` and the debugger print for a failed VM entry", () => {
  test("bad guest CR0: the check id, the SDM section, the field and its value", async () => {
    const { describeVmxEvent } = await import("../../emulator/vmx/describe");
    const r = runProgram(ex("broken/bad-guest-cr0.asm"));
    const f = r.events.find((e) => e.kind === "vmEntryFailure");
    assert.ok(f);
    assert.equal(
      describeVmxEvent(f),
      "VMLAUNCH failed: VM-entry failure, exit reason 33 (VM_ENTRY_FAILURE_INVALID_GUEST_STATE), qualification 0\n" +
        "  GCR-01: guest CR0 0x80000032: bit 0 must be 1 (IA32_VMX_CR0_FIXED0 0x80000021) (SDM 26.3.1.1)\n" +
        "  fields: GUEST_CR0=0x80000032",
    );
  });
});

describe("examples/broken/vmx-abort.asm", () => {
  test("a bad VM-exit MSR-load entry is a VMX abort: indicator 4 in the VMCS, then shutdown (SDM 27.7)", () => {
    const r = runProgram(ex("broken/vmx-abort.asm"));
    assert.equal(r.stop.kind, "shutdown");
    assert.match(r.stop.kind === "shutdown" ? r.stop.message : "", /VMX abort \(indicator 4\)/);
    const abort = r.events.find((e) => e.kind === "vmxAbort");
    assert.ok(abort && abort.kind === "vmxAbort");
    assert.equal(abort.indicator, 4);
    // The VMX-abort indicator is the dword at offset 4 of the VMCS region (0x201000 in the example).
    assert.deepEqual([...r.machine.readPhys(0x201004, 4)], [4, 0, 0, 0]);
    assert.match(r.output, /guest: hello from VMX non-root operation\n$/);
  });
});

describe("monitor trap flag (a model that supports it)", () => {
  test("with MTF the first guest instruction completes, then VM exit 37 at the next instruction (SDM 25.5.2)", async () => {
    const { readFileSync } = await import("node:fs");
    const { MSR } = await import("../../arch/index");
    const { SKYLAKE, variantModel } = await import("./helpers/entry-state");
    const { runSource } = await import("./helpers/program");
    const cap = SKYLAKE.msr.get(MSR.IA32_VMX_TRUE_PROCBASED_CTLS)! | (1n << (32n + 27n));
    const model = variantModel(SKYLAKE, { [MSR.IA32_VMX_TRUE_PROCBASED_CTLS]: cap });
    const file = ex("hypervisor.asm");
    const source = `%define EXTRA_PROC_CONTROLS (1 << 27)\n${readFileSync(file, "utf8")}`;
    const r = runSource(source, file, { modelObject: model });
    const exit = r.events.find((e) => e.kind === "vmExit");
    assert.ok(exit && exit.kind === "vmExit");
    assert.equal(exit.exitReason, 37);
    const entry = r.events.find((e) => e.kind === "vmEntry");
    assert.ok(entry && entry.kind === "vmEntry");
    assert.equal(exit.guestRip, entry.guestRip + 7n, "after `lea rsi, [rel g_hello]` (7 bytes)");
  });
});
