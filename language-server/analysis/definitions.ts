// Text edits that define a named constant in the file's dialect, shared by completion and code actions.
import type { Analysis } from "./index";
import { hex } from "./text";
import type { TextEdit } from "./types";

export function constantDefinitionText(syntax: "gas" | "nasm", name: string, value: bigint): string {
  return syntax === "nasm" ? `${name} equ ${hex(value)}` : `.set ${name}, ${hex(value)}`;
}

/** An edit that defines `name` = `value` after the file's last constant definition (or at the top). */
export function defineConstantEdit(a: Analysis, name: string, value: bigint): TextEdit {
  const file = a.unit.files.get(a.file);
  let line = 0;
  for (const st of file?.statements ?? []) if (st.kind === "constant" && !a.unit.inMacro.has(st)) line = st.line + 1;
  return {
    file: a.file,
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `${constantDefinitionText(file?.syntax ?? a.syntax, name, value)}\n`,
  };
}

export function isDefined(a: Analysis, name: string): boolean {
  return a.unit.defs.has(name);
}
