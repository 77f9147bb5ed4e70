// Building the bytes of one form: legacy prefixes in each reference's order, REX, opcode, ModRM/SIB/
// displacement (./modrm), immediates, branch displacements and RIP-relative fix-ups.
// SDM Vol. 2A §2.1 (instruction format), §2.2.1 (REX), §2.2.1.6 (RIP-relative addressing).

import type { Ctx, Failure } from "./context";
import type { Form } from "./forms";
import { immRange, inRange } from "./match";
import { encodeMemory, fitsS8, type MemEncoding, toSigned } from "./modrm";
import { SEG_PREFIX } from "./prefixes";
import { type RegInfo, regInfo } from "./registers";
import type { ImmOperand, MemOperand, Operand, OperandField } from "./types";

function le(value: bigint, bytes: number): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(bytes * 8, value);
  for (let i = 0; i < bytes; i++) {
    out.push(Number(x & 0xffn));
    x >>= 8n;
  }
  return out;
}

function gprOf(op: Operand | undefined): RegInfo | undefined {
  return op?.kind === "reg" ? regInfo(op.reg) : undefined;
}

export interface Built {
  bytes: Uint8Array;
  warnings: string[];
  /** Where operand values were written (EncodeOk.fields). */
  fields?: OperandField[];
}

export function build(form: Form, v: number | undefined, os: number | undefined, ctx: Ctx): Built | Failure {
  const { bits, req, ops } = ctx;
  const flavor = req.flavor;
  const warnings: string[] = [];
  let rexW = form.rexW;
  let rexR = false;
  let rexX = false;
  let rexB = false;
  let needRex = false;
  let forbidRex = false;
  let opsize66 = false;
  let crLock = false;
  let dropRexW = false;
  const lockRepExtra: number[] = [];
  if (os === 16 && bits !== 16) opsize66 = true;
  if (os === 32 && bits === 16) opsize66 = true;
  if (os === 64 && !form.d64) rexW = true;
  // Size prefixes written explicitly are emitted as written (once), whatever the operands' size.
  for (const p of req.prefixes ?? []) {
    if ((p === "o16" || p === "data16") && bits !== 16) opsize66 = true;
    if ((p === "o32" || p === "data32") && bits === 16) opsize66 = true;
    if (p === "o64" || p === "rex64") {
      if (bits !== 64) return { message: "REX.W is only available in 64-bit mode", score: 10 };
      rexW = true;
    }
  }
  for (const p of req.prefixes ?? []) if (p === "rex") needRex = true;

  // Byte registers: SPL..DIL need a REX prefix, AH..BH forbid one.
  for (const op of ops) {
    const r = gprOf(op);
    if (r?.needsRex) needRex = true;
    if (r?.noRex) forbidRex = true;
    if (r && r.cls === "gpr" && r.num >= 8 && bits !== 64)
      return { message: `${r.name} is only available in 64-bit mode`, score: 10 };
    if (r && r.cls === "gpr" && r.size === 64 && bits !== 64)
      return { message: `${r.name} is only available in 64-bit mode`, score: 10 };
    // CR8 outside 64-bit mode is reached with LOCK MOV CR0 (AMD's alternate encoding; both references emit it).
    if (r && r.cls === "cr" && r.num === 8 && bits !== 64) crLock = true;
    else if (r && (r.cls === "cr" || r.cls === "dr" || r.cls === "xmm") && r.num >= 8 && bits !== 64)
      return { message: `${r.name} is only available in 64-bit mode`, score: 10 };
  }

  // A suffix on a relative CALL/JMP/Jcc (GNU as `calll` in 16-bit code) picks rel16 or rel32.
  let relBytes = bits === 16 ? 2 : 4;
  if (form.relNear && bits !== 64) {
    const size = ctx.opSize ?? ctx.prefixOpSize;
    if (size === 16) relBytes = 2;
    if (size === 32) relBytes = 4;
    if (relBytes !== (bits === 16 ? 2 : 4)) opsize66 = true;
  }

  // Which operand goes where.
  const { rmIndex, regIndex, plusRIndex } = form;

  let mem: MemEncoding | undefined;
  let memOp: MemOperand | undefined;
  let addrSize: number | undefined = form.as;
  const rmOp = rmIndex >= 0 ? ops[rmIndex] : undefined;
  if (rmOp?.kind === "mem") {
    const e = encodeMemory(rmOp, bits, flavor);
    if (typeof e === "string") return { message: e, operandIndex: rmIndex, score: 10 };
    mem = e;
    memOp = rmOp;
    if (e.dispSizeIgnored) warnings.push("displacement size ignored on this address");
    if (e.truncated) warnings.push("address truncated to 16 bits");
    addrSize = e.addrSize;
    rexX = e.rexX;
    rexB = e.rexB;
  }
  const moffsIndex = form.moffsIndex;
  let moffsAddrSize = 0;
  if (moffsIndex >= 0) {
    const m = ops[moffsIndex] as MemOperand;
    memOp = m;
    moffsAddrSize = m.addrSize ?? (m.dispSize === 64 ? 64 : bits);
    if (moffsAddrSize === 16 && bits === 64) return { message: "16-bit address in 64-bit code", score: 10 };
    if (moffsAddrSize === 64 && bits !== 64) return { message: "64-bit address outside 64-bit code", score: 10 };
    const [lo, hi] = immRange(moffsAddrSize, false);
    if (m.disp < lo || m.disp > hi) {
      // Both references truncate a 16-bit address with a warning; a wider one is an error.
      if (moffsAddrSize !== 16) return { message: "address out of range", operandIndex: moffsIndex, score: 10 };
      warnings.push("address truncated to 16 bits");
    }
    addrSize = moffsAddrSize;
  }
  // Explicit address-size prefixes on instructions with implicit memory operands (string ops, XLAT, LOOP).
  if (addrSize === undefined) {
    for (const p of req.prefixes ?? []) {
      if (p === "a16" || p === "addr16") addrSize = 16;
      if (p === "a32" || p === "addr32") addrSize = 32;
      if (p === "a64") addrSize = 64;
    }
  }
  if (addrSize === 16 && bits === 64)
    return { message: "16-bit addressing is not available in 64-bit mode", score: 10 };
  if (addrSize === 64 && bits !== 64)
    return { message: "64-bit addressing is only available in 64-bit mode", score: 10 };
  const addr67 = addrSize !== undefined && addrSize !== bits;

  // Body: opcode, ModRM/SIB/disp, immediates.
  const body: number[] = [];
  let dispOffset = -1;
  const fields: OperandField[] = [];
  let relFixup: { offset: number; size: number; target: bigint; index: number } | undefined;
  const immIndices = form.immIndices;
  let immCursor = 0;
  for (const tok of form.code) {
    switch (tok.t) {
      case "byte": {
        let b = tok.v;
        if (tok.plusR) {
          const r = gprOf(ops[plusRIndex]);
          if (!r) return { message: "register expected", operandIndex: plusRIndex, score: 10 };
          // XCHG with 90+r and r = 0 is NOP; in 64-bit mode `xchg eax, eax` must zero-extend, so 87 /r is used.
          if (b === 0x90 && r.num === 0 && form.mnemonic === "xchg" && v === 32 && bits === 64)
            return { message: "xchg eax,eax", score: 10 };
          // GNU as encodes `xchg %rax,%rax` as a plain NOP.
          if (b === 0x90 && r.num === 0 && form.mnemonic === "xchg" && v === 64 && flavor === "gas") dropRexW = true;
          b += r.num & 7;
          if (r.num >= 8) rexB = true;
        }
        body.push(b);
        break;
      }
      case "modrm": {
        let reg = 0;
        if (tok.reg === "r") {
          const r = ops[regIndex]?.kind === "reg" ? regInfo((ops[regIndex] as { reg: string }).reg) : undefined;
          if (!r) return { message: "register expected", operandIndex: regIndex, score: 10 };
          reg = r.num & 7;
          if (r.num >= 8 && !(crLock && r.cls === "cr")) rexR = true;
        } else reg = tok.reg;
        if (mem) {
          body.push((mem.mod << 6) | (reg << 3) | mem.rm);
          if (mem.sib !== undefined) body.push(mem.sib);
          if (mem.dispBytes > 0) {
            dispOffset = body.length;
            fields.push({ operand: rmIndex, offset: body.length, size: mem.dispBytes });
            body.push(...le(mem.disp, mem.dispBytes));
          }
        } else {
          const r = rmOp?.kind === "reg" ? regInfo(rmOp.reg) : undefined;
          if (!r) return { message: "register or memory expected", operandIndex: rmIndex, score: 10 };
          body.push(0xc0 | (reg << 3) | (r.num & 7));
          if (r.num >= 8) rexB = true;
        }
        break;
      }
      case "imm": {
        const idx = immIndices[immCursor++];
        const op = idx === undefined ? undefined : ops[idx];
        if (op?.kind !== "imm") return { message: "immediate expected", score: 10 };
        const size =
          tok.kind === "ib"
            ? 1
            : tok.kind === "iw"
              ? 2
              : tok.kind === "id"
                ? 4
                : tok.kind === "iz"
                  ? v === 16
                    ? 2
                    : 4
                  : (v ?? 32) / 8;
        fields.push({ operand: idx as number, offset: body.length, size });
        body.push(...le(op.value, size));
        break;
      }
      case "rel": {
        const idx = form.relIndex;
        const op = ops[idx];
        if (op?.kind !== "imm") return { message: "branch target expected", score: 10 };
        const size = tok.kind === "cb" ? 1 : relBytes;
        relFixup = { offset: body.length, size, target: op.value, index: idx };
        body.push(...new Array<number>(size).fill(0));
        break;
      }
      case "mo": {
        const m = ops[moffsIndex] as MemOperand;
        fields.push({ operand: moffsIndex, offset: body.length, size: moffsAddrSize / 8 });
        body.push(...le(m.disp, moffsAddrSize / 8));
        break;
      }
      case "pt": {
        const op = ops.find((o) => o.kind === "far");
        if (op?.kind !== "far") return { message: "far pointer expected", score: 10 };
        const osz = (v ?? 32) / 8;
        // nasm truncates an oversized offset or selector with a warning; GNU as rejects the offset.
        if (!op.unresolved && !inRange(op.offset, immRange(osz * 8, false))) {
          if (flavor === "gas") return { message: `${osz * 8}-bit jump out of range`, score: 10 };
          warnings.push("far pointer offset exceeds bounds");
        }
        if (!op.unresolved && !inRange(op.selector, immRange(16, false)))
          warnings.push("segment selector exceeds bounds");
        fields.push({ operand: ops.indexOf(op), offset: body.length, size: osz });
        body.push(...le(op.offset, osz), ...le(op.selector, 2));
        break;
      }
    }
  }

  // Prefixes.
  if (dropRexW) rexW = false;
  if (crLock) lockRepExtra.push(0xf0);
  const rex = (rexW ? 8 : 0) | (rexR ? 4 : 0) | (rexX ? 2 : 0) | (rexB ? 1 : 0);
  const hasRex = rex !== 0 || needRex;
  if (hasRex && bits !== 64) return { message: "REX prefix outside 64-bit mode", score: 10 };
  if (hasRex && forbidRex) return { message: "AH/BH/CH/DH cannot be used with a REX prefix", score: 10 };

  let seg: number | undefined;
  const segName = memOp?.seg;
  if (segName) {
    // GNU as leaves out an override that names the segment the address uses anyway (DS, or SS for
    // BP/SP-based forms); nasm emits what was written.
    const dflt = mem?.defaultSeg ?? "ds";
    if (!(flavor === "gas" && segName === dflt)) seg = SEG_PREFIX[segName];
  }
  let lockRep: number[] = [...lockRepExtra];
  let wait = false;
  for (const p of req.prefixes ?? []) {
    if (p === "lock") lockRep.push(0xf0);
    else if (p === "rep" || p === "repe" || p === "repz" || p === "xrelease") lockRep.push(0xf3);
    else if (p === "repne" || p === "repnz" || p === "xacquire" || p === "bnd") lockRep.push(0xf2);
    else if (p === "notrack") seg ??= 0x3e;
    else if (p === "wait") wait = true;
    else if (SEG_PREFIX[p] !== undefined) seg = SEG_PREFIX[p];
  }
  const prefix: number[] = [];
  if (wait || form.wait) prefix.push(0x9b);
  if (flavor === "gas") {
    // GNU as prefix slots: segment, address size, operand size, rep/repne, lock, REX (tc-i386.c order).
    if (seg !== undefined) prefix.push(seg);
    if (addr67) prefix.push(0x67);
    if (opsize66 || form.mandatory === 0x66) prefix.push(0x66);
    lockRep = lockRep.sort((a, b) => (a === 0xf0 ? 1 : 0) - (b === 0xf0 ? 1 : 0));
    const reps = lockRep.filter((b) => b !== 0xf0);
    const locks = lockRep.filter((b) => b === 0xf0);
    if (form.mandatory === 0xf2 || form.mandatory === 0xf3) {
      if (!reps.includes(form.mandatory)) reps.push(form.mandatory);
    }
    prefix.push(...reps, ...locks);
  } else {
    // nasm: lock/rep, segment, operand size, address size, then the opcode's own mandatory prefix.
    prefix.push(...lockRep);
    if (seg !== undefined) prefix.push(seg);
    if (opsize66) prefix.push(0x66);
    if (addr67) prefix.push(0x67);
    if (form.mandatory !== undefined) prefix.push(form.mandatory);
  }
  if (hasRex) prefix.push(0x40 | rex);
  const total = prefix.length + body.length;
  if (total > 15) return { message: "instruction longer than 15 bytes", score: 10 };
  const bytes = new Uint8Array(total);
  bytes.set(prefix, 0);
  bytes.set(body, prefix.length);
  const end = req.address + BigInt(total);

  if (mem?.ripTarget !== undefined && dispOffset >= 0) {
    const d = mem.ripTarget - end;
    const dd = memOp?.dispUnresolved ? BigInt.asIntN(32, d) : d;
    if (dd < -(1n << 31n) || dd >= 1n << 31n)
      return { message: "RIP-relative target out of range", operandIndex: rmIndex, score: 10 };
    bytes.set(le(dd, 4), prefix.length + dispOffset);
  }
  if (relFixup) {
    let d = relFixup.target - end;
    const sz = relFixup.size;
    if (sz === 1) {
      const op = ops[relFixup.index] as ImmOperand;
      if (!fitsS8(d)) {
        if (op.unresolved) d = 0n;
        else return { message: "short jump out of range", operandIndex: relFixup.index, score: 9 };
      }
    } else if (sz === 2) d = toSigned(d, 16);
    else if (bits === 32) d = toSigned(d, 32);
    else if (d < -(1n << 31n) || d >= 1n << 31n) {
      if (!(ops[relFixup.index] as ImmOperand).unresolved)
        return { message: "branch target out of range", operandIndex: relFixup.index, score: 9 };
    }
    bytes.set(le(d, sz), prefix.length + relFixup.offset);
  }
  for (const f of fields) f.offset += prefix.length;
  return fields.length ? { bytes, warnings, fields } : { bytes, warnings };
}
