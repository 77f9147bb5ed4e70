// Completion: mnemonics, directives and macros at the start of a statement; registers, VMCS field names, MSR
// names, labels and constants in operands. Field and MSR names insert either the symbolic constant (defined
// on the fly when the file lacks it) or the number, as the user prefers.
import { MSRS, VMCS_FIELDS } from "../../arch/index";
import { defineConstantEdit, isDefined } from "./definitions";
import type { Analysis } from "./index";
import { INSTRUCTION_DOCS } from "./instruction-docs";
import { knownMnemonicList, VMX_INSTRUCTIONS } from "./mnemonics";
import { GPR64_NAMES, registerNames } from "./registers";
import { hex } from "./text";
import type { Position, TextEdit } from "./types";

export type CompletionKind = "mnemonic" | "register" | "directive" | "field" | "msr" | "label" | "constant" | "macro";

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  insertText?: string;
  filterText?: string;
  sortText?: string;
  additionalEdits?: TextEdit[];
}

const NASM_DIRECTIVE_NAMES = [
  "section",
  "segment",
  "bits",
  "use16",
  "use32",
  "use64",
  "global",
  "extern",
  "common",
  "static",
  "align",
  "alignb",
  "org",
  "default",
  "cpu",
  "incbin",
  "struc",
  "endstruc",
  "istruc",
  "at",
  "iend",
  "absolute",
  "times",
  "equ",
  "db",
  "dw",
  "dd",
  "dq",
  "dt",
  "do",
  "dy",
  "dz",
  "resb",
  "resw",
  "resd",
  "resq",
  "rest",
  "reso",
  "resy",
  "resz",
];
const NASM_PREPROCESSOR = [
  "%define",
  "%xdefine",
  "%assign",
  "%undef",
  "%include",
  "%macro",
  "%endmacro",
  "%if",
  "%ifdef",
  "%ifndef",
  "%elif",
  "%else",
  "%endif",
  "%rep",
  "%endrep",
  "%error",
  "%warning",
];
const GAS_DIRECTIVES = [
  ".text",
  ".data",
  ".bss",
  ".section",
  ".globl",
  ".global",
  ".extern",
  ".byte",
  ".word",
  ".short",
  ".long",
  ".int",
  ".quad",
  ".octa",
  ".ascii",
  ".asciz",
  ".string",
  ".align",
  ".balign",
  ".p2align",
  ".set",
  ".equ",
  ".equiv",
  ".include",
  ".macro",
  ".endm",
  ".rept",
  ".endr",
  ".irp",
  ".if",
  ".ifdef",
  ".ifndef",
  ".else",
  ".endif",
  ".intel_syntax",
  ".att_syntax",
  ".code16",
  ".code32",
  ".code64",
  ".zero",
  ".skip",
  ".space",
  ".fill",
  ".org",
  ".type",
  ".size",
  ".file",
  ".end",
];

export function completionsAt(
  a: Analysis,
  pos: Position,
  linePrefix: string,
  insert: "name" | "encoding",
): CompletionEntry[] {
  const syntax = a.syntax;
  const commentChar = syntax === "nasm" ? ";" : "#";
  if (linePrefix.includes(commentChar) && !/^\s*#\s*(include|define)/.test(linePrefix)) return [];
  // The statement being typed (GAS allows `;`-separated statements on a line).
  const stmtText = syntax === "gas" ? (linePrefix.split(";").pop() ?? "") : linePrefix;
  const afterLabel = stmtText.replace(/^\s*[A-Za-z_.$?@][\w.$?@]*:\s*/, "");
  const words = afterLabel.trimStart();
  const firstWord = !/\s/.test(words);
  const intel = isIntelAt(a, pos.line);
  const out: CompletionEntry[] = [];
  if (firstWord) {
    for (const m of knownMnemonicList()) {
      const e: CompletionEntry = { label: m, kind: "mnemonic" };
      if (INSTRUCTION_DOCS[m]) e.detail = INSTRUCTION_DOCS[m]!.summary.split(". ")[0];
      if (VMX_INSTRUCTIONS.has(m)) e.sortText = `0${m}`;
      out.push(e);
    }
    const dirs = syntax === "nasm" ? [...NASM_DIRECTIVE_NAMES, ...NASM_PREPROCESSOR] : GAS_DIRECTIVES;
    for (const d of dirs) out.push({ label: d, kind: "directive" });
    for (const [name, defs] of a.unit.defs)
      if (defs[0]?.kind === "macro") out.push({ label: name, kind: "macro", detail: "macro" });
    return out;
  }
  // Operands: the same list for every position of one analysis (it only depends on the syntax and symbols).
  const key = `${intel}|${insert}`;
  const cached = operandCache.get(a);
  if (cached?.key === key) return cached.items;
  const wantsPercent = !intel;
  for (const r of registerNames()) {
    const label = wantsPercent ? `%${r}` : r;
    const e: CompletionEntry = { label, kind: "register", sortText: GPR64_NAMES.includes(r) ? `1${r}` : `2${r}` };
    if (wantsPercent) e.filterText = label;
    out.push(e);
  }
  for (const f of VMCS_FIELDS) {
    const e: CompletionEntry = {
      label: f.name,
      kind: "field",
      detail: `VMCS ${hex(f.encoding)} · ${f.width === "natural" ? "natural" : `${f.width}-bit`} ${f.type}`,
      documentation: f.description,
      sortText: `3${f.name}`,
    };
    if (insert === "encoding") e.insertText = hex(f.encoding);
    else if (!isDefined(a, f.name)) e.additionalEdits = [defineConstantEdit(a, f.name, BigInt(f.encoding))];
    out.push(e);
  }
  for (const m of MSRS) {
    const e: CompletionEntry = {
      label: m.name,
      kind: "msr",
      detail: `MSR ${hex(m.index)} · ${m.access === "ro" ? "read-only" : "read/write"}`,
      documentation: m.description,
      sortText: `4${m.name}`,
    };
    if (insert === "encoding") e.insertText = hex(m.index);
    else if (!isDefined(a, m.name)) e.additionalEdits = [defineConstantEdit(a, m.name, BigInt(m.index))];
    out.push(e);
  }
  for (const [name, defs] of a.unit.defs) {
    const d = defs[0];
    if (!d || d.kind === "macro" || /^[0-9]+$/.test(name)) continue;
    const value = d.kind === "constant" ? a.unit.lookup(name) : undefined;
    const e: CompletionEntry = { label: name, kind: d.kind, sortText: `0${name}` };
    if (value?.k === "num") e.detail = hex(value.v);
    else e.detail = d.kind;
    out.push(e);
  }
  operandCache.set(a, { key, items: out });
  return out;
}

const operandCache = new WeakMap<Analysis, { key: string; items: CompletionEntry[] }>();

function isIntelAt(a: Analysis, line: number): boolean {
  const file = a.unit.files.get(a.file);
  if (!file) return a.syntax === "nasm";
  let intel = file.syntax === "nasm";
  for (const st of file.statements) {
    if (st.line > line) break;
    intel = st.intel;
  }
  return intel;
}
