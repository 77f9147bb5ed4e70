// Memoized arch/ lookups for the hot path (thousands of VMREAD/VMWRITE sites per keystroke on large files).
// arch/ stays the source of truth; these only remember its answers.
import { type ControlSet, controlSetFor, type DecodedEncoding, decodeEncoding } from "../../arch/index";

const decoded = new Map<bigint, DecodedEncoding>();
const controlSets = new Map<number, ControlSet | undefined>();

export function decodeCached(v: bigint): DecodedEncoding {
  let d = decoded.get(v);
  if (!d) {
    if (decoded.size > 50_000) decoded.clear();
    d = decodeEncoding(v);
    decoded.set(v, d);
  }
  return d;
}

export function controlSetCached(encoding: number): ControlSet | undefined {
  if (controlSets.has(encoding)) return controlSets.get(encoding);
  const s = controlSetFor(encoding);
  if (controlSets.size < 10_000) controlSets.set(encoding, s);
  return s;
}
