// The VMX rules: each turns data-flow facts at a VMX site into diagnostics that name the field or MSR, the
// SDM section, and the fix. Rules read arch/ for every encoding, name and capability.
import { fieldByEncoding, fieldByNameOrHigh, type VmcsField, widthBits } from "../../arch/index";
import { decodeCached } from "./arch-cache";
import { type FlowResult, regionKey, type Val, type VmcsSite } from "./dataflow";
import { alignmentFromSource, labelAlignment, staticRevision } from "./layout";
import type { Unit } from "./project";
import type { Statement } from "./syntax";
import { describeVal, hex, mnemonicRange, opRange } from "./text";
import type { AnalysisDiagnostic, CodeFix } from "./types";
import {
  collectControlValues,
  controlChecks,
  fieldFeatureCheck,
  type ModelContext,
  msrChecks,
} from "./vmx-model-checks";

/** True when a value is very likely a field encoding: a valid one, named as a field or not a tiny number. */
function looksLikeEncoding(v: Val | undefined): boolean {
  if (v?.k !== "num") return false;
  if (!decodeCached(v.v).valid) return false;
  if (v.origin?.symbol && fieldByNameOrHigh(v.origin.symbol)) return true;
  return v.v >= 0x800n;
}

function swapFix(site: VmcsSite): CodeFix | undefined {
  const st = site.stmt;
  const [a, b] = st.operands;
  if (!a || !b) return undefined;
  // After the swap the field operand must be a register (ModRM.reg); a memory operand cannot hold it.
  if (site.valOp.kind !== "reg" || st.expansion) return undefined;
  return {
    title: `Swap the ${st.name?.toUpperCase()} operands`,
    preferred: true,
    edits: [
      { file: st.file, range: opRange(st, a), newText: b.text },
      { file: st.file, range: opRange(st, b), newText: a.text },
    ],
  };
}

function orderHint(site: VmcsSite): string {
  const intel = site.stmt.intel;
  if (site.kind === "vmread")
    return intel
      ? "In Intel syntax VMREAD is `vmread destination, field` (field encoding second)."
      : "In AT&T syntax VMREAD is `vmread %field, destination` (field encoding first).";
  return intel
    ? "In Intel syntax VMWRITE is `vmwrite field, value` (field encoding first)."
    : "In AT&T syntax VMWRITE is `vmwrite value, %field` (field encoding second).";
}

function vmcsSiteChecks(_unit: Unit, site: VmcsSite, model: ModelContext, out: AnalysisDiagnostic[]): void {
  const st = site.stmt;
  const name = site.kind.toUpperCase();
  const enc = site.enc;
  const encIsValid = enc?.k === "num" && decodeCached(enc.v).valid;
  if (
    !encIsValid &&
    looksLikeEncoding(site.val) &&
    (enc !== undefined || site.val?.origin?.symbol !== undefined || site.kind === "vmread")
  ) {
    const other = fieldByEncoding((site.val as { v: bigint }).v);
    const fix = swapFix(site);
    out.push({
      file: st.file,
      range: opRange(st, {
        start: Math.min(site.encOp.start, site.valOp.start),
        end: Math.max(site.encOp.end, site.valOp.end),
      }),
      severity: "error",
      code: "vmx-swapped-operands",
      message:
        `${name} operands look swapped: the field operand ${describeVal(site.encOp, enc)} is ${enc ? "not a VMCS field encoding" : "unknown"}, ` +
        `while ${describeVal(site.valOp, site.val)} is the encoding of ${other?.field.name ?? "a field"}${other?.high ? " (HIGH)" : ""}. ` +
        `${orderHint(site)} SDM Vol. 3C 31.3 (${name}).`,
      ...(fix ? { fixes: [fix] } : {}),
    });
    return;
  }
  if (enc?.k !== "num") return;
  const d = decodeCached(enc.v);
  if (!d.valid) {
    const code = d.reservedBitsSet
      ? "vmcs-reserved-bits"
      : d.accessType === "high" && d.width !== "64"
        ? "vmcs-high-access"
        : "vmcs-unknown-field";
    const suggestion = nearestField(enc.v);
    out.push({
      file: st.file,
      range: opRange(st, site.encOp),
      severity: "error",
      code,
      message:
        `${name} with ${describeVal(site.encOp, enc)}: ${d.problems.join("; ")}. The instruction fails with VMfailValid(12) ` +
        `"${name} from/to unsupported VMCS component" (SDM Vol. 3C 25.11.2, Appendix B).` +
        (suggestion ? ` Did you mean ${suggestion.name} (${hex(suggestion.encoding)})?` : ""),
    });
    return;
  }
  const f = d.field;
  if (!f) return;
  const high = d.accessType === "high";
  // Built only for a message (this runs for every VMREAD/VMWRITE on every edit).
  const label = () => `${f.name}${high ? "_HIGH" : ""} (${hex(enc.v)})`;
  fieldFeatureCheck(model, site, f, label, out);
  if (site.kind !== "vmwrite") return;
  if (f.type === "read-only" && !model.writableExitInfo) {
    out.push({
      file: st.file,
      range: opRange(st, site.encOp),
      severity: "error",
      code: "vmwrite-read-only",
      message:
        `VMWRITE to ${label()}, a read-only VM-exit information field: it fails with VMfailValid(13) "VMWRITE to read-only ` +
        `VMCS component" on ${model.name}, which does not set IA32_VMX_MISC[29] (SDM Vol. 3C 25.9, 31.3 VMWRITE). ` +
        `Exit information is written by the processor on VM exits; read it with VMREAD.`,
    });
  }
  const v = site.val;
  if (v?.k === "num") {
    const bits = high ? 32 : widthBits(f.width);
    if (bits < 64 && v.v >> BigInt(bits) !== 0n) {
      out.push({
        file: st.file,
        range: opRange(st, site.valOp),
        severity: "warning",
        code: "vmcs-value-too-wide",
        message:
          `VMWRITE of ${describeVal(site.valOp, v)} to ${label()}, a ${bits}-bit ${high ? "HIGH half" : "field"}: bits ${bits} and up ` +
          `are silently dropped (SDM Vol. 3C 31.3 VMWRITE), so the field gets ${hex(v.v & ((1n << BigInt(bits)) - 1n))}.`,
      });
    }
    if (!high) controlChecks(model, site, f, v, out);
  }
}

function nearestField(enc: bigint): VmcsField | undefined {
  // A common slip: the HIGH bit on a natural-width field, or a transposed digit. Offer the full encoding.
  const low = enc & 0x7ffen;
  return fieldByEncoding(low)?.field;
}

export function vmxDiagnostics(
  unit: Unit,
  flow: FlowResult,
  model: ModelContext,
  addresses?: ReadonlyMap<string, bigint>,
): AnalysisDiagnostic[] {
  const out: AnalysisDiagnostic[] = [];
  collectControlValues(model, flow.vmcs);
  for (const site of flow.vmcs) vmcsSiteChecks(unit, site, model, out);
  for (const site of flow.msr) msrChecks(model, site, out);

  // Regions.
  const vmxonRegions = new Set<string>();
  for (const r of flow.regions) if (r.kind === "vmxon" && r.pointer) vmxonRegions.add(regionKey(r.pointer));
  const alignmentReported = new Set<string>();
  const revisionReported = new Set<string>();
  for (const r of flow.regions) {
    const st = r.stmt;
    const name = r.kind.toUpperCase();
    const range = opRange(st, r.op);
    const p = r.pointer;
    if (!p) continue;
    const key = regionKey(p);
    const region =
      p.k === "num" ? `the region at ${hex(p.v)}${p.origin?.symbol ? ` (${p.origin.symbol})` : ""}` : p.label;
    const where = p.k === "num" ? region : `${region}${p.off ? ` + ${hex(p.off)}` : ""}`;
    if (p.k === "num") {
      if (p.v % 4096n !== 0n && !alignmentReported.has(key)) {
        alignmentReported.add(key);
        out.push({
          file: st.file,
          range,
          severity: "error",
          code: "region-misaligned",
          message: `${name} operand points at physical address ${hex(p.v)}, which is not 4-KiB aligned: ${name} fails (${failText(r.kind)}). SDM Vol. 3C 31.3 (${name}).`,
        });
      }
    } else {
      const align = p.off % 4096n !== 0n ? "misaligned" : labelAlignment(unit, p.label, addresses);
      if (align !== "aligned" && !alignmentReported.has(where)) {
        alignmentReported.add(where);
        const def = unit.defs.get(p.label)?.[0];
        const fixes: CodeFix[] = [];
        if (def && alignmentFromSource(unit, p.label) === "unknown" && p.off === 0n) {
          const syntax = unit.files.get(def.file)?.syntax ?? "nasm";
          const indent = "";
          const directive = syntax === "nasm" ? (inBss(unit, def.stmt) ? "alignb 4096" : "align 4096") : ".balign 4096";
          fixes.push({
            title: `Insert \`${directive}\` before ${region}`,
            preferred: true,
            edits: [
              {
                file: def.file,
                range: {
                  start: { line: def.range.start.line, character: 0 },
                  end: { line: def.range.start.line, character: 0 },
                },
                newText: `${indent}${directive}\n`,
              },
            ],
          });
        }
        out.push({
          file: st.file,
          range,
          severity: align === "misaligned" ? "error" : "warning",
          code: align === "misaligned" ? "region-misaligned" : "region-alignment-unknown",
          message:
            align === "misaligned"
              ? `${name} region ${where} is not 4-KiB aligned${addresses?.has(region) ? ` (it is at ${hex(addresses.get(region)! + p.off)} in the assembled layout)` : ""}: ${name} fails (${failText(r.kind)}). VMXON regions and VMCSs must start on a 4-KiB boundary (SDM Vol. 3C 25.2, 25.11.5).`
              : `${name} region ${region} has no 4-KiB alignment directive before it, so nothing guarantees the 4-KiB alignment ${name} requires (${failText(r.kind)}); add ${unit.files.get(def?.file ?? "")?.syntax === "gas" ? "`.balign 4096`" : "`align 4096`"} before the label (SDM Vol. 3C 25.2, 25.11.5).`,
          ...(fixes.length ? { fixes } : {}),
        });
      }
    }
    if ((r.kind === "vmptrld" || r.kind === "vmclear") && vmxonRegions.has(key)) {
      out.push({
        file: st.file,
        range,
        severity: "error",
        code: "vmptrld-vmxon-region",
        message:
          r.kind === "vmptrld"
            ? `VMPTRLD of ${region}, the region given to VMXON: it fails with VMfailValid(10) "VMPTRLD with VMXON pointer". Give each VMCS its own 4-KiB region (SDM Vol. 3C 31.3 VMPTRLD).`
            : `VMCLEAR of ${region}, the region given to VMXON: it fails with VMfail(3) "VMCLEAR with VMXON pointer" (SDM Vol. 3C 31.3 VMCLEAR).`,
      });
    }
    if (r.kind === "vmptrld" && r.cleared && !r.cleared.has(key) && !vmxonRegions.has(key)) {
      out.push({
        file: st.file,
        range,
        severity: "warning",
        code: "vmptrld-without-vmclear",
        message:
          `VMPTRLD of ${region}, which is not VMCLEARed on every path before it. A new VMCS must be VMCLEARed first so its ` +
          `launch state is "clear" and its data is initialized (SDM Vol. 3C 25.11.3); otherwise VMLAUNCH fails with VMfailValid(4). Add \`vmclear\` with the same operand before this VMPTRLD.`,
      });
    }
    if ((r.kind === "vmxon" || r.kind === "vmptrld") && (p.k === "num" || p.off === 0n) && !revisionReported.has(key)) {
      revisionReported.add(key);
      if (!flow.storedAtStart.has(key) && !(p.k === "addr" && staticRevision(unit, p.label)))
        out.push({
          file: st.file,
          range,
          severity: "warning",
          code: "region-no-revision-id",
          message:
            `No revision identifier is written into ${region} before this ${name}. Bits 30:0 of the first dword must hold the ` +
            `VMCS revision identifier from IA32_VMX_BASIC[30:0] (read it with RDMSR ECX=0x480 and store EAX into the region), ` +
            `or ${name} fails (${r.kind === "vmxon" ? "VMfailInvalid" : "VMfailValid(11)"}). SDM Vol. 3C 25.2, 25.11.5.`,
        });
    }
  }

  // Unchecked VMX failures: one diagnostic per instruction.
  const seen = new Set<Statement>();
  for (const u of flow.unchecked) {
    if (seen.has(u.stmt)) continue;
    seen.add(u.stmt);
    out.push({
      file: u.stmt.file,
      range: mnemonicRange(u.stmt),
      severity: "warning",
      code: "vmx-unchecked-failure",
      message:
        `The result of ${u.mnemonic.toUpperCase()} is never tested: \`${u.overwriterName}\` on line ${u.overwrittenBy.line + 1} overwrites ` +
        `CF/ZF first. ${u.mnemonic.toUpperCase()} reports VMfailInvalid in CF and VMfailValid in ZF (error number in ` +
        `VM_INSTRUCTION_ERROR); test them right after it, e.g. \`jbe vmx_fail\` (SDM Vol. 3C 31.2).`,
    });
  }
  return out;
}

function failText(kind: "vmxon" | "vmclear" | "vmptrld"): string {
  return kind === "vmxon" ? "VMfailInvalid" : kind === "vmclear" ? "VMfail(2)" : "VMfail(9)";
}

function inBss(unit: Unit, st: Statement): boolean {
  const all = unit.statements;
  for (let k = all.indexOf(st); k >= 0; k--) {
    const s = all[k]!;
    if (s.kind === "directive" && (s.name === "section" || s.name === "segment"))
      return s.args.some((t) => /bss/i.test(t.text));
  }
  return false;
}
