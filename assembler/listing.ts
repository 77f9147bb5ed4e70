// The nasm -l style listing: for every source line, its line number, the section offset and the bytes it
// produced, then the source text. As nasm prints them: at most 9 bytes a row with `-` continuation rows,
// `times`/`align` output as one repetition and `<rep N>`, reservations as `<res N>`, and every line of a
// macro expansion after its invocation — the body line's number and text, marked `<depth>`.
import type { ExpandedStatement, Inclusion, MacroLine } from "./expand";
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
  inclusions: readonly Inclusion[] = [{ file: items[0]?.file ?? "", parent: -1, parentLine: -1, depth: 0 }],
  warnings: ReadonlyMap<ExpandedStatement, readonly string[]> = new Map(),
): string {
  const out: string[] = [];
  const lineNo = (n: number) => String(n + 1).padStart(6);
  // Lines are printed per reading of a file (an inclusion): an included file's lines come right after its
  // `%include` line, marked `<depth>` as nasm marks them, and before the includer's next line.
  const printedTo = inclusions.map(() => -1);
  const children = inclusions.map(() => [] as number[]);
  inclusions.forEach((inc, k) => {
    if (inc.parent >= 0) children[inc.parent]?.push(k);
  });
  const nextChild = inclusions.map(() => 0);
  const opened = new Set<number>([0]);
  /** An included file whose lines are being printed, per includer: finished before the includer goes on. */
  const openChild = new Map<number, number>();
  const linesOf = (inc: number) => files.get(inclusions[inc]?.file ?? "") ?? [];
  const blank = (inc: number, line: number) => {
    const text = linesOf(inc)[line] ?? "";
    const d = inclusions[inc]?.depth ?? 0;
    out.push(
      d > 0
        ? `${lineNo(line).padEnd(SOURCE_COLUMN - 4)}<${d}> ${text}`
        : `${lineNo(line).padEnd(SOURCE_COLUMN)}${text}`,
    );
  };
  const finishChild = (inc: number) => {
    const c = openChild.get(inc);
    if (c === undefined) return;
    openChild.delete(inc);
    flushTo(c, Number.POSITIVE_INFINITY);
  };
  /** Prints the lines of inclusion `inc` before `line` not printed yet, with the files they include. */
  function flushTo(inc: number, line: number): void {
    open(inc);
    finishChild(inc);
    const lines = linesOf(inc);
    let p = printedTo[inc]!;
    while (p < line - 1 && p + 1 < lines.length) {
      p++;
      // (the empty "line" after a final newline is not a line)
      if (p === lines.length - 1 && lines[p] === "") break;
      blank(inc, p);
      printedTo[inc] = p;
      includedAt(inc, p);
    }
    printedTo[inc] = Math.max(p, printedTo[inc]!);
  }
  /** After line `p` of `inc` is printed: the files it includes are printed whole (unless already begun). */
  function includedAt(inc: number, p: number): void {
    const kids = children[inc]!;
    while (nextChild[inc]! < kids.length && inclusions[kids[nextChild[inc]!]!]!.parentLine <= p) {
      const c = kids[nextChild[inc]!]!;
      nextChild[inc]!++;
      if (!opened.has(c)) flushTo(c, Number.POSITIVE_INFINITY);
    }
  }
  /** Before the first line of an included file: its includer up to the include line. */
  function open(inc: number): void {
    if (opened.has(inc)) return;
    opened.add(inc);
    const { parent, parentLine } = inclusions[inc]!;
    if (parent < 0) return;
    flushTo(parent, parentLine + 1);
    openChild.set(parent, inc);
  }
  /** Marks `line` of `inc` printed (by a row with bytes). */
  const printedLine = (inc: number, line: number) => {
    printedTo[inc] = Math.max(line, printedTo[inc]!);
    includedAt(inc, line);
  };
  /**
   * The bytes column of an item, in rows with their offsets in the item: hex, or one repetition and `<rep N>`,
   * or `<res N>`. As nasm's list_out fills it: each byte, or a relocated value as `[its offset in its section]`,
   * goes on the row if it fits in 18 columns, else starts the next one.
   */
  const hexOf = (st: ItemState, es: ExpandedStatement): { text: string; offset: number }[] => {
    const sec = st.sec;
    const s = es.stmt;
    if (sec.nobits || (s.kind === "directive" && RESERVE.test(s.name)))
      return [
        { text: st.size <= 8 ? "??".repeat(st.size) : `<res ${st.size.toString(16).toUpperCase()}h>`, offset: 0 },
      ];
    const bytes = sec.buf.data.subarray(st.offset, st.offset + st.size);
    const rep = st.repeat ?? 0;
    const unitSize = rep > 1 && st.size % rep === 0 ? st.size / rep : bytes.length;
    const marks = new Map<number, { size: number; value: bigint }>();
    for (const r of st.relocs ?? []) {
      const f = r.operand >= 0 ? st.fields?.find((x) => x.operand === r.operand) : r;
      // (a repeated unit: the marks of any repetition, placed in the first)
      const at = f ? f.offset % unitSize : -1;
      if (f && at >= 0 && at + f.size <= unitSize) marks.set(at, { size: f.size, value: r.value });
    }
    const pieces: { text: string; at: number }[] = [];
    for (let k = 0; k < unitSize; ) {
      const m = marks.get(k);
      const at = k;
      if (m) {
        let v = BigInt.asUintN(m.size * 8, m.value);
        let text = "[";
        for (let b = 0; b < m.size; b++, v >>= 8n) text += hex2(Number(v & 0xffn));
        pieces.push({ text: `${text}]`, at });
        k += m.size;
      } else pieces.push({ text: hex2(bytes[k++]!), at });
    }
    if (unitSize < bytes.length)
      return [{ text: `${pieces.map((p) => p.text).join("")}<rep ${rep.toString(16).toUpperCase()}h>`, offset: 0 }];
    if (rep === 0 && marks.size === 0 && bytes.length > 36 && bytes.every((b) => b === bytes[0]))
      return [{ text: `${hex2(bytes[0]!)}<rep ${bytes.length.toString(16).toUpperCase()}h>`, offset: 0 }];
    const out: { text: string; offset: number }[] = [];
    let row = "";
    let rowOffset = 0;
    for (const { text: piece, at } of pieces) {
      if (row.length + piece.length > 18) {
        out.push({ text: row, offset: rowOffset });
        row = "";
      }
      if (!row) rowOffset = at;
      row += piece;
    }
    out.push({ text: row, offset: rowOffset });
    return out;
  };
  /**
   * Rows of one item; `text` goes after the first. Lines of macro expansions and included files carry their
   * `<depth>` mark (`mark`) on every row, one column earlier than the source text of the main file.
   */
  const rows = (line: number, st: ItemState, es: ExpandedStatement, text: string | undefined, mark: string) => {
    const chunks = hexOf(st, es);
    chunks.forEach((c, k) => {
      // (in an `absolute` block the offset counts from its origin)
      const base = st.sec.absolute ? Number(BigInt.asUintN(32, st.sec.start)) : 0;
      const off = ((base + st.offset + c.offset) >>> 0).toString(16).toUpperCase().padStart(8, "0");
      const more = k < chunks.length - 1 ? "-" : "";
      const head = `${lineNo(line)} ${off} ${`${c.text}${more}`.padEnd(19)}`;
      if (mark) out.push(`${head} ${mark}${k === 0 && text !== undefined ? text : ""}`);
      else out.push(k === 0 && text !== undefined ? `${head}     ${text}` : head);
    });
    // nasm's warning rows (each repetition of a `times` warns again)
    const ws = warnings.get(es);
    if (ws)
      for (let n = 0; n < Math.max(1, st.repeat ?? 1); n++)
        for (const w of ws)
          out.push(
            `${lineNo(line)} ${" ".repeat(8)} ${"*".repeat(18)}${mark ? `  ${mark}  ` : "       "}warning: ${w} [-w+number-overflow]`,
          );
  };
  const macroText = (m: MacroLine) => {
    if (m.text !== undefined) return ` ${m.text}`;
    const raw = files.get(m.file)?.[m.line] ?? "";
    // nasm prints expansion lines from their tokens: leading blanks become one space.
    return `${/^\s/.test(raw) ? "  " : " "}${asTokens(raw)}`;
  };
  let i = 0;
  let r = 0;
  while (i < items.length || r < macroLines.length) {
    const m = macroLines[r];
    if (m && (i >= items.length || m.first <= i)) {
      // A macro body line: its invocation (and the source before it) first.
      flushTo(m.inclusion, m.invocationLine);
      if (printedTo[m.inclusion]! < m.invocationLine) {
        blank(m.inclusion, m.invocationLine);
        printedLine(m.inclusion, m.invocationLine);
      }
      const end = Math.min(m.end, items.length);
      let j = Math.max(m.first, i);
      const withBytes: number[] = [];
      for (; j < end; j++) if (states[j]!.size > 0) withBytes.push(j);
      if (withBytes.length === 0) out.push(`${lineNo(m.line).padEnd(SOURCE_COLUMN - 4)}<${m.depth}>${macroText(m)}`);
      else
        withBytes.forEach((x, k) => {
          rows(m.line, states[x]!, items[x]!, k === 0 ? macroText(m) : undefined, `<${m.depth}>`);
        });
      i = Math.max(i, j);
      r++;
      continue;
    }
    const es = items[i]!;
    const inc = es.inclusion;
    flushTo(inc, es.line);
    const srcText = linesOf(inc)[es.line] ?? "";
    const seen = printedTo[inc]! >= es.line;
    if (es.macro) {
      // An expansion line not recorded as a macro body line (a repetition inside a macro).
      if (!seen) {
        blank(inc, es.line);
        printedLine(inc, es.line);
      }
      const st = states[i]!;
      const depth = (inclusions[inc]?.depth ?? 0) + 1;
      if (st.size > 0) rows(es.line, st, es, ` ${es.text ?? tokenText(es.tokens ?? [])}`, `<${depth}>`);
      i++;
      continue;
    }
    let j = i;
    while (j < items.length && !items[j]!.macro && items[j]!.inclusion === inc && items[j]!.line === es.line) j++;
    const withBytes: number[] = [];
    for (let k = i; k < j; k++) if (states[k]!.size > 0) withBytes.push(k);
    const depth = inclusions[inc]?.depth ?? 0;
    if (withBytes.length === 0) {
      if (!seen) blank(inc, es.line);
    } else
      withBytes.forEach((x, k) => {
        const text = k === 0 && !seen ? (depth > 0 ? ` ${srcText}` : srcText) : undefined;
        rows(es.line, states[x]!, items[x]!, text, depth > 0 ? `<${depth}>` : "");
      });
    printedLine(inc, es.line);
    i = j;
  }
  flushTo(0, Number.POSITIVE_INFINITY);
  return `${out.join("\n")}\n`;
}

/**
 * A NASM source line as nasm prints it back from its tokens: blanks between tokens become one space, the
 * comment goes, strings stay as written.
 */
function asTokens(line: string): string {
  let out = "";
  let quote = "";
  let blank = false;
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (quote) {
      out += c;
      if (quote === "`" && c === "\\" && k + 1 < line.length) out += line[++k];
      else if (c === quote) quote = "";
      continue;
    }
    if (c === ";") break;
    if (c === " " || c === "\t") {
      blank = true;
      continue;
    }
    if (blank && out) out += " ";
    blank = false;
    if (c === "'" || c === '"' || c === "`") quote = c;
    out += c;
  }
  return out;
}

function hex2(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, "0");
}
