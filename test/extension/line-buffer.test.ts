import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { lineBuffered } from "../../extension/line-buffer";

test("two streams that split lines never mix inside a line", () => {
  const shown: string[] = [];
  const out = lineBuffered((s) => shown.push(s));
  const err = lineBuffered((s) => shown.push(s));
  out.push("VMXOFF: ok\nV");
  err.push("vmx: VM exit 12 (HLT)\n");
  out.push("M exits handled: 5\n");
  err.push("vmx run: halted");
  err.flush();
  out.flush();
  assert.equal(shown.join(""), "VMXOFF: ok\nvmx: VM exit 12 (HLT)\nVM exits handled: 5\nvmx run: halted");
});

test("a partial line (a prompt) shows after a quiet period", async () => {
  const shown: string[] = [];
  const s = lineBuffered((x) => shown.push(x), 10);
  s.push("login: ");
  assert.deepEqual(shown, []);
  await sleep(40);
  assert.deepEqual(shown, ["login: "]);
  s.push("ok\n");
  assert.deepEqual(shown, ["login: ", "ok\n"]);
});
