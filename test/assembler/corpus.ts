// The whole-program and feature sources compared byte for byte with the reference assemblers.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assemble, type Program, syntaxForFile } from "../../assembler/index";

export interface CorpusFile {
  /** Path relative to test/assembler, e.g. "features/gas-data.s". */
  name: string;
  path: string;
  syntax: "gas" | "nasm";
  goldenPath: string;
}

export const ROOT = __dirname;

export function corpusFiles(): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const dir of ["programs", "features"]) {
    for (const f of readdirSync(join(ROOT, dir)).sort()) {
      const syntax = syntaxForFile(f);
      if (!syntax || f.endsWith(".inc")) continue;
      const name = `${dir}/${f}`;
      out.push({ name, path: join(ROOT, dir, f), syntax, goldenPath: join(ROOT, "golden", `${dir}-${f}.hex`) });
    }
  }
  return out;
}

export function assembleFile(path: string, syntax: "gas" | "nasm"): Program {
  return assemble(readFileSync(path, "utf8"), {
    fileName: path,
    syntax,
    readFile: readIfExists,
    readBinary: readBinaryIfExists,
  });
}

export function readBinaryIfExists(path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    return undefined;
  }
}

export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Hex in 32-byte lines (diff-friendly). */
export function toHexLines(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString("hex");
  const lines = h.match(/.{1,64}/g) ?? [];
  return `${lines.join("\n")}\n`;
}

export function fromHexLines(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}
