// The assembly files of the workspace folders (.s, .S, .asm, .nasm, .inc, .mac): read in the background, a
// few at a time, so the server keeps answering; each kept as a small summary (symbols and includes) for
// workspace symbol search and for finding the file that includes a file opened on its own.
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type FileSummary, type SummarySymbol, summarizeFile } from "./analysis/file-summary";

export const ASSEMBLY_FILE = /\.(s|S|sx|asm|nasm|inc|mac)$/;
/** The same files as a glob, for the client's file watcher (workspace/didChangeWatchedFiles). */
export const WATCHED_FILES = "**/*.{s,S,sx,asm,nasm,inc,mac}";
const SKIP_DIRECTORY = /^(\.|node_modules$|dist$|out$)/;
const MAX_FILES = 5000;
const MAX_BYTES = 4 * 1024 * 1024;

export interface IndexOptions {
  syntax(): "auto" | "gas" | "nasm";
  includePaths(): readonly string[];
  /** The text of an open document, which wins over the disk. */
  openText(path: string): string | undefined;
  log(message: string): void;
}

export class WorkspaceIndex {
  private readonly files = new Map<string, FileSummary>();
  private generation = 0;
  /** Resolves when the scan started last has finished (or been superseded). */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly options: IndexOptions) {}

  /** Indexes every assembly file under `roots` (replacing what was indexed before), in the background. */
  scan(roots: readonly string[]): Promise<void> {
    const generation = ++this.generation;
    this.files.clear();
    this.includers.clear();
    this.ready = this.walk(roots, generation).catch((e) => this.options.log(`workspace index: ${String(e)}`));
    return this.ready;
  }

  private async walk(roots: readonly string[], generation: number): Promise<void> {
    const found: string[] = [];
    const queue = roots.map((r) => resolve(r));
    while (queue.length > 0 && found.length < MAX_FILES) {
      const dir = queue.shift()!;
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      if (generation !== this.generation) return;
      for (const e of entries) {
        if (e.isDirectory() && !SKIP_DIRECTORY.test(e.name)) queue.push(join(dir, e.name));
        else if (e.isFile() && ASSEMBLY_FILE.test(e.name)) found.push(join(dir, e.name));
      }
    }
    const known = new Set(found);
    for (const file of found.slice(0, MAX_FILES)) {
      if (generation !== this.generation) return;
      if (this.files.has(file)) continue;
      const text = this.options.openText(file) ?? (await readSmall(file));
      if (text === undefined || generation !== this.generation) continue;
      this.summarize(file, text, known);
      // Let requests in between files.
      await new Promise((r) => setImmediate(r));
    }
  }

  private summarize(file: string, text: string, known?: ReadonlySet<string>): void {
    this.includers.clear();
    try {
      this.files.set(
        file,
        summarizeFile(
          file,
          text,
          this.options.syntax(),
          this.options.includePaths(),
          (p) => known?.has(p) || this.files.has(p) || this.options.openText(p) !== undefined,
        ),
      );
    } catch (e) {
      this.options.log(`workspace index: ${file}: ${String(e)}`);
    }
  }

  /** A file changed (edited, saved, created): index its new text. */
  update(file: string, text: string): void {
    if (ASSEMBLY_FILE.test(file)) this.summarize(file, text);
  }

  remove(file: string): void {
    this.includers.clear();
    this.files.delete(file);
  }

  get size(): number {
    return this.files.size;
  }

  /** Definitions whose name contains `query` (case-insensitive), at most `limit`. */
  symbols(query: string, limit: number): (SummarySymbol & { file: string })[] {
    const q = query.toLowerCase();
    const out: (SummarySymbol & { file: string })[] = [];
    for (const f of this.files.values())
      for (const s of f.symbols) {
        if (q && !s.name.toLowerCase().includes(q)) continue;
        out.push({ ...s, file: f.file });
        if (out.length >= limit) return out;
      }
    return out;
  }

  private includers = new Map<string, string[]>();

  /** Indexed files that include `file`, directly or through other includes (nearest first). */
  includersOf(file: string): string[] {
    const known = this.includers.get(file);
    if (known) return known;
    const out: string[] = [];
    const seen = new Set([file]);
    let level = [file];
    for (let depth = 0; depth < 16 && level.length > 0; depth++) {
      const next: string[] = [];
      for (const f of [...this.files.values()].sort((a, b) => a.file.localeCompare(b.file)))
        if (!seen.has(f.file) && f.includes.some((t) => level.includes(t))) {
          seen.add(f.file);
          next.push(f.file);
        }
      out.push(...next);
      level = next;
    }
    this.includers.set(file, out);
    return out;
  }
}

async function readSmall(file: string): Promise<string | undefined> {
  try {
    if ((await stat(file)).size > MAX_BYTES) return undefined;
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}
