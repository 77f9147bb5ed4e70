// Protocol tests: error responses of expressions and values are shown where they happened (the REPL, a hover,
// the Watch view), never as message boxes: showUser is false; launch failures are for the user.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { fixture, launch, rawRequest, startClient, waitStopped } from "./harness";

const NASM = fixture("loop.asm");

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

function inline(r: DebugProtocol.Response, message: RegExp): void {
  assert.equal(r.success, false);
  assert.match(r.message ?? "", message);
  const error = (r.body as { error?: DebugProtocol.Message } | undefined)?.error;
  assert.ok(error, "an error message in the body");
  assert.equal(error.showUser, false);
  assert.match(error.format, message);
}

async function stopped(): Promise<number> {
  const s = waitStopped(dc);
  await launch(dc, { program: NASM, stopOnEntry: true });
  await s;
  const scopes = await dc.scopesRequest({ frameId: 1 });
  return (scopes.body.scopes[0] as DebugProtocol.Scope).variablesReference;
}

describe("error responses", () => {
  it("evaluate errors in the REPL, hover and Watch are inline (showUser false) with the reason", async () => {
    await stopped();
    for (const context of ["repl", "hover", "watch"])
      inline(
        await rawRequest(dc, "evaluate", { expression: "no_such_label + 1", context, frameId: 1 }),
        /no_such_label/,
      );
    inline(await rawRequest(dc, "evaluate", { expression: "rax +", context: "repl" }), /./);
    inline(await rawRequest(dc, "evaluate", { expression: "{rax}", context: "repl" }), /\{/);
    inline(await rawRequest(dc, "evaluate", { expression: "5 = 3", context: "repl" }), /cannot be assigned/);
  });

  it("setVariable, setExpression and variables errors are inline too", async () => {
    const general = await stopped();
    await dc.variablesRequest({ variablesReference: general });
    inline(await rawRequest(dc, "setVariable", { variablesReference: general, name: "rcx", value: "nope)" }), /./);
    inline(await rawRequest(dc, "setVariable", { variablesReference: general, name: "xyz", value: "1" }), /xyz/);
    inline(await rawRequest(dc, "setExpression", { expression: "1 + 2", value: "3" }), /cannot be assigned/);
    inline(await rawRequest(dc, "setExpression", { expression: "rcx", value: "undefined_sym" }), /undefined_sym/);
    inline(await rawRequest(dc, "variables", { variablesReference: 987654 }), /variablesReference/);
  });

  it("a failed launch is for the user (showUser true)", async () => {
    await dc.initializeRequest({ adapterID: "vmx", pathFormat: "path" });
    const r = await rawRequest(dc, "launch", { program: fixture("broken.asm") });
    assert.equal(r.success, false);
    assert.equal((r.body as { error?: DebugProtocol.Message }).error?.showUser, true);
  });
});
