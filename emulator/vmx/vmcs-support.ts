// Which VMCS fields a CPU model supports (SDM 24.11.2 / A.9): a field exists when the processor supports the
// 1-setting of the control it belongs to (arch's vmcsFieldSupported, from the field's `feature`) and its index is
// not above the highest index that IA32_VMX_VMCS_ENUM[9:1] reports. VMREAD/VMWRITE of anything else fails with
// error 12. The answers are memoized per model: VMREAD/VMWRITE ask on every access.
import { featureSupported, MSR, type VmcsField, vmcsFieldSupported } from "../../arch/index";
import type { CpuModel } from "../cpu-model";

const cache = new WeakMap<CpuModel, Map<string, boolean>>();

function memo(model: CpuModel, key: string, compute: () => boolean): boolean {
  let m = cache.get(model);
  if (!m) {
    m = new Map();
    cache.set(model, m);
  }
  let r = m.get(key);
  if (r === undefined) {
    r = compute();
    m.set(key, r);
  }
  return r;
}

/** Does the model allow the 1-setting of the control titled `title`? */
export function controlAllowed(model: CpuModel, title: string): boolean {
  return memo(model, title, () => featureSupported(model, title));
}

export function fieldSupported(field: VmcsField, model: CpuModel): boolean {
  const enumMsr = model.msr.get(MSR.IA32_VMX_VMCS_ENUM);
  if (enumMsr !== undefined) {
    const maxIndex = Number((enumMsr >> 1n) & 0x1ffn);
    if (((field.encoding >> 1) & 0x1ff) > maxIndex) return false;
  }
  return field.feature === undefined || memo(model, `field:${field.name}`, () => vmcsFieldSupported(model, field));
}
