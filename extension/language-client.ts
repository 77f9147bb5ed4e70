// The language client: starts dist/server.js over IPC, hands it the normalized `vmx.*` settings (as
// initializationOptions, in workspace/configuration answers and in didChangeConfiguration), restarts cleanly.
// Bundled separately as dist/language-client.js (vscode-languageclient alone is ~360 KB minified) and loaded by
// extension.ts on the first assembly file, so extension.js stays small and debug-only activation stays cheap.
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  ResponseError,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { SERVER_NODE_OPTIONS } from "../protocol/server-launch";
import type { VmxSettings } from "../protocol/vmx-settings";
import { VMX_SETTINGS_SECTION } from "../protocol/vmx-settings";
import { sigilPrefixLength } from "./completion-range";

export interface LanguageClientHost {
  /** Absolute path of dist/server.js. */
  serverModule: string;
  output: vscode.OutputChannel;
  /** The normalized settings for a resource (or the window). */
  settings(scope?: vscode.Uri): VmxSettings;
}

export interface VmxLanguageClient {
  /** Pushes the current settings to the server (after a `vmx.*` change). */
  settingsChanged(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLanguageClient(host: LanguageClientHost): Promise<VmxLanguageClient> {
  const serverOptions: ServerOptions = {
    run: { module: host.serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_OPTIONS] } },
    debug: {
      module: host.serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_NODE_OPTIONS, "--nolazy", "--inspect=6011"] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "vmx-gas" }, { language: "vmx-nasm" }],
    outputChannel: host.output,
    initializationOptions: host.settings(),
    middleware: {
      provideCompletionItem: async (document, position, context, token, next) => {
        const result = await next(document, position, context, token);
        const word = document.getWordRangeAtPosition(position);
        if (!result || !word) return result;
        const text = document.getText(word);
        const items = Array.isArray(result) ? result : result.items;
        for (const item of items) {
          if (item.range) continue;
          const label = typeof item.label === "string" ? item.label : item.label.label;
          const skip = sigilPrefixLength(text, item.filterText ?? label);
          if (skip > 0) item.range = new vscode.Range(word.start.translate(0, skip), word.end);
        }
        return result;
      },
      workspace: {
        // The server may pull settings; answer with the same normalized shape it gets pushed.
        configuration: async (params, token, next) => {
          const raw = await next(params, token);
          if (raw instanceof ResponseError) return raw;
          return params.items.map((item, i) =>
            item.section === VMX_SETTINGS_SECTION
              ? host.settings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : raw[i],
          );
        },
      },
    },
  };
  const client = new LanguageClient("vmx", "VMX Language Server", serverOptions, clientOptions);
  await client.start();
  return {
    async settingsChanged() {
      if (!client.isRunning()) return;
      await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [VMX_SETTINGS_SECTION]: host.settings() },
      });
    },
    async restart() {
      await client.restart();
    },
    async stop() {
      if (client.isRunning()) await client.stop();
    },
  };
}
