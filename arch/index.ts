// arch/: the Intel SDM as data plus small pure functions. Everything else imports from here; no VMCS encoding,
// field name, MSR number or control bit is written anywhere else.
//
//   vmcs-fields.ts      every VMCS field of SDM Appendix B (VMCS_FIELDS, VMCS name → encoding)
//   vmcs-encoding.ts    encoding layout (SDM 25.11.2): decodeEncoding, encodeField, fieldByName/Encoding
//   bits.ts             BitField tables and their decoding (decodeBits, formatBits)
//   registers.ts        CR0, CR4, EFER, RFLAGS, DR7, segment access rights
//   controls.ts         pin/primary/secondary/tertiary processor-based, VM-exit, VM-entry control bits
//   exit-reasons.ts     basic exit reasons (Appendix C), VM-instruction errors 1-28 (30.4)
//   vmx-formats.ts      exit reason, interruption info, interruptibility, EPTP, exit-qualification layouts
//   msrs.ts             MSRs a hypervisor touches, with bit layouts (MSRS, MSR name → index)
//   format.ts           formatValue: any field/register/MSR value → named-bit lines
//   cpu-model-types.ts  CpuModel shape;  cpu-models.ts + models/*: the models (CPU_MODELS, cpuModel)
//   capabilities.ts     allowed-0/allowed-1 rule, CR0/CR4 fixed bits, which VMCS fields a model has
//   io-ports.ts         the PC I/O ports the emulator implements (PIC, PIT, ports 61h/92h, E9h, COM1)
export * from "./bits";
export * from "./capabilities";
export * from "./controls";
export * from "./cpu-models";
export * from "./exit-reasons";
export * from "./format";
export * from "./io-ports";
export * from "./msrs";
export * from "./registers";
export * from "./vmcs-encoding";
export * from "./vmcs-fields";
export * from "./vmx-formats";
export * from "./vmx-instructions";
