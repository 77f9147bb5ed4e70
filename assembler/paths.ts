// Path helpers for include resolution. Plain string functions (POSIX separators, Windows `\` accepted) so
// the assembler does not depend on node:path and runs in any host (the language server, tests, a browser).

export function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (i < 0) return "";
  if (i === 0) return "/";
  return path.slice(0, i);
}

export function joinPath(dir: string, name: string): string {
  if (name.startsWith("/") || /^[A-Za-z]:[\\/]/.test(name)) return name;
  if (!dir || dir === ".") return name;
  return dir.endsWith("/") || dir.endsWith("\\") ? `${dir}${name}` : `${dir}/${name}`;
}
