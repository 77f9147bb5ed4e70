// Where the grammars' word lists come from: the encoder (assembler/encoder: knownMnemonics(), isMnemonic(),
// instructionInfo(), registerNames()), so the grammars highlight exactly what the assembler accepts, and arch/
// for which of them are VMX instructions.
import { vmxInstruction } from "../arch/index";
import {
  type InstructionInfo,
  instructionInfo,
  isMnemonic,
  knownMnemonics,
  registerNames,
} from "../assembler/encoder/index";

/** Prefixes written as separate words before a mnemonic (both dialects; GAS adds data16 … rex64). */
const PREFIX_WORDS = `lock rep repe repz repne repnz xacquire xrelease bnd notrack
  data16 data32 addr16 addr32 rex64 rex o16 o32 o64 a16 a32 a64`
  .split(/\s+/)
  .filter((w) => w.length > 0);

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
  gas: ClassLists;
  nasm: ClassLists;
  /** Instruction prefixes written as words: storage.modifier.prefix */
  prefixes: string[];
  registers: string[];
}

function emptyLists(): ClassLists {
  return { vmx: [], system: [], control: [], general: [] };
}

function sortLists(l: ClassLists): ClassLists {
  return { vmx: sorted(l.vmx), system: sorted(l.system), control: sorted(l.control), general: sorted(l.general) };
}

/** Control transfers the encoder's metadata does not mark as branches (returns, far forms, system calls). */
const CONTROL_LIKE =
  /^(?:l?ret[flnqw]?|iret[dlqw]?|sysret[lq]?|sysexit[lq]?|syscall|sysenter|int[13o]?|l?jmp[lqw]?|l?call[lqw]?|jmpf|callf)$/;

function classOf(m: string, info: InstructionInfo | undefined): keyof ClassLists {
  if (vmxInstruction(m) || info?.group === "vmx") return "vmx";
  if (info?.group === "system") return "system";
  if (info?.branch || CONTROL_LIKE.test(m) || CONTROL_LIKE.test(info?.canonical ?? "")) return "control";
  return "general";
}

export function loadMnemonicClasses(): MnemonicClasses {
  const prefixes = new Set(PREFIX_WORDS);
  const gas = emptyLists();
  const nasm = emptyLists();
  const seen = new Set<string>();
  for (const raw of knownMnemonics()) {
    const m = raw.toLowerCase();
    if (seen.has(m) || prefixes.has(m) || !/^[a-z_][a-z0-9_.]*$/.test(m)) continue;
    seen.add(m);
    const inNasm = isMnemonic(m, "nasm");
    const inGas = isMnemonic(m, "gas");
    const info = instructionInfo(m, inNasm ? "nasm" : "gas") ?? instructionInfo(m, "gas");
    const cls = classOf(m, info);
    // A name the encoder lists but neither dialect accepts still belongs to GAS (AT&T spellings).
    if (inGas || !inNasm) gas[cls].push(m);
    if (inNasm) nasm[cls].push(m);
  }
  // GNU as also takes a b/w/l/q suffix on instructions whose size is implicit (outb, inl, stosq …) that the
  // list does not spell out; ask the encoder which of those it accepts.
  for (const m of [...seen]) {
    for (const suffix of ["b", "w", "l", "q"]) {
      const name = m + suffix;
      if (seen.has(name) || !isMnemonic(name, "gas")) continue;
      seen.add(name);
      gas[classOf(name, instructionInfo(name, "gas"))].push(name);
    }
  }
  const registers = [...registerNames()].map((r) => r.toLowerCase());
  return {
    gas: sortLists(gas),
    nasm: sortLists(nasm),
    prefixes: sorted(PREFIX_WORDS),
    registers: sorted(registers),
  };
}

function sorted(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}
