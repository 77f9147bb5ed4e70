// `vmx explain WHAT [--qualification Q] [--json]`: what a VM-entry check id, a VM-instruction error number, an exit
// reason, a VMX instruction or an I/O port of the emulated PC means, from the same tables the emulator and the language server use (arch/ and the
// emulator's VM-entry checks).
import {
  EXIT_REASONS,
  exitQualificationBits,
  formatBits,
  IO_PORTS,
  ioPort,
  VM_INSTRUCTION_ERRORS,
  VMX_INSTRUCTIONS,
  vmxInstruction,
} from "../../arch/index";
import { type CheckPhase, ENTRY_CHECKS } from "../../emulator/vmx/checks/index";
import { type CliCommand, type CliIo, CliUsageError, parseArgs, parseNumber } from "../io";

const USAGE = `usage: vmx explain <what> [--qualification Q] [--json]
  vmx explain GCR-08            a VM-entry check (ids of the catalogue: ECTL-, HST-, GCR-, GSEG-, ...)
  vmx explain checks [--phase control|host|guest|msr]
                                every VM-entry check, in the order VM entry runs them
  vmx explain error 7           a VM-instruction error number (SDM 30.4) and the checks that report it
  vmx explain exit 0x80000021 [--qualification 2]
                                an exit reason (SDM Appendix C), with its qualification decoded
  vmx explain vmlaunch          a VMX instruction
  vmx explain port 0x92         an I/O port of the emulated PC (\`port\` alone lists them)
`;

/** What a failed check of each phase does (SDM 26.1-26.4, 26.7-26.8). */
const PHASE_OUTCOME: Record<CheckPhase, { title: string; outcome: string; error?: number; exitReason?: number }> = {
  control: {
    title: "check on the VMX control fields (SDM 26.2.1)",
    outcome: "VMfailValid(7): ZF=1, VM-instruction error 7; the instruction falls through, nothing is loaded",
    error: 7,
  },
  host: {
    title: "check on the host-state area (SDM 26.2.2-26.2.4)",
    outcome: "VMfailValid(8): ZF=1, VM-instruction error 8; the instruction falls through, nothing is loaded",
    error: 8,
  },
  guest: {
    title: "check on the guest-state area (SDM 26.3.1)",
    outcome:
      "VM-entry failure: exit reason 0x80000021 (33 with bit 31 set); host state is loaded as on a VM exit, guest state is not saved, the launch state does not change (SDM 26.8)",
    exitReason: 33,
  },
  msr: {
    title: "check on the VM-entry MSR-load area (SDM 26.4)",
    outcome:
      "VM-entry failure: exit reason 0x80000022 (34 with bit 31 set), qualification = 1-based index of the failing entry; the entries before it stay loaded (SDM 26.8)",
    exitReason: 34,
  },
};
const PHASES = Object.keys(PHASE_OUTCOME) as CheckPhase[];

interface Explanation {
  text: string[];
  json: unknown;
}

function hex(n: number | bigint, digits = 0): string {
  return `0x${n.toString(16).toUpperCase().padStart(digits, "0")}`;
}

function checksOf(phase: CheckPhase) {
  return ENTRY_CHECKS.filter((c) => c.phase === phase && !c.bochsOnly);
}

function checkLines(phase: CheckPhase): string[] {
  return checksOf(phase).map((c) => `  ${c.id.padEnd(9)} ${c.summary} (SDM ${c.sdm})`);
}

function explainCheck(id: string): Explanation | undefined {
  const index = ENTRY_CHECKS.findIndex((c) => c.id.toUpperCase() === id.toUpperCase());
  const c = ENTRY_CHECKS[index];
  if (!c) return undefined;
  const p = PHASE_OUTCOME[c.phase];
  const before = ENTRY_CHECKS[index - 1]?.id;
  const after = ENTRY_CHECKS[index + 1]?.id;
  const text = [
    `${c.id} — ${p.title}`,
    `  requires    ${c.summary}`,
    `  SDM         ${c.sdm}`,
    `  on failure  ${p.outcome}`,
    `  order       ${index + 1} of ${ENTRY_CHECKS.length}${before ? `, after ${before}` : ""}${after ? `, before ${after}` : ""}: VM entry reports only the first check that fails`,
  ];
  if (c.bochsOnly) text.push("  note        Bochs behaviour the SDM does not have: not run unless asked for");
  return {
    text,
    json: { kind: "check", id: c.id, sdm: c.sdm, phase: c.phase, summary: c.summary, order: index + 1, ...p },
  };
}

function explainChecks(phase: CheckPhase | undefined): Explanation {
  const phases = phase ? [phase] : PHASES;
  const text: string[] = [];
  for (const ph of phases) text.push(`${PHASE_OUTCOME[ph].title} → ${PHASE_OUTCOME[ph].outcome}`, ...checkLines(ph));
  return {
    text,
    json: phases.flatMap((ph) => checksOf(ph).map((c) => ({ id: c.id, phase: ph, sdm: c.sdm, summary: c.summary }))),
  };
}

function explainError(n: number): Explanation {
  const message = VM_INSTRUCTION_ERRORS[n];
  if (message === undefined) throw new CliUsageError(`VM-instruction error ${n} does not exist (1-28, SDM 30.4)`);
  const text = [
    `VM-instruction error ${n}: ${message}`,
    "  reported by VMfailValid: ZF=1 and the number in the current VMCS's VM-instruction error field (0x4400) (SDM 30.2)",
  ];
  const phase = PHASES.find((ph) => PHASE_OUTCOME[ph].error === n);
  if (phase)
    text.push(`  the VM-entry checks that report it, in order (the first that fails wins):`, ...checkLines(phase));
  return { text, json: { kind: "error", number: n, message, checks: phase ? checksOf(phase).map((c) => c.id) : [] } };
}

function explainExit(value: bigint, qualification: bigint | undefined): Explanation {
  const basic = Number(value & 0xffffn);
  const entryFailure = ((value >> 31n) & 1n) === 1n;
  const reason = EXIT_REASONS[basic];
  if (!reason) throw new CliUsageError(`exit reason ${basic} is not defined (SDM Appendix C)`);
  const text = [`exit reason ${hex(value)}: basic reason ${basic} ${reason.name} — ${reason.description}`];
  if (entryFailure) text.push("  bit 31 set: a VM-entry failure, not a VM exit from a running guest (SDM 26.8)");
  const phase = PHASES.find((ph) => PHASE_OUTCOME[ph].exitReason === basic);
  if (phase)
    text.push(`  the VM-entry checks that cause it, in order (the first that fails wins):`, ...checkLines(phase));
  let decoded: string[] = [];
  if (qualification !== undefined) {
    const bits = exitQualificationBits(basic);
    decoded = bits ? formatBits(bits, qualification) : [];
    text.push(`  qualification ${hex(qualification)}${decoded.length ? ":" : " (no layout defined for this reason)"}`);
    for (const l of decoded) text.push(`    ${l}`);
  }
  return {
    text,
    json: {
      kind: "exit",
      value: Number(value),
      basic,
      name: reason.name,
      description: reason.description,
      entryFailure,
      checks: phase ? checksOf(phase).map((c) => c.id) : [],
      ...(qualification !== undefined ? { qualification: Number(qualification), decoded } : {}),
    },
  };
}

function explainInstruction(mnemonic: string): Explanation | undefined {
  const i = vmxInstruction(mnemonic);
  if (!i) return undefined;
  const upper = i.mnemonic.toUpperCase();
  // Each of the SDM's error messages starts with the instruction that reports it ("VMREAD/VMWRITE from/to …",
  // "Invalid operand to INVEPT/INVVPID"); VM entry's errors belong to VMLAUNCH and VMRESUME.
  const entry = i.mnemonic === "vmlaunch" || i.mnemonic === "vmresume";
  const reporter = (m: string) => (m.startsWith("Invalid operand to ") ? m.slice(19) : m).split(" ")[0]!.split("/");
  const errors = Object.entries(VM_INSTRUCTION_ERRORS)
    .filter(([, m]) => reporter(m).includes(upper) || (entry && m.startsWith("VM entry")))
    .map(([n, m]) => `  error ${n.padStart(2)}  ${m}`);
  const text = [
    `${upper} — ${i.summary} (SDM 30.3 "${upper}")`,
    `  in VMX non-root operation  VM exit, reason ${i.exitReason} (${EXIT_REASONS[i.exitReason]?.name ?? "?"})`,
    `  outcome                    ${
      i.vmFail
        ? "VMsucceed, VMfailInvalid (CF=1) or VMfailValid(n) (ZF=1): test with jbe/jc/jz right after it (SDM 30.2)"
        : "no VMfail: it succeeds, faults or exits"
    }`,
  ];
  if (errors.length) text.push("  VM-instruction errors it reports:", ...errors);
  if (entry) text.push(`  then the ${ENTRY_CHECKS.length} VM-entry checks: vmx explain checks`);
  return { text, json: { kind: "instruction", ...i, errors: errors.map((e) => e.trim()) } };
}

function explainPort(n: number | undefined): Explanation {
  const list = n === undefined ? IO_PORTS : [ioPort(n)].filter((p) => p !== undefined);
  if (n !== undefined && list.length === 0)
    throw new CliUsageError(`no device of the emulated PC at port ${hex(n)} (vmx explain port lists them)`);
  const text = list.flatMap((p) => [
    `${hex(p.port, 2)} — ${p.name}${p.emulated ? "" : " (not emulated)"}`,
    ...(n === undefined ? [] : [`  ${p.description}`]),
  ]);
  return { text, json: list.map((p) => ({ kind: "port", ...p })) };
}

function print(io: CliIo, e: Explanation, json: boolean): number {
  io.out(json ? `${JSON.stringify(e.json, null, 2)}\n` : `${e.text.join("\n")}\n`);
  return 0;
}

export const explainCommand: CliCommand = {
  summary:
    "explain a VM-entry check id, a VM-instruction error, an exit reason or a VMX instruction: vmx explain GCR-08|error 7|exit 33|vmlaunch",
  async run(args, io) {
    const p = parseArgs(args, { "--qualification": ["-q"], "--phase": [] }, ["--json", "--help", "-h"]);
    if (p.flags.has("--help") || p.flags.has("-h")) {
      io.out(USAGE);
      return 0;
    }
    const json = p.flags.has("--json");
    const [what, arg, ...rest] = p.positional;
    if (what === undefined)
      throw new CliUsageError("expects what to explain: a check id, error N, exit N, port N or a VMX instruction");
    if (rest.length > 0) throw new CliUsageError(`unexpected '${rest[0]}'`);
    const single = (name: string) => {
      const v = p.options.get(name);
      if ((v?.length ?? 0) > 1) throw new CliUsageError(`${name} given more than once`);
      return v?.[0];
    };
    const q = single("--qualification");
    const phase = single("--phase");
    const kind = what.toLowerCase();
    if (q !== undefined && kind !== "exit") throw new CliUsageError("--qualification goes with 'exit N'");
    if (phase !== undefined && kind !== "checks") throw new CliUsageError("--phase goes with 'checks'");
    if (kind === "checks") {
      if (arg !== undefined) throw new CliUsageError(`unexpected '${arg}'`);
      if (phase !== undefined && !PHASES.includes(phase as CheckPhase))
        throw new CliUsageError(`--phase must be one of ${PHASES.join(", ")}`);
      return print(io, explainChecks(phase as CheckPhase | undefined), json);
    }
    if (kind === "port") {
      if (arg === undefined) return print(io, explainPort(undefined), json);
      const n = parseNumber(arg, "port number");
      if (n < 0n || n > 0xffffn) throw new CliUsageError("an I/O port is 0-0xFFFF");
      return print(io, explainPort(Number(n)), json);
    }
    if (kind === "error" || kind === "exit") {
      if (arg === undefined) throw new CliUsageError(`'${kind}' needs a number, e.g. vmx explain ${kind} 7`);
      const n = parseNumber(arg, kind === "error" ? "error number" : "exit reason");
      if (kind === "error") return print(io, explainError(Number(n)), json);
      if (n >> 32n !== 0n) throw new CliUsageError("an exit reason is a 32-bit value");
      return print(io, explainExit(n, q === undefined ? undefined : parseNumber(q, "--qualification")), json);
    }
    if (arg !== undefined) throw new CliUsageError(`unexpected '${arg}'`);
    const e = explainCheck(what) ?? explainInstruction(what);
    if (e) return print(io, e, json);
    if (/^INS-\d+$/i.test(what))
      throw new CliUsageError(
        `${what.toUpperCase()} is an instruction-level check of VMLAUNCH/VMRESUME (SDM 26.1, before the 26.2 checks): see vmx explain vmlaunch`,
      );
    throw new CliUsageError(
      `'${what}' is not a VM-entry check id, 'error N', 'exit N', 'port N' or a VMX instruction (${VMX_INSTRUCTIONS.map((x) => x.mnemonic).join(", ")})`,
    );
  },
};
