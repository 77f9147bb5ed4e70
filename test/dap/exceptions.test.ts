// Protocol tests: exceptions the program handles through its own IDT stop under the "exception" filter (with a
// condition over vector / error_code), and exceptionInfo names the vector, error code, faulting instruction
// and handler.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { fixture, launch, startClient, topFrame, waitStopped } from "./harness";

const IDT = fixture("idt.asm");
const LINES = readFileSync(IDT, "utf8").split("\n");
const line = (re: RegExp) => LINES.findIndex((l) => re.test(l)) + 1;

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

function output(): () => string {
  let text = "";
  dc.on("output", (e: DebugProtocol.OutputEvent) => {
    if (e.body.category === "stdout") text += e.body.output;
  });
  return () => text;
}

describe("exceptions handled by the program's IDT", () => {
  it("stop at the handler under the exception filter; exceptionInfo names vector, error code, instruction and handler", async () => {
    const out = output();
    const first = waitStopped(dc);
    await launch(dc, { program: IDT }, () => dc.setExceptionBreakpointsRequest({ filters: ["exception"] }));
    assert.equal((await first).body.reason, "exception");
    let f = await topFrame(dc);
    assert.equal(f.line, line(/^ud_handler:/) + 1);
    let info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, "#UD (6)");
    assert.match(info.body.description ?? "", /#UD \(6\).*ud_handler/);
    const details = info.body.details?.stackTrace ?? "";
    assert.match(details, new RegExp(`raised by: 0x[0-9a-f]+ ud2 \\(.*idt\\.asm:${line(/^\s+ud2/)}\\)`));
    assert.match(details, new RegExp(`handler: 0x[0-9a-f]+ ud_handler \\(.*idt\\.asm:${line(/^ud_handler:/) + 1}\\)`));
    assert.doesNotMatch(details, /error code/);
    // The tracked stack: the handler, then the faulting instruction as an exception frame.
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(
      frames.map((x) => [x.name, x.line]),
      [
        ["ud_handler", line(/^ud_handler:/) + 1],
        ["start+0x30 [exception #UD (6)]", line(/^\s+ud2/)],
      ],
    );
    assert.equal(out(), "");

    const second = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await second).body.reason, "exception");
    f = await topFrame(dc);
    assert.equal(f.line, line(/^gp_handler:/) + 1);
    info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, "#GP (13)");
    assert.match(info.body.details?.stackTrace ?? "", /error code: 0x0\n/);
    assert.match(info.body.details?.stackTrace ?? "", new RegExp(`raised by: .*:${line(/mov rbx, \[rax\]/)}\\)`));
    assert.equal(out(), "U");

    const exited = dc.waitForEvent("exited");
    await dc.continueRequest({ threadId: 1 });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
    assert.equal(out(), "UGK");
  });

  it("a condition over the vector selects which deliveries stop", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: IDT }, () =>
      dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: "exception", condition: "vector == 13 && error_code == 0" }],
      }),
    );
    await stopped;
    assert.equal((await dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId, "#GP (13)");
  });

  it("without the filter the handlers just run", async () => {
    const out = output();
    const exited = dc.waitForEvent("exited");
    await launch(dc, { program: IDT }, () => dc.setExceptionBreakpointsRequest({ filters: [] }));
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
    assert.equal(out(), "UGK");
  });

  it("step out of a handler that skips the faulting instruction returns where its IRET goes", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: IDT }, () => dc.setExceptionBreakpointsRequest({ filters: ["exception"] }));
    await stopped;
    assert.equal((await topFrame(dc)).line, line(/^ud_handler:/) + 1);
    const out = waitStopped(dc);
    await dc.stepOutRequest({ threadId: 1 });
    assert.equal((await out).body.reason, "step");
    const f = await topFrame(dc);
    assert.equal(f.line, line(/^\s+mov rax, 0x8000000000000000/));
    assert.equal(f.name, "start+0x32");
  });

  it("stepping over a faulting instruction lands in the handler", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: IDT }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
      await dc.setBreakpointsRequest({ source: { path: IDT }, breakpoints: [{ line: line(/^\s+ud2/) }] });
    });
    await stopped;
    const stepped = waitStopped(dc);
    await dc.nextRequest({ threadId: 1 });
    assert.equal((await stepped).body.reason, "step");
    assert.equal((await topFrame(dc)).line, line(/^ud_handler:/) + 1);
  });

  it("a guest exception delivered through the guest's own IDT stops at the guest handler, marked guest", async () => {
    const program = fixture("guest-idt.asm");
    const lines = readFileSync(program, "utf8").split("\n");
    const handler = lines.findIndex((l) => /^g_ud:/.test(l)) + 2;
    const ud2 = lines.findIndex((l) => /^\s+ud2/.test(l)) + 1;
    const stopped = waitStopped(dc);
    await launch(dc, { program }, () =>
      dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: "exception", condition: "guest && vector == 6" }],
      }),
    );
    assert.equal((await stopped).body.reason, "exception");
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, "#UD (6)");
    assert.match(info.body.description ?? "", /^guest exception #UD \(6\)/);
    assert.match(
      info.body.details?.stackTrace ?? "",
      new RegExp(`raised by: 0x[0-9a-f]+ ud2 \\(.*guest-idt\\.asm:${ud2}\\)`),
    );
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.equal(frames[0]?.line, handler);
    assert.match(frames[0]?.name ?? "", /^guest: g_ud/);
    assert.match(frames[1]?.name ?? "", /^guest: guest_idt\+0x[0-9a-f]+ \[exception #UD \(6\)\]$/);
    assert.equal(frames[1]?.line, ud2);
    assert.match(frames[2]?.name ?? "", /^host: .*\(VM entry\)$/);
    assert.equal(((await dc.customRequest("vmx/state", {})).body as { mode: string }).mode, "non-root");
  });
});
