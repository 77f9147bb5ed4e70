import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkProgramsExist,
  resolveLaunchConfiguration,
  validateLaunchArguments,
} from "../../extension/debug-configuration";

const defaults = { cpuModel: "skylake-x", syntax: "auto" as const, includePaths: ["/ws/inc"] };
const asm = { path: "/ws/hv.asm", languageId: "vmx-nasm" };

describe("F5 with no launch.json", () => {
  test("launches the active assembly file with the settings' defaults", () => {
    const r = resolveLaunchConfiguration({}, asm, defaults);
    assert.ok("config" in r);
    assert.equal(r.config.type, "vmx");
    assert.equal(r.config.request, "launch");
    assert.equal(r.config.program, "/ws/hv.asm");
    assert.equal(r.config.name, "Debug hv.asm");
    assert.equal(r.config.cpuModel, "skylake-x");
    assert.deepEqual(r.config.includePaths, ["/ws/inc"]);
  });
  test("with a non-assembly file active it explains what to do", () => {
    const r = resolveLaunchConfiguration({}, { path: "/ws/a.ts", languageId: "typescript" }, defaults);
    assert.ok("error" in r);
    assert.match(r.error, /\.asm/);
  });
  test("with no editor open it explains what to do", () => {
    assert.ok("error" in resolveLaunchConfiguration({}, undefined, defaults));
  });
});

describe("configurations from launch.json", () => {
  test("a missing program is the active file; explicit settings win over defaults", () => {
    const r = resolveLaunchConfiguration(
      { type: "vmx", request: "launch", name: "x", cpuModel: "other" },
      { path: "/ws/g.s", languageId: "vmx-gas" },
      defaults,
    );
    assert.ok("config" in r);
    assert.equal(r.config.program, "/ws/g.s");
    assert.equal(r.config.cpuModel, "other");
  });
  test("attach is rejected", () => {
    const r = resolveLaunchConfiguration({ type: "vmx", request: "attach", name: "x" }, asm, defaults);
    assert.ok("error" in r);
    assert.match(r.error, /launch/);
  });
  test("several programs are accepted", () => {
    const r = resolveLaunchConfiguration(
      { type: "vmx", request: "launch", name: "x", program: ["/a.s", "/b.s"] },
      undefined,
      defaults,
    );
    assert.ok("config" in r);
    assert.deepEqual(r.config.program, ["/a.s", "/b.s"]);
  });
});

describe("validateLaunchArguments", () => {
  test("names the first invalid attribute", () => {
    assert.match(validateLaunchArguments({ program: [] }) ?? "", /program/);
    assert.match(validateLaunchArguments({ program: "a.s", start: "long32" }) ?? "", /start/);
    assert.match(validateLaunchArguments({ program: "a.s", breakOn: ["vmExit", "bogus"] }) ?? "", /bogus/);
    assert.match(validateLaunchArguments({ program: "a.s", maxInstructions: -3 }) ?? "", /maxInstructions/);
    assert.match(validateLaunchArguments({ program: "a.s", memory: "lots" }) ?? "", /memory/);
    assert.match(validateLaunchArguments({ program: "a.s", stopOnEntry: "yes" }) ?? "", /stopOnEntry/);
  });
  test("accepts a full valid configuration", () => {
    assert.equal(
      validateLaunchArguments({
        program: "a.s",
        syntax: "gas",
        start: "protected32",
        entry: "_start",
        memory: "64M",
        breakOn: ["vmEntryFailure", "tripleFault"],
        maxInstructions: 1000,
        trace: true,
        stopOnEntry: false,
      }),
      undefined,
    );
  });
});

test("checkProgramsExist names the missing file", () => {
  const cfg = { type: "vmx", request: "launch", name: "x", program: ["/a.s", "/missing.s"] };
  assert.match(checkProgramsExist(cfg, (p) => p === "/a.s") ?? "", /missing\.s/);
  assert.equal(
    checkProgramsExist(cfg, () => true),
    undefined,
  );
});
