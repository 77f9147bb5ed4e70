// Protocol tests of the VMX side of the debug adapter, on the example hypervisor (examples/hypervisor.asm) and
// its broken variants: stepping into VMLAUNCH, VM exits, the VMX/VMCS scopes, the custom requests, VM-entry
// failure explanations with VMWRITE provenance, data breakpoints on VMCS fields, reverse execution across exits.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import type {
  VmxExitHistoryResponseBody,
  VmxStateChangedEventBody,
  VmxStateResponseBody,
} from "../../protocol/vmx-debug";
import { evaluate, launch, ROOT, startClient, topFrame, waitStopped } from "./harness";

const HV = join(ROOT, "examples/hypervisor.asm");
const BAD_CR0 = join(ROOT, "examples/broken/bad-guest-cr0.asm");
const HV_LINES = readFileSync(HV, "utf8").split("\n");

/** 1-based line of the first line matching `re` after the line matching `after` (if given). */
function lineOf(re: RegExp, after?: RegExp): number {
  let from = 0;
  if (after) from = HV_LINES.findIndex((l) => after.test(l)) + 1;
  const i = HV_LINES.findIndex((l, k) => k >= from && re.test(l));
  if (i < 0) throw new Error(`no line matches ${re}`);
  return i + 1;
}

const VMLAUNCH_LINE = lineOf(/^\s+vmlaunch\s*$/);
const GUEST_FIRST_LINE = lineOf(/^\s+\S/, /^guest_entry:/);
const HOST_HANDLER_LINE = lineOf(/^\s+\S/, /^vmexit_entry:/);
const GUEST_CPUID_LINE = lineOf(/^\s+cpuid\b/, /^guest_entry:/);
/** The `call vmw` that writes GUEST_CR0 (after `mov rdi, GUEST_CR0`). */
const GUEST_CR0_WRITE_LINE = lineOf(/^\s+call vmw/, /mov rdi, GUEST_CR0$/);
const GUEST_RIP_WRITE_LINE = lineOf(/^\s+call vmw/, /mov rdi, GUEST_RIP$/);
/** The one VMWRITE of the `vmw` helper: the provenance line of every field the hypervisor sets through it. */
const VMW_LINE = lineOf(/^\s+vmwrite rdi, rsi/, /^vmw:/);

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

async function vmxState(): Promise<VmxStateResponseBody> {
  return (await dc.customRequest("vmx/state", {})).body as VmxStateResponseBody;
}

async function stopAtVmlaunch(extra: Record<string, unknown> = {}): Promise<void> {
  const stopped = waitStopped(dc);
  await launch(dc, { program: HV, ...extra }, () =>
    dc.setBreakpointsRequest({ source: { path: HV }, breakpoints: [{ line: VMLAUNCH_LINE }] }),
  );
  await stopped;
  assert.equal((await topFrame(dc)).line, VMLAUNCH_LINE);
}

async function continueWithExitFilter(condition?: string): Promise<DebugProtocol.StoppedEvent> {
  await dc.setExceptionBreakpointsRequest({
    filters: [],
    filterOptions: [{ filterId: "vmExit", ...(condition ? { condition } : {}) }],
  });
  const stopped = waitStopped(dc);
  await dc.continueRequest({ threadId: 1 });
  return stopped;
}

async function variablesOf(ref: number): Promise<DebugProtocol.Variable[]> {
  return (await dc.variablesRequest({ variablesReference: ref })).body.variables;
}

async function scope(name: string): Promise<DebugProtocol.Variable[]> {
  const s = (await dc.scopesRequest({ frameId: 1 })).body.scopes.find((x) => x.name === name);
  assert.ok(s, `scope ${name}`);
  return variablesOf(s.variablesReference);
}

describe("VMX debugging", () => {
  it("shows the VMX state and the VMCS with VMWRITE provenance before VMLAUNCH", async () => {
    await stopAtVmlaunch();
    const vmx = await scope("VMX");
    assert.match(vmx.find((v) => v.name === "operation")?.value ?? "", /root/);
    const st = await vmxState();
    assert.equal(st.mode, "root");
    assert.equal(st.launchState, "clear");
    assert.ok(st.currentVmcs);
    const rip = st.fields.find((f) => f.name === "GUEST_RIP");
    assert.equal(BigInt(rip?.value ?? "0"), BigInt(await evaluate(dc, "guest_entry")));
    assert.equal(rip?.provenance?.line, VMW_LINE - 1);
    assert.equal(rip?.provenance?.file, HV);
    assert.equal(rip?.provenance?.calledFrom?.line, GUEST_RIP_WRITE_LINE - 1);
    assert.equal(rip?.provenance?.calledFrom?.file, HV);
    assert.equal(rip?.group, "guest-state");
    const cr0 = st.fields.find((f) => f.name === "GUEST_CR0");
    assert.ok(cr0?.bits.some((b) => b.name === "PE" && b.value === "0x1"));
    // The VMCS scope: groups → fields with decoded bits.
    const groups = await scope("VMCS");
    assert.deepEqual(
      groups.map((g) => g.name),
      [
        "Guest state",
        "Host state",
        "VM-execution controls",
        "VM-exit controls",
        "VM-entry controls",
        "VM-exit information",
      ],
    );
    const guest = await variablesOf(groups[0]?.variablesReference ?? 0);
    const cr0var = guest.find((v) => v.name === "GUEST_CR0");
    assert.ok(cr0var && cr0var.variablesReference > 0);
    assert.match(cr0var.type ?? "", /guest field 0x6800/);
    const bits = await variablesOf(cr0var.variablesReference);
    assert.ok(bits.some((b) => b.name === "[31] PG"));
    // The field by name in expressions (the program's `GUEST_RIP equ 0x681E` names the same field).
    assert.equal(BigInt(await evaluate(dc, "GUEST_RIP")), BigInt(await evaluate(dc, "guest_entry")));
  });

  it("steps into VMLAUNCH to the guest's first instruction, marked as guest with the host's entry site", async () => {
    await stopAtVmlaunch();
    const stopped = waitStopped(dc);
    await dc.stepInRequest({ threadId: 1 });
    await stopped;
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const [top, ...rest] = st.body.stackFrames;
    assert.equal(top?.line, GUEST_FIRST_LINE);
    assert.match(top?.name ?? "", /^guest: guest_entry/);
    const host = rest.at(-1);
    assert.match(host?.name ?? "", /^host: .*\(VM entry\)/);
    assert.equal(host?.line, VMLAUNCH_LINE);
    assert.equal((await vmxState()).mode, "non-root");
    // The host frame's scopes start with the host state it resumes with.
    const hs = (await dc.scopesRequest({ frameId: host?.id ?? 0 })).body.scopes[0];
    assert.match(hs?.name ?? "", /^Host state/);
    const hostVars = await variablesOf(hs?.variablesReference ?? 0);
    assert.equal(
      BigInt(hostVars.find((v) => v.name === "HOST_RIP")?.value ?? "0"),
      BigInt(await evaluate(dc, "vmexit_entry")),
    );
  });

  it("stack frames come from tracked CALLs: guest frames in the guest's source, then the host's entry site and frames", async () => {
    const guestCall = lineOf(/^\s+call puts/, /^guest_entry:/);
    const stopped = waitStopped(dc);
    await launch(dc, { program: HV }, () =>
      dc.setBreakpointsRequest({ source: { path: HV }, breakpoints: [{ line: guestCall }] }),
    );
    await stopped;
    const stepped = waitStopped(dc);
    await dc.stepInRequest({ threadId: 1 });
    await stepped;
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const puts = lineOf(/^\s+\S/, /^puts:/);
    // Shared code (puts) called from the guest is a guest frame; its caller is the guest's CALL.
    assert.deepEqual(
      frames.slice(0, 3).map((f) => [f.name.replace(/\+0x[0-9a-f]+/, ""), f.line]),
      [
        ["guest: puts", puts],
        ["guest: guest_entry", guestCall],
        [frames[2]?.name.replace(/\+0x[0-9a-f]+/, "") ?? "", VMLAUNCH_LINE],
      ],
    );
    assert.match(frames[2]?.name ?? "", /^host: .*\(VM entry\)$/);
    // Below the entry site only host frames (the CALLs that led to the VMLAUNCH).
    for (const f of frames.slice(3)) assert.match(f.name, /^host: /);
    // Step out of puts returns to the guest's caller, in the guest.
    const out = waitStopped(dc);
    await dc.stepOutRequest({ threadId: 1 });
    await out;
    const after = await topFrame(dc);
    assert.equal(after.line, lineOf(/^\s+mov eax, HV_CPUID_LEAF/, /^guest_entry:/));
    assert.match(after.name, /^guest: guest_entry/);
  });

  it("step over VMLAUNCH runs the guest to its first VM exit, landing in the host's handler", async () => {
    await stopAtVmlaunch();
    const stopped = waitStopped(dc);
    await dc.nextRequest({ threadId: 1 });
    await stopped;
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(frames[0]?.line, HOST_HANDLER_LINE);
    assert.match(frames[0]?.name ?? "", /^host: vmexit_entry/);
    // Below the host's frames: where the guest exited.
    assert.match(frames.at(-1)?.name ?? "", /^guest: guest_entry\+0x[0-9a-f]+ \(VM exit: CPUID\)$/);
    assert.equal(frames.at(-1)?.line, GUEST_CPUID_LINE);
    // EXIT_REASON changed since the VMLAUNCH stop: marked in the VMCS scope and in vmx/state.
    const groups = await scope("VMCS");
    const info = await variablesOf(groups[5]?.variablesReference ?? 0);
    const reason = info.find((v) => v.name === "EXIT_REASON");
    assert.equal(reason?.value, "0x0000000a");
    assert.ok(reason?.presentationHint?.attributes?.includes("changed" as never));
    assert.equal((await vmxState()).fields.find((x) => x.name === "EXIT_REASON")?.changed, true);
    assert.equal((await vmxState()).fields.find((x) => x.name === "HOST_RIP")?.changed, false);
    const h = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    assert.equal(h.total, 1);
    assert.equal(h.exits[0]?.reasonName, "CPUID");
    assert.equal(h.exits[0]?.guestLocation?.line, GUEST_CPUID_LINE - 1);
  });

  it("a step on a guest instruction that exits lands on the host's exit handler", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: HV }, () =>
      dc.setBreakpointsRequest({ source: { path: HV }, breakpoints: [{ line: GUEST_CPUID_LINE }] }),
    );
    await stopped;
    assert.equal((await vmxState()).mode, "non-root");
    const step = waitStopped(dc);
    await dc.stepInRequest({ threadId: 1 });
    await step;
    assert.equal((await topFrame(dc)).line, HOST_HANDLER_LINE);
    const st = await vmxState();
    assert.equal(st.mode, "root");
    assert.equal(st.lastExit?.reasonName, "CPUID");
  });

  it("breaks on a VM exit matching a condition and explains it", async () => {
    await stopAtVmlaunch();
    const ev = await continueWithExitFilter("reason == 31");
    assert.equal(ev.body.reason, "exception");
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.exceptionId, /VM exit 31 \(RDMSR\)/);
    assert.equal((await topFrame(dc)).line, HOST_HANDLER_LINE);
    const h = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    assert.deepEqual(
      h.exits.map((e) => e.reasonName),
      ["CPUID", "RDMSR"],
    );
    assert.equal(await evaluate(dc, "EXIT_REASON"), "0x0000001f");
  });

  it("steps back across a VM exit into the guest, and travels to an exit from the history", async () => {
    await stopAtVmlaunch();
    await continueWithExitFilter();
    assert.equal((await topFrame(dc)).line, HOST_HANDLER_LINE);
    const back = waitStopped(dc);
    await dc.stepBackRequest({ threadId: 1 });
    await back;
    assert.equal((await topFrame(dc)).line, GUEST_CPUID_LINE);
    assert.equal((await vmxState()).mode, "non-root");
    // Forward again, and then to the first exit through vmx/goToExit.
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const end = dc.waitForEvent("terminated");
    await dc.continueRequest({ threadId: 1 });
    await end.catch(() => undefined);
  });

  it("vmx/goToExit travels back to a recorded exit", async () => {
    await stopAtVmlaunch();
    await continueWithExitFilter("reason == 12");
    const h = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    assert.ok(h.total >= 4, `exits: ${h.total}`);
    const first = h.exits[0];
    assert.ok(first);
    const stopped = waitStopped(dc);
    const changed = dc.waitForEvent("vmx/stateChanged");
    await dc.customRequest("vmx/goToExit", { instructionCount: first.instructionCount });
    assert.equal((await stopped).body.reason, "goto");
    assert.equal(
      ((await changed) as DebugProtocol.Event).body.cause satisfies VmxStateChangedEventBody["cause"],
      "stop",
    );
    assert.equal((await topFrame(dc)).line, HOST_HANDLER_LINE);
    const st = await vmxState();
    assert.equal(st.lastExit?.reasonName, "CPUID");
  });

  it("a guest field set through the adapter makes the entry fail, with the check, SDM section and provenance", async () => {
    await stopAtVmlaunch();
    await dc.setExceptionBreakpointsRequest({ filters: ["vmEntryFailure"] });
    const cr0 = BigInt((await vmxState()).fields.find((f) => f.name === "GUEST_CR0")?.value ?? "0");
    const w = await dc.customRequest("vmx/writeField", { field: "GUEST_CR0", value: `0x${(cr0 & ~1n).toString(16)}` });
    assert.equal(BigInt(w.body.value), cr0 & ~1n);
    const stopped = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await stopped).body.reason, "exception");
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.details?.fullTypeName ?? "", /SDM 26\.3/);
    assert.match(info.body.details?.stackTrace ?? "", /GUEST_CR0 = 0x[0-9a-f]+ {2}\(set at .*hypervisor\.asm:\d+/);
    const st = await vmxState();
    const f = st.lastEntryFailure;
    assert.ok(f);
    assert.equal(f.kind, "entryFailureExit");
    assert.equal(f.instruction, "vmlaunch");
    assert.equal(f.location?.line, VMLAUNCH_LINE - 1);
    const field = f.fields.find((x) => x.name === "GUEST_CR0");
    assert.equal(field?.provenance?.line, VMW_LINE - 1);
    assert.equal(field?.provenance?.calledFrom?.line, GUEST_CR0_WRITE_LINE - 1);
  });

  it("explains the broken example's failed entry (bad guest CR0) at the VMWRITE site", async () => {
    const stopped = waitStopped(dc);
    const changed = new Promise<VmxStateChangedEventBody>((resolve) => {
      dc.on("vmx/stateChanged", (e: DebugProtocol.Event) => {
        if (e.body.entryFailure) resolve(e.body);
      });
    });
    await launch(dc, { program: BAD_CR0 }, () => dc.setExceptionBreakpointsRequest({ filters: ["vmEntryFailure"] }));
    assert.equal((await stopped).body.reason, "exception");
    assert.equal((await changed).entryFailure, true);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.description ?? "", /guest CR0 0x[0-9a-f]+: bit 0 must be 1/);
    const f = (await vmxState()).lastEntryFailure;
    const p = f?.fields.find((x) => x.name === "GUEST_CR0")?.provenance;
    assert.equal(p?.file, HV);
    assert.equal(p?.line, VMW_LINE - 1);
    assert.equal(p?.calledFrom?.line, GUEST_CR0_WRITE_LINE - 1);
    // The same explanation in the Debug Console.
    const text = await evaluate(dc, "explain", "repl");
    assert.match(text, new RegExp(`check ${f?.checkId}, SDM 26\\.3`));
    assert.match(
      text,
      new RegExp(
        `GUEST_CR0 = 0x[0-9a-f]+ {2}\\(set at ${HV}:${VMW_LINE}, called from ${HV}:${GUEST_CR0_WRITE_LINE}\\)`,
      ),
    );
  });

  it("a failed VM entry (bad guest CR0) is in the VM-exit history with its reason and qualification", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: BAD_CR0 }, () => dc.setExceptionBreakpointsRequest({ filters: ["vmEntryFailure"] }));
    assert.equal((await stopped).body.reason, "exception");
    const h = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    assert.equal(h.total, 1);
    const x = h.exits[0];
    // SDM 26.8: basic exit reason 33 (VM-entry failure due to invalid guest state), bit 31 set.
    assert.equal(x?.reason, 33);
    assert.equal(x?.entryFailure, true);
    const fields = (await vmxState()).fields;
    const field = (name: string) => BigInt(fields.find((f) => f.name === name)?.value ?? "-1");
    assert.equal(field("EXIT_REASON"), 0x8000_0000n | 33n);
    assert.equal(BigInt(x?.qualification ?? "-1"), field("EXIT_QUALIFICATION"));
  });

  it("a failed VM entry is recorded once, also when no filter stops on it", async () => {
    const handler = lineOf(/^\s+\S/, /^entry_failed:/);
    const stopped = waitStopped(dc);
    await launch(dc, { program: BAD_CR0 }, () =>
      dc.setBreakpointsRequest({ source: { path: HV }, breakpoints: [{ line: handler }] }),
    );
    assert.equal((await stopped).body.reason, "breakpoint");
    const h = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    assert.deepEqual(
      h.exits.map((e) => [e.reason, e.entryFailure]),
      [[33, true]],
    );
  });

  it("a data breakpoint on a VMCS field stops after the write that changed it", async () => {
    const entry = waitStopped(dc);
    await launch(dc, { program: HV, stopOnEntry: true });
    await entry;
    const info = await dc.dataBreakpointInfoRequest({ name: "GUEST_RIP" });
    assert.equal(info.body.dataId, "vmcs:GUEST_RIP");
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: "vmcs:GUEST_RIP" }] });
    const stopped = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    const ev = await stopped;
    assert.equal(ev.body.reason, "data breakpoint");
    assert.match(ev.body.description ?? "", /GUEST_RIP changed/);
    assert.equal(BigInt(await evaluate(dc, "GUEST_RIP")), BigInt(await evaluate(dc, "guest_entry")));
  });

  it("traces every VM exit to the Debug Console", async () => {
    let log = "";
    dc.on("output", (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === "console") log += e.body.output;
    });
    let out = "";
    dc.on("output", (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === "stdout") out += e.body.output;
    });
    const end = dc.waitForEvent("terminated");
    await launch(dc, { program: HV, trace: true });
    await end;
    assert.match(log, /VM exit #0: reason 10 CPUID/);
    assert.match(log, /VM exit #1: reason 31 RDMSR/);
    assert.match(out, /hello from VMX non-root operation/);
  });
});

describe("VMX debugging of a GAS (AT&T) hypervisor", () => {
  const GAS = join(ROOT, "test/dap/fixtures/vmx.s");
  const lines = readFileSync(GAS, "utf8").split("\n");
  const find = (re: RegExp, after?: RegExp) => {
    const from = after ? lines.findIndex((l) => after.test(l)) + 1 : 0;
    const i = lines.findIndex((l, k) => k >= from && re.test(l));
    if (i < 0) throw new Error(`no line matches ${re}`);
    return i + 1;
  };
  const launchLine = find(/^\s+vmlaunch/);
  const guestLine = find(/^\s+\S/, /^guest:/);
  const guestCpuid = find(/^\s+cpuid/, /^guest:/);
  const handlerLine = find(/^\s+\S/, /^vmexit:/);
  const ripWrite = find(/^\s+vmwrite/, /lea guest, %rax/);

  it("stops at VMLAUNCH, steps into the guest and back out on its CPUID exit, and steps back", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: GAS }, () =>
      dc.setBreakpointsRequest({ source: { path: GAS }, breakpoints: [{ line: launchLine }] }),
    );
    await stopped;
    const rip = (await vmxState()).fields.find((f) => f.name === "GUEST_RIP");
    assert.equal(rip?.provenance?.file, GAS);
    assert.equal(rip?.provenance?.line, ripWrite - 1);
    assert.equal(BigInt(await evaluate(dc, "GUEST_RIP")), BigInt(await evaluate(dc, "guest")));
    const step = waitStopped(dc);
    await dc.stepInRequest({ threadId: 1 });
    await step;
    const f = await topFrame(dc);
    assert.equal(f.line, guestLine);
    assert.equal(f.source?.path, GAS);
    const ev = await continueWithExitFilter("reason == 10");
    assert.equal(ev.body.reason, "exception");
    assert.equal((await topFrame(dc)).line, handlerLine);
    // AT&T expressions in a GAS program.
    assert.equal(await evaluate(dc, "%rsp"), "0x0000000000210000");
    assert.equal(BigInt(await evaluate(dc, "exits(%rip)")), 0n);
    assert.equal(BigInt(await evaluate(dc, "8(%rsp)")), BigInt(await evaluate(dc, "qword [rsp + 8]")));
    const back = waitStopped(dc);
    await dc.stepBackRequest({ threadId: 1 });
    await back;
    assert.equal((await topFrame(dc)).line, guestCpuid);
  });

  it("runs to the end, the guest's and the host's output on the Debug Console", async () => {
    let out = "";
    dc.on("output", (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === "stdout") out += e.body.output;
    });
    const end = dc.waitForEvent("exited");
    await launch(dc, { program: GAS });
    assert.equal(((await end) as DebugProtocol.ExitedEvent).body.exitCode, 0);
    assert.equal(out, "GH");
    const h = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    assert.deepEqual(
      h.exits.map((e) => e.reasonName),
      ["CPUID", "HLT"],
    );
  });
});

describe("VMX failures and VMCS edits", () => {
  const broken = (n: string) => join(ROOT, "examples/broken", n);

  it("breakOn vmFail stops after a VMX instruction fails, naming the VM-instruction error", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: broken("vmptrld-vmxon-region.asm"), breakOn: ["vmFail"] });
    assert.equal((await stopped).body.reason, "exception");
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, "VMfailValid(10)");
    assert.match(info.body.description ?? "", /VMPTRLD failed: VMfailValid\(10\)/);
  });

  it("explains a VMLAUNCH that fails with VMfailValid (launch state not clear)", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: broken("missing-vmclear.asm"), breakOn: ["vmEntryFailure"] });
    await stopped;
    const f = (await vmxState()).lastEntryFailure;
    assert.equal(f?.kind, "vmfailValid");
    assert.equal(f?.errorNumber, 4);
    assert.equal(f?.instruction, "vmlaunch");
  });

  it("breakOn vmExit in the launch configuration stops at the first exit", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: HV, breakOn: ["vmExit"] });
    await stopped;
    assert.equal((await vmxState()).lastExit?.reasonName, "CPUID");
  });

  it("setVariable on a VMCS field in the VMCS scope writes the current VMCS", async () => {
    await stopAtVmlaunch();
    const groups = await scope("VMCS");
    const ref = groups[0]?.variablesReference ?? 0;
    await variablesOf(ref);
    const r = await dc.setVariableRequest({ variablesReference: ref, name: "GUEST_RSP", value: "0x123000" });
    assert.equal(r.body.value, "0x0000000000123000");
    assert.equal((await vmxState()).fields.find((f) => f.name === "GUEST_RSP")?.value, "0x123000");
  });

  it("vmx/fieldBreakpoint stops when the field changes (a VM exit updates EXIT_REASON)", async () => {
    await stopAtVmlaunch();
    const r = await dc.customRequest("vmx/fieldBreakpoint", { field: "EXIT_REASON", enabled: true });
    assert.deepEqual(r.body, { verified: true, fields: ["EXIT_REASON"] });
    await dc.setBreakpointsRequest({ source: { path: HV }, breakpoints: [] });
    const stopped = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    const ev = await stopped;
    assert.equal(ev.body.reason, "data breakpoint");
    assert.match(ev.body.description ?? "", /EXIT_REASON changed from 0x0 to 0xa/);
    assert.equal((await topFrame(dc)).line, HOST_HANDLER_LINE);
    const off = await dc.customRequest("vmx/fieldBreakpoint", { field: "EXIT_REASON", enabled: false });
    assert.deepEqual(off.body.fields, []);
    const bad = await dc.customRequest("vmx/fieldBreakpoint", { field: "NOT_A_FIELD", enabled: true });
    assert.equal(bad.body.verified, false);
  });
});

describe("VMRESUME", () => {
  it("steps into VMRESUME to the guest instruction after the one that exited", async () => {
    const resume = lineOf(/^\s+vmresume\s*$/);
    const afterCpuid = GUEST_CPUID_LINE + 1;
    const stopped = waitStopped(dc);
    await launch(dc, { program: HV }, () =>
      dc.setBreakpointsRequest({ source: { path: HV }, breakpoints: [{ line: resume }] }),
    );
    await stopped;
    assert.equal((await vmxState()).lastExit?.reasonName, "CPUID");
    const step = waitStopped(dc);
    await dc.stepInRequest({ threadId: 1 });
    await step;
    const f = await topFrame(dc);
    assert.equal(f.line, afterCpuid);
    assert.match(f.name, /^guest: /);
  });
});

describe("VMCS fields in conditions and logpoints", () => {
  it("a logpoint in the exit handler prints VMCS fields; a condition on EXIT_REASON stops on RDMSR", async () => {
    let log = "";
    dc.on("output", (e: DebugProtocol.OutputEvent) => {
      if (e.body.category === "console") log += e.body.output;
    });
    const handleExit = lineOf(/^\s+inc qword \[rel exit_count\]/, /^handle_exit:/);
    const stopped = waitStopped(dc);
    await launch(dc, { program: HV }, () =>
      dc.setBreakpointsRequest({
        source: { path: HV },
        breakpoints: [
          { line: HOST_HANDLER_LINE, logMessage: "exit {EXIT_REASON} at {GUEST_RIP}" },
          { line: handleExit, condition: "EXIT_REASON == 31" },
        ],
      }),
    );
    await stopped;
    assert.equal(await evaluate(dc, "EXIT_REASON"), "0x0000001f");
    assert.match(log, /^exit 0xa at 0x[0-9a-f]+\nexit 0x1f at 0x[0-9a-f]+\n$/);
  });
});

describe("the other examples", () => {
  it("hypervisor.s (GAS): VMLAUNCH steps into the guest in the GAS source", async () => {
    const GAS_HV = join(ROOT, "examples/hypervisor.s");
    const lines = readFileSync(GAS_HV, "utf8").split("\n");
    const launchLine = lines.findIndex((l) => /^\s+vmlaunch\s*(#.*)?$/.test(l)) + 1;
    const guestStart = lines.findIndex((l) => /^guest_entry:/.test(l));
    const guestFirst = lines.findIndex((l, k) => k > guestStart && /^\s+[a-z]/.test(l)) + 1;
    const stopped = waitStopped(dc);
    await launch(dc, { program: GAS_HV }, () =>
      dc.setBreakpointsRequest({ source: { path: GAS_HV }, breakpoints: [{ line: launchLine }] }),
    );
    await stopped;
    assert.equal((await topFrame(dc)).line, launchLine);
    const step = waitStopped(dc);
    await dc.stepInRequest({ threadId: 1 });
    await step;
    const f = await topFrame(dc);
    assert.equal(f.source?.path, GAS_HV);
    assert.equal(f.line, guestFirst);
    assert.match(f.name, /^guest: guest_entry/);
  });

  it("real-mode-guest.asm: memory and disassembly of a real-mode guest under EPT", async () => {
    const RM = join(ROOT, "examples/real-mode-guest.asm");
    const stopped = waitStopped(dc);
    await launch(dc, { program: RM, breakOn: ["vmExit"] });
    await stopped;
    assert.equal((await vmxState()).lastExit?.reasonName, "CPUID");
    const back = waitStopped(dc);
    await dc.stepBackRequest({ threadId: 1 });
    await back;
    const st = await vmxState();
    assert.equal(st.mode, "non-root");
    const f = await topFrame(dc);
    const pc = f.instructionPointerReference ?? "";
    // CS.base + IP of the guest's CPUID, read through the guest's (absent) paging and EPT.
    assert.equal(BigInt(pc), BigInt(await evaluate(dc, "cs.base")) + BigInt(await evaluate(dc, "ip")));
    const mem = await dc.customRequest("readMemory", { memoryReference: pc, count: 2 });
    assert.deepEqual([...Buffer.from(mem.body.data, "base64")], [0x0f, 0xa2]);
    const d = await dc.customRequest("disassemble", { memoryReference: pc, instructionCount: 1 });
    assert.equal(d.body.instructions[0].instruction, "cpuid");
  });
});

describe("guest exceptions", () => {
  it("the CPU exception filter stops on a guest #GP intercepted by the exception bitmap (v8086 example)", async () => {
    const V86 = join(ROOT, "examples/v8086-guest.asm");
    const stopped = waitStopped(dc);
    await launch(dc, { program: V86 }, () =>
      dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: "exception", condition: "vector == 13" }],
      }),
    );
    assert.equal((await stopped).body.reason, "exception");
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, "#GP (13)");
    assert.match(info.body.description ?? "", /guest exception #GP \(13\)/);
    const st = await vmxState();
    assert.equal(st.lastExit?.reasonName, "EXCEPTION_OR_NMI");
    assert.equal(st.mode, "root");
  });
});

describe("a guest that dies", () => {
  it("a guest triple fault is a VM exit (reason 2) the host handles; stepBack returns to the guest's UD2", async () => {
    const program = join(ROOT, "test/dap/fixtures/guest-triple.asm");
    const lines = readFileSync(program, "utf8").split("\n");
    const ud2 = lines.findIndex((l) => /^\s+ud2/.test(l)) + 1;
    const stopped = waitStopped(dc);
    await launch(dc, { program }, () =>
      dc.setExceptionBreakpointsRequest({
        filters: ["tripleFault", "exception"],
        filterOptions: [{ filterId: "vmExit", condition: "reason == 2" }],
      }),
    );
    const ev = await stopped;
    assert.equal(ev.body.reason, "exception");
    assert.match((await dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId, /VM exit 2 \(TRIPLE_FAULT\)/);
    assert.equal((await topFrame(dc)).line, HOST_HANDLER_LINE);
    const h = (await dc.customRequest("vmx/exitHistory", {})).body as VmxExitHistoryResponseBody;
    assert.equal(h.exits.at(-1)?.reason, 2);
    assert.equal(h.exits.at(-1)?.guestLocation?.line, ud2 - 1);
    // Back across the exit into the dead guest, before its UD2.
    const back = waitStopped(dc);
    await dc.stepBackRequest({ threadId: 1, granularity: "instruction" });
    await back;
    const f = await topFrame(dc);
    assert.equal(f.line, ud2);
    assert.match(f.name, /^guest: dying_guest/);
    // The host reports the exit and ends normally.
    const exited = dc.waitForEvent("exited");
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await dc.continueRequest({ threadId: 1 });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
  });
});

describe("the Devices scope on examples/timer-guest.asm", () => {
  const TIMER = join(ROOT, "examples/timer-guest.asm");
  const lines = readFileSync(TIMER, "utf8").split("\n");
  const handler = lines.findIndex((l) => /^timer_exit:/.test(l)) + 2; // its first instruction (1-based)

  it("shows the PIC's in-service IRQ0 and the 8254's channel 0 at a timer exit", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: TIMER }, () =>
      dc.setBreakpointsRequest({ source: { path: TIMER }, breakpoints: [{ line: handler }] }),
    );
    await stopped;
    assert.equal((await topFrame(dc)).line, handler);
    const devices = await scope("Devices");
    const byName = new Map(devices.map((v) => [v.name, v]));
    // Acknowledged on exit: IRQ0 is in service until the host's EOI; IRQ1-7 masked.
    assert.equal(byName.get("PIC master")?.value, "IRR 00h ISR 01h IMR FEh, vectors 20h-27h");
    assert.equal(byName.get("PIC slave")?.value, "IRR 00h ISR 00h IMR FFh, vectors 28h-2Fh");
    assert.match(byName.get("PIT channel 0 (IRQ0)")?.value ?? "", /^mode 2, count \d+ of 1193$/);
    assert.equal(byName.get("PIT channel 2 (port 61h)")?.value, "idle (no count written)");
    assert.match(byName.get("next timer interrupt")?.value ?? "", /^in \d+ instructions \(IRQ0 edge\)$/);
    assert.equal(byName.get("INTR")?.value, "low");
    const pit0 = await variablesOf(byName.get("PIT channel 0 (IRQ0)")?.variablesReference ?? 0);
    assert.equal(pit0.find((v) => v.name === "mode")?.value, "2 (rate generator)");
  });
});
