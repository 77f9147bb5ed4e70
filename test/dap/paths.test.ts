// Protocol tests: one canonical path per source file, whatever spelling the client uses ("..", relative,
// through a symlink); frames and breakpoints come back in the client's own spelling.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import type { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { FIXTURES, fixture, launch, startClient, waitStopped } from "./harness";

const INCL = fixture("sub/incl.asm");
const HELPER = fixture("helper.inc");
const linkDir = mkdtempSync(join(tmpdir(), "vmx-dap-link-"));
after(() => rmSync(linkDir, { recursive: true, force: true }));
const LINK = join(linkDir, "fixtures");
symlinkSync(FIXTURES, LINK);

let dc: DebugClient;
beforeEach(async () => {
  dc = await startClient();
});
afterEach(async () => {
  await dc.stop();
});

async function framesAt(): Promise<[string | undefined, number][]> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  return st.body.stackFrames.map((f) => [f.source?.path, f.line]);
}

describe("source paths", () => {
  it("a breakpoint in a file included through '..' set with a '..' path is verified, hit and shown in that spelling", async () => {
    const spelled = join(FIXTURES, "sub", "..", "helper.inc");
    const stopped = waitStopped(dc);
    let bp: DebugProtocol.SetBreakpointsResponse | undefined;
    await launch(dc, { program: INCL }, async () => {
      bp = await dc.setBreakpointsRequest({ source: { path: spelled }, breakpoints: [{ line: 3 }] });
    });
    assert.equal(bp?.body.breakpoints[0]?.verified, true);
    assert.equal(bp?.body.breakpoints[0]?.source?.path, spelled);
    assert.equal((await stopped).body.reason, "breakpoint");
    assert.deepEqual(await framesAt(), [
      [spelled, 3],
      [INCL, 6],
    ]);
  });

  it("the plain path of the included file works the same", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: INCL }, () =>
      dc.setBreakpointsRequest({ source: { path: HELPER }, breakpoints: [{ line: 3 }] }),
    );
    await stopped;
    assert.deepEqual((await framesAt())[0], [HELPER, 3]);
  });

  it("a program launched through a symlinked folder, with breakpoints on the real path and a relative one", async () => {
    const stopped = waitStopped(dc);
    let bps: DebugProtocol.SetBreakpointsResponse[] = [];
    await launch(dc, { program: join(LINK, "sub", "incl.asm") }, async () => {
      bps = [
        await dc.setBreakpointsRequest({ source: { path: relative(process.cwd(), INCL) }, breakpoints: [{ line: 6 }] }),
        await dc.setBreakpointsRequest({ source: { path: HELPER }, breakpoints: [{ line: 3 }] }),
      ];
    });
    assert.deepEqual(
      bps.map((r) => r.body.breakpoints[0]?.verified),
      [true, true],
    );
    assert.equal((await stopped).body.reason, "breakpoint");
    // The editor's spelling of the launched file is the relative path it set breakpoints with.
    assert.deepEqual((await framesAt())[0], [relative(process.cwd(), INCL), 6]);
    const next = waitStopped(dc);
    await dc.continueRequest({ threadId: 1 });
    await next;
    assert.deepEqual((await framesAt())[0], [HELPER, 3]);
  });

  it("an included file the client never named is shown under the launched program's symlinked folder", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: join(LINK, "sub", "incl.asm") }, () =>
      dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "helper" }] }),
    );
    await stopped;
    assert.deepEqual(await framesAt(), [
      [join(LINK, "helper.inc"), 3],
      [join(LINK, "sub", "incl.asm"), 6],
    ]);
  });

  it("breakpoints set twice for one file under two spellings replace each other", async () => {
    const stopped = waitStopped(dc);
    await launch(dc, { program: INCL }, async () => {
      await dc.setBreakpointsRequest({ source: { path: HELPER }, breakpoints: [{ line: 3 }] });
      await dc.setBreakpointsRequest({ source: { path: join(LINK, "helper.inc") }, breakpoints: [{ line: 4 }] });
    });
    await stopped;
    assert.deepEqual((await framesAt())[0], [join(LINK, "helper.inc"), 4]);
  });
});
