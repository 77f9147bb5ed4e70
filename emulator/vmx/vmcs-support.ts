// Which VMCS fields a CPU model supports (SDM 24.11.2 / A.9): a field exists when the processor supports the
// 1-setting of the control it belongs to (arch's `feature`, a control title) and its index is not above the
// highest index that IA32_VMX_VMCS_ENUM[9:1] reports. VMREAD/VMWRITE of anything else fails with error 12.
import { controlByTitle, MSR, type VmcsField } from "../../arch/index";
import type { CpuModel } from "../cpu-model";

const cache = new WeakMap<CpuModel, Map<string, boolean>>();

/** Does the model allow the 1-setting of the control titled `title`? */
export function controlAllowed(model: CpuModel, title: string): boolean {
  if (title === "EPTP switching") return ((model.msr.get(MSR.IA32_VMX_VMFUNC) ?? 0n) & 1n) === 1n;
  const c = controlByTitle(title);
  if (!c) return false;
  const cap = model.msr.get(c.set.msr);
  if (cap === undefined) return false;
  // 32-bit control sets report allowed-1 in bits 63:32; 64-bit sets (tertiary, secondary exit) are all allowed-1.
  const allowed1 = c.set.width === 64 ? cap : cap >> 32n;
  return ((allowed1 >> BigInt(c.bit.bit)) & 1n) === 1n;
}

function featureSupported(model: CpuModel, feature: string): boolean {
  let m = cache.get(model);
  if (!m) {
    m = new Map();
    cache.set(model, m);
  }
  let r = m.get(feature);
  if (r === undefined) {
    r = feature.split(" or ").some((t) => controlAllowed(model, t.trim()));
    m.set(feature, r);
  }
  return r;
}

export function fieldSupported(field: VmcsField, model: CpuModel): boolean {
  const enumMsr = model.msr.get(MSR.IA32_VMX_VMCS_ENUM);
  if (enumMsr !== undefined) {
    const maxIndex = Number((enumMsr >> 1n) & 0x1ffn);
    if (((field.encoding >> 1) & 0x1ff) > maxIndex) return false;
  }
  return field.feature === undefined || featureSupported(model, field.feature);
}
