// NASM preprocessing: %define/%xdefine/%idefine/%undef/%assign, %macro (%1.., %0, %%local, defaults,
// greedy parameters, %rotate), %rep/%exitrep, %if family, %include, struc/istruc, `.local` labels, bits and
// sections.
import type { Expr, Range, Statement } from "./ast";
import { ExpanderCore } from "./expand-core";
import {
  type Frame,
  type LineSrc,
  type NasmDefine,
  type NasmMacro,
  type Origin,
  pasteAdjacent,
  pasteTokens,
  STRUC_WORDS,
  splitTokenArgs,
  tokenText,
} from "./expand-util";
import { Cursor, type ExprError, parseExpr } from "./expr-parse";
import { FLOAT16, FLOAT32, FLOAT64, FLOAT80, FLOAT128, floatBytes } from "./float";
import { lexLine, type Token } from "./lexer";
import { parseLineTokens, splitArgs } from "./parse-line";

const FLOAT_FUNCTION = /^__\??float(16|32|64|80m|80e|128l|128h)\??__$/i;

interface StackModel {
  width: number;
  pointer: string;
  argOffset: number;
  localOffset: number;
}

/** `%stacksize` models: stack slot width, frame pointer, first argument offset, first local offset. */
const STACK_MODELS: Record<string, StackModel> = {
  flat: { width: 4, pointer: "ebp", argOffset: 8, localOffset: 0 },
  flat64: { width: 8, pointer: "rbp", argOffset: 16, localOffset: 0 },
  large: { width: 2, pointer: "bp", argOffset: 4, localOffset: 0 },
  small: { width: 2, pointer: "bp", argOffset: 6, localOffset: 0 },
};

const TYPE_SIZES: Record<string, number> = {
  byte: 1,
  word: 2,
  dword: 4,
  qword: 8,
  tword: 10,
  oword: 16,
  yword: 32,
  zword: 64,
};

export class NasmExpander extends ExpanderCore {
  /** The %push/%pop context stack: `%$name` is local to the top context, `%$$name` to the one below. */
  readonly contexts: { name: string; id: number }[] = [];
  /** Number of %imacro definitions (only then are invocations looked up in lower case). */
  caseInsensitiveMacros = 0;
  /** `%stacksize` state for `%arg`/`%local` (nasm's default is the flat model). */
  stackModel: StackModel = { ...STACK_MODELS.flat! };

  /** Rewrites context-local names (`%$x`, `%$$x`) to unique symbols of their context. */
  contextLocal(tokens: Token[]): Token[] {
    return tokens.map((t) => {
      const m = t.kind === "ident" ? /^%(\$+)(.*)$/.exec(t.text) : null;
      if (!m) return t;
      const ctx = this.contexts[this.contexts.length - m[1]!.length];
      if (!ctx) return t;
      return { ...t, text: `..@ctx${ctx.id}.${m[2]}` };
    });
  }

  readonly nasmRewriteFn = (e: Expr): Expr => this.nasmRewrite(e);

  override isMacroName(name: string): boolean {
    return this.nasmMacros.has(name);
  }

  dialectLine(tokens: Token[], src: LineSrc, frame: Frame): void {
    this.nasmLine(tokens, src, frame);
  }

  nasmLine(tokens: Token[], src: LineSrc, frame: Frame): void {
    let contextLocal = false;
    for (const t of tokens) if (t.kind === "ident" && t.text.startsWith("%$")) contextLocal = true;
    if (contextLocal) tokens = this.contextLocal(tokens);
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
    for (const t of expanded)
      if (t.kind === "ident" && t.text.startsWith("__") && FLOAT_FUNCTION.test(t.text)) {
        expanded = this.floatFunctions(expanded, file, cur);
        break;
      }
    // Multi-line macro invocation: `name args` or `label: name args`.
    let i = 0;
    if (expanded[0]?.kind === "ident" && expanded[1]?.kind === "punct" && expanded[1].text === ":") i = 2;
    const w = expanded[i];
    if (w && w.kind === "ident") {
      const macros =
        this.nasmMacros.get(w.text) ??
        (this.caseInsensitiveMacros > 0 ? this.nasmMacros.get(w.text.toLowerCase()) : undefined);
      if (macros) {
        if (i > 0) {
          // nasm lists the label as the first line of the expansion, one level down (`<2> name: `).
          const first = this.out.length;
          this.nasmStatements(expanded.slice(0, i), src, frame);
          this.listLabelOfCall(`${expanded[0]!.text}: `, src, first);
        }
        this.nasmMacroCall(w, macros, expanded.slice(i + 1), cur, file, src);
        return;
      }
    }
    if (expanded.length === 0) return;
    // `%+` token pasting: join neighbours.
    let paste = false;
    for (const t of expanded) if (t.text === "%+") paste = true;
    if (paste) expanded = pasteTokens(expanded);
    const head = expanded[0];
    if (head?.kind === "ident" && head.text.length <= 8 && STRUC_WORDS.has(head.text.toLowerCase())) {
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
          case "ctx":
            v = !!args[0] && this.contexts[this.contexts.length - 1]?.name === args[0].text;
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
      case "%strcat": {
        // `%strcat name 'a', "b", ...` (nasm manual 4.2.2): the concatenation, as a string.
        const nameTok = args[0];
        if (nameTok?.kind !== "ident") {
          this.error(file, nameTok ? cur.range(nameTok) : range, "asm-bad-define", "expected a name after '%strcat'");
          return true;
        }
        let str = "";
        for (const t of this.substituteDefines(args.slice(1), 0)) {
          if (t.kind === "punct" && t.text === ",") continue;
          if (t.kind !== "string") {
            this.error(file, cur.range(t), "asm-bad-define", "'%strcat' needs strings");
            return true;
          }
          str += t.str ?? "";
        }
        const q = str.includes("'") && !str.includes('"') ? '"' : "'";
        this.defines.set(nameTok.text, {
          body: [
            {
              kind: "string",
              text: `${q}${str}${q}`,
              str,
              quote: q,
              start: nameTok.start,
              end: nameTok.end,
              spaceBefore: true,
            },
          ],
          caseInsensitive: false,
        });
        return true;
      }
      case "%deftok":
      case "%ideftok": {
        // `%deftok name 'string'` (nasm manual 4.1.10): the string's contents, tokenized, as the definition.
        const nameTok = args[0];
        if (nameTok?.kind !== "ident") {
          this.error(file, nameTok ? cur.range(nameTok) : range, "asm-bad-define", `expected a name after '${word}'`);
          return true;
        }
        const strTok = this.substituteDefines(args.slice(1), 0)[0];
        if (strTok?.kind !== "string") {
          this.error(file, strTok ? cur.range(strTok) : range, "asm-bad-define", `'${word}' needs a string`);
          return true;
        }
        const body = lexLine(strTok.str ?? "", "nasm", { inBlockComment: false }).map((t) => ({
          ...t,
          origin: { line: this.currentLine, start: strTok.start, end: strTok.end },
        }));
        if (word === "%ideftok") this.idefines.set(nameTok.text.toLowerCase(), { body, caseInsensitive: true });
        else this.defines.set(nameTok.text, { body, caseInsensitive: false });
        return true;
      }
      case "%strlen":
      case "%substr":
      case "%defstr": {
        // String functions (nasm manual 4.2): the result is defined as a single-line macro.
        const nameTok = args[0];
        if (nameTok?.kind !== "ident") {
          this.error(file, nameTok ? cur.range(nameTok) : range, "asm-bad-define", `expected a name after '${word}'`);
          return true;
        }
        const rest = this.substituteDefines(args.slice(1), 0);
        const at = { kind: "string" as const, start: nameTok.start, end: nameTok.end, spaceBefore: true };
        let body: Token;
        if (word === "%defstr") {
          const text = tokenText(rest);
          body = { ...at, text: `'${text}'`, str: text, quote: "'" };
        } else {
          const str = rest[0]?.kind === "string" ? (rest[0].str ?? "") : undefined;
          if (str === undefined) {
            this.error(file, rest[0] ? cur.range(rest[0]) : range, "asm-bad-define", `'${word}' needs a string`);
            return true;
          }
          if (word === "%strlen") body = { ...at, kind: "number", text: String(str.length), value: BigInt(str.length) };
          else {
            const parts = splitTokenArgs(
              rest.slice(1).filter((t) => !(t.kind === "punct" && t.text === "," && rest.indexOf(t) === 1)),
            );
            const startV = Number(this.nasmCondExpr(parts[0] ?? [], cur, file, range));
            const lenV = parts[1] ? Number(this.nasmCondExpr(parts[1], cur, file, range)) : 1;
            const sub = str.slice(
              Math.max(0, startV - 1),
              Math.max(0, startV - 1) + (lenV < 0 ? str.length + lenV - startV + 2 : lenV),
            );
            body = { ...at, text: `'${sub}'`, str: sub, quote: "'" };
          }
        }
        this.defines.set(nameTok.text, { body: [body], caseInsensitive: false });
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
      case "%push":
        this.contexts.push({ name: args[0]?.text ?? "", id: ++this.macroCounter });
        return true;
      case "%pop": {
        const top = this.contexts.pop();
        if (!top) this.error(file, range, "asm-bad-directive", "'%pop' without '%push'");
        else if (args[0] && args[0].text !== top.name)
          this.error(
            file,
            cur.range(args[0]),
            "asm-bad-directive",
            `'%pop ${args[0].text}' does not match context '${top.name}'`,
          );
        return true;
      }
      case "%repl": {
        const top = this.contexts[this.contexts.length - 1];
        if (top) top.name = args[0]?.text ?? "";
        else this.error(file, range, "asm-bad-directive", "'%repl' without '%push'");
        return true;
      }
      case "%stacksize": {
        // nasm manual 4.8.3 (values as nasm 2.16 preproc.c sets them, checked against nasm -E).
        const model = args[0]?.text.toLowerCase();
        const m = model ? STACK_MODELS[model] : undefined;
        if (!m) {
          this.error(
            file,
            args[0] ? cur.range(args[0]) : range,
            "asm-bad-directive",
            "'%stacksize' expects flat, flat64, large or small",
          );
          return true;
        }
        this.stackModel = { ...m };
        return true;
      }
      case "%arg":
      case "%local": {
        // `%arg name:type, ...` → `%define name (ebp+offset)`; `%local name:type, ...` → `(ebp-offset)` and
        // `%assign %$localsize %$localsize+size` (nasm manual 4.8.1, 4.8.2). Slots are rounded up to the
        // stack width.
        for (const part of splitTokenArgs(args)) {
          const name = part[0];
          const type = part[2]?.text.toLowerCase();
          const size = type ? TYPE_SIZES[type] : undefined;
          if (name?.kind !== "ident" || part[1]?.text !== ":" || size === undefined || part.length !== 3) {
            this.error(file, part[0] ? cur.range(part[0]) : range, "asm-bad-directive", `'${word}' expects name:type`);
            return true;
          }
          const slot = Math.ceil(size / this.stackModel.width) * this.stackModel.width;
          let offset: number;
          if (word === "%arg") {
            offset = this.stackModel.argOffset;
            this.stackModel.argOffset += slot;
          } else {
            this.stackModel.localOffset += slot;
            offset = this.stackModel.localOffset;
          }
          const sign = word === "%arg" ? "+" : "-";
          const body = lexLine(`(${this.stackModel.pointer}${sign}${offset})`, "nasm", { inBlockComment: false }).map(
            (t) => ({
              ...t,
              origin: { line: this.currentLine, start: name.start, end: name.end },
            }),
          );
          this.defines.set(name.text, { body, caseInsensitive: false });
          if (word === "%local") {
            const assign = this.contextLocal(
              lexLine(`%$localsize %$localsize+${slot}`, "nasm", { inBlockComment: false }).map((t) => ({
                ...t,
                origin: { line: this.currentLine, start: name.start, end: name.end },
              })),
            );
            this.nasmDirective("%assign", assign, cur, file, range, _src, frame);
          }
        }
        return true;
      }
      case "%line":
      case "%pragma":
        return true;
      default:
        if (/^%[0-9]/.test(word) || word.startsWith("%%")) return false;
        this.error(file, range, "asm-unknown-directive", `unknown preprocessor directive '${word}'`);
        return true;
    }
  }

  /**
   * `__float32__(1.5)` and the other float functions (nasm manual 3.4.6) become the integer with the same
   * bits: `__float16/32/64__`, `__float80m__`/`__float80e__` (the 64-bit significand / the sign and
   * exponent of the x87 format), `__float128l__`/`__float128h__` (low/high half of a quad).
   */
  floatFunctions(tokens: Token[], file: string, cur: Cursor): Token[] {
    const out: Token[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const m = t.kind === "ident" ? FLOAT_FUNCTION.exec(t.text) : null;
      if (!m || tokens[i + 1]?.text !== "(") {
        out.push(t);
        continue;
      }
      let depth = 0;
      let k = i + 1;
      for (; k < tokens.length; k++) {
        if (tokens[k]!.text === "(") depth++;
        else if (tokens[k]!.text === ")" && --depth === 0) break;
      }
      const inner = tokens.slice(i + 2, k);
      const kind = m[1]!.toLowerCase();
      const fmt =
        kind === "16"
          ? FLOAT16
          : kind === "32"
            ? FLOAT32
            : kind === "64"
              ? FLOAT64
              : kind.startsWith("80")
                ? FLOAT80
                : FLOAT128;
      const bytes = floatBytes(tokenText(inner), fmt, "nasm");
      if (!bytes) {
        this.error(file, cur.range(t), "asm-bad-expression", `'${t.text}' needs a floating-point constant`);
        out.push({ ...t, kind: "number", text: "0", value: 0n });
        i = k;
        continue;
      }
      let from = 0;
      let to = bytes.length;
      if (kind === "80m") to = 8;
      else if (kind === "80e") from = 8;
      else if (kind === "128l") to = 8;
      else if (kind === "128h") from = 8;
      let v = 0n;
      for (let b = to - 1; b >= from; b--) v = (v << 8n) | BigInt(bytes[b]!);
      out.push({ ...t, kind: "number", text: `0x${v.toString(16)}`, value: v, end: tokens[k]?.end ?? t.end });
      i = k;
    }
    return out;
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
        if (ci) this.caseInsensitiveMacros++;
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
        let substituted = false;
        for (const t of line.tokens ?? []) {
          if (t.kind === "ident" && t.text.startsWith("%")) {
            const num = /^%([0-9]+)$/.exec(t.text);
            if (num) {
              substituted = true;
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
        return { file: line.file, line: line.line, tokens: substituted ? pasteAdjacent(toks) : toks, origin };
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
    if (s.kind === "label") s.name = this.nasmLabelName(s.name);
    else if (s.kind === "directive") {
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
}
