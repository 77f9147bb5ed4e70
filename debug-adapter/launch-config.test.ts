import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLaunchArguments, parseMemorySize } from "./launch-config";

describe("launch configuration", () => {
  it("fills defaults", () => {
    const { settings } = parseLaunchArguments({ program: "/a.asm" });
    assert.deepEqual(settings, {
      files: ["/a.asm"],
      start: "long64",
      stopOnEntry: false,
      breakOn: [],
      trace: false,
      includePaths: [],
      noDebug: false,
    });
  });

  it("accepts every documented attribute", () => {
    const { settings, error } = parseLaunchArguments({
      program: ["/a.s", "/b.s"],
      syntax: "gas",
      start: "real16",
      entry: " main ",
      cpuModel: "skylake-x",
      memory: "128M",
      stopOnEntry: true,
      breakOn: ["vmExit", "tripleFault"],
      maxInstructions: 1000,
      trace: true,
      includePaths: ["/inc"],
    });
    assert.equal(error, undefined);
    assert.equal(settings?.entry, "main");
    assert.equal(settings?.memoryBytes, 128 * 1024 * 1024);
    assert.deepEqual(settings?.breakOn, ["vmExit", "tripleFault"]);
  });

  it("rejects malformed attributes with a message naming them", () => {
    const bad: [unknown, RegExp][] = [
      [undefined, /object/],
      [{}, /'program'/],
      [{ program: [] }, /'program'/],
      [{ program: "/a", syntax: "masm" }, /'syntax'/],
      [{ program: "/a", start: "long32" }, /'start'/],
      [{ program: "/a", memory: -5 }, /'memory'/],
      [{ program: "/a", breakOn: ["everything"] }, /'breakOn'/],
      [{ program: "/a", maxInstructions: 1.5 }, /'maxInstructions'/],
      [{ program: "/a", trace: "yes" }, /'trace'/],
      [{ program: "/a", entry: "" }, /'entry'/],
    ];
    for (const [args, re] of bad) assert.match(parseLaunchArguments(args).error ?? "", re);
  });

  it("parses memory sizes", () => {
    assert.equal(parseMemorySize("64M"), 64 * 1024 * 1024);
    assert.equal(parseMemorySize("1G"), 1024 ** 3);
    assert.equal(parseMemorySize("512KiB"), 512 * 1024);
    assert.equal(parseMemorySize(4096), 4096);
    assert.equal(parseMemorySize("lots"), undefined);
    assert.equal(parseMemorySize(0), undefined);
  });
});
