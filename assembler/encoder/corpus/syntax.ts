// Test-only helpers for the golden corpus: a tiny parser of the NASM-style Intel text the corpus is written
// in (→ EncodeRequest operands), and its AT&T rendering for GNU as. Not a front end: no symbols, no
// expressions beyond `number`, `$+number`, `reg*scale`, sums inside brackets.

import { regInfo } from "../registers";
import type { ImmOperand, MemOperand, MemSize, Operand, PrefixName } from "../types";

export interface ParsedLine {
  prefixes: PrefixName[];
  mnemonic: string;
  operands: Operand[];
  branch?: "short" | "near";
  /** Per operand: the target was written `$+n` (relative to the instruction start). */
  relative: (bigint | undefined)[];
  /** Per operand: it uses `lab`, a label at address 0 (relocatable: the references pick full-size forms). */
  label: boolean[];
}

const SIZES: Record<string, MemSize> = {
  byte: 8,
  word: 16,
  dword: 32,
  qword: 64,
  tword: 80,
  oword: 128,
};
const PREFIXES = new Set([
  "lock",
  "rep",
  "repe",
  "repz",
  "repne",
  "repnz",
  "o16",
  "o32",
  "o64",
  "a16",
  "a32",
  "a64",
  "es",
  "cs",
  "ss",
  "ds",
  "fs",
  "gs",
]);

function parseNumber(t: string): bigint | undefined {
  const s = t.trim();
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(s)) return s.startsWith("-") ? -BigInt(s.slice(1)) : BigInt(s);
  return undefined;
}

/** Parse one corpus line written in NASM syntax. `address` resolves `$`. */
export function parseIntel(text: string, address: bigint): ParsedLine | string {
  const words = text.trim().split(/\s+/);
  const prefixes: PrefixName[] = [];
  while (words.length > 1 && PREFIXES.has(words[0]!.toLowerCase())) prefixes.push(words.shift() as PrefixName);
  const mnemonic = (words.shift() ?? "").toLowerCase();
  const rest = words.join(" ").trim();
  const line: ParsedLine = { prefixes, mnemonic, operands: [], relative: [], label: [] };
  if (rest === "") return line;
  for (const raw of splitOperands(rest)) {
    const r = parseOperand(raw, address, line);
    if (typeof r === "string") return `${r} in "${raw}"`;
    line.operands.push(r.op);
    line.relative.push(r.relative);
    line.label.push(/\blab\b/.test(raw));
  }
  return line;
}

function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "[") depth++;
    if (ch === "]") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function parseOperand(raw: string, address: bigint, line: ParsedLine): { op: Operand; relative?: bigint } | string {
  let s = raw.trim();
  let size: MemSize | undefined;
  let strict = false;
  let far = false;
  for (;;) {
    const m = /^(\w+)\s+(.*)$/.exec(s);
    const w = m?.[1]?.toLowerCase();
    if (!m || !w) break;
    if (w === "strict") strict = true;
    else if (w === "far") far = true;
    else if (w === "short" || w === "near") line.branch = w;
    else if (SIZES[w] !== undefined) size = SIZES[w];
    else break;
    s = m[2]!.trim();
  }
  const fm = /^(\[.*?)?\s*$/.exec(s) && s.includes("[") ? undefined : /^(\S+?)\s*:\s*(\S+)$/.exec(s);
  if (fm && !s.startsWith("[")) {
    const sel = parseNumber(fm[1]!);
    const offLabel = fm[2] === "lab";
    const off = offLabel ? 0n : parseNumber(fm[2]!);
    if (sel !== undefined && off !== undefined) {
      const far: Operand = { kind: "far", selector: sel, offset: off };
      if (offLabel) far.unresolved = true;
      if (size === 16 || size === 32) far.size = size;
      return { op: far };
    }
  }
  if (s.includes("[")) {
    const m = /^(?:(\w+)\s*:\s*)?\[(.*)\]$/.exec(s);
    if (!m) return "bad memory operand";
    const mem: MemOperand = { kind: "mem", scale: 1, disp: 0n };
    if (size !== undefined) mem.size = size;
    if (far) mem.far = true;
    if (m[1]) mem.seg = m[1].toLowerCase() as MemOperand["seg"];
    let inner = m[2]!.trim();
    const segIn = /^(\w\w)\s*:\s*(.*)$/.exec(inner);
    if (segIn && regInfo(segIn[1]!)?.cls === "seg") {
      mem.seg = segIn[1]!.toLowerCase() as MemOperand["seg"];
      inner = segIn[2]!;
    }
    for (;;) {
      const k = /^(rel|abs|byte|word|dword|qword)\s+(.*)$/i.exec(inner);
      if (!k) break;
      const w = k[1]!.toLowerCase();
      if (w === "rel") mem.rip = true;
      else if (w === "byte") mem.dispSize = 8;
      else if (w === "word") mem.dispSize = 16;
      else if (w === "dword") mem.dispSize = 32;
      else if (w === "qword") mem.dispSize = 64;
      inner = k[2]!;
    }
    let usedDollar = false;
    const terms = inner
      .replace(/\s+/g, "")
      .replace(/-/g, "+-")
      .split("+")
      .filter((t) => t !== "");
    for (const t of terms) {
      const neg = t.startsWith("-");
      const body = neg ? t.slice(1) : t;
      const sc = /^(\w+)\*(\d)$/.exec(body) ?? /^(\d)\*(\w+)$/.exec(body);
      if (sc) {
        const [reg, scale] = regInfo(sc[1]!) ? [sc[1]!, sc[2]!] : [sc[2]!, sc[1]!];
        if (mem.index) return "two index registers";
        mem.index = reg.toLowerCase();
        mem.scale = Number(scale) as 1 | 2 | 4 | 8;
        continue;
      }
      if (body.toLowerCase() === "rip") {
        // GNU as `disp(%rip)` with a plain number: the raw displacement.
        mem.rip = true;
        mem.ripRaw = true;
        continue;
      }
      if (regInfo(body)) {
        if (neg) return "negative register";
        if (!mem.base) mem.base = body.toLowerCase();
        else if (!mem.index) mem.index = body.toLowerCase();
        else return "too many registers";
        continue;
      }
      if (body === "lab") {
        mem.dispUnresolved = true;
        continue;
      }
      if (body === "$") {
        mem.disp += neg ? -address : address;
        usedDollar = true;
        continue;
      }
      const n = parseNumber(body);
      if (n === undefined) return `bad term ${t}`;
      mem.disp += neg ? -n : n;
    }
    return usedDollar ? { op: mem, relative: mem.disp - address } : { op: mem };
  }
  const r = regInfo(s);
  if (r) return { op: { kind: "reg", reg: s.toLowerCase() } };
  if (s === "lab") return { op: { kind: "imm", value: 0n, unresolved: true } };
  const rel = /^\$\s*([+-])\s*(\S+)$/.exec(s);
  if (rel || s === "$") {
    const n = rel ? parseNumber(rel[2]!) : 0n;
    if (n === undefined) return "bad $ offset";
    const d = rel?.[1] === "-" ? -n : n;
    return { op: { kind: "imm", value: address + d }, relative: d };
  }
  const n = parseNumber(s);
  if (n === undefined) return "bad operand";
  const op: Operand = { kind: "imm", value: n };
  if (size !== undefined && size <= 64) op.size = size as 8 | 16 | 32 | 64;
  if (strict) op.strict = true;
  return { op };
}

// ---------------------------------------------------------------------------------------------------
// AT&T rendering for GNU as.

const SUFFIX: Record<number, string> = { 8: "b", 16: "w", 32: "l", 64: "q" };
const NO_SUFFIX =
  /^(lgdt|lidt|sgdt|sidt|invlpg|invpcid|invept|invvpid|vm\w+|fx\w+|xsave\w*|xrstor\w*|clflush\w*|clwb|prefetch\w*|cmpxchg8b|cmpxchg16b|mov(aps|ups|apd|upd|dqa|dqu|ntdq|ntps|ntdqa|ss|d|q)|ldmxcsr|stmxcsr|f\w+|lea|lds|les|lss|lfs|lgs|movnti|lldt|ltr|verr|verw|lmsw)$/;
const ATT_NAMES: Record<string, string> = {
  cbw: "cbtw",
  cwde: "cwtl",
  cdqe: "cltq",
  cwd: "cwtd",
  cdq: "cltd",
  cqo: "cqto",
  movsd: "movsl",
  cmpsd: "cmpsl",
  stosd: "stosl",
  lodsd: "lodsl",
  scasd: "scasl",
  insd: "insl",
  outsd: "outsl",
  iretd: "iretl",
  pushfd: "pushfl",
  popfd: "popfl",
  pushad: "pushal",
  popad: "popal",
  retf: "lret",
  movsxd: "movslq",
};
const BRANCHES = /^(j\w+|call|loop\w*)$/;

function hexNum(v: bigint): string {
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

function attMem(m: MemOperand, rel: bigint | undefined, label: boolean): string {
  // `rel` is the displacement from the instruction start when the corpus wrote `$+n`.
  const seg = m.seg ? `%${m.seg}:` : "";
  if (m.rip && label) return `${seg}lab(%rip)`;
  if (m.rip) {
    const d = rel !== undefined ? `.${rel < 0n ? "-" : "+"}${hexNum(rel < 0n ? -rel : rel)}` : hexNum(m.disp);
    return `${seg}${d}(%rip)`;
  }
  const disp = label ? "lab" : m.disp !== 0n || (!m.base && !m.index) ? hexNum(m.disp) : "";
  if (!m.base && !m.index) return `${seg}${disp}`;
  const idx = m.index ? `,%${m.index},${m.scale}` : "";
  return `${seg}${disp}(${m.base ? `%${m.base}` : ""}${idx})`;
}

/** Render a parsed corpus line as the AT&T text GNU as gets. */
export function toAtt(p: ParsedLine): string {
  let mn = p.mnemonic;
  const ops = p.operands;
  const memOp = ops.find((o): o is MemOperand => o.kind === "mem");
  // A register that gives the operand size (not a shift count in CL or a port in DX).
  const hasGpr = ops.some(
    (o, i) =>
      o.kind === "reg" &&
      regInfo(o.reg)?.cls === "gpr" &&
      !(i > 0 && o.reg === "cl") &&
      !(o.reg === "dx" && /^(in|out)$/.test(p.mnemonic)),
  );
  const isBranch = BRANCHES.test(mn);
  let prefix = p.prefixes.map((x) => `${x} `).join("");
  if (mn === "movzx" || mn === "movsx") {
    const dst = ops[0]?.kind === "reg" ? regInfo(ops[0].reg)?.size : undefined;
    const src = ops[1]?.kind === "reg" ? regInfo(ops[1].reg)?.size : ops[1]?.kind === "mem" ? ops[1].size : undefined;
    if (mn === "movsx" && src === 32) mn = "movslq";
    else mn = `mov${mn[3]}${SUFFIX[src ?? 8]}${SUFFIX[dst ?? 32]}`;
  } else if (ATT_NAMES[mn] && !(mn === "movsd" && ops.length > 0) && !(mn === "cmpsd" && ops.length > 0)) {
    mn = ATT_NAMES[mn]!;
  } else if (
    !hasGpr &&
    !NO_SUFFIX.test(mn) &&
    !isBranch &&
    mn !== "jmp" &&
    (memOp?.size !== undefined || ops.some((o) => o.kind === "imm" && o.size !== undefined))
  ) {
    const immSized = ops.find((o): o is ImmOperand => o.kind === "imm" && o.size !== undefined);
    const size = memOp?.size ?? immSized?.size;
    if (size !== undefined && SUFFIX[size]) mn += SUFFIX[size];
  }
  if (memOp?.dispSize === 64) mn = "movabs";
  if ((mn === "jmp" || mn === "call") && (memOp?.far || ops[0]?.kind === "far")) {
    const f = ops[0];
    mn = `l${mn}${f?.kind === "far" && f.size ? SUFFIX[f.size] : ""}`;
  }
  const GAS_PREFIX: Record<string, string> = {
    o16: "data16",
    o32: "data32",
    o64: "rex64",
    a16: "addr16",
    a32: "addr32",
  };
  prefix = p.prefixes.map((x) => `${GAS_PREFIX[x] ?? x} `).join("");
  const star = isBranch && ops.length === 1 && (ops[0]?.kind === "reg" || ops[0]?.kind === "mem");
  const rendered = ops.map((o, i): string => {
    switch (o.kind) {
      case "reg":
        return `${star ? "*" : ""}%${o.reg}`;
      case "imm": {
        const rel = p.relative[i];
        if (rel !== undefined) return `.${rel < 0n ? "-" : "+"}${hexNum(rel < 0n ? -rel : rel)}`;
        if (p.label[i]) return "$lab";
        return `$${hexNum(o.value)}`;
      }
      case "mem":
        return `${star ? "*" : ""}${attMem(o, p.relative[i], p.label[i] === true)}`;
      default:
        return `$${hexNum(o.selector)},$${o.unresolved ? "lab" : hexNum(o.offset)}`;
    }
  });
  // Two immediates (ENTER), BOUND and MONITOR/MWAIT/INVLPGA keep Intel order in AT&T syntax.
  const twoImm = (ops.length === 2 && ops.every((o) => o.kind === "imm")) || /^(bound|monitor|mwait|invlpga)$/.test(mn);
  const ordered = twoImm ? rendered : [...rendered].reverse();
  return `${prefix}${mn}${ordered.length ? ` ${ordered.join(",")}` : ""}`.trim();
}

// ---------------------------------------------------------------------------------------------------
// GNU as `.intel_syntax noprefix` rendering (the third corpus dialect). Lines it cannot express faithfully
// (NASM-only keywords, far pointers, sized immediates) give undefined and are left out of that dialect.

const PTR: Record<number, string> = {
  8: "byte ptr ",
  16: "word ptr ",
  32: "dword ptr ",
  64: "qword ptr ",
  80: "tbyte ptr ",
  128: "xmmword ptr ",
};

function hexOff(v: bigint): string {
  return v < 0n ? ` - 0x${(-v).toString(16)}` : ` + 0x${v.toString(16)}`;
}

function gasIntelMem(m: MemOperand, rel: bigint | undefined, label: boolean): string | undefined {
  if (m.far || m.dispSize !== undefined) return undefined;
  const size = m.size === undefined ? "" : PTR[m.size];
  if (size === undefined) return undefined;
  const seg = m.seg ? `${m.seg}:` : "";
  if (m.rip) {
    const target = label
      ? "lab"
      : rel !== undefined
        ? `(.${hexOff(rel).replace(/ /g, "")})`
        : `0x${m.disp.toString(16)}`;
    if (!label && rel === undefined && !m.ripRaw) return undefined;
    return `${size}${seg}[rip + ${target}]`;
  }
  const parts: string[] = [];
  if (m.base) parts.push(m.base);
  // GNU as reads a lone `[eax]` as a base; an index without a base keeps its `*1` (`[eax*1]` is SIB, disp32).
  if (m.index) parts.push(m.scale === 1 && m.base ? m.index : `${m.index}*${m.scale}`);
  let inner = parts.join(" + ");
  if (label) inner += inner ? " + lab" : "lab";
  if (m.disp !== 0n || inner === "") inner += inner ? hexOff(m.disp) : `0x${m.disp.toString(16)}`;
  return `${size}${seg}[${inner}]`;
}

/** Render a parsed corpus line for GNU as in `.intel_syntax noprefix` mode, or undefined. */
export function toGasIntel(p: ParsedLine): string | undefined {
  if (p.branch) return undefined;
  const GAS_PREFIX: Record<string, string> = {
    o16: "data16",
    o32: "data32",
    o64: "rex64",
    a16: "addr16",
    a32: "addr32",
  };
  const prefix = p.prefixes.map((x) => `${GAS_PREFIX[x] ?? x} `).join("");
  const ops: string[] = [];
  for (let i = 0; i < p.operands.length; i++) {
    const o = p.operands[i]!;
    if (o.kind === "reg") ops.push(o.reg);
    else if (o.kind === "far")
      return undefined; // GNU as Intel syntax spells far pointers differently
    else if (o.kind === "imm") {
      if (o.size !== undefined || o.strict) return undefined;
      const rel = p.relative[i];
      if (rel !== undefined) ops.push(`.${hexOff(rel).replace(/ /g, "")}`);
      else if (p.label[i]) ops.push("offset lab");
      else ops.push(o.value < 0n ? `-0x${(-o.value).toString(16)}` : `0x${o.value.toString(16)}`);
    } else {
      const m = gasIntelMem(o, p.relative[i], p.label[i] === true);
      if (m === undefined) return undefined;
      ops.push(m);
    }
  }
  return `${prefix}${p.mnemonic}${ops.length ? ` ${ops.join(", ")}` : ""}`;
}
