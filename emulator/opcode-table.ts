// The opcode maps (SDM Vol. 2D, Appendix A "Opcode Map") as data shared by the decoder, the interpreter and
// the disassembler. Operand specifications use the Appendix A notation:
//   E* ModRM r/m (register or memory), G* ModRM reg, M* memory only, R* register only (ModRM r/m),
//   I* immediate (Ibs = sign-extended byte), J* relative offset, O* moffs, Z* register in the opcode's low bits,
//   S segment register (ModRM reg), C/D control/debug register, A far pointer immediate, X/Y string operands.
//   Sizes: b byte, w word, d dword, q qword, v operand size, z 16/32 (imm), y 32/64 by mode (REX.W),
//   o 64 in 64-bit mode else 32 (VMX/CR operands), p far pointer, s descriptor-table pointer.
// Flags: i64 invalid in 64-bit mode, d64 default 64-bit operand size in 64-bit mode, f64 forced 64-bit,
//   lock LOCK allowed (memory destination), mem memory form only.

export interface OpEntry {
  /** Lower-case Intel mnemonic (operand-size variants resolved by the disassembler). */
  name: string;
  /** Operand specs in Intel order. */
  ops: string[];
  i64?: boolean;
  d64?: boolean;
  f64?: boolean;
  lock?: boolean;
  /** Group: the entry depends on ModRM.reg (and for some groups on mod / rm); resolved by the decoder. */
  group?: string;
}

function e(spec: string): OpEntry {
  const [head, ...flags] = spec.split(" ").filter((s) => s.length > 0);
  const [name, ops] = head!.includes(":") ? (head!.split(":") as [string, string]) : [head!, ""];
  const entry: OpEntry = { name, ops: ops ? ops.split(",") : [] };
  for (const f of flags) {
    if (f === "i64") entry.i64 = true;
    else if (f === "d64") entry.d64 = true;
    else if (f === "f64") entry.f64 = true;
    else if (f === "lock") entry.lock = true;
    else if (f.startsWith("grp=")) entry.group = f.slice(4);
  }
  return entry;
}

const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
export const CONDITION_NAMES = CC;

/** One-byte opcode map. Prefix bytes and 0x0F are handled by the decoder and are absent here. */
export const ONE_BYTE: (OpEntry | undefined)[] = new Array(256).fill(undefined);
/** Two-byte map (0F xx). */
export const TWO_BYTE: (OpEntry | undefined)[] = new Array(256).fill(undefined);

function one(op: number, spec: string): void {
  ONE_BYTE[op] = e(spec);
}
function two(op: number, spec: string): void {
  TWO_BYTE[op] = e(spec);
}

for (let k = 0; k < 8; k++) {
  const n = ALU[k]!;
  const lk = n === "cmp" ? "" : " lock";
  one(k * 8 + 0, `${n}:Eb,Gb${lk}`);
  one(k * 8 + 1, `${n}:Ev,Gv${lk}`);
  one(k * 8 + 2, `${n}:Gb,Eb`);
  one(k * 8 + 3, `${n}:Gv,Ev`);
  one(k * 8 + 4, `${n}:AL,Ib`);
  one(k * 8 + 5, `${n}:rAX,Iz`);
}
one(0x06, "push:ES i64");
one(0x07, "pop:ES i64");
one(0x0e, "push:CS i64");
one(0x16, "push:SS i64");
one(0x17, "pop:SS i64");
one(0x1e, "push:DS i64");
one(0x1f, "pop:DS i64");
one(0x27, "daa i64");
one(0x2f, "das i64");
one(0x37, "aaa i64");
one(0x3f, "aas i64");
for (let r = 0; r < 8; r++) {
  one(0x40 + r, "inc:Zv i64");
  one(0x48 + r, "dec:Zv i64");
  one(0x50 + r, "push:Zv d64");
  one(0x58 + r, "pop:Zv d64");
  one(0x90 + r, r === 0 ? "nop" : "xchg:Zv,rAX");
  one(0xb0 + r, "mov:Zb,Ib");
  one(0xb8 + r, "mov:Zv,Iv");
}
one(0x60, "pusha i64");
one(0x61, "popa i64");
one(0x62, "bound:Gv,M i64");
one(0x63, "arpl:Ew,Gw"); // movsxd Gv,Ed in 64-bit mode (decoder)
one(0x68, "push:Iz d64");
one(0x69, "imul:Gv,Ev,Iz");
one(0x6a, "push:Ibs d64");
one(0x6b, "imul:Gv,Ev,Ibs");
one(0x6c, "ins:Yb,DX");
one(0x6d, "ins:Yz,DX");
one(0x6e, "outs:DX,Xb");
one(0x6f, "outs:DX,Xz");
for (let c = 0; c < 16; c++) {
  one(0x70 + c, `j${CC[c]}:Jb f64`);
  two(0x80 + c, `j${CC[c]}:Jz f64`);
  two(0x40 + c, `cmov${CC[c]}:Gv,Ev`);
  two(0x90 + c, `set${CC[c]}:Eb`);
}
one(0x80, "grp1:Eb,Ib grp=1 lock");
one(0x81, "grp1:Ev,Iz grp=1 lock");
one(0x82, "grp1:Eb,Ib grp=1 lock i64");
one(0x83, "grp1:Ev,Ibs grp=1 lock");
one(0x84, "test:Eb,Gb");
one(0x85, "test:Ev,Gv");
one(0x86, "xchg:Eb,Gb lock");
one(0x87, "xchg:Ev,Gv lock");
one(0x88, "mov:Eb,Gb");
one(0x89, "mov:Ev,Gv");
one(0x8a, "mov:Gb,Eb");
one(0x8b, "mov:Gv,Ev");
one(0x8c, "mov:Ev,Sw");
one(0x8d, "lea:Gv,M");
one(0x8e, "mov:Sw,Ew");
one(0x8f, "grp1a:Ev d64 grp=1a");
one(0x98, "cbw");
one(0x99, "cwd");
one(0x9a, "callf:Ap i64");
one(0x9b, "fwait");
one(0x9c, "pushf d64");
one(0x9d, "popf d64");
one(0x9e, "sahf");
one(0x9f, "lahf");
one(0xa0, "mov:AL,Ob");
one(0xa1, "mov:rAX,Ov");
one(0xa2, "mov:Ob,AL");
one(0xa3, "mov:Ov,rAX");
one(0xa4, "movs:Yb,Xb");
one(0xa5, "movs:Yv,Xv");
one(0xa6, "cmps:Xb,Yb");
one(0xa7, "cmps:Xv,Yv");
one(0xa8, "test:AL,Ib");
one(0xa9, "test:rAX,Iz");
one(0xaa, "stos:Yb,AL");
one(0xab, "stos:Yv,rAX");
one(0xac, "lods:AL,Xb");
one(0xad, "lods:rAX,Xv");
one(0xae, "scas:AL,Yb");
one(0xaf, "scas:rAX,Yv");
one(0xc0, "grp2:Eb,Ib grp=2");
one(0xc1, "grp2:Ev,Ib grp=2");
one(0xc2, "ret:Iw f64");
one(0xc3, "ret f64");
one(0xc4, "les:Gz,Mp i64");
one(0xc5, "lds:Gz,Mp i64");
one(0xc6, "grp11:Eb,Ib grp=11");
one(0xc7, "grp11:Ev,Iz grp=11");
one(0xc8, "enter:Iw,Ib d64");
one(0xc9, "leave d64");
one(0xca, "retf:Iw");
one(0xcb, "retf");
one(0xcc, "int3");
one(0xcd, "int:Ib");
one(0xce, "into i64");
one(0xcf, "iret");
one(0xd0, "grp2:Eb,1 grp=2");
one(0xd1, "grp2:Ev,1 grp=2");
one(0xd2, "grp2:Eb,CL grp=2");
one(0xd3, "grp2:Ev,CL grp=2");
one(0xd4, "aam:Ib i64");
one(0xd5, "aad:Ib i64");
one(0xd6, "salc i64"); // undocumented: AL = CF ? FFh : 0
one(0xd7, "xlat");
for (let k = 0xd8; k <= 0xdf; k++) one(k, "x87:E grp=x87");
one(0xe0, "loopne:Jb f64");
one(0xe1, "loope:Jb f64");
one(0xe2, "loop:Jb f64");
one(0xe3, "jrcxz:Jb f64");
one(0xe4, "in:AL,Ib");
one(0xe5, "in:eAX,Ib");
one(0xe6, "out:Ib,AL");
one(0xe7, "out:Ib,eAX");
one(0xe8, "call:Jz f64");
one(0xe9, "jmp:Jz f64");
one(0xea, "jmpf:Ap i64");
one(0xeb, "jmp:Jb f64");
one(0xec, "in:AL,DX");
one(0xed, "in:eAX,DX");
one(0xee, "out:DX,AL");
one(0xef, "out:DX,eAX");
one(0xf1, "int1");
one(0xf4, "hlt");
one(0xf5, "cmc");
one(0xf6, "grp3:Eb grp=3 lock");
one(0xf7, "grp3:Ev grp=3 lock");
one(0xf8, "clc");
one(0xf9, "stc");
one(0xfa, "cli");
one(0xfb, "sti");
one(0xfc, "cld");
one(0xfd, "std");
one(0xfe, "grp4:Eb grp=4 lock");
one(0xff, "grp5:Ev grp=5 lock");

two(0x00, "grp6:Ew grp=6");
two(0x01, "grp7:M grp=7");
two(0x02, "lar:Gv,Ew");
two(0x03, "lsl:Gv,Ew");
two(0x05, "syscall");
two(0x06, "clts");
two(0x07, "sysret");
two(0x08, "invd");
two(0x09, "wbinvd");
two(0x0b, "ud2");
two(0x0d, "nop:Ev");
for (let k = 0x18; k <= 0x1f; k++) two(k, "nop:Ev");
two(0x20, "mov:Ro,Co");
two(0x21, "mov:Ro,Do");
two(0x22, "mov:Co,Ro");
two(0x23, "mov:Do,Ro");
two(0x30, "wrmsr");
two(0x31, "rdtsc");
two(0x32, "rdmsr");
two(0x33, "rdpmc");
two(0x34, "sysenter");
two(0x35, "sysexit");
two(0x37, "getsec");
two(0x78, "vmread:Eo,Go");
two(0x79, "vmwrite:Go,Eo");
two(0xa0, "push:FS d64");
two(0xa1, "pop:FS d64");
two(0xa2, "cpuid");
two(0xa3, "bt:Ev,Gv");
two(0xa4, "shld:Ev,Gv,Ib");
two(0xa5, "shld:Ev,Gv,CL");
two(0xa8, "push:GS d64");
two(0xa9, "pop:GS d64");
two(0xaa, "rsm");
two(0xab, "bts:Ev,Gv lock");
two(0xac, "shrd:Ev,Gv,Ib");
two(0xad, "shrd:Ev,Gv,CL");
two(0xae, "grp15:M grp=15");
two(0xaf, "imul:Gv,Ev");
two(0xb0, "cmpxchg:Eb,Gb lock");
two(0xb1, "cmpxchg:Ev,Gv lock");
two(0xb2, "lss:Gv,Mp");
two(0xb3, "btr:Ev,Gv lock");
two(0xb4, "lfs:Gv,Mp");
two(0xb5, "lgs:Gv,Mp");
two(0xb6, "movzx:Gv,Eb");
two(0xb7, "movzx:Gv,Ew");
two(0xb8, "popcnt:Gv,Ev"); // F3 only (decoder)
two(0xb9, "ud1:Gv,Ev");
two(0xba, "grp8:Ev,Ib grp=8 lock");
two(0xbb, "btc:Ev,Gv lock");
two(0xbc, "bsf:Gv,Ev");
two(0xbd, "bsr:Gv,Ev");
two(0xbe, "movsx:Gv,Eb");
two(0xbf, "movsx:Gv,Ew");
two(0xc0, "xadd:Eb,Gb lock");
two(0xc1, "xadd:Ev,Gv lock");
two(0xc7, "grp9:M grp=9 lock");
for (let r = 0; r < 8; r++) two(0xc8 + r, "bswap:Zv");
two(0xff, "ud0:Gv,Ev");

/** Group members by ModRM.reg. */
export const GROUPS: Record<string, (string | undefined)[]> = {
  "1": ALU,
  "1a": ["pop"],
  "2": ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"],
  "3": ["test", "test", "not", "neg", "mul", "imul", "div", "idiv"],
  "4": ["inc", "dec"],
  "5": ["inc", "dec", "call", "callf", "jmp", "jmpf", "push"],
  "6": ["sldt", "str", "lldt", "ltr", "verr", "verw"],
  "8": [undefined, undefined, undefined, undefined, "bt", "bts", "btr", "btc"],
  "11": ["mov"],
};
