// `vmx lint FILE... [--format text|json|sarif] [--cpu MODEL] [-I DIR]`: the language server's diagnostics for CI.
// Diagnostics inside included files are reported against those files; exit code 1 when any error is reported.
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CPU_MODELS, cpuModel, DEFAULT_CPU_MODEL } from "../../arch/index";
import { INCLUDE_FILE } from "../../language-server/analysis/frontend";
import {
  type AnalysisDiagnostic,
  analyze,
  DEFAULT_ANALYSIS_SETTINGS,
  ParseCache,
  RULES,
} from "../../language-server/analysis/index";
import { type CliCommand, CliUsageError, parseArgs } from "../io";

export interface LintRecord {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  endLine: number;
  endColumn: number;
  severity: AnalysisDiagnostic["severity"];
  code: string;
  message: string;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

export function lintFiles(
  files: readonly string[],
  options: { cpu: string; includePaths: readonly string[]; cwd: string; readFile?: (p: string) => string | undefined },
): { records: LintRecord[]; unreadable: string[] } {
  const read = options.readFile ?? readText;
  const cache = new ParseCache();
  const records: LintRecord[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  const analyses: { path: string; a: ReturnType<typeof analyze> }[] = [];
  for (const f of files) {
    const path = resolve(options.cwd, f);
    const text = read(path);
    if (text === undefined) {
      unreadable.push(f);
      continue;
    }
    analyses.push({
      path,
      a: analyze({
        file: path,
        text,
        settings: {
          ...DEFAULT_ANALYSIS_SETTINGS,
          cpuModel: options.cpu,
          includePaths: options.includePaths.map((d) => resolve(options.cwd, d)),
        },
        readFile: read,
        cache,
      }),
    });
  }
  // An include file (.inc, .mac, .h) another listed file includes is reported as part of that file (with its
  // includer's definitions), not on its own.
  const included = new Set<string>();
  for (const { path, a } of analyses)
    for (const f of a.unit.files.keys()) if (f !== path && INCLUDE_FILE.test(f)) included.add(f);
  for (const { path, a } of analyses) {
    if (included.has(path)) continue;
    for (const d of a.diagnostics) {
      const rec: LintRecord = {
        file: relative(options.cwd, d.file) || d.file,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        severity: d.severity,
        code: d.code,
        message: d.message,
      };
      // A file linted on its own and through an include reports each problem once.
      const key = `${rec.file}:${rec.line}:${rec.column}:${rec.code}:${rec.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      records.push(rec);
    }
  }
  records.sort((x, y) => x.file.localeCompare(y.file) || x.line - y.line || x.column - y.column);
  return { records, unreadable };
}

const SARIF_LEVEL: Record<LintRecord["severity"], string> = {
  error: "error",
  warning: "warning",
  information: "note",
  hint: "note",
};

/** A file path as a SARIF artifact URI: a relative reference (to %SRCROOT%, the directory linted from), escaped. */
function artifactUri(file: string): string {
  const path = file.split("\\").join("/");
  return /^[A-Za-z]:\//.test(path) || path.startsWith("/") ? pathToFileURL(file).href : encodeURI(path);
}

export function toSarif(records: readonly LintRecord[], cwd?: string): unknown {
  const ruleIds = new Set(records.map((r) => r.code));
  const rules = RULES.map((r) => ({
    id: r.code,
    shortDescription: { text: r.summary },
    defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
  }));
  for (const id of ruleIds)
    if (!rules.some((r) => r.id === id))
      rules.push({ id, shortDescription: { text: id }, defaultConfiguration: { level: "error" } });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "vmx lint", informationUri: "https://github.com/vmx-workbench", rules } },
        ...(cwd ? { originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(`${resolve(cwd)}/`).href } } } : {}),
        results: records.map((r) => ({
          ruleId: r.code,
          ruleIndex: rules.findIndex((x) => x.id === r.code),
          level: SARIF_LEVEL[r.severity],
          message: { text: r.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(r.file), ...(cwd ? { uriBaseId: "%SRCROOT%" } : {}) },
                region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
}

const USAGE = `usage: vmx lint FILE... [--format text|json|sarif] [--cpu MODEL] [-I DIR]
  --format  text (default): file:line:column: severity code: message
            json: [{file, line, column, endLine, endColumn, severity, code, message}] (1-based)
            sarif: SARIF 2.1.0 for code-scanning tools
  --cpu     CPU model the VMX checks assume (default ${DEFAULT_CPU_MODEL}): ${CPU_MODELS.map((m) => m.name).join(", ")}
  -I DIR    include directory (repeatable)
exit status: 0 clean or warnings only, 1 an error was reported, 2 bad arguments or unreadable file
`;

export const lintCommand: CliCommand = {
  summary: "report VMX diagnostics: vmx lint FILE... [--format text|json|sarif] [--cpu MODEL] [-I DIR]",
  async run(args, io) {
    const p = parseArgs(args, { "--format": ["-f"], "--cpu": ["--model", "-m"], "-I": ["--include"] }, [
      "--help",
      "-h",
    ]);
    if (p.flags.has("--help") || p.flags.has("-h")) {
      io.out(USAGE);
      return 0;
    }
    if (p.positional.length === 0) throw new CliUsageError("no input files (vmx lint FILE...)");
    const format = p.options.get("--format")?.at(-1) ?? "text";
    if (!["text", "json", "sarif"].includes(format))
      throw new CliUsageError(`--format must be text, json or sarif, not '${format}'`);
    const cpu = p.options.get("--cpu")?.at(-1) ?? DEFAULT_CPU_MODEL;
    if (!cpuModel(cpu))
      throw new CliUsageError(`unknown CPU model '${cpu}' (one of ${CPU_MODELS.map((m) => m.name).join(", ")})`);
    const { records, unreadable } = lintFiles(p.positional, {
      cpu,
      includePaths: p.options.get("-I") ?? [],
      cwd: io.cwd,
    });
    for (const f of unreadable) io.err(`vmx lint: cannot read '${f}'\n`);
    if (format === "json") io.out(`${JSON.stringify(records, null, 2)}\n`);
    else if (format === "sarif") io.out(`${JSON.stringify(toSarif(records, io.cwd), null, 2)}\n`);
    else {
      for (const r of records) io.out(`${r.file}:${r.line}:${r.column}: ${r.severity} ${r.code}: ${r.message}\n`);
      const counts = (s: string) => records.filter((r) => r.severity === s).length;
      if (records.length)
        io.err(
          `${counts("error")} error(s), ${counts("warning")} warning(s), ${records.length - counts("error") - counts("warning")} other\n`,
        );
    }
    if (unreadable.length) return 2;
    return records.some((r) => r.severity === "error") ? 1 : 0;
  },
};
