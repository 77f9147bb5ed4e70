// Binds debugger expressions to the machine: registers, memory, symbols, VMCS fields (by their arch/ names)
// and MSRs (by their arch/ names), plus context names such as `reason` in a VM-exit condition.
import { fieldByName, msrByName, widthBits } from "../../arch/index";
import { type EvalEnv, ExpressionError, type Place } from "./expression";
import { registerNames, registerRef } from "./registers";
import type { SourceMap } from "./source-map";
import type { DebugTarget } from "./target";

function littleEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
}

export function readValue(target: DebugTarget, address: bigint, size: number): bigint {
  const bytes = target.readLinear(address, size);
  if (bytes.length < size)
    throw new ExpressionError(
      `cannot read ${size} bytes at 0x${(address + BigInt(bytes.length)).toString(16)}: not mapped`,
    );
  return littleEndian(bytes);
}

export function writeValue(target: DebugTarget, address: bigint, size: number, value: bigint): void {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  const n = target.writeLinear(address, bytes);
  if (n < size) throw new ExpressionError(`cannot write at 0x${(address + BigInt(n)).toString(16)}: not mapped`);
}

export function pointerSize(target: DebugTarget): 2 | 4 | 8 {
  const m = target.cpuMode();
  return m === "long64" ? 8 : m === "real" || m === "v8086" || m === "protected16" || m === "compat16" ? 2 : 4;
}

/** A VMCS field of the current VMCS as an assignable place; undefined when `name` is not a field name. */
export function vmcsPlace(target: DebugTarget, name: string): Place | undefined {
  const f = fieldByName(name.toUpperCase());
  if (!f) return undefined;
  return {
    describe: f.name,
    bits: widthBits(f.width),
    read: () => {
      const v = target.vmx.readField(f.encoding);
      if (v === undefined) throw new ExpressionError(`${f.name}: no current VMCS`);
      return v;
    },
    write: (v) => {
      if (!target.vmx.writeField(f.encoding, v))
        throw new ExpressionError(`${f.name}: cannot write (no current VMCS or unsupported field)`);
    },
  };
}

export function msrPlace(target: DebugTarget, name: string): Place | undefined {
  const m = msrByName(name.toUpperCase());
  if (!m) return undefined;
  return {
    describe: m.name,
    bits: 64,
    read: () => {
      const v = target.readMsr(m.index);
      if (v === undefined) throw new ExpressionError(`${m.name} does not exist on this CPU model`);
      return v;
    },
    write: (v) => {
      if (!target.writeMsr(m.index, v)) throw new ExpressionError(`${m.name}: cannot write`);
    },
  };
}

export function makeEvalEnv(
  target: DebugTarget,
  sourceMap: SourceMap | undefined,
  syntax: "gas" | "nasm",
  context?: ReadonlyMap<string, bigint>,
): EvalEnv {
  return {
    syntax,
    pointerSize: pointerSize(target),
    place(name) {
      const c = context?.get(name);
      if (c !== undefined)
        return {
          describe: name,
          bits: 64,
          read: () => c,
          write: () => {
            throw new ExpressionError(`${name} is read-only`);
          },
        };
      const r = registerRef(target, name);
      if (r) return { describe: r.name, bits: r.bits, read: r.read, write: r.write };
      // A program symbol wins, except an `equ` that names a VMCS field by its own encoding
      // (GUEST_CR0 equ 0x6800): then the name means the field.
      const sym = sourceMap?.symbol(name);
      const field = vmcsPlace(target, name);
      if (sym && !(field && !sym.label && sym.value === BigInt(fieldByName(name.toUpperCase())?.encoding ?? -1)))
        return undefined;
      return field ?? msrPlace(target, name);
    },
    symbol(name) {
      return sourceMap?.symbol(name)?.value;
    },
    readMemory: (a, s) => readValue(target, a, s),
    writeMemory: (a, s, v) => writeValue(target, a, s, v),
  };
}

/** Names for Debug Console completions. */
export function completionNames(
  sourceMap: SourceMap | undefined,
  vmcsNames: readonly string[],
  msrNames: readonly string[],
): { label: string; type: "variable" | "function" | "value" | "property" }[] {
  const out: { label: string; type: "variable" | "function" | "value" | "property" }[] = registerNames().map(
    (label) => ({ label, type: "variable" }),
  );
  if (sourceMap) for (const s of sourceMap.symbols) out.push({ label: s.name, type: s.label ? "function" : "value" });
  for (const n of vmcsNames) out.push({ label: n, type: "property" });
  for (const n of msrNames) out.push({ label: n, type: "property" });
  return out;
}
