// Types of code-server.mjs, for the TypeScript end-to-end tests.
import type { ChildProcess } from "node:child_process";

export declare const repoRoot: string;
export declare function codeServerPath(): string | undefined;
export declare function chromiumPath(): string | undefined;
export declare const PROFILE_SETTINGS: Readonly<Record<string, unknown>>;
export declare function installExtensionCopy(extensionsDir: string, source?: string): string;

export interface StartOptions {
  /** Folder to open (absolute path). */
  folder: string;
  /** Folder for the profile, the extensions and the config; the caller creates and removes it. */
  root: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Extra user settings on top of PROFILE_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Folder holding package.json and the built dist/ (default: the repository). */
  extensionSource?: string;
  /** Install this .vsix with `code-server --install-extension` instead of copying `extensionSource`. */
  vsix?: string;
  log?: (text: string) => void;
}

export interface RunningCodeServer {
  /** Address that opens `folder`. */
  url: string;
  /** http://127.0.0.1:PORT/ */
  base: string;
  port: number;
  root: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export declare function startCodeServer(options: StartOptions): Promise<RunningCodeServer>;
