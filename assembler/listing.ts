// The nasm -l style listing: for every source line, its line number, the section offset and the bytes it
// produced, then the source text. As nasm prints them: at most 9 bytes a row with `-` continuation rows,
// `times`/`align` output as one repetition and `<rep N>`, reservations as `<res N>`, and every line of a
// macro expansion after its invocation — the body line's number and text, marked `<depth>`.
import type { ExpandedStatement, MacroLine } from "./expand";
import { tokenText } from "./expand-util";
import type { ItemState } from "./layout";

/** Reservations: listed as `??` per byte (up to 8) or `<res N>`, whatever section they are in. */
const RESERVE = /^(res[bwdqtoyz]|rest|alignb)$/;

/** Columns: line number (6), offset (8), bytes (18), continuation mark, then the source from column 40. */
const SOURCE_COLUMN = 40;

export function buildListing(
  items: ExpandedStatement[],
  states: ItemState[],
  files: Map<string, string[]>,
  macroLines: readonly MacroLine[] = [],
): string {
  const out: string[] = [];
  const printed = new Map<string, number>();
  const lineNo = (n: number) => String(n + 1).padStart(6);
  const blank = (line: number, text: string) => out.push(`${lineNo(line).padEnd(SOURCE_COLUMN)}${text}`);
  const flushTo = (file: string, line: number) => {
    const lines = files.get(file);
    if (!lines) return;
    let p = printed.get(file) ?? -1;
    while (p < line - 1 && p + 1 < lines.length) {
      p++;
      // (the empty "line" after a final newline is not a line)
      if (p === lines.length - 1 && lines[p] === "") break;
      blank(p, lines[p]!);
    }
    printed.set(file, Math.max(p, printed.get(file) ?? -1));
  };
  /** The bytes column of an item: hex, or one repetition and `<rep N>`, or `<res N>`. */
  const hexOf = (st: ItemState, es: ExpandedStatement): string[] => {
    const sec = st.sec;
    const s = es.stmt;
    if (sec.nobits || (s.kind === "directive" && RESERVE.test(s.name)))
      return [st.size <= 8 ? "??".repeat(st.size) : `<res ${st.size.toString(16).toUpperCase()}h>`];
    const bytes = sec.buf.data.subarray(st.offset, st.offset + st.size);
    const rep = st.repeat ?? 0;
    if (rep > 1 && st.size % rep === 0) {
      const unit = bytes.subarray(0, st.size / rep);
      return [`${[...unit].map(hex2).join("")}<rep ${rep.toString(16).toUpperCase()}h>`];
    }
    if (rep === 0 && bytes.length > 36 && bytes.every((b) => b === bytes[0]))
      return [`${hex2(bytes[0]!)}<rep ${bytes.length.toString(16).toUpperCase()}h>`];
    const hex = [...bytes].map(hex2).join("");
    return hex.match(/.{1,18}/g) ?? [""];
  };
  /** Rows of one item; `text` goes after the first (`<1>` macro lines start one column earlier). */
  const rows = (line: number, st: ItemState, es: ExpandedStatement, text: string | undefined, macro: boolean) => {
    const chunks = hexOf(st, es);
    chunks.forEach((c, k) => {
      // (in an `absolute` block the offset counts from its origin)
      const base = st.sec.absolute ? Number(BigInt.asUintN(32, st.sec.start)) : 0;
      const off = ((base + st.offset + k * 9) >>> 0).toString(16).toUpperCase().padStart(8, "0");
      const more = k < chunks.length - 1 ? "-" : " ";
      const head = `${lineNo(line)} ${off} ${c.padEnd(18)}${more}`;
      out.push(k === 0 && text !== undefined ? `${head}${macro ? " " : "     "}${text}` : head);
    });
  };
  const macroText = (m: MacroLine) => {
    const raw = files.get(m.file)?.[m.line] ?? "";
    // nasm prints expansion lines from their tokens: leading blanks become one space.
    return `<${m.depth}>${/^\s/.test(raw) ? "  " : " "}${raw.trim()}`;
  };
  let i = 0;
  let r = 0;
  while (i < items.length || r < macroLines.length) {
    const m = macroLines[r];
    if (m && (i >= items.length || m.first <= i)) {
      // A macro body line: its invocation (and the source before it) first.
      flushTo(m.invocationFile, m.invocationLine);
      if ((printed.get(m.invocationFile) ?? -1) < m.invocationLine) {
        blank(m.invocationLine, files.get(m.invocationFile)?.[m.invocationLine] ?? "");
        printed.set(m.invocationFile, m.invocationLine);
      }
      const end = Math.min(m.end, items.length);
      let j = Math.max(m.first, i);
      const withBytes: number[] = [];
      for (; j < end; j++) if (states[j]!.size > 0) withBytes.push(j);
      if (withBytes.length === 0) out.push(`${lineNo(m.line).padEnd(SOURCE_COLUMN - 4)}${macroText(m)}`);
      else
        withBytes.forEach((x, k) => {
          rows(m.line, states[x]!, items[x]!, k === 0 ? macroText(m) : undefined, true);
        });
      i = Math.max(i, j);
      r++;
      continue;
    }
    const es = items[i]!;
    const lines = files.get(es.file);
    flushTo(es.file, es.line);
    const srcText = lines?.[es.line] ?? "";
    const seen = (printed.get(es.file) ?? -1) >= es.line;
    if (es.macro) {
      // An expansion line not recorded as a macro body line (a repetition inside a macro).
      if (!seen) {
        blank(es.line, srcText);
        printed.set(es.file, es.line);
      }
      const st = states[i]!;
      if (st.size > 0) rows(es.line, st, es, `<1> ${es.text ?? tokenText(es.tokens ?? [])}`, true);
      i++;
      continue;
    }
    let j = i;
    while (j < items.length && !items[j]!.macro && items[j]!.file === es.file && items[j]!.line === es.line) j++;
    const withBytes: number[] = [];
    for (let k = i; k < j; k++) if (states[k]!.size > 0) withBytes.push(k);
    if (withBytes.length === 0) {
      if (!seen) blank(es.line, srcText);
    } else
      withBytes.forEach((x, k) => {
        rows(es.line, states[x]!, items[x]!, k === 0 && !seen ? srcText : undefined, false);
      });
    printed.set(es.file, Math.max(es.line, printed.get(es.file) ?? -1));
    i = j;
  }
  const main = items[0]?.file;
  if (main) flushTo(main, files.get(main)?.length ?? 0);
  return `${out.join("\n")}\n`;
}

function hex2(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, "0");
}
