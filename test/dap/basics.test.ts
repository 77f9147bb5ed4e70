// Protocol tests of the debug adapter on plain x86-64 programs (both dialects): launch, output, breakpoints,
// stepping, state, memory, disassembly, time travel, pause, crashes.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { evaluate, expectError, fixture, launch, startClient, topFrame, waitStopped } from "./harness";

const NASM = fixture("loop.asm");
const GAS = fixture("loop.s");

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

function collectOutput(client: DebugClient, category = "stdout"): () => string {
  let text = "";
  client.on("output", (e: DebugProtocol.OutputEvent) => {
    if (e.body.category === category) text += e.body.output;
  });
  return () => text;
}

describe("launch", () => {
  it("runs a NASM program to its end and sends port 0xE9 output to the Debug Console", async () => {
    const out = collectOutput(dc);
    const terminated = dc.waitForEvent("terminated");
    await launch(dc, { program: NASM });
    await terminated;
    assert.equal(out(), "AAA");
  });

  it("ends with the triple fault's explanation when the filter is off", async () => {
    const errors = collectOutput(dc, "stderr");
    const exited = dc.waitForEvent("exited");
    await launch(dc, { program: fixture("triple.asm") });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 1);
    assert.match(errors(), /triple fault/);
  });

  it("ends with an explanation when the program raises INIT outside VMX operation", async () => {
    const errors = collectOutput(dc, "stderr");
    const exited = dc.waitForEvent("exited");
    await launch(dc, { program: fixture("init.asm") });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 1);
    assert.match(errors(), /INIT at 0x100006: INIT signal \(port 92h bit 0\)/);
  });

  it("runs a GAS program to its end", async () => {
    const out = collectOutput(dc);
    const terminated = dc.waitForEvent("terminated");
    await launch(dc, { program: GAS });
    await terminated;
    assert.equal(out(), "BBB");
  });

  it("stops on entry at the entry label's first instruction", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM, stopOnEntry: true });
    assert.equal((await stopped).body.reason, "entry");
    const f = await topFrame(dc);
    assert.equal(f.line, 6);
    assert.equal(f.source?.path, NASM);
  });

  it("ends the launch on assembly errors with the diagnostics, running nothing", async () => {
    const errors = collectOutput(dc, "stderr");
    const msg = await expectError(launch(dc, { program: fixture("broken.asm") }));
    assert.match(msg, /assembly failed with 1 error/);
    assert.match(errors(), /broken\.asm:5:\d+: error:/);
  });

  it("rejects malformed launch arguments with an error response", async () => {
    await dc.initializeRequest({ adapterID: "vmx", pathFormat: "path" });
    assert.match(
      await expectError(dc.launchRequest({ program: 42 } as unknown as DebugProtocol.LaunchRequestArguments)),
      /'program'/,
    );
  });

  it("rejects an unknown CPU model", async () => {
    await dc.initializeRequest({ adapterID: "vmx", pathFormat: "path" });
    assert.match(
      await expectError(
        dc.launchRequest({ program: NASM, cpuModel: "pentium-pro" } as DebugProtocol.LaunchRequestArguments),
      ),
      /unknown CPU model/,
    );
  });
});

describe("breakpoints", () => {
  it("hits a source breakpoint in NASM and reports it verified on its line", async () => {
    const stopped = waitStopped(dc);
    let bp: DebugProtocol.SetBreakpointsResponse | undefined;
    await launch(dc, { program: NASM }, async () => {
      bp = await dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 11 }] });
    });
    assert.equal(bp?.body.breakpoints[0]?.verified, true);
    assert.equal(bp?.body.breakpoints[0]?.line, 11);
    const ev = await stopped;
    assert.equal(ev.body.reason, "breakpoint");
    assert.equal((await topFrame(dc)).line, 11);
  });

  it("hits a source breakpoint in GAS", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: GAS }, () =>
      dc.setBreakpointsRequest({ source: { path: GAS }, breakpoints: [{ line: 19 }] }),
    );
    await stopped;
    const f = await topFrame(dc);
    assert.equal(f.line, 19);
    assert.equal(f.source?.path, GAS);
  });

  it("moves a breakpoint on a comment to the next instruction; past the end it stays unverified", async () => {
    let bp: DebugProtocol.SetBreakpointsResponse | undefined;
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM }, async () => {
      bp = await dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 17 }, { line: 40 }] });
    });
    assert.equal(bp?.body.breakpoints[0]?.verified, true);
    assert.equal(bp?.body.breakpoints[0]?.line, 19);
    assert.equal(bp?.body.breakpoints[1]?.verified, false);
    await stopped;
    assert.equal((await topFrame(dc)).line, 19);
  });

  it("stops on a conditional breakpoint only when the condition holds", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM }, () =>
      dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 11, condition: "rcx == 1" }] }),
    );
    await stopped;
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000001");
  });

  it("honours a hit count", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM }, () =>
      dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 11, hitCondition: "2" }] }),
    );
    await stopped;
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000002");
  });

  it("logpoints print with interpolated expressions and do not stop", async () => {
    const log = collectOutput(dc, "console");
    const terminated = dc.waitForEvent("terminated");
    await launch(dc, { program: NASM }, () =>
      dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 11, logMessage: "rcx={rcx}" }] }),
    );
    await terminated;
    assert.match(log(), /rcx=0x3\nrcx=0x2\nrcx=0x1\n/);
  });

  it("function breakpoints stop at a label; unknown labels are unverified", async () => {
    let res: DebugProtocol.SetFunctionBreakpointsResponse | undefined;
    const stopped = waitStopped(dc);
    await launch(dc, { program: GAS }, async () => {
      res = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "bump" }, { name: "nope" }] });
    });
    assert.equal(res?.body.breakpoints[0]?.verified, true);
    assert.equal(res?.body.breakpoints[1]?.verified, false);
    assert.equal((await stopped).body.reason, "function breakpoint");
    assert.equal((await topFrame(dc)).line, 19);
  });

  it("instruction breakpoints stop at an address", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM, stopOnEntry: true });
    await stopped;
    const addr = await evaluate(dc, "bump");
    const r = await dc.customRequest("setInstructionBreakpoints", { breakpoints: [{ instructionReference: addr }] });
    assert.equal(r.body.breakpoints[0].verified, true);
    const next = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await next).body.reason, "instruction breakpoint");
    assert.equal((await topFrame(dc)).line, 19);
  });

  it("data breakpoint on memory stops after the instruction that changed it", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM, stopOnEntry: true });
    await stopped;
    const info = await dc.dataBreakpointInfoRequest({ name: "qword [counter]" });
    assert.ok(info.body.dataId);
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId as string }] });
    assert.equal(set.body.breakpoints[0]?.verified, true);
    const next = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await next).body.reason, "data breakpoint");
    assert.equal((await topFrame(dc)).line, 20);
    assert.equal(await evaluate(dc, "qword [counter]"), "0x0000000000000001");
  });
});

describe("stepping and state", () => {
  async function stopAtCall(): Promise<void> {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM }, () =>
      dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 11 }] }),
    );
    await stopped;
  }

  async function step(kind: "next" | "stepIn" | "stepOut" | "stepBack"): Promise<DebugProtocol.StackFrame> {
    const stopped = waitStopped(dc);
    if (kind === "next") await dc.nextRequest({ threadId: 1 });
    else if (kind === "stepIn") await dc.stepInRequest({ threadId: 1 });
    else if (kind === "stepOut") await dc.stepOutRequest({ threadId: 1 });
    else await dc.stepBackRequest({ threadId: 1 });
    await stopped;
    return topFrame(dc);
  }

  it("step over a CALL lands on the next line, step in enters the function, step out returns", async () => {
    await stopAtCall();
    assert.equal((await step("next")).line, 12);
    await dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [] });
    const b = waitStopped(dc);
    await dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 11 }] });
    await dc.continueRequest({ threadId: 1 });
    await b;
    assert.equal((await step("stepIn")).line, 19);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepEqual(
      st.body.stackFrames.map((f) => f.line),
      [19, 11],
    );
    assert.match(st.body.stackFrames[0]?.name ?? "", /bump/);
    assert.equal((await step("stepOut")).line, 12);
  });

  it("steps back and reverse-continues to the previous breakpoint hit", async () => {
    await stopAtCall();
    assert.equal((await step("stepIn")).line, 19);
    assert.equal((await step("stepBack")).line, 11);
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000003");
    const again = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    await again;
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000002");
    const back = waitStopped(dc);
    await dc.reverseContinueRequest({ threadId: 1 });
    await back;
    assert.equal((await topFrame(dc)).line, 11);
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000003");
  });

  it("shows register scopes with decoded RFLAGS, and setVariable writes a register", async () => {
    await stopAtCall();
    const scopes = await dc.scopesRequest({ frameId: 1 });
    const names = scopes.body.scopes.map((s) => s.name);
    assert.deepEqual(names, [
      "General registers",
      "Segment registers",
      "Control and debug registers",
      "MSRs",
      "VMX",
      "VMCS",
      "Devices",
    ]);
    const general = scopes.body.scopes[0] as DebugProtocol.Scope;
    const vars = await dc.variablesRequest({ variablesReference: general.variablesReference });
    const rcx = vars.body.variables.find((v) => v.name === "rcx");
    assert.equal(rcx?.value, "0x0000000000000003");
    const rflags = vars.body.variables.find((v) => v.name === "rflags");
    assert.ok(rflags && rflags.variablesReference > 0);
    await dc.setVariableRequest({ variablesReference: general.variablesReference, name: "rflags", value: "0x203" });
    const again = await dc.variablesRequest({ variablesReference: general.variablesReference });
    const rflags2 = again.body.variables.find((v) => v.name === "rflags");
    const bits = await dc.variablesRequest({ variablesReference: rflags2?.variablesReference ?? 0 });
    assert.deepEqual(
      bits.body.variables.map((v) => v.name).filter((n) => /CF|IF/.test(n)),
      ["[0] CF", "[9] IF"],
    );
    const set = await dc.setVariableRequest({
      variablesReference: general.variablesReference,
      name: "rcx",
      value: "0x10",
    });
    assert.equal(set.body.value, "0x0000000000000010");
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000010");
    const dec = await dc.variablesRequest({ variablesReference: general.variablesReference, format: { hex: false } });
    assert.equal(dec.body.variables.find((v) => v.name === "rcx")?.value, "16");
  });

  it("marks registers that changed since the last stop", async () => {
    await stopAtCall();
    const scopes = await dc.scopesRequest({ frameId: 1 });
    const ref = (scopes.body.scopes[0] as DebugProtocol.Scope).variablesReference;
    await dc.variablesRequest({ variablesReference: ref });
    await step("stepIn");
    const s2 = await dc.scopesRequest({ frameId: 1 });
    const vars = await dc.variablesRequest({
      variablesReference: (s2.body.scopes[0] as DebugProtocol.Scope).variablesReference,
    });
    const changed = vars.body.variables
      .filter((v) => v.presentationHint?.attributes?.includes("changed" as never))
      .map((v) => v.name);
    assert.ok(changed.includes("rsp"), `changed: ${changed}`);
    assert.ok(changed.includes("rip"));
    assert.ok(!changed.includes("rcx"));
  });

  it("evaluates registers, symbols, memory and arithmetic; assigns in the Debug Console", async () => {
    await stopAtCall();
    assert.equal(await evaluate(dc, "rcx + 1"), "0x0000000000000004");
    assert.equal(await evaluate(dc, "ecx"), "0x00000003");
    assert.equal(await evaluate(dc, "cl,d"), "3");
    const counter = BigInt(await evaluate(dc, "counter"));
    assert.equal(BigInt(await evaluate(dc, "bump")) < counter, true);
    assert.equal(await evaluate(dc, "qword [counter]"), "0x0000000000000000");
    assert.match(await evaluate(dc, "rax = 0x1234", "repl"), /rax = 0x0+1234/);
    assert.equal(await evaluate(dc, "rax"), "0x0000000000001234");
    const set = await dc.customRequest("setExpression", { expression: "qword [counter]", value: "rcx * 2" });
    assert.equal(set.body.value, "0x0000000000000006");
    assert.match(
      await expectError(dc.evaluateRequest({ expression: "nosuchname + 1", context: "watch" })),
      /unknown name/,
    );
    assert.match(
      await expectError(dc.evaluateRequest({ expression: "(1 +", context: "watch" })),
      /expected|expression/,
    );
  });

  it("offers completions for registers, labels and VMCS field names", async () => {
    await stopAtCall();
    const c = await dc.completionsRequest({ text: "bu", column: 3 });
    assert.ok(c.body.targets.some((t) => t.label === "bump"));
    const v = await dc.completionsRequest({ text: "GUEST_CR", column: 9 });
    assert.ok(v.body.targets.some((t) => t.label === "GUEST_CR0"));
  });

  it("reads and writes memory", async () => {
    await stopAtCall();
    const addr = await evaluate(dc, "counter");
    const w = await dc.customRequest("writeMemory", {
      memoryReference: addr,
      data: Buffer.from([1, 2, 3, 4]).toString("base64"),
    });
    assert.equal(w.body.bytesWritten, 4);
    const r = await dc.customRequest("readMemory", { memoryReference: addr, count: 8 });
    assert.deepEqual([...Buffer.from(r.body.data, "base64")], [1, 2, 3, 4, 0, 0, 0, 0]);
    assert.equal(await evaluate(dc, "dword [counter]"), "0x04030201");
  });

  it("disassembles around the current instruction with source locations", async () => {
    await stopAtCall();
    const f = await topFrame(dc);
    const d = await dc.customRequest("disassemble", {
      memoryReference: f.instructionPointerReference,
      instructionOffset: -2,
      instructionCount: 5,
    });
    const insns = d.body.instructions as DebugProtocol.DisassembledInstruction[];
    assert.equal(insns.length, 5);
    assert.equal(insns[2]?.address, f.instructionPointerReference);
    assert.match(insns[2]?.instruction ?? "", /^call 0x10[0-9a-f]+$/);
    assert.equal(insns[2]?.instructionBytes?.split(" ")[0], "e8");
    assert.equal(insns[2]?.line, 11);
    assert.equal(insns[1]?.instruction, "out dx, al");
    assert.equal(insns[1]?.line, 10);
  });
});

describe("run control and robustness", () => {
  it("pauses an endless loop", async () => {
    await launch(dc, { program: fixture("spin.asm") });
    await new Promise((r) => setTimeout(r, 150));
    const stopped = waitStopped(dc);
    await dc.pauseRequest({ threadId: 1 });
    assert.equal((await stopped).body.reason, "pause");
    const f = await topFrame(dc);
    assert.ok(f.line === 7 || f.line === 8);
    // Still serves requests and resumes.
    await dc.continueRequest({ threadId: 1 });
    const again = waitStopped(dc);
    await dc.pauseRequest({ threadId: 1 });
    await again;
  });

  it("stops when maxInstructions is used up, then ends", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: fixture("spin.asm"), maxInstructions: 1000 });
    assert.equal((await stopped).body.reason, "exception");
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.description ?? "", /budget/);
    const terminated = dc.waitForEvent("terminated");
    await dc.continueRequest({ threadId: 1 });
    await terminated;
  });

  it("stops on a triple fault with an explanation, and ends on continue", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: fixture("triple.asm") }, () =>
      dc.setExceptionBreakpointsRequest({ filters: ["tripleFault"] }),
    );
    assert.equal((await stopped).body.reason, "exception");
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.description ?? "", /triple fault/);
    const terminated = dc.waitForEvent("terminated");
    await dc.continueRequest({ threadId: 1 });
    await terminated;
  });

  it("answers unknown requests, bad arguments and requests after the end with errors, and stays alive", async () => {
    assert.match(await expectError(dc.customRequest("frobnicate", {})), /unknown request|unrecognized/);
    assert.match(await expectError(dc.stackTraceRequest({ threadId: 1 })), /launch first|no program/);
    const terminated = dc.waitForEvent("terminated");
    await launch(dc, { program: NASM });
    await terminated;
    assert.match(await expectError(dc.continueRequest({ threadId: 1 })), /ended/);
    assert.match(await expectError(dc.stackTraceRequest({ threadId: 1 })), /ended/);
    assert.match(await expectError(dc.customRequest("readMemory", { memoryReference: 7 })), /.+/);
    assert.match(await expectError(dc.customRequest("setBreakpoints", { source: 3 })), /source/);
    const threads = await dc.threadsRequest();
    assert.equal(threads.body.threads.length, 1);
  });
});

describe("launch configuration", () => {
  it("links several files: breakpoints in the second file, frames in the first", async () => {
    const main = fixture("main2.asm");
    const helper = fixture("helper.inc");
    const stopped = waitStopped(dc);
    await launch(dc, { program: [main, helper] }, () =>
      dc.setBreakpointsRequest({ source: { path: helper }, breakpoints: [{ line: 3 }] }),
    );
    await stopped;
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepEqual(
      st.body.stackFrames.map((f) => [f.source?.path, f.line]),
      [
        [helper, 3],
        [main, 6],
      ],
    );
  });

  it("starts at the entry label given in the configuration", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM, entry: "bump", stopOnEntry: true });
    await stopped;
    assert.equal((await topFrame(dc)).line, 19);
  });

  it("restarts from the beginning, keeping breakpoints", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM }, () =>
      dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 12 }] }),
    );
    await stopped;
    const stepped = waitStopped(dc);
    await dc.nextRequest({ threadId: 1 });
    await stepped;
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000002");
    const again = waitStopped(dc);
    await dc.customRequest("restart", {});
    await again;
    assert.equal((await topFrame(dc)).line, 12);
    assert.equal(await evaluate(dc, "rcx"), "0x0000000000000003");
  });

  it("breaks on an unhandled CPU exception matching the filter's condition", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: fixture("gp.asm") }, () =>
      dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: "exception", condition: "vector == 13" }],
      }),
    );
    assert.equal((await stopped).body.reason, "exception");
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.match(info.body.description ?? "", /#GP \(13\)/);
  });

  it("ends without stopping when the exception does not match the condition", async () => {
    const exited = dc.waitForEvent("exited");
    await launch(dc, { program: fixture("gp.asm") }, () =>
      dc.setExceptionBreakpointsRequest({
        filters: [],
        filterOptions: [{ filterId: "exception", condition: "vector == 14" }],
      }),
    );
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 1);
  });
});

describe("launch configuration: machine", () => {
  it("honours the memory size: beyond RAM reads all-ones", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM, memory: "16M", stopOnEntry: true });
    await stopped;
    assert.equal(await evaluate(dc, "qword [0x1000000]"), "0xffffffffffffffff");
    assert.equal(await evaluate(dc, "qword [0xff0000]"), "0x0000000000000000");
  });

  it("rejects a malformed memory size", async () => {
    await dc.initializeRequest({ adapterID: "vmx", pathFormat: "path" });
    assert.match(
      await expectError(dc.launchRequest({ program: NASM, memory: "lots" } as DebugProtocol.LaunchRequestArguments)),
      /'memory'/,
    );
  });
});

describe("robustness", () => {
  const COMMANDS = [
    "setBreakpoints",
    "setFunctionBreakpoints",
    "setInstructionBreakpoints",
    "setExceptionBreakpoints",
    "dataBreakpointInfo",
    "setDataBreakpoints",
    "breakpointLocations",
    "continue",
    "next",
    "stepIn",
    "stepOut",
    "stepBack",
    "reverseContinue",
    "pause",
    "stackTrace",
    "scopes",
    "variables",
    "setVariable",
    "evaluate",
    "setExpression",
    "completions",
    "exceptionInfo",
    "readMemory",
    "writeMemory",
    "disassemble",
    "vmx/state",
    "vmx/exitHistory",
    "vmx/writeField",
    "vmx/goToExit",
    "vmx/fieldBreakpoint",
  ];
  const GARBAGE: unknown[] = [
    null,
    42,
    "text",
    [],
    {
      source: null,
      breakpoints: 7,
      expression: {},
      memoryReference: [],
      count: -1,
      variablesReference: "x",
      instructionCount: 1e12,
      field: 3,
      value: null,
      dataId: 5,
      filters: "all",
      instructionReference: {},
      text: 5,
      column: "a",
    },
  ];

  it("answers every request with garbage arguments, stopped or not, and keeps serving", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM, stopOnEntry: true });
    await stopped;
    let answered = 0;
    for (const command of COMMANDS) {
      for (const args of GARBAGE) {
        // Every request gets a response (success or error); none may take the adapter down.
        await dc.send(command, args).then(
          () => answered++,
          () => answered++,
        );
      }
    }
    assert.equal(answered, COMMANDS.length * GARBAGE.length);
    const threads = await dc.threadsRequest();
    assert.equal(threads.body.threads.length, 1);
  });

  it("keeps a running program answerable while garbage arrives", async () => {
    await launch(dc, { program: fixture("spin.asm") });
    for (const command of ["stackTrace", "variables", "evaluate", "readMemory", "vmx/state"])
      assert.match(
        await expectError(
          dc.send(command, { threadId: 1, expression: "rax", variablesReference: 1, memoryReference: "0", count: 4 }),
        ),
        /running/,
      );
    const stopped = waitStopped(dc);
    await dc.pauseRequest({ threadId: 1 });
    await stopped;
    assert.match(await evaluate(dc, "1 + 1"), /0x0+2/);
  });
});

describe("run without debugging", () => {
  it("ignores breakpoints and exception filters with noDebug", async () => {
    const out = collectOutput(dc);
    const exited = dc.waitForEvent("exited");
    await launch(dc, { program: NASM, noDebug: true, breakOn: ["exception"] }, () =>
      dc.setBreakpointsRequest({ source: { path: NASM }, breakpoints: [{ line: 11 }] }),
    );
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
    assert.equal(out(), "AAA");
  });
});

describe("VMX requests without VMX", () => {
  it("vmx/state reports VMX off and no fields; the history is empty", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM, stopOnEntry: true });
    await stopped;
    const st = await dc.customRequest("vmx/state", {});
    assert.equal(st.body.mode, "off");
    assert.deepEqual(st.body.fields, []);
    assert.equal(st.body.currentVmcs, undefined);
    const h = await dc.customRequest("vmx/exitHistory", { limit: 5 });
    assert.deepEqual(h.body, { exits: [], total: 0 });
    assert.match(
      await expectError(dc.customRequest("vmx/writeField", { field: "GUEST_RIP", value: "1" })),
      /no current VMCS/,
    );
    const vmcs = (await dc.scopesRequest({ frameId: 1 })).body.scopes.find((s) => s.name === "VMCS");
    const vars = await dc.variablesRequest({ variablesReference: vmcs?.variablesReference ?? 0 });
    assert.equal(vars.body.variables[0]?.name, "(no current VMCS)");
  });
});

describe("jump to cursor", () => {
  it("gotoTargets + goto make a line's instruction the next one", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: NASM, stopOnEntry: true });
    await stopped;
    const t = (await dc.customRequest("gotoTargets", {
      source: { path: NASM },
      line: 14,
    })) as DebugProtocol.GotoTargetsResponse;
    assert.equal(t.body.targets.length, 1);
    const jumped = waitStopped(dc);
    await dc.gotoRequest({ threadId: 1, targetId: t.body.targets[0]?.id ?? -1 });
    assert.equal((await jumped).body.reason, "goto");
    assert.equal((await topFrame(dc)).line, 14);
    const end = dc.waitForEvent("exited");
    await dc.continueRequest({ threadId: 1 });
    await end;
  });
});
