// Where the grammars' word lists come from: the encoder (assembler/encoder: knownMnemonics(), isMnemonic(),
// instructionInfo(), registerNames()) when it exports them, otherwise ./fallback-mnemonics and ./registers.
// The encoder is loaded with a variable specifier so this module typechecks and runs without it.
import {
  FALLBACK_ATT_ONLY,
  FALLBACK_CONTROL,
  FALLBACK_GENERAL,
  FALLBACK_PREFIXES,
  FALLBACK_SYSTEM,
  FALLBACK_VMX,
} from "./fallback-mnemonics";
import { GENERAL_REGISTERS, SEGMENT_REGISTERS, SYSTEM_REGISTERS, VECTOR_REGISTERS } from "./registers";

/** Mnemonics of one dialect by grammar scope. */
export interface ClassLists {
  /** VMX instructions: keyword.other.vmx */
  vmx: string[];
  /** Other privileged / system instructions: keyword.other.system */
  system: string[];
  /** Control transfer: keyword.control.instruction */
  control: string[];
  /** Everything else: keyword.other.instruction */
  general: string[];
}

export interface MnemonicClasses {
  source: "encoder" | "fallback";
  gas: ClassLists;
  nasm: ClassLists;
  /** Instruction prefixes written as words: storage.modifier.prefix */
  prefixes: string[];
  registers: string[];
}

/** The subset of InstructionInfo (assembler/encoder/types.ts) the classification reads. */
export interface MnemonicInfo {
  group: string;
  branch?: string;
  canonical?: string;
}

export interface EncoderMnemonicApi {
  mnemonics: () => Iterable<string>;
  isMnemonic?: (name: string, flavor: "gas" | "nasm") => boolean;
  instructionInfo?: (mnemonic: string, flavor?: "gas" | "nasm") => MnemonicInfo | undefined;
  registerNames?: () => Iterable<string>;
}

const ENCODER_MODULES = ["../assembler/encoder/index"];

/** Finds the encoder's word-list API, or undefined while the encoder does not export one. */
export async function findEncoderApi(): Promise<EncoderMnemonicApi | undefined> {
  for (const spec of ENCODER_MODULES) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(spec)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const list = mod.knownMnemonics ?? mod.mnemonics;
    if (typeof list !== "function") continue;
    const fn = <T>(name: string) => (typeof mod[name] === "function" ? (mod[name] as T) : undefined);
    return {
      mnemonics: list as () => Iterable<string>,
      isMnemonic: fn<EncoderMnemonicApi["isMnemonic"]>("isMnemonic"),
      instructionInfo: fn<EncoderMnemonicApi["instructionInfo"]>("instructionInfo"),
      registerNames: fn<EncoderMnemonicApi["registerNames"]>("registerNames"),
    };
  }
  return undefined;
}

export async function loadMnemonicClasses(): Promise<MnemonicClasses> {
  const api = await findEncoderApi();
  return api ? classifyEncoderMnemonics(api) : fallbackClasses();
}

function emptyLists(): ClassLists {
  return { vmx: [], system: [], control: [], general: [] };
}

function sortLists(l: ClassLists): ClassLists {
  return { vmx: sorted(l.vmx), system: sorted(l.system), control: sorted(l.control), general: sorted(l.general) };
}

const FALLBACK_REGISTERS = [...GENERAL_REGISTERS, ...SEGMENT_REGISTERS, ...SYSTEM_REGISTERS, ...VECTOR_REGISTERS];

export function fallbackClasses(): MnemonicClasses {
  const nasm: ClassLists = {
    vmx: FALLBACK_VMX,
    system: FALLBACK_SYSTEM,
    control: FALLBACK_CONTROL,
    general: FALLBACK_GENERAL,
  };
  const gas = emptyLists();
  for (const k of Object.keys(nasm) as (keyof ClassLists)[]) gas[k].push(...nasm[k]);
  for (const m of FALLBACK_ATT_ONLY) (CONTROL_LIKE.test(m) ? gas.control : gas.general).push(m);
  return {
    source: "fallback",
    gas: sortLists(gas),
    nasm: sortLists(nasm),
    prefixes: sorted(FALLBACK_PREFIXES),
    registers: sorted(FALLBACK_REGISTERS),
  };
}

/** Control transfers the encoder's metadata does not mark as branches (returns, far forms, system calls). */
const CONTROL_LIKE =
  /^(?:l?ret[flnqw]?|iret[dlqw]?|sysret[lq]?|sysexit[lq]?|syscall|sysenter|int[13o]?|l?jmp[lqw]?|l?call[lqw]?|jmpf|callf)$/;

function classOf(m: string, info: MnemonicInfo | undefined): keyof ClassLists {
  if (info) {
    if (info.group === "vmx") return "vmx";
    if (info.group === "system") return "system";
    if (info.branch || CONTROL_LIKE.test(m) || CONTROL_LIKE.test(info.canonical ?? "")) return "control";
    return "general";
  }
  if (FALLBACK_VMX.includes(m)) return "vmx";
  if (FALLBACK_SYSTEM.includes(m)) return "system";
  if (FALLBACK_CONTROL.includes(m) || CONTROL_LIKE.test(m)) return "control";
  return "general";
}

export function classifyEncoderMnemonics(api: EncoderMnemonicApi): MnemonicClasses {
  const prefixes = new Set(FALLBACK_PREFIXES);
  const gas = emptyLists();
  const nasm = emptyLists();
  const seen = new Set<string>();
  for (const raw of api.mnemonics()) {
    const m = raw.toLowerCase();
    if (seen.has(m) || prefixes.has(m) || !/^[a-z_][a-z0-9_.]*$/.test(m)) continue;
    seen.add(m);
    const inNasm = api.isMnemonic ? api.isMnemonic(m, "nasm") : true;
    const inGas = api.isMnemonic ? api.isMnemonic(m, "gas") : true;
    const info = api.instructionInfo?.(m, inNasm ? "nasm" : "gas") ?? api.instructionInfo?.(m, "gas");
    const cls = classOf(m, info);
    // A name the encoder lists but neither dialect accepts still belongs to GAS (AT&T spellings).
    if (inGas || !inNasm) gas[cls].push(m);
    if (inNasm) nasm[cls].push(m);
  }
  // GNU as also takes a b/w/l/q suffix on instructions whose size is implicit (outb, inl, stosq …) that the
  // list does not spell out; ask the encoder which of those it accepts.
  if (api.isMnemonic) {
    for (const m of [...seen]) {
      for (const suffix of ["b", "w", "l", "q"]) {
        const name = m + suffix;
        if (seen.has(name) || !api.isMnemonic(name, "gas")) continue;
        seen.add(name);
        gas[classOf(name, api.instructionInfo?.(name, "gas"))].push(name);
      }
    }
  }
  const registers = api.registerNames ? [...api.registerNames()].map((r) => r.toLowerCase()) : FALLBACK_REGISTERS;
  return {
    source: "encoder",
    gas: sortLists(gas),
    nasm: sortLists(nasm),
    prefixes: sorted(FALLBACK_PREFIXES),
    registers: sorted(registers),
  };
}

function sorted(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}
