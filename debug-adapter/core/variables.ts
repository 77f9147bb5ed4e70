// The variables model: scopes (general, segment, control/debug registers, MSRs, VMX, VMCS groups) as a tree
// of plain nodes with decoded bits, writable leaves, and "changed since the last stop" marks. session.ts
// turns nodes into DAP variables.
import {
  ACCESS_RIGHTS_BITS,
  type BitField,
  CR0_BITS,
  CR4_BITS,
  DR7_BITS,
  decodeBits,
  describeAccessRights,
  EFER_BITS,
  EXIT_REASONS,
  exitQualificationBits,
  MSR,
  MSRS,
  RFLAGS_BITS,
  VMCS,
  VMCS_FIELDS,
  type VmcsField,
  type VmcsGroup,
  vmcsFieldBits,
  widthBits,
} from "../../arch/index";
import type { DebugEngine, VmwriteRecord } from "./engine";
import { formatNumber, type NumberFormat, parseNumber } from "./format";
import { GPR_NAMES, SEGMENT_NAMES } from "./registers";
import type { DebugTarget } from "./target";

export interface VarNode {
  name: string;
  value: string;
  type?: string;
  /** Children, computed when the client expands the node. */
  children?: () => VarNode[];
  evaluateName?: string;
  memoryReference?: string;
  /** Writes a new value typed by the user; returns nothing, throws an Error with a message on failure. */
  set?: (text: string) => void;
  changed?: boolean;
  readOnly?: boolean;
  /** For data breakpoints: the dataId this variable can be watched under. */
  dataId?: string;
}

export interface ScopeNode {
  name: string;
  /** DAP presentation hint: "registers" for register groups. */
  hint?: "registers" | "locals";
  expensive: boolean;
  children: () => VarNode[];
}

/** Values at the previous stop and at the current one, by key ("GPR.rax", "VMCS.GUEST_RIP" …). */
export class ChangeTracker {
  private previous = new Map<string, bigint>();
  private current = new Map<string, bigint>();

  /** At every stop: what was current becomes previous. */
  nextStop(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** Records a value seen at this stop and says whether it differs from the previous stop's. */
  see(key: string, value: bigint): boolean {
    this.current.set(key, value);
    const p = this.previous.get(key);
    return p !== undefined && p !== value;
  }
}

function bitsNodes(fields: readonly BitField[], value: bigint, tracker: ChangeTracker, keyPrefix: string): VarNode[] {
  return decodeBits(fields, value).map((d) => ({
    name:
      d.field.msb === d.field.lsb
        ? `[${d.field.lsb}] ${d.field.name}`
        : `[${d.field.msb}:${d.field.lsb}] ${d.field.name}`,
    value: d.text,
    type: d.field.description,
    readOnly: true,
    changed: tracker.see(`${keyPrefix}.${d.field.name}`, d.value),
  }));
}

function parseOrThrow(text: string): bigint {
  const v = parseNumber(text);
  if (v === undefined) throw new Error(`'${text}' is not a number (hex 0x…, decimal, binary 0b…)`);
  return v;
}

export interface VariablesContext {
  engine: DebugEngine;
  tracker: ChangeTracker;
  format: NumberFormat;
}

function reg(
  ctx: VariablesContext,
  key: string,
  name: string,
  bits: number,
  read: () => bigint,
  write: ((v: bigint) => void) | undefined,
  decode?: readonly BitField[],
): VarNode {
  const v = read();
  const node: VarNode = {
    name,
    value: formatNumber(v, bits, ctx.format),
    type: `${bits}-bit`,
    evaluateName: name,
    changed: ctx.tracker.see(key, v),
  };
  if (write) node.set = (text) => write(parseOrThrow(text));
  else node.readOnly = true;
  if (decode) node.children = () => bitsNodes(decode, read(), ctx.tracker, key);
  return node;
}

export function generalScope(ctx: VariablesContext): VarNode[] {
  const t = ctx.engine.target;
  const out: VarNode[] = GPR_NAMES.map((n, i) =>
    reg(
      ctx,
      `GPR.${n}`,
      n,
      64,
      () => t.readGpr(i),
      (v) => t.writeGpr(i, v),
    ),
  );
  for (const n of out) n.memoryReference = n.value.startsWith("0x") ? n.value : undefined;
  out.push(
    reg(
      ctx,
      "GPR.rip",
      "rip",
      64,
      () => t.getRip(),
      (v) => t.setRip(v),
    ),
  );
  out.push(
    reg(
      ctx,
      "GPR.rflags",
      "rflags",
      64,
      () => t.getRflags(),
      (v) => t.setRflags(v),
      RFLAGS_BITS,
    ),
  );
  return out;
}

export function segmentScope(ctx: VariablesContext): VarNode[] {
  const t = ctx.engine.target;
  const out: VarNode[] = [];
  SEGMENT_NAMES.forEach((name, i) => {
    const s = t.getSegment(i);
    const key = `SEG.${name}`;
    const changed =
      ctx.tracker.see(`${key}.selector`, BigInt(s.selector)) ||
      ctx.tracker.see(`${key}.base`, s.base) ||
      ctx.tracker.see(`${key}.ar`, BigInt(s.accessRights));
    out.push({
      name,
      value: `${formatNumber(BigInt(s.selector), 16, ctx.format)}  base=${formatNumber(s.base, 64, ctx.format)} limit=${formatNumber(BigInt(s.limit), 32, ctx.format)}`,
      type: describeAccessRights(s.accessRights),
      evaluateName: name,
      changed,
      readOnly: i >= 6,
      set:
        i < 6
          ? (text) => {
              t.setSegment(i, { ...t.getSegment(i), selector: Number(parseOrThrow(text) & 0xffffn) });
            }
          : undefined,
      children: () => {
        const c = t.getSegment(i);
        return [
          reg(
            ctx,
            `${key}.selector`,
            "selector",
            16,
            () => BigInt(t.getSegment(i).selector),
            (v) => t.setSegment(i, { ...t.getSegment(i), selector: Number(v & 0xffffn) }),
          ),
          reg(
            ctx,
            `${key}.base`,
            "base",
            64,
            () => t.getSegment(i).base,
            (v) => t.setSegment(i, { ...t.getSegment(i), base: v }),
          ),
          reg(
            ctx,
            `${key}.limit`,
            "limit",
            32,
            () => BigInt(t.getSegment(i).limit),
            (v) => t.setSegment(i, { ...t.getSegment(i), limit: Number(v & 0xffffffffn) }),
          ),
          {
            ...reg(
              ctx,
              `${key}.ar`,
              "access rights",
              32,
              () => BigInt(t.getSegment(i).accessRights),
              (v) => t.setSegment(i, { ...t.getSegment(i), accessRights: Number(v & 0xffffffffn) }),
              ACCESS_RIGHTS_BITS,
            ),
            type: describeAccessRights(c.accessRights),
          },
        ];
      },
    });
  });
  const g = t.getGdtr();
  const d = t.getIdtr();
  out.push({
    name: "gdtr",
    value: `base=${formatNumber(g.base, 64, ctx.format)} limit=${formatNumber(BigInt(g.limit), 16, ctx.format)}`,
    readOnly: true,
    changed: ctx.tracker.see("SEG.gdtr", g.base * 65536n + BigInt(g.limit)),
  });
  out.push({
    name: "idtr",
    value: `base=${formatNumber(d.base, 64, ctx.format)} limit=${formatNumber(BigInt(d.limit), 16, ctx.format)}`,
    readOnly: true,
    changed: ctx.tracker.see("SEG.idtr", d.base * 65536n + BigInt(d.limit)),
  });
  return out;
}

export function controlScope(ctx: VariablesContext): VarNode[] {
  const t = ctx.engine.target;
  const cr = (n: 0 | 2 | 3 | 4 | 8, bits?: readonly BitField[]) =>
    reg(
      ctx,
      `CR.cr${n}`,
      `cr${n}`,
      64,
      () => t.readCr(n),
      (v) => t.writeCr(n, v),
      bits,
    );
  const out = [cr(0, CR0_BITS), cr(2), cr(3), cr(4, CR4_BITS), cr(8)];
  const efer = t.readMsr(MSR.IA32_EFER);
  if (efer !== undefined)
    out.push({
      ...reg(
        ctx,
        "CR.efer",
        "efer",
        64,
        () => t.readMsr(MSR.IA32_EFER) ?? 0n,
        (v) => void t.writeMsr(MSR.IA32_EFER, v),
        EFER_BITS,
      ),
      evaluateName: "IA32_EFER",
    });
  for (const n of [0, 1, 2, 3, 6, 7])
    out.push(
      reg(
        ctx,
        `DR.dr${n}`,
        `dr${n}`,
        64,
        () => t.readDr(n),
        (v) => t.writeDr(n, v),
        n === 7 ? DR7_BITS : undefined,
      ),
    );
  return out;
}

export function msrScope(ctx: VariablesContext): VarNode[] {
  const t = ctx.engine.target;
  const out: VarNode[] = [];
  for (const m of MSRS) {
    const v = t.readMsr(m.index);
    if (v === undefined) continue;
    const node = reg(
      ctx,
      `MSR.${m.name}`,
      m.name,
      64,
      () => t.readMsr(m.index) ?? 0n,
      m.access === "rw"
        ? (x) => {
            if (!t.writeMsr(m.index, x)) throw new Error(`${m.name}: write refused`);
          }
        : undefined,
      m.bits,
    );
    node.type = `MSR 0x${m.index.toString(16)}: ${m.description}`;
    node.dataId = `msr:${m.name}`;
    out.push(node);
  }
  return out;
}

export const VMCS_GROUPS: readonly { group: VmcsGroup; title: string }[] = [
  { group: "guest-state", title: "Guest state" },
  { group: "host-state", title: "Host state" },
  { group: "vm-execution-control", title: "VM-execution controls" },
  { group: "vm-exit-control", title: "VM-exit controls" },
  { group: "vm-entry-control", title: "VM-entry controls" },
  { group: "vm-exit-information", title: "VM-exit information" },
];

/** The basic exit reason now in the VMCS, for decoding EXIT_QUALIFICATION. */
export function currentExitReason(target: DebugTarget): number | undefined {
  const r = target.vmx.readField(VMCS.EXIT_REASON);
  return r === undefined ? undefined : Number(r & 0xffffn);
}

export function fieldBits(target: DebugTarget, f: VmcsField): readonly BitField[] | undefined {
  if (f.encoding === VMCS.EXIT_QUALIFICATION) {
    const r = currentExitReason(target);
    return r === undefined ? undefined : exitQualificationBits(r);
  }
  return vmcsFieldBits(f);
}

/** " — set at hv.asm:271, called from hv.asm:300" for a field's last VMWRITE. */
function setAt(p: VmwriteRecord | undefined): string {
  if (!p?.location) return "";
  const from = p.calledFrom ? `, called from ${baseName(p.calledFrom.file)}:${p.calledFrom.line + 1}` : "";
  return ` — set at ${baseName(p.location.file)}:${p.location.line + 1}${from}`;
}

function fieldNode(ctx: VariablesContext, f: VmcsField): VarNode | undefined {
  const t = ctx.engine.target;
  if (!t.vmx.fieldSupported(f.encoding)) return undefined;
  const v = t.vmx.readField(f.encoding);
  if (v === undefined) return undefined;
  const bits = widthBits(f.width);
  const key = `VMCS.${f.name}`;
  const prov = ctx.engine.provenance(f.encoding);
  const decode = fieldBits(t, f);
  const node: VarNode = {
    name: f.name,
    value: formatNumber(v, bits, ctx.format),
    type: `${f.width === "natural" ? "natural-width" : `${f.width}-bit`} ${f.type} field 0x${f.encoding.toString(16).padStart(4, "0")} (SDM ${f.sdm})${setAt(prov)}`,
    evaluateName: f.name,
    changed: ctx.tracker.see(key, v),
    dataId: `vmcs:${f.name}`,
    set: (text) => {
      if (!t.vmx.writeField(f.encoding, parseOrThrow(text))) throw new Error(`${f.name}: cannot write`);
    },
  };
  if (decode) node.children = () => bitsNodes(decode, t.vmx.readField(f.encoding) ?? 0n, ctx.tracker, key);
  return node;
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

export function vmcsGroupNodes(ctx: VariablesContext, group: VmcsGroup): VarNode[] {
  return VMCS_FIELDS.filter((f) => f.group === group)
    .map((f) => fieldNode(ctx, f))
    .filter((n): n is VarNode => n !== undefined);
}

export function vmcsScope(ctx: VariablesContext): VarNode[] {
  const t = ctx.engine.target;
  if (t.vmx.currentVmcs() === undefined)
    return [{ name: "(no current VMCS)", value: "VMPTRLD has not loaded a VMCS", readOnly: true }];
  return VMCS_GROUPS.map((g) => ({
    name: g.title,
    value: "",
    readOnly: true,
    children: () => vmcsGroupNodes(ctx, g.group),
  }));
}

export function vmxScope(ctx: VariablesContext): VarNode[] {
  const e = ctx.engine;
  const t = e.target;
  const op = t.vmx.operation();
  const out: VarNode[] = [
    {
      name: "operation",
      value:
        op === "off"
          ? "off (not in VMX operation)"
          : op === "root"
            ? "VMX root operation"
            : "VMX non-root operation (guest)",
      readOnly: true,
    },
  ];
  const p = t.vmx.vmxonPointer();
  if (p !== undefined)
    out.push({
      name: "VMXON pointer",
      value: formatNumber(p, 64, ctx.format),
      readOnly: true,
      memoryReference: `0x${p.toString(16)}`,
    });
  const c = t.vmx.currentVmcs();
  out.push({
    name: "current VMCS",
    value: c === undefined ? "none (FFFFFFFF_FFFFFFFFH)" : formatNumber(c, 64, ctx.format),
    readOnly: true,
    memoryReference: c === undefined ? undefined : `0x${c.toString(16)}`,
  });
  const ls = t.vmx.launchState();
  if (ls) out.push({ name: "launch state", value: ls, readOnly: true });
  const last = e.exits.entries[e.exits.length - 1];
  if (last) {
    const r = EXIT_REASONS[last.reason];
    out.push({
      name: "last exit reason",
      value: `${last.reason} ${r?.name ?? "unknown"}${last.entryFailure ? " (VM-entry failure)" : ""}`,
      type: r?.description,
      readOnly: true,
    });
    const qbits = exitQualificationBits(last.reason);
    out.push({
      name: "last exit qualification",
      value: formatNumber(last.qualification, 64, ctx.format),
      readOnly: true,
      children: qbits ? () => bitsNodes(qbits, last.qualification, ctx.tracker, "VMX.qual") : undefined,
    });
    out.push({
      name: "last exit guest RIP",
      value: formatNumber(last.guestRip, 64, ctx.format),
      readOnly: true,
      memoryReference: `0x${last.guestRip.toString(16)}`,
    });
    out.push({ name: "VM exits so far", value: String(e.exits.length), readOnly: true });
  }
  const f = e.lastEntryFailure();
  if (f) {
    out.push({
      name: "last VM-entry failure",
      value: `${f.checkId} (SDM ${f.sdm}): ${f.message}`,
      readOnly: true,
      children: () =>
        f.fields.map((fd) => ({
          name: fd.name,
          value: `0x${fd.value.toString(16)}`,
          type: fd.provenance?.location ? setAt(fd.provenance).replace(/^ — /, "") : "not written by the program",
          readOnly: true,
        })),
    });
  }
  return out;
}

const PIT_MODES = [
  "interrupt on terminal count",
  "hardware-retriggerable one-shot",
  "rate generator",
  "square wave",
  "software-triggered strobe",
  "hardware-triggered strobe",
];

const hex2 = (v: number) => `${v.toString(16).toUpperCase().padStart(2, "0")}h`;

/**
 * The "Devices" scope: the 8259A pair (IRR, ISR, IMR, vector base), the 8254's channels (mode, count, output),
 * the INTR line, a pending INIT and the device time — what decides when the next external interrupt comes.
 */
export function devicesScope(ctx: VariablesContext): VarNode[] {
  const d = ctx.engine.target.devices();
  const byte = (key: string, name: string, v: number, type: string): VarNode => ({
    name,
    value: hex2(v),
    type,
    readOnly: true,
    changed: ctx.tracker.see(key, BigInt(v)),
  });
  const pic = (key: string, name: string, p: typeof d.master, ports: string): VarNode => ({
    name,
    value: `IRR ${hex2(p.irr)} ISR ${hex2(p.isr)} IMR ${hex2(p.imr)}, vectors ${hex2(p.vectorBase)}-${hex2(p.vectorBase + 7)}`,
    type: `8259A at ${ports}`,
    readOnly: true,
    changed: ctx.tracker.see(`${key}`, BigInt(p.irr | (p.isr << 8) | (p.imr << 16) | (p.vectorBase << 24))),
    children: () => [
      byte(`${key}.irr`, "IRR", p.irr, "interrupt request register: lines requesting, not yet acknowledged"),
      byte(`${key}.isr`, "ISR", p.isr, "in-service register: acknowledged, waiting for an EOI"),
      byte(`${key}.imr`, "IMR", p.imr, "interrupt mask register (OCW1): masked lines"),
      byte(`${key}.base`, "vector base", p.vectorBase, "ICW2: the vector of IR0"),
      { name: "automatic EOI", value: p.autoEoi ? "yes" : "no", readOnly: true },
    ],
  });
  const out: VarNode[] = [
    {
      name: "INTR",
      value: d.intr ? "high (an interrupt is requested)" : "low",
      type: "the master PIC's output to the processor",
      readOnly: true,
    },
  ];
  if (d.initPending) out.push({ name: "INIT", value: "pending (blocked in VMX root operation)", readOnly: true });
  out.push(pic("DEV.pic0", "PIC master", d.master, "20h/21h"), pic("DEV.pic1", "PIC slave", d.slave, "A0h/A1h"));
  d.pit.forEach((c, n) => {
    const key = `DEV.pit${n}`;
    out.push({
      name: `PIT channel ${n}${n === 0 ? " (IRQ0)" : n === 2 ? " (port 61h)" : ""}`,
      value: c.armed ? `mode ${c.mode}, count ${c.count} of ${c.reload}` : "idle (no count written)",
      type: c.armed ? PIT_MODES[c.mode] : undefined,
      readOnly: true,
      changed: ctx.tracker.see(key, BigInt(c.count)),
      children: () => [
        { name: "mode", value: `${c.mode} (${PIT_MODES[c.mode] ?? "?"})`, readOnly: true },
        { name: "count", value: String(c.count), readOnly: true },
        { name: "reload", value: String(c.reload), readOnly: true },
        { name: "access", value: c.access, readOnly: true },
        { name: "output", value: c.output ? "high" : "low", readOnly: true },
        { name: "gate", value: c.gate ? "high" : "low", readOnly: true },
      ],
    });
  });
  out.push({
    name: "next timer interrupt",
    value:
      d.nextTimerEvent === Number.POSITIVE_INFINITY
        ? "none scheduled"
        : `in ${d.nextTimerEvent - d.deviceTime} instructions (IRQ0 edge)`,
    readOnly: true,
  });
  out.push({
    name: "device time",
    value: String(d.deviceTime),
    type: "retired instructions plus time halted; the 8254 counts one clock every 4",
    readOnly: true,
  });
  return out;
}

/** Records every value of every scope at a stop, so "changed" is right even for scopes never expanded. */
export function recordStopValues(ctx: VariablesContext): void {
  ctx.tracker.nextStop();
  generalScope(ctx);
  segmentScope(ctx);
  controlScope(ctx);
  if (ctx.engine.target.vmx.currentVmcs() !== undefined) for (const g of VMCS_GROUPS) vmcsGroupNodes(ctx, g.group);
}

export function scopes(ctx: VariablesContext): ScopeNode[] {
  return [
    { name: "General registers", hint: "registers", expensive: false, children: () => generalScope(ctx) },
    { name: "Segment registers", hint: "registers", expensive: false, children: () => segmentScope(ctx) },
    { name: "Control and debug registers", hint: "registers", expensive: false, children: () => controlScope(ctx) },
    { name: "MSRs", hint: "registers", expensive: true, children: () => msrScope(ctx) },
    { name: "VMX", expensive: false, children: () => vmxScope(ctx) },
    { name: "VMCS", expensive: false, children: () => vmcsScope(ctx) },
    { name: "Devices", expensive: false, children: () => devicesScope(ctx) },
  ];
}
