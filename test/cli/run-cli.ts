// Runs the `vmx` command in-process and collects what it prints.
import { main } from "../../cli/main";

export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    cwd: process.cwd(),
  });
  return { code, out, err };
}
