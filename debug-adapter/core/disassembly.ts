// The disassembly view's data: instructions around an address. Where the bytes come from the program, the
// instruction is shown as the user wrote it (its source line, which is what the assembler encoded) with its
// location; elsewhere the emulator's decoder names the instruction.
import type { SourceLocation, SourceMap } from "./source-map";
import type { DebugTarget } from "./target";

export interface DisassemblyLine {
  address: bigint;
  /** Hex bytes separated by spaces. */
  bytes: string;
  text: string;
  symbol?: string;
  location?: SourceLocation;
  invalid?: boolean;
}

const DATA_DIRECTIVE =
  /^(d[bwdqt]|res[bwdq]|times|\.(byte|word|short|long|int|quad|ascii|asciz|string|fill|zero|skip|space|octa|value))\b/i;

type ReadText = (path: string) => string | undefined;

const sourceCache = new Map<string, string[] | undefined>();

function sourceLine(file: string, line: number, read: ReadText): string | undefined {
  if (!sourceCache.has(file)) sourceCache.set(file, read(file)?.split(/\r?\n/));
  const text = sourceCache.get(file)?.[line];
  if (text === undefined) return undefined;
  // Drop comments (";" NASM, "#" and "//" GAS) and a leading label.
  return text
    .replace(/\s*(;|#|\/\/).*$/, "")
    .replace(/^\s*[A-Za-z_.$@?][\w.$@?]*:/, "")
    .trim();
}

function hexBytes(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}

function lengthAt(target: DebugTarget, sourceMap: SourceMap | undefined, address: bigint): number | undefined {
  const e = sourceMap?.entryStartingAt(address);
  if (e) return e.length;
  return target.disassemble(address, "intel")?.length;
}

/** The address `n` instructions before `address` (best effort outside the program: a decode that lands on it). */
function back(target: DebugTarget, sourceMap: SourceMap | undefined, address: bigint, n: number): bigint {
  let a = address;
  for (let i = 0; i < n; i++) {
    const prev = sourceMap?.entryEndingAt(a);
    if (prev) {
      a = prev.address;
      continue;
    }
    let found: bigint | undefined;
    for (let k = 1; k <= 15 && a - BigInt(k) >= 0n; k++) {
      if (lengthAt(target, sourceMap, a - BigInt(k)) === k) {
        found = a - BigInt(k);
        break;
      }
    }
    a = found ?? a - 1n;
    if (a < 0n) return 0n;
  }
  return a;
}

export function disassembleRange(
  target: DebugTarget,
  sourceMap: SourceMap | undefined,
  start: bigint,
  instructionOffset: number,
  count: number,
  syntax: "intel" | "att",
  read: ReadText,
): DisassemblyLine[] {
  let a = instructionOffset < 0 ? back(target, sourceMap, start, -instructionOffset) : start;
  const out: DisassemblyLine[] = [];
  for (let i = 0; i < instructionOffset && i < 100_000; i++) a += BigInt(lengthAt(target, sourceMap, a) ?? 1);
  sourceCache.clear();
  while (out.length < count) {
    const entry = sourceMap?.entryStartingAt(a);
    const label = sourceMap?.labelFor(a);
    const symbol = label && label.offset === 0n ? label.name : undefined;
    let length: number;
    let text: string;
    let location: SourceLocation | undefined;
    let invalid = false;
    if (entry) {
      length = entry.length;
      location = { file: entry.file, line: entry.line, column: entry.column };
      // Data items keep their source text (decoding them as instructions would mislead); instructions are
      // shown as the machine decodes them, next to their source line.
      const src = sourceLine(entry.file, entry.line, read);
      const d = target.disassemble(a, syntax);
      text =
        src && DATA_DIRECTIVE.test(src) ? src : d && d.length === entry.length ? d.text : src || d?.text || "(data)";
    } else {
      const d = target.disassemble(a, syntax);
      if (d) {
        length = d.length;
        text = d.text;
        invalid = d.mnemonic === "(bad)";
      } else {
        length = 1;
        text = "??";
        invalid = true;
      }
    }
    const bytes = target.readLinear(a, length);
    if (bytes.length < length) {
      out.push({ address: a, bytes: "", text: "?? (not mapped)", invalid: true });
      a += 1n;
      continue;
    }
    const line: DisassemblyLine = { address: a, bytes: hexBytes(bytes), text };
    if (symbol) line.symbol = symbol;
    if (location) line.location = location;
    if (invalid) line.invalid = true;
    out.push(line);
    a += BigInt(Math.max(length, 1));
  }
  return out;
}
