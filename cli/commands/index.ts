// The table of subcommands. Each command's module owns its options and help text.
import type { CliCommand } from "../io";

export const commands: Record<string, CliCommand> = {};
