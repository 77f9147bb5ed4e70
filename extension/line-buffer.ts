// Whole-line buffering for child-process streams shown in an output channel (no vscode import: unit-tested).

const PARTIAL_LINE_MS = 150;

/**
 * Passes whole lines to `append` at once; a partial line waits for its end, or PARTIAL_LINE_MS without more data
 * (a prompt without a newline still shows), or flush().
 */
export function lineBuffered(
  append: (s: string) => void,
  partialLineMs = PARTIAL_LINE_MS,
): { push: (s: string) => void; flush: () => void } {
  let pending = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending) append(pending);
    pending = "";
  };
  const push = (s: string) => {
    const text = pending + s;
    const cut = text.lastIndexOf("\n") + 1;
    if (cut > 0) append(text.slice(0, cut));
    pending = text.slice(cut);
    if (timer) clearTimeout(timer);
    timer = pending ? setTimeout(flush, partialLineMs) : undefined;
  };
  return { push, flush };
}
