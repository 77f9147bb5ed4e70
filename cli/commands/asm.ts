// `vmx asm FILE [-o out.bin] [--listing FILE] [--syntax gas|nasm] [-I DIR] [--base ADDR]`
// Assembles a GAS or NASM file to a flat binary. Errors print as `file:line:col: error: message` (1-based
// like compilers print them) and make the exit code 1.
import { readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { assemble, flatBinary, syntaxForFile } from "../../assembler/index";
import { type CliCommand, CliUsageError, parseArgs, parseNumber } from "../io";

const HELP = `usage: vmx asm FILE [-o out.bin] [--listing FILE] [--syntax gas|nasm] [-I DIR]... [--base ADDR]
  Assembles FILE (GAS: .s/.S, NASM: .asm/.nasm) to a flat binary laid out like nasm -f bin (NASM) or
  ld with .text at 0 (or --base) followed by .data (GAS). Default output: FILE with the extension .bin.
`;

export const asmCommand: CliCommand = {
  summary: "assemble a GAS or NASM file to a flat binary (+ listing)",
  async run(args, io) {
    if (args.includes("-h") || args.includes("--help")) {
      io.out(HELP);
      return 0;
    }
    const parsed = parseArgs(args, {
      "-o": ["--output"],
      "--listing": ["-l"],
      "--syntax": [],
      "-I": ["--include"],
      "--base": [],
    });
    const [file, ...extra] = parsed.positional;
    if (!file) throw new CliUsageError("missing input file (see vmx asm --help)");
    if (extra.length > 0) throw new CliUsageError(`unexpected argument '${extra[0]}'`);
    const syntaxOpt = parsed.options.get("--syntax")?.at(-1);
    if (syntaxOpt !== undefined && syntaxOpt !== "gas" && syntaxOpt !== "nasm")
      throw new CliUsageError(`--syntax must be gas or nasm, not '${syntaxOpt}'`);
    const baseOpt = parsed.options.get("--base")?.at(-1);
    const base = baseOpt !== undefined ? parseNumber(baseOpt, "--base") : undefined;
    const path = resolve(io.cwd, file);
    let source: string;
    try {
      source = readFileSync(path, "utf8");
    } catch (e) {
      io.err(`vmx asm: cannot read '${file}': ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    const includeDirs = (parsed.options.get("-I") ?? []).map((d) => resolve(io.cwd, d));
    const program = assemble(source, {
      fileName: path,
      syntax: syntaxOpt ?? syntaxForFile(file),
      readFile: (p) => {
        try {
          return readFileSync(p, "utf8");
        } catch {
          return undefined;
        }
      },
      readBinary: (p) => {
        try {
          return new Uint8Array(readFileSync(p));
        } catch {
          return undefined;
        }
      },
      includeDirs,
      cwd: io.cwd,
      ...(base !== undefined ? { base } : {}),
    });
    const shown = (p: string) => {
      const r = relative(io.cwd, p);
      return r && !r.startsWith("..") && !isAbsolute(r) ? r : p;
    };
    let errors = 0;
    for (const d of program.diagnostics) {
      if (d.severity === "error") errors++;
      const where = `${shown(d.file)}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
      const text = `${where}: ${d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "note"}: ${d.message} [${d.code}]\n`;
      io.err(text);
    }
    if (errors > 0) return 1;
    const out = parsed.options.get("-o")?.at(-1) ?? `${file.replace(/\.[^./\\]*$/, "")}.bin`;
    writeFileSync(resolve(io.cwd, out), flatBinary(program));
    const listing = parsed.options.get("--listing")?.at(-1);
    if (listing !== undefined) writeFileSync(resolve(io.cwd, listing), program.listing);
    return 0;
  },
};
