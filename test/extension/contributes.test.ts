// extension/contributes.json (the package.json fragment the lead merges) is generated, complete and
// consistent: every referenced command, view, file and setting exists.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { COMMANDS, VIEWS } from "../../extension/command-ids";
import { launchVariable } from "../../extension/debug-configuration";
import { CONTRIBUTES_PATH, generateContributesText, loadManifestInputs } from "../../extension/manifest/generate";

const root = join(__dirname, "..", "..");
// biome-ignore lint/suspicious/noExplicitAny: the manifest is untyped JSON; the tests check its shape.
const manifest: any = JSON.parse(readFileSync(CONTRIBUTES_PATH, "utf8"));
const c = manifest.contributes;

test("checked-in contributes.json equals a fresh generation (run `npx tsx extension/manifest/generate.ts` if not)", async () => {
  assert.equal(readFileSync(CONTRIBUTES_PATH, "utf8"), await generateContributesText());
});

describe("languages, grammars, snippets, breakpoints", () => {
  test("both languages with their extensions and an existing configuration file", () => {
    const ids = c.languages.map((l: { id: string }) => l.id);
    assert.deepEqual(ids, ["vmx-gas", "vmx-nasm"]);
    for (const l of c.languages) assert.ok(existsSync(join(root, l.configuration)), l.configuration);
    assert.deepEqual(c.languages[0].extensions, [".s", ".S"]);
    assert.deepEqual(c.languages[1].extensions, [".asm", ".nasm", ".inc"]);
  });
  test("grammar and snippet files exist and each grammar's scopeName matches", () => {
    for (const g of c.grammars) {
      const grammar = JSON.parse(readFileSync(join(root, g.path), "utf8"));
      assert.equal(grammar.scopeName, g.scopeName);
    }
    for (const s of c.snippets) assert.ok(existsSync(join(root, s.path)), s.path);
  });
  test("breakpoints are allowed in both languages", () => {
    assert.deepEqual(
      c.breakpoints.map((b: { language: string }) => b.language),
      ["vmx-gas", "vmx-nasm"],
    );
  });
});

describe("commands and menus", () => {
  const declared = new Set(c.commands.map((x: { command: string }) => x.command));
  test("every command of the table is declared once", () => {
    for (const cmd of Object.values(COMMANDS)) assert.ok(declared.has(cmd.id), cmd.id);
    assert.equal(declared.size, c.commands.length);
  });
  test("the five commands of the issue are in the palette under VMX", () => {
    const titles = c.commands
      .filter((x: { category?: string }) => x.category === "VMX")
      .map((x: { title: string }) => x.title);
    for (const t of [
      "Decode VMCS Field Encoding…",
      "Decode MSR…",
      "Select CPU Model",
      "Run File in Emulator",
      "Explain Last VM-Entry Failure",
    ])
      assert.ok(titles.includes(t), t);
  });
  test("every menu entry names a declared command", () => {
    for (const [menu, entries] of Object.entries(c.menus)) {
      for (const e of entries as { command: string }[]) assert.ok(declared.has(e.command), `${menu}: ${e.command}`);
    }
  });
  test("tree-item commands are hidden from the palette", () => {
    const hidden = new Set(
      c.menus.commandPalette
        .filter((e: { when: string }) => e.when === "false")
        .map((e: { command: string }) => e.command),
    );
    assert.ok(hidden.has(COMMANDS.vmcsCopyValue.id));
    assert.ok(hidden.has(COMMANDS.exitHistoryGoTo.id));
    assert.ok(!hidden.has(COMMANDS.decodeMsr.id));
  });
  test("running code is disabled in untrusted workspaces", () => {
    const run = c.commands.find((x: { command: string }) => x.command === COMMANDS.runFile.id);
    assert.equal(run.enablement, "isWorkspaceTrusted");
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, "limited");
  });
});

describe("views and walkthrough", () => {
  test("the VMCS and VM-exit history views are in the Run and Debug side bar with welcome text", () => {
    const ids = c.views.debug.map((v: { id: string }) => v.id);
    assert.deepEqual(ids, [VIEWS.vmcs, VIEWS.exitHistory]);
    const welcomed = new Set(c.viewsWelcome.map((w: { view: string }) => w.view));
    assert.deepEqual([...welcomed], ids);
  });
  test("walkthrough media files exist", () => {
    for (const w of c.walkthroughs) {
      for (const s of w.steps) assert.ok(existsSync(join(root, s.media.markdown)), s.media.markdown);
    }
  });
});

describe("debugger", () => {
  const d = c.debuggers[0];
  test("type vmx for both languages, launch requires program", () => {
    assert.equal(d.type, "vmx");
    assert.deepEqual(d.languages, ["vmx-gas", "vmx-nasm"]);
    assert.deepEqual(d.configurationAttributes.launch.required, ["program"]);
  });
  test("every launch attribute has a description", () => {
    for (const [k, v] of Object.entries(d.configurationAttributes.launch.properties)) {
      assert.ok((v as { description?: string }).description, k);
    }
  });
  test("initial configuration debugs the current file", () => {
    assert.equal(d.initialConfigurations[0].program, launchVariable("file"));
  });
});

describe("settings", () => {
  const props = c.configuration.properties;
  test("the settings the language server reads are all contributed", () => {
    for (const k of ["vmx.cpuModel", "vmx.syntax", "vmx.includePaths", "vmx.diagnostics.rules"]) assert.ok(props[k], k);
  });
  test("vmx.cpuModel lists exactly arch's CPU models when arch has them", async () => {
    const inputs = await loadManifestInputs();
    assert.equal(props["vmx.cpuModel"].default, inputs.defaultCpuModel);
    if (inputs.cpuModels.length > 0) {
      assert.deepEqual(
        props["vmx.cpuModel"].enum,
        inputs.cpuModels.map((m) => m.name),
      );
      assert.ok(props["vmx.cpuModel"].enum.includes(inputs.defaultCpuModel));
    }
  });
  test("every diagnostic rule of the language server has a severity setting", async () => {
    const inputs = await loadManifestInputs();
    const ruleProps = props["vmx.diagnostics.rules"].properties;
    assert.deepEqual(
      Object.keys(ruleProps),
      inputs.rules.map((r) => r.code),
    );
  });
});

test("mergeManifest replaces the fragment's keys in place and keeps the rest", async () => {
  const { mergeManifest } = await import("../../extension/manifest/merge-into-package-json");
  const merged = mergeManifest(
    { name: "x", activationEvents: ["old"], contributes: { languages: [] }, scripts: { a: "b" } },
    { activationEvents: ["new"], contributes: { grammars: [] }, capabilities: { c: 1 } },
  );
  assert.deepEqual(Object.keys(merged), ["name", "activationEvents", "contributes", "scripts", "capabilities"]);
  assert.deepEqual(merged.activationEvents, ["new"]);
  assert.deepEqual(merged.contributes, { grammars: [] });
});

describe("semantic tokens", () => {
  test("each language maps the server's tokens onto scopes its grammar uses", async () => {
    const inputs = await loadManifestInputs();
    for (const entry of c.semanticTokenScopes) {
      const grammarPath = c.grammars.find((g: { language: string }) => g.language === entry.language).path;
      const grammarText = readFileSync(join(root, grammarPath), "utf8");
      for (const [selector, scopes] of Object.entries(entry.scopes as Record<string, string[]>)) {
        const [type, ...mods] = selector.split(".");
        assert.ok(inputs.semanticTokenTypes.includes(type!), `${selector}: ${type} is not in the server's legend`);
        for (const m of mods) assert.ok(inputs.semanticTokenModifiers.includes(m), `${selector}: modifier ${m}`);
        for (const s of scopes)
          assert.ok(grammarText.includes(`"${s}"`), `${entry.language}: ${s} is not a grammar scope`);
      }
    }
  });
  test("the custom vmx modifier is declared", () => {
    assert.deepEqual(
      c.semanticTokenModifiers.map((m: { id: string }) => m.id),
      ["vmx"],
    );
  });
});
