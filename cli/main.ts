// The `vmx` command: a thin dispatcher. Each subcommand lives in cli/commands/<name>.ts and exports
// `run(args, io) => Promise<number>` (the exit code). Bad arguments print one line to stderr and exit 2;
// no stack trace ever reaches the user.
import { commands } from "./commands/index";
import { type CliIo, CliUsageError, processIo } from "./io";

function usage(io: CliIo): void {
  io.out("usage: vmx <command> [options]\n\ncommands:\n");
  for (const [name, c] of Object.entries(commands)) io.out(`  ${name.padEnd(8)} ${c.summary}\n`);
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    usage(io);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`vmx: unknown command '${name}' (try 'vmx --help')\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof CliUsageError) {
      io.err(`vmx ${name}: ${e.message}\n`);
      return 2;
    }
    io.err(`vmx ${name}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 70;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
