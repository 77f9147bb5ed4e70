// Running the Bochs oracle's boot images (../shared/oracle, README "The boot stub") on our Machine: build the
// 1.44 MB floppy image with the oracle's run.sh (build only), load it whole at 0x7C00, start in real16 with
// the skylake-x model, and collect what the payload writes to port 0xE9 between the stub's markers.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cpuModel } from "../../../arch/index";
import { Machine } from "../../../emulator/index";
import { createVmx } from "../../../emulator/vmx/vmx";

export const REPO_ROOT = resolve(__dirname, "../../..");
export const ORACLE_DIR = resolve(REPO_ROOT, "../shared/oracle");

/** Why the oracle tests cannot run here, or undefined when they can. */
export function oracleUnavailable(): string | undefined {
  if (!existsSync(join(ORACLE_DIR, "run.sh"))) return `the Bochs oracle is not at ${ORACLE_DIR}`;
  const nasm = spawnSync("nasm", ["-v"], { encoding: "utf8" });
  if (nasm.status !== 0) return "nasm is not installed";
  return undefined;
}

/** Builds the boot image of a payload (extra nasm options allowed) and returns its bytes. */
export function buildImage(payload: string, nasmArgs: string[] = []): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "vmx-oracle-"));
  try {
    const out = join(dir, "image.img");
    const r = spawnSync(join(ORACLE_DIR, "run.sh"), [payload, ...nasmArgs], {
      env: { ...process.env, ORACLE_BUILD_ONLY: "1", ORACLE_IMAGE_OUT: out },
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`building ${payload} failed: ${r.stderr}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ImageRun {
  /** The bytes between the begin and end markers (or after the begin marker if the end never came). */
  output: string;
  complete: boolean;
  stop: string;
  instructions: number;
}

const BEGIN = "@@ORACLE-E9-BEGIN@@\n";
const END = "@@ORACLE-E9-END@@\n";

/** Runs an oracle boot image like `vmx run IMAGE --start real16 --load 0x7c00 --cpu skylake-x`. */
export function runImage(image: Uint8Array, model = "skylake-x", maxInstructions = 200_000_000): ImageRun {
  const m = new Machine({ cpuModel: cpuModel(model)!, vmx: createVmx, memoryBytes: 128 * 1024 * 1024 });
  m.load(image, 0x7c00);
  m.setupStart("real16", 0x7c00);
  let all = "";
  m.onOutput((bytes, stream) => {
    if (stream === "e9") all += Buffer.from(bytes).toString("latin1");
  });
  const stop = m.run({ maxInstructions });
  const b = all.indexOf(BEGIN);
  let output = b < 0 ? "" : all.slice(b + BEGIN.length);
  const e = output.indexOf(END);
  const complete = e >= 0;
  if (complete) output = output.slice(0, e);
  return { output, complete, stop: stop.kind, instructions: m.instructionCount };
}

/**
 * Masks what the oracle README calls implementation-specific: on VM-entry failures (exit reason 0x8000002x)
 * the instruction length and interruption information, and the "after the failure" line's field values.
 */
export function normalize(text: string): string[] {
  return text.split("\n").map((line) => {
    if (/exit reason=0x8000002[12]/.test(line))
      return line.replace(/instr_len=\S+/, "instr_len=*").replace(/intr_info=\S+/, "intr_info=*");
    if (line.startsWith("  after the failure:")) return line.replace(/=0x[0-9A-F]+/g, "=*");
    return line;
  });
}
