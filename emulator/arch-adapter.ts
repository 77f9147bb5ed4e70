// The few arch/ facts the interpreter core needs, imported from arch/ (the single source of truth).

import { defaultCpuModel, MSR } from "../arch/index";
import type { CpuModel } from "./cpu-model";

/** MSR indices (arch/msrs.ts). */
export const CORE_MSR = MSR;

/** The default CPU model ("skylake-x", the oracle's Bochs model). */
export const FALLBACK_MODEL: CpuModel = defaultCpuModel();
