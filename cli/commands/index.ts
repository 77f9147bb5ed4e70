// The table of subcommands. Each command's module owns its options and help text.
import type { CliCommand } from "../io";
import { asmCommand } from "./asm";
import { explainCommand } from "./explain";
import { fieldCommand } from "./field";
import { fieldsCommand } from "./fields";
import { lintCommand } from "./lint";
import { msrCommand } from "./msr";
import { runCommand } from "./run";

export const commands: Record<string, CliCommand> = {
  asm: asmCommand,
  fields: fieldsCommand,
  lint: lintCommand,
  field: fieldCommand,
  msr: msrCommand,
  explain: explainCommand,
  run: runCommand,
};
