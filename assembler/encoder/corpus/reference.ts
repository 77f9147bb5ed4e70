// Runs the reference assemblers (nasm 2.16, GNU as 2.40) over the corpus and returns their bytes per form.
// Each form is assembled at address i*16 of one file per (code size, flavor); a table of label differences
// after the last slot gives each form's length. A form the reference rejects is recorded as an error and
// the file is assembled again without it.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bits } from "../types";
import { attText, type CorpusEntry, type CorpusFlavor, type Golden, groups, SLOT } from "./corpus";
import { parseIntel, toGasIntel } from "./syntax";

export function toolsAvailable(): boolean {
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" }).status === 0;
  return ok("nasm", ["-v"]) && ok("as", ["--version"]) && ok("objcopy", ["--version"]);
}

export function toolVersions(): string[] {
  const first = (cmd: string, args: string[]) =>
    (spawnSync(cmd, args, { encoding: "utf8" }).stdout ?? "").split("\n")[0]?.trim() ?? "?";
  return [first("nasm", ["-v"]), first("as", ["--version"])];
}

interface Source {
  text: string;
  /** 1-based source line → entry index. */
  lineToEntry: Map<number, number>;
}

function nasmSource(bits: Bits, lines: (string | undefined)[]): Source {
  const out = [`bits ${bits}`, "lab:"];
  const map = new Map<number, number>();
  lines.forEach((l, i) => {
    out.push(`L${i}:`);
    map.set(out.length + 1, i);
    out.push(l ?? "");
    out.push(`E${i}:`);
    out.push(`times ${SLOT * BigInt(i + 1)}-($-$$) db 0xcc`);
  });
  for (let i = 0; i < lines.length; i++) out.push(`db E${i}-L${i}`);
  return { text: `${out.join("\n")}\n`, lineToEntry: map };
}

function gasSource(bits: Bits, lines: (string | undefined)[], intel: boolean): Source {
  const out = [...(intel ? [".intel_syntax noprefix"] : []), `.code${bits}`, ".text", "lab:"];
  const map = new Map<number, number>();
  lines.forEach((l, i) => {
    out.push(`L${i}:`);
    map.set(out.length + 1, i);
    out.push(l ?? "");
    out.push(`E${i}:`);
    out.push(`.org ${SLOT * BigInt(i + 1)}, 0xcc`);
  });
  for (let i = 0; i < lines.length; i++) out.push(`.byte E${i}-L${i}`);
  return { text: `${out.join("\n")}\n`, lineToEntry: map };
}

/** Assemble once; returns the flat bytes or the per-line errors. */
function runTool(flavor: CorpusFlavor, bits: Bits, src: Source, dir: string): Uint8Array | Map<number, string> {
  const errors = new Map<number, string>();
  if (flavor === "nasm") {
    const file = join(dir, "t.asm");
    writeFileSync(file, src.text);
    const r = spawnSync("nasm", ["-f", "bin", file, "-o", join(dir, "t.bin")], { encoding: "utf8" });
    for (const m of (r.stderr ?? "").matchAll(/t\.asm:(\d+): (?:error|fatal): (.*)/g)) {
      const idx = src.lineToEntry.get(Number(m[1]));
      if (idx !== undefined && !errors.has(idx)) errors.set(idx, m[2]!.trim());
    }
    if (r.status !== 0) {
      if (errors.size === 0) throw new Error(`nasm failed: ${r.stderr}`);
      return errors;
    }
    return new Uint8Array(readFileSync(join(dir, "t.bin")));
  }
  const file = join(dir, "t.s");
  writeFileSync(file, src.text);
  const r = spawnSync("as", [bits === 64 ? "--64" : "--32", file, "-o", join(dir, "t.o")], { encoding: "utf8" });
  for (const m of (r.stderr ?? "").matchAll(/t\.s:(\d+): Error: (.*)/g)) {
    const idx = src.lineToEntry.get(Number(m[1]));
    if (idx !== undefined && !errors.has(idx)) errors.set(idx, m[2]!.trim());
  }
  if (r.status !== 0) {
    if (errors.size === 0) throw new Error(`as failed: ${r.stderr}`);
    return errors;
  }
  execFileSync("objcopy", ["-O", "binary", "--only-section=.text", join(dir, "t.o"), join(dir, "t.bin")]);
  return new Uint8Array(readFileSync(join(dir, "t.bin")));
}

/** Assemble the whole corpus with the references. */
export function referenceGoldens(entries: CorpusEntry[]): Golden[] {
  const dir = mkdtempSync(join(tmpdir(), "vmx-encoder-corpus-"));
  const rows: Golden[] = [];
  try {
    for (const g of groups(entries)) {
      if (g.flavor === "gas-intel") {
        // Only the lines GNU as Intel syntax can express; their addresses are their new positions.
        g.entries = g.entries.filter((e) => {
          const p = parseIntel(e.intel, 0n);
          return typeof p !== "string" && toGasIntel(p) !== undefined;
        });
      }
      const texts = g.entries.map((e, i) => {
        if (g.flavor === "nasm") return e.intel;
        if (g.flavor === "gas") return attText(e, SLOT * BigInt(i));
        const p = parseIntel(e.intel, SLOT * BigInt(i));
        return (typeof p === "string" ? undefined : toGasIntel(p)) ?? "";
      });
      const failed = new Map<number, string>();
      let bytes: Uint8Array | undefined;
      for (let attempt = 0; attempt < 10 && !bytes; attempt++) {
        const lines = texts.map((t, i) => (failed.has(i) ? undefined : t));
        const src =
          g.flavor === "nasm" ? nasmSource(g.bits, lines) : gasSource(g.bits, lines, g.flavor === "gas-intel");
        const r = runTool(g.flavor, g.bits, src, dir);
        if (r instanceof Uint8Array) bytes = r;
        else for (const [k, v] of r) failed.set(k, v);
      }
      if (!bytes) throw new Error(`could not assemble the ${g.flavor} ${g.bits}-bit corpus`);
      const n = g.entries.length;
      const table = Number(SLOT) * n;
      g.entries.forEach((e, i) => {
        const address = SLOT * BigInt(i);
        const row: Golden = {
          bits: g.bits,
          flavor: g.flavor,
          address,
          intel: e.intel,
          att: g.flavor === "nasm" ? "" : texts[i]!,
        };
        const err = failed.get(i);
        // A line GNU as rejects in Intel syntax is left out of that dialect: the AT&T rows already test
        // rejections, and here a rejection is as likely to be the rendering's as the instruction's.
        if (err !== undefined && g.flavor === "gas-intel") return;
        if (err !== undefined) row.error = err;
        else {
          const len = bytes[table + i] ?? 0;
          const start = Number(address);
          row.hex = Buffer.from(bytes.subarray(start, start + len)).toString("hex");
        }
        rows.push(row);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
