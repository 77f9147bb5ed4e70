// Protocol tests: the adapter after the program dies (a triple fault): state stays inspectable at the final
// stop, time travel works from there, requests after the end get errors, and restart brings the program back.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { evaluate, expectError, fixture, launch, startClient, topFrame, waitStopped } from "./harness";

const TRIPLE = fixture("triple.asm");

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

describe("after the program dies", () => {
  it("inspects the final stop, travels back, ends, refuses requests after the end, and restarts", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: TRIPLE }, () => dc.setExceptionBreakpointsRequest({ filters: ["tripleFault"] }));
    assert.equal((await stopped).body.reason, "exception");
    // Everything answers at the final stop.
    assert.equal((await topFrame(dc)).line, 6);
    const scopes = await dc.scopesRequest({ frameId: 1 });
    assert.ok(
      (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0]?.variablesReference ?? 0 })).body.variables
        .length > 0,
    );
    assert.match(await evaluate(dc, "rip"), /^0x/);
    assert.equal((await dc.customRequest("vmx/state", {})).body.mode, "off");
    const mem = await dc.customRequest("readMemory", { memoryReference: "0x100000", count: 4 });
    assert.equal(mem.body?.unreadableBytes ?? 0, 0);
    assert.ok(
      (await dc.customRequest("disassemble", { memoryReference: "0x100000", instructionCount: 3 })).body?.instructions
        .length,
    );
    assert.match((await dc.exceptionInfoRequest({ threadId: 1 })).body.description ?? "", /triple fault/);
    // Back in time from the final stop, and forward into the same end again.
    // The first step back undoes the fault (the CPU is before UD2 again), the second the LIDT.
    for (const line of [6, 5]) {
      const back = waitStopped(dc);
      await dc.stepBackRequest({ threadId: 1, granularity: "instruction" });
      await back;
      assert.equal((await topFrame(dc)).line, line);
    }
    const again = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await again).body.reason, "exception");
    const exited = dc.waitForEvent("exited");
    await dc.continueRequest({ threadId: 1 });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 1);
    // After the end: errors, not silence or a crash.
    for (const p of [
      dc.stackTraceRequest({ threadId: 1 }),
      dc.nextRequest({ threadId: 1 }),
      dc.evaluateRequest({ expression: "rax", context: "repl" }),
      dc.customRequest("vmx/state", {}),
      dc.customRequest("readMemory", { memoryReference: "0x100000", count: 4 }),
    ])
      assert.match(await expectError(p), /ended/);
    assert.equal((await dc.threadsRequest()).body.threads.length, 1);
    // Restart runs the program again from the beginning.
    const restarted = waitStopped(dc);
    await dc.customRequest("restart", { arguments: { program: TRIPLE, stopOnEntry: true } });
    assert.equal((await restarted).body.reason, "entry");
    assert.equal((await topFrame(dc)).line, 5);
  });
});
