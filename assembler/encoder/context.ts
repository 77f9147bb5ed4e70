// State shared by the matching and building stages of one encode() call.

import type { RegInfo } from "./registers";
import type { Bits, EncodeRequest, Operand } from "./types";

export interface Failure {
  message: string;
  operandIndex?: number;
  /** How many operands matched before the failure (the most specific failure is reported). */
  score: number;
}

export const isFailure = (a: object): a is Failure => "message" in a && "score" in a;

export interface Ctx {
  req: EncodeRequest;
  ops: Operand[];
  bits: Bits;
  opSize: number | undefined;
  /** Operand size asked for by an o16/o32/o64 prefix (a default, not a constraint). */
  prefixOpSize: number | undefined;
  srcSize: number | undefined;
  lenient: boolean;
  /** regInfo of each register operand, looked up once per request. */
  regs: (RegInfo | undefined)[];
  /** Score of the most specific failure so far (lower ones need not be built). */
  bestScore: number;
  /** KIND bit of each operand. */
  kinds: number[];
}
