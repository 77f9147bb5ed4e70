// The layout stage: assigns addresses to the expanded statements, encodes instructions and data, and
// repeats until every symbol value and every size is stable (multi-pass resolution). Branches start short
// and only ever grow (GNU as relaxation; nasm reaches the same shortest forms for known targets).
import type { Diagnostic, DirectiveArg, Expr, Operand, Range, Statement } from "./ast";
import {
  type EncMem,
  type EncOperand,
  encodeShared as encode,
  isMnemonic,
  type OperandField,
  type PrefixName,
} from "./encoder-bridge";
import {
  type EvalEnv,
  evaluate,
  isGasConstant,
  isRelocatable,
  relocatedSection,
  type SymbolValue,
  type Value,
} from "./eval";
import type { ExpandedStatement, ExpandResult } from "./expand";
import { SUBSECTION } from "./expand-gas";
import { exprSymbols } from "./expr-parse";
import {
  FLOAT16,
  FLOAT32,
  FLOAT64,
  FLOAT80,
  type FloatFormat,
  floatBytes,
  floatFormatForUnit,
  isInfOrNan,
} from "./float";
import { gasCodePadding } from "./gas-nops";
import { buildListing } from "./listing";
import { isBranchMnemonic } from "./parse-line";
import { dirname, joinPath } from "./paths";
import type { LineMapEntry, Program, Section, SymbolInfo } from "./program";

export interface LayoutOptions {
  syntax: "gas" | "nasm";
  /** GAS: address of .text (default 0). NASM uses `org`. */
  base?: bigint;
  readFile?: (path: string) => string | undefined;
  /** Reads a binary file for incbin/.incbin (falls back to readFile's text as Latin-1 bytes). */
  readBinary?: (path: string) => Uint8Array | undefined;
  includeDirs?: readonly string[];
  cwd?: string;
}

const MAX_PASSES = 40;
/** Flat images are boot code and hypervisors: anything bigger is a runaway count, reported as such. */
const MAX_SECTION_BYTES = 64 * 1024 * 1024;

export interface Sec {
  name: string;
  index: number;
  nobits: boolean;
  code: boolean;
  align: number;
  /** GAS output-section group (text/data/bss); NASM: the section's own name. */
  group: string;
  fixedStart?: bigint;
  start: bigint;
  /** `start` when its labels were last rebased (rebaseLabels). */
  rebasedStart?: bigint;
  /** Offset of the next byte in the section, and the section's size after the last pass (plain numbers:
   * sections are capped at MAX_SECTION_BYTES; BigInt arithmetic per item was the layout's main cost). */
  pc: number;
  size: number;
  buf: ByteBuf;
  frags: number;
  /** Alignment directives so far (GNU as frag regions). */
  regions: number;
  /** NASM: an alignment was given (align=, ALIGN, SECTALIGN); until then the default applies. */
  alignSet: boolean;
  /** NASM `absolute`/`struc` block: labels in it are plain numbers, nothing is emitted or laid out. */
  absolute: boolean;
  /** GAS subsection (`.text 1`): its section and number. */
  parent?: Sec;
  subsection?: number;
  /** nasm bin `follows=`, `vfollows=`, `vstart=` (see Layout.section). */
  follows?: string;
  vfollows?: string;
  vstart?: bigint;
  /** Where the section is loaded when its labels use another base (`vstart`); else `start`. */
  load?: bigint;
}

export class ByteBuf {
  data = new Uint8Array(256);
  length = 0;
  reset(): void {
    this.length = 0;
  }
  ensure(n: number): void {
    if (this.length + n <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.length + n) cap *= 2;
    const d = new Uint8Array(cap);
    d.set(this.data.subarray(0, this.length));
    this.data = d;
  }
  push(bytes: ArrayLike<number>): void {
    this.ensure(bytes.length);
    this.data.set(bytes, this.length);
    this.length += bytes.length;
  }
  fill(value: number, n: number): void {
    this.ensure(n);
    this.data.fill(value, this.length, this.length + n);
    this.length += n;
  }
}

interface SymEntry extends SymbolValue {
  name: string;
  file: string;
  line: number;
  column: number;
  defined: boolean;
  /** Labels: offset in the section. */
  offset?: number;
  /** Number of alignment directives before the definition in its section (GNU as frag "region"). */
  region: number;
  /** GAS: set to label+offset (moves with the label, see Layout.setAlias). */
  alias?: { sym: SymEntry; offset: bigint };
}

export interface ItemState {
  /** The inputs of the last encoding (see Layout.instruction) and its bytes, reused while unchanged. */
  sig?: bigint[];
  warnings?: string[];
  cachedNear?: boolean;
  /** Labels: the symbol table entry (looked up once). */
  symbol?: SymEntry;
  /** Address in the previous pass (GNU as relaxation's "stretch"). */
  prevAddress?: bigint;
  /** Number of alignment directives before the item in its section (GNU as frag "region"). */
  region: number;
  /** Length of the short form of a relaxable branch, once seen. */
  shortLen?: number;
  /** Length of the near form of a branch, once seen. */
  nearLen?: number;
  /** How often the size changed between passes (nasm: oscillation detection). */
  sizeChanges?: number;
  /** nasm `times`/`align`: how many repetitions the bytes are (the listing shows one and `<rep N>`). */
  repeat?: number;
  /** Branch target that is a plain label: its symbol table entry (looked up once). */
  target?: SymEntry;
  /** GAS: the branch target is a folded symbol(+addend) or an expression symbol (see gasTargetKind). */
  targetKind?: "symbol" | "expression";
  /** All operands are constants (no symbols, `$`, `.`): the encoding never changes. */
  constant?: boolean;
  /** The item's size can never change (constant instruction or data, encoded once): sizing passes skip it. */
  fixed?: boolean;
  /** A branch to an immediate target (relaxed, displacement from the address). */
  relax?: boolean;
  near: boolean;
  size: number;
  offset: number;
  bytes?: Uint8Array;
  /**
   * nasm listing: the values nasm writes as relocations (a label address), which `nasm -l` shows in brackets as
   * their offset in the label's section — by operand for instructions (placed through `fields`), by offset for
   * data. Recorded in the last pass only.
   */
  relocs?: (OperandField & { value: bigint })[];
  /** A constant instruction: the evaluator's warnings about its operands (repeated each pass). */
  evalWarnings?: Diagnostic[];
  /** Where the encoder wrote each operand's value (EncodeOk.fields). */
  fields?: OperandField[];
  /** GAS Intel bare operand read as memory (decided once). */
  sec: Sec;
  frag: number;
}

const GAS_DATA: Record<string, number> = {
  ".byte": 1,
  ".2byte": 2,
  ".word": 2,
  ".short": 2,
  ".hword": 2,
  ".value": 2,
  ".4byte": 4,
  ".long": 4,
  ".int": 4,
  ".8byte": 8,
  ".quad": 8,
  ".octa": 16,
};
/** GNU as floating-point data directives (x86: .tfloat is the 80-bit x87 format). */
const GAS_FLOAT: Record<string, FloatFormat> = {
  ".hfloat": FLOAT16,
  ".float": FLOAT32,
  ".single": FLOAT32,
  ".double": FLOAT64,
  ".tfloat": FLOAT80,
};
const NASM_DATA: Record<string, number> = { db: 1, dw: 2, dd: 4, dq: 8, dt: 10, do: 16, dy: 32, dz: 64 };
const NASM_RES: Record<string, number> = { resb: 1, resw: 2, resd: 4, resq: 8, rest: 10, reso: 16, resy: 32, resz: 64 };
const GAS_IGNORED = new Set([
  ".globl",
  ".global",
  ".local",
  ".weak",
  ".type",
  ".size",
  ".file",
  ".ident",
  ".hidden",
  ".protected",
  ".internal",
  ".extern",
  ".loc",
  ".list",
  ".nolist",
  ".title",
  ".sbttl",
  ".psize",
  ".eject",
  ".arch",
  ".intel_mnemonic",
  ".att_mnemonic",
  ".code16gcc",
  ".att_syntax",
  ".intel_syntax",
  ".code16",
  ".code32",
  ".code64",
  ".text",
  ".data",
  ".bss",
  ".section",
  ".previous",
  ".subsection",
  ".popsection",
  ".pushsection",
  ".equ",
  ".set",
  ".equiv",
  "=",
  ".ascii",
  ".asciz",
  ".string",
]);
const NASM_IGNORED = new Set([
  "global",
  "extern",
  "common",
  "static",
  "cpu",
  "warning",
  "float",
  "default",
  "bits",
  "use16",
  "use32",
  "use64",
  "section",
  "segment",
  "org",
]);

function alignOffset(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

function alignUp(v: bigint, a: number): bigint {
  const A = BigInt(a);
  return ((v + A - 1n) / A) * A;
}

function toBytes(value: bigint, size: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(Math.min(size, 8) * 8, value);
  for (let i = 0; i < size; i++) {
    if (i < 8) {
      out.push(Number(v & 0xffn));
      v >>= 8n;
    } else out.push(value < 0n ? 0xff : 0);
  }
  return out;
}

export function layout(exp: ExpandResult, opts: LayoutOptions): Program {
  return new Layout(exp, opts).run();
}

class Layout {
  readonly items: ExpandedStatement[];
  readonly state: ItemState[] = [];
  readonly sections: Sec[] = [];
  readonly secByName = new Map<string, Sec>();
  readonly symbols = new Map<string, SymEntry>();
  readonly staticDiags: Diagnostic[] = [];
  readonly binaries = new Map<string, Uint8Array>();
  passDiags: Diagnostic[] = [];
  changed = false;
  unknownSeen = false;
  origin = 0n;
  readonly flavor: "gas" | "nasm";
  /** The final pass: report undefined symbols and write the bytes (earlier passes only size things). */
  reportUndefined = false;
  undefinedReported = new Set<string>();
  stopAt: number;
  aborted = false;
  /** GAS: encodings of constant instructions by their source text (see encodeInstruction). */
  readonly sameText = new Map<string, { bytes: Uint8Array; warnings: string[] | undefined }>();
  /** nasm: the first item whose size kept changing, pass after pass (see run). */
  unsettled: number | undefined;
  /** GAS: the size-estimate pass (see run). */
  gasEstimate = false;
  /** GAS: number of the relaxation pass (write.c relax_segment), 1-based. */
  relaxPass = 0;

  constructor(
    readonly exp: ExpandResult,
    readonly opts: LayoutOptions,
  ) {
    this.items = exp.statements;
    this.flavor = opts.syntax;
    this.stopAt = this.items.length;
  }

  diag(
    target: Diagnostic[],
    file: string,
    range: Range,
    code: string,
    message: string,
    severity: Diagnostic["severity"] = "error",
  ): void {
    if (target.length > 2000) return;
    target.push({ file, range, severity, code, message });
  }

  section(name: string, es: ExpandedStatement | undefined, attrs: string): Sec {
    let s = this.secByName.get(name);
    if (!s) {
      const gas = this.flavor === "gas";
      const absolute = name.startsWith("\u0000absolute");
      // GAS subsections (`.text 1`) are sections of their own here, laid out right after their section.
      const [base = name, subText] = name.split(SUBSECTION);
      const parent = subText !== undefined ? this.section(base, es, "") : undefined;
      const nobits =
        parent?.nobits ??
        (absolute || /^\.bss(\.|$)/.test(base) || /^\.tbss/.test(base) || /@nobits|\bnobits\b/.test(attrs));
      const code =
        parent?.code ??
        (base === ".text" ||
          base.startsWith(".text.") ||
          (gas && /"[^"]*x[^"]*"/.test(attrs)) ||
          /\bexec\b/.test(attrs));
      const group = gas ? (nobits ? "bss" : code ? "text" : "data") : name;
      s = {
        name,
        index: this.sections.length,
        nobits,
        code,
        align: gas || name === ".text" ? 1 : 4,
        group,
        start: 0n,
        pc: 0,
        size: 0,
        buf: new ByteBuf(),
        frags: 0,
        regions: 0,
        alignSet: false,
        absolute,
      };
      if (parent) {
        s.parent = parent;
        s.subsection = Number(subText);
      }
      this.sections.push(s);
      this.secByName.set(name, s);
    }
    if (this.flavor === "nasm" && attrs) {
      const a = /\balign\s*=\s*(\S*)/i.exec(attrs);
      if (a) {
        const n = /^(0x[0-9a-f]+|[0-9]+)$/i.test(a[1]!) ? Number(a[1]) : Number.NaN;
        if (Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0) this.raiseAlign(s, n);
        else if (es) {
          const st = es.stmt;
          const range = st.kind === "directive" ? (st.args[0]?.range ?? st.range) : st.range;
          this.diag(
            this.staticDiags,
            es.file,
            range,
            "asm-bad-directive",
            `section alignment '${a[1]}' is not a power of 2`,
          );
        }
      }
      const st = /\bstart\s*=\s*([0-9a-fx]+h?)/i.exec(attrs);
      if (st) {
        try {
          const t = st[1]!;
          s.fixedStart = /h$/i.test(t) ? BigInt(`0x${t.slice(0, -1)}`) : BigInt(t);
        } catch {
          // invalid number: ignored, reported by nothing; nasm would reject it
        }
      }
      if (/\bnobits\b/i.test(attrs)) s.nobits = true;
      if (/\bprogbits\b/i.test(attrs)) s.nobits = false;
      // nasm bin format (outbin.c): `follows=` places the section after another one, `vstart=` gives its
      // labels another base than where it is loaded, `vfollows=` puts that base after another section's.
      const fol = /\bfollows\s*=\s*([^\s,]+)/i.exec(attrs);
      if (fol && !/\bvfollows/i.test(fol[0])) s.follows = fol[1];
      const vfol = /\bvfollows\s*=\s*([^\s,]+)/i.exec(attrs);
      if (vfol) s.vfollows = vfol[1];
      const vst = /\bvstart\s*=\s*([0-9a-fx]+h?)/i.exec(attrs);
      if (vst) {
        try {
          const t = vst[1]!;
          s.vstart = /h$/i.test(t) ? BigInt(`0x${t.slice(0, -1)}`) : BigInt(t);
        } catch {
          // not a number: ignored
        }
      }
    }
    return s;
  }

  run(): Program {
    this.prepare();
    let passes = 0;
    for (;;) {
      this.layoutStarts();
      this.changed = false;
      this.unknownSeen = false;
      this.passDiags = [];
      this.reportUndefined = false;
      // GNU as: the pass after reading the source is md_estimate_size_before_relax — a jump whose target
      // is absolute or in another section becomes near, but nothing is relaxed yet, and the addresses it
      // leaves are what the first relaxation pass measures its stretch against.
      this.gasEstimate = this.flavor === "gas" && passes === 1;
      if (this.flavor === "gas" && passes > 1) this.relaxPass++;
      this.pass(passes);
      passes++;
      if (process.env.VMX_ASM_DEBUG) console.error(`pass ${passes} changed=${this.changed}`);
      if (this.aborted) break;
      if (!this.changed && passes > (this.flavor === "gas" ? 2 : 1)) break;
      if (passes >= MAX_PASSES) {
        this.diag(
          this.staticDiags,
          this.exp.statements[0]?.file ?? "",
          { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          "asm-no-convergence",
          "symbol values did not converge",
        );
        break;
      }
    }
    // nasm re-decides every jump each pass; when a jump keeps flipping between short and near the layout
    // oscillates and nasm gives up on it (we stop the oscillation by letting jumps only grow after 20 passes,
    // but report what nasm reports).
    if (this.unsettled !== undefined) {
      const es = this.items[this.unsettled]!;
      this.diag(
        this.staticDiags,
        es.file,
        es.stmt.range,
        "asm-no-convergence",
        "unable to find valid values for all labels: the jump sizes around here never settle (nasm gives up)",
      );
    }
    // Final pass with undefined-symbol reporting (values are stable, so this changes nothing).
    this.layoutStarts();
    this.passDiags = [];
    this.listWarnings.clear();
    this.reportUndefined = true;
    this.pass(passes);
    return this.output();
  }

  /** Static pre-pass: sections, frags, symbol definitions, org. */
  prepare(): void {
    let orgSeen = false;
    const first = this.items[0];
    this.section(".text", first, "");
    let frag = 0;
    for (let i = 0; i < this.items.length; i++) {
      const es = this.items[i]!;
      const s = es.stmt;
      let attrs = "";
      if (
        s.kind === "directive" &&
        (s.name === ".section" || s.name === ".pushsection" || s.name === "section" || s.name === "segment")
      ) {
        attrs = s.args.map((a) => a.text).join(" ");
      }
      const sec = this.section(es.section, es, attrs);
      frag = sec.frags;
      if (s.kind === "directive" && (s.name === ".align" || s.name === ".balign" || s.name === ".p2align"))
        sec.regions++;
      this.state.push({ near: false, size: 0, offset: 0, sec, frag, region: sec.regions });
      if (s.kind === "label") this.defineStatic(s.name, es, true, sec, frag, s.range);
      else if (s.kind === "directive") {
        const name = s.name;
        if ((name === "equ" || name === "=") && s.symbol) {
          this.defineStatic(s.symbol.name, es, false, sec, frag, s.symbol.range);
          // nasm: a constant known from the lines above may be used where the first pass needs a value (`org`).
          const e = s.args[0]?.expr;
          if (this.flavor === "nasm" && name === "equ" && e) {
            const v = evaluate(e, this.constEnv(es));
            if (v.known && v.terms !== null && v.terms.length === 0) this.critical.set(s.symbol.name, v.value);
          }
        } else if ((name === ".equ" || name === ".set" || name === ".equiv") && s.args[0]?.text)
          this.defineStatic(s.args[0].text, es, false, sec, frag, s.args[0].range);
        else if (name === "org" && this.flavor === "nasm") {
          const e = s.args[0]?.expr;
          if (orgSeen)
            this.diag(
              this.staticDiags,
              es.file,
              s.nameRange,
              "asm-bad-directive",
              "'org' may appear only once in a flat binary",
            );
          else if (e) {
            const v = evaluate(e, this.constEnv(es));
            if (v.known) this.origin = v.value;
            else this.diag(this.staticDiags, es.file, e.range, "asm-not-constant", "'org' needs a constant");
          }
          orgSeen = true;
        } else if (name === ".end") {
          this.stopAt = i;
          break;
        }
        // Frag boundaries (GNU as): alignment, .org, variable-size space.
        if (
          name === ".align" ||
          name === ".balign" ||
          name === ".p2align" ||
          name === ".org" ||
          name === "align" ||
          name === "alignb"
        )
          sec.frags++;
      } else if (s.kind === "instruction" && this.flavor === "gas" && this.isRelaxable(s)) {
        sec.frags++;
      }
    }
  }

  /** nasm constants (`equ`) whose value the lines before them fix: what `org` may name. */
  private readonly critical = new Map<string, bigint>();

  constEnv(es: ExpandedStatement): EvalEnv {
    const critical = this.critical;
    return {
      lookup: (name) => {
        const value = critical.get(name);
        return value === undefined ? undefined : { value, label: false, section: 0, frag: 0, terms: [], order: 0 };
      },
      here: undefined,
      hereSection: 0,
      hereFrag: 0,
      sectionStart: undefined,
      order: es.order,
      dialect: this.flavor,
      onError: () => {},
    };
  }

  defineStatic(name: string, es: ExpandedStatement, label: boolean, sec: Sec, frag: number, range: Range): void {
    // Labels in an `absolute` block (struc fields) are numbers, not addresses.
    if (sec.absolute) label = false;
    const existing = this.symbols.get(name);
    if (existing) {
      this.diag(
        this.staticDiags,
        es.file,
        range,
        "asm-symbol-redefined",
        `symbol '${displayName(name)}' is already defined (line ${existing.line + 1})`,
      );
      return;
    }
    this.symbols.set(name, {
      name,
      value: undefined,
      label,
      section: sec.index,
      frag,
      order: es.order,
      file: es.file,
      line: es.line,
      column: es.column,
      defined: false,
      region: sec.regions,
    });
  }

  isRelaxable(s: Statement & { kind: "instruction" }): boolean {
    if (s.far || s.indirect || s.operands.length !== 1) return false;
    const m = s.mnemonic;
    if (!/^j[a-z]*$/.test(m) || /^j[er]?cxz$/.test(m)) return false;
    const op = s.operands[0]!;
    return op.kind === "immediate" && exprSymbols(op.value).length + countLocal(op.value) > 0;
  }

  layoutStarts(): void {
    // Order: NASM — .text first, other progbits sections in order, then nobits. GAS — text, data, bss groups.
    const ordered = [...this.sections].sort((a, b) => {
      const rank = (s: Sec) =>
        this.flavor === "gas"
          ? s.group === "text"
            ? 0
            : s.group === "data"
              ? 1
              : 2
          : s.name === ".text"
            ? 0
            : s.nobits
              ? 2
              : 1;
      const home = (s: Sec) => (s.parent ?? s).index;
      return rank(a) - rank(b) || home(a) - home(b) || (a.subsection ?? 0) - (b.subsection ?? 0) || a.index - b.index;
    });
    // nasm `follows=`: move each such section right after the one it names (chains keep their order).
    if (this.flavor === "nasm" && ordered.some((s) => s.follows)) {
      for (const s of this.sections) {
        if (!s.follows) continue;
        const target = this.secByName.get(s.follows);
        if (!target || target === s) continue;
        ordered.splice(ordered.indexOf(s), 1);
        let at = ordered.indexOf(target) + 1;
        while (at < ordered.length && ordered[at]!.follows === s.follows) at++;
        ordered.splice(at, 0, s);
      }
    }
    let addr = this.flavor === "gas" ? (this.opts.base ?? 0n) : this.origin;
    let group = "";
    for (let i = 0; i < ordered.length; i++) {
      const s = ordered[i]!;
      if (s.absolute) {
        s.start = s.fixedStart ?? 0n;
        continue;
      }
      if (s.size === 0 && s.name !== ".text" && !s.fixedStart && this.flavor === "gas") {
        s.start = addr;
        continue;
      }
      if (this.flavor === "gas" && s.group !== group) {
        // An output section starts at the largest alignment of its input sections.
        group = s.group;
        let a = 1;
        for (const o of ordered) if (o.group === group && (o.size > 0 || o.name === ".text")) a = Math.max(a, o.align);
        addr = alignUp(addr, a);
      }
      if (s.fixedStart !== undefined) addr = s.fixedStart;
      else addr = alignUp(addr, s.align);
      s.start = addr;
      s.load = addr;
      addr += BigInt(s.size);
    }
    // Virtual bases: labels, `$` and `$$` of a vstart/vfollows section count from there.
    if (this.flavor === "nasm")
      for (const s of this.sections) {
        if (s.vstart !== undefined) s.start = s.vstart;
        else if (s.vfollows) {
          const v = this.secByName.get(s.vfollows);
          if (v && v !== s) s.start = alignUp(v.start + BigInt(v.size), s.align);
        }
      }
    this.rebaseLabels();
  }

  /** The statement being evaluated (for diagnostics raised from inside the evaluator). */
  currentFile = "";
  currentStatement: ExpandedStatement | undefined;

  /** One evaluation environment, updated per item (evaluation is hot: no per-call closures). */
  readonly env: EvalEnv = {
    lookup: (name) => {
      const s = this.symbols.get(name);
      // GAS: a symbol set to label±constant moves with the label (see setAlias).
      if (s?.alias && s.alias.sym.value !== undefined) s.value = s.alias.sym.value + s.alias.offset;
      return s;
    },
    here: 0n,
    hereSection: 0,
    hereFrag: 0,
    sectionStart: 0n,
    order: 0,
    dialect: "gas",
    onError: (m, r, code, severity) => {
      if (severity === "warning" && this.currentStatement)
        this.passWarning(this.currentStatement, this.currentFile, r, code, m);
      else this.diag(this.passDiags, this.currentFile, r, code, m, severity);
    },
    sourceText: (r) => {
      const es = this.currentStatement;
      if (!es || r.start.line !== r.end.line || es.macro) return undefined;
      return this.exp.files.get(es.file)?.[r.start.line]?.slice(r.start.character, r.end.character);
    },
    onUndefined: (name, r) => {
      this.unknownSeen = true;
      if (!this.reportUndefined) return;
      const key = `${this.currentFile}:${r.start.line}:${r.start.character}:${name}`;
      if (this.undefinedReported.has(key)) return;
      this.undefinedReported.add(key);
      this.diag(
        this.passDiags,
        this.currentFile,
        r,
        "asm-undefined-symbol",
        `symbol '${displayName(name)}' is not defined`,
      );
    },
  };

  envFor(es: ExpandedStatement, st: ItemState, here: bigint): EvalEnv {
    const env = this.env;
    env.here = here;
    env.hereSection = st.sec.index;
    env.hereFrag = st.frag;
    env.sectionStart = st.sec.start;
    env.order = es.order;
    env.dialect = this.flavor;
    this.currentFile = es.file;
    this.currentStatement = es;
    return env;
  }

  /**
   * A section's alignment grows with its alignment directives. In nasm's bin format the first one replaces
   * the default of 4 (even with a smaller value): outbin.c keeps "no alignment given" apart from 4.
   */
  raiseAlign(sec: Sec, a: number): void {
    if (this.flavor === "nasm" && !sec.alignSet) {
      sec.align = a;
      sec.alignSet = true;
    } else sec.align = Math.max(sec.align, a);
  }

  /** Is section number `index` the section `sec` (a subsection belongs to its section)? */
  sameSection(index: number, sec: Sec): boolean {
    if (index === sec.index) return true;
    const other = this.sections[index];
    return other !== undefined && (other.parent ?? other) === (sec.parent ?? sec);
  }

  /** Labels are kept as section offsets: when sections move, their labels move with them. */
  rebaseLabels(): void {
    // Only sections that moved since the last rebase need their labels recomputed.
    let moved = false;
    for (const sec of this.sections) {
      if (sec.rebasedStart !== sec.start) moved = true;
    }
    if (!moved) return;
    for (const s of this.symbols.values()) {
      if (!s.label || s.offset === undefined) continue;
      const sec = this.sections[s.section]!;
      if (sec.rebasedStart !== sec.start) s.value = sec.start + BigInt(s.offset);
    }
    for (const sec of this.sections) sec.rebasedStart = sec.start;
  }

  setLabel(name: string, sec: Sec, st?: ItemState): void {
    const s = st?.symbol ?? this.symbols.get(name);
    if (st && s) st.symbol = s;
    if (!s) return;
    // Values are rebased when sections move (rebaseLabels), so only a changed offset changes the value.
    if (s.label && s.offset === sec.pc && s.value !== undefined) return;
    const value = sec.start + BigInt(sec.pc);
    if (!s.label && s.value === value) return;
    s.value = value;
    s.offset = sec.pc;
    s.defined = true;
    this.changed = true;
  }

  /**
   * GNU as's `.set x, label+c` (read.c pseudo_set, O_symbol) attaches x to the label's frag at offset c, and
   * one naming a label not defined yet keeps the expression: either way x moves with the label during
   * relaxation, where our equate would keep its value from where the `.set` line was last evaluated.
   */
  setAlias(name: string, e: Expr, v: Value): void {
    const entry = this.symbols.get(name);
    if (!entry || !v.known || v.terms?.length !== 1 || v.terms[0]!.sign !== 1) return;
    const names = exprSymbols(e);
    if (names.length !== 1) return;
    let sym = this.symbols.get(names[0]!);
    if (sym?.alias) sym = sym.alias.sym;
    if (!sym?.label || sym.value === undefined) return;
    entry.alias = { sym, offset: v.value - sym.value };
  }

  setSymbol(name: string, value: bigint, terms: Value["terms"] | undefined): void {
    const s = this.symbols.get(name);
    if (!s) return;
    if (s.value !== value) this.changed = true;
    s.value = value;
    s.defined = true;
    if (terms !== undefined) s.terms = terms;
  }

  pass(passNo: number): void {
    for (const s of this.sections) {
      s.pc = 0;
      s.buf.reset();
    }
    const sizing = !this.reportUndefined;
    let fixed = 0;
    if (sizing && this.compact) {
      // Sizing pass over the compact plan: runs of fixed items are one step each.
      const { kind, arg, size } = this.compact;
      fixed = this.compact.fixed;
      for (let k = 0; k < kind.length; k++) {
        if (kind[k] === 0) {
          this.sections[arg[k]!]!.pc += size[k]!;
          continue;
        }
        const i = arg[k]!;
        if (!this.itemAt(i, passNo)) break;
        if (this.state[i]!.fixed) fixed++;
      }
    } else {
      for (let i = 0; i < this.stopAt; i++) {
        const st = this.state[i]!;
        // Sizing passes: an item whose bytes can never change only advances the location counter (its
        // diagnostics and bytes come from the final pass, which takes the full path).
        if (sizing && st.fixed) {
          st.offset = st.sec.pc;
          st.sec.pc += st.size;
          fixed++;
          continue;
        }
        if (!this.itemAt(i, passNo)) break;
        if (st.fixed) fixed++;
      }
    }
    for (const s of this.sections) {
      if (s.size !== s.pc) this.changed = true;
      s.size = s.pc;
    }
    if (sizing && fixed !== (this.compact?.fixed ?? -1) && fixed > this.stopAt / 4) this.buildCompact(fixed);
  }

  /** One item of a pass: lays it out, notes a size change. False when the output got too large. */
  itemAt(i: number, passNo: number): boolean {
    const st = this.state[i]!;
    const sec = st.sec;
    const before = sec.pc;
    st.offset = before;
    const es = this.items[i]!;
    this.item(es.stmt, es, st, passNo);
    const size = sec.pc - before;
    if (size !== st.size) {
      st.size = size;
      this.changed = true;
      // An item that keeps changing size oscillates (a jump flipping between short and near).
      st.sizeChanges = (st.sizeChanges ?? 0) + 1;
      if (st.sizeChanges >= 6 && this.flavor === "nasm") this.unsettled ??= i;
    }
    if (sec.pc > MAX_SECTION_BYTES) {
      this.diag(
        this.passDiags,
        es.file,
        es.stmt.range,
        "asm-output-too-large",
        `section '${sec.name}' exceeds ${MAX_SECTION_BYTES} bytes`,
      );
      this.aborted = true;
      return false;
    }
    return true;
  }

  /**
   * The plan of a sizing pass: the items that are not fixed, and between them one step per run of fixed
   * items of a section (their sizes never change). Rebuilt when more items have become fixed.
   */
  compact: { kind: number[]; arg: number[]; size: number[]; fixed: number } | undefined;

  buildCompact(fixed: number): void {
    const kind: number[] = [];
    const arg: number[] = [];
    const size: number[] = [];
    for (let i = 0; i < this.stopAt; i++) {
      const st = this.state[i]!;
      if (!st.fixed) {
        kind.push(1);
        arg.push(i);
        size.push(0);
        continue;
      }
      const last = kind.length - 1;
      if (last >= 0 && kind[last] === 0 && arg[last] === st.sec.index) size[last]! += st.size;
      else {
        kind.push(0);
        arg.push(st.sec.index);
        size.push(st.size);
      }
    }
    this.compact = { kind, arg, size, fixed };
  }

  emit(sec: Sec, bytes: ArrayLike<number>): void {
    if (this.reportUndefined && !sec.nobits) sec.buf.push(bytes);
    sec.pc += bytes.length;
  }

  emitFill(sec: Sec, value: number, n: number): void {
    if (n <= 0) return;
    if (this.reportUndefined && !sec.nobits) sec.buf.fill(value & 0xff, n);
    sec.pc += n;
  }

  item(s: Statement, es: ExpandedStatement, st: ItemState, passNo: number): void {
    const sec = st.sec;
    switch (s.kind) {
      case "label":
        this.setLabel(s.name, sec, st);
        return;
      case "error":
        return;
      case "instruction":
        this.instruction(s, es, st, passNo);
        return;
      case "directive":
        this.directive(s, es, st, passNo);
        return;
    }
  }

  value(e: Expr, es: ExpandedStatement, st: ItemState): Value {
    // nasm's `$` is the start of the line, for every value of a data line and every repetition of a `times`
    // (`dw $, $` repeats one address); GNU as's `.` is where the value itself goes.
    const pc = this.flavor === "nasm" ? st.offset : st.sec.pc;
    const v = evaluate(e, this.envFor(es, st, st.sec.start + BigInt(pc)));
    if (!v.known) this.unknownSeen = true;
    return v;
  }

  unresolved(v: Value): boolean {
    if (!v.known) return true;
    return this.flavor === "gas" ? !isGasConstant(v) : isRelocatable(v);
  }

  /** Does an expression name a label (directly or through equ), making a GAS Intel bare operand memory? */
  refersToLabel(e: Expr, order: number): boolean {
    for (const n of exprSymbols(e)) {
      const s = this.symbols.get(n);
      // GNU as decides when it reads the line: a symbol not defined yet is taken as a memory reference.
      if (!s || s.label || s.order > order) return true;
      if (s.terms === null || s.terms?.some((t) => t.section >= 0)) return true;
    }
    return countLocal(e) > 0;
  }

  instruction(s: Statement & { kind: "instruction" }, es: ExpandedStatement, st: ItemState, passNo: number): void {
    const sec = st.sec;
    // GNU as relaxation needs each jump's address in the previous pass ("stretch").
    st.relax ??= this.isBranchTarget(s);
    const track = this.flavor === "gas" && st.relax;
    const startAddress = track ? sec.start + BigInt(sec.pc) : undefined;
    this.encodeInstruction(s, es, st, passNo);
    if (track) st.prevAddress = startAddress;
  }

  encodeInstruction(
    s: Statement & { kind: "instruction" },
    es: ExpandedStatement,
    st: ItemState,
    passNo: number,
  ): void {
    const sec = st.sec;
    const relax = st.relax ?? this.isBranchTarget(s);
    // An instruction whose operands are all constants encodes the same way every pass.
    // (A branch's displacement depends on its address, so branches are never constant.)
    st.constant ??= !relax && s.operands.every(isConstantOperand);
    if (st.constant && st.bytes) {
      if (st.warnings) for (const w of st.warnings) this.warn(s, es, w);
      for (const d of st.evalWarnings ?? []) this.passWarning(es, d.file, d.range, d.code, d.message);
      this.emit(sec, st.bytes);
      return;
    }
    // GNU as source without macros or a C preprocessor: a constant instruction written exactly like an
    // earlier one (same text, code size and syntax) has its bytes — no operand evaluation, no request.
    let textKey: string | undefined;
    if (st.constant && this.flavor === "gas" && !es.macro && !es.repeated && !this.exp.cpp) {
      const line = this.exp.files.get(es.file)?.[es.line];
      const r = s.range;
      if (line !== undefined && r.start.line === es.line && r.end.line === es.line) {
        textKey = `${es.bits}${es.intel ? "i" : "a"}${line.slice(r.start.character, r.end.character)}`;
        const known = this.sameText.get(textKey);
        if (known) {
          st.bytes = known.bytes;
          st.warnings = known.warnings;
          st.fixed = true;
          if (known.warnings) for (const w of known.warnings) this.warn(s, es, w);
          this.emit(sec, known.bytes);
          return;
        }
      }
    }
    const address = sec.start + BigInt(sec.pc);
    // Sizing passes, nasm, a branch to a label in this section whose short and near lengths are known: the
    // same decision as below (a fresh one each pass: short when it reaches, else near), without building
    // a request.
    const target = st.target;
    if (
      relax &&
      !this.reportUndefined &&
      this.flavor === "nasm" &&
      passNo < 20 &&
      target?.label &&
      target.value !== undefined &&
      st.shortLen !== undefined &&
      st.nearLen !== undefined &&
      !s.branchHint &&
      this.sameSection(target.section, sec)
    ) {
      const fits = fitsRel8(target.value, address, st.shortLen);
      st.near = !fits;
      sec.pc += fits ? st.shortLen : st.nearLen;
      return;
    }
    const ops: EncOperand[] = [];
    let targetKnown = true;
    let otherSection = false;
    let allKnown = true;
    let relocs: ItemState["relocs"];
    const diagsBefore = this.passDiags.length;
    for (const op of s.operands) {
      const enc = this.operand(op, es, st, s);
      if (enc.reloc !== undefined) {
        relocs ??= [];
        relocs.push({ operand: ops.length, offset: -1, size: 0, value: enc.reloc });
      }
      ops.push(enc.op);
      if (!enc.known) allKnown = false;
      if (relax && op.kind === "immediate") {
        targetKnown = enc.known;
        otherSection = enc.otherSection;
      }
    }
    if (this.reportUndefined && this.flavor === "nasm") st.relocs = relocs;
    // A constant instruction is evaluated once: keep the evaluator's warnings to repeat them in later passes.
    if (st.constant && this.passDiags.length > diagsBefore)
      st.evalWarnings = this.passDiags.slice(diagsBefore).filter((d) => d.severity === "warning");
    const prefixes = s.prefixes.map((p) => p.name as PrefixName);
    let branch: "short" | "near" | "auto" | undefined;
    let gasRelaxed = false;
    if (relax) {
      if (s.branchHint) branch = s.branchHint;
      else if (this.flavor === "gas" && (otherSection || !this.isRelaxable(s))) branch = "near";
      else if (this.flavor === "nasm" && otherSection)
        branch = "near"; // another segment: nasm cannot know the distance
      else if (this.flavor === "nasm" && s.operands[0]?.kind === "immediate" && s.operands[0].size !== undefined) {
        branch = "near"; // `jmp dword x`, `call word x`: a size makes it a near branch of that size
        // nasm's table: JMP/CALL take word or dword outside 64-bit code, qword in it; Jcc only the mode's size.
        const size = s.operands[0].size;
        const ok =
          es.bits === 64
            ? size === 64
            : /^(jmp|call)$/.test(s.mnemonic)
              ? size === 16 || size === 32
              : size === es.bits;
        if (!ok && this.reportUndefined)
          this.diag(this.passDiags, es.file, s.operands[0].range, "asm-invalid-operands", "mismatch in operand sizes");
      } else if (this.flavor === "nasm") {
        // nasm decides every pass afresh from the previous pass's label values (so a forward target that
        // was far in an earlier pass can keep a jump near) and is optimistic (short) for a target not known
        // yet (assemble.c jmp_match). After many passes only growth is allowed, so the layout settles.
        if (passNo < 20) st.near = false;
        branch = st.near ? "near" : "short";
      } else {
        gasRelaxed = true;
        if (passNo > 0 && !this.gasEstimate && !st.near && targetKnown && ops[0]?.kind === "imm")
          st.near = this.gasJumpGrows(s, es, st, ops[0].value, address, this.relaxPass);
        branch = st.near ? "near" : "short";
      }
      // The target is an address the encoder turns into a displacement: never "unresolved" (that would
      // skip the range check); an unknown target in an early pass uses a placeholder.
      const t = ops[0];
      if (t?.kind === "imm") {
        let value = targetKnown ? t.value : address;
        // GNU as sizes the jump by its own rules; before the last pass only the size matters, so a short
        // jump whose target is momentarily out of reach is encoded at a placeholder.
        if (gasRelaxed && !st.near && !this.reportUndefined && !fitsRel8(value, address, st.shortLen ?? 2))
          value = address;
        ops[0] = t.size ? { kind: "imm", value, size: t.size } : { kind: "imm", value };
      }
    }
    // Sizing passes: a branch whose short and near lengths are known needs no encoding, only the rules.
    if (relax && !this.reportUndefined && st.shortLen !== undefined) {
      const size = this.branchSize(s, st, branch, gasRelaxed, ops[0], address);
      if (size !== undefined) {
        sec.pc += size;
        return;
      }
    }
    // Most instructions get the same request every pass: reuse the last encoding while its inputs (the
    // evaluated operands, and the address when a displacement depends on it) are unchanged.
    // (A constant instruction is encoded once: no signature needed.)
    const sig = st.constant ? NO_SIGNATURE : requestSignature(ops, branch, address);
    if (st.bytes && st.sig && sameSignature(st.sig, sig)) {
      if (st.cachedNear) st.near = true;
      if (st.warnings) for (const w of st.warnings) this.warn(s, es, w);
      if (!relax && allKnown && sizeSettled(s.operands, ops)) st.fixed = true;
      this.emit(sec, st.bytes);
      return;
    }
    // Passes before the last only need sizes: when nothing but the address changed, a RIP-relative
    // operand keeps its size, and a branch keeps its size while its form is still the one the rules pick.
    if (!this.reportUndefined && st.bytes && st.sig && sameSignature(st.sig, sig, true)) {
      let sameSize = !relax;
      if (gasRelaxed) sameSize = (st.cachedNear ?? false) === st.near;
      else if (relax) {
        const target = ops[0]?.kind === "imm" ? ops[0].value : 0n;
        if (branch === "near") sameSize = st.cachedNear === true;
        else if (branch === "short" && !st.cachedNear) sameSize = fitsRel8(target, address, st.bytes.length);
        else if (branch === "short" && st.cachedNear && st.shortLen !== undefined)
          sameSize = !fitsRel8(target, address, st.shortLen);
        if (sameSize && st.cachedNear) st.near = true;
      }
      if (sameSize) {
        if (!relax && allKnown && sizeSettled(s.operands, ops)) st.fixed = true;
        this.emit(sec, st.bytes);
        return;
      }
    }
    const req = {
      mnemonic: s.mnemonic,
      operands: ops,
      prefixes,
      bits: es.bits,
      address,
      flavor: this.flavor,
      // GNU as reads a few Intel operands differently from their AT&T spelling (a lone `[reg*1]`, an ESP
      // index, `jmp dword/fword ptr [m]`): the encoder needs to know which syntax the operand was written in.
      ...(this.flavor === "gas" && es.intel ? { syntax: "intel" as const } : {}),
      ...(branch ? { branch } : {}),
      // nasm `jmp dword x` / `call word x`: the size of the relative target is the operand size.
      ...(relax && this.flavor === "nasm" && s.operands[0]?.kind === "immediate" && s.operands[0].size
        ? { opSize: s.operands[0].size as 16 | 32 | 64 }
        : {}),
    };
    let r = encode(req);
    if (
      "error" in r &&
      relax &&
      !gasRelaxed &&
      branch === "short" &&
      !s.branchHint &&
      !/^(loop|j[er]?cxz)/.test(s.mnemonic)
    ) {
      const near = encode({ ...req, branch: "near" });
      if (!("error" in near)) {
        st.near = true;
        r = near;
      }
    }
    if ("error" in r) {
      st.bytes = undefined;
      this.encodeError(s, es, r.error, r.operandIndex, relax);
      // Keep the previous size so addresses after it stay stable.
      this.emitFill(sec, 0, st.size);
      return;
    }
    for (const w of r.warnings ?? []) this.warn(s, es, w);
    st.sig = sig;
    st.bytes = r.bytes;
    st.warnings = r.warnings;
    st.fields = r.fields;
    st.cachedNear = st.near;
    if (textKey !== undefined && this.sameText.size < 100_000)
      this.sameText.set(textKey, { bytes: r.bytes, warnings: r.warnings });
    // Sizing passes can skip an instruction whose form can no longer change: constant operands, or
    // symbolic ones that take the widest form (label addresses; RIP-relative targets move only its bytes).
    if (st.constant || (!relax && allKnown && sizeSettled(s.operands, ops))) st.fixed = true;
    if (relax && !st.near && branch === "short") st.shortLen = r.bytes.length;
    if (relax && (branch === "near" || (st.near && branch === "short" && !gasRelaxed))) st.nearLen = r.bytes.length;
    this.emit(sec, r.bytes);
  }

  /**
   * The size a branch takes in a sizing pass, by the same rules as the encoding path below it (undefined:
   * take that path). Short fits → short; a nasm short that does not fit becomes near (no hint, not LOOP/
   * JCXZ, which have no near form); GNU as's choice was made by gasJumpGrows.
   */
  branchSize(
    s: Statement & { kind: "instruction" },
    st: ItemState,
    branch: "short" | "near" | "auto" | undefined,
    gasRelaxed: boolean,
    target: EncOperand | undefined,
    address: bigint,
  ): number | undefined {
    const shortLen = st.shortLen;
    if (shortLen === undefined || target?.kind !== "imm") return undefined;
    if (branch === "near") return st.nearLen;
    if (branch !== "short") return undefined;
    if (gasRelaxed || fitsRel8(target.value, address, shortLen)) return shortLen;
    if (s.branchHint || st.nearLen === undefined || /^(loop|j[er]?cxz)/.test(s.mnemonic)) return undefined;
    st.near = true;
    return st.nearLen;
  }

  /**
   * GNU as relaxation (write.c relax_segment/relax_frag): does a short jump have to grow this pass? The
   * target of a forward jump still has last pass's address; GNU as moves it by the growth so far in this
   * pass ("stretch") when no alignment lies between, and otherwise does not grow the jump if that would
   * make it point backwards. Jumps never shrink.
   */
  gasJumpGrows(
    s: Statement & { kind: "instruction" },
    es: ExpandedStatement,
    st: ItemState,
    target: bigint,
    address: bigint,
    relaxPass: number,
  ): boolean {
    const stretch = st.prevAddress === undefined ? 0n : address - st.prevAddress;
    const op = s.operands[0];
    const names = op?.kind === "immediate" ? exprSymbols(op.value) : [];
    st.targetKind ??= this.gasTargetKind(names, es);
    if (stretch !== 0n) {
      let sym: SymEntry | undefined;
      if (st.targetKind === "symbol")
        for (const n of names) {
          const e = this.symbols.get(n);
          const l = e?.alias ? e.alias.sym : e;
          if (l?.label) {
            sym = l;
            break;
          }
        }
      if (sym?.label && sym.order > es.order && sym.section === st.sec.index) {
        if (stretch < 0n || sym.region === st.region) target += stretch;
        else if (target < address) return false;
      } else if (st.targetKind === "expression" && relaxPass % 2 === 1) {
        // An expression GNU as could not fold when it read the line (it names a symbol defined later) is
        // an expression symbol on zero_address_frag, whose relax_marker matches the frags' only every other
        // pass (write.c relax_frag): in the others it is assumed to move with the stretch, wherever the
        // label is, as though its region were 0.
        if (stretch < 0n || st.region === 0) target += stretch;
        else if (target < address) return false;
      }
    }
    return !fitsRel8(target, address, st.shortLen ?? 2 + s.prefixes.length);
  }

  /**
   * How GNU as holds a branch target after reading the line: a plain symbol (with a constant addend folded
   * in), or an expression symbol — when the expression names more than one symbol and any of them is not yet
   * defined (so nothing could be folded).
   */
  gasTargetKind(names: string[], es: ExpandedStatement): "symbol" | "expression" {
    if (names.length <= 1) return "symbol";
    for (const n of names) {
      const sym = this.symbols.get(n);
      if (!sym || sym.order > es.order) return "expression";
    }
    return "symbol";
  }

  /** incbin: found like an include (next to the including file, the current directory, -I), read once. */
  readBinary(name: string, fromFile: string): Uint8Array | undefined {
    const cached = this.binaries.get(`${fromFile}\u0000${name}`);
    if (cached) return cached;
    const candidates = name.startsWith("/")
      ? [name]
      : [
          joinPath(dirname(fromFile), name),
          joinPath(this.opts.cwd ?? "", name),
          ...(this.opts.includeDirs ?? []).map((d) => joinPath(d, name)),
        ];
    for (const c of candidates) {
      let data: Uint8Array | undefined;
      try {
        data = this.opts.readBinary?.(c);
        if (data === undefined) {
          const text = this.opts.readFile?.(c);
          if (text !== undefined) data = Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
        }
      } catch {
        data = undefined;
      }
      if (data !== undefined) {
        this.binaries.set(`${fromFile}\u0000${name}`, data);
        return data;
      }
    }
    return undefined;
  }

  /** nasm, last pass: the number-overflow warnings of each statement, which `nasm -l` lists after its line. */
  readonly listWarnings = new Map<ExpandedStatement, string[]>();

  listWarning(es: ExpandedStatement, message: string): void {
    if (this.flavor !== "nasm" || !this.reportUndefined || !/exceeds bounds|does not fit in 64 bits/.test(message))
      return;
    const list = this.listWarnings.get(es);
    if (list) list.push(message);
    else this.listWarnings.set(es, [message]);
  }

  /** A warning of this pass about `es` (and, for nasm's number overflows, a row of the listing). */
  passWarning(es: ExpandedStatement, file: string, range: Range, code: string, message: string): void {
    this.diag(this.passDiags, file, range, code, message, "warning");
    this.listWarning(es, message);
  }

  /** An encoder warning, placed on the operand it is about when it names one (an immediate). */
  warn(s: Statement & { kind: "instruction" }, es: ExpandedStatement, message: string): void {
    const imm = /immediate|value exceeds|data exceeds/i.test(message)
      ? s.operands.find((o) => o.kind === "immediate")
      : undefined;
    this.passWarning(es, es.file, imm?.range ?? s.range, "asm-warning", message);
  }

  encodeError(
    s: Statement & { kind: "instruction" },
    es: ExpandedStatement,
    message: string,
    operandIndex: number | undefined,
    relax: boolean,
  ): void {
    if (!isMnemonic(s.mnemonic, this.flavor)) {
      this.diag(
        this.passDiags,
        es.file,
        s.mnemonicRange,
        "asm-unknown-mnemonic",
        `unknown instruction '${s.mnemonic}'`,
      );
      return;
    }
    const op = operandIndex !== undefined ? s.operands[operandIndex] : undefined;
    let code = "asm-invalid-operands";
    if (relax && /range|reach|fit/i.test(message)) code = "asm-branch-out-of-range";
    else if (/range|fit|too large/i.test(message)) code = "asm-value-out-of-range";
    this.diag(this.passDiags, es.file, op?.range ?? s.range, code, message);
  }

  isBranchTarget(s: Statement & { kind: "instruction" }): boolean {
    return (
      !s.far &&
      !s.indirect &&
      s.operands.length === 1 &&
      s.operands[0]!.kind === "immediate" &&
      isBranchMnemonic(s.mnemonic)
    );
  }

  operand(
    op: Operand,
    es: ExpandedStatement,
    st: ItemState,
    s: Statement & { kind: "instruction" },
  ): { op: EncOperand; known: boolean; otherSection: boolean; reloc?: bigint } {
    switch (op.kind) {
      case "register":
        return { op: { kind: "reg", reg: op.name }, known: true, otherSection: false };
      case "immediate": {
        // A branch to a plain label (most of them): no general evaluation needed.
        if (st.relax && op.value.kind === "symbol" && !op.gasIntelBare && !op.size && !s.strict) {
          st.target ??= this.symbols.get(op.value.name);
          const t = st.target;
          if (t?.label && t.value !== undefined)
            return {
              op: { kind: "imm", value: t.value },
              known: true,
              otherSection: !this.sameSection(t.section, st.sec),
            };
        }
        const v = this.value(op.value, es, st);
        if (op.gasIntelBare && this.refersToLabel(op.value, es.order)) {
          const mem: EncMem = { kind: "mem", scale: 1, disp: v.value, dispUnresolved: this.unresolved(v) };
          return { op: mem, known: v.known, otherSection: false };
        }
        const otherSection = v.terms?.some(
          (t) => t.sign === 1 && t.section >= 0 && !this.sameSection(t.section, st.sec),
        );
        const imm: EncOperand = { kind: "imm", value: v.value };
        // nasm's first pass is optimistic about an immediate it cannot evaluate yet (it becomes the
        // smallest form, e.g. a sign-extended imm8), while an unknown displacement gets disp32.
        if (this.flavor === "nasm" && !v.known) imm.value = 0n;
        else if (this.unresolved(v)) imm.unresolved = true;
        if (op.size && op.size <= 64) imm.size = op.size as 8 | 16 | 32 | 64;
        if (s.strict && op.size) imm.strict = true;
        // A branch to an absolute address (no label) or another section is never relaxed by GNU as, and
        // nasm uses the near form for a target outside the current segment (assemble.c jmp_match).
        const reloc = st.relax ? undefined : this.nasmRelocation(v);
        return {
          op: imm,
          known: v.known,
          // (An absolute target — a number, a constant defined before or after, a difference of labels —
          // is "another section" to both: GNU as's frag for it cannot relax, nasm sees no segment.)
          // An unknown target is a short jump to nasm (optimistic in its first pass, assemble.c jmp_match).
          otherSection: otherSection || (v.known && v.terms !== null && !isRelocatable(v)),
          ...(reloc !== undefined ? { reloc } : {}),
        };
      }
      case "memory": {
        // NASM's scales 3, 5 and 9 (`[eax*5]` = `[eax+eax*4]`) go to the encoder as written; GAS rejects them
        // in the parser.
        const mem: EncMem = { kind: "mem", scale: op.scale as EncMem["scale"], disp: 0n };
        if (op.size) mem.size = op.size as EncMem["size"];
        if (op.segment) mem.seg = op.segment as EncMem["seg"];
        let base = op.base;
        let rip = op.ripRelative;
        if (base === "rip" || base === "eip") {
          rip = true;
          base = undefined;
        }
        if (base) mem.base = base;
        if (op.index) mem.index = op.index;
        let known = true;
        let reloc: bigint | undefined;
        if (op.disp) {
          const v = this.value(op.disp, es, st);
          reloc = this.nasmRelocation(v);
          known = v.known;
          mem.disp = v.value;
          if (this.unresolved(v)) mem.dispUnresolved = true;
          if (rip && v.terms !== null && v.terms.length === 0 && (this.flavor === "gas" || op.base === "rip"))
            mem.ripRaw = true;
        } else if (rip) mem.ripRaw = true;
        if (
          !rip &&
          this.flavor === "nasm" &&
          es.defaultRel &&
          !op.absolute &&
          !mem.base &&
          !mem.index &&
          mem.seg !== "fs" &&
          mem.seg !== "gs" &&
          es.bits === 64
        )
          rip = true;
        // nasm's first pass: a `[rel x]` whose symbol is not defined yet has no segment, so it is assembled
        // as an absolute [disp32] (one byte longer in 64-bit code); later passes see the real size.
        if (rip && !known && this.flavor === "nasm" && !mem.base && !mem.index) {
          rip = false;
          mem.dispUnresolved = true;
        }
        if (rip) mem.rip = true;
        if (s.far) mem.far = true;
        // (a RIP-relative displacement to the same section is not a relocation)
        return { op: mem, known, otherSection: false, ...(reloc !== undefined && !rip ? { reloc } : {}) };
      }
      case "far": {
        const a = this.value(op.segment, es, st);
        const b = this.value(op.offset, es, st);
        const far: EncOperand = { kind: "far", selector: a.value, offset: b.value };
        if (this.unresolved(a) || this.unresolved(b)) far.unresolved = true;
        if (op.size) far.size = op.size;
        const reloc = this.nasmRelocation(b);
        return { op: far, known: a.known && b.known, otherSection: false, ...(reloc !== undefined ? { reloc } : {}) };
      }
    }
  }

  /**
   * nasm, last pass: a value nasm emits as a relocation (a label address plus a constant: one section with weight
   * +1), as its offset in that section — what `nasm -l` shows in brackets. Undefined for anything else.
   */
  nasmRelocation(v: Value): bigint | undefined {
    if (this.flavor !== "nasm" || !this.reportUndefined || !v.known) return undefined;
    const section = relocatedSection(v);
    const sec = section === undefined ? undefined : this.sections[section];
    if (!sec || sec.absolute) return undefined;
    return v.value - sec.start;
  }

  directive(s: Statement & { kind: "directive" }, es: ExpandedStatement, st: ItemState, passNo: number): void {
    const sec = st.sec;
    const name = s.name;
    const gas = this.flavor === "gas";
    const dataUnit = gas ? GAS_DATA[name] : NASM_DATA[name];
    if (dataUnit !== undefined) {
      this.data(s, es, st, dataUnit);
      st.fixed ??= argsConstant(s.args);
      return;
    }
    if (gas && (name === ".ascii" || name === ".asciz" || name === ".string")) {
      for (const a of s.args) {
        if (a.expr?.kind !== "string") {
          this.diag(this.passDiags, es.file, a.range, "asm-bad-directive", `'${name}' expects quoted strings`);
          continue;
        }
        this.emit(sec, stringBytes(a.expr.value));
        if (name !== ".ascii") this.emit(sec, [0]);
      }
      st.fixed = true;
      return;
    }
    const floatFormat = gas ? GAS_FLOAT[name] : undefined;
    if (floatFormat) {
      for (const a of s.args) {
        const fb = floatBytes(a.text, floatFormat, "gas", true);
        // GNU as refuses a finite constant that overflows the format ("cannot create floating-point number").
        if (!fb || (!/inf|nan/i.test(a.text) && isInfOrNan(fb, floatFormat))) {
          this.diag(this.passDiags, es.file, a.range, "asm-bad-expression", "cannot create floating-point number");
          this.emitFill(sec, 0, floatFormat.bytes);
          continue;
        }
        this.emit(sec, fb);
      }
      st.fixed = true;
      return;
    }
    const resUnit = gas ? undefined : NASM_RES[name];
    if (resUnit !== undefined) {
      const n = this.count(s.args[0]?.expr, es, st, s.nameRange);
      this.emitFill(sec, 0, n * resUnit);
      return;
    }
    switch (name) {
      case ".space":
      case ".skip":
      case ".zero": {
        const n = this.count(s.args[0]?.expr, es, st, s.nameRange);
        const fill =
          name !== ".zero" && s.args[1]?.expr ? Number(BigInt.asUintN(8, this.value(s.args[1].expr, es, st).value)) : 0;
        this.emitFill(sec, fill, n);
        return;
      }
      case ".uleb128":
      case ".sleb128": {
        // LEB128 (DWARF's variable-length integers); GNU as re-sizes them while relaxing (rs_leb128), as
        // our passes do for a value that depends on labels.
        for (const a of s.args) {
          if (!a.expr) {
            this.diag(this.passDiags, es.file, a.range, "asm-bad-expression", "expected a value");
            continue;
          }
          const v = this.value(a.expr, es, st);
          this.emit(sec, leb128(v.value, name === ".sleb128"));
        }
        if (argsConstant(s.args)) st.fixed = true;
        return;
      }
      case ".nops": {
        // GNU as 2.31+: `size` bytes of NOPs, the same patterns as code alignment padding.
        const n = this.count(s.args[0]?.expr, es, st, s.nameRange);
        this.emit(sec, gasCodePadding(n, this.exp.finalBits));
        return;
      }
      case ".fill": {
        const n = this.count(s.args[0]?.expr, es, st, s.nameRange);
        const size = s.args[1]?.expr ? Number(this.value(s.args[1].expr, es, st).value) : 1;
        const value = s.args[2]?.expr ? this.value(s.args[2].expr, es, st).value : 0n;
        const sz = Math.max(0, Math.min(size, 8));
        // GNU as stores at most 4 bytes of the value; the rest of each unit is zero.
        const unit = toBytes(sz > 4 ? BigInt.asUintN(32, value) : value, sz);
        if (n * sz > MAX_SECTION_BYTES) {
          this.diag(this.passDiags, es.file, s.range, "asm-output-too-large", "'.fill' is too large");
          this.aborted = true;
          return;
        }
        if (sz === 1) this.emitFill(sec, unit[0] ?? 0, n);
        else for (let k = 0; k < n; k++) this.emit(sec, unit);
        return;
      }
      case ".align":
      case ".balign":
      case ".p2align":
      case ".balignw":
      case ".balignl": {
        const av = s.args[0]?.expr ? this.value(s.args[0].expr, es, st) : undefined;
        if (!av?.known) {
          this.diag(
            this.passDiags,
            es.file,
            s.args[0]?.range ?? s.nameRange,
            "asm-bad-directive",
            `'${name}' needs a constant alignment`,
          );
          return;
        }
        let a = Number(av.value);
        if (name === ".p2align") a = a >= 0 && a < 31 ? 1 << a : 0;
        if (a <= 0 || (a & (a - 1)) !== 0) {
          this.diag(this.passDiags, es.file, s.args[0]!.range, "asm-bad-directive", "alignment must be a power of 2");
          return;
        }
        this.raiseAlign(sec, a);
        const pad = alignOffset(sec.pc, a) - sec.pc;
        const maxArg = s.args[2]?.expr;
        if (maxArg) {
          const m = this.value(maxArg, es, st).value;
          if (BigInt(pad) > m) return;
        }
        const fillArg = s.args[1]?.expr;
        if (fillArg) this.emitFill(sec, Number(BigInt.asUintN(8, this.value(fillArg, es, st).value)), pad);
        else if (sec.code && !sec.nobits) this.emit(sec, gasCodePadding(pad, this.exp.finalBits));
        else this.emitFill(sec, 0, pad);
        return;
      }
      case "align":
      case "alignb": {
        this.checkCritical(s.args[0]?.expr, es, "ALIGN");
        const av = s.args[0]?.expr ? this.value(s.args[0].expr, es, st) : undefined;
        if (!av?.known) {
          this.diag(
            this.passDiags,
            es.file,
            s.args[0]?.range ?? s.nameRange,
            "asm-bad-directive",
            `'${name}' needs a constant alignment`,
          );
          return;
        }
        const a = Number(av.value);
        if (a <= 0 || (a & (a - 1)) !== 0) {
          this.diag(this.passDiags, es.file, s.args[0]!.range, "asm-bad-directive", "alignment must be a power of 2");
          return;
        }
        // nasm's ALIGN also raises the section alignment (SECTALIGN ON is the default).
        this.raiseAlign(sec, a);
        const pad = alignOffset(sec.pc, a) - sec.pc;
        st.repeat = pad;
        // The optional second operand is the filler instruction (`align 8, db 0`); NOP by default.
        let fill = name === "align" ? 0x90 : 0;
        const insn = s.args[1]?.text.trim().toLowerCase();
        const m = insn ? /^(?:db|resb)\s+(.+)$/.exec(insn) : null;
        if (m) {
          const v = /^(0x[0-9a-f]+|[0-9]+)$/.exec(m[1]!.trim());
          fill = v ? Number(BigInt(v[1]!)) & 0xff : 0;
        }
        this.emitFill(sec, fill, pad);
        return;
      }
      case ".struct":
      case "absolute": {
        const e = s.args[0]?.expr;
        const v = e ? this.value(e, es, st) : undefined;
        const start = v?.known ? v.value : 0n;
        if (sec.fixedStart !== start) {
          sec.fixedStart = start;
          this.changed = true;
        }
        return;
      }
      case "sectalign": {
        const v = s.args[0]?.expr ? this.value(s.args[0].expr, es, st) : undefined;
        if (v?.known && v.value > 0n) this.raiseAlign(sec, Number(v.value));
        return;
      }
      case ".org": {
        const e = s.args[0]?.expr;
        if (!e) return;
        const v = this.value(e, es, st);
        // `.org` is relative to the start of the section.
        const target = v.terms && v.terms.length > 0 ? v.value - sec.start : v.value;
        if (target < BigInt(sec.pc)) {
          if (v.known)
            this.diag(this.passDiags, es.file, e.range, "asm-org-backwards", "attempt to move .org backwards");
          return;
        }
        const fill = s.args[1]?.expr ? Number(BigInt.asUintN(8, this.value(s.args[1].expr, es, st).value)) : 0;
        const gap = target - BigInt(sec.pc);
        if (gap > BigInt(MAX_SECTION_BYTES)) {
          this.diag(this.passDiags, es.file, e.range, "asm-output-too-large", ".org target too far");
          this.aborted = true;
          return;
        }
        this.emitFill(sec, fill, Number(gap));
        return;
      }
      case ".equ":
      case ".set":
      case ".equiv":
      case "=":
      case "equ": {
        const target = s.symbol?.name ?? s.args[0]?.text;
        const e = s.symbol ? s.args[0]?.expr : s.args[1]?.expr;
        if (!target) return;
        if (!e) {
          const r = (s.symbol ? s.args[0]?.range : s.args[1]?.range) ?? s.range;
          this.diag(this.passDiags, es.file, r, "asm-bad-expression", "expected an expression");
          return;
        }
        const v = this.value(e, es, st);
        this.setSymbol(target, v.value, v.terms);
        if (gas) this.setAlias(target, e, v);
        return;
      }
      case "times": {
        this.checkCritical(s.args[0]?.expr, es, "TIMES");
        const n = this.count(s.args[0]?.expr, es, st, s.nameRange);
        st.repeat = n;
        const body = s.body;
        if (!body) return;
        if (n > 1 && isConstantStatement(body, this)) {
          // The same bytes every time (`times 510-($-$$) db 0`, `times 16 nop`): produce one copy, repeat it.
          const start = sec.pc;
          const bufStart = sec.buf.length;
          this.item(body, es, st, passNo);
          const len = sec.pc - start;
          if (len * n > MAX_SECTION_BYTES) {
            this.diag(this.passDiags, es.file, s.range, "asm-output-too-large", "'times' output too large");
            this.aborted = true;
            return;
          }
          if (this.reportUndefined && !sec.nobits && len > 0) {
            const chunk = sec.buf.data.slice(bufStart, bufStart + len);
            for (let k = 1; k < n; k++) sec.buf.push(chunk);
          }
          sec.pc += len * (n - 1);
          return;
        }
        if (n > 1_000_000) {
          this.diag(
            this.passDiags,
            es.file,
            s.args[0]?.range ?? s.nameRange,
            "asm-output-too-large",
            "'times' count too large",
          );
          return;
        }
        for (let k = 0; k < n; k++) {
          this.item(body, es, st, passNo);
          if (this.aborted) return;
        }
        return;
      }
      case "incbin":
      case ".incbin": {
        const a = s.args[0];
        const fileName = a?.expr?.kind === "string" ? a.expr.value : undefined;
        const data = fileName !== undefined ? this.readBinary(fileName, es.file) : undefined;
        if (data === undefined) {
          this.diag(
            this.passDiags,
            es.file,
            a?.range ?? s.nameRange,
            "asm-include-not-found",
            `cannot read '${fileName ?? ""}'`,
          );
          return;
        }
        const skip = s.args[1]?.expr ? Number(this.value(s.args[1].expr, es, st).value) : 0;
        const len = s.args[2]?.expr ? Number(this.value(s.args[2].expr, es, st).value) : undefined;
        const bytes = data.subarray(Math.max(0, skip), len === undefined ? undefined : Math.max(0, skip + len));
        this.emit(sec, bytes);
        return;
      }
      case ".end":
        return;
      default:
        break;
    }
    if (gas ? GAS_IGNORED.has(name) || name.startsWith(".cfi_") : NASM_IGNORED.has(name)) return;
    if (passNo === 0 || this.reportUndefined) {
      if (this.reportUndefined)
        this.diag(this.passDiags, es.file, s.nameRange, "asm-unknown-directive", `unknown directive '${name}'`);
    }
  }

  /**
   * nasm evaluates the count of TIMES (and ALIGN, a TIMES in its standard macros) as a critical expression:
   * a symbol defined later in the source is an error there ("non-constant argument supplied to TIMES").
   */
  checkCritical(e: Expr | undefined, es: ExpandedStatement, what: string): void {
    if (!e || this.flavor !== "nasm" || !this.reportUndefined) return;
    for (const name of exprSymbols(e)) {
      const sym = this.symbols.get(name);
      if (sym && sym.order > es.order) {
        this.diag(
          this.passDiags,
          es.file,
          e.range,
          "asm-not-constant",
          `non-constant argument supplied to ${what}: '${displayName(name)}' is defined later`,
        );
        return;
      }
    }
  }

  count(e: Expr | undefined, es: ExpandedStatement, st: ItemState, fallback: Range): number {
    if (!e) {
      this.diag(this.passDiags, es.file, fallback, "asm-bad-expression", "expected a count");
      return 0;
    }
    const v = this.value(e, es, st);
    if (!v.known) return 0;
    if (v.value < 0n) {
      this.diag(this.passDiags, es.file, e.range, "asm-bad-expression", "count is negative");
      return 0;
    }
    if (v.value > BigInt(MAX_SECTION_BYTES)) {
      this.diag(this.passDiags, es.file, e.range, "asm-output-too-large", "count too large");
      this.aborted = true;
      return 0;
    }
    return Number(v.value);
  }

  data(s: Statement & { kind: "directive" }, es: ExpandedStatement, st: ItemState, unit: number): void {
    if (s.args.length === 0 && !this.flavor.startsWith("g")) {
      this.diag(this.passDiags, es.file, s.nameRange, "asm-bad-directive", `'${s.name}' needs at least one value`);
      return;
    }
    if (this.reportUndefined) st.relocs = undefined;
    this.dataArgs(s.args, es, st, unit);
  }

  dataArgs(args: DirectiveArg[], es: ExpandedStatement, st: ItemState, unit: number): void {
    const sec = st.sec;
    for (const a of args) {
      if (a.warning) this.passWarning(es, es.file, a.warning.range, "asm-warning", a.warning.message);
      if (a.dup) {
        const n = this.count(a.dup.count, es, st, a.range);
        for (let k = 0; k < n && !this.aborted; k++) this.dataArgs(a.dup.values, es, st, unit);
        continue;
      }
      // nasm: a floating-point constant in dw/dd/dq/dt/do (`dd 1.5`, `dq -1.0e10`, `dt __Infinity__`).
      if (this.flavor === "nasm" && unit > 1) {
        const fmt = floatFormatForUnit(unit);
        const fb = fmt ? floatBytes(a.text, fmt, "nasm") : undefined;
        if (fb) {
          this.emit(sec, fb);
          continue;
        }
      }
      const e = a.expr;
      if (e?.kind === "symbol" && e.name === "?" && this.flavor === "nasm") {
        this.emitFill(sec, 0, unit);
        continue;
      }
      if (!e) {
        if (a.text === "?" && this.flavor === "nasm") {
          this.emitFill(sec, 0, unit);
          continue;
        }
        this.diag(
          this.passDiags,
          es.file,
          a.range,
          "asm-bad-expression",
          a.text ? `cannot use '${a.text}' as a value` : "expected a value",
        );
        this.emitFill(sec, 0, unit);
        continue;
      }
      if (e.kind === "string" && (this.flavor === "nasm" || unit === 1 || e.value.length > 1)) {
        const b = stringBytes(e.value);
        if (this.flavor === "nasm") {
          this.emit(sec, b);
          const rem = b.length % unit;
          if (rem !== 0 || b.length === 0) this.emitFill(sec, 0, b.length === 0 ? unit : unit - rem);
          continue;
        }
        if (unit === 1) {
          this.emit(sec, b);
          continue;
        }
      }
      const v = this.value(e, es, st);
      // nasm truncates a number that does not fit with a warning: anything from -2^n to 2^n-1 fits n bits.
      if (this.flavor === "nasm" && unit <= 4 && v.known && v.terms !== null && v.terms.length === 0) {
        const lim = 1n << BigInt(unit * 8);
        if (v.value >= lim || v.value < -lim) {
          const message = `${unit === 1 ? "byte" : unit === 2 ? "word" : "dword"} data exceeds bounds`;
          this.passWarning(es, es.file, a.range, "asm-warning", message);
        }
      }
      const reloc = unit > 1 ? this.nasmRelocation(v) : undefined;
      if (reloc !== undefined) {
        st.relocs ??= [];
        st.relocs.push({ operand: -1, offset: sec.pc - st.offset, size: unit, value: reloc });
      }
      this.emit(sec, toBytes(v.value, unit));
    }
  }

  output(): Program {
    const diagnostics = [...this.exp.diagnostics, ...this.staticDiags, ...this.passDiags];
    const sections: Section[] = this.sections
      .filter((s) => !s.absolute && (s.size > 0 || s.name === ".text"))
      .sort((a, b) => {
        const la = a.load ?? a.start;
        const lb = b.load ?? b.start;
        return la < lb ? -1 : la > lb ? 1 : a.index - b.index;
      })
      .map((s) => ({
        name: s.parent?.name ?? s.name,
        address: s.load ?? s.start,
        ...(s.load !== undefined && s.load !== s.start ? { vstart: s.start } : {}),
        bytes: s.nobits ? new Uint8Array(s.size) : s.buf.data.slice(0, s.buf.length),
        size: s.size,
        nobits: s.nobits,
        align: s.align,
      }));
    const symbols = new Map<string, SymbolInfo>();
    for (const [name, s] of this.symbols) {
      if (name.includes("\u0002") || name.includes("\u0001") || s.value === undefined) continue;
      const info: SymbolInfo = { value: s.value, file: s.file, line: s.line, column: s.column, label: s.label };
      if (s.label) {
        const sec = this.sections[s.section];
        info.section = sec?.parent?.name ?? sec?.name;
      }
      symbols.set(name, info);
    }
    const lineMap: LineMapEntry[] = [];
    for (let i = 0; i < this.stopAt; i++) {
      const st = this.state[i]!;
      const es = this.items[i]!;
      if (st.size > 0 && es.stmt.kind !== "label" && !st.sec.absolute)
        lineMap.push({
          address: st.sec.start + BigInt(st.offset),
          length: st.size,
          file: es.file,
          line: es.line,
          column: es.column,
        });
    }
    lineMap.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const start = symbols.get("_start") ?? symbols.get("start");
    const entry = start?.label ? start.value : sections[0]?.address;
    const program: Program = { syntax: this.flavor, sections, symbols, lineMap, listing: "", diagnostics };
    if (entry !== undefined) program.entry = entry;
    program.origin = this.flavor === "gas" ? (this.opts.base ?? 0n) : this.origin;
    // The listing is built on first read: the language server and the debugger never need it.
    let listing: string | undefined;
    const items = this.items.slice(0, this.stopAt);
    Object.defineProperty(program, "listing", {
      enumerable: true,
      get: () => {
        listing ??= buildListing(
          items,
          this.state,
          this.exp.files,
          this.exp.macroLines,
          this.exp.inclusions,
          this.listWarnings,
        );
        return listing;
      },
    });
    return program;
  }
}

const NO_SIGNATURE: bigint[] = [];

/** The variable inputs of an encode request: operand values and flags, the branch form, the address if used. */
function requestSignature(ops: EncOperand[], branch: string | undefined, address: bigint): bigint[] {
  // Head: what determines the form (and size). Tail: values that only change displacement bytes — the
  // address, a branch target, a RIP-relative target. sig[0] holds the branch form and the head length.
  const head: bigint[] = [0n];
  const tail: bigint[] = [];
  let usesAddress = branch !== undefined;
  for (const o of ops) {
    switch (o.kind) {
      case "reg":
        head.push(3n);
        break;
      case "imm":
        if (branch !== undefined) tail.push(o.value);
        else head.push(4n, o.value, o.unresolved ? 1n : 0n);
        break;
      case "mem":
        head.push(5n, (o.dispUnresolved ? 1n : 0n) | (o.rip ? 2n : 0n) | (o.ripRaw ? 4n : 0n));
        if (o.rip) {
          usesAddress = true;
          tail.push(o.disp);
        } else head.push(o.disp);
        break;
      case "far":
        head.push(6n, o.selector, o.offset, o.unresolved ? 1n : 0n);
        break;
    }
  }
  if (usesAddress) tail.push(address);
  head[0] = (branch === "short" ? 1n : branch === "near" ? 2n : 0n) | (BigInt(head.length) << 4n);
  return tail.length > 0 ? head.concat(tail) : head;
}

/** Equal signatures; with `headOnly`, only the parts that decide the instruction's form are compared. */
function sameSignature(a: bigint[], b: bigint[], headOnly = false): boolean {
  if (a.length !== b.length) return false;
  const n = headOnly ? Number(a[0]! >> 4n) : a.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Does a branch of `len` bytes at `address` reach `target` with a rel8 displacement? */
function fitsRel8(target: bigint, address: bigint, len: number): boolean {
  const d = target - (address + BigInt(len));
  return d >= -128n && d <= 127n;
}

/**
 * Is the encoding's size independent of symbol values from now on? Every operand is a constant, or a value
 * the encoder was told is unresolved (it then takes the widest immediate/displacement, whatever the value).
 * The unresolved flag itself depends only on which labels an expression combines, not on their values.
 */
function sizeSettled(ops: readonly Operand[], enc: readonly EncOperand[]): boolean {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const e = enc[i];
    switch (op.kind) {
      case "register":
        break;
      case "immediate":
        if (isConstantExpr(op.value)) break;
        if (e?.kind === "imm" && e.unresolved) break;
        if (e?.kind === "mem" && e.dispUnresolved) break;
        return false;
      case "memory":
        if (!op.disp || isConstantExpr(op.disp)) break;
        if (e?.kind === "mem" && e.dispUnresolved) break;
        return false;
      case "far":
        if (isConstantExpr(op.segment) && isConstantExpr(op.offset)) break;
        if (e?.kind === "far" && e.unresolved) break;
        return false;
    }
  }
  return true;
}

/** Does a statement produce the same bytes wherever it is placed (for `times`)? */
function isConstantStatement(s: Statement, layout: Layout): boolean {
  if (s.kind === "instruction")
    return !layout.isBranchTarget(s) && !isBranchMnemonic(s.mnemonic) && s.operands.every(isConstantOperand);
  if (s.kind !== "directive") return false;
  if (s.name === "times")
    return !!s.body && !!s.args[0]?.expr && isConstantExpr(s.args[0].expr) && isConstantStatement(s.body, layout);
  if (!(s.name in NASM_DATA) && !(s.name in NASM_RES)) return false;
  return argsConstant(s.args);
}

/** Data arguments whose bytes never change (numbers and strings only). */
function argsConstant(args: DirectiveArg[]): boolean {
  return args.every((a) =>
    a.dup
      ? isConstantExpr(a.dup.count) && argsConstant(a.dup.values)
      : a.expr
        ? isConstantExpr(a.expr)
        : a.text === "?",
  );
}

function isConstantExpr(e: Expr): boolean {
  switch (e.kind) {
    case "number":
    case "string":
      return true;
    case "unary":
      return isConstantExpr(e.operand);
    case "binary":
      return isConstantExpr(e.left) && isConstantExpr(e.right);
    case "conditional":
      return isConstantExpr(e.test) && isConstantExpr(e.whenTrue) && isConstantExpr(e.whenFalse);
    default:
      return false;
  }
}

function isConstantOperand(op: Operand): boolean {
  switch (op.kind) {
    case "register":
      return true;
    case "immediate":
      return isConstantExpr(op.value);
    case "memory":
      // RIP-relative displacements depend on the instruction's address.
      return !op.ripRelative && op.base !== "rip" && op.base !== "eip" && (!op.disp || isConstantExpr(op.disp));
    case "far":
      return isConstantExpr(op.segment) && isConstantExpr(op.offset);
  }
}

function countLocal(e: Expr): number {
  switch (e.kind) {
    case "localRef":
    case "here":
      return 1;
    case "unary":
      return countLocal(e.operand);
    case "binary":
      return countLocal(e.left) + countLocal(e.right);
    default:
      return 0;
  }
}

/** LEB128 encoding (unsigned: the value as a 64-bit unsigned number, as GNU as stores it). */
function leb128(value: bigint, signed: boolean): number[] {
  const out: number[] = [];
  let v = signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = signed ? (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0) : v === 0n;
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function stringBytes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) out.push(c);
    else {
      // Source text is UTF-16; strings are emitted as UTF-8 like both reference assemblers read them.
      const enc = new TextEncoder().encode(s.slice(i, i + (c >= 0xd800 && c <= 0xdbff ? 2 : 1)));
      out.push(...enc);
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
  }
  return out;
}

function displayName(name: string): string {
  const i = name.indexOf("\u0002");
  if (i >= 0) return name.slice(0, i);
  const j = name.indexOf("\u0001");
  return j >= 0 ? name.slice(0, j) : name;
}

function _statementText(s: Statement): string {
  switch (s.kind) {
    case "label":
      return `${displayName(s.name)}:`;
    case "instruction":
      return s.mnemonic;
    case "directive":
      return `${s.name} ${s.args.map((a) => a.text).join(", ")}`.trim();
    default:
      return "";
  }
}
