// What a person does in VS Code, as playwright steps over the workbench's DOM: open a file, move the cursor,
// show a hover, open the Problems panel, run a quick fix, set breakpoints, debug. Only keyboard shortcuts and
// visible UI are used (the command palette matches labels, so rows are picked by their exact label).
import type { Locator, Page } from "playwright-core";

/** Monaco renders spaces as no-break spaces; tests compare plain text. */
export function plain(text: string): string {
  return text.replace(/\u00a0/g, " ");
}

async function quickInput(page: Page): Promise<Locator> {
  const widget = page.locator(".quick-input-widget");
  await widget.waitFor({ state: "visible" });
  return widget;
}

/** Opens a workspace file by its path relative to the folder (Quick Open, Ctrl+P). */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const base = relativePath.split("/").pop() ?? relativePath;
  await page.keyboard.press("Control+P");
  const widget = await quickInput(page);
  await widget.locator("input").fill(relativePath);
  // The row of exactly that file: its label is the file name, its description the folder path.
  const dir = relativePath.includes("/") ? relativePath.slice(0, relativePath.lastIndexOf("/")) : "";
  const rows = widget.locator(".quick-input-list .monaco-list-row");
  let offered: { label: string; description: string }[] = [];
  let index = -1;
  await until(
    async () => {
      offered = await rows.evaluateAll((els) =>
        els.map((e) => ({
          label: (e.querySelector(".label-name")?.textContent ?? "").trim(),
          description: (e.querySelector(".label-description")?.textContent ?? "").trim(),
        })),
      );
      index = offered.findIndex(
        (o) => o.label === base && (dir === "" ? !o.description.includes("/") : o.description.endsWith(dir)),
      );
      return index >= 0;
    },
    10_000,
    () => `${relativePath} in Quick Open; it offers ${JSON.stringify(offered)}`,
  );
  await rows.nth(index).click();
  await widget.waitFor({ state: "hidden" });
  await page.locator(`.tabs-container .tab.active[aria-label^="${base}"]`).waitFor({ state: "visible" });
  await activeEditor(page).locator(".view-lines").waitFor({ state: "visible" });
}

export function activeEditor(page: Page): Locator {
  return page.locator(".editor-group-container.active .monaco-editor").first();
}

/** Gives the active editor the keyboard focus (Ctrl+1) without moving its cursor. */
export async function focusEditor(page: Page): Promise<void> {
  await page.keyboard.press("Control+1");
  await page.locator(".editor-group-container.active .monaco-editor.focused").first().waitFor({ state: "visible" });
}

/** Moves the cursor to a 1-based line and column (Go to Line, Ctrl+G) and gives the editor focus. */
export async function goTo(page: Page, line: number, column = 1): Promise<void> {
  await page.keyboard.press("Control+G");
  const widget = await quickInput(page);
  await widget.locator("input").fill(`:${line}:${column}`);
  await page.keyboard.press("Enter");
  await widget.waitFor({ state: "hidden" });
  await waitForCursor(page, line, column);
  await focusEditor(page);
}

/** The cursor position shown in the status bar ("Ln 12, Col 5"). */
export async function cursor(page: Page): Promise<{ line: number; column: number } | undefined> {
  const text = await page
    .locator("#status\\.editor\\.selection")
    .textContent({ timeout: 2000 })
    .catch(() => "");
  const m = /Ln (\d+), Col (\d+)/.exec(text ?? "");
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

export async function waitForCursor(page: Page, line: number, column?: number, timeout = 20_000): Promise<void> {
  await until(
    async () => {
      const c = await cursor(page);
      return c !== undefined && c.line === line && (column === undefined || c.column === column);
    },
    timeout,
    async () => `cursor at ${line}:${column ?? "*"}, status bar shows ${JSON.stringify(await cursor(page))}`,
  );
}

/** Polls `check` until it returns true; fails with `describe()` after `timeout` ms. */
export async function until(
  check: () => Promise<boolean>,
  timeout: number,
  describe: () => Promise<string> | string,
): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${await describe()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The text of the active editor's rendered lines (the fixtures are short enough to be fully rendered). */
export async function editorText(page: Page): Promise<string> {
  const lines = await activeEditor(page)
    .locator(".view-lines .view-line")
    .evaluateAll((els) =>
      els
        .map((e) => ({
          top: Number.parseFloat((e.getAttribute("style") ?? "").replace(/.*\btop:\s*([\d.]+)px.*/s, "$1") || "0"),
          text: e.textContent ?? "",
        }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  return plain(lines.join("\n"));
}

/** Shows the hover at the cursor (Ctrl+K Ctrl+I) and returns its text. */
export async function hoverAtCursor(page: Page, expect: RegExp | string): Promise<string> {
  let last = "";
  await until(
    async () => {
      const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content").last();
      if (!(await hover.isVisible())) {
        await page.keyboard.press("Control+K");
        await page.keyboard.press("Control+I");
        await hover.waitFor({ state: "visible", timeout: 3000 }).catch(() => {});
      }
      last = plain((await hover.textContent().catch(() => "")) ?? "");
      return typeof expect === "string" ? last.includes(expect) : expect.test(last);
    },
    20_000,
    () => `a hover matching ${expect}; it shows: ${JSON.stringify(last)}`,
  );
  return last;
}

export interface ProblemRow {
  text: string;
  severity: "error" | "warning" | "info";
  /** File name of the group the row is listed under ("" for a file row itself). */
  file: string;
}

/** Opens the Problems panel (Ctrl+Shift+M) and returns its rows once `ready(rows)` holds. */
export async function problems(page: Page, ready: (rows: ProblemRow[]) => boolean): Promise<ProblemRow[]> {
  const panel = page.locator(".markers-panel");
  if (!(await panel.isVisible())) await page.keyboard.press("Control+Shift+M");
  await panel.waitFor({ state: "visible" });
  let rows: ProblemRow[] = [];
  await until(
    async () => {
      rows = await panel.locator(".monaco-list-row").evaluateAll((els) => {
        let file = "";
        return els.map((e) => {
          const text = (e.textContent ?? "").replace(/\u00a0/g, " ");
          if (e.getAttribute("aria-level") === "1") {
            file = (e.querySelector(".label-name")?.textContent ?? "").trim();
            return { text, severity: "info" as const, file: "" };
          }
          const severity = e.querySelector(".codicon-error")
            ? ("error" as const)
            : e.querySelector(".codicon-warning")
              ? ("warning" as const)
              : ("info" as const);
          return { text, severity, file };
        });
      });
      return ready(rows);
    },
    30_000,
    () => `the Problems panel; it lists:\n${rows.map((r) => `  [${r.severity}] ${r.text}`).join("\n")}`,
  );
  return rows;
}

/** Opens the quick-fix menu (Ctrl+.) at the cursor and picks the action whose label contains `title`. */
export async function quickFix(page: Page, title: string | RegExp): Promise<string> {
  const menu = page.locator(".action-widget:not(.action-list-submenu-panel)").first();
  // As with the hover: when the code-action request races the editor (seen under load), the first Ctrl+.
  // opens nothing; a person would press it again.
  await until(
    async () => {
      if (await menu.isVisible()) return true;
      await focusEditor(page);
      await page.keyboard.press("Control+.");
      await menu.waitFor({ state: "visible", timeout: 4000 }).catch(() => {});
      return menu.isVisible();
    },
    30_000,
    () => "the quick-fix menu after Ctrl+.",
  );
  const row = menu.locator(".monaco-list-row.action", { hasText: title }).first();
  try {
    await row.waitFor({ state: "visible", timeout: 10_000 });
  } catch {
    const offered = await menu.locator(".monaco-list-row").allInnerTexts();
    await page.keyboard.press("Escape");
    throw new Error(`no quick fix ${title}; offered: ${JSON.stringify(offered)}`);
  }
  const label = plain((await row.textContent()) ?? "");
  await row.click();
  await menu.waitFor({ state: "hidden" });
  return label;
}

/** Toggles a breakpoint on a 1-based line (F9) and waits for its glyph. */
export async function toggleBreakpoint(page: Page, line: number): Promise<void> {
  await goTo(page, line);
  const before = await activeEditor(page)
    .locator(".codicon-debug-breakpoint, .codicon-debug-breakpoint-unverified")
    .count();
  await page.keyboard.press("F9");
  await until(
    async () =>
      (await activeEditor(page).locator(".codicon-debug-breakpoint, .codicon-debug-breakpoint-unverified").count()) >
      before,
    10_000,
    () =>
      `a breakpoint glyph on line ${line} (VS Code allows breakpoints only in languages a debugger's "breakpoints" contribution names)`,
  );
}

/** The "Paused on …" text of the Call Stack view, or "" while running / not debugging. */
export async function pausedReason(page: Page): Promise<string> {
  // The Call Stack header's state message ("Paused on breakpoint", or the adapter's description).
  const label = page.locator(".call-stack-state-message").first();
  return plain((await label.textContent({ timeout: 1000 }).catch(() => "")) ?? "");
}

/** Waits until the debugger stops with the cursor on `line` (VS Code reveals the top stack frame). */
export async function waitForStop(page: Page, line: number, timeout = 60_000): Promise<void> {
  await until(
    async () => {
      const c = await cursor(page);
      return (await isPaused(page)) && c?.line === line;
    },
    timeout,
    async () =>
      `a stop on line ${line}; debug toolbar paused: ${await isPaused(page)}, cursor ${JSON.stringify(await cursor(page))}, call stack says ${JSON.stringify(await pausedReason(page))}`,
  );
}

/** Waits until the debugger is stopped (anywhere). */
export async function waitForPause(page: Page, timeout = 60_000): Promise<void> {
  await until(
    () => isPaused(page),
    timeout,
    async () => `the debugger to stop; cursor ${JSON.stringify(await cursor(page))}`,
  );
}

/** The text of the exception widget VS Code shows at a stop with reason "exception", or "". */
export async function exceptionWidgetText(page: Page): Promise<string> {
  const widget = page.locator(".exception-widget").first();
  if (!(await widget.isVisible().catch(() => false))) return "";
  return plain((await widget.textContent()) ?? "");
}

/** The debug toolbar shows Continue (not Pause) while the session is stopped. */
export async function isPaused(page: Page): Promise<boolean> {
  return page
    .locator(".debug-toolbar .codicon-debug-continue")
    .isVisible()
    .catch(() => false);
}

export async function isDebugging(page: Page): Promise<boolean> {
  return page
    .locator(".debug-toolbar")
    .isVisible()
    .catch(() => false);
}

/** Stops the debug session (Shift+F5) and waits for the toolbar to go. */
export async function stopDebugging(page: Page): Promise<void> {
  if (!(await isDebugging(page))) return;
  await page.keyboard.press("Shift+F5");
  await page.locator(".debug-toolbar").waitFor({ state: "hidden", timeout: 20_000 });
}

/** The file name shown in the active editor tab. */
export async function activeTab(page: Page): Promise<string> {
  return ((await page.locator(".tabs-container .tab.active .label-name").first().textContent()) ?? "").trim();
}

/** Shows the Run and Debug side bar (Ctrl+Shift+D) and expands the view titled `title`; returns its body. */
export async function debugView(page: Page, title: string): Promise<Locator> {
  const viewlet = page.locator(".debug-viewlet, #workbench\\.view\\.debug");
  if (!(await viewlet.first().isVisible())) await page.keyboard.press("Control+Shift+D");
  await viewlet.first().waitFor({ state: "visible" });
  const pane = page.locator(".pane", { has: page.locator(`.pane-header h3.title:text-is("${title}")`) }).first();
  await pane.waitFor({ state: "visible" });
  // Room for the tree (its rows are virtualised: only rendered rows can be read): collapse the other views.
  const others = viewlet
    .first()
    .locator(".pane-header[aria-expanded='true']", { hasNot: page.locator(`h3.title:text-is("${title}")`) });
  for (let i = 0; i < 10 && (await others.count()) > 0; i++) await others.first().click();
  const header = pane.locator(".pane-header").first();
  if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  const body = pane.locator(".pane-body");
  await body.waitFor({ state: "visible" });
  return body;
}

export interface TreeRow {
  label: string;
  description: string;
  expanded: boolean | undefined;
  /** The label carries a file-decoration colour (the VMCS view's "changed since the last stop"). */
  decorated: boolean;
  badge: string;
}

/** The rendered rows of a tree view body. */
export async function treeRows(body: Locator): Promise<TreeRow[]> {
  return body.locator(".monaco-list-row").evaluateAll((els) =>
    els.map((e) => {
      const label = e.querySelector(".label-name")?.textContent ?? "";
      const description = e.querySelector(".label-description")?.textContent ?? "";
      const exp = e.getAttribute("aria-expanded");
      const labelEl = e.querySelector(".monaco-icon-label");
      const cls = labelEl?.className ?? "";
      const badge = e.querySelector(".monaco-decoration-iconBadge, .label-decoration")?.textContent ?? "";
      return {
        label: label.replace(/\u00a0/g, " ").trim(),
        description: description.replace(/\u00a0/g, " ").trim(),
        expanded: exp === null ? undefined : exp === "true",
        decorated: /monaco-decoration-itemColor/.test(cls),
        badge: badge.trim(),
      };
    }),
  );
}

/** The tree row whose label is exactly `label`. */
async function rowByLabel(body: Locator, label: string): Promise<Locator> {
  let labels: string[] = [];
  let found: Locator | undefined;
  await until(
    async () => {
      const rows = body.locator(".monaco-list-row");
      labels = (await treeRows(body)).map((r) => r.label);
      const index = labels.indexOf(label);
      if (index >= 0) found = rows.nth(index);
      return found !== undefined;
    },
    10_000,
    () => `a row labelled ${JSON.stringify(label)}; rows: ${JSON.stringify(labels)}`,
  );
  return found!;
}

/** Expands the tree row with exactly this label and waits until it is expanded. */
export async function expandRow(body: Locator, label: string): Promise<void> {
  const row = await rowByLabel(body, label);
  if ((await row.getAttribute("aria-expanded")) === "false") {
    await row.click();
    await until(
      async () => (await row.getAttribute("aria-expanded")) === "true",
      10_000,
      () => `row ${label} to expand`,
    );
  }
}

/** Collapses the tree row with exactly this label. */
export async function collapseRow(body: Locator, label: string): Promise<void> {
  const row = await rowByLabel(body, label);
  if ((await row.getAttribute("aria-expanded")) === "true") await row.click();
}

/**
 * Text of the editor decorations rendered after line ends (`after.contentText`), e.g. failure explanations.
 * Monaco draws them as CSS `::after` content, so they are read from the computed style of the line's spans.
 */
export async function afterLineDecorations(page: Page): Promise<string[]> {
  return activeEditor(page)
    .locator(".view-lines .view-line span")
    .evaluateAll((els) => {
      // Runs in the page; the project's TypeScript has no DOM library, hence the narrow structural type.
      const style = (globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } })
        .getComputedStyle;
      return els
        .map((e) => style(e, "::after").content)
        .filter((c) => c && c !== "none" && c !== "normal" && c !== '""')
        .map((c) => c.replace(/^"|"$/g, "").replace(/\\"/g, '"'));
    });
}

/** Runs a command from the Command Palette (F1), picking the row whose label is exactly `label`. */
export async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press("F1");
  const widget = await quickInput(page);
  await widget.locator("input").fill(`>${label}`);
  const rows = widget.locator(".quick-input-list .monaco-list-row");
  let offered: string[] = [];
  try {
    await until(
      async () => {
        offered = (await rows.locator(".label-name").allTextContents()).map((t) => plain(t).trim());
        return offered.includes(label);
      },
      10_000,
      () => `command "${label}" in the palette; it offers ${JSON.stringify(offered)}`,
    );
  } catch (e) {
    await page.keyboard.press("Escape");
    throw e;
  }
  await rows.nth(offered.indexOf(label)).click();
  await widget.waitFor({ state: "hidden" });
}
