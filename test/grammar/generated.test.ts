// The checked-in grammars are exactly what syntaxes/generate.ts builds from the current mnemonic source, so
// they cannot drift from the encoder's list. After the encoder changes: npx tsx syntaxes/generate.ts
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { generateGrammarTexts } from "../../syntaxes/generate";
import { fallbackClasses, findEncoderApi, loadMnemonicClasses } from "../../syntaxes/mnemonic-source";

const syntaxes = join(__dirname, "..", "..", "syntaxes");

test("checked-in grammars equal a fresh generation (run `npx tsx syntaxes/generate.ts` if not)", async () => {
  const { files } = await generateGrammarTexts();
  for (const [name, text] of Object.entries(files)) {
    assert.equal(readFileSync(join(syntaxes, name), "utf8"), text, `${name} is stale`);
  }
});

test("the grammars read the encoder's mnemonic list once the encoder exports one", async () => {
  const api = await findEncoderApi();
  const classes = await loadMnemonicClasses();
  assert.equal(classes.source, api ? "encoder" : "fallback");
  if (api) {
    const { gas, nasm } = classes;
    const all = new Set([...Object.values(gas).flat(), ...Object.values(nasm).flat(), ...classes.prefixes]);
    for (const m of api.mnemonics()) assert.ok(all.has(m.toLowerCase()), `${m} missing from the grammar lists`);
  }
});

test("all thirteen VMX instructions are in the VMX class", async () => {
  const classes = await loadMnemonicClasses();
  for (const m of fallbackClasses().nasm.vmx) {
    assert.ok(classes.nasm.vmx.includes(m), `nasm ${m}`);
    assert.ok(classes.gas.vmx.includes(m), `gas ${m}`);
  }
});
