// The instruction table parsed once into Form objects, indexed by mnemonic.

import { type Form, parseForm } from "./forms";
import { FORM_LINES } from "./table";

export const FORMS: readonly Form[] = FORM_LINES.map((l, i) => parseForm(l, i));
export const BY_MNEMONIC = new Map<string, Form[]>();
for (const f of FORMS) {
  const list = BY_MNEMONIC.get(f.mnemonic);
  if (list) list.push(f);
  else BY_MNEMONIC.set(f.mnemonic, [f]);
}

export function formsOf(mnemonic: string): readonly Form[] {
  return BY_MNEMONIC.get(mnemonic) ?? [];
}

export function isIntelMnemonic(m: string): boolean {
  return BY_MNEMONIC.has(m);
}
