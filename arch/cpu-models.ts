// CPU models: processors whose VMX capability MSRs, CR0/CR4 fixed MSRs and CPUID the emulator, the lint and
// the VM-entry checks use. Every value is measured or cited; see each model's `source`.
import type { CpuFeatures, CpuidResult, CpuidRow, CpuModel } from "./cpu-model-types";
import { CONROE_CPUID } from "./models/core2-conroe-cpuid";
import { PENRYN_CPUID } from "./models/core2-penryn-cpuid";
import { SANDY_BRIDGE_CPUID } from "./models/sandy-bridge-cpuid";
import { SKYLAKE_X_CPUID } from "./models/skylake-x-cpuid";
import { MSR } from "./msrs";

export type { CpuFeatures, CpuidResult, CpuidRow, CpuModel } from "./cpu-model-types";

/** Leaves whose output depends on the subleaf in ECX (SDM Vol. 2A CPUID). */
const INDEXED_LEAVES = new Set([0x4, 0x7, 0xb, 0xd, 0xf, 0x10, 0x12, 0x14, 0x17, 0x18, 0x1f]);

/**
 * CPUID as Intel processors (and Bochs) answer it: listed rows; zero for unlisted leaves within range; a leaf
 * above the highest basic/extended leaf returns the highest basic leaf (SDM Vol. 2A CPUID, "If a value entered
 * for CPUID.EAX is higher than the maximum input value…"); leaf 0BH echoes the subleaf in ECX[7:0] for levels
 * past the last one (measured under Bochs 2.7: the whole subleaf is echoed).
 */
export function cpuidFromRows(rows: readonly CpuidRow[]): (leaf: number, subleaf: number) => CpuidResult {
  const table = new Map<string, CpuidResult>();
  for (const [leaf, sub, a, b, c, d] of rows)
    table.set(`${leaf >>> 0}.${sub >>> 0}`, [a >>> 0, b >>> 0, c >>> 0, d >>> 0]);
  const maxBasic = table.get("0.0")?.[0] ?? 0;
  const maxExt = table.get(`${0x80000000}.0`)?.[0] ?? 0;
  const has0b = rows.some((r) => r[0] === 0xb);
  return (leafIn: number, subleafIn: number): CpuidResult => {
    let leaf = leafIn >>> 0;
    const subleaf = subleafIn >>> 0;
    const inBasic = leaf <= maxBasic;
    const inExt = leaf >= 0x80000000 && leaf <= maxExt;
    if (!inBasic && !inExt) leaf = maxBasic;
    const sub = INDEXED_LEAVES.has(leaf) ? subleaf : 0;
    const hit = table.get(`${leaf}.${sub}`);
    if (hit) return hit;
    if (leaf === 0xb && has0b && sub > 0) return [0, 0, sub, 0];
    return [0, 0, 0, 0];
  };
}

const bitSet = (v: bigint | undefined, b: number): boolean => v !== undefined && ((v >> BigInt(b)) & 1n) === 1n;

/** The features a model's MSR and CPUID values imply (SDM Appendix A). */
export function deriveFeatures(msr: ReadonlyMap<number, bigint>, cpuid: CpuModel["cpuid"]): CpuFeatures {
  const basic = msr.get(0x480);
  const trueControls = bitSet(basic, 55);
  const pin = msr.get(trueControls ? 0x48d : 0x481);
  const proc = msr.get(trueControls ? 0x48e : 0x482);
  const secondaryControls = bitSet(proc, 32 + 31);
  const proc2 = secondaryControls ? msr.get(0x48b) : undefined;
  const fc = msr.get(0x3a) ?? 0n;
  return {
    vmx: ((cpuid(1, 0)[2] >>> 5) & 1) === 1,
    trueControls,
    secondaryControls,
    tertiaryControls: bitSet(proc, 32 + 17),
    ept: bitSet(proc2, 32 + 1),
    vpid: bitSet(proc2, 32 + 5),
    unrestrictedGuest: bitSet(proc2, 32 + 7),
    vmcsShadowing: bitSet(proc2, 32 + 14),
    preemptionTimer: bitSet(pin, 32 + 6),
    virtualNmis: bitSet(pin, 32 + 5),
    postedInterrupts: bitSet(pin, 32 + 7),
    pml: bitSet(proc2, 32 + 17),
    vmFunctions: bitSet(proc2, 32 + 13),
    vmwriteAnyField: bitSet(msr.get(0x485), 29),
    monitorTrapFlag: bitSet(proc, 32 + 27),
    vmxEnabledByFirmware: (fc & 5n) === 5n,
  };
}

interface ModelSpec {
  name: string;
  description: string;
  source: string;
  msr: Record<number, bigint>;
  cpuid: readonly CpuidRow[];
}

function makeModel(spec: ModelSpec): CpuModel {
  const msr: ReadonlyMap<number, bigint> = new Map(Object.entries(spec.msr).map(([k, v]) => [Number(k), v]));
  const cpuid = cpuidFromRows(spec.cpuid);
  const physicalAddressWidth = cpuid(0x80000008, 0)[0] & 0xff;
  return Object.freeze({
    name: spec.name,
    description: spec.description,
    source: spec.source,
    physicalAddressWidth,
    msr,
    cpuid,
    features: Object.freeze(deriveFeatures(msr, cpuid)),
  });
}

// MSRs every model here shares. IA32_FEATURE_CONTROL = 5 (lock | VMXON outside SMX) is what the Bochs BIOS
// writes (and what the oracle's boot stub writes when it finds the MSR unlocked), so programs see it locked
// and enabled; IA32_APIC_BASE = FEE00900H (enabled, BSP), IA32_MTRRCAP = 508H and IA32_PAT = 0007040600070406H
// (the power-up value, SDM Vol. 3A 13.12.4) were read under Bochs 2.7. IA32_SMM_MONITOR_CTL exists when
// CPUID.1:ECX.VMX = 1 and reads 0 (VALID clear: no dual-monitor treatment, so VMCALL in VMX root operation is
// VMfailValid 1, SDM Vol. 3C 33.15.5 and 31.3 "VMCALL"); Bochs 2.7 lacks it (#GP), the oracle's SDM-corrected
// shared/oracle/observed/negative.sdm.out reads 0.
// It is writable only in SMM, which these models never enter, so WRMSR to it raises #GP.
const COMMON_MSRS: Record<number, bigint> = {
  27: 0xfee00900n,
  58: 0x5n,
  [MSR.IA32_SMM_MONITOR_CTL]: 0n,
  254: 0x508n,
  631: 0x0007040600070406n,
};

const BOCHS_SOURCE = (model: string) =>
  `Bochs 2.7 \`cpu: model=${model}\` (Debian bochs 2.7+dfsg-4): RDMSR 3AH, 480H-493H and CPUID read by a dump payload under the oracle harness (shared/oracle); 480H-491H of corei7_skylake_x also in shared/oracle/observed/basic_launch.out`;

// Bochs 2.7 corei7_skylake_x, measured (identical to shared/oracle/observed/basic_launch.out).
const SKYLAKE_X_VMX_MSRS: Record<number, bigint> = {
  1152: 0x00d810000000002bn, // IA32_VMX_BASIC: revision 2BH, 4096 bytes, WB, INS/OUTS info, TRUE controls
  1153: 0x0000007f00000016n, // IA32_VMX_PINBASED_CTLS (no posted interrupts)
  1154: 0xf7f9fffe0401e172n, // IA32_VMX_PROCBASED_CTLS
  1155: 0x007fffff00036dffn, // IA32_VMX_EXIT_CTLS
  1156: 0x0000ffff000011ffn, // IA32_VMX_ENTRY_CTLS
  1157: 0x00000000600401e0n, // IA32_VMX_MISC: rate 0, LMA store, HLT/shutdown/SIPI, 4 CR3 targets, VMWRITE any
  1158: 0x0000000080000021n, // IA32_VMX_CR0_FIXED0: PG, NE, PE
  1159: 0x00000000ffffffffn, // IA32_VMX_CR0_FIXED1
  1160: 0x0000000000002000n, // IA32_VMX_CR4_FIXED0: VMXE
  1161: 0x00000000003727ffn, // IA32_VMX_CR4_FIXED1
  1162: 0x0000000000000034n, // IA32_VMX_VMCS_ENUM: highest index 1AH
  1163: 0x02177fff00000000n, // IA32_VMX_PROCBASED_CTLS2
  1164: 0x00000f0106334141n, // IA32_VMX_EPT_VPID_CAP
  1165: 0x0000007f00000016n, // IA32_VMX_TRUE_PINBASED_CTLS
  1166: 0xf7f9fffe04006172n, // IA32_VMX_TRUE_PROCBASED_CTLS
  1167: 0x007fffff00036dfbn, // IA32_VMX_TRUE_EXIT_CTLS
  1168: 0x0000ffff000011fbn, // IA32_VMX_TRUE_ENTRY_CTLS
  1169: 0x0000000000000001n, // IA32_VMX_VMFUNC: EPTP switching
};

// Bochs 2.7 corei7_sandy_bridge_2600k, measured. Differs from skylake-x in IA32_VMX_MISC[29] = 0 (VMWRITE to
// exit-information fields fails with error 13, see shared/oracle/observed/negative.sandy_bridge.out),
// CR4_FIXED1, PROCBASED_CTLS2 (no VMCS shadowing, PML, VMFUNC …), EPT_VPID_CAP, and no IA32_VMX_VMFUNC.
const SANDY_BRIDGE_VMX_MSRS: Record<number, bigint> = {
  ...SKYLAKE_X_VMX_MSRS,
  1157: 0x00000000000401e0n,
  1161: 0x00000000000627ffn,
  1163: 0x000000ff00000000n,
  1164: 0x00000f0106114141n,
};
delete SANDY_BRIDGE_VMX_MSRS[0x491];

// Bochs 2.7 core2_penryn_t9600, measured: TRUE controls, secondary controls limited to virtualize APIC accesses
// and WBINVD exiting, no EPT/VPID (no IA32_VMX_EPT_VPID_CAP), no VM functions, no preemption timer.
const PENRYN_VMX_MSRS: Record<number, bigint> = {
  1152: 0x00d810000000002bn,
  1153: 0x0000003f00000016n,
  1154: 0xf7f9fffe0401e172n,
  1155: 0x0003ffff00036dffn,
  1156: 0x00003fff000011ffn,
  1157: 0x00000000000401e0n,
  1158: 0x0000000080000021n,
  1159: 0x00000000ffffffffn,
  1160: 0x0000000000002000n,
  1161: 0x00000000000467ffn,
  1162: 0x0000000000000034n,
  1163: 0x0000004100000000n,
  1165: 0x0000003f00000016n,
  1166: 0xf7f9fffe04006172n,
  1167: 0x0003ffff00036dfbn,
  1168: 0x00003fff000011fbn,
};

// A first-generation VT-x processor, measured: Intel Core 2 Extreme X6800 (Conroe, CPUID 6F6H), as read by
// VBoxCpuReport v5.2.1r118907 (linux.amd64, 2017-11-04) and published in VirtualBox's CPU database,
// src/VBox/VMM/VMMR3/cpus/Intel_Core2_X6800_2_93GHz.h (github.com/VirtualBox/virtualbox, commit
// 4908d8d1a85c75c0eefb6a4c5c8a9f07211ad8f1). IA32_VMX_BASIC[55] = 0, so the TRUE_ MSRs (48DH-490H) do not exist
// and the default1 controls must be 1 (SDM A.2); IA32_VMX_PROCBASED_CTLS[63] = 0, so there are no secondary
// controls and no IA32_VMX_PROCBASED_CTLS2 (SDM A.3.2, A.3.3). The processor implements nothing at 48BH-491H.
const CONROE_VMX_MSRS: Record<number, bigint> = {
  1152: 0x001a040000000007n, // IA32_VMX_BASIC: revision 7, 1024 bytes, WB, dual-monitor SMM, no INS/OUTS info, no TRUE
  1153: 0x0000001f00000016n, // IA32_VMX_PINBASED_CTLS: external-interrupt and NMI exiting; no virtual NMIs
  1154: 0x77b9fffe0401e172n, // IA32_VMX_PROCBASED_CTLS: no NMI-window exiting, no MTF, no secondary controls
  1155: 0x0003efff00036dffn, // IA32_VMX_EXIT_CTLS: no load IA32_PERF_GLOBAL_CTRL, no PAT/EFER controls
  1156: 0x00001fff000011ffn, // IA32_VMX_ENTRY_CTLS: no load IA32_PERF_GLOBAL_CTRL, no PAT/EFER controls
  1157: 0x00000000000403c0n, // IA32_VMX_MISC: HLT/shutdown/SIPI, 4 CR3 targets, no LMA store; bit 9 set as read
  1158: 0x0000000080000021n, // IA32_VMX_CR0_FIXED0: PG, NE, PE
  1159: 0x00000000ffffffffn, // IA32_VMX_CR0_FIXED1
  1160: 0x0000000000002000n, // IA32_VMX_CR4_FIXED0: VMXE
  1161: 0x00000000000027ffn, // IA32_VMX_CR4_FIXED1: CR4 bits 10:0 and VMXE
  1162: 0x000000000000002cn, // IA32_VMX_VMCS_ENUM: highest index 16H
};

export const CPU_MODELS: readonly CpuModel[] = Object.freeze([
  makeModel({
    name: "skylake-x",
    description:
      "Intel Core i7-7800X (Skylake-X) as Bochs 2.7 models it: EPT, VPID, unrestricted guest, VMCS shadowing, PML, VMFUNC, preemption timer, TRUE controls",
    source: BOCHS_SOURCE("corei7_skylake_x"),
    msr: { ...COMMON_MSRS, ...SKYLAKE_X_VMX_MSRS },
    cpuid: SKYLAKE_X_CPUID,
  }),
  makeModel({
    name: "sandy-bridge",
    description:
      "Intel Core i7-2600K (Sandy Bridge) as Bochs 2.7 models it: EPT, VPID, unrestricted guest, no VMCS shadowing, VMWRITE to read-only fields fails (IA32_VMX_MISC[29] = 0)",
    source: BOCHS_SOURCE("corei7_sandy_bridge_2600k"),
    msr: { ...COMMON_MSRS, ...SANDY_BRIDGE_VMX_MSRS },
    cpuid: SANDY_BRIDGE_CPUID,
  }),
  makeModel({
    name: "core2-penryn",
    description:
      "Intel Core 2 Duo T9600 (Penryn) as Bochs 2.7 models it: TRUE controls, secondary controls without EPT/VPID",
    source: BOCHS_SOURCE("core2_penryn_t9600"),
    msr: { ...COMMON_MSRS, ...PENRYN_VMX_MSRS },
    cpuid: PENRYN_CPUID,
  }),
  makeModel({
    name: "core2-first-gen",
    description:
      "First-generation VT-x: Intel Core 2 Extreme X6800 (Conroe), measured on the real processor: no secondary controls, no TRUE capability MSRs (IA32_VMX_BASIC[55] = 0), VMCS revision 7, 36-bit physical addresses",
    source:
      "Real Intel Core 2 Extreme X6800 (CPUID 6F6H) read by VBoxCpuReport v5.2.1r118907 on linux.amd64, 2017-11-04: VirtualBox CPU database src/VBox/VMM/VMMR3/cpus/Intel_Core2_X6800_2_93GHz.h (github.com/VirtualBox/virtualbox @ 4908d8d1a85c75c0eefb6a4c5c8a9f07211ad8f1); IA32_VMX_BASIC, 481H-48AH, IA32_FEATURE_CONTROL = 5, IA32_APIC_BASE, IA32_MTRRCAP and CPUID from that dump",
    msr: { ...COMMON_MSRS, ...CONROE_VMX_MSRS },
    cpuid: CONROE_CPUID,
  }),
  makeModel({
    name: "vmx-locked-off",
    description:
      "skylake-x with VMX disabled by firmware: IA32_FEATURE_CONTROL = 1 (locked, VMXON outside SMX not enabled), so VMXON raises #GP",
    source: `${BOCHS_SOURCE("corei7_skylake_x")}; IA32_FEATURE_CONTROL set to 1 (SDM 24.7: VMXON #GP unless lock and enable bits are set)`,
    msr: { ...COMMON_MSRS, ...SKYLAKE_X_VMX_MSRS, 58: 0x1n },
    cpuid: SKYLAKE_X_CPUID,
  }),
]);

export const DEFAULT_CPU_MODEL = "skylake-x";

/** The model with this name (case-insensitive); undefined for unknown names. */
export function cpuModel(name: string = DEFAULT_CPU_MODEL): CpuModel | undefined {
  const n = name.trim().toLowerCase();
  return CPU_MODELS.find((m) => m.name === n);
}

export function defaultCpuModel(): CpuModel {
  return cpuModel(DEFAULT_CPU_MODEL)!;
}
