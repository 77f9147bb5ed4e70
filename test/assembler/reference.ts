// Helpers shared by the assembler tests: running the reference assemblers (nasm 2.16, GNU as 2.40 + ld)
// when they are installed, and explaining a byte mismatch in terms of the source line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { flatBinary, type Program } from "../../assembler/index";

export const FLAT_LD = join(__dirname, "flat.ld");

export function haveTool(name: string): boolean {
  const r = spawnSync(name, ["--version"], { encoding: "utf8" });
  return r.status === 0;
}

export function toolVersion(name: string): string {
  const r = spawnSync(name, name === "nasm" ? ["-v"] : ["--version"], { encoding: "utf8" });
  return (r.stdout ?? "").split("\n")[0]?.trim() ?? "";
}

export interface RefResult {
  bytes?: Uint8Array;
  error?: string;
}

/** Assembles with the real tool: `nasm -f bin`, or `as --64` + `ld -T flat.ld --oformat binary`. */
export function referenceAssemble(
  file: string,
  syntax: "gas" | "nasm",
  includeDirs: string[] = [],
  base?: bigint,
): RefResult {
  const dir = mkdtempSync(join(tmpdir(), "vmx-asm-ref-"));
  try {
    const out = join(dir, "out.bin");
    if (syntax === "nasm") {
      const inc = [dirname(file), ...includeDirs].flatMap((d) => ["-I", `${d}/`]);
      const r = spawnSync("nasm", ["-f", "bin", ...inc, file, "-o", out], { encoding: "utf8" });
      if (r.status !== 0) return { error: r.stderr };
    } else {
      const obj = join(dir, "out.o");
      const inc = [dirname(file), ...includeDirs].flatMap((d) => ["-I", d]);
      // `.S` goes through the C preprocessor first, as gcc does.
      const a = file.endsWith(".S")
        ? spawnSync("gcc", ["-c", ...inc, file, "-o", obj], { encoding: "utf8" })
        : spawnSync("as", ["--64", ...inc, file, "-o", obj], { encoding: "utf8" });
      if (a.status !== 0) return { error: a.stderr };
      const defs = base !== undefined ? ["--defsym", `BASE=0x${base.toString(16)}`] : [];
      const l = spawnSync("ld", ["-T", FLAT_LD, ...defs, "--oformat", "binary", obj, "-o", out], { encoding: "utf8" });
      if (l.status !== 0) return { error: l.stderr };
    }
    return { bytes: new Uint8Array(readFileSync(out)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reference bytes for a source given as text (written to a temp file). */
export function referenceAssembleText(source: string, syntax: "gas" | "nasm"): RefResult {
  const dir = mkdtempSync(join(tmpdir(), "vmx-asm-src-"));
  try {
    const f = join(dir, syntax === "nasm" ? "t.asm" : "t.s");
    writeFileSync(f, source);
    return referenceAssemble(f, syntax);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/**
 * Describes the first difference between our output and the reference: the source line of the first item
 * whose bytes differ, with both byte strings. Empty string when identical.
 */
export function explainMismatch(program: Program, expected: Uint8Array): string {
  const actual = flatBinary(program);
  if (actual.length === expected.length && actual.every((b, i) => b === expected[i])) return "";
  let lo = program.origin ?? 0n;
  for (const s of program.sections) if (!s.nobits && s.size > 0 && s.address < lo) lo = s.address;
  const found: string[] = [];
  for (const e of program.lineMap) {
    const off = Number(e.address - lo);
    const a = actual.subarray(off, off + Math.min(e.length, 16));
    const x = expected.subarray(off, off + Math.min(e.length, 16));
    if (hex(a) !== hex(x))
      found.push(
        `${basename(e.file)}:${e.line + 1}: ours ${hex(a)} reference ${hex(x)} (at 0x${e.address.toString(16)})`,
      );
    if (found.length >= 4) break;
  }
  if (found.length === 0) found.push("no item differs");
  return `${found.join("; ")}; lengths: ours ${actual.length} reference ${expected.length}`;
}
