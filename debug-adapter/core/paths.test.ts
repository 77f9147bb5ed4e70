import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { makeCanonicalizer, SourcePaths } from "./paths";
import { SourceMap } from "./source-map";

const dir = mkdtempSync(join(tmpdir(), "vmx-paths-"));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, "real", "broken"), { recursive: true });
const file = join(dir, "real", "hypervisor.asm");
writeFileSync(file, "hlt\n");
symlinkSync(join(dir, "real"), join(dir, "link"));
const canonical = makeCanonicalizer();

describe("canonical source paths", () => {
  it("reduces '..', relative and symlinked spellings of one file to one key", () => {
    const key = canonical(file);
    assert.equal(canonical(join(dir, "real", "broken", "..", "hypervisor.asm")), key);
    assert.equal(canonical(relative(process.cwd(), file)), key);
    assert.equal(canonical(join(dir, "link", "hypervisor.asm")), key);
    assert.equal(canonical(join(dir, "link", "broken", "..", "hypervisor.asm")), key);
  });

  it("uses the file system's letter case where it ignores case", () => {
    // A case-insensitive file system answers realpath with the file's own spelling.
    const fold = makeCanonicalizer((p) => {
      if (p.toLowerCase() === "/ws/hypervisor.asm") return "/ws/Hypervisor.asm";
      throw new Error("ENOENT");
    });
    assert.equal(fold("/WS/HYPERVISOR.asm"), "/ws/Hypervisor.asm");
    assert.equal(fold("/ws/x/../hypervisor.ASM"), "/ws/Hypervisor.asm");
  });

  it("source map lookups accept any spelling; the client's spelling is shown back", () => {
    const map = new SourceMap(
      [{ address: 0x10n, length: 1, file: join(dir, "real", "broken", "..", "hypervisor.asm"), line: 0, column: 0 }],
      [],
      canonical,
    );
    assert.equal(map.entries[0]?.file, canonical(file));
    assert.equal(map.resolveLine(join(dir, "link", "hypervisor.asm"), 0)?.address, 0x10n);
    assert.deepEqual(map.linesOf(join(dir, "link", "broken", "..", "hypervisor.asm")), [0]);
    const paths = new SourcePaths(canonical);
    assert.equal(paths.display(map.entries[0]?.file ?? ""), canonical(file));
    paths.remember(join(dir, "link", "hypervisor.asm"));
    assert.equal(paths.display(map.entries[0]?.file ?? ""), join(dir, "link", "hypervisor.asm"));
  });

  it("a file the client never named is shown under the client's spelling of its directory", () => {
    const paths = new SourcePaths(canonical);
    const other = join(dir, "real", "broken", "x.asm");
    writeFileSync(other, "hlt\n");
    paths.remember(join(dir, "link", "hypervisor.asm"));
    assert.equal(paths.display(canonical(other)), join(dir, "link", "broken", "x.asm"));
    // Without a link there is nothing to translate.
    const plain = new SourcePaths(canonical);
    plain.remember(file);
    assert.equal(plain.display(canonical(other)), canonical(other));
  });
});
