// One canonical path per source file. The same file reaches the debugger under many spellings: the launch's
// `program` (maybe relative), an include directive's "../hypervisor.asm" joined to the including file's
// directory, the editor's path for a breakpoint (through a symlinked folder, or in another letter case on a
// case-insensitive file system). Every path that enters the core is reduced to one key, so breakpoints, stack
// frames and line-map lookups agree; the key is shown to the client in the spelling the client itself used
// for that file, so VS Code opens the editor it already has.
import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";

/** File systems that ignore letter case by default (NTFS, APFS): their keys are case-folded. */
const CASE_INSENSITIVE = process.platform === "win32" || process.platform === "darwin";

export type Canonicalize = (path: string) => string;

/**
 * Absolute, without `.`/`..` segments, symlinks resolved and in the file system's own letter case when the
 * file exists (realpath); otherwise the lexical form, case-folded on case-insensitive platforms.
 */
export function makeCanonicalizer(realpath: (p: string) => string = realpathSync.native): Canonicalize {
  const cache = new Map<string, string>();
  return (path: string) => {
    let key = cache.get(path);
    if (key !== undefined) return key;
    const absolute = resolve(path);
    try {
      // The file system's own spelling: one key whatever case or link the path took.
      key = realpath(absolute);
    } catch {
      // Not (yet) a file: not cached, so it resolves properly once it exists.
      return CASE_INSENSITIVE ? absolute.toLowerCase() : absolute;
    }
    cache.set(path, key);
    return key;
  };
}

/** Lexical canonical form only (tests and callers without a file system). */
export const lexicalCanonicalizer: Canonicalize = (path: string) => {
  const absolute = resolve(path);
  return CASE_INSENSITIVE ? absolute.toLowerCase() : absolute;
};

/** Canonical keys and the client's spelling of each. */
export class SourcePaths {
  private readonly spelling = new Map<string, string>();
  /** Directory correspondences learnt from the client's paths: canonical directory → the client's spelling. */
  private readonly roots = new Map<string, string>();
  private readonly derived = new Map<string, string>();

  constructor(readonly canonical: Canonicalize = makeCanonicalizer()) {}

  /** A path the client used (launch program, setBreakpoints): shown back for this file from now on. */
  remember(clientPath: string): string {
    const key = this.canonical(clientPath);
    this.spelling.set(key, clientPath);
    this.derived.clear();
    // The longest pair of directories that differ only above a common tail ("/link/sub/x.asm" for
    // "/real/sub/x.asm" gives /real → /link): other files under it are shown under the client's directory too.
    let c = resolve(clientPath);
    let k = key;
    while (basename(c) === basename(k) && dirname(c) !== c && dirname(k) !== k) {
      c = dirname(c);
      k = dirname(k);
    }
    if (c !== k) this.roots.set(k, c);
    return key;
  }

  /** The path to show the client for a canonical key (or any spelling) of a file. */
  display(path: string): string {
    const key = this.canonical(path);
    const own = this.spelling.get(key);
    if (own !== undefined) return own;
    let d = this.derived.get(key);
    if (d === undefined) {
      d = key;
      // A file the client never named (an included file): in the client's spelling of its directory, if that
      // spelling leads to the same file.
      for (const [k, c] of this.roots) {
        if (!key.startsWith(`${k}${sep}`)) continue;
        const candidate = join(c, key.slice(k.length + 1));
        if (this.canonical(candidate) === key) {
          d = candidate;
          break;
        }
      }
      this.derived.set(key, d);
    }
    return d;
  }
}
