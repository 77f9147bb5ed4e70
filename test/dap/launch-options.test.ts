// Protocol tests of issue 7's launch options and stepping granularity not covered elsewhere: `syntax`, the
// protected32 and real16 start states, COM1 output, and source-line versus instruction steps.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { evaluate, expectError, fixture, launch, ROOT, startClient, topFrame, waitStopped } from "./harness";

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});
const dir = mkdtempSync(join(tmpdir(), "vmx-dap-opts-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function stdout(): () => string {
  let text = "";
  dc.on("output", (e: DebugProtocol.OutputEvent) => {
    if (e.body.category === "stdout") text += e.body.output;
  });
  return () => text;
}

async function stepped(kind: "next" | "stepIn" | "stepBack", granularity?: DebugProtocol.SteppingGranularity) {
  const s = waitStopped(dc);
  if (kind === "next") await dc.nextRequest({ threadId: 1, granularity });
  else if (kind === "stepIn") await dc.stepInRequest({ threadId: 1, granularity });
  else await dc.stepBackRequest({ threadId: 1, granularity });
  await s;
  return (await topFrame(dc)).line;
}

describe("launch options", () => {
  it("syntax: a NASM program in a file without a known extension assembles only with syntax nasm", async () => {
    const txt = join(dir, "loop.txt");
    copyFileSync(fixture("loop.asm"), txt);
    const out = stdout();
    const end = dc.waitForEvent("terminated");
    await launch(dc, { program: txt, syntax: "nasm" });
    await end;
    assert.equal(out(), "AAA");
    await dc.stop();
    dc = await startClient();
    assert.match(await expectError(launch(dc, { program: txt, syntax: "gas" })), /assembly failed/);
  });

  it("start protected32: 32-bit code runs, port 0xE9 and COM1 output reach the Debug Console, frames work", async () => {
    const program = fixture("modes32.asm");
    const out = stdout();
    const stopped = waitStopped(dc);
    await launch(dc, { program, start: "protected32" }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "com1" }] }),
    );
    assert.equal((await stopped).body.reason, "function breakpoint");
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepEqual(
      st.body.stackFrames.map((f) => [f.name, f.line]),
      [
        ["com1", 11],
        ["start+0x4", 7],
      ],
    );
    assert.match(await evaluate(dc, "cs.ar"), /0x/);
    const end = dc.waitForEvent("terminated");
    await dc.continueRequest({ threadId: 1 });
    await end;
    assert.equal(out(), "PU");
  });

  it("start real16: a boot-sector program at 0x7C00 with 16-bit registers", async () => {
    const program = fixture("real16.asm");
    const stopped = waitStopped(dc);
    await launch(dc, { program, start: "real16", stopOnEntry: true });
    await stopped;
    assert.equal((await topFrame(dc)).line, 5);
    assert.equal(await stepped("next"), 6);
    assert.equal(await evaluate(dc, "ax"), "0x1234");
    assert.equal(await stepped("next"), 7);
    assert.equal(await evaluate(dc, "ax"), "0x1252");
    const dis = await dc.customRequest("disassemble", { memoryReference: "0x7c00", instructionCount: 2 });
    assert.match(dis.body?.instructions[0]?.instruction ?? "", /mov\s+ax, ?0x1234/i);
  });
});

describe("launch options: machine", () => {
  it("cpuModel selects the processor: a model with VMX locked off makes the hypervisor report it", async () => {
    const out = stdout();
    const end = dc.waitForEvent("terminated");
    await launch(dc, { program: join(ROOT, "examples/hypervisor.asm"), cpuModel: "vmx-locked-off" });
    await end;
    assert.match(out(), /IA32_FEATURE_CONTROL is locked with VMX disabled/);
  });

  it("entry as an address, with breakOn from the launch configuration", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: fixture("idt.asm"), entry: "0x100000", breakOn: ["exception"] }, () =>
      dc.setExceptionBreakpointsRequest({ filters: [] }),
    );
    assert.equal((await stopped).body.reason, "exception");
    assert.equal((await dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId, "#UD (6)");
  });
});

describe("stepping granularity", () => {
  it("a macro invocation or `times` line is one line step, several instruction steps; step back by line too", async () => {
    const program = fixture("macro.asm");
    const stopped = waitStopped(dc);
    await launch(dc, { program, stopOnEntry: true });
    await stopped;
    assert.equal((await topFrame(dc)).line, 9);
    assert.equal(await stepped("next", "instruction"), 9);
    assert.equal(await stepped("next", "instruction"), 10);
    assert.equal(await stepped("next"), 11);
    assert.equal(await evaluate(dc, "al"), "0x59");
    assert.equal(await stepped("stepIn", "statement"), 12);
    assert.equal(await evaluate(dc, "rbx"), "0x0000000000000003");
    // Back by line: to the first instruction of `times 3 inc rbx`, then of `OUTCH 'Y'`.
    assert.equal(await stepped("stepBack", "line"), 11);
    assert.equal(await evaluate(dc, "rbx"), "0x0000000000000000");
    assert.equal(await stepped("stepBack"), 10);
    assert.equal(await evaluate(dc, "al"), "0x58");
    assert.equal(await stepped("stepBack", "instruction"), 9);
    assert.equal(await evaluate(dc, "al"), "0x58");
  });

  it("step over INT n runs the handler; step in enters it with an interrupt frame; step out returns", async () => {
    const program = fixture("int.asm");
    const stopped = waitStopped(dc);
    await launch(dc, { program }, () =>
      dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 18 }] }),
    );
    await stopped;
    assert.equal(await stepped("next"), 19);
    assert.equal(await evaluate(dc, "rbx"), "0x0000000000000001");
    assert.equal(await stepped("stepIn"), 25);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(
      frames.map((f) => [f.name.replace(/\+0x[0-9a-f]+/, ""), f.line]),
      [
        ["svc", 25],
        ["start [interrupt 0x30]", 19],
      ],
    );
    const out = waitStopped(dc);
    await dc.stepOutRequest({ threadId: 1 });
    await out;
    assert.equal((await topFrame(dc)).line, 20);
    assert.equal(await evaluate(dc, "rbx"), "0x0000000000000002");
    // Over an INT whose handler returns past the next instruction: the step ends where the IRET went.
    assert.equal(await stepped("next"), 22);
    assert.equal(await evaluate(dc, "rbx"), "0x0000000000000003");
  });

  it("a REP string instruction is one step, however many emulator steps it takes", async () => {
    const program = fixture("rep.asm");
    const stopped = waitStopped(dc);
    await launch(dc, { program }, () =>
      dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 8 }] }),
    );
    await stopped;
    assert.equal(await stepped("stepIn", "instruction"), 9);
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000000");
    assert.equal(await evaluate(dc, "byte [buf + 1999]"), "0x00");
    // And back over it in one step too.
    assert.equal(await stepped("stepBack", "instruction"), 8);
    assert.equal(await evaluate(dc, "rcx"), "0x00000000000007d0");
    // Its breakpoint fires once, not again at each restart: continue ends the program.
    const exited = dc.waitForEvent("exited");
    await dc.continueRequest({ threadId: 1 });
    await exited;
  });
});
