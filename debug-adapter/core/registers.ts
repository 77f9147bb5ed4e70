// Register names the debugger understands (in expressions, conditions, setVariable), mapped onto the
// target's register access. Names are case-insensitive; GAS's `%` prefix is stripped by the caller.
import { GPR64_NAMES } from "../../arch/index";
import type { DebugTarget } from "./target";

/** The 64-bit general-purpose registers in encoding order (arch/ holds the table). */
export const GPR_NAMES = GPR64_NAMES;
export const SEGMENT_NAMES = ["es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr"] as const;

/** Register access in a debugger expression: a value of `bits` bits that can be read and written. */
export interface RegisterRef {
  name: string;
  bits: 8 | 16 | 32 | 64;
  read(): bigint;
  write(value: bigint): void;
}

const LEGACY32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const LEGACY16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const LOW8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"];
const HIGH8 = ["ah", "ch", "dh", "bh"];

interface Slice {
  reg: number;
  bits: 8 | 16 | 32 | 64;
  shift: 0 | 8;
}

function gprSlice(name: string): Slice | undefined {
  let i = (GPR_NAMES as readonly string[]).indexOf(name);
  if (i >= 0) return { reg: i, bits: 64, shift: 0 };
  i = LEGACY32.indexOf(name);
  if (i >= 0) return { reg: i, bits: 32, shift: 0 };
  i = LEGACY16.indexOf(name);
  if (i >= 0) return { reg: i, bits: 16, shift: 0 };
  i = LOW8.indexOf(name);
  if (i >= 0) return { reg: i, bits: 8, shift: 0 };
  i = HIGH8.indexOf(name);
  if (i >= 0) return { reg: i, bits: 8, shift: 8 };
  const m = /^r(\d+)([dwb]?)$/.exec(name);
  if (m) {
    const n = Number(m[1]);
    if (n >= 8 && n <= 15) {
      const bits = m[2] === "d" ? 32 : m[2] === "w" ? 16 : m[2] === "b" ? 8 : 64;
      return { reg: n, bits, shift: 0 };
    }
  }
  return undefined;
}

function mask(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

/** Resolves a register name against a target; undefined when `name` is not a register. */
export function registerRef(target: DebugTarget, rawName: string): RegisterRef | undefined {
  const name = rawName.toLowerCase();
  const g = gprSlice(name);
  if (g) {
    const m = mask(g.bits) << BigInt(g.shift);
    return {
      name,
      bits: g.bits,
      read: () => (target.readGpr(g.reg) & m) >> BigInt(g.shift),
      write: (v) => {
        // SDM 3.4.1.1: a 32-bit write zero-extends into the full 64-bit register; 8/16-bit writes merge.
        if (g.bits === 32) target.writeGpr(g.reg, v & m);
        else target.writeGpr(g.reg, (target.readGpr(g.reg) & ~m) | ((v << BigInt(g.shift)) & m));
      },
    };
  }
  switch (name) {
    case "rip":
    case "eip":
    case "ip": {
      const bits = name === "rip" ? 64 : name === "eip" ? 32 : 16;
      return {
        name,
        bits,
        read: () => target.getRip() & mask(bits),
        write: (v) => target.setRip(v & mask(bits)),
      };
    }
    case "rflags":
    case "eflags":
    case "flags": {
      const bits = name === "rflags" ? 64 : name === "eflags" ? 32 : 16;
      return {
        name,
        bits,
        read: () => target.getRflags() & mask(bits),
        write: (v) => target.setRflags((target.getRflags() & ~mask(bits)) | (v & mask(bits))),
      };
    }
  }
  const cr = /^cr([02348])$/.exec(name);
  if (cr) {
    const n = Number(cr[1]) as 0 | 2 | 3 | 4 | 8;
    return { name, bits: 64, read: () => target.readCr(n), write: (v) => target.writeCr(n, v) };
  }
  const dr = /^dr([0-7])$/.exec(name);
  if (dr) {
    const n = Number(dr[1]);
    return { name, bits: 64, read: () => target.readDr(n), write: (v) => target.writeDr(n, v) };
  }
  const seg = (SEGMENT_NAMES as readonly string[]).indexOf(name);
  if (seg >= 0 && seg < 6) {
    return {
      name,
      bits: 16,
      read: () => BigInt(target.getSegment(seg).selector),
      write: (v) => target.setSegment(seg, { ...target.getSegment(seg), selector: Number(v & 0xffffn) }),
    };
  }
  const segPart = /^(es|cs|ss|ds|fs|gs|ldtr|tr)\.(base|limit|ar|selector)$/.exec(name);
  if (segPart) {
    const s = (SEGMENT_NAMES as readonly string[]).indexOf(segPart[1] as string);
    const part = segPart[2] as "base" | "limit" | "ar" | "selector";
    const key = part === "ar" ? "accessRights" : part;
    return {
      name,
      bits: part === "base" ? 64 : part === "selector" ? 16 : 32,
      read: () => BigInt(target.getSegment(s)[key]),
      write: (v) => {
        const c = { ...target.getSegment(s) };
        if (key === "base") c.base = v;
        else c[key] = Number(BigInt.asUintN(32, v));
        target.setSegment(s, c);
      },
    };
  }
  return undefined;
}

/** Every register name, for completions. */
export function registerNames(): string[] {
  return [
    ...GPR_NAMES,
    ...LEGACY32,
    ...LEGACY16,
    ...LOW8,
    ...HIGH8,
    "rip",
    "eip",
    "rflags",
    "eflags",
    "cr0",
    "cr2",
    "cr3",
    "cr4",
    "cr8",
    "dr0",
    "dr1",
    "dr2",
    "dr3",
    "dr6",
    "dr7",
    ...SEGMENT_NAMES.slice(0, 6),
  ];
}
