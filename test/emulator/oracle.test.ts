// The oracle's public payloads booted as floppy images in real16 (--load 0x7c00) print exactly what Bochs
// printed (../shared/oracle/observed/).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Machine } from "../../emulator/index";
import { betweenMarkers, NO_ORACLE, ORACLE_DIR, oracleImage } from "./helpers";

for (const payload of ["hello", "big"]) {
  test(`oracle payload ${payload} prints what Bochs printed`, { skip: NO_ORACLE }, () => {
    const img = oracleImage(payload);
    const m = new Machine({ memoryBytes: 128 << 20 });
    m.setupStart("real16", 0x7c00);
    m.load(img, 0x7c00);
    let out = "";
    m.onOutput((b, stream) => {
      if (stream === "e9") out += Buffer.from(b).toString("latin1");
    });
    const stop = m.run({ maxInstructions: 20_000_000 });
    assert.equal(stop.kind, "halted");
    const expected = readFileSync(join(ORACLE_DIR, "observed", `${payload}.out`), "latin1");
    assert.equal(betweenMarkers(out), expected);
  });
}
