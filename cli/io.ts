// Output and argument helpers shared by every subcommand.

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Current directory, for resolving relative paths. */
  cwd: string;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
};

/** Thrown for bad arguments; main prints the message on one line and exits 2. */
export class CliUsageError extends Error {}

export interface CliCommand {
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

/**
 * Parses `--name value`, `--name=value`, `-o value` and boolean `--flag`s. `valued` lists the options that
 * take a value (with their short aliases); anything else starting with `-` must be in `booleans`.
 */
export function parseArgs(args: string[], valued: Record<string, string[]>, booleans: string[] = []): ParsedArgs {
  const alias = new Map<string, string>();
  for (const [name, aliases] of Object.entries(valued)) {
    alias.set(name, name);
    for (const a of aliases) alias.set(a, name);
  }
  const parsed: ParsedArgs = { positional: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-") || a === "-") {
      parsed.positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(0, eq) : a;
    const name = alias.get(key);
    if (name) {
      const value = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined) throw new CliUsageError(`${key} needs a value`);
      const list = parsed.options.get(name) ?? [];
      list.push(value);
      parsed.options.set(name, list);
    } else if (booleans.includes(key) && eq < 0) {
      parsed.flags.add(key);
    } else {
      throw new CliUsageError(`unknown option '${key}'`);
    }
  }
  return parsed;
}

/** Parses a number as the user wrote it: 0x.., 0b.., 0o.., decimal, or NASM-style ..h. */
export function parseNumber(text: string, what: string): bigint {
  const t = text.trim().replace(/_/g, "");
  try {
    if (/^0[xX][0-9a-fA-F]+$/.test(t) || /^0[bB][01]+$/.test(t) || /^0[oO][0-7]+$/.test(t) || /^\d+$/.test(t))
      return BigInt(t);
    if (/^[0-9][0-9a-fA-F]*[hH]$/.test(t)) return BigInt(`0x${t.slice(0, -1)}`);
  } catch {
    // fall through to the error below
  }
  throw new CliUsageError(`${what}: '${text}' is not a number`);
}
