// Short names shown in stops, frames and explanations.
import { EXCEPTION_NAMES } from "../../arch/index";

/** "#GP (13)": an exception vector by its SDM mnemonic. */
export function vectorName(v: number): string {
  return `${EXCEPTION_NAMES[v] ?? "vector"} (${v})`;
}
