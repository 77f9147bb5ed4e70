// For the lead (package.json's owner): copies activationEvents, contributes and capabilities from
// extension/contributes.json into package.json, keeping every other key and the key order.
// Run: npx tsx extension/manifest/merge-into-package-json.ts [path/to/package.json]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONTRIBUTES_PATH } from "./generate";

export function mergeManifest(
  pkg: Record<string, unknown>,
  fragment: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pkg)) out[k] = k in fragment ? fragment[k] : v;
  for (const [k, v] of Object.entries(fragment)) if (!(k in out)) out[k] = v;
  return out;
}

if (require.main === module) {
  const target = process.argv[2] ?? join(__dirname, "..", "..", "package.json");
  const pkg = JSON.parse(readFileSync(target, "utf8"));
  const fragment = JSON.parse(readFileSync(CONTRIBUTES_PATH, "utf8"));
  writeFileSync(target, `${JSON.stringify(mergeManifest(pkg, fragment), null, 2)}\n`);
  process.stdout.write(`merged ${Object.keys(fragment).join(", ")} into ${target}\n`);
}
