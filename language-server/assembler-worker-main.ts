// Entry point of dist/assembler-worker.js: the assembler worker thread on its own, without the LSP libraries
// and the rest of the server, so the thread that holds a whole-file assembly starts smaller.
import { runAssemblerWorker } from "./assembler-worker";

runAssemblerWorker();
