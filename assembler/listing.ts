// The nasm -l style listing: for every source line, its line number, the section offset and the bytes
// it produced (long runs of one byte as <rep N>, reservations as <res N>), then the source text; macro
// expansion lines follow their invocation marked <1>.
import type { ExpandedStatement } from "./expand";
import type { ItemState } from "./layout";

export function buildListing(items: ExpandedStatement[], states: ItemState[], files: Map<string, string[]>): string {
  const out: string[] = [];
  const printed = new Map<string, number>();
  const lineNo = (n: number) => String(n + 1).padStart(6);
  const blank = (line: number, text: string) =>
    out.push(`${lineNo(line)} ${" ".repeat(8)} ${" ".repeat(24)}${text}`.trimEnd());
  const flushTo = (file: string, line: number) => {
    const lines = files.get(file);
    if (!lines) return;
    let p = printed.get(file) ?? -1;
    while (p < line - 1 && p + 1 < lines.length) {
      p++;
      blank(p, lines[p]!);
    }
    printed.set(file, Math.max(p, printed.get(file) ?? -1));
  };
  const rows = (line: number, st: ItemState, text: string) => {
    const sec = st.sec;
    const bytes = !sec.nobits ? sec.buf.data.subarray(st.offset, st.offset + st.size) : undefined;
    let hex: string;
    if (!bytes) hex = `<res ${st.size.toString(16).toUpperCase()}h>`;
    else if (bytes.length > 36 && bytes.every((b) => b === bytes[0]))
      hex = `${hex2(bytes[0]!)}<rep ${bytes.length.toString(16).toUpperCase()}h>`;
    else hex = [...bytes].map(hex2).join("");
    const chunks = hex.includes("<") ? [hex] : (hex.match(/.{1,18}/g) ?? [""]);
    chunks.forEach((c, k) => {
      const off = (st.offset + k * 9).toString(16).toUpperCase().padStart(8, "0");
      const more = k < chunks.length - 1 ? "-" : " ";
      out.push(`${lineNo(line)} ${off} ${c.padEnd(18)}${more}     ${k === 0 ? text : ""}`.trimEnd());
    });
  };
  let i = 0;
  while (i < items.length) {
    const es = items[i]!;
    const lines = files.get(es.file);
    flushTo(es.file, es.line);
    const srcText = lines?.[es.line] ?? "";
    const seen = (printed.get(es.file) ?? -1) >= es.line;
    if (es.macro) {
      if (!seen) {
        blank(es.line, srcText);
        printed.set(es.file, es.line);
      }
      const st = states[i]!;
      if (st.size > 0) rows(es.line, st, `<1> ${es.text ?? ""}`);
      i++;
      continue;
    }
    let j = i;
    while (j < items.length && !items[j]!.macro && items[j]!.file === es.file && items[j]!.line === es.line) j++;
    const withBytes: ItemState[] = [];
    for (let k = i; k < j; k++) if (states[k]!.size > 0) withBytes.push(states[k]!);
    if (withBytes.length === 0) blank(es.line, srcText);
    else
      withBytes.forEach((st, k) => {
        rows(es.line, st, k === 0 ? srcText : "");
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
