// What the source says about where a label lands: whether an alignment directive guarantees 4-KiB alignment,
// and whether the label's static data starts with a non-zero dword (a revision identifier written in data).
import type { Unit } from "./project";
import type { Expr, Statement } from "./syntax";

export type Alignment = "aligned" | "misaligned" | "unknown";

function constValue(unit: Unit, st: Statement, e: Expr | undefined): bigint | undefined {
  const v = unit.evaluate(e, st);
  return v?.k === "num" ? v.v : undefined;
}

/** Bytes a data statement occupies, when constant. */
export function dataSize(unit: Unit, st: Statement): bigint | undefined {
  if (!st.data) return undefined;
  let size: bigint;
  if (st.data.itemSize === 0) {
    const n = constValue(unit, st, st.data.reserve);
    if (n === undefined) return undefined;
    size = n * BigInt(st.data.reserveUnit ?? 1);
  } else {
    size = 0n;
    for (const item of st.data.items) {
      if (!item.expr) return undefined;
      size +=
        item.expr.kind === "string" && st.data.itemSize === 1
          ? BigInt(item.expr.value.length)
          : BigInt(st.data.itemSize);
    }
  }
  if (st.times) {
    const t = constValue(unit, st, st.times);
    if (t === undefined) return undefined;
    size *= t;
  }
  return size;
}

/** The alignment an alignment directive requests, in bytes (NASM `align`/`alignb`, GAS `.balign`/`.align`/`.p2align`). */
export function alignmentOfDirective(unit: Unit, st: Statement): bigint | undefined {
  if (st.kind !== "directive" || !st.name) return undefined;
  const first = st.args[0];
  if (!first) return undefined;
  const v = constValue(unit, st, first.expr);
  if (v === undefined) return undefined;
  switch (st.name) {
    case "align":
    case "alignb":
    case ".balign":
    case ".balignl":
    case ".balignw":
      return v;
    // On x86 ELF targets `.align` takes a byte count (GNU as manual, ".align").
    case ".align":
      return v;
    case ".p2align":
    case ".p2alignl":
    case ".p2alignw":
      return v < 64n ? 1n << v : undefined;
    default:
      return undefined;
  }
}

/**
 * Whether the label is 4-KiB aligned according to the source: an alignment directive of at least 4096 before
 * it with only whole pages of data in between, or `section … align=4096` at the start of its section.
 * `addresses` (from the assembler, when available) overrides this with the real layout.
 */
export function labelAlignment(unit: Unit, label: string, addresses?: ReadonlyMap<string, bigint>): Alignment {
  const addr = addresses?.get(label);
  if (addr !== undefined) return addr % 4096n === 0n ? "aligned" : "misaligned";
  return alignmentFromSource(unit, label);
}

/** The alignment the source guarantees, whatever the assembler's layout happens to give. */
export function alignmentFromSource(unit: Unit, label: string): Alignment {
  const def = unit.defs.get(label)?.[0];
  if (def?.kind !== "label") return "unknown";
  const all = unit.statements;
  let k = all.indexOf(def.stmt);
  let between = 0n;
  // The label's own statement carries no size before the label itself.
  for (k = k - 1; k >= 0; k--) {
    const st = all[k]!;
    if (st.kind === "empty") continue;
    if (st.file !== def.file && st.kind !== "directive") return "unknown";
    const a = alignmentOfDirective(unit, st);
    if (a !== undefined) return a % 4096n === 0n && between % 4096n === 0n ? "aligned" : "unknown";
    if (st.kind === "directive" && (st.name === "section" || st.name === "segment" || st.name === ".section")) {
      const m = /align\s*=\s*(\d+)/i.exec(st.args.map((t) => t.text).join(""));
      if (m && BigInt(m[1]!) % 4096n === 0n && between % 4096n === 0n) return "aligned";
      return "unknown";
    }
    if (st.data) {
      const size = dataSize(unit, st);
      if (size === undefined) return "unknown";
      between += size;
      continue;
    }
    if (
      st.kind === "directive" &&
      /^(\.?(globl|global|extern|type|size|local|hidden)|global|extern)$/.test(st.name ?? "")
    )
      continue;
    return "unknown";
  }
  return "unknown";
}

/** True when the label's static data begins with a non-zero dword (a revision identifier written in data). */
export function staticRevision(unit: Unit, label: string): boolean {
  const def = unit.defs.get(label)?.[0];
  if (!def) return false;
  const all = unit.statements;
  for (let k = all.indexOf(def.stmt); k >= 0 && k < all.length; k++) {
    const st = all[k]!;
    if (st.kind === "empty" && st !== def.stmt) continue;
    if (!st.data) return false;
    if (st.data.itemSize === 0) return false;
    const first = st.data.items[0];
    const v = first ? unit.evaluate(first.expr, st) : undefined;
    return !!v && (v.k === "addr" || v.v !== 0n);
  }
  return false;
}
