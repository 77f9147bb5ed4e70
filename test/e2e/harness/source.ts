// Positions in fixture and example files, found by their text so the tests survive edits above them.
import { readFileSync } from "node:fs";

export interface SourcePosition {
  /** 1-based, as VS Code shows it. */
  line: number;
  /** 1-based. */
  column: number;
}

export function sourceLines(path: string): string[] {
  return readFileSync(path, "utf8").split(/\r?\n/);
}

/**
 * The first line matching `line` (a regular expression over the whole line), and the column of `token` in it
 * (the first non-blank column when absent).
 */
export function find(path: string, line: RegExp, token?: string): SourcePosition {
  const lines = sourceLines(path);
  const index = lines.findIndex((l) => line.test(l));
  if (index < 0) throw new Error(`${path}: no line matches ${line}`);
  const text = lines[index] ?? "";
  const col = token === undefined ? text.search(/\S/) : text.indexOf(token);
  if (col < 0) throw new Error(`${path}:${index + 1}: no ${JSON.stringify(token)} in ${JSON.stringify(text)}`);
  return { line: index + 1, column: col + 1 };
}
