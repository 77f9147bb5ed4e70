// GAS preprocessing: .macro/.endm, .rept/.irp/.irpc/.endr, .if family, .include, .intel_syntax, sections,
// numeric local labels (1b/1f), .set redefinition, and the C preprocessor subset of .S files.
import type { Expr, Range, Statement } from "./ast";
import { type CppLine, cppFinalize, cppLine, cppReplaceDefined } from "./cpp";
import { type EvalEnv, evaluate } from "./eval";
import { ExpanderCore } from "./expand-core";
import {
  type Frame,
  type GasMacro,
  type LineSrc,
  lineRange,
  type NasmDefine,
  type Origin,
  tokenText,
} from "./expand-util";
import { Cursor, type ExprError, parseExpr } from "./expr-parse";
import { lexLine, type Token } from "./lexer";
import { parseLineTokens, splitArgs } from "./parse-line";

export class GasExpander extends ExpanderCore {
  /** `.altmacro` in force (GNU as alternate macro mode). */
  altmacro = false;
  readonly gasRewriteFn = (e: Expr): Expr => this.gasRewrite(e);

  override preprocessLine(src: LineSrc, frame: Frame): boolean {
    // `.S` files: C preprocessor lines (the only lines where `#` is not a comment).
    if (this.cpp && src.text !== undefined && !src.origin && !frame.lex.inBlockComment) {
      const c = cppLine(src.text);
      if (c) {
        this.cppDirective(c, src, frame);
        return true;
      }
    }
    return false;
  }

  dialectLine(tokens: Token[], src: LineSrc, frame: Frame): void {
    this.gasLine(tokens, src, frame);
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
      case ".altmacro":
      case ".noaltmacro":
        // GNU as alternate macro mode: bare parameter names, `&` concatenation, `LOCAL`, `%expr` and
        // `<text>` arguments (as manual, 7.4 .altmacro).
        this.altmacro = word === ".altmacro";
        return;
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
    // Alternate mode: `<text>` is the text, `%expr` the expression's value in decimal.
    const argText = (toks: Token[]): string => {
      const text = tokenText(toks);
      if (!this.altmacro) return text;
      const t = text.trim();
      if (t.startsWith("<") && t.endsWith(">")) return t.slice(1, -1);
      if (t.startsWith("%")) {
        const sub = lexLine(t.slice(1), "gas-att", { inBlockComment: false });
        const c = new Cursor(sub, cur.line, cur.lineLength);
        const errs: ExprError[] = [];
        const e = parseExpr(c, { dialect: "gas" }, errs);
        const r = toks[0] ? cur.range(toks[0]) : cur.range(nameTok);
        const v = errs.length === 0 && c.atEnd() ? this.constExpr(e, file, r) : undefined;
        if (v === undefined) {
          if (errs.length > 0 || !c.atEnd()) this.error(file, r, "asm-bad-expression", `cannot evaluate '${t}'`);
          return "0";
        }
        return String(v);
      }
      return text;
    };
    for (let a = 0; a < raw.length; a++) {
      const toks = raw[a]!;
      // keyword argument `name=value`
      if (
        toks.length >= 2 &&
        toks[0]!.kind === "ident" &&
        toks[1]!.text === "=" &&
        m.params.some((p) => p.name === toks[0]!.text)
      ) {
        values.set(toks[0]!.text, argText(toks.slice(2)));
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
      values.set(p.name, argText(toks));
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
    let body: LineSrc[] = m.body.map((b) => ({ text: substitute(b.text ?? ""), file: b.file, line: b.line, origin }));
    if (this.altmacro) body = this.altmacroBody(body, values, counter);
    this.stack.push({
      kind: "macro",
      body,
      pos: 0,
      iterations: 1,
      iteration: 0,
      file,
      lex: { inBlockComment: false },
      condDepth: this.conds.length,
    });
  }

  /**
   * Alternate macro mode on an expansion: `LOCAL a, b` lines go, their names become unique symbols; bare
   * parameter names are replaced like `\name`; `&` between two words joins them (`a&b`).
   */
  altmacroBody(body: LineSrc[], values: Map<string, string>, counter: number): LineSrc[] {
    const locals = new Map<string, string>();
    const kept: LineSrc[] = [];
    for (const b of body) {
      const m = /^\s*local\s+(.*)$/i.exec(b.text ?? "");
      if (m) {
        for (const n of m[1]!.split(",").map((x) => x.trim()))
          if (/^[A-Za-z_.$][\w.$]*$/.test(n)) locals.set(n, `.LL${counter}.${n}`);
        continue;
      }
      kept.push(b);
    }
    const word = /"(?:[^"\\]|\\.)*"|[A-Za-z_.$][\w.$]*/g;
    return kept.map((b) => {
      const text = (b.text ?? "")
        .replace(word, (w) => (w.startsWith('"') ? w : (locals.get(w) ?? values.get(w) ?? w)))
        .replace(/(\w)&(?=\w)/g, "$1");
      return { ...b, text };
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

  /** Parses ordinary GAS lines and records their static effects. */
  gasStatements(tokens: Token[], src: LineSrc, frame: Frame): void {
    const cur = this.cursorFor(tokens, src);
    const r = parseLineTokens(tokens, cur.line, cur.lineLength, this.lineCtx);
    const file = this.diagFile(src);
    for (const e of r.errors) this.error(file, e.range, e.code ?? "asm-syntax", e.message);
    for (const s of r.statements) this.emitGas(s, src, file, frame);
  }

  /** `.comm` symbols, allocated after all of .bss like ld's COMMON input section. */
  readonly commons: { name: string; size: number; align: number; src: LineSrc; range: Range }[] = [];

  /**
   * `.lcomm sym, size` reserves .bss space now; `.comm sym, size[, align]` at the end of .bss. Without an
   * explicit alignment GNU as aligns to the largest power of two not above the size, at most 16.
   */
  allocateCommon(s: Statement & { kind: "directive" }, src: LineSrc, file: string): void {
    const name = s.args[0]?.text;
    const size = s.args[1]?.expr ? this.constExpr(s.args[1].expr, file, s.args[1].range) : undefined;
    if (!name || !/^[A-Za-z_.$][\w.$]*$/.test(name) || size === undefined) {
      if (!name || size === undefined)
        this.error(file, s.range, "asm-bad-directive", `expected '${s.name} symbol, size'`);
      return;
    }
    if (s.name === ".lcomm" && s.args.length > 2) {
      this.error(file, s.args[2]!.range, "asm-bad-directive", "junk at end of line");
      return;
    }
    const explicit = s.args[2]?.expr ? this.constExpr(s.args[2].expr, file, s.args[2].range) : undefined;
    let align = 1;
    if (explicit !== undefined) align = Number(explicit);
    else while (align * 2 <= Number(size) && align < 16) align *= 2;
    if (s.name === ".comm") {
      this.commons.push({ name, size: Number(size), align, src, range: s.args[0]!.range });
      return;
    }
    const saved = this.section;
    this.section = ".bss";
    this.reserve(name, Number(size), align, src, s.args[0]!.range);
    this.section = saved;
  }

  reserve(name: string, size: number, align: number, src: LineSrc, range: Range): void {
    const num = (v: number): Expr => ({ kind: "number", value: BigInt(v), range });
    const directive = (n: string, v: number): Statement => ({
      kind: "directive",
      name: n,
      args: [{ text: String(v), expr: num(v), range }],
      nameRange: range,
      range,
    });
    this.push(directive(".balign", align), src);
    this.defined.add(name);
    this.push({ kind: "label", name, local: false, range }, src);
    this.push(directive(".skip", size), src);
  }

  override finish(): void {
    if (this.commons.length === 0) return;
    this.section = ".bss.common";
    for (const c of this.commons) this.reserve(c.name, c.size, c.align, c.src, c.range);
  }

  emitGas(s: Statement, src: LineSrc, file: string, _frame: Frame): void {
    if (s.kind === "directive" && (s.name === ".lcomm" || s.name === ".comm")) {
      this.allocateCommon(s, src, file);
      return;
    }
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
        case ".bss": {
          // `.text 1`: a subsection, placed after the lower-numbered ones of the same section.
          const sub = s.args[0]?.expr ? this.constExpr(s.args[0].expr, file, s.args[0].range) : 0n;
          this.switchSection(subsectionName(s.name, sub ?? 0n));
          break;
        }
        case ".subsection": {
          const sub = this.constExpr(s.args[0]?.expr, file, s.args[0]?.range ?? s.nameRange) ?? 0n;
          this.switchSection(subsectionName(this.section.split(SUBSECTION)[0]!, sub));
          break;
        }
        case ".struct":
          // `.struct offset`: an absolute section (labels are offsets, nothing is emitted), until the next
          // section directive.
          this.switchSection(`\u0000absolute${++this.absoluteCount}`);
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
}

/** Separates a section name from its subsection number in the expander's section names. */
export const SUBSECTION = "\u0003";

/** The internal name of subsection `n` of `section` (the section itself for 0). */
export function subsectionName(section: string, n: bigint): string {
  return n === 0n ? section : `${section}${SUBSECTION}${n}`;
}
