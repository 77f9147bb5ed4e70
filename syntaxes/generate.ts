// Regenerates syntaxes/vmx-gas.tmLanguage.json and syntaxes/vmx-nasm.tmLanguage.json from the encoder's
// mnemonic list. Run: npx tsx syntaxes/generate.ts
// test/grammar/generated.test.ts fails when the checked-in grammars differ from what this produces.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildGasGrammar, buildNasmGrammar } from "./build-grammars";
import { loadMnemonicClasses } from "./mnemonic-source";

export const GRAMMAR_FILES = { gas: "vmx-gas.tmLanguage.json", nasm: "vmx-nasm.tmLanguage.json" } as const;

/** The grammar files' exact text, keyed by file name. */
export function generateGrammarTexts(): { files: Record<string, string> } {
  const classes = loadMnemonicClasses();
  return {
    files: {
      [GRAMMAR_FILES.gas]: `${JSON.stringify(buildGasGrammar(classes), null, 2)}\n`,
      [GRAMMAR_FILES.nasm]: `${JSON.stringify(buildNasmGrammar(classes), null, 2)}\n`,
    },
  };
}

function main(): void {
  const { files } = generateGrammarTexts();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(__dirname, name), text);
  process.stdout.write("grammars written from the encoder's mnemonic list\n");
}

if (require.main === module) main();
