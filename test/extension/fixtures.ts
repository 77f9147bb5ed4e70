// Test data shaped like the adapter's answers, built from arch/'s field table (no field name written here).
import { VMCS_FIELDS, type VmcsField } from "../../arch/index";
import type { VmcsFieldState, VmxStateResponseBody } from "../../protocol/vmx-debug";

export function fieldOf(group: VmcsField["group"], width?: VmcsField["width"]): VmcsField {
  const f = VMCS_FIELDS.find((x) => x.group === group && (width === undefined || x.width === width));
  if (!f) throw new Error(`arch has no ${group} field of width ${width}`);
  return f;
}

export function fieldState(f: VmcsField, value: string, extra: Partial<VmcsFieldState> = {}): VmcsFieldState {
  return {
    name: f.name,
    encoding: f.encoding,
    width: f.width,
    type: f.type,
    group: f.group,
    sdm: f.sdm,
    value: value as `0x${string}`,
    bits: [],
    changed: false,
    ...extra,
  };
}

export function stateWith(fields: VmcsFieldState[], extra: Partial<VmxStateResponseBody> = {}): VmxStateResponseBody {
  return {
    stopId: 1,
    mode: "root",
    vmxonPointer: "0x1000",
    currentVmcs: "0x2000",
    launchState: "clear",
    fields,
    ...extra,
  };
}
