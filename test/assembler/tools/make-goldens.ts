// Regenerates test/assembler/golden/*.hex from the real tools: `nasm -f bin` for NASM sources, and
// `as --64` (or `gcc -c` for .S, which runs cpp first) + `ld -T flat.ld --oformat binary` for GAS sources. Run from the repository root:
//     node --import tsx test/assembler/tools/make-goldens.ts
// The tool versions used are written to golden/VERSIONS (the goldens were made with nasm 2.16.01 and
// GNU binutils 2.40).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { corpusFiles, ROOT, toHexLines } from "../corpus";
import { referenceAssemble, toolVersion } from "../reference";

let failed = 0;
for (const f of corpusFiles()) {
  const r = referenceAssemble(f.path, f.syntax);
  if (!r.bytes) {
    console.error(`${f.name}: reference assembler failed:\n${r.error}`);
    failed++;
    continue;
  }
  writeFileSync(f.goldenPath, toHexLines(r.bytes));
  console.log(`${f.name}: ${r.bytes.length} bytes`);
}
writeFileSync(
  join(ROOT, "golden", "VERSIONS"),
  `${toolVersion("nasm")}\n${toolVersion("as")}\n${toolVersion("ld")}\n${toolVersion("gcc")} (cpp for .S)\n`,
);
process.exit(failed ? 1 : 0);
