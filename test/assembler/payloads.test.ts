// The VMX payloads of test/vmx/payloads (thousands of lines of nasm macros each, with the oracle's include files:
// `%1` pasted into names, `org` of an `equ` from an include, labels before macro calls, nested includes) assembled
// by us and by the installed nasm: the same bytes and the same `nasm -l` listing. Skipped without nasm or without
// the oracle's include files.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { assemble } from "../../assembler/index";
import { haveTool } from "./reference";

const PAYLOADS = resolve(__dirname, "../vmx/payloads");
const ORACLE_INCLUDE = resolve(__dirname, "../../../shared/oracle/include");
const skip = !haveTool("nasm")
  ? "nasm not installed"
  : !existsSync(ORACLE_INCLUDE)
    ? `the oracle's include files are not at ${ORACLE_INCLUDE}`
    : false;

function readFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

describe("the VMX payloads assemble as nasm assembles them", { skip }, () => {
  const names = skip ? [] : readdirSync(PAYLOADS).filter((n) => n.endsWith(".asm"));
  for (const name of names) {
    test(name, () => {
      const dir = mkdtempSync(join(tmpdir(), "vmx-payload-asm-"));
      try {
        const file = join(PAYLOADS, name);
        const r = spawnSync(
          "nasm",
          [
            "-f",
            "bin",
            "-I",
            `${ORACLE_INCLUDE}/`,
            "-I",
            `${PAYLOADS}/`,
            "-l",
            join(dir, "p.lst"),
            "-o",
            join(dir, "p.bin"),
            file,
          ],
          { encoding: "utf8" },
        );
        assert.equal(r.status, 0, r.stderr);
        const p = assemble(readFileSync(file, "utf8"), {
          fileName: file,
          includeDirs: [ORACLE_INCLUDE, PAYLOADS],
          readFile,
        });
        assert.deepEqual(
          p.diagnostics
            .filter((d) => d.severity === "error")
            .map((d) => `${d.file}:${d.range.start.line + 1}: ${d.message}`),
          [],
        );
        const ours = Buffer.concat(p.sections.map((s) => Buffer.from(s.bytes)));
        assert.ok(ours.equals(readFileSync(join(dir, "p.bin"))), "bytes differ from nasm's");
        const ref = readFileSync(join(dir, "p.lst"), "utf8");
        assert.deepEqual(p.listing.split("\n"), ref.split("\n"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
