// Folding ranges: macro bodies, conditional blocks, label bodies (to the next non-local label) and comment runs.
import type { Analysis } from "./index";

export interface Fold {
  startLine: number;
  endLine: number;
  kind?: "comment" | "region";
}

export function foldingRanges(a: Analysis): Fold[] {
  const folds: Fold[] = [];
  const file = a.unit.files.get(a.file);
  if (!file) return folds;
  const stack: number[] = [];
  let labelStart: number | undefined;
  let lastCode = -1;
  for (const st of file.statements) {
    const n = st.name ?? "";
    if (st.kind === "directive") {
      if (
        [
          "%macro",
          "%imacro",
          ".macro",
          "%if",
          "%ifdef",
          "%ifndef",
          ".if",
          ".ifdef",
          ".ifndef",
          "#if",
          "#ifdef",
          "#ifndef",
          ".rept",
          "%rep",
          "struc",
          "istruc",
        ].includes(n)
      )
        stack.push(st.line);
      else if (
        [
          "%endmacro",
          ".endm",
          ".endmacro",
          "%endif",
          ".endif",
          "#endif",
          ".endr",
          "%endrep",
          "endstruc",
          "iend",
        ].includes(n)
      ) {
        const s = stack.pop();
        if (s !== undefined && st.line > s) folds.push({ startLine: s, endLine: st.line });
      }
    }
    if (st.labels.some((l) => !l.name.startsWith(".") && !/^[0-9]+$/.test(l.name)) && !a.unit.inMacro.has(st)) {
      if (labelStart !== undefined && lastCode > labelStart) folds.push({ startLine: labelStart, endLine: lastCode });
      labelStart = st.line;
    }
    if (st.kind !== "empty" || st.labels.length) lastCode = st.line;
  }
  if (labelStart !== undefined && lastCode > labelStart) folds.push({ startLine: labelStart, endLine: lastCode });
  // Runs of comment-only lines.
  const comment = file.syntax === "nasm" ? /^\s*;/ : /^\s*(#|\/\/|\/\*|\*)/;
  let run = -1;
  file.lines.forEach((line, i) => {
    if (comment.test(line)) {
      if (run < 0) run = i;
    } else {
      if (run >= 0 && i - 1 > run) folds.push({ startLine: run, endLine: i - 1, kind: "comment" });
      run = -1;
    }
  });
  return folds;
}
