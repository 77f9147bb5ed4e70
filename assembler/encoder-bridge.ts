// The one place the front end imports the encoder (assembler/encoder/**, another owner's area), so an
// interface change touches a single file.
export { encode, encodeShared, isMnemonic, mnemonics, parseAttMnemonic } from "./encoder/index";
export type {
  EncodeRequest,
  EncodeResult,
  MemOperand as EncMem,
  Operand as EncOperand,
  OperandField,
  PrefixName,
} from "./encoder/types";
