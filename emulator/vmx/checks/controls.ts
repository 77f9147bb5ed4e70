// SDM 26.2.1 "Checks on VMX Controls": VM-execution (26.2.1.1), VM-exit (26.2.1.2) and VM-entry (26.2.1.3)
// control fields. Any failure → VMfailValid(7). Ids: CTL-nn, XCTL-nn, ECTL-nn of vm-entry-checks.md.
import {
  CR4,
  ENTRY_CTLS,
  EXIT_CTLS,
  MSR,
  PIN_BASED,
  PROC_BASED,
  PROC_BASED2,
  PROC_BASED3,
  VMCS,
} from "../../../arch/index";
import type { CheckContext } from "./context";
import { eptpProblem } from "./eptp";
import { type EntryCheck, hex, type Violation } from "./types";
import { allowedSettings, bitList, named, on, pageAddress, v } from "./util";

type Check = EntryCheck<CheckContext>;
const S1 = "26.2.1.1";
const S2 = "26.2.1.2";
const S3 = "26.2.1.3";

function ctl(id: string, summary: string, run: (c: CheckContext) => Violation | undefined, sdm = S1): Check {
  return { id, sdm, phase: "control", summary, run };
}

/** CTL-01/02, XCTL-01, ECTL-01: the allowed-0/allowed-1 rule, on the TRUE_ MSR when IA32_VMX_BASIC[55]=1. */
function allowed(c: CheckContext, encoding: number, value: number, plain: number, trueMsr: number, what: string) {
  const useTrue = ((c.basic >> 55n) & 1n) === 1n;
  const index = useTrue ? trueMsr : plain;
  const cap = c.msr(index);
  const { mustBeOne, mustBeZero } = allowedSettings(value, cap);
  const msrName = useTrue ? "TRUE " : "";
  if (mustBeOne)
    return v(
      `${what} ${hex(value)}: ${bitList(mustBeOne)} must be 1 (allowed-0 settings of the ${msrName}capability MSR ${hex(index)})`,
      encoding,
      named(`MSR ${hex(index)}`, cap),
    );
  if (mustBeZero)
    return v(
      `${what} ${hex(value)}: ${bitList(mustBeZero)} must be 0 (not allowed by the ${msrName}capability MSR ${hex(index)})`,
      encoding,
      named(`MSR ${hex(index)}`, cap),
    );
  return undefined;
}

/** An MSR-store/-load area (address, count): 16-byte aligned, address and last byte inside the width. */
function msrArea(c: CheckContext, addr: number, count: number, part: "align" | "start" | "end", what: string) {
  const n = c.n(count);
  if (n === 0) return undefined;
  const a = c.f(addr);
  if (part === "align" && a & 0xfn)
    return v(`${what} address ${hex(a)} is not 16-byte aligned (count ${n})`, addr, count);
  if (part === "start" && c.beyondPhys(a))
    return v(`${what} address ${hex(a)} is beyond the physical-address width (${c.physWidth})`, addr, count);
  if (part === "end") {
    const last = a + BigInt(n) * 16n - 1n;
    if (c.beyondPhys(last))
      return v(`${what} area ends at ${hex(last)}, beyond the physical-address width (${c.physWidth})`, addr, count);
  }
  return undefined;
}

const PIN = VMCS.PIN_BASED_VM_EXEC_CONTROLS;
const PROC = VMCS.PRIMARY_PROC_BASED_VM_EXEC_CONTROLS;
const PROC2 = VMCS.SECONDARY_PROC_BASED_VM_EXEC_CONTROLS;
const EXIT = VMCS.PRIMARY_VM_EXIT_CONTROLS;
const ENTRY = VMCS.VM_ENTRY_CONTROLS;
const INFO = VMCS.VM_ENTRY_INTERRUPTION_INFORMATION;

export const EXECUTION_CONTROL_CHECKS: Check[] = [
  ctl("CTL-01", "pin-based controls respect the capability MSR", (c) =>
    allowed(c, PIN, c.pin, MSR.IA32_VMX_PINBASED_CTLS, MSR.IA32_VMX_TRUE_PINBASED_CTLS, "pin-based controls"),
  ),
  ctl("CTL-02", "primary processor-based controls respect the capability MSR", (c) =>
    allowed(
      c,
      PROC,
      c.proc,
      MSR.IA32_VMX_PROCBASED_CTLS,
      MSR.IA32_VMX_TRUE_PROCBASED_CTLS,
      "primary processor-based controls",
    ),
  ),
  ctl("CTL-03", "secondary controls respect IA32_VMX_PROCBASED_CTLS2", (c) => {
    if (!on(c.proc, PROC_BASED.ACTIVATE_SECONDARY_CONTROLS)) return undefined;
    const cap = c.msr(MSR.IA32_VMX_PROCBASED_CTLS2);
    const { mustBeOne, mustBeZero } = allowedSettings(c.proc2, cap);
    if (mustBeZero)
      return v(
        `secondary processor-based controls ${hex(c.proc2)}: ${bitList(mustBeZero)} not supported (IA32_VMX_PROCBASED_CTLS2 allowed-1 ${hex(cap >> 32n)})`,
        PROC2,
        named("IA32_VMX_PROCBASED_CTLS2", cap),
      );
    if (mustBeOne)
      return v(`secondary processor-based controls: ${bitList(mustBeOne)} must be 1`, PROC2, named("MSR", cap));
    return undefined;
  }),
  // CTL-04 is a rule, not a failure: the effective secondary controls are 0 when not activated (context.ts).
  ctl("CTL-04", "secondary controls are ignored (treated as 0) when not activated", () => undefined),
  ctl("CTL-05", "tertiary controls respect IA32_VMX_PROCBASED_CTLS3", (c) => {
    if (!on(c.proc, PROC_BASED.ACTIVATE_TERTIARY_CONTROLS)) return undefined;
    const cap = c.msr(MSR.IA32_VMX_PROCBASED_CTLS3);
    const bad = c.proc3 & ~cap;
    if (bad)
      return v(
        `tertiary processor-based controls ${hex(c.proc3)}: ${bitList(bad)} not supported (IA32_VMX_PROCBASED_CTLS3 = ${hex(cap)})`,
        VMCS.TERTIARY_PROC_BASED_VM_EXEC_CONTROLS,
      );
    return undefined;
  }),
  ctl("CTL-06", "CR3-target count ≤ IA32_VMX_MISC[24:16]", (c) => {
    const max = Number((c.misc >> 16n) & 0x1ffn);
    const n = c.n(VMCS.CR3_TARGET_COUNT);
    if (n > max) return v(`CR3-target count ${n} exceeds ${max} (IA32_VMX_MISC[24:16])`, VMCS.CR3_TARGET_COUNT);
    return undefined;
  }),
  ctl("CTL-07", "I/O bitmap A is 4-KiB aligned", (c) => {
    if (!on(c.proc, PROC_BASED.USE_IO_BITMAPS)) return undefined;
    const a = c.f(VMCS.IO_BITMAP_A);
    return a & 0xfffn ? v(`I/O bitmap A address ${hex(a)} is not 4-KiB aligned`, VMCS.IO_BITMAP_A) : undefined;
  }),
  ctl("CTL-08", "I/O bitmap B is 4-KiB aligned", (c) => {
    if (!on(c.proc, PROC_BASED.USE_IO_BITMAPS)) return undefined;
    const a = c.f(VMCS.IO_BITMAP_B);
    return a & 0xfffn ? v(`I/O bitmap B address ${hex(a)} is not 4-KiB aligned`, VMCS.IO_BITMAP_B) : undefined;
  }),
  ctl("CTL-09", "I/O bitmap addresses are inside the physical-address width", (c) => {
    if (!on(c.proc, PROC_BASED.USE_IO_BITMAPS)) return undefined;
    for (const f of [VMCS.IO_BITMAP_A, VMCS.IO_BITMAP_B])
      if (c.beyondPhys(c.f(f)))
        return v(`I/O bitmap address ${hex(c.f(f))} is beyond the physical-address width (${c.physWidth})`, f);
    return undefined;
  }),
  ctl("CTL-10", "MSR-bitmap address is 4-KiB aligned and inside the physical-address width", (c) =>
    on(c.proc, PROC_BASED.USE_MSR_BITMAPS) ? pageAddress(c, VMCS.MSR_BITMAP, "MSR-bitmap address") : undefined,
  ),
  ctl("CTL-11", "virtual-APIC address is valid when using the TPR shadow", (c) =>
    on(c.proc, PROC_BASED.USE_TPR_SHADOW)
      ? pageAddress(c, VMCS.VIRTUAL_APIC_ADDRESS, "virtual-APIC address")
      : undefined,
  ),
  ctl("CTL-12", "TPR threshold bits 31:4 are 0 (TPR shadow without virtual-interrupt delivery)", (c) => {
    if (!on(c.proc, PROC_BASED.USE_TPR_SHADOW) || on(c.proc2, PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY)) return undefined;
    const t = c.n(VMCS.TPR_THRESHOLD);
    return t & ~0xf ? v(`TPR threshold ${hex(t)} has bits 31:4 set`, VMCS.TPR_THRESHOLD) : undefined;
  }),
  ctl("CTL-13", "TPR threshold[3:0] ≤ VTPR[7:4]", (c) => {
    if (
      !on(c.proc, PROC_BASED.USE_TPR_SHADOW) ||
      on(c.proc2, PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY) ||
      on(c.proc2, PROC_BASED2.VIRTUALIZE_APIC_ACCESSES)
    )
      return undefined;
    const t = c.n(VMCS.TPR_THRESHOLD) & 0xf;
    const page = Number(c.f(VMCS.VIRTUAL_APIC_ADDRESS));
    const vtpr = c.mem.read32(page + 0x80) & 0xff;
    if (t > vtpr >> 4)
      return v(
        `TPR threshold[3:0]=${t} exceeds VTPR[7:4]=${vtpr >> 4} (byte 80H of the virtual-APIC page)`,
        VMCS.TPR_THRESHOLD,
        VMCS.VIRTUAL_APIC_ADDRESS,
        named("VTPR", vtpr),
      );
    return undefined;
  }),
  ctl("CTL-14", "virtual NMIs require NMI exiting", (c) =>
    !on(c.pin, PIN_BASED.NMI_EXITING) && on(c.pin, PIN_BASED.VIRTUAL_NMIS)
      ? v(`"virtual NMIs"=1 requires "NMI exiting"=1`, PIN)
      : undefined,
  ),
  ctl("CTL-15", "NMI-window exiting requires virtual NMIs", (c) =>
    !on(c.pin, PIN_BASED.VIRTUAL_NMIS) && on(c.proc, PROC_BASED.NMI_WINDOW_EXITING)
      ? v(`"NMI-window exiting"=1 requires "virtual NMIs"=1`, PIN, PROC)
      : undefined,
  ),
  ctl("CTL-16", "APIC-access address is valid when virtualizing APIC accesses", (c) =>
    on(c.proc2, PROC_BASED2.VIRTUALIZE_APIC_ACCESSES)
      ? pageAddress(c, VMCS.APIC_ACCESS_ADDRESS, "APIC-access address")
      : undefined,
  ),
  ctl("CTL-17", '"virtualize x2APIC mode" requires "use TPR shadow"', (c) =>
    !on(c.proc, PROC_BASED.USE_TPR_SHADOW) && on(c.proc2, PROC_BASED2.VIRTUALIZE_X2APIC_MODE)
      ? v(`"virtualize x2APIC mode"=1 requires "use TPR shadow"=1`, PROC, PROC2)
      : undefined,
  ),
  ctl("CTL-18", '"APIC-register virtualization" requires "use TPR shadow"', (c) =>
    !on(c.proc, PROC_BASED.USE_TPR_SHADOW) && on(c.proc2, PROC_BASED2.APIC_REGISTER_VIRTUALIZATION)
      ? v(`"APIC-register virtualization"=1 requires "use TPR shadow"=1`, PROC, PROC2)
      : undefined,
  ),
  ctl("CTL-19", '"virtual-interrupt delivery" requires "use TPR shadow"', (c) =>
    !on(c.proc, PROC_BASED.USE_TPR_SHADOW) && on(c.proc2, PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY)
      ? v(`"virtual-interrupt delivery"=1 requires "use TPR shadow"=1`, PROC, PROC2)
      : undefined,
  ),
  ctl("CTL-20", '"virtualize x2APIC mode" excludes "virtualize APIC accesses"', (c) =>
    on(c.proc2, PROC_BASED2.VIRTUALIZE_X2APIC_MODE) && on(c.proc2, PROC_BASED2.VIRTUALIZE_APIC_ACCESSES)
      ? v(`"virtualize x2APIC mode"=1 requires "virtualize APIC accesses"=0`, PROC2)
      : undefined,
  ),
  ctl("CTL-21", '"virtual-interrupt delivery" requires "external-interrupt exiting"', (c) =>
    on(c.proc2, PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY) && !on(c.pin, PIN_BASED.EXTERNAL_INTERRUPT_EXITING)
      ? v(`"virtual-interrupt delivery"=1 requires "external-interrupt exiting"=1`, PIN, PROC2)
      : undefined,
  ),
  ctl("CTL-22", '"process posted interrupts" requires "virtual-interrupt delivery"', (c) =>
    on(c.pin, PIN_BASED.PROCESS_POSTED_INTERRUPTS) && !on(c.proc2, PROC_BASED2.VIRTUAL_INTERRUPT_DELIVERY)
      ? v(`"process posted interrupts"=1 requires "virtual-interrupt delivery"=1`, PIN, PROC2)
      : undefined,
  ),
  ctl("CTL-23", '"process posted interrupts" requires "acknowledge interrupt on exit"', (c) =>
    on(c.pin, PIN_BASED.PROCESS_POSTED_INTERRUPTS) && !on(c.exit, EXIT_CTLS.ACKNOWLEDGE_INTERRUPT_ON_EXIT)
      ? v(`"process posted interrupts"=1 requires the VM-exit control "acknowledge interrupt on exit"=1`, PIN, EXIT)
      : undefined,
  ),
  ctl("CTL-24", "posted-interrupt notification vector is 0-255", (c) => {
    if (!on(c.pin, PIN_BASED.PROCESS_POSTED_INTERRUPTS)) return undefined;
    const nv = c.n(VMCS.POSTED_INTERRUPT_NOTIFICATION_VECTOR);
    return nv & 0xff00
      ? v(
          `posted-interrupt notification vector ${hex(nv)} has bits 15:8 set`,
          VMCS.POSTED_INTERRUPT_NOTIFICATION_VECTOR,
        )
      : undefined;
  }),
  ctl("CTL-25", "posted-interrupt descriptor is 64-byte aligned", (c) => {
    if (!on(c.pin, PIN_BASED.PROCESS_POSTED_INTERRUPTS)) return undefined;
    const a = c.f(VMCS.POSTED_INTERRUPT_DESCRIPTOR_ADDRESS);
    return a & 0x3fn
      ? v(
          `posted-interrupt descriptor address ${hex(a)} is not 64-byte aligned`,
          VMCS.POSTED_INTERRUPT_DESCRIPTOR_ADDRESS,
        )
      : undefined;
  }),
  ctl("CTL-26", "posted-interrupt descriptor is inside the physical-address width", (c) => {
    if (!on(c.pin, PIN_BASED.PROCESS_POSTED_INTERRUPTS)) return undefined;
    const a = c.f(VMCS.POSTED_INTERRUPT_DESCRIPTOR_ADDRESS);
    return c.beyondPhys(a)
      ? v(
          `posted-interrupt descriptor address ${hex(a)} is beyond the physical-address width`,
          VMCS.POSTED_INTERRUPT_DESCRIPTOR_ADDRESS,
        )
      : undefined;
  }),
  ctl("CTL-27", "VPID is not 0 when VPIDs are enabled", (c) =>
    on(c.proc2, PROC_BASED2.ENABLE_VPID) && c.n(VMCS.VIRTUAL_PROCESSOR_ID) === 0
      ? v(`"enable VPID"=1 requires a non-zero VPID`, VMCS.VIRTUAL_PROCESSOR_ID, PROC2)
      : undefined,
  ),
  ...(["CTL-28", "CTL-29", "CTL-30", "CTL-31"] as const).map((id) =>
    ctl(id, "EPT pointer is valid", (c) => {
      if (!on(c.proc2, PROC_BASED2.ENABLE_EPT)) return undefined;
      const p = eptpProblem(c.f(VMCS.EPT_POINTER), c.eptVpidCap, c.physWidth);
      return p && p.id === id ? v(p.message, VMCS.EPT_POINTER) : undefined;
    }),
  ),
  ctl("CTL-32", '"enable PML" requires "enable EPT"', (c) =>
    on(c.proc2, PROC_BASED2.ENABLE_PML) && !on(c.proc2, PROC_BASED2.ENABLE_EPT)
      ? v(`"enable PML"=1 requires "enable EPT"=1`, PROC2)
      : undefined,
  ),
  ctl("CTL-33", "PML address is valid", (c) =>
    on(c.proc2, PROC_BASED2.ENABLE_PML) ? pageAddress(c, VMCS.PML_ADDRESS, "PML address") : undefined,
  ),
  ctl("CTL-34", '"unrestricted guest" requires "enable EPT"', (c) =>
    on(c.proc2, PROC_BASED2.UNRESTRICTED_GUEST) && !on(c.proc2, PROC_BASED2.ENABLE_EPT)
      ? v(`"unrestricted guest"=1 requires "enable EPT"=1`, PROC2)
      : undefined,
  ),
  ctl("CTL-35", '"mode-based execute control for EPT" requires "enable EPT"', (c) =>
    on(c.proc2, PROC_BASED2.MODE_BASED_EXECUTE_CONTROL_FOR_EPT) && !on(c.proc2, PROC_BASED2.ENABLE_EPT)
      ? v(`"mode-based execute control for EPT"=1 requires "enable EPT"=1`, PROC2)
      : undefined,
  ),
  ctl("CTL-36", '"sub-page write permissions" require EPT and a valid SPPTP', (c) => {
    if (!on(c.proc2, PROC_BASED2.SUB_PAGE_WRITE_PERMISSIONS_FOR_EPT)) return undefined;
    if (!on(c.proc2, PROC_BASED2.ENABLE_EPT))
      return v(`"sub-page write permissions for EPT"=1 requires "enable EPT"=1`, PROC2);
    return pageAddress(c, VMCS.SUB_PAGE_PERMISSION_TABLE_POINTER, "sub-page-permission-table pointer");
  }),
  ctl("CTL-37", '"enable HLAT" requires EPT, a valid HLATP and a supported prefix size', (c) => {
    if (!on(c.proc3, PROC_BASED3.ENABLE_HLAT)) return undefined;
    if (!on(c.proc2, PROC_BASED2.ENABLE_EPT)) return v(`"enable HLAT"=1 requires "enable EPT"=1`, PROC2);
    const p = c.f(VMCS.HLAT_POINTER);
    // HLATP: bits 2:0 and 11:5 reserved (bits 4:3 are PWT/PCD-like memory-type hints), address inside the width.
    if (p & 0xfe7n || c.beyondPhys(p)) return v(`HLAT pointer ${hex(p)} sets reserved bits`, VMCS.HLAT_POINTER);
    const max = Number((c.eptVpidCap >> 48n) & 0x3fn);
    const size = c.n(VMCS.HLAT_PREFIX_SIZE);
    if (size > max)
      return v(`HLAT prefix size ${size} exceeds IA32_VMX_EPT_VPID_CAP[53:48]=${max}`, VMCS.HLAT_PREFIX_SIZE);
    return undefined;
  }),
  ctl("CTL-38", "VM-function controls respect IA32_VMX_VMFUNC", (c) => {
    if (!on(c.proc2, PROC_BASED2.ENABLE_VM_FUNCTIONS)) return undefined;
    const f = c.f(VMCS.VM_FUNCTION_CONTROLS);
    const cap = c.msr(MSR.IA32_VMX_VMFUNC);
    const bad = f & ~cap;
    return bad
      ? v(
          `VM-function controls ${hex(f)}: ${bitList(bad)} not supported (IA32_VMX_VMFUNC ${hex(cap)})`,
          VMCS.VM_FUNCTION_CONTROLS,
        )
      : undefined;
  }),
  ctl("CTL-39", "EPTP switching requires EPT", (c) =>
    on(c.proc2, PROC_BASED2.ENABLE_VM_FUNCTIONS) &&
    c.f(VMCS.VM_FUNCTION_CONTROLS) & 1n &&
    !on(c.proc2, PROC_BASED2.ENABLE_EPT)
      ? v(`the "EPTP switching" VM function requires "enable EPT"=1`, VMCS.VM_FUNCTION_CONTROLS, PROC2)
      : undefined,
  ),
  ctl("CTL-40", "EPTP-list address is valid", (c) =>
    on(c.proc2, PROC_BASED2.ENABLE_VM_FUNCTIONS) && c.f(VMCS.VM_FUNCTION_CONTROLS) & 1n
      ? pageAddress(c, VMCS.EPTP_LIST_ADDRESS, "EPTP-list address")
      : undefined,
  ),
  ctl("CTL-41", "VMREAD-bitmap address is valid", (c) =>
    on(c.proc2, PROC_BASED2.VMCS_SHADOWING)
      ? pageAddress(c, VMCS.VMREAD_BITMAP_ADDRESS, "VMREAD-bitmap address")
      : undefined,
  ),
  ctl("CTL-42", "VMWRITE-bitmap address is valid", (c) =>
    on(c.proc2, PROC_BASED2.VMCS_SHADOWING)
      ? pageAddress(c, VMCS.VMWRITE_BITMAP_ADDRESS, "VMWRITE-bitmap address")
      : undefined,
  ),
  ctl("CTL-43", "virtualization-exception information address is valid", (c) =>
    on(c.proc2, PROC_BASED2.EPT_VIOLATION_VE)
      ? pageAddress(
          c,
          VMCS.VIRTUALIZATION_EXCEPTION_INFORMATION_ADDRESS,
          "virtualization-exception information address",
        )
      : undefined,
  ),
  ctl("CTL-44", '"Intel PT uses guest physical addresses" requires EPT and the RTIT_CTL entry/exit controls', (c) => {
    if (!on(c.proc2, PROC_BASED2.PT_USES_GUEST_PHYSICAL_ADDRESSES)) return undefined;
    if (
      !on(c.proc2, PROC_BASED2.ENABLE_EPT) ||
      !on(c.entry, ENTRY_CTLS.LOAD_IA32_RTIT_CTL) ||
      !on(c.exit, EXIT_CTLS.CLEAR_IA32_RTIT_CTL)
    )
      return v(
        `"Intel PT uses guest physical addresses"=1 requires "enable EPT", "load IA32_RTIT_CTL" and "clear IA32_RTIT_CTL"`,
        PROC2,
        ENTRY,
        EXIT,
      );
    return undefined;
  }),
  ctl("CTL-45", "PID-pointer table address is valid for IPI virtualization", (c) => {
    if (!on(c.proc3, PROC_BASED3.IPI_VIRTUALIZATION)) return undefined;
    const a = c.f(VMCS.PID_POINTER_TABLE_ADDRESS);
    return a & 7n || c.beyondPhys(a)
      ? v(
          `PID-pointer table address ${hex(a)} is not 8-byte aligned or beyond the width`,
          VMCS.PID_POINTER_TABLE_ADDRESS,
        )
      : undefined;
  }),
  {
    ...ctl("CTL-46", "TSC multiplier is not 0 with TSC scaling (Bochs)", (c) =>
      on(c.proc2, PROC_BASED2.USE_TSC_SCALING) && c.f(VMCS.TSC_MULTIPLIER) === 0n
        ? v(`"use TSC scaling"=1 with TSC multiplier 0 (Bochs rejects this; the SDM does not)`, VMCS.TSC_MULTIPLIER)
        : undefined,
    ),
    bochsOnly: true,
  },
];

export const EXIT_CONTROL_CHECKS: Check[] = [
  ctl(
    "XCTL-01",
    "primary VM-exit controls respect the capability MSR",
    (c) => allowed(c, EXIT, c.exit, MSR.IA32_VMX_EXIT_CTLS, MSR.IA32_VMX_TRUE_EXIT_CTLS, "primary VM-exit controls"),
    S2,
  ),
  ctl(
    "XCTL-02",
    "secondary VM-exit controls respect IA32_VMX_EXIT_CTLS2",
    (c) => {
      if (!on(c.exit, EXIT_CTLS.ACTIVATE_SECONDARY_CONTROLS)) return undefined;
      const cap = c.msr(MSR.IA32_VMX_EXIT_CTLS2);
      const bad = c.exit2 & ~cap;
      return bad
        ? v(
            `secondary VM-exit controls ${hex(c.exit2)}: ${bitList(bad)} not supported`,
            VMCS.SECONDARY_VM_EXIT_CONTROLS,
          )
        : undefined;
    },
    S2,
  ),
  ctl(
    "XCTL-03",
    '"save VMX-preemption timer value" requires "activate VMX-preemption timer"',
    (c) =>
      !on(c.pin, PIN_BASED.ACTIVATE_VMX_PREEMPTION_TIMER) && on(c.exit, EXIT_CTLS.SAVE_VMX_PREEMPTION_TIMER_VALUE)
        ? v(`"save VMX-preemption timer value"=1 requires "activate VMX-preemption timer"=1`, PIN, EXIT)
        : undefined,
    S2,
  ),
  ctl(
    "XCTL-04",
    "VM-exit MSR-store address is 16-byte aligned",
    (c) => msrArea(c, VMCS.VM_EXIT_MSR_STORE_ADDRESS, VMCS.VM_EXIT_MSR_STORE_COUNT, "align", "VM-exit MSR-store"),
    S2,
  ),
  ctl(
    "XCTL-05",
    "VM-exit MSR-store address is inside the physical-address width",
    (c) => msrArea(c, VMCS.VM_EXIT_MSR_STORE_ADDRESS, VMCS.VM_EXIT_MSR_STORE_COUNT, "start", "VM-exit MSR-store"),
    S2,
  ),
  ctl(
    "XCTL-06",
    "VM-exit MSR-store area ends inside the physical-address width",
    (c) => msrArea(c, VMCS.VM_EXIT_MSR_STORE_ADDRESS, VMCS.VM_EXIT_MSR_STORE_COUNT, "end", "VM-exit MSR-store"),
    S2,
  ),
  ctl(
    "XCTL-07",
    "VM-exit MSR-load address is 16-byte aligned",
    (c) => msrArea(c, VMCS.VM_EXIT_MSR_LOAD_ADDRESS, VMCS.VM_EXIT_MSR_LOAD_COUNT, "align", "VM-exit MSR-load"),
    S2,
  ),
  ctl(
    "XCTL-08",
    "VM-exit MSR-load address is inside the physical-address width",
    (c) => msrArea(c, VMCS.VM_EXIT_MSR_LOAD_ADDRESS, VMCS.VM_EXIT_MSR_LOAD_COUNT, "start", "VM-exit MSR-load"),
    S2,
  ),
  ctl(
    "XCTL-09",
    "VM-exit MSR-load area ends inside the physical-address width",
    (c) => msrArea(c, VMCS.VM_EXIT_MSR_LOAD_ADDRESS, VMCS.VM_EXIT_MSR_LOAD_COUNT, "end", "VM-exit MSR-load"),
    S2,
  ),
];

/** Vectors whose hardware exceptions push an error code (SDM 26.2.1.3). */
const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17]);

function inj(id: string, summary: string, run: (c: CheckContext) => Violation | undefined): Check {
  return ctl(id, summary, (c) => (c.injecting ? run(c) : undefined), S3);
}

export const ENTRY_CONTROL_CHECKS: Check[] = [
  ctl(
    "ECTL-01",
    "VM-entry controls respect the capability MSR",
    (c) => allowed(c, ENTRY, c.entry, MSR.IA32_VMX_ENTRY_CTLS, MSR.IA32_VMX_TRUE_ENTRY_CTLS, "VM-entry controls"),
    S3,
  ),
  inj("ECTL-02", "interruption type is not 1 (reserved)", (c) =>
    c.injectType === 1 ? v(`VM-entry interruption type 1 is reserved`, INFO) : undefined,
  ),
  inj("ECTL-03", "interruption type 7 requires support for the monitor trap flag", (c) => {
    if (c.injectType !== 7) return undefined;
    const useTrue = ((c.basic >> 55n) & 1n) === 1n;
    const cap = c.msr(useTrue ? MSR.IA32_VMX_TRUE_PROCBASED_CTLS : MSR.IA32_VMX_PROCBASED_CTLS);
    return on(cap >> 32n, PROC_BASED.MONITOR_TRAP_FLAG)
      ? undefined
      : v(`interruption type 7 (other event) needs the 1-setting of "monitor trap flag"`, INFO);
  }),
  inj("ECTL-04", "an injected NMI has vector 2", (c) =>
    c.injectType === 2 && c.injectVector !== 2
      ? v(`NMI injection (type 2) with vector ${c.injectVector}, not 2`, INFO)
      : undefined,
  ),
  inj("ECTL-05", "an injected hardware exception has vector ≤ 31", (c) =>
    c.injectType === 3 && c.injectVector > 31
      ? v(`hardware exception (type 3) with vector ${c.injectVector} > 31`, INFO)
      : undefined,
  ),
  inj("ECTL-06", "an injected other event (type 7) has vector 0 (1 or 2 only with FRED)", (c) => {
    if (c.injectType !== 7 || c.injectVector === 0) return undefined;
    const fred = on(c.f(VMCS.GUEST_CR4), CR4.FRED) && (c.injectVector === 1 || c.injectVector === 2);
    return fred ? undefined : v(`other event (type 7) with vector ${c.injectVector}, not 0 (pending MTF)`, INFO);
  }),
  inj("ECTL-07", '"deliver error code" is 1 for hardware exceptions that push one', (c) => {
    const pe = c.unrestricted ? (c.f(VMCS.GUEST_CR0) & 1n) === 1n : true;
    const any = ((c.basic >> 56n) & 1n) === 1n;
    const deliver = (c.intrInfo & 0x800) !== 0;
    if (c.injectType === 3 && pe && !any && ERROR_CODE_VECTORS.has(c.injectVector) && !deliver)
      return v(`hardware exception ${c.injectVector} must be injected with "deliver error code"=1`, INFO);
    return undefined;
  }),
  inj("ECTL-08", '"deliver error code" is 0 for events that push none', (c) => {
    if ((c.intrInfo & 0x800) === 0) return undefined;
    const pe = c.unrestricted ? (c.f(VMCS.GUEST_CR0) & 1n) === 1n : true;
    const any = ((c.basic >> 56n) & 1n) === 1n;
    if (c.injectType !== 3)
      return v(`"deliver error code"=1 with interruption type ${c.injectType} (only type 3 may)`, INFO);
    if (!pe) return v(`"deliver error code"=1 while guest CR0.PE=0 (unrestricted guest)`, INFO, VMCS.GUEST_CR0);
    if (!any && !ERROR_CODE_VECTORS.has(c.injectVector))
      return v(`"deliver error code"=1 for vector ${c.injectVector}, which has no error code`, INFO);
    return undefined;
  }),
  inj("ECTL-09", "interruption-information bits 30:12 are 0", (c) =>
    c.intrInfo & 0x7ffff000
      ? v(`VM-entry interruption information ${hex(c.intrInfo)} has reserved bits 30:12 set`, INFO)
      : undefined,
  ),
  inj("ECTL-10", "error code bits 31:16 are 0", (c) => {
    if ((c.intrInfo & 0x800) === 0) return undefined;
    const e = c.n(VMCS.VM_ENTRY_EXCEPTION_ERROR_CODE);
    return e & 0xffff0000
      ? v(`VM-entry exception error code ${hex(e)} has bits 31:16 set`, VMCS.VM_ENTRY_EXCEPTION_ERROR_CODE)
      : undefined;
  }),
  inj("ECTL-11", "instruction length is 1-15 for software interrupts and exceptions", (c) => {
    if (c.injectType < 4 || c.injectType > 6) return undefined;
    const len = c.n(VMCS.VM_ENTRY_INSTRUCTION_LENGTH);
    const zeroOk = ((c.misc >> 30n) & 1n) === 1n;
    if (len > 15 || (len === 0 && !zeroOk))
      return v(
        `VM-entry instruction length ${len} for interruption type ${c.injectType} (must be 1-15)`,
        VMCS.VM_ENTRY_INSTRUCTION_LENGTH,
        INFO,
      );
    return undefined;
  }),
  inj("ECTL-12", "instruction length ≤ 15 for FRED SYSCALL/SYSENTER events (type 7, vector 1/2)", (c) => {
    if (c.injectType !== 7 || (c.injectVector !== 1 && c.injectVector !== 2)) return undefined;
    const len = c.n(VMCS.VM_ENTRY_INSTRUCTION_LENGTH);
    return len > 15 ? v(`VM-entry instruction length ${len} > 15`, VMCS.VM_ENTRY_INSTRUCTION_LENGTH) : undefined;
  }),
  ctl(
    "ECTL-13",
    "VM-entry MSR-load address is 16-byte aligned",
    (c) => msrArea(c, VMCS.VM_ENTRY_MSR_LOAD_ADDRESS, VMCS.VM_ENTRY_MSR_LOAD_COUNT, "align", "VM-entry MSR-load"),
    S3,
  ),
  ctl(
    "ECTL-14",
    "VM-entry MSR-load address is inside the physical-address width",
    (c) => msrArea(c, VMCS.VM_ENTRY_MSR_LOAD_ADDRESS, VMCS.VM_ENTRY_MSR_LOAD_COUNT, "start", "VM-entry MSR-load"),
    S3,
  ),
  ctl(
    "ECTL-15",
    "VM-entry MSR-load area ends inside the physical-address width",
    (c) => msrArea(c, VMCS.VM_ENTRY_MSR_LOAD_ADDRESS, VMCS.VM_ENTRY_MSR_LOAD_COUNT, "end", "VM-entry MSR-load"),
    S3,
  ),
  ctl(
    "ECTL-16",
    '"entry to SMM" is 0 outside SMM',
    (c) =>
      !c.facts.inSmm && on(c.entry, ENTRY_CTLS.ENTRY_TO_SMM)
        ? v(`"entry to SMM"=1 outside system-management mode`, ENTRY)
        : undefined,
    S3,
  ),
  ctl(
    "ECTL-17",
    '"deactivate dual-monitor treatment" is 0 outside SMM',
    (c) =>
      !c.facts.inSmm && on(c.entry, ENTRY_CTLS.DEACTIVATE_DUAL_MONITOR_TREATMENT)
        ? v(`"deactivate dual-monitor treatment"=1 outside system-management mode`, ENTRY)
        : undefined,
    S3,
  ),
  ctl(
    "ECTL-18",
    '"entry to SMM" and "deactivate dual-monitor treatment" are not both 1',
    (c) =>
      on(c.entry, ENTRY_CTLS.ENTRY_TO_SMM) && on(c.entry, ENTRY_CTLS.DEACTIVATE_DUAL_MONITOR_TREATMENT)
        ? v(`"entry to SMM" and "deactivate dual-monitor treatment" are both 1`, ENTRY)
        : undefined,
    S3,
  ),
];
