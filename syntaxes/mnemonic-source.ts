// Where the grammars' mnemonic lists come from: the encoder's own list (assembler/encoder) when it exports
// one, otherwise ./fallback-mnemonics. Classification into the grammar scopes uses the encoder's
// instruction metadata (group "vmx"/"system", branch kind) when available.
import {
  FALLBACK_ATT_ONLY,
  FALLBACK_CONTROL,
  FALLBACK_GENERAL,
  FALLBACK_PREFIXES,
  FALLBACK_SYSTEM,
  FALLBACK_VMX,
} from "./fallback-mnemonics";

export interface MnemonicClasses {
  source: "encoder" | "fallback";
  /** VMX instructions: keyword.other.vmx */
  vmx: string[];
  /** Other privileged / system instructions: keyword.other.system */
  system: string[];
  /** Control transfer: keyword.control.instruction */
  control: string[];
  /** Everything else: keyword.other.instruction */
  general: string[];
  /** Instruction prefixes written as words: storage.modifier.prefix */
  prefixes: string[];
  /** Spellings only GNU as accepts (AT&T forms); added to the GAS grammar only. */
  attOnly: string[];
}

/** The subset of InstructionInfo (assembler/encoder/types.ts) the classification reads. */
export interface MnemonicInfo {
  group: string;
  branch?: string;
}

export interface EncoderMnemonicApi {
  mnemonics: () => Iterable<string>;
  instructionInfo?: (mnemonic: string) => MnemonicInfo | undefined;
  attMnemonics?: () => Iterable<string>;
}

// Modules that may export the encoder's mnemonic list, most specific first.
const ENCODER_MODULES = ["../assembler/encoder/index", "../assembler/encoder/mnemonics", "../assembler/encoder/encode"];

/** Finds the encoder's mnemonic API, or undefined while the encoder does not export one yet. */
export async function findEncoderApi(): Promise<EncoderMnemonicApi | undefined> {
  let mnemonics: (() => Iterable<string>) | undefined;
  let instructionInfo: EncoderMnemonicApi["instructionInfo"];
  let attMnemonics: (() => Iterable<string>) | undefined;
  for (const spec of ENCODER_MODULES) {
    let mod: Record<string, unknown>;
    try {
      // A variable specifier: the module may not exist yet, and the typechecker must not require it.
      mod = (await import(spec)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const list = mod.knownMnemonics ?? mod.mnemonics;
    if (!mnemonics && typeof list === "function") mnemonics = list as () => Iterable<string>;
    if (!instructionInfo && typeof mod.instructionInfo === "function")
      instructionInfo = mod.instructionInfo as EncoderMnemonicApi["instructionInfo"];
    const att = mod.attMnemonics ?? mod.knownAttMnemonics;
    if (!attMnemonics && typeof att === "function") attMnemonics = att as () => Iterable<string>;
  }
  if (!mnemonics) return undefined;
  return { mnemonics, instructionInfo, attMnemonics };
}

export async function loadMnemonicClasses(): Promise<MnemonicClasses> {
  const api = await findEncoderApi();
  return api ? classifyEncoderMnemonics(api) : fallbackClasses();
}

export function fallbackClasses(): MnemonicClasses {
  return {
    source: "fallback",
    vmx: sorted(FALLBACK_VMX),
    system: sorted(FALLBACK_SYSTEM),
    control: sorted(FALLBACK_CONTROL),
    general: sorted(FALLBACK_GENERAL),
    prefixes: sorted(FALLBACK_PREFIXES),
    attOnly: sorted(FALLBACK_ATT_ONLY),
  };
}

const RETURN_LIKE = /^(?:l?ret[flnqw]?|iret[dlqw]?|sysret[lq]?|sysexit|syscall|sysenter|int[13o]?)$/;

export function classifyEncoderMnemonics(api: EncoderMnemonicApi): MnemonicClasses {
  const fallbackVmx = new Set(FALLBACK_VMX);
  const fallbackSystem = new Set(FALLBACK_SYSTEM);
  const fallbackControl = new Set(FALLBACK_CONTROL);
  const prefixes = new Set(FALLBACK_PREFIXES);
  const out: MnemonicClasses = {
    source: "encoder",
    vmx: [],
    system: [],
    control: [],
    general: [],
    prefixes: [],
    attOnly: [],
  };
  const seen = new Set<string>();
  for (const raw of api.mnemonics()) {
    const m = raw.toLowerCase();
    if (seen.has(m) || !/^[a-z_][a-z0-9_.]*$/.test(m)) continue;
    seen.add(m);
    if (prefixes.has(m)) continue;
    const info = api.instructionInfo?.(m);
    if (info) {
      if (info.group === "vmx") out.vmx.push(m);
      else if (info.group === "system") out.system.push(m);
      else if (info.branch || RETURN_LIKE.test(m)) out.control.push(m);
      else out.general.push(m);
    } else if (fallbackVmx.has(m)) out.vmx.push(m);
    else if (fallbackSystem.has(m)) out.system.push(m);
    else if (fallbackControl.has(m) || RETURN_LIKE.test(m)) out.control.push(m);
    else out.general.push(m);
  }
  out.prefixes = sorted(FALLBACK_PREFIXES);
  const att = api.attMnemonics ? [...api.attMnemonics()].map((m) => m.toLowerCase()) : FALLBACK_ATT_ONLY;
  out.attOnly = sorted(att.filter((m) => !seen.has(m)));
  out.vmx = sorted(out.vmx);
  out.system = sorted(out.system);
  out.control = sorted(out.control);
  out.general = sorted(out.general);
  return out;
}

function sorted(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}
