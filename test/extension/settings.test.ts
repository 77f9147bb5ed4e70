import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { affectsServer, readVmxSettings } from "../../extension/settings";
import { DEFAULT_VMX_SETTINGS } from "../../protocol/vmx-settings";

function getter(values: Record<string, unknown>) {
  return (key: string) => values[key];
}

describe("readVmxSettings", () => {
  test("passes valid settings through", () => {
    const s = readVmxSettings(
      getter({
        cpuModel: "some-model",
        syntax: "nasm",
        includePaths: ["/abs/inc"],
        "diagnostics.rules": { "vmx-unchecked-failure": "off", "vmcs-readonly-write": "error" },
        "completion.insert": "encoding",
        "inlayHints.enabled": false,
      }),
      ["/ws"],
    );
    assert.deepEqual(s, {
      cpuModel: "some-model",
      syntax: "nasm",
      includePaths: ["/abs/inc"],
      rules: { "vmx-unchecked-failure": "off", "vmcs-readonly-write": "error" },
      completionInsert: "encoding",
      inlayHints: false,
    });
  });
  test("missing settings give the defaults", () => {
    assert.deepEqual(readVmxSettings(getter({}), []), DEFAULT_VMX_SETTINGS);
  });
  test("invalid values fall back instead of reaching the server", () => {
    const s = readVmxSettings(
      getter({ cpuModel: 5, syntax: "masm", includePaths: "inc", "diagnostics.rules": { a: "fatal", b: "hint" } }),
      [],
    );
    assert.equal(s.cpuModel, DEFAULT_VMX_SETTINGS.cpuModel);
    assert.equal(s.syntax, "auto");
    assert.deepEqual(s.includePaths, []);
    assert.deepEqual(s.rules, { b: "hint" });
  });
  test("relative include paths resolve against the first workspace folder", () => {
    const s = readVmxSettings(getter({ includePaths: ["include", "/abs"] }), ["/ws", "/other"]);
    assert.deepEqual(s.includePaths, ["/ws/include", "/abs"]);
  });
});

describe("affectsServer", () => {
  test("is true for server settings and false for others", () => {
    assert.equal(
      affectsServer((s) => s === "vmx.cpuModel"),
      true,
    );
    assert.equal(
      affectsServer((s) => s === "vmx.diagnostics.rules"),
      true,
    );
    assert.equal(
      affectsServer((s) => s === "editor.fontSize"),
      false,
    );
  });
});
