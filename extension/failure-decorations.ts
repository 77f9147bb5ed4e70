// Editor decorations for a failed VM entry: the VMLAUNCH/VMRESUME line and each VMWRITE line that set an
// offending field, with the explanation as hover text. Specs come from the pure entryFailureDecorations.
import { normalize } from "node:path";
import * as vscode from "vscode";
import { COLORS } from "./command-ids";
import { entryFailureDecorations, type FailureDecoration } from "./entry-failure-model";
import type { VmxSessionStore } from "./vmx-session";

export class FailureDecorator implements vscode.Disposable {
  private readonly entryType = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor(COLORS.entryFailureLine),
    overviewRulerColor: new vscode.ThemeColor("editorError.foreground"),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
    after: { color: new vscode.ThemeColor("editorError.foreground"), margin: "0 0 0 2em" },
  });
  private readonly vmwriteType = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor(COLORS.vmwriteFailureLine),
    overviewRulerColor: new vscode.ThemeColor("editorWarning.foreground"),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    after: { color: new vscode.ThemeColor("editorWarning.foreground"), margin: "0 0 0 2em" },
  });
  private specs: FailureDecoration[] = [];
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly store: VmxSessionStore) {
    this.disposables = [
      this.entryType,
      this.vmwriteType,
      store.onDidChange(() => this.update()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.apply()),
      vscode.debug.onDidStartDebugSession(() => {
        this.specs = [];
        this.apply();
      }),
    ];
  }

  private update(): void {
    // Keep the marks after the session ends (the user reads them then); replace them at the next state.
    if (!this.store.state) return;
    const f = this.store.state.lastEntryFailure;
    this.specs = f ? entryFailureDecorations(f) : [];
    this.apply();
  }

  private apply(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const path = normalize(editor.document.uri.fsPath);
      const mine = this.specs.filter((s) => s.file === path && s.line < editor.document.lineCount);
      const toOptions = (kind: FailureDecoration["kind"]): vscode.DecorationOptions[] =>
        mine
          .filter((s) => s.kind === kind)
          .map((s) => ({
            range: editor.document.lineAt(s.line).range,
            hoverMessage: new vscode.MarkdownString(s.hover),
            renderOptions: { after: { contentText: s.after } },
          }));
      editor.setDecorations(this.entryType, toOptions("entry"));
      editor.setDecorations(this.vmwriteType, toOptions("vmwrite"));
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
