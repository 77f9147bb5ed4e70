// How the language server's node process is started: the extension launches dist/server.js with these node
// options, and so do the protocol tests and the benchmark (test/lsp/client.ts), so that what is measured is what
// users run. Other editors should pass them too (README, "Using the language server from another editor").
//
// --max-semi-space-size=1: V8's young generation at 1 MB per semi-space instead of up to 16 MB. The analysis
// allocates a few MB per edit; with a small young generation the resident memory of a server editing a 10,000-line
// file stays about 40 MB lower, for about 10% more analysis time (bench/language-server.ts).
// --max-old-space-size=1024: V8 sizes the steps its old generation grows by from this limit; at 1 GB (far above
// the ~30 MB a 10,000-line file keeps live, and room for files ten times larger) the heap of an editing burst
// stays about 10 MB smaller than with Node's default limit.
export const SERVER_NODE_OPTIONS: readonly string[] = ["--max-semi-space-size=1", "--max-old-space-size=1024"];
