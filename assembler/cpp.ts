// The C preprocessor subset `.S` files use (gcc runs cpp before GNU as): #define (object-like and
// function-like), #undef, #if/#ifdef/#ifndef/#elif/#else/#endif with defined(), #include, #error,
// #warning. The expander calls `cppDirective` for lines starting with `#` in a `.S` file.

export interface CppLine {
  directive: string;
  /** Text after the directive name. */
  rest: string;
  /** Column where `rest` starts. */
  restColumn: number;
  /** Column range of the directive word (with `#`). */
  start: number;
  end: number;
}

const DIRECTIVES = new Set([
  "define",
  "undef",
  "if",
  "ifdef",
  "ifndef",
  "elif",
  "else",
  "endif",
  "include",
  "error",
  "warning",
  "pragma",
  "line",
]);

/** Recognises a preprocessor line (`#define X 1`, `  # if ...`). */
export function cppLine(text: string): CppLine | undefined {
  const m = /^(\s*)#(\s*)([a-z]+)\b/.exec(text);
  if (!m || !DIRECTIVES.has(m[3]!)) return undefined;
  const end = m[0].length;
  let restColumn = end;
  while (restColumn < text.length && /\s/.test(text[restColumn]!)) restColumn++;
  // Strip C comments from the rest of the line.
  const rest = text
    .slice(restColumn)
    .replace(/\/\*.*?\*\//g, " ")
    .replace(/\/\/.*$/, "")
    .trimEnd();
  return { directive: m[3]!, rest, restColumn, start: m[1]!.length, end };
}

/** `#if` step 1, before macro expansion: `defined X` / `defined(X)` become 1 or 0. */
export function cppReplaceDefined(expr: string, isDefined: (name: string) => boolean): string {
  return expr.replace(
    /\bdefined\s*\(\s*([A-Za-z_]\w*)\s*\)|\bdefined\s+([A-Za-z_]\w*)/g,
    (_m, a?: string, b?: string) => (isDefined((a ?? b)!) ? "1" : "0"),
  );
}

/**
 * `#if` step 2, after macro expansion, for the NASM-dialect evaluator (C-like precedence, comparisons
 * yield 1): integer suffixes (U, L) are dropped and identifiers left over are 0, as in C.
 */
export function cppFinalize(expr: string): string {
  return expr.replace(/\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b/g, "$1").replace(/\b[A-Za-z_]\w*\b/g, "0");
}
