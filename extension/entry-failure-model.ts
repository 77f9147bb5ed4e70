// What to show for a failed VM entry: decoration specs (the VMLAUNCH/VMRESUME line and every VMWRITE line
// that set an offending field, each with hover text) and the text of "Explain Last VM-Entry Failure".
// Pure, no vscode import.

import { normalize } from "node:path";
import type { SourceLocation, VmEntryFailureExplanation } from "../protocol/vmx-debug";
import { describeWrite, writeSite } from "./write-site";

export interface FailureDecoration {
  /** Normalized path (the adapter may report `dir/../file`). */
  file: string;
  /** 0-based. */
  line: number;
  kind: "entry" | "vmwrite";
  /** Markdown hover. */
  hover: string;
  /** Short text shown after the line. */
  after: string;
}

const KIND_TEXT = {
  vmfailInvalid: "VMfailInvalid",
  vmfailValid: "VMfailValid",
  entryFailureExit: "VM exit for a failed VM entry",
} as const;

export function failureHeadline(f: VmEntryFailureExplanation): string {
  const detail =
    f.kind === "vmfailValid" && f.errorNumber !== undefined
      ? ` (VM-instruction error ${f.errorNumber})`
      : f.kind === "entryFailureExit" && f.exitReason !== undefined
        ? ` (exit reason ${f.exitReason})`
        : "";
  return `${f.instruction.toUpperCase()} failed: ${KIND_TEXT[f.kind]}${detail} — check ${f.checkId}, SDM ${f.sdm}`;
}

/** One decoration per source line: the entry instruction, then each VMWRITE line (fields merged per line). */
export function entryFailureDecorations(f: VmEntryFailureExplanation): FailureDecoration[] {
  const out: FailureDecoration[] = [];
  const headline = failureHeadline(f);
  if (f.location) {
    out.push({
      file: normalize(f.location.file),
      line: f.location.line,
      kind: "entry",
      hover: `**${headline}**\n\n${f.message}${fieldList(f)}`,
      after: ` ✖ ${f.checkId}: ${firstSentence(f.message)}`,
    });
  }
  const byLine = new Map<string, { loc: SourceLocation; fields: string[] }>();
  for (const field of f.fields) {
    if (!field.provenance) continue;
    const p = writeSite(field.provenance);
    const key = `${normalize(p.file)}\n${p.line}`;
    const entry = byLine.get(key) ?? { loc: p, fields: [] };
    entry.fields.push(`\`${field.name}\` = \`${field.value}\``);
    byLine.set(key, entry);
  }
  for (const { loc, fields } of byLine.values()) {
    if (f.location && normalize(loc.file) === normalize(f.location.file) && loc.line === f.location.line) continue;
    out.push({
      file: normalize(loc.file),
      line: loc.line,
      kind: "vmwrite",
      hover: `This VMWRITE set ${fields.join(", ")}, which failed check **${f.checkId}** (SDM ${f.sdm}) at the ${f.instruction.toUpperCase()}.\n\n${f.message}`,
      after: ` ⚠ ${fields.map((x) => x.split("`")[1]).join(", ")} fails ${f.checkId}`,
    });
  }
  return out;
}

function fieldList(f: VmEntryFailureExplanation): string {
  if (f.fields.length === 0) return "";
  const rows = f.fields.map((x) => {
    const where = x.provenance ? ` — set at ${describeWrite(x.provenance)}` : "";
    return `- \`${x.name}\` = \`${x.value}\`${where}`;
  });
  return `\n\n${rows.join("\n")}`;
}

/** Plain text for the Explain command and the output channel. */
export function explainEntryFailure(f: VmEntryFailureExplanation): string {
  const lines = [failureHeadline(f), "", f.message];
  if (f.location) lines.push("", `At ${f.location.file}:${f.location.line + 1}`);
  if (f.fields.length > 0) {
    lines.push("", "Fields involved:");
    for (const x of f.fields) {
      const where = x.provenance ? `  (set at ${describeWrite(x.provenance)})` : "";
      lines.push(`  ${x.name} = ${x.value}${where}`);
    }
  }
  return lines.join("\n");
}

function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  const t = m ? m[1]! : s;
  return t.length > 100 ? `${t.slice(0, 97)}…` : t;
}
