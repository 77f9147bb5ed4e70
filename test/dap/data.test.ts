// Protocol tests: data breakpoints on registers ("break when RCX changes", from the Variables view or a name),
// and data breakpoints honoured by reverse continue and step back.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { evaluate, expectError, fixture, launch, startClient, topFrame, waitStopped } from "./harness";

const NASM = fixture("loop.asm");

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

async function resume(kind: "continue" | "reverseContinue" | "stepBack"): Promise<DebugProtocol.StoppedEvent> {
  const stopped = waitStopped(dc);
  if (kind === "continue") await dc.continueRequest({ threadId: 1 });
  else if (kind === "reverseContinue") await dc.reverseContinueRequest({ threadId: 1 });
  else await dc.stepBackRequest({ threadId: 1 });
  return stopped;
}

async function watch(...names: string[]): Promise<void> {
  const ids: string[] = [];
  for (const name of names) {
    const info = await dc.dataBreakpointInfoRequest({ name });
    assert.ok(info.body.dataId, `${name}: ${info.body.description}`);
    ids.push(info.body.dataId);
  }
  const set = await dc.setDataBreakpointsRequest({ breakpoints: ids.map((dataId) => ({ dataId })) });
  assert.ok(set.body.breakpoints.every((b) => b.verified));
}

async function stopAt(line: number | undefined): Promise<void> {
  const stopped = waitStopped(dc);
  await launch(dc, { program: NASM, stopOnEntry: line === undefined }, async () => {
    if (line !== undefined) await dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line }] });
  });
  await stopped;
}

describe("register data breakpoints", () => {
  it("a register from the Variables view stops after each instruction that changes it", async () => {
    await stopAt(undefined);
    const general = (await dc.scopesRequest({ frameId: 1 })).body.scopes[0] as DebugProtocol.Scope;
    await dc.variablesRequest({ variablesReference: general.variablesReference });
    const info = await dc.dataBreakpointInfoRequest({ name: "rcx", variablesReference: general.variablesReference });
    assert.equal(info.body.dataId, "reg:rcx");
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: "reg:rcx" }] });
    let ev = await resume("continue");
    assert.equal(ev.body.reason, "data breakpoint");
    assert.match(ev.body.description ?? "", /rcx changed from 0x0 to 0x3/);
    assert.equal((await topFrame(dc)).line, 8);
    ev = await resume("continue");
    assert.equal(ev.body.reason, "data breakpoint");
    assert.equal((await topFrame(dc)).line, 13);
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000002");
  });

  it("sub-registers by name (al) with a condition; the instruction pointer is refused", async () => {
    await stopAt(undefined);
    const rip = await dc.dataBreakpointInfoRequest({ name: "rip" });
    assert.equal(rip.body.dataId, null);
    const info = await dc.dataBreakpointInfoRequest({ name: "%al" });
    assert.equal(info.body.dataId, "reg:al");
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: "reg:al" }] });
    let ev = await resume("continue");
    assert.equal(ev.body.reason, "data breakpoint");
    assert.equal((await topFrame(dc)).line, 10);
    // AL keeps 'A' in the later iterations; the next change is the load of the counter, while RCX is 0.
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: "reg:al", condition: "rcx == 0" }] });
    ev = await resume("continue");
    assert.equal(ev.body.reason, "data breakpoint");
    assert.match(ev.body.description ?? "", /al changed from 0x41 to 0x3/);
    assert.equal((await topFrame(dc)).line, 15);
  });
});

describe("memory data breakpoints", () => {
  it("a value changed and restored in one run slice stops twice (after each write)", async () => {
    const program = fixture("transient.asm");
    const stopped = waitStopped(dc);
    await launch(dc, { program, stopOnEntry: true });
    await stopped;
    await watch("qword [flag]");
    let ev = await resume("continue");
    assert.equal(ev.body.reason, "data breakpoint");
    assert.match(ev.body.description ?? "", /changed from 0x0 to 0x1/);
    assert.equal((await topFrame(dc)).line, 9);
    ev = await resume("continue");
    assert.equal(ev.body.reason, "data breakpoint");
    assert.match(ev.body.description ?? "", /changed from 0x1 to 0x0/);
    assert.equal((await topFrame(dc)).line, 10);
    const exited = dc.waitForEvent("exited");
    await dc.continueRequest({ threadId: 1 });
    await exited;
  });
});

describe("MSR data breakpoints", () => {
  it("an MSR from the MSRs scope stops after the WRMSR that changed it", async () => {
    const program = fixture("msr.asm");
    const stopped = waitStopped(dc);
    await launch(dc, { program, stopOnEntry: true });
    await stopped;
    const msrs = (await dc.scopesRequest({ frameId: 1 })).body.scopes.find((s) => s.name === "MSRs");
    await dc.variablesRequest({ variablesReference: msrs?.variablesReference ?? 0 });
    const info = await dc.dataBreakpointInfoRequest({
      name: "IA32_EFER",
      variablesReference: msrs?.variablesReference ?? 0,
    });
    assert.equal(info.body.dataId, "msr:IA32_EFER");
    assert.equal((await dc.dataBreakpointInfoRequest({ name: "ia32_efer" })).body.dataId, "msr:IA32_EFER");
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: "msr:IA32_EFER" }] });
    const ev = await resume("continue");
    assert.equal(ev.body.reason, "data breakpoint");
    assert.match(ev.body.description ?? "", /IA32_EFER changed from 0xd00 to 0xd01/);
    assert.equal((await topFrame(dc)).line, 9);
  });
});

describe("data breakpoints in reverse", () => {
  it("reverse continue stops on each earlier instruction that changed a watched memory value", async () => {
    await stopAt(14);
    await watch("qword [counter]");
    for (const before of [2n, 1n, 0n]) {
      const ev = await resume("reverseContinue");
      assert.equal(ev.body.reason, "data breakpoint");
      assert.match(ev.body.description ?? "", /reverse/);
      assert.equal((await topFrame(dc)).line, 19);
      assert.equal(BigInt(await evaluate(dc, "qword [counter]")), before);
    }
    const ev = await resume("reverseContinue");
    assert.equal(ev.body.reason, "entry");
    // Forward again: the data breakpoint stops after the write.
    const fwd = await resume("continue");
    assert.equal(fwd.body.reason, "data breakpoint");
    assert.equal((await topFrame(dc)).line, 20);
  });

  it("reverse continue honours register data breakpoints; step back reports the change it undoes", async () => {
    await stopAt(14);
    await watch("rcx");
    const ev = await resume("reverseContinue");
    assert.equal(ev.body.reason, "data breakpoint");
    assert.match(ev.body.description ?? "", /rcx changed from 0x1 to 0x0/);
    assert.equal((await topFrame(dc)).line, 12);
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000001");
    // Step back over `jnz` (nothing watched changes), then forward and back over `dec rcx`.
    const back = await resume("stepBack");
    assert.equal(back.body.reason, "step");
    await resume("continue");
    assert.equal((await topFrame(dc)).line, 13);
    const undo = await resume("stepBack");
    assert.equal(undo.body.reason, "data breakpoint");
    assert.match(undo.body.description ?? "", /rcx changed from 0x1 to 0x0 by this instruction/);
    assert.equal((await topFrame(dc)).line, 12);
  });
});

describe("pausing reverse execution", () => {
  it("a long reverse continue answers requests and a pause cancels it where it began", async () => {
    const program = fixture("longloop.asm");
    const stopped = waitStopped(dc, 30_000);
    await launch(dc, { program }, () =>
      dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 8 }] }),
    );
    await stopped;
    // A register watch makes the reverse scan go instruction by instruction over the whole history (seconds).
    await watch("rbx");
    const paused = waitStopped(dc);
    await dc.reverseContinueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 200));
    assert.match(await expectError(dc.evaluateRequest({ expression: "rcx", context: "watch" })), /running/);
    await dc.pauseRequest({ threadId: 1 });
    const ev = await paused;
    assert.equal(ev.body.reason, "pause");
    assert.match(ev.body.description ?? "", /reverse continue cancelled/);
    assert.equal((await topFrame(dc)).line, 8);
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000000");
  });
});
