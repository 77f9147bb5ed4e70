// The expansion stage, common part: reads the source and its includes line by line through a stack of
// frames (files, macro expansions, repetitions), tracks conditional assembly and block collection, and
// records every statement with its static context (section, code size, syntax, order). The dialects'
// preprocessors are subclasses: expand-gas.ts (GAS, and cpp for .S) and expand-nasm.ts.
import type { Diagnostic, DirectiveArg, Expr, Range, Statement, Syntax } from "./ast";
import { evaluate, type SymbolValue } from "./eval";
import type { ExpandedStatement, ExpandOptions, ExpandResult, Inclusion, MacroLine } from "./expand";
import {
  type Collecting,
  type Cond,
  DEFAULT_LIMIT,
  type Frame,
  type GasMacro,
  type LineSrc,
  lineRange,
  type NasmDefine,
  type NasmMacro,
  rewriteExpr,
} from "./expand-util";
import { Cursor } from "./expr-parse";
import { lexLine, splitLines, type Token } from "./lexer";
import type { LineContext } from "./parse-line";
import { dirname, joinPath } from "./paths";

export abstract class ExpanderCore {
  readonly out: ExpandedStatement[] = [];
  readonly macroLines: MacroLine[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly files = new Map<string, string[]>();
  readonly inclusions: Inclusion[] = [];
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
      isMnemonic: (n) => opts.isMnemonic(n) || this.isMacroName(n),
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
    const finalBits = this.bits;
    this.finish();
    return {
      statements: this.out,
      macroLines: this.macroLines,
      diagnostics: this.diagnostics,
      files: this.files,
      inclusions: this.inclusions,
      finalBits,
      cpp: this.cpp,
    };
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

  pushFile(name: string, text: string, includeLine = -1): void {
    const lines = splitLines(text);
    this.files.set(name, lines);
    const parent = this.inclusionNow();
    const inclusion = this.inclusions.length;
    this.inclusions.push({
      file: name,
      parent: this.inclusions.length === 0 ? -1 : parent,
      parentLine: includeLine,
      depth: this.inclusions.length === 0 ? 0 : (this.inclusions[parent]?.depth ?? 0) + 1,
    });
    this.stack.push({
      inclusion,
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
      let missing = false;
      for (const t of tokens) if (!t.origin) missing = true;
      if (!missing) return tokens;
      // One origin object for the line's tokens (they all report at the invocation).
      const o = src.origin.range;
      const origin = { line: o.start.line, start: o.start.character, end: o.end.character };
      tokens = tokens.map((t) => (t.origin ? t : { ...t, origin }));
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
    // Lines of macro expansions and repetitions are listed after their invocation (nasm -l).
    let listed: MacroLine | undefined;
    if (
      !this.collecting &&
      frame.kind !== "file" &&
      this.macroLines.length < 1_000_000 &&
      (src.origin || frame.listLine !== undefined)
    ) {
      const { depth, inclusion } = this.listingLevel();
      listed = {
        file: src.file,
        line: src.line,
        depth,
        inclusion,
        first: this.out.length,
        end: this.out.length,
        invocationFile: src.origin?.file ?? frame.listFile ?? src.file,
        invocationLine: src.origin?.range.start.line ?? frame.listLine ?? src.line,
      };
      this.macroLines.push(listed);
    }
    this.processLineInner(src, frame);
    if (listed) listed.end = this.out.length;
  }

  processLineInner(src: LineSrc, frame: Frame): void {
    if (!this.collecting && this.preprocessLine(src, frame)) return;
    // While collecting a macro or repeat body, only look for nesting and the end.
    if (this.collecting) {
      this.collectLine(src, frame);
      return;
    }
    const tokens = this.tokensOf(src, frame);
    if (tokens.length === 0) return;
    this.dialectLine(tokens, src, frame);
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
      onError: (m, r, code, severity) => this.error(file, r, code, m, severity),
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
    frame.listFile ??= start.file;
    frame.listLine ??= this.currentLine;
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
        this.pushFile(c, text, range.start.line);
        return;
      }
    }
    this.error(fromFile, range, "asm-include-not-found", `cannot find include file '${name}'`);
  }

  /**
   * Expands single-line macros (NASM %define, cpp #define) in a token list. A macro is not re-expanded
   * inside its own expansion (so `%define X X+1` terminates), nesting is bounded, and the total output is
   * capped so that doubling chains cannot blow up.
   */
  substituteDefines(tokens: Token[], _depth = 0): Token[] {
    if (this.defines.size === 0 && this.idefines.size === 0) return tokens;
    if (!tokens.some((t) => t.kind === "ident" && this.defineFor(t) !== undefined)) return tokens;
    const out: Token[] = [];
    this.expandDefines(tokens, out, new Set(), { left: 100_000 });
    return out;
  }

  defineFor(t: Token): NasmDefine | undefined {
    const d = this.defines.get(t.text);
    if (d !== undefined || this.idefines.size === 0) return d;
    return this.idefines.get(t.text.toLowerCase());
  }

  expandDefines(tokens: Token[], out: Token[], active: Set<NasmDefine>, budget: { left: number }): void {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const d = t.kind === "ident" ? this.defineFor(t) : undefined;
      if (!d || active.has(d) || active.size > 64 || budget.left <= 0) {
        out.push(t);
        continue;
      }
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
      budget.left -= body.length + 1;
      const origin = t.origin ?? { line: this.currentLine, start: t.start, end: t.end };
      const placed = body.map((b, idx) => ({ ...b, origin, spaceBefore: idx === 0 ? t.spaceBefore : b.spaceBefore }));
      active.add(d);
      this.expandDefines(placed, out, active, budget);
      active.delete(d);
    }
  }

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
    } else if (s.kind === "directive") this.rewriteArgs(s.args, fn);
  }

  rewriteArgs(args: DirectiveArg[], fn: (e: Expr) => Expr): void {
    for (const a of args) {
      if (a.expr) a.expr = rewriteExpr(a.expr, fn);
      if (a.dup) {
        a.dup.count = rewriteExpr(a.dup.count, fn);
        this.rewriteArgs(a.dup.values, fn);
      }
    }
  }

  /** A label written before a macro call (`l: M x`): listed as a line of the expansion, as nasm -l does. */
  listLabelOfCall(text: string, src: LineSrc, first: number): void {
    if (this.macroLines.length >= 1_000_000) return;
    const { depth, inclusion } = this.listingLevel();
    const file = src.origin?.file ?? src.file;
    const line = src.origin ? src.origin.range.start.line : src.line;
    this.macroLines.push({
      file,
      line,
      depth: depth + 1,
      inclusion,
      first,
      end: this.out.length,
      invocationFile: file,
      invocationLine: line,
      text,
    });
  }

  /**
   * The listing's `<depth>` of what is being read now — include nesting plus macro and repetition frames — and
   * the inclusion of the innermost file.
   */
  listingLevel(): { depth: number; inclusion: number } {
    let depth = 0;
    for (const f of this.stack) if (f.kind !== "file") depth++;
    const inclusion = this.inclusionNow();
    return { depth: depth + (this.inclusions[inclusion]?.depth ?? 0), inclusion };
  }

  /** The inclusion of the innermost file being read (0 before any). */
  inclusionNow(): number {
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const f = this.stack[k]!;
      if (f.kind === "file") return f.inclusion ?? 0;
    }
    return 0;
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
      inclusion: this.inclusionNow(),
      ...(this.stack[this.stack.length - 1]?.kind !== "file" ? { repeated: true } : {}),
      ...(o ? (src.text !== undefined ? { text: src.text } : { tokens: src.tokens ?? [] }) : {}),
    });
  }

  /** Handles a line before tokenising (GAS: C preprocessor lines in .S files). True if consumed. */
  preprocessLine(_src: LineSrc, _frame: Frame): boolean {
    return false;
  }

  /** Is this word a multi-line macro of the dialect (NASM: a label without colon is not one)? */
  isMacroName(_name: string): boolean {
    return false;
  }

  /** Called after the last line (GAS: allocates .comm symbols). */
  finish(): void {}

  /** Processes one line of tokens in the dialect. */
  abstract dialectLine(tokens: Token[], src: LineSrc, frame: Frame): void;
}
