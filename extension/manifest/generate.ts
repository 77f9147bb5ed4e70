// Writes extension/contributes.json from ./build-contributes with the CPU models of arch/ and the rules of the
// language server (each loaded when present). Run: npx tsx extension/manifest/generate.ts
// test/extension/contributes.test.ts fails when the checked-in file differs from what this produces.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildContributes, type CpuModelInfo, type ManifestInputs, type RuleDescription } from "./build-contributes";

export const CONTRIBUTES_PATH = join(__dirname, "..", "contributes.json");

async function optionalModule(spec: string): Promise<Record<string, unknown>> {
  try {
    // A variable specifier: the module may not exist yet, and the typechecker must not require it.
    return (await import(spec)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export async function loadManifestInputs(): Promise<ManifestInputs> {
  const arch = await optionalModule("../../arch/index");
  const rules = await optionalModule("../../language-server/analysis/rules");
  const tokens = await optionalModule("../../language-server/analysis/semantic-tokens");
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const models = Array.isArray(arch.CPU_MODELS) ? (arch.CPU_MODELS as CpuModelInfo[]) : [];
  return {
    cpuModels: models.map((m) => ({ name: m.name, description: m.description })),
    defaultCpuModel: typeof arch.DEFAULT_CPU_MODEL === "string" ? arch.DEFAULT_CPU_MODEL : "skylake-x",
    rules: Array.isArray(rules.RULES)
      ? (rules.RULES as RuleDescription[]).map((r) => ({ code: r.code, severity: r.severity, summary: r.summary }))
      : [],
    semanticTokenTypes: strings(tokens.SEMANTIC_TOKEN_TYPES),
    semanticTokenModifiers: strings(tokens.SEMANTIC_TOKEN_MODIFIERS),
  };
}

export async function generateContributesText(): Promise<string> {
  return `${JSON.stringify(buildContributes(await loadManifestInputs()), null, 2)}\n`;
}

async function main(): Promise<void> {
  writeFileSync(CONTRIBUTES_PATH, await generateContributesText());
  process.stdout.write(`wrote ${CONTRIBUTES_PATH}\n`);
}

if (require.main === module) void main();
