// Hovers: instructions (operands in the file's syntax, behaviour, failures, exits), VMCS field encodings and
// named constants (field metadata and the decoded value written), MSR numbers and names, registers holding a
// value at a VMX site, labels and constants.
import {
  EXIT_REASON,
  fieldByEncoding,
  fieldByNameOrHigh,
  formatValue,
  ioPort,
  type MsrInfo,
  msrByIndex,
  msrByName,
  VM_INSTRUCTION_ERRORS,
  type VmcsField,
} from "../../arch/index";
import type { Val } from "./dataflow";
import type { Analysis } from "./index";
import { INSTRUCTION_DOCS, MOV_CR_NOTE } from "./instruction-docs";
import { targetAt } from "./locate";
import { baseMnemonic } from "./mnemonics";
import type { Statement } from "./syntax";
import { hex } from "./text";
import type { Position, Range } from "./types";

export interface HoverResult {
  markdown: string;
  range: Range;
}

const WIDTH_TEXT: Record<VmcsField["width"], string> = {
  "16": "16-bit",
  "32": "32-bit",
  "64": "64-bit",
  natural: "natural-width",
};

export function fieldMarkdown(f: VmcsField, high: boolean, value?: bigint): string {
  const enc = high ? f.encoding | 1 : f.encoding;
  const lines = [
    `**${f.name}${high ? "_HIGH" : ""}** — VMCS field \`${hex(enc)}\``,
    "",
    f.description + (high ? " (upper 32 bits, HIGH access)" : ""),
    "",
    `| | |\n|---|---|\n| width | ${WIDTH_TEXT[f.width]}${high ? " (HIGH half: 32 bits)" : ""} |\n| type | ${f.type} |\n| group | ${f.group} |\n| access | ${
      f.type === "read-only" ? "read-only: VMWRITE fails with error 13 unless IA32_VMX_MISC[29] = 1" : "read/write"
    } |${f.feature ? `\n| needs | ${f.feature} |` : ""}\n| SDM | Appendix ${f.sdm}; ${f.see} |`,
  ];
  if (f.aliases?.length) lines.push("", `Also known as ${f.aliases.map((a) => `\`${a}\``).join(", ")}.`);
  if (value !== undefined) {
    lines.push("", `Value written: \`${hex(value)}\``);
    const decoded = safeFormat(() => formatValue(f, high ? value << 32n : value));
    if (decoded.length) lines.push("", "```", ...decoded, "```");
  }
  return lines.join("\n");
}

export function msrMarkdown(m: MsrInfo, value?: bigint): string {
  const lines = [
    `**${m.name}** — MSR \`${hex(m.index)}\` (${m.access === "ro" ? "read-only: WRMSR raises #GP" : "read/write"})`,
    "",
    m.description,
    "",
    `SDM ${m.sdm}`,
  ];
  if (m.bits?.length) {
    lines.push("", "| bits | name | meaning |", "|---|---|---|");
    for (const b of m.bits) {
      const bits = b.lsb === b.msb ? `${b.lsb}` : `${b.msb}:${b.lsb}`;
      lines.push(`| ${bits} | ${b.name} | ${b.description} |`);
    }
  }
  if (value !== undefined) {
    lines.push("", `Value: \`${hex(value)}\``);
    const decoded = safeFormat(() => formatValue(m, value));
    if (decoded.length) lines.push("", "```", ...decoded, "```");
  }
  return lines.join("\n");
}

function safeFormat(fn: () => string[]): string[] {
  try {
    return fn();
  } catch {
    return [];
  }
}

function instructionMarkdown(a: Analysis, st: Statement, base: string): string | undefined {
  const doc = INSTRUCTION_DOCS[base];
  if (!doc) {
    if (base === "mov" && st.operands.some((o) => o.reg && /^(cr|dr)\d$/.test(o.reg)))
      return `**MOV to/from a control or debug register**\n\n${MOV_CR_NOTE}`;
    return undefined;
  }
  const forms = st.intel ? doc.intel : doc.att;
  const lines = [
    `**${base.toUpperCase()}** (${st.intel ? "Intel" : "AT&T"} syntax)`,
    "",
    "```asm",
    ...forms,
    "```",
    "",
    doc.summary,
  ];
  if (doc.failures) lines.push("", `**Fails:** ${doc.failures}`);
  if (doc.errors?.length) {
    lines.push("", "| error | VM_INSTRUCTION_ERROR |", "|---|---|");
    for (const n of doc.errors) lines.push(`| ${n} | ${VM_INSTRUCTION_ERRORS[n] ?? ""} |`);
  }
  if (doc.exits?.length) {
    lines.push("", "**In a guest:**");
    for (const e of doc.exits) {
      const n = (EXIT_REASON as Readonly<Record<string, number>>)[e.reason];
      lines.push(`- VM exit ${n !== undefined ? `${n} ` : ""}(${e.reason}) ${e.when}`);
    }
  }
  lines.push("", `SDM ${doc.sdm}`);
  // What this particular instruction does here, from the data flow.
  const site = a.flow.vmcs.find((s) => s.stmt === st);
  if (site?.enc?.k === "num") {
    const f = fieldByEncoding(site.enc.v);
    if (f)
      lines.push(
        "",
        "---",
        "",
        `Here: field **${f.field.name}${f.high ? "_HIGH" : ""}** (\`${hex(site.enc.v)}\`)${site.kind === "vmwrite" && site.val?.k === "num" ? ` ← \`${hex(site.val.v)}\`` : ""}`,
      );
  }
  const msr = a.flow.msr.find((s) => s.stmt === st);
  if (msr) {
    const ecx = msr.ecx?.k === "num" ? msr.ecx.v & 0xffff_ffffn : undefined;
    const info = ecx !== undefined ? msrByIndex(Number(ecx)) : undefined;
    lines.push(
      "",
      "---",
      "",
      ecx === undefined
        ? "Here: ECX is not known."
        : `Here: ECX = \`${hex(ecx)}\`${info ? ` — **${info.name}**` : " (not a known MSR)"}`,
    );
    if (info) lines.push("", msrMarkdown(info, msr.kind === "wrmsr" ? msr.value : undefined));
  }
  return lines.join("\n");
}

function valueText(v: Val): string {
  return v.k === "num" ? `\`${hex(v.v)}\` (${v.v})` : `address of \`${v.label}\`${v.off ? ` + ${hex(v.off)}` : ""}`;
}

/** If `value` (at `stmt`, from literal/symbol range) feeds a VMX or MSR site, explain it as a field or MSR. */
function siteMeaning(a: Analysis, st: Statement, start: number): string | undefined {
  for (const s of a.flow.vmcs) {
    for (const v of [s.enc, s.val]) {
      if (v?.k !== "num" || v.origin?.stmt !== st || v.origin.start > start || v.origin.end < start) continue;
      if (v === s.enc) {
        const f = fieldByEncoding(v.v);
        if (f) return fieldMarkdown(f.field, f.high);
      } else if (s.kind === "vmwrite" && s.enc?.k === "num") {
        const f = fieldByEncoding(s.enc.v);
        if (f)
          return `Value written to **${f.field.name}${f.high ? "_HIGH" : ""}** at line ${s.stmt.line + 1}\n\n${fieldMarkdown(f.field, f.high, v.v)}`;
      }
    }
  }
  for (const s of a.flow.msr) {
    const v = s.ecx;
    if (v?.k === "num" && v.origin?.stmt === st && v.origin.start <= start && v.origin.end >= start) {
      const m = msrByIndex(Number(v.v & 0xffff_ffffn));
      if (m) return msrMarkdown(m);
    }
  }
  return undefined;
}

/** IN/OUT: the port a number (immediate, constant or DX's value) names, from arch/'s table. */
function portMarkdown(st: Statement, value: bigint): string | undefined {
  const base = baseMnemonic(st.name ?? "", st.intel).base;
  if (base !== "in" && base !== "out") return undefined;
  const p = value >= 0n && value <= 0xffffn ? ioPort(Number(value)) : undefined;
  if (!p) return undefined;
  const tail = p.emulated ? "" : "\n\n(Not a device of the emulator: reads return all-ones, writes are ignored.)";
  return `**I/O port ${p.port.toString(16).toUpperCase()}h** — ${p.name}\n\n${p.description}${tail}`;
}

function numberMarkdown(value: bigint): string {
  const parts = [`\`${hex(value)}\` = ${value}`];
  if (value < 1n << 32n) parts.push(`= 0b${value.toString(2)}`);
  return parts.join(" ");
}

export function hoverAt(a: Analysis, pos: Position): HoverResult | undefined {
  const t = targetAt(a, pos);
  if (!t) return undefined;
  switch (t.kind) {
    case "mnemonic": {
      const base = baseMnemonic(t.stmt.name ?? "", t.stmt.intel).base;
      const md = instructionMarkdown(a, t.stmt, base);
      return md ? { markdown: md, range: t.range } : undefined;
    }
    case "include":
      return {
        markdown: t.target ? `Includes \`${t.target}\`` : "Include file not found (check `vmx.includePaths`).",
        range: t.range,
      };
    case "number": {
      const v = t.value;
      const meaning = siteMeaning(a, t.stmt, t.range.start.character) ?? portMarkdown(t.stmt, v);
      return { markdown: [numberMarkdown(v), meaning].filter(Boolean).join("\n\n---\n\n"), range: t.range };
    }
    case "symbol": {
      const defs = a.unit.defs.get(t.name) ?? [];
      const def = defs[0];
      const parts: string[] = [];
      const value = a.unit.lookup(t.name);
      if (def?.kind === "constant") {
        const line = a.unit.files.get(def.file)?.lines[def.range.start.line]?.trim() ?? "";
        parts.push(
          `**${def.name}** — constant \`${line}\`${value?.k === "num" ? ` = ${numberMarkdown(value.v)}` : ""}`,
        );
      } else if (def?.kind === "label") {
        const line = a.unit.files.get(def.file)?.lines[def.range.start.line]?.trim() ?? "";
        parts.push(
          `**${def.name}** — label, line ${def.range.start.line + 1}${def.file !== a.file ? ` of \`${def.file}\`` : ""}\n\n\`\`\`asm\n${line}\n\`\`\``,
        );
      } else if (def?.kind === "macro") {
        parts.push(
          `**${def.name}** — macro, line ${def.range.start.line + 1}${def.file !== a.file ? ` of \`${def.file}\`` : ""}`,
        );
      }
      if (defs.length > 1) parts.push(`Defined ${defs.length} times.`);
      const port = value?.k === "num" ? portMarkdown(t.stmt, value.v) : undefined;
      if (port) parts.push(port);
      // A field or MSR by name, or by the value a constant holds at a VMX site.
      const field = fieldByNameOrHigh(t.written);
      const num = value?.k === "num" ? value.v : undefined;
      if (field && (num === undefined || num === BigInt(field.high ? field.field.encoding | 1 : field.field.encoding)))
        parts.push(fieldMarkdown(field.field, field.high));
      else {
        const meaning = siteMeaning(a, t.stmt, t.range.start.character);
        if (meaning) parts.push(meaning);
        else {
          const m = msrByName(t.written);
          if (m && (num === undefined || num === BigInt(m.index))) parts.push(msrMarkdown(m));
          else if (num !== undefined) {
            // A constant with its own name used as a field encoding or an MSR index somewhere in the unit.
            const asField = a.flow.vmcs.find((x) => x.enc?.origin?.symbol === t.written && x.enc.k === "num");
            const f = asField?.enc?.k === "num" ? fieldByEncoding(asField.enc.v) : undefined;
            const asMsr = a.flow.msr.find((x) => x.ecx?.origin?.symbol === t.written);
            const msr = asMsr ? msrByIndex(Number(num & 0xffff_ffffn)) : undefined;
            if (f)
              parts.push(
                `Used as a VMCS field encoding (line ${asField!.stmt.line + 1}):\n\n${fieldMarkdown(f.field, f.high)}`,
              );
            else if (msr) parts.push(`Used as an MSR index (line ${asMsr!.stmt.line + 1}):\n\n${msrMarkdown(msr)}`);
          }
        }
      }
      return parts.length ? { markdown: parts.join("\n\n---\n\n"), range: t.range } : undefined;
    }
    case "operand": {
      const op = t.operand;
      const st = t.stmt;
      const regs = a.flow.registerValues.get(st);
      const site = a.flow.vmcs.find((s) => s.stmt === st);
      if (op.kind === "reg" && op.reg) {
        const v = regs?.get(op.reg);
        const parts: string[] = [
          `\`${op.reg}\` = ${v ? valueText(v) : "unknown here"}${v?.origin && v.origin.stmt !== st ? ` (from line ${v.origin.stmt.line + 1})` : ""}`,
        ];
        const port = op.reg === "dx" && v?.k === "num" ? portMarkdown(st, v.v) : undefined;
        if (port) parts.push(port);
        if (site && v?.k === "num") {
          if (op === site.encOp) {
            const f = fieldByEncoding(v.v);
            if (f) parts.push(fieldMarkdown(f.field, f.high));
          } else if (site.kind === "vmwrite" && site.enc?.k === "num") {
            const f = fieldByEncoding(site.enc.v);
            if (f) parts.push(fieldMarkdown(f.field, f.high, v.v));
          }
        }
        return { markdown: parts.join("\n\n---\n\n"), range: t.range };
      }
      const region = a.flow.regions.find((r) => r.stmt === st && r.op === op);
      if (region?.pointer)
        return {
          markdown: `The m64 operand holds ${valueText(region.pointer)}: the ${region.kind === "vmxon" ? "VMXON region" : "VMCS"}.`,
          range: t.range,
        };
      if (op.expr && op.kind === "imm") {
        const v = a.unit.evaluate(op.expr, st);
        if (v?.k === "num") return { markdown: numberMarkdown(v.v), range: t.range };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
