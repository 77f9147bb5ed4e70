// The encoder's public helpers: mnemonic lists, AT&T readings, metadata, maximum lengths.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  describeMnemonic,
  instructionInfo,
  isMnemonic,
  knownMnemonics,
  maxLength,
  mnemonics,
  parseAttMnemonic,
} from "./index";

// Every instruction the Encoder section names, plus the AT&T spellings front ends must accept.
const REQUIRED = (
  "mov movzx movsx movsxd lea xchg cmpxchg xadd bswap add adc sub sbb imul mul div idiv inc dec neg cmp and or " +
  "xor not test shl shr sal sar rol ror rcl rcr shld shrd bt bts btr btc bsf bsr seto setz cmovz cmovnz jz jnz " +
  "jmp call ret retf push pop movsb movsw movsd movsq stosb lodsb scasb cmpsb in out insb outsb cbw cwde cdqe " +
  "cwd cdq cqo enter leave lgdt lidt sgdt sidt lldt ltr sldt str lmsw smsw clts invlpg invpcid int int3 into " +
  "iret iretq hlt cli sti cpuid rdmsr wrmsr rdtsc rdtscp rdpmc swapgs syscall sysret xsetbv xgetbv wbinvd invd " +
  "lar lsl monitor mwait pause rdrand rdseed ud2 vmxon vmxoff vmclear vmptrld vmptrst vmread vmwrite vmlaunch " +
  "vmresume vmcall vmfunc invept invvpid movaps movups movdqa movdqu fxsave fxrstor fxsave64 fxrstor64 xsave " +
  "xrstor xsave64 xrstor64 clac stac lfence mfence sfence clflush nop movnti prefetcht0 sysenter sysexit rsm " +
  "cmpxchg8b cmpxchg16b popcnt lzcnt tzcnt xlatb lahf sahf clc stc cmc cld std pushf popf pushfq popfq int1 " +
  "icebp movabs movzbl movslq cltq cqto lretq ljmp lcall addl pushq"
).split(" ");

test("knownMnemonics lists every instruction the issue requires, Intel and AT&T spellings", () => {
  const known = new Set(knownMnemonics());
  const missing = REQUIRED.filter((m) => !known.has(m));
  assert.deepEqual(missing, []);
  assert.deepEqual(mnemonics(), knownMnemonics());
});

test("isMnemonic knows the AT&T forms only for GAS", () => {
  assert.ok(isMnemonic("movzbl", "gas"));
  assert.ok(!isMnemonic("movzbl", "nasm"));
  assert.ok(isMnemonic("VMREAD", "nasm"));
  assert.ok(!isMnemonic("frobnicate", "gas"));
});

test("parseAttMnemonic gives the Intel mnemonic and the suffix's operand size", () => {
  assert.deepEqual(parseAttMnemonic("addl"), { mnemonic: "add", opSize: 32 });
  assert.deepEqual(parseAttMnemonic("movzbl"), { mnemonic: "movzx", opSize: 32, srcSize: 8 });
  assert.deepEqual(parseAttMnemonic("cltq"), { mnemonic: "cdqe" });
  assert.deepEqual(parseAttMnemonic("ljmp"), { mnemonic: "jmp", far: true });
  assert.deepEqual(parseAttMnemonic("vmread"), { mnemonic: "vmread" });
  assert.equal(parseAttMnemonic("nosuchthing"), undefined);
});

test("every mnemonic of the table has a one-line description", () => {
  const intel = knownMnemonics().filter((m) => isMnemonic(m, "nasm"));
  const missing = intel.filter((m) => describeMnemonic(m) === undefined);
  assert.deepEqual(missing, []);
  assert.equal(describeMnemonic("cmovnbe"), "Move if not below or equal (CF=0 and ZF=0)");
});

test("instructionInfo describes forms and groups", () => {
  const vmread = instructionInfo("vmread");
  assert.equal(vmread?.group, "vmx");
  assert.ok(vmread?.forms.includes("r/m32/64, r32/64"), vmread?.forms.join(" | "));
  assert.equal(instructionInfo("cltq", "gas")?.canonical, "cdqe");
  assert.equal(instructionInfo("jne")?.branch, "jcc");
  assert.equal(instructionInfo("movdqa")?.group, "sse");
  assert.equal(instructionInfo("wrmsr")?.group, "system");
  assert.equal(instructionInfo("nosuch"), undefined);
  assert.match(instructionInfo("vmptrld")?.summary ?? "", /^VMPTRLD: Make the VMCS at m64 current/);
  // Only the forms of the asked flavor (nasm's `mov r64, imm32` shortening is not GNU as's).
  assert.ok(instructionInfo("mov", "nasm")?.forms.includes("r64, imm32"));
  assert.ok(!instructionInfo("mov", "gas")?.forms.includes("r64, imm32"));
  assert.deepEqual(instructionInfo("movzbl", "gas")?.forms, ["r16/32/64, r/m8"]);
  assert.match(instructionInfo("rep", "gas")?.summary ?? "", /^REP: REP prefix/);
});

test("maxLength gives the size an instruction reaches once its unresolved operands are known", () => {
  const base = { bits: 64 as const, address: 0n, flavor: "nasm" as const };
  // jmp to an unknown label: near form E9 rel32.
  assert.equal(maxLength({ ...base, mnemonic: "jmp", operands: [{ kind: "imm", value: 0n, unresolved: true }] }), 5);
  // add eax, unknown: 05 imm32, never the imm8 form.
  assert.equal(
    maxLength({
      ...base,
      mnemonic: "add",
      operands: [
        { kind: "reg", reg: "eax" },
        { kind: "imm", value: 1n, unresolved: true },
      ],
    }),
    5,
  );
  assert.equal(maxLength({ ...base, mnemonic: "vmlaunch", operands: [] }), 3);
});
