// The expansion stage: reads the source (and its includes) line by line, runs the preprocessor of each
// dialect — GAS .macro/.rept/.irp/.if/.include, NASM %define/%assign/%macro/%rep/%if/%include — and turns
// every remaining line into statements with their static context (section, code size, syntax, the
// NASM local-label base, GAS numeric labels). The layout stage then assigns addresses.
import type { Diagnostic, Expr, Range, Statement, Syntax } from "./ast";
import { type CppLine, cppFinalize, cppLine, cppReplaceDefined } from "./cpp";
import { type EvalEnv, evaluate, type SymbolValue } from "./eval";
import { Cursor, type ExprError, parseExpr } from "./expr-parse";
import { type LexState, lexLine, splitLines, type Token } from "./lexer";
import { type LineContext, parseLineTokens, splitArgs } from "./parse-line";
import { dirname, joinPath } from "./paths";

export interface ExpandOptions {
  fileName: string;
  syntax: Syntax;
  readFile?: (path: string) => string | undefined;
  includeDirs?: readonly string[];
  /** Current directory for include resolution (default ""). */
  cwd?: string;
  isMnemonic(name: string): boolean;
  /** Stop after this many expanded lines (robustness against runaway .rept/%rep/recursion). */
  lineLimit?: number;
  /** GAS: run the C preprocessor subset first (default: for `.S` files, as gcc does). */
  cpp?: boolean;
}

export interface ExpandedStatement {
  stmt: Statement;
  /** File and 0-based line the statement maps to (for a macro expansion: the invocation). */
  file: string;
  line: number;
  column: number;
  bits: 16 | 32 | 64;
  /** GAS: Intel syntax in force. */
  intel: boolean;
  section: string;
  /** Source-order index (GAS forward-reference rules). */
  order: number;
  /** NASM `default rel`. */
  defaultRel: boolean;
  /** Came from a macro expansion (listing marks it). */
  macro: boolean;
  /** For macro expansions: the expanded line's text (the listing shows it). */
  text?: string;
}

export interface ExpandResult {
  statements: ExpandedStatement[];
  diagnostics: Diagnostic[];
  /** Every file read, by name, split in lines (for the listing). */
  files: Map<string, string[]>;
  /** Code size in force at the end of the source (GNU as 2.40 pads all code alignment for this mode). */
  finalBits: 16 | 32 | 64;
}

interface Origin {
  file: string;
  range: Range;
}

interface LineSrc {
  text?: string;
  tokens?: Token[];
  file: string;
  line: number;
  origin?: Origin;
}

interface Frame {
  kind: "file" | "macro" | "rept";
  body: LineSrc[];
  pos: number;
  iterations: number;
  iteration: number;
  file: string;
  lex: LexState;
  /** Per-line transformation (macro parameter substitution) applied when a line is consumed. */
  subst?: (src: LineSrc, frame: Frame) => LineSrc;
  nasmArgs?: Token[][];
  nasmLocalId?: number;
  /** Values for each .irp/.irpc iteration. */
  irp?: { param: string; values: string[] };
  condDepth: number;
}

interface GasMacro {
  name: string;
  params: { name: string; def?: string; vararg: boolean; required: boolean }[];
  body: LineSrc[];
}

interface NasmMacro {
  name: string;
  min: number;
  max: number;
  greedy: boolean;
  defaults: Token[][];
  body: LineSrc[];
  caseInsensitive: boolean;
}

interface NasmDefine {
  params?: string[];
  body: Token[];
  caseInsensitive: boolean;
}

interface Cond {
  /** This branch is being assembled. */
  active: boolean;
  /** Some branch of this if-chain has been taken. */
  done: boolean;
  /** The enclosing context is active. */
  parent: boolean;
  /** An %else/.else has been seen. */
  sawElse: boolean;
}

interface Collecting {
  kind: "gas-macro" | "gas-rept" | "nasm-macro" | "nasm-rep";
  depth: number;
  body: LineSrc[];
  start: { file: string; range: Range };
  finish(body: LineSrc[]): void;
}

const DEFAULT_LIMIT = 200_000;
const STRUC_WORDS = new Set(["struc", "endstruc", "istruc", "at", "iend", "absolute"]);

export function expand(source: string, opts: ExpandOptions): ExpandResult {
  return new Expander(opts).run(source);
}

class Expander {
  readonly out: ExpandedStatement[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly files = new Map<string, string[]>();
  readonly stack: Frame[] = [];
  readonly syntax: Syntax;
  bits: 16 | 32 | 64;
  intel = false;
  intelPrefixed = false;
  section = ".text";
  /** GAS `.previous` and `.pushsection`/`.popsection` state. */
  previousSection = ".text";
  readonly sectionStack: [string, string][] = [];
  defaultRel = false;
  order = 0;
  linesProcessed = 0;
  limitHit = false;
  readonly lineLimit: number;
  conds: Cond[] = [];
  collecting: Collecting | undefined;
  readonly gasMacros = new Map<string, GasMacro>();
  readonly nasmMacros = new Map<string, NasmMacro[]>();
  readonly defines = new Map<string, NasmDefine>();
  readonly idefines = new Map<string, NasmDefine>();
  macroCounter = 0;
  absoluteCount = 0;
  readonly strucStack: { name: string; section: string }[] = [];
  readonly istrucStack: { name: string; start: string }[] = [];
  /** NASM: the last non-local label (base for `.local` labels). */
  localBase = "";
  /** GAS numeric labels: how many times each has been defined. */
  readonly numericCount = new Map<string, number>();
  /** GAS symbols redefined with .set/=: current version. */
  readonly symbolVersion = new Map<string, number>();
  /** Symbols defined so far (labels and constants), for .ifdef and .set versioning. */
  readonly defined = new Set<string>();
  /** Constants with known values so far (for .if/.rept/%if). */
  readonly constants = new Map<string, bigint>();
  readonly lineCtx: LineContext;
  /** Run the C preprocessor subset (`.S` files). */
  readonly cpp: boolean;
  readonly gasRewriteFn = (e: Expr): Expr => this.gasRewrite(e);
  readonly nasmRewriteFn = (e: Expr): Expr => this.nasmRewrite(e);

  constructor(readonly opts: ExpandOptions) {
    this.syntax = opts.syntax;
    this.bits = opts.syntax === "nasm" ? 16 : 64;
    this.lineLimit = opts.lineLimit ?? DEFAULT_LIMIT;
    this.cpp = opts.syntax === "gas" && (opts.cpp ?? /\.S$/.test(opts.fileName));
    const self = this;
    this.lineCtx = {
      syntax: opts.syntax,
      get intel() {
        return self.intel;
      },
      get intelPrefixed() {
        return self.intelPrefixed;
      },
      isMnemonic: (n) => opts.isMnemonic(n) || this.nasmMacros.has(n),
    };
  }

  run(source: string): ExpandResult {
    this.pushFile(this.opts.fileName, source);
    this.loop();
    if (this.collecting) {
      this.error(
        this.collecting.start.file,
        this.collecting.start.range,
        "asm-unterminated-block",
        this.unterminatedMessage(this.collecting.kind),
      );
      this.collecting = undefined;
    }
    return { statements: this.out, diagnostics: this.diagnostics, files: this.files, finalBits: this.bits };
  }

  unterminatedMessage(kind: Collecting["kind"]): string {
    switch (kind) {
      case "gas-macro":
        return "'.macro' without '.endm'";
      case "gas-rept":
        return "'.rept'/'.irp' without '.endr'";
      case "nasm-macro":
        return "'%macro' without '%endmacro'";
      default:
        return "'%rep' without '%endrep'";
    }
  }

  error(file: string, range: Range, code: string, message: string, severity: Diagnostic["severity"] = "error"): void {
    if (this.diagnostics.length > 2000) return;
    this.diagnostics.push({ file, range, severity, code, message });
  }

  pushFile(name: string, text: string): void {
    const lines = splitLines(text);
    this.files.set(name, lines);
    this.stack.push({
      kind: "file",
      body: lines.map((t, i) => ({ text: t, file: name, line: i })),
      pos: 0,
      iterations: 1,
      iteration: 0,
      file: name,
      lex: { inBlockComment: false },
      condDepth: this.conds.length,
    });
  }

  loop(): void {
    while (this.stack.length > 0) {
      const frame = this.stack[this.stack.length - 1]!;
      if (frame.pos >= frame.body.length) {
        frame.iteration++;
        if (frame.iteration < frame.iterations && frame.body.length > 0) {
          frame.pos = 0;
        } else {
          this.stack.pop();
          continue;
        }
      }
      if (++this.linesProcessed > this.lineLimit) {
        if (!this.limitHit) {
          this.limitHit = true;
          const src = frame.body[frame.pos]!;
          const o = src.origin ?? { file: src.file, range: lineRange(src.line, 0, 0) };
          this.error(o.file, o.range, "asm-expansion-limit", `expansion exceeds ${this.lineLimit} lines; stopping`);
        }
        this.stack.length = 0;
        break;
      }
      let src = frame.body[frame.pos++]!;
      // Block bodies are collected unsubstituted, so a %rep inside a macro sees %rotate.
      if (frame.subst && !this.collecting) src = frame.subst(src, frame);
      this.processLine(src, frame);
    }
  }

  tokensOf(src: LineSrc, frame: Frame): Token[] {
    let tokens = src.tokens ?? lexLine(src.text ?? "", this.syntax === "nasm" ? "nasm" : "gas-att", frame.lex);
    if (src.origin) {
      const o = src.origin.range;
      tokens = tokens.map((t) =>
        t.origin ? t : { ...t, origin: { line: o.start.line, start: o.start.character, end: o.end.character } },
      );
    }
    return tokens;
  }

  diagFile(src: LineSrc): string {
    return src.origin?.file ?? src.file;
  }

  cursorFor(tokens: Token[], src: LineSrc): Cursor {
    const line = src.origin ? src.origin.range.start.line : src.line;
    const len = src.origin ? src.origin.range.end.character : (src.text?.length ?? 0);
    return new Cursor(tokens, line, len);
  }

  /** Line of the statement being processed (for ranges of %define expansions). */
  currentLine = 0;

  processLine(src: LineSrc, frame: Frame): void {
    this.currentLine = src.origin ? src.origin.range.start.line : src.line;
    // `.S` files: C preprocessor lines (the only lines where `#` is not a comment).
    if (this.cpp && src.text !== undefined && !src.origin && !frame.lex.inBlockComment) {
      const c = cppLine(src.text);
      if (c) {
        if (!this.collecting) this.cppDirective(c, src, frame);
        return;
      }
    }
    // While collecting a macro or repeat body, only look for nesting and the end.
    if (this.collecting) {
      this.collectLine(src, frame);
      return;
    }
    const tokens = this.tokensOf(src, frame);
    if (tokens.length === 0) return;
    if (this.syntax === "gas") this.gasLine(tokens, src, frame);
    else this.nasmLine(tokens, src, frame);
  }

  cppDirective(c: CppLine, src: LineSrc, frame: Frame): void {
    const file = src.file;
    const range = lineRange(src.line, c.start, c.end);
    const restRange = lineRange(src.line, c.restColumn, c.restColumn + c.rest.length);
    const evalIf = (): boolean => {
      const raw = cppReplaceDefined(c.rest, (n) => this.defines.has(n));
      const tokens = this.substituteDefines(lexLine(raw, "gas-att", { inBlockComment: false }), 0);
      const text = cppFinalize(tokenText(tokens));
      const sub = new Cursor(lexLine(text, "nasm", { inBlockComment: false }), src.line, c.restColumn + c.rest.length);
      const errs: ExprError[] = [];
      const e = parseExpr(sub, { dialect: "nasm" }, errs);
      if (!e || errs.length > 0 || !sub.atEnd()) {
        this.error(file, restRange, "asm-bad-expression", `cannot evaluate '#${c.directive} ${c.rest}'`);
        return false;
      }
      const v = evaluate(e, {
        ...this.emptyEnv(),
        onError: (m) => this.error(file, restRange, "asm-bad-expression", m),
      });
      return v.value !== 0n;
    };
    switch (c.directive) {
      case "if":
        this.pushCond(this.active() ? evalIf() : false);
        return;
      case "ifdef":
      case "ifndef": {
        const name = /^[A-Za-z_]\w*/.exec(c.rest)?.[0] ?? "";
        const v = this.defines.has(name);
        this.pushCond(this.active() && (c.directive === "ifdef" ? v : !v));
        return;
      }
      case "elif":
        this.elseCond(file, range, evalIf, false, frame);
        return;
      case "else":
        this.elseCond(file, range, true, true, frame);
        return;
      case "endif":
        this.endCond(file, range, frame);
        return;
      default:
        break;
    }
    if (!this.active()) return;
    switch (c.directive) {
      case "define": {
        const m = /^([A-Za-z_]\w*)(\(([^)]*)\))?\s*(.*)$/.exec(c.rest);
        if (!m) {
          this.error(file, restRange, "asm-bad-define", "expected a macro name after '#define'");
          return;
        }
        const def: NasmDefine = {
          body: lexLine(m[4] ?? "", "gas-att", { inBlockComment: false }),
          caseInsensitive: false,
        };
        if (m[2])
          def.params = (m[3] ?? "")
            .split(",")
            .map((p) => p.trim())
            .filter((p) => p);
        this.defines.set(m[1]!, def);
        return;
      }
      case "undef":
        this.defines.delete(c.rest.trim());
        return;
      case "include": {
        const m = /^["<]([^">]+)[">]/.exec(c.rest);
        if (!m) this.error(file, restRange, "asm-bad-include", "expected \"file\" or <file> after '#include'");
        else this.include(m[1]!, file, restRange);
        return;
      }
      case "error":
        this.error(file, range, "asm-user-error", c.rest || "#error");
        return;
      case "warning":
        this.error(file, range, "asm-user-warning", c.rest || "#warning", "warning");
        return;
      default:
        return;
    }
  }

  emptyEnv(): EvalEnv {
    return {
      lookup: () => undefined,
      here: undefined,
      hereSection: 0,
      hereFrag: 0,
      sectionStart: undefined,
      order: 0,
      dialect: "nasm",
      onError: () => {},
    };
  }

  active(): boolean {
    const c = this.conds[this.conds.length - 1];
    return c ? c.active : true;
  }

  // -------------------------------------------------------------------------------------------------------
  // Block collection (macro bodies, repeat bodies)

  collectLine(src: LineSrc, frame: Frame): void {
    const c = this.collecting!;
    // Lex a copy so the frame's block-comment state advances exactly once.
    const tokens = this.tokensOf(src, frame);
    const first = tokens[0];
    const word = first && first.kind === "ident" ? first.text.toLowerCase() : "";
    // A label may precede .endr/.endm in GAS (rare); only look at the first word.
    let opens = false;
    let closes = false;
    switch (c.kind) {
      case "gas-macro":
        opens = word === ".macro";
        closes = word === ".endm" || word === ".endmacro";
        break;
      case "gas-rept":
        opens = word === ".rept" || word === ".irp" || word === ".irpc";
        closes = word === ".endr";
        break;
      case "nasm-macro":
        opens = word === "%macro" || word === "%imacro";
        closes = word === "%endmacro" || word === "%endm";
        break;
      case "nasm-rep":
        opens = word === "%rep";
        closes = word === "%endrep" || word === "%endr";
        break;
    }
    if (opens) c.depth++;
    if (closes) {
      if (c.depth === 0) {
        this.collecting = undefined;
        c.finish(c.body);
        return;
      }
      c.depth--;
    }
    c.body.push(this.syntax === "nasm" ? { ...src, tokens } : src);
  }

  // -------------------------------------------------------------------------------------------------------
  // Conditionals shared by both dialects

  pushCond(value: boolean): void {
    const parent = this.active();
    this.conds.push({ active: parent && value, done: value, parent, sawElse: false });
  }

  elseCond(file: string, range: Range, value: boolean | (() => boolean), isElse: boolean, frame: Frame): void {
    const c = this.conds[this.conds.length - 1];
    if (!c || this.conds.length <= frame.condDepth) {
      this.error(file, range, "asm-unbalanced-conditional", isElse ? "else without if" : "elif without if");
      return;
    }
    if (c.sawElse) this.error(file, range, "asm-unbalanced-conditional", "conditional branch after else");
    if (isElse) c.sawElse = true;
    if (c.done) {
      c.active = false;
      return;
    }
    const v = c.parent && (typeof value === "function" ? value() : value);
    c.active = v;
    c.done = v;
  }

  endCond(file: string, range: Range, frame: Frame): void {
    if (this.conds.length <= frame.condDepth) {
      this.error(file, range, "asm-unbalanced-conditional", "endif without if");
      return;
    }
    this.conds.pop();
  }

  /** Evaluates a preprocessor-time constant expression. Returns undefined (after reporting) if unknown. */
  constExpr(e: Expr | undefined, file: string, range: Range): bigint | undefined {
    if (!e) {
      this.error(file, range, "asm-bad-expression", "expected an expression");
      return undefined;
    }
    let undefinedName: { name: string; range: Range } | undefined;
    const v = evaluate(e, {
      lookup: (name): SymbolValue | undefined => {
        const k = this.constants.get(this.versioned(name));
        return k === undefined ? undefined : { value: k, label: false, section: 0, frag: 0, order: 0, terms: [] };
      },
      here: undefined,
      hereSection: 0,
      hereFrag: 0,
      sectionStart: undefined,
      order: 0,
      dialect: this.syntax,
      onError: (m, r, code) => this.error(file, r, code, m),
      onUndefined: (name, r) => {
        undefinedName ??= { name, range: r };
      },
    });
    if (!v.known) {
      if (undefinedName)
        this.error(
          file,
          undefinedName.range,
          "asm-not-constant",
          `'${undefinedName.name}' is not a constant known at this point`,
        );
      else this.error(file, e.range, "asm-not-constant", "expression is not a constant known at this point");
      return undefined;
    }
    return v.value;
  }

  switchSection(name: string): void {
    this.previousSection = this.section;
    this.section = name;
  }

  versioned(name: string): string {
    const v = this.symbolVersion.get(name);
    return v ? `${name}\u0001${v}` : name;
  }

  // -------------------------------------------------------------------------------------------------------
  // GAS

  gasLine(tokens: Token[], src: LineSrc, frame: Frame): void {
    if (this.cpp && this.defines.size > 0) tokens = this.substituteDefines(tokens, 0);
    const file = this.diagFile(src);
    const cur = this.cursorFor(tokens, src);
    // Find the first word after any labels (`a: b: .if`).
    let i = 0;
    while (
      i + 1 < tokens.length &&
      (tokens[i]!.kind === "ident" || tokens[i]!.kind === "number") &&
      tokens[i + 1]!.kind === "punct" &&
      tokens[i + 1]!.text === ":"
    )
      i += 2;
    const wordTok = tokens[i];
    const word = wordTok?.kind === "ident" ? wordTok.text.toLowerCase() : "";
    const argTokens = tokens.slice(i + 1);
    const range = wordTok ? cur.range(wordTok) : cur.range(tokens[0]!);
    // Conditionals are seen even when inactive.
    if (word.startsWith(".if") || word === ".else" || word === ".elseif" || word === ".endif") {
      if (i > 0 && this.active()) this.gasStatements(tokens.slice(0, i), src, frame);
      this.gasConditional(word, argTokens, cur, file, range, frame);
      return;
    }
    if (!this.active()) return;
    switch (word) {
      case ".macro": {
        if (i > 0) this.gasStatements(tokens.slice(0, i), src, frame);
        this.gasMacroDef(argTokens, cur, file, range);
        return;
      }
      case ".rept":
      case ".irp":
      case ".irpc": {
        if (i > 0) this.gasStatements(tokens.slice(0, i), src, frame);
        this.gasRepeat(word, argTokens, cur, file, range, src);
        return;
      }
      case ".endr":
      case ".endm":
      case ".endmacro":
        this.error(file, range, "asm-unbalanced-block", `'${word}' without a matching opening directive`);
        return;
      case ".exitm": {
        // Leave the innermost macro expansion.
        for (let k = this.stack.length - 1; k >= 0; k--) {
          const f = this.stack[k]!;
          if (f.kind === "macro") {
            this.stack.length = k;
            this.conds.length = Math.min(this.conds.length, f.condDepth);
            return;
          }
          if (f.kind === "file") break;
        }
        this.error(file, range, "asm-misplaced-directive", "'.exitm' outside a macro");
        return;
      }
      case ".purgem": {
        const n = argTokens[0]?.text.toLowerCase();
        if (n) this.gasMacros.delete(n);
        return;
      }
      case ".include": {
        if (i > 0) this.gasStatements(tokens.slice(0, i), src, frame);
        const t = argTokens[0];
        if (t?.kind !== "string") {
          this.error(file, t ? cur.range(t) : range, "asm-bad-include", "expected a quoted file name after '.include'");
          return;
        }
        this.include(t.str ?? "", file, cur.range(t));
        return;
      }
      case ".intel_syntax":
      case ".att_syntax": {
        this.intel = word === ".intel_syntax";
        const mode = argTokens[0]?.text.toLowerCase();
        this.intelPrefixed = this.intel ? mode !== "noprefix" : true;
        if (!this.intel && mode === "noprefix")
          this.error(file, cur.range(argTokens[0]!), "asm-unsupported", "'.att_syntax noprefix' is not supported");
        return;
      }
      case ".err":
      case ".error": {
        const t = argTokens[0];
        this.error(file, range, "asm-user-error", t?.kind === "string" ? (t.str ?? "") : ".err encountered");
        return;
      }
      case ".warning": {
        const t = argTokens[0];
        this.error(
          file,
          range,
          "asm-user-warning",
          t?.kind === "string" ? (t.str ?? "") : ".warning encountered",
          "warning",
        );
        return;
      }
      default:
        break;
    }
    if (word && this.gasMacros.has(word) && tokens[i + 1]?.text !== "=" && !(tokens[i + 1]?.text === ":")) {
      if (i > 0) this.gasStatements(tokens.slice(0, i), src, frame);
      this.gasMacroCall(this.gasMacros.get(word)!, argTokens, cur, file, src, wordTok!);
      return;
    }
    this.gasStatements(tokens, src, frame);
  }

  gasConditional(word: string, args: Token[], cur: Cursor, file: string, range: Range, frame: Frame): void {
    const evalCond = (w: string): boolean => {
      const name = args[0]?.text ?? "";
      switch (w) {
        case ".ifdef":
          return this.defined.has(name);
        case ".ifndef":
        case ".ifnotdef":
          return !this.defined.has(name);
        case ".ifb":
          return args.length === 0;
        case ".ifnb":
          return args.length > 0;
        case ".ifc":
        case ".ifnc": {
          const parts = splitArgs(args, cur, "gas", false);
          const a = (parts[0]?.text ?? "").replace(/^'(.*)'$/, "$1");
          const b = (parts[1]?.text ?? "").replace(/^'(.*)'$/, "$1");
          return w === ".ifc" ? a === b : a !== b;
        }
        default: {
          if (!this.active() && w !== ".elseif") return false;
          const sub = new Cursor(args, cur.line, cur.lineLength);
          const errs: ExprError[] = [];
          const e = parseExpr(sub, { dialect: "gas" }, errs);
          for (const er of errs) this.error(file, er.range, "asm-syntax", er.message);
          const v = this.constExpr(e, file, e?.range ?? range) ?? 0n;
          switch (w) {
            case ".if":
            case ".ifne":
            case ".elseif":
              return v !== 0n;
            case ".ifeq":
              return v === 0n;
            case ".ifge":
              return v >= 0n;
            case ".ifgt":
              return v > 0n;
            case ".ifle":
              return v <= 0n;
            case ".iflt":
              return v < 0n;
            default:
              this.error(file, range, "asm-unknown-directive", `unknown conditional '${w}'`);
              return false;
          }
        }
      }
    };
    if (word === ".else") this.elseCond(file, range, true, true, frame);
    else if (word === ".elseif") this.elseCond(file, range, () => evalCond(".elseif"), false, frame);
    else if (word === ".endif") this.endCond(file, range, frame);
    else this.pushCond(this.active() ? evalCond(word) : false);
  }

  gasMacroDef(args: Token[], cur: Cursor, file: string, range: Range): void {
    const nameTok = args[0];
    if (nameTok?.kind !== "ident") {
      this.error(file, nameTok ? cur.range(nameTok) : range, "asm-bad-macro", "expected a macro name after '.macro'");
    }
    const name = nameTok?.text.toLowerCase() ?? "";
    const params: GasMacro["params"] = [];
    // Parameters: `a, b=default, c:req, d:vararg` or space separated.
    let k = 1;
    if (args[k]?.kind === "punct" && args[k]!.text === ",") k++;
    while (k < args.length) {
      const t = args[k]!;
      if (t.kind === "punct" && t.text === ",") {
        k++;
        continue;
      }
      if (t.kind !== "ident") {
        this.error(file, cur.range(t), "asm-bad-macro", `unexpected '${t.text}' in macro parameters`);
        k++;
        continue;
      }
      const p: GasMacro["params"][number] = { name: t.text, vararg: false, required: false };
      k++;
      if (args[k]?.text === ":" && args[k + 1]?.kind === "ident") {
        const q = args[k + 1]!.text.toLowerCase();
        if (q === "req") p.required = true;
        else if (q === "vararg") p.vararg = true;
        k += 2;
      }
      if (args[k]?.text === "=") {
        k++;
        const defToks: Token[] = [];
        while (k < args.length && !(args[k]!.kind === "punct" && args[k]!.text === ",")) {
          // Space-separated parameter lists: a default ends at the next identifier preceded by a space.
          if (defToks.length > 0 && args[k]!.spaceBefore && args[k]!.kind === "ident") break;
          defToks.push(args[k]!);
          k++;
        }
        p.def = tokenText(defToks);
      }
      params.push(p);
    }
    const start = { file, range };
    this.collecting = {
      kind: "gas-macro",
      depth: 0,
      body: [],
      start,
      finish: (body) => {
        if (name) this.gasMacros.set(name, { name, params, body });
      },
    };
  }

  gasMacroCall(m: GasMacro, args: Token[], cur: Cursor, file: string, src: LineSrc, nameTok: Token): void {
    const macroDepth = this.stack.filter((f) => f.kind === "macro").length;
    if (macroDepth > 100) {
      this.error(file, cur.range(nameTok), "asm-macro-recursion", `macro '${m.name}' nested too deeply`);
      return;
    }
    // Split the arguments at commas (or blanks when there are no commas).
    const hasComma = args.some((t) => t.kind === "punct" && t.text === ",");
    const raw: Token[][] = [];
    if (hasComma) {
      let curArg: Token[] = [];
      let depth = 0;
      for (const t of args) {
        if (t.text === "(") depth++;
        if (t.text === ")") depth--;
        if (depth === 0 && t.kind === "punct" && t.text === ",") {
          raw.push(curArg);
          curArg = [];
        } else curArg.push(t);
      }
      raw.push(curArg);
    } else if (args.length > 0) {
      let curArg: Token[] = [];
      for (const t of args) {
        if (t.spaceBefore && curArg.length > 0 && m.params.length > 1) {
          raw.push(curArg);
          curArg = [];
        }
        curArg.push(t);
      }
      raw.push(curArg);
    }
    const values = new Map<string, string>();
    let positional = 0;
    for (let a = 0; a < raw.length; a++) {
      const toks = raw[a]!;
      // keyword argument `name=value`
      if (
        toks.length >= 2 &&
        toks[0]!.kind === "ident" &&
        toks[1]!.text === "=" &&
        m.params.some((p) => p.name === toks[0]!.text)
      ) {
        values.set(toks[0]!.text, tokenText(toks.slice(2)));
        continue;
      }
      const p = m.params[positional];
      if (!p) {
        const r = toks[0] ? cur.range(toks[0]) : cur.range(nameTok);
        this.error(file, r, "asm-macro-arguments", `too many arguments to macro '${m.name}'`);
        break;
      }
      if (p.vararg) {
        const rest = raw.slice(a).map((x) => tokenText(x));
        values.set(p.name, rest.join(","));
        positional++;
        break;
      }
      values.set(p.name, tokenText(toks));
      positional++;
    }
    for (const p of m.params) {
      if (!values.has(p.name) || values.get(p.name) === "") {
        if (p.def !== undefined) values.set(p.name, p.def);
        else if (p.required)
          this.error(
            file,
            cur.range(nameTok),
            "asm-macro-arguments",
            `missing value for required parameter '${p.name}' of macro '${m.name}'`,
          );
        else if (!values.has(p.name)) values.set(p.name, "");
      }
    }
    const counter = this.macroCounter++;
    const names = [...values.keys()].sort((a, b) => b.length - a.length);
    const origin: Origin = src.origin ?? { file, range: cur.range(nameTok) };
    const substitute = (text: string): string =>
      text.replace(/\\(\(\)|@|[A-Za-z_.$][A-Za-z0-9_.$]*)/g, (all, name: string) => {
        if (name === "()") return "";
        if (name === "@") return String(counter);
        if (values.has(name)) return values.get(name)!;
        for (const n of names) if (name.startsWith(n)) return values.get(n)! + name.slice(n.length);
        return all;
      });
    this.stack.push({
      kind: "macro",
      body: m.body.map((b) => ({ text: substitute(b.text ?? ""), file: b.file, line: b.line, origin })),
      pos: 0,
      iterations: 1,
      iteration: 0,
      file,
      lex: { inBlockComment: false },
      condDepth: this.conds.length,
    });
  }

  gasRepeat(word: string, args: Token[], cur: Cursor, file: string, range: Range, _src: LineSrc): void {
    let iterations = 0;
    let irp: Frame["irp"];
    if (word === ".rept") {
      const sub = new Cursor(args, cur.line, cur.lineLength);
      const errs: ExprError[] = [];
      const e = parseExpr(sub, { dialect: "gas" }, errs);
      for (const er of errs) this.error(file, er.range, "asm-syntax", er.message);
      const v = this.constExpr(e, file, e?.range ?? range) ?? 0n;
      iterations = v < 0n ? 0 : v > BigInt(this.lineLimit) ? this.lineLimit : Number(v);
    } else {
      const parts = splitArgs(args, cur, "gas", false);
      const param = parts[0]?.text ?? "";
      if (!param) this.error(file, range, "asm-bad-directive", `expected a parameter name after '${word}'`);
      let values = parts.slice(1).map((p) => p.text);
      if (word === ".irpc") values = [...values.join("")];
      if (values.length === 0) values = [""];
      irp = { param, values };
      iterations = values.length;
    }
    const start = { file, range };
    this.collecting = {
      kind: "gas-rept",
      depth: 0,
      body: [],
      start,
      finish: (body) => {
        if (iterations <= 0) return;
        const frame: Frame = {
          kind: "rept",
          body,
          pos: 0,
          iterations,
          iteration: 0,
          file,
          lex: { inBlockComment: false },
          condDepth: this.conds.length,
        };
        if (irp) {
          const { param, values } = irp;
          const re = new RegExp(`\\\\${param.replace(/[.$]/g, "\\$&")}(?![A-Za-z0-9_.$])|\\\\\\(\\)`, "g");
          frame.subst = (s, f) => {
            const v = values[f.iteration] ?? "";
            return { ...s, text: (s.text ?? "").replace(re, (m) => (m === "\\()" ? "" : v)) };
          };
        }
        this.pushRepeat(frame, start);
      },
    };
  }

  /**
   * Pushes a repeat frame. Its body was collected unsubstituted, so it inherits the substitution of the
   * frame it was written in (macro parameters, an enclosing .irp), applied before its own.
   */
  pushRepeat(frame: Frame, start: { file: string; range: Range }): void {
    // Refuse up front a repetition that would exceed the expansion budget (rather than expanding it
    // partially and assembling hundreds of thousands of lines first).
    if (frame.iterations * Math.max(1, frame.body.length) > this.lineLimit - this.linesProcessed) {
      this.limitHit = true;
      this.error(
        start.file,
        start.range,
        "asm-expansion-limit",
        `repetition exceeds the ${this.lineLimit}-line expansion limit`,
      );
      return;
    }
    const outer = this.stack[this.stack.length - 1];
    const outerSubst = outer?.subst;
    if (outer && outerSubst) {
      const own = frame.subst;
      frame.subst = (s, f) => {
        const once = outerSubst(s, outer);
        return own ? own(once, f) : once;
      };
    }
    this.stack.push(frame);
  }

  include(name: string, fromFile: string, range: Range): void {
    const read = this.opts.readFile;
    const includeDepth = this.stack.filter((f) => f.kind === "file").length;
    if (includeDepth > 32) {
      this.error(fromFile, range, "asm-include-depth", `includes nested too deeply (is '${name}' including itself?)`);
      return;
    }
    if (!read) {
      this.error(fromFile, range, "asm-include-not-found", `cannot include '${name}': no file access`);
      return;
    }
    const candidates: string[] = [];
    if (name.startsWith("/")) candidates.push(name);
    else {
      candidates.push(joinPath(dirname(fromFile), name));
      candidates.push(joinPath(this.opts.cwd ?? "", name));
      for (const d of this.opts.includeDirs ?? []) candidates.push(joinPath(d, name));
    }
    for (const c of candidates) {
      let text: string | undefined;
      try {
        text = read(c);
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        this.pushFile(c, text);
        return;
      }
    }
    this.error(fromFile, range, "asm-include-not-found", `cannot find include file '${name}'`);
  }

  /** Parses ordinary GAS lines and records their static effects. */
  gasStatements(tokens: Token[], src: LineSrc, frame: Frame): void {
    const cur = this.cursorFor(tokens, src);
    const r = parseLineTokens(tokens, cur.line, cur.lineLength, this.lineCtx);
    const file = this.diagFile(src);
    for (const e of r.errors) this.error(file, e.range, e.code ?? "asm-syntax", e.message);
    for (const s of r.statements) this.emitGas(s, src, file, frame);
  }

  emitGas(s: Statement, src: LineSrc, file: string, _frame: Frame): void {
    if (s.kind === "label") {
      if (/^[0-9]+$/.test(s.name)) {
        const n = (this.numericCount.get(s.name) ?? 0) + 1;
        this.numericCount.set(s.name, n);
        s.name = `${s.name}\u0002${n}`;
      } else {
        this.defined.add(s.name);
      }
    } else if (s.kind === "directive") {
      switch (s.name) {
        case ".code16":
          this.bits = 16;
          break;
        case ".code32":
          this.bits = 32;
          break;
        case ".code64":
          this.bits = 64;
          break;
        case ".text":
        case ".data":
        case ".bss":
          this.switchSection(s.name);
          break;
        case ".section":
        case ".pushsection": {
          const n = s.args[0]?.text.split(/\s+/)[0];
          if (!n) {
            this.error(file, s.nameRange, "asm-bad-directive", "expected a section name");
            break;
          }
          if (s.name === ".pushsection") this.sectionStack.push([this.section, this.previousSection]);
          this.switchSection(n);
          break;
        }
        case ".previous":
          this.switchSection(this.previousSection);
          break;
        case ".popsection": {
          const top = this.sectionStack.pop();
          if (!top) this.error(file, s.nameRange, "asm-bad-directive", "'.popsection' without '.pushsection'");
          else [this.section, this.previousSection] = top;
          break;
        }
        default:
          break;
      }
    }
    this.rewriteExprs(s, this.gasRewriteFn);
    if (s.kind === "directive" && (s.name === ".equ" || s.name === ".set" || s.name === "=" || s.name === ".equiv")) {
      this.gasAssignment(s, file);
    }
    this.push(s, src);
  }

  gasAssignment(s: Statement & { kind: "directive" }, file: string): void {
    let name: string | undefined;
    let valueExpr: Expr | undefined;
    if (s.name === "=") {
      name = s.symbol?.name;
      valueExpr = s.args[0]?.expr;
    } else {
      name = s.args[0]?.text;
      valueExpr = s.args[1]?.expr;
      if (name && !/^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(name)) {
        this.error(file, s.args[0]!.range, "asm-bad-directive", `'${name}' is not a symbol name`);
        return;
      }
    }
    if (!name) return;
    if (s.name === ".equiv" && this.defined.has(name)) {
      this.error(file, s.args[0]!.range, "asm-symbol-redefined", `symbol '${name}' is already defined`);
    }
    if (this.defined.has(name)) {
      const v = (this.symbolVersion.get(name) ?? 0) + 1;
      this.symbolVersion.set(name, v);
    }
    this.defined.add(name);
    const target = this.versioned(name);
    if (s.name === "=") s.symbol = { name: target, range: s.symbol!.range };
    else s.args[0] = { ...s.args[0]!, text: target };
    if (valueExpr) {
      const v = evaluate(valueExpr, {
        lookup: (n) => {
          const k = this.constants.get(n);
          return k === undefined ? undefined : { value: k, label: false, section: 0, frag: 0, order: 0, terms: [] };
        },
        here: undefined,
        hereSection: 0,
        hereFrag: 0,
        sectionStart: undefined,
        order: 0,
        dialect: "gas",
        onError: () => {},
      });
      if (v.known && v.terms !== null && v.terms.length === 0) this.constants.set(target, v.value);
      else this.constants.delete(target);
    }
  }

  gasRewrite(e: Expr): Expr {
    if (e.kind === "localRef") {
      const n = this.numericCount.get(e.label) ?? 0;
      const target = e.direction === "b" ? n : n + 1;
      if (e.direction === "b" && n === 0) return { kind: "symbol", name: `${e.label}b`, range: e.range };
      return { kind: "symbol", name: `${e.label}\u0002${target}`, range: e.range };
    }
    if (e.kind === "symbol") {
      const v = this.symbolVersion.get(e.name);
      if (v) return { ...e, name: `${e.name}\u0001${v}` };
    }
    return e;
  }

  // -------------------------------------------------------------------------------------------------------
  // NASM

  nasmLine(tokens: Token[], src: LineSrc, frame: Frame): void {
    const file = this.diagFile(src);
    const cur = this.cursorFor(tokens, src);
    const first = tokens[0]!;
    const word = first.kind === "ident" && first.text.startsWith("%") ? first.text.toLowerCase() : "";
    if (word) {
      if (this.nasmDirective(word, tokens.slice(1), cur, file, cur.range(first), src, frame)) return;
    }
    if (!this.active()) return;
    // Single-line macro substitution.
    let expanded = this.substituteDefines(tokens, 0);
    // Multi-line macro invocation: `name args` or `label: name args`.
    let i = 0;
    if (expanded[0]?.kind === "ident" && expanded[1]?.kind === "punct" && expanded[1].text === ":") i = 2;
    const w = expanded[i];
    if (w && w.kind === "ident") {
      const macros = this.nasmMacros.get(w.text) ?? this.nasmMacros.get(w.text.toLowerCase());
      if (macros) {
        if (i > 0) this.nasmStatements(expanded.slice(0, i), src, frame);
        this.nasmMacroCall(w, macros, expanded.slice(i + 1), cur, file, src);
        return;
      }
    }
    if (expanded.length === 0) return;
    // `%+` token pasting: join neighbours.
    if (expanded.some((t) => t.text === "%+")) expanded = pasteTokens(expanded);
    const head = expanded[0];
    if (head?.kind === "ident" && STRUC_WORDS.has(head.text.toLowerCase())) {
      this.nasmStruc(head.text.toLowerCase(), expanded, src, frame);
      return;
    }
    this.nasmStatements(expanded, src, frame);
  }

  /**
   * NASM's standard macros for data structures (nasm manual 5.9): `struc`/`endstruc` define field offsets
   * in an `absolute` block, `istruc`/`at`/`iend` lay out an instance with `times ... db 0` padding.
   * Rewritten here to the statements those macros expand to.
   */
  nasmStruc(word: string, tokens: Token[], src: LineSrc, frame: Frame): void {
    const file = this.diagFile(src);
    const cur = this.cursorFor(tokens, src);
    const r = cur.range(tokens[0]!);
    const at = { line: r.start.line, start: r.start.character, end: r.end.character };
    const argTokens = tokens.slice(1);
    const emitText = (text: string) => {
      const toks = lexLine(text, "nasm", { inBlockComment: false }).map((t) => ({ ...t, origin: at }));
      this.nasmStatements(toks, src, frame);
    };
    const args = splitTokenArgs(argTokens);
    const argText = (i: number) => tokenText(args[i] ?? []);
    switch (word) {
      case "absolute": {
        this.switchSection(`\u0000absolute${++this.absoluteCount}`);
        emitText(`absolute ${argText(0) || "0"}`);
        return;
      }
      case "struc": {
        const name = argText(0);
        if (!/^[A-Za-z_.?][\w.?$#@~]*$/.test(name)) {
          this.error(file, r, "asm-bad-directive", "expected a structure name after 'struc'");
          return;
        }
        this.strucStack.push({ name, section: this.section });
        this.switchSection(`\u0000absolute${++this.absoluteCount}`);
        emitText(`absolute ${argText(1) || "0"}`);
        emitText(`${name}:`);
        return;
      }
      case "endstruc": {
        const s = this.strucStack.pop();
        if (!s) {
          this.error(file, r, "asm-bad-directive", "'endstruc' without 'struc'");
          return;
        }
        emitText(`${s.name}_size equ ($ - ${s.name})`);
        this.section = s.section;
        return;
      }
      case "istruc": {
        const name = argText(0);
        const start = `..@istruc${++this.macroCounter}`;
        this.istrucStack.push({ name, start });
        emitText(`${start}:`);
        return;
      }
      case "at": {
        const s = this.istrucStack[this.istrucStack.length - 1];
        if (!s) {
          this.error(file, r, "asm-bad-directive", "'at' outside 'istruc'");
          return;
        }
        emitText(`times ((${argText(0)}) - ${s.name}) - ($ - ${s.start}) db 0`);
        const rest = argTokens.findIndex((t) => t.kind === "punct" && t.text === ",");
        if (rest >= 0 && rest + 1 < argTokens.length) this.nasmStatements(argTokens.slice(rest + 1), src, frame);
        return;
      }
      default: {
        const s = this.istrucStack.pop();
        if (!s) {
          this.error(file, r, "asm-bad-directive", "'iend' without 'istruc'");
          return;
        }
        emitText(`times (${s.name}_size) - ($ - ${s.start}) db 0`);
      }
    }
  }

  /** Handles a `%` directive. Returns false if it is not a preprocessor directive (e.g. `%1` in an expression). */
  nasmDirective(
    word: string,
    args: Token[],
    cur: Cursor,
    file: string,
    range: Range,
    _src: LineSrc,
    frame: Frame,
  ): boolean {
    const condWord = /^%(if|elif)(n?)(def|idni?|macro|num|str|id|empty|ctx|token)?$/.exec(word);
    if (condWord || word === "%else" || word === "%endif") {
      const evalCond = (): boolean => {
        const neg = condWord![2] === "n";
        const kind = condWord![3] ?? "";
        let v = false;
        switch (kind) {
          case "":
            v = this.nasmCondExpr(args, cur, file, range) !== 0n;
            return v;
          case "def":
            v = !!args[0] && (this.defines.has(args[0].text) || this.idefines.has(args[0].text.toLowerCase()));
            break;
          case "macro":
            v = !!args[0] && this.nasmMacros.has(args[0].text);
            break;
          case "idn":
          case "idni": {
            const parts = splitArgs(this.substituteDefines(args, 0), cur, "nasm", false);
            let a = parts[0]?.text ?? "";
            let b = parts[1]?.text ?? "";
            if (kind === "idni") {
              a = a.toLowerCase();
              b = b.toLowerCase();
            }
            v = a.replace(/\s+/g, "") === b.replace(/\s+/g, "");
            break;
          }
          case "num": {
            const x = this.substituteDefines(args, 0);
            v = x.length === 1 && x[0]!.kind === "number";
            break;
          }
          case "str": {
            const x = this.substituteDefines(args, 0);
            v = x.length === 1 && x[0]!.kind === "string";
            break;
          }
          case "id": {
            const x = this.substituteDefines(args, 0);
            v = x.length === 1 && x[0]!.kind === "ident";
            break;
          }
          case "empty":
            v = this.substituteDefines(args, 0).length === 0;
            break;
          default:
            this.error(file, range, "asm-unsupported", `'${word}' is not supported`);
            v = false;
        }
        return neg ? !v : v;
      };
      if (word === "%else") this.elseCond(file, range, true, true, frame);
      else if (word === "%endif") this.endCond(file, range, frame);
      else if (word.startsWith("%elif")) this.elseCond(file, range, evalCond, false, frame);
      else this.pushCond(this.active() ? evalCond() : false);
      return true;
    }
    if (!this.active()) return true;
    switch (word) {
      case "%define":
      case "%xdefine":
      case "%idefine":
      case "%xidefine": {
        const nameTok = args[0];
        if (nameTok?.kind !== "ident") {
          this.error(file, nameTok ? cur.range(nameTok) : range, "asm-bad-define", `expected a name after '${word}'`);
          return true;
        }
        let k = 1;
        let params: string[] | undefined;
        if (args[1]?.text === "(" && !args[1].spaceBefore) {
          params = [];
          k = 2;
          while (k < args.length && args[k]!.text !== ")") {
            if (args[k]!.kind === "ident") params.push(args[k]!.text);
            k++;
          }
          k++;
        }
        let body = args.slice(k);
        if (word.startsWith("%x")) body = this.substituteDefines(body, 0);
        const ci = word.includes("idefine");
        const def: NasmDefine = { body, caseInsensitive: ci };
        if (params) def.params = params;
        if (ci) this.idefines.set(nameTok.text.toLowerCase(), def);
        else this.defines.set(nameTok.text, def);
        return true;
      }
      case "%undef": {
        const n = args[0]?.text;
        if (n) {
          this.defines.delete(n);
          this.idefines.delete(n.toLowerCase());
        }
        return true;
      }
      case "%assign":
      case "%iassign": {
        const nameTok = args[0];
        if (nameTok?.kind !== "ident") {
          this.error(file, nameTok ? cur.range(nameTok) : range, "asm-bad-define", "expected a name after '%assign'");
          return true;
        }
        const v = this.nasmCondExpr(args.slice(1), cur, file, range);
        const numTok: Token = {
          kind: "number",
          text: v < 0n ? `-${-v}` : String(v),
          value: v,
          start: nameTok.start,
          end: nameTok.end,
          spaceBefore: true,
        };
        const body: Token[] =
          v < 0n
            ? [
                { kind: "punct", text: "(", start: nameTok.start, end: nameTok.end, spaceBefore: true },
                { kind: "punct", text: "-", start: nameTok.start, end: nameTok.end, spaceBefore: false },
                { ...numTok, text: String(-v), value: -v, spaceBefore: false },
                { kind: "punct", text: ")", start: nameTok.start, end: nameTok.end, spaceBefore: false },
              ]
            : [numTok];
        if (word === "%iassign") this.idefines.set(nameTok.text.toLowerCase(), { body, caseInsensitive: true });
        else this.defines.set(nameTok.text, { body, caseInsensitive: false });
        return true;
      }
      case "%macro":
      case "%imacro":
        this.nasmMacroDef(word, args, cur, file, range);
        return true;
      case "%endmacro":
      case "%endm":
      case "%endrep":
      case "%endr":
        this.error(file, range, "asm-unbalanced-block", `'${word}' without a matching opening directive`);
        return true;
      case "%rep": {
        const n = this.nasmCondExpr(args, cur, file, range);
        const iterations = n < 0n ? 0 : n > BigInt(this.lineLimit) ? this.lineLimit : Number(n);
        this.collecting = {
          kind: "nasm-rep",
          depth: 0,
          body: [],
          start: { file, range },
          finish: (body) => {
            if (iterations > 0)
              this.pushRepeat(
                {
                  kind: "rept",
                  body,
                  pos: 0,
                  iterations,
                  iteration: 0,
                  file,
                  lex: { inBlockComment: false },
                  condDepth: this.conds.length,
                },
                { file, range },
              );
          },
        };
        return true;
      }
      case "%exitrep": {
        for (let k = this.stack.length - 1; k >= 0; k--) {
          const f = this.stack[k]!;
          if (f.kind === "rept") {
            this.stack.length = k;
            this.conds.length = Math.min(this.conds.length, f.condDepth);
            return true;
          }
          if (f.kind === "file") break;
        }
        this.error(file, range, "asm-misplaced-directive", "'%exitrep' outside '%rep'");
        return true;
      }
      case "%exitmacro": {
        for (let k = this.stack.length - 1; k >= 0; k--) {
          const f = this.stack[k]!;
          if (f.kind === "macro") {
            this.stack.length = k;
            this.conds.length = Math.min(this.conds.length, f.condDepth);
            return true;
          }
        }
        return true;
      }
      case "%rotate": {
        const n = Number(this.nasmCondExpr(args, cur, file, range));
        for (let k = this.stack.length - 1; k >= 0; k--) {
          const f = this.stack[k]!;
          if (f.kind === "macro" && f.nasmArgs) {
            const a = f.nasmArgs;
            if (a.length > 0) {
              const r = ((n % a.length) + a.length) % a.length;
              f.nasmArgs = [...a.slice(r), ...a.slice(0, r)];
            }
            return true;
          }
        }
        this.error(file, range, "asm-misplaced-directive", "'%rotate' outside a macro");
        return true;
      }
      case "%include": {
        const t = this.substituteDefines(args, 0)[0];
        if (t?.kind !== "string") {
          this.error(file, t ? cur.range(t) : range, "asm-bad-include", "expected a quoted file name after '%include'");
          return true;
        }
        this.include(t.str ?? "", file, cur.range(t));
        return true;
      }
      case "%error":
      case "%fatal":
      case "%warning": {
        const parts = this.substituteDefines(args, 0);
        const msg = parts.map((t) => (t.kind === "string" ? t.str : t.text)).join(" ");
        this.error(
          file,
          range,
          word === "%warning" ? "asm-user-warning" : "asm-user-error",
          msg || word,
          word === "%warning" ? "warning" : "error",
        );
        if (word === "%fatal") this.stack.length = 0;
        return true;
      }
      case "%line":
      case "%pragma":
      case "%push":
      case "%pop":
      case "%repl":
        return true;
      default:
        if (/^%[0-9]/.test(word) || word.startsWith("%%")) return false;
        this.error(file, range, "asm-unknown-directive", `unknown preprocessor directive '${word}'`);
        return true;
    }
  }

  nasmCondExpr(args: Token[], cur: Cursor, file: string, range: Range): bigint {
    const toks = this.substituteDefines(args, 0);
    const sub = new Cursor(toks, cur.line, cur.lineLength);
    const errs: ExprError[] = [];
    const e = parseExpr(sub, { dialect: "nasm" }, errs);
    for (const er of errs) this.error(file, er.range, "asm-syntax", er.message);
    if (e && !sub.atEnd()) this.error(file, sub.here(), "asm-syntax", `unexpected '${sub.peek()!.text}'`);
    return this.constExpr(e, file, e?.range ?? range) ?? 0n;
  }

  substituteDefines(tokens: Token[], depth: number): Token[] {
    if (this.defines.size === 0 && this.idefines.size === 0) return tokens;
    let changed = false;
    const out: Token[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind !== "ident") {
        out.push(t);
        continue;
      }
      const d = this.defines.get(t.text) ?? this.idefines.get(t.text.toLowerCase());
      // `%define` inside `%ifdef NAME` args etc. are handled by callers; `defined`-style operands skip.
      if (!d || depth > 32) {
        out.push(t);
        continue;
      }
      const origin = t.origin ?? { line: this.currentLine, start: t.start, end: t.end };
      let body = d.body;
      if (d.params) {
        // Function-like: needs `(args)`.
        if (tokens[i + 1]?.text !== "(") {
          out.push(t);
          continue;
        }
        let k = i + 2;
        let level = 0;
        const actual: Token[][] = [[]];
        for (; k < tokens.length; k++) {
          const a = tokens[k]!;
          if (a.text === "(") level++;
          if (a.text === ")") {
            if (level === 0) break;
            level--;
          }
          if (level === 0 && a.text === ",") actual.push([]);
          else actual[actual.length - 1]!.push(a);
        }
        i = k;
        const params = d.params;
        body = body.flatMap((b) => {
          const pi = b.kind === "ident" ? params.indexOf(b.text) : -1;
          return pi >= 0 ? (actual[pi] ?? []) : [b];
        });
      }
      changed = true;
      body.forEach((b, idx) => {
        out.push({ ...b, origin, spaceBefore: idx === 0 ? t.spaceBefore : b.spaceBefore });
      });
    }
    if (!changed) return tokens;
    return this.substituteDefines(out, depth + 1);
  }

  nasmMacroDef(word: string, args: Token[], cur: Cursor, file: string, range: Range): void {
    const nameTok = args[0];
    if (nameTok?.kind !== "ident") {
      this.error(file, nameTok ? cur.range(nameTok) : range, "asm-bad-macro", "expected a macro name after '%macro'");
    }
    // Parameter spec: N, N-M, N-*, N+, N-M+ then defaults.
    let min = 0;
    let max = 0;
    let greedy = false;
    let k = 1;
    const num = args[k];
    if (num?.kind === "number") {
      min = Number(num.value ?? 0n);
      max = min;
      k++;
      if (args[k]?.text === "-") {
        k++;
        if (args[k]?.text === "*") {
          max = Number.MAX_SAFE_INTEGER;
          k++;
        } else if (args[k]?.kind === "number") {
          max = Number(args[k]!.value ?? 0n);
          k++;
        }
      }
      if (args[k]?.text === "+") {
        greedy = true;
        k++;
      }
    } else if (nameTok) {
      this.error(
        file,
        num ? cur.range(num) : cur.range(nameTok),
        "asm-bad-macro",
        "expected the number of macro parameters",
      );
    }
    if (args[k]?.kind === "ident" && args[k]!.text.toLowerCase() === ".nolist") k++;
    const defaults = args.length > k ? splitTokenArgs(args.slice(k)) : [];
    const ci = word === "%imacro";
    const name = ci ? (nameTok?.text.toLowerCase() ?? "") : (nameTok?.text ?? "");
    this.collecting = {
      kind: "nasm-macro",
      depth: 0,
      body: [],
      start: { file, range },
      finish: (body) => {
        if (!name) return;
        const list = this.nasmMacros.get(name) ?? [];
        const idx = list.findIndex((m) => m.min === min && m.max === max);
        const m: NasmMacro = { name, min, max, greedy, defaults, body, caseInsensitive: ci };
        if (idx >= 0) list[idx] = m;
        else list.push(m);
        this.nasmMacros.set(name, list);
      },
    };
  }

  nasmMacroCall(
    nameTok: Token,
    macros: NasmMacro[],
    argTokens: Token[],
    cur: Cursor,
    file: string,
    src: LineSrc,
  ): void {
    const macroDepth = this.stack.filter((f) => f.kind === "macro").length;
    if (macroDepth > 100) {
      this.error(file, cur.range(nameTok), "asm-macro-recursion", `macro '${nameTok.text}' nested too deeply`);
      return;
    }
    let args = argTokens.length === 0 ? [] : splitTokenArgs(argTokens);
    const m =
      macros.find((x) => args.length >= x.min && args.length <= x.max) ??
      macros.find((x) => x.greedy && args.length >= x.min) ??
      macros.find((x) => args.length <= x.max && args.length + x.defaults.length >= x.min);
    if (!m) {
      const want = macros
        .map((x) => (x.max === x.min ? `${x.min}` : `${x.min}-${x.max === Number.MAX_SAFE_INTEGER ? "*" : x.max}`))
        .join(" or ");
      this.error(
        file,
        cur.range(nameTok),
        "asm-macro-arguments",
        `macro '${nameTok.text}' expects ${want} parameters, got ${args.length}`,
      );
      return;
    }
    if (m.greedy && args.length > m.max) {
      // The last parameter takes the rest of the line, commas included.
      const keep = args.slice(0, m.max - 1);
      const rest = args.slice(m.max - 1);
      const joined: Token[] = [];
      rest.forEach((a, idx) => {
        if (idx > 0)
          joined.push({ kind: "punct", text: ",", start: a[0]?.start ?? 0, end: a[0]?.start ?? 0, spaceBefore: false });
        joined.push(...a);
      });
      args = [...keep, joined];
    }
    // Defaults for missing parameters.
    // Their tokens come from the %macro line; report them at the macro name in the invocation.
    const nameRange = cur.range(nameTok);
    const at = { line: nameRange.start.line, start: nameRange.start.character, end: nameRange.end.character };
    for (let p = args.length; p < m.max && p - m.min < m.defaults.length && p >= m.min; p++)
      args.push(m.defaults[p - m.min]!.map((t) => ({ ...t, origin: at })));
    const origin: Origin = src.origin ?? { file, range: cur.range(nameTok) };
    const o = origin.range;
    const withOrigin = (t: Token, line: number): Token =>
      t.origin ? t : { ...t, origin: { line, start: t.start, end: t.end } };
    // Argument tokens keep their own positions on the invocation line.
    const invocationLine = src.origin ? src.origin.range.start.line : src.line;
    args = args.map((a) => a.map((t) => withOrigin(t, invocationLine)));
    const localId = ++this.macroCounter;
    const frame: Frame = {
      kind: "macro",
      body: m.body,
      pos: 0,
      iterations: 1,
      iteration: 0,
      file,
      lex: { inBlockComment: false },
      nasmArgs: args,
      nasmLocalId: localId,
      condDepth: this.conds.length,
      subst: (line, f) => {
        const a = f.nasmArgs ?? [];
        const toks: Token[] = [];
        for (const t of line.tokens ?? []) {
          if (t.kind === "ident" && t.text.startsWith("%")) {
            const num = /^%([0-9]+)$/.exec(t.text);
            if (num) {
              const n = Number(num[1]);
              if (n === 0)
                toks.push({
                  kind: "number",
                  text: String(a.length),
                  value: BigInt(a.length),
                  start: t.start,
                  end: t.end,
                  spaceBefore: t.spaceBefore,
                });
              else {
                const arg = a[n - 1] ?? [];
                arg.forEach((x, idx) => {
                  toks.push(idx === 0 ? { ...x, spaceBefore: t.spaceBefore } : x);
                });
              }
              continue;
            }
            if (t.text.startsWith("%%")) {
              toks.push({ ...t, text: `..@${localId}.${t.text.slice(2)}` });
              continue;
            }
          }
          toks.push(t);
        }
        return { file: line.file, line: line.line, tokens: toks, origin };
      },
    };
    void o;
    this.stack.push(frame);
  }

  nasmStatements(tokens: Token[], src: LineSrc, _frame: Frame): void {
    const cur = this.cursorFor(tokens, src);
    const r = parseLineTokens(tokens, cur.line, cur.lineLength, this.lineCtx);
    const file = this.diagFile(src);
    for (const e of r.errors) this.error(file, e.range, e.code ?? "asm-syntax", e.message);
    for (const s of r.statements) this.emitNasm(s, src, file);
  }

  emitNasm(s: Statement, src: LineSrc, file: string): void {
    if (s.kind === "label") {
      s.name = this.nasmLabelName(s.name);
      this.defined.add(s.name);
    } else if (s.kind === "directive") {
      if (s.symbol) s.symbol.name = this.nasmLabelName(s.symbol.name);
      switch (s.name) {
        case "bits": {
          const v = s.args[0]?.expr ? this.constExpr(s.args[0].expr, file, s.args[0].range) : undefined;
          if (v === 16n || v === 32n || v === 64n) this.bits = Number(v) as 16 | 32 | 64;
          else this.error(file, s.args[0]?.range ?? s.nameRange, "asm-bad-directive", "'bits' must be 16, 32 or 64");
          break;
        }
        case "use16":
          this.bits = 16;
          break;
        case "use32":
          this.bits = 32;
          break;
        case "use64":
          this.bits = 64;
          break;
        case "section":
        case "segment": {
          const n = s.args[0]?.text.split(/\s+/)[0];
          if (n) this.section = n;
          else this.error(file, s.nameRange, "asm-bad-directive", "expected a section name");
          break;
        }
        case "default": {
          const a = s.args[0]?.text.toLowerCase();
          if (a === "rel") this.defaultRel = true;
          else if (a === "abs") this.defaultRel = false;
          break;
        }
        case "equ":
          if (s.symbol) this.defined.add(s.symbol.name);
          break;
        default:
          break;
      }
      if (s.body && s.body.kind !== "label") this.rewriteExprs(s.body, this.nasmRewriteFn);
    }
    this.rewriteExprs(s, this.nasmRewriteFn);
    this.push(s, src);
  }

  nasmLabelName(name: string): string {
    if (name.startsWith("..@")) return name;
    if (name.startsWith(".") && !name.startsWith("..")) return `${this.localBase}${name}`;
    if (!name.startsWith("..")) this.localBase = name;
    return name;
  }

  nasmRewrite(e: Expr): Expr {
    if (e.kind === "symbol" && e.name.startsWith(".") && !e.name.startsWith(".."))
      return { ...e, name: `${this.localBase}${e.name}` };
    return e;
  }

  // -------------------------------------------------------------------------------------------------------

  rewriteExprs(s: Statement, fn: (e: Expr) => Expr): void {
    if (s.kind === "instruction") {
      for (const op of s.operands) {
        if (op.kind === "immediate") op.value = rewriteExpr(op.value, fn);
        else if (op.kind === "memory" && op.disp) op.disp = rewriteExpr(op.disp, fn);
        else if (op.kind === "far") {
          op.segment = rewriteExpr(op.segment, fn);
          op.offset = rewriteExpr(op.offset, fn);
        }
      }
    } else if (s.kind === "directive") {
      for (const a of s.args) if (a.expr) a.expr = rewriteExpr(a.expr, fn);
    }
  }

  push(s: Statement, src: LineSrc): void {
    const o = src.origin;
    const line = o ? o.range.start.line : src.line;
    const column = o ? o.range.start.character : s.range.start.character;
    this.out.push({
      stmt: s,
      file: o ? o.file : src.file,
      line,
      column,
      bits: this.bits,
      intel: this.intel,
      section: this.section,
      order: this.order++,
      defaultRel: this.defaultRel,
      macro: !!o,
      ...(o ? { text: src.text ?? tokenText(src.tokens ?? []) } : {}),
    });
  }
}

/** Applies `fn` bottom-up; allocates new nodes only where something changed. */
function rewriteExpr(e: Expr, fn: (e: Expr) => Expr): Expr {
  switch (e.kind) {
    case "unary": {
      const o = rewriteExpr(e.operand, fn);
      return fn(o === e.operand ? e : { ...e, operand: o });
    }
    case "binary": {
      const l = rewriteExpr(e.left, fn);
      const r = rewriteExpr(e.right, fn);
      return fn(l === e.left && r === e.right ? e : { ...e, left: l, right: r });
    }
    case "conditional": {
      const t = rewriteExpr(e.test, fn);
      const a = rewriteExpr(e.whenTrue, fn);
      const b = rewriteExpr(e.whenFalse, fn);
      return fn(
        t === e.test && a === e.whenTrue && b === e.whenFalse ? e : { ...e, test: t, whenTrue: a, whenFalse: b },
      );
    }
    default:
      return fn(e);
  }
}

function lineRange(line: number, a: number, b: number): Range {
  return { start: { line, character: a }, end: { line, character: b } };
}

function tokenText(tokens: Token[]): string {
  let s = "";
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (i > 0 && t.spaceBefore) s += " ";
    s += t.kind === "register" ? `%${t.text}` : t.text;
  }
  return s;
}

/** Splits macro arguments at depth-0 commas; `{a, b}` groups one argument. */
function splitTokenArgs(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  let depth = 0;
  let brace = 0;
  for (const t of tokens) {
    if (t.kind === "punct") {
      if (t.text === "{") {
        if (brace++ === 0 && depth === 0) continue;
      } else if (t.text === "}") {
        if (--brace === 0 && depth === 0) continue;
      } else if (t.text === "(" || t.text === "[") depth++;
      else if (t.text === ")" || t.text === "]") depth--;
      else if (t.text === "," && depth === 0 && brace === 0) {
        out.push([]);
        continue;
      }
    }
    out[out.length - 1]!.push(t);
  }
  return out;
}

/** NASM `%+`: concatenates the tokens on either side. */
function pasteTokens(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === "%+" && out.length > 0 && tokens[i + 1]) {
      const prev = out.pop()!;
      const next = tokens[++i]!;
      out.push({ ...prev, kind: "ident", text: prev.text + next.text, end: next.end });
      continue;
    }
    out.push(t);
  }
  return out;
}
