// Language-server latency on a 10,000-line hypervisor file, measured over stdio against the bundled server:
// first diagnostics after open, diagnostics after a one-character edit, hover and completion (median and p95),
// and the server's resident memory. Prints one JSON line per figure.
// Targets (issue 6): edit → diagnostics < 50 ms p95, hover < 5 ms, memory < 150 MB. Last, the worst kind of edit:
// one that changes a label (the program's structure), so nothing of the previous analysis is reused as is.
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import type { CompletionItem, Hover } from "vscode-languageserver-protocol";
import { syntheticHypervisor } from "../language-server/analysis/synthetic";
import { startServer } from "../test/lsp/client";

const LINES = 10_000;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function report(metric: string, samples: number[], extra: Record<string, unknown> = {}): void {
  console.log(
    JSON.stringify({
      bench: `language-server-${metric}`,
      medianMs: Number(percentile(samples, 50).toFixed(2)),
      p95Ms: Number(percentile(samples, 95).toFixed(2)),
      samples: samples.length,
      loadAverage: Number(loadavg()[0]!.toFixed(1)),
      ...extra,
    }),
  );
}

/** CPU time (user + system, ms) the process has used, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const text = syntheticHypervisor(LINES);
  const lines = text.split("\n");
  const s = await startServer({ vmx: { cpuModel: "skylake-x" } });
  const uri = "file:///bench/hypervisor.asm";
  let version = 1;
  try {
    const t0 = performance.now();
    const first = s.diagnostics(uri, () => true, 60_000);
    await s.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "vmx-nasm", version, text },
    });
    const firstDiags = await first;
    const firstMs = performance.now() - t0;
    console.log(
      JSON.stringify({
        bench: "language-server-first-diagnostics",
        ms: Number(firstMs.toFixed(1)),
        lines: lines.length,
        diagnostics: firstDiags.length,
        loadAverage: Number(loadavg()[0]!.toFixed(1)),
      }),
    );

    // One-character edits in the middle of the file: a digit of an immediate operand changes each time, so every
    // edit changes what the analysis sees (a VMWRITE value).
    const editTimes: number[] = [];
    let cpuBefore: number | undefined;
    const editLine = lines.findIndex((l, i) => i > lines.length / 2 && /^\s+mov rbx, 0x[0-9A-F]+$/.test(l));
    const col = lines[editLine]!.length - 1;
    for (let i = 0; i < 40; i++) {
      version++;
      const range = { start: { line: editLine, character: col }, end: { line: editLine, character: col + 1 } };
      const v = version;
      const t = performance.now();
      const done = s.diagnostics(uri, (p) => p.version === v, 60_000);
      await s.connection.sendNotification("textDocument/didChange", {
        textDocument: { uri, version },
        contentChanges: [{ range, text: String(i % 10) }],
      });
      await done;
      editTimes.push(performance.now() - t);
      if (i === 4) cpuBefore = cpuMs(s.process.pid);
    }
    const cpuAfter = cpuMs(s.process.pid);
    report("edit-to-diagnostics", editTimes.slice(5), {
      warmup: 5,
      // Server CPU per edit (analysis, plus any assembler run on its worker): independent of other load.
      serverCpuMsPerEdit:
        cpuBefore !== undefined && cpuAfter !== undefined ? Number(((cpuAfter - cpuBefore) / 35).toFixed(1)) : null,
    });

    // Hovers on VMWRITE mnemonics, registers at VMX sites and named constants.
    const hoverPositions: { line: number; character: number }[] = [];
    lines.forEach((l, i) => {
      const k = l.indexOf("vmwrite");
      if (k >= 0 && hoverPositions.length < 300)
        hoverPositions.push({ line: i, character: k + 2 }, { line: i, character: k + 9 });
    });
    const hoverTimes: number[] = [];
    let nonEmpty = 0;
    for (const position of hoverPositions.slice(0, 200)) {
      const t = performance.now();
      const h = await s.connection.sendRequest<Hover | null>("textDocument/hover", { textDocument: { uri }, position });
      hoverTimes.push(performance.now() - t);
      if (h) nonEmpty++;
    }
    report("hover", hoverTimes, { answered: nonEmpty });

    const completionTimes: number[] = [];
    let items = 0;
    for (let i = 0; i < 60; i++) {
      const line = 20 + ((i * 97) % (lines.length - 100));
      const t = performance.now();
      const r = await s.connection.sendRequest<CompletionItem[]>("textDocument/completion", {
        textDocument: { uri },
        position: { line, character: Math.min(lines[line]!.length, 13) },
      });
      completionTimes.push(performance.now() - t);
      items = r.length;
    }
    report("completion", completionTimes, { items });

    // The resident set of the whole server process (main thread + assembler worker): right after the requests
    // (the worker may still be assembling) and after 10 s without edits (the idle worker has been stopped).
    const busy = rssMb(s.process.pid);
    await new Promise((r) => setTimeout(r, 10_000));
    const idle = rssMb(s.process.pid);
    console.log(
      JSON.stringify({
        bench: "language-server-memory",
        rssMb: busy === undefined ? null : Number(busy.toFixed(1)),
        rssIdleMb: idle === undefined ? null : Number(idle.toFixed(1)),
        loadAverage: Number(loadavg()[0]!.toFixed(1)),
        cpus: cpus().length,
      }),
    );

    // Edits that change the program's structure (typing in a label's name): no block of the previous analysis
    // can be reused as is, so this is the worst case of an edit. Measured last, so as not to disturb the above.
    const labelLine = lines.findIndex((l, i) => i > lines.length / 2 && /^setup_\d+:$/.test(l));
    const labelEnd = lines[labelLine]!.length - 1;
    const labelTimes: number[] = [];
    for (let i = 0; i < 30; i++) {
      version++;
      const v = version;
      const typing = i % 2 === 0;
      const range = {
        start: { line: labelLine, character: labelEnd },
        end: { line: labelLine, character: labelEnd + (typing ? 0 : 1) },
      };
      const t = performance.now();
      const done = s.diagnostics(uri, (p) => p.version === v, 60_000);
      await s.connection.sendNotification("textDocument/didChange", {
        textDocument: { uri, version },
        contentChanges: [{ range, text: typing ? "x" : "" }],
      });
      await done;
      labelTimes.push(performance.now() - t);
    }
    report("label-edit-to-diagnostics", labelTimes.slice(4), { warmup: 4 });
  } finally {
    await s.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
