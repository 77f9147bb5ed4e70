// Writes snippets/vmx-gas.json and snippets/vmx-nasm.json. Run: npx tsx snippets/generate.ts
// test/extension/snippets.test.ts fails when the checked-in files differ from what this produces.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSnippets, type Dialect } from "./build-snippets";

export function snippetFileName(d: Dialect): string {
  return `vmx-${d}.json`;
}

export function snippetFileText(d: Dialect): string {
  return `${JSON.stringify(buildSnippets(d), null, 2)}\n`;
}

if (require.main === module) {
  for (const d of ["gas", "nasm"] as const) writeFileSync(join(__dirname, snippetFileName(d)), snippetFileText(d));
  process.stdout.write("snippets written\n");
}
