// Test helpers: assemble snippets with nasm at test time (tests skip with a clear message without it), run
// them in a start state, and build the oracle's boot images in a temporary directory.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine, type MachineOptions, type StartState, type StopReason } from "../../emulator/index";

function has(cmd: string): boolean {
  return spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0 || spawnSync("which", [cmd]).status === 0;
}

export const HAVE_NASM = has("nasm");
export const HAVE_PERL = has("perl");
export const HAVE_GCC = has("gcc");
/** For `test(name, { skip: NO_NASM }, …)`: false, or the reason the test is skipped. */
export const NO_NASM: string | false = HAVE_NASM ? false : "nasm is not installed (apt-get install nasm)";

const cache = new Map<string, Uint8Array>();
let dir: string | undefined;
function workDir(): string {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), "emu-test-"));
    process.on("exit", () => rmSync(dir!, { recursive: true, force: true }));
  }
  return dir;
}

/** Assembles NASM source to a flat binary (cached per source text). */
export function nasm(source: string): Uint8Array {
  const hit = cache.get(source);
  if (hit) return hit;
  const d = workDir();
  const n = cache.size;
  const src = join(d, `t${n}.asm`);
  const out = join(d, `t${n}.bin`);
  writeFileSync(src, source);
  try {
    execFileSync("nasm", ["-f", "bin", "-o", out, src], { stdio: "pipe" });
  } catch (e) {
    const err = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
    throw new Error(`nasm failed: ${err}\n${source}`);
  }
  const bytes = new Uint8Array(readFileSync(out));
  cache.set(source, bytes);
  return bytes;
}

export const CODE_BASE = 0x100000;

export interface RunResult {
  m: Machine;
  stop: StopReason;
  out: string;
}

/** Assembles `body` for the start state's code size at CODE_BASE (plus `hlt`), runs it, returns the machine. */
export function runAsm(
  body: string,
  start: StartState = "long64",
  opts: { max?: number; machine?: MachineOptions; setup?: (m: Machine) => void; base?: number } = {},
): RunResult {
  const bits = start === "long64" ? 64 : start === "protected32" ? 32 : 16;
  const base = opts.base ?? (start === "real16" ? 0x7c00 : CODE_BASE);
  const bytes = nasm(`bits ${bits}\norg ${base}\n${body}\nhlt\n`);
  return runBytes(bytes, start, { ...opts, base });
}

export function runBytes(
  bytes: Uint8Array,
  start: StartState,
  opts: { max?: number; machine?: MachineOptions; setup?: (m: Machine) => void; base?: number } = {},
): RunResult {
  const base = opts.base ?? (start === "real16" ? 0x7c00 : CODE_BASE);
  const m = new Machine(opts.machine ?? {});
  m.setupStart(start, base);
  m.load(bytes, base);
  opts.setup?.(m);
  let out = "";
  m.onOutput((b) => {
    out += Buffer.from(b).toString("latin1");
  });
  const stop = m.run({ maxInstructions: opts.max ?? 1_000_000 });
  return { m, stop, out };
}

/** A 64-bit register value as an unsigned bigint (0 rax … 15 r15). */
export function reg(m: Machine, r: number): bigint {
  return m.cpu.regBig(r);
}

export const RAX = 0;
export const RCX = 1;
export const RDX = 2;
export const RBX = 3;
export const RSP = 4;
export const RBP = 5;
export const RSI = 6;
export const RDI = 7;

export function flags(m: Machine): number {
  return m.cpu.getFlags();
}

const ORACLE = "/work/shared/oracle";
export const ORACLE_DIR = process.env.ORACLE_DIR ?? ORACLE;
export const NO_ORACLE: string | false = !HAVE_NASM
  ? "nasm is not installed"
  : !HAVE_PERL
    ? "perl is not installed"
    : spawnSync("test", ["-x", join(ORACLE_DIR, "run.sh")]).status !== 0
      ? `the oracle (${ORACLE_DIR}) is not available`
      : false;

/** Builds the oracle's 1.44 MB boot image for a payload (run.sh with ORACLE_BUILD_ONLY) in a temp dir. */
export function oracleImage(payload: string): Uint8Array {
  const out = join(workDir(), `${payload}.img`);
  execFileSync(join(ORACLE_DIR, "run.sh"), [join(ORACLE_DIR, "payloads", `${payload}.asm`)], {
    env: { ...process.env, ORACLE_BUILD_ONLY: "1", ORACLE_IMAGE_OUT: out, TMPDIR: workDir() },
    stdio: "pipe",
  });
  return new Uint8Array(readFileSync(out));
}

/** The text between the stub's markers. */
export function betweenMarkers(s: string): string | undefined {
  const b = "@@ORACLE-E9-BEGIN@@\n";
  const e = "@@ORACLE-E9-END@@\n";
  const i = s.indexOf(b);
  const j = s.indexOf(e, i + b.length);
  if (i < 0 || j < 0) return undefined;
  return s.slice(i + b.length, j);
}
