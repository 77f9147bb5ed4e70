// Typed calls of the VMX custom requests (protocol/vmx-debug.ts) on a vscode DebugSession.
import type * as vscode from "vscode";
import type { VmxCustomRequestName, VmxCustomRequests } from "../protocol/vmx-debug";

export async function vmxRequest<M extends VmxCustomRequestName>(
  session: vscode.DebugSession,
  method: M,
  args: VmxCustomRequests[M]["arguments"],
): Promise<VmxCustomRequests[M]["body"]> {
  // customRequest resolves with the response body, typed `any` by vscode; the protocol module declares it.
  return (await session.customRequest(method, args)) as VmxCustomRequests[M]["body"];
}
