// Loads extension/extension.ts with `vscode` resolved to the fake, for activation tests under node.
import Module from "node:module";
import { createFakeVscode, type FakeVscode } from "./fake-vscode";

// biome-ignore lint/suspicious/noExplicitAny: Module._load is internal and untyped.
const M = Module as any;

export function loadExtensionWithFake(): { fake: FakeVscode; ext: typeof import("../../../extension/extension") } {
  const fake = createFakeVscode();
  const original = M._load;
  M._load = function (request: string, ...rest: unknown[]) {
    if (request === "vscode") return fake.module;
    return original.call(this, request, ...rest);
  };
  try {
    // Fresh copies of the extension modules for each fake (they hold module-level state).
    for (const key of Object.keys(require.cache))
      if (key.includes("/extension/") && !key.includes("node_modules")) delete require.cache[key];
    const ext = require("../../../extension/extension") as typeof import("../../../extension/extension");
    return { fake, ext };
  } finally {
    M._load = original;
  }
}
