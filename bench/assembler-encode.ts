// Encoder speed: encode() calls per second over the golden corpus's requests (both flavors, all code
// sizes), and over a typical hypervisor instruction mix, with and without the encoder's memo cache. Prints one JSON line per workload:
// {"bench":"encode-corpus","instructions":…,"seconds":…,"perSecond":…,"microsPerInstruction":…}
// (seconds = CPU time of the process).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { requestFor } from "../assembler/encoder/corpus/check";
import { parseGolden } from "../assembler/encoder/corpus/corpus";
import { encodeUncached } from "../assembler/encoder/encode";
import { type EncodeRequest, encode } from "../assembler/encoder/index";

const rows = parseGolden(readFileSync(join(__dirname, "../assembler/encoder/corpus/golden.tsv"), "utf8"));
const corpus = rows.map(requestFor).filter((r): r is EncodeRequest => typeof r !== "string");

const reg = (r: string) => ({ kind: "reg" as const, reg: r });
const imm = (v: bigint) => ({ kind: "imm" as const, value: v });
const mem = (base: string, disp = 0n) => ({ kind: "mem" as const, base, scale: 1 as const, disp });
const mix: EncodeRequest[] = [
  { mnemonic: "mov", operands: [reg("rax"), imm(0x6c00n)] },
  { mnemonic: "vmwrite", operands: [reg("rax"), reg("rbx")] },
  { mnemonic: "vmread", operands: [reg("rbx"), reg("rax")] },
  { mnemonic: "mov", operands: [reg("rcx"), mem("rsp", 8n)] },
  { mnemonic: "add", operands: [reg("rsp"), imm(8n)] },
  { mnemonic: "push", operands: [reg("rbp")] },
  { mnemonic: "jnz", operands: [imm(0x40n)] },
  { mnemonic: "call", operands: [imm(0x2000n)] },
  { mnemonic: "vmptrld", operands: [mem("rdi")] },
  { mnemonic: "cmp", operands: [reg("eax"), imm(0x30n)] },
].map((r) => ({ ...r, bits: 64 as const, address: 0x1000n, flavor: "nasm" as const }));

function run(name: string, reqs: EncodeRequest[], cached: boolean, minSeconds = 1): void {
  for (const r of reqs) encode(r); // warm-up
  // CPU time of this process, not wall time: the machine is shared, so wall time measures the neighbours.
  let n = 0;
  const start = process.cpuUsage();
  let elapsed = 0;
  // Batches of at least ~2000 encodes between clock reads (reading the CPU clock is not free).
  const rounds = Math.max(1, Math.ceil(2000 / reqs.length));
  while (elapsed < minSeconds) {
    for (let k = 0; k < rounds; k++) {
      if (cached) for (const r of reqs) encode(r);
      else for (const r of reqs) encodeUncached(r);
    }
    n += reqs.length * rounds;
    const u = process.cpuUsage(start);
    elapsed = (u.user + u.system) / 1e6;
  }
  console.log(
    JSON.stringify({
      bench: name,
      instructions: n,
      seconds: Number(elapsed.toFixed(3)),
      perSecond: Math.round(n / elapsed),
      microsPerInstruction: Number(((elapsed / n) * 1e6).toFixed(2)),
    }),
  );
}

// "uncached": every request is encoded from scratch; "cached": the memoized path a front end hits on its
// second and later passes (and for repeated instructions).
run("encode-corpus-uncached", corpus, false);
run("encode-corpus-cached", corpus, true);
run("encode-hypervisor-mix-uncached", mix, false);
