// Builds the extension's package.json fragment ({activationEvents, contributes}) from the tables it must
// agree with: command/view ids (../command-ids), launch attributes (protocol/vmx-debug), CPU models (arch/)
// and diagnostic rules (language-server/analysis/rules). ./generate.ts writes it to extension/contributes.json;
// the lead merges that file into package.json. Pure.
import { VMX_BREAK_ON, VMX_START_MODES, type VmxLaunchArguments } from "../../protocol/vmx-debug";
import { COLORS, COMMANDS, type CommandInfo, VIEWS } from "../command-ids";
import { launchVariable } from "../debug-configuration";

export interface CpuModelInfo {
  name: string;
  description: string;
}

export interface RuleDescription {
  code: string;
  severity: string;
  summary: string;
}

export interface ManifestInputs {
  /** arch/ CPU_MODELS; empty while arch has none (the setting then takes any string). */
  cpuModels: readonly CpuModelInfo[];
  defaultCpuModel: string;
  /** language-server RULES; empty while the server has none. */
  rules: readonly RuleDescription[];
  /** The language server's semantic token legend; empty while it has none. */
  semanticTokenTypes: readonly string[];
  semanticTokenModifiers: readonly string[];
}

type Json = Record<string, unknown>;

const LANGS = ["vmx-gas", "vmx-nasm"] as const;
const IS_ASM = "resourceLangId =~ /^vmx-(gas|nasm)$/";
const SEVERITIES = ["error", "warning", "information", "hint", "off"];

/** Every attribute of VmxLaunchArguments with its JSON schema: a missing key is a compile error. */
function launchAttributes(inputs: ManifestInputs): Record<keyof VmxLaunchArguments, Json> {
  const cpuModel: Json = {
    type: "string",
    description:
      "CPU model to emulate: its VMX capability MSRs, CPUID and physical-address width. Default: the vmx.cpuModel setting.",
  };
  if (inputs.cpuModels.length > 0) {
    cpuModel.enum = inputs.cpuModels.map((m) => m.name);
    cpuModel.enumDescriptions = inputs.cpuModels.map((m) => m.description);
  }
  return {
    program: {
      type: ["string", "array"],
      items: { type: "string" },
      description: "Assembly source to assemble and run (.s/.S GAS, .asm/.nasm NASM), or a list of files to link.",
      default: launchVariable("file"),
    },
    syntax: {
      type: "string",
      enum: ["auto", "gas", "nasm"],
      enumDescriptions: ["By file extension", "GNU as (AT&T, or .intel_syntax)", "NASM"],
      description: "Assembler dialect. Default: the vmx.syntax setting.",
      default: "auto",
    },
    start: {
      type: "string",
      enum: [...VMX_START_MODES],
      enumDescriptions: [
        "64-bit long mode with identity-mapped paging (as `vmx run`)",
        "32-bit protected mode, flat segments",
        "16-bit real mode (boot-sector style)",
      ],
      description: "Processor mode the program starts in.",
      default: "long64",
    },
    entry: {
      type: "string",
      description:
        "Entry point: a label or an address. Default: as `vmx run` (the entry symbol or the start of the image).",
    },
    cpuModel,
    memory: {
      type: ["number", "string"],
      description: 'Guest physical memory: a byte count or a size such as "64M".',
      default: "64M",
    },
    stopOnEntry: { type: "boolean", description: "Stop at the first instruction.", default: false },
    breakOn: {
      type: "array",
      items: {
        type: "string",
        enum: [...VMX_BREAK_ON],
        enumDescriptions: [
          "Every VM exit",
          "A VM entry (VMLAUNCH/VMRESUME) that fails its checks",
          "VMfailInvalid / VMfailValid from any VMX instruction",
          "A CPU exception",
          "A triple fault (shutdown)",
        ],
      },
      uniqueItems: true,
      description: "Events that stop execution, in addition to breakpoints.",
      default: ["vmEntryFailure", "vmFail", "tripleFault"],
    },
    maxInstructions: {
      type: "number",
      description: "Stop after this many instructions (instruction budget).",
      default: 100000000,
    },
    trace: { type: "boolean", description: "Log every VM exit to the Debug Console.", default: false },
    includePaths: {
      type: "array",
      items: { type: "string" },
      description: "Directories searched by .include / %include. Default: the vmx.includePaths setting.",
    },
    noDebug: { type: "boolean", description: "Run without debugging (set by Run Without Debugging).", default: false },
  };
}

function command(c: CommandInfo): Json {
  const out: Json = { command: c.id, title: c.title };
  if (c.category) out.category = c.category;
  if (c.icon) out.icon = c.icon;
  if (c.enablement) out.enablement = c.enablement;
  return out;
}

const VMCS_VALUE_ITEM = `view == ${VIEWS.vmcs} && viewItem =~ /\\b(vmcsField|vmcsBits)\\b/`;

function menus(): Json {
  const C = COMMANDS;
  return {
    commandPalette: Object.values(C)
      .filter((c: CommandInfo) => c.paletteHidden)
      .map((c) => ({ command: c.id, when: "false" }))
      .concat([
        { command: C.runFile.id, when: `${IS_ASM} && isWorkspaceTrusted` },
        { command: C.debugFile.id, when: `${IS_ASM} && isWorkspaceTrusted` },
      ]),
    "editor/title/run": [
      { command: C.runFile.id, when: `${IS_ASM} && isWorkspaceTrusted`, group: "navigation@1" },
      { command: C.debugFile.id, when: `${IS_ASM} && isWorkspaceTrusted`, group: "navigation@2" },
    ],
    "editor/context": [{ command: C.runFile.id, when: `${IS_ASM} && isWorkspaceTrusted`, group: "z_vmx@1" }],
    "view/title": [
      { command: C.vmcsRefresh.id, when: `view == ${VIEWS.vmcs}`, group: "navigation" },
      { command: C.exitHistoryRefresh.id, when: `view == ${VIEWS.exitHistory}`, group: "navigation" },
    ],
    "view/item/context": [
      {
        command: C.vmcsGoToVmwrite.id,
        when: `view == ${VIEWS.vmcs} && viewItem =~ /\\bprovenance\\b/`,
        group: "inline",
      },
      { command: C.vmcsCopyValue.id, when: VMCS_VALUE_ITEM, group: "1_copy@1" },
      {
        command: C.vmcsEditValue.id,
        when: `view == ${VIEWS.vmcs} && viewItem =~ /\\bvmcsField\\b.*\\bwritable\\b/ && inDebugMode`,
        group: "2_edit@1",
      },
      {
        command: C.vmcsGoToVmwrite.id,
        when: `view == ${VIEWS.vmcs} && viewItem =~ /\\bprovenance\\b/`,
        group: "3_navigate@1",
      },
      {
        command: C.vmcsAddBreakpoint.id,
        when: `view == ${VIEWS.vmcs} && viewItem =~ /\\bnoBreakpoint\\b/ && inDebugMode`,
        group: "4_breakpoint@1",
      },
      {
        command: C.vmcsRemoveBreakpoint.id,
        when: `view == ${VIEWS.vmcs} && viewItem =~ /\\bbreakpoint\\b/`,
        group: "4_breakpoint@2",
      },
      {
        command: C.vmcsShowHex.id,
        when: `${VMCS_VALUE_ITEM} && viewItem =~ /\\bformat-(dec|bin)\\b/`,
        group: "5_format@1",
      },
      {
        command: C.vmcsShowDecimal.id,
        when: `${VMCS_VALUE_ITEM} && viewItem =~ /\\bformat-(hex|bin)\\b/`,
        group: "5_format@2",
      },
      {
        command: C.vmcsShowBinary.id,
        when: `${VMCS_VALUE_ITEM} && viewItem =~ /\\bformat-(hex|dec)\\b/`,
        group: "5_format@3",
      },
      {
        command: C.exitHistoryGoTo.id,
        when: `view == ${VIEWS.exitHistory} && viewItem == vmExit && inDebugMode`,
        group: "1_navigate@1",
      },
    ],
  };
}

function configuration(inputs: ManifestInputs): Json {
  const cpuModel: Json = {
    type: "string",
    default: inputs.defaultCpuModel,
    markdownDescription:
      "CPU model whose VMX capability MSRs the diagnostics check against and the emulator runs. Change it from the status bar or with **VMX: Select CPU Model**.",
    scope: "resource",
  };
  if (inputs.cpuModels.length > 0) {
    cpuModel.enum = inputs.cpuModels.map((m) => m.name);
    cpuModel.enumDescriptions = inputs.cpuModels.map((m) => m.description);
  }
  const ruleProps: Record<string, Json> = {};
  for (const r of inputs.rules) {
    ruleProps[r.code] = {
      type: "string",
      enum: SEVERITIES,
      markdownDescription: `${r.summary} (default: ${r.severity})`,
    };
  }
  return {
    title: "VMX Workbench",
    properties: {
      "vmx.cpuModel": cpuModel,
      "vmx.syntax": {
        type: "string",
        enum: ["auto", "gas", "nasm"],
        enumDescriptions: [
          "By file extension: .s/.S are GNU as, .asm/.nasm/.inc are NASM",
          "GNU as (AT&T; .intel_syntax is followed)",
          "NASM",
        ],
        default: "auto",
        description: "Assembler dialect of assembly files.",
        scope: "resource",
      },
      "vmx.includePaths": {
        type: "array",
        items: { type: "string" },
        default: [],
        markdownDescription:
          "Directories searched by `.include` and `%include` (relative paths are relative to the first workspace folder).",
        scope: "resource",
      },
      "vmx.diagnostics.rules": {
        type: "object",
        default: {},
        markdownDescription:
          'Severity per diagnostic rule, by code: `"error"`, `"warning"`, `"information"`, `"hint"` or `"off"`. Rules not listed keep their default severity.',
        properties: ruleProps,
        additionalProperties: { type: "string", enum: SEVERITIES },
        scope: "resource",
      },
      "vmx.completion.insert": {
        type: "string",
        enum: ["name", "encoding"],
        enumDescriptions: ["Insert the symbolic name (GUEST_CR0)", "Insert the numeric encoding (0x6800)"],
        default: "name",
        description: "What VMCS field and MSR completions insert.",
      },
      "vmx.inlayHints.enabled": {
        type: "boolean",
        default: true,
        description: "Show VMCS field and MSR names next to numeric encodings at VMX sites.",
      },
      "vmx.run.maxInstructions": {
        type: "number",
        default: 100000000,
        description: "Instruction budget of VMX: Run File in Emulator.",
      },
      "vmx.trace.server": {
        type: "string",
        enum: ["off", "messages", "verbose"],
        default: "off",
        description: "Traces the communication between VS Code and the VMX language server.",
        scope: "window",
      },
    },
  };
}

/**
 * Maps the language server's semantic tokens onto the grammars' scopes, so turning semantic highlighting on
 * keeps VMX instructions, registers, directives, labels and constants coloured as the grammars colour them.
 */
function semanticTokens(inputs: ManifestInputs): Json {
  const has = (t: string) => inputs.semanticTokenTypes.includes(t);
  const mod = (m: string) => inputs.semanticTokenModifiers.includes(m);
  const scopes = (d: "gas" | "nasm"): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    if (has("keyword") && mod("vmx")) out["keyword.vmx"] = [`keyword.other.vmx.${d}`];
    if (has("variable") && mod("defaultLibrary")) out["variable.defaultLibrary"] = [`variable.language.register.${d}`];
    if (has("macro") && mod("defaultLibrary")) out["macro.defaultLibrary"] = [`keyword.other.directive.${d}`];
    if (has("macro")) out.macro = [`entity.name.function.macro.${d}`];
    if (has("function")) out.function = [`entity.name.label.${d}`];
    if (has("enumMember") && mod("readonly")) out["enumMember.readonly"] = [`variable.other.constant.${d}`];
    return out;
  };
  return {
    semanticTokenModifiers: mod("vmx") ? [{ id: "vmx", description: "A VMX instruction (VMXON … INVVPID)" }] : [],
    semanticTokenScopes: LANGS.map((l) => ({ language: l, scopes: scopes(l === "vmx-gas" ? "gas" : "nasm") })),
  };
}

/**
 * `$vmx-lint` for tasks running `vmx lint` (text format `file:line:col: severity code: message`), so CI-style
 * lint runs land in the Problems panel too.
 */
export const LINT_PROBLEM_MATCHER = {
  name: "vmx-lint",
  owner: "vmx",
  source: "vmx lint",
  fileLocation: ["autoDetect", launchVariable("workspaceFolder")],
  pattern: {
    regexp: "^(.+?):(\\d+):(\\d+): (error|warning|information|hint) ([\\w-]+): (.*)$",
    file: 1,
    line: 2,
    column: 3,
    severity: 4,
    code: 5,
    message: 6,
  },
};

export function buildContributes(inputs: ManifestInputs): Json {
  const C = COMMANDS;
  return {
    activationEvents: [
      "onLanguage:vmx-gas",
      "onLanguage:vmx-nasm",
      "onDebugResolve:vmx",
      "onDebugDynamicConfigurations:vmx",
    ],
    contributes: {
      languages: [
        {
          id: "vmx-gas",
          aliases: ["GAS (VMX)", "vmx-gas"],
          extensions: [".s", ".S"],
          configuration: "./language/vmx-gas.language-configuration.json",
        },
        {
          id: "vmx-nasm",
          aliases: ["NASM (VMX)", "vmx-nasm"],
          extensions: [".asm", ".nasm", ".inc"],
          configuration: "./language/vmx-nasm.language-configuration.json",
        },
      ],
      grammars: LANGS.map((l) => ({ language: l, scopeName: `source.${l}`, path: `./syntaxes/${l}.tmLanguage.json` })),
      snippets: LANGS.map((l) => ({ language: l, path: `./snippets/${l}.json` })),
      breakpoints: LANGS.map((l) => ({ language: l })),
      ...semanticTokens(inputs),
      debuggers: [
        {
          type: "vmx",
          label: "VMX Emulator",
          languages: [...LANGS],
          configurationAttributes: {
            launch: { required: ["program"], properties: launchAttributes(inputs) },
          },
          initialConfigurations: [
            {
              type: "vmx",
              request: "launch",
              name: "Debug current assembly file",
              program: launchVariable("file"),
              stopOnEntry: false,
            },
          ],
          configurationSnippets: [
            {
              label: "VMX: Debug current file",
              description: "Assemble and debug the active .s/.asm file on the emulator",
              body: {
                type: "vmx",
                request: "launch",
                name: "Debug current assembly file",
                program: `^"\\${launchVariable("file")}"`,
              },
            },
            {
              label: "VMX: Debug a hypervisor (stop on every VM exit)",
              description: "Stop on every VM exit and log each one to the Debug Console",
              body: {
                type: "vmx",
                request: "launch",
                name: "Debug hypervisor",
                program: `^"\\${launchVariable("workspaceFolder")}/${launchVariable("1:hypervisor.asm")}"`,
                breakOn: ["vmExit", "vmEntryFailure", "vmFail", "tripleFault"],
                trace: true,
              },
            },
            {
              label: "VMX: Debug a boot sector (real mode)",
              description: "Start in 16-bit real mode",
              body: {
                type: "vmx",
                request: "launch",
                name: "Debug boot sector",
                program: `^"\\${launchVariable("workspaceFolder")}/${launchVariable("1:boot.asm")}"`,
                start: "real16",
                stopOnEntry: true,
              },
            },
          ],
        },
      ],
      views: {
        debug: [
          { id: VIEWS.vmcs, name: "VMCS", contextualTitle: "VMX Workbench", icon: "$(circuit-board)" },
          { id: VIEWS.exitHistory, name: "VM-Exit History", contextualTitle: "VMX Workbench", icon: "$(history)" },
        ],
      },
      viewsWelcome: [
        {
          view: VIEWS.vmcs,
          when: "debugType != vmx",
          contents: `No VMX debug session is running.\nOpen a GAS (.s) or NASM (.asm) hypervisor program and press F5: the current VMCS appears here at every stop, grouped as in the SDM, with changed fields highlighted.\n[Debug File in Emulator](command:${C.debugFile.id})\n[Open an Example Program](command:${C.openExample.id})`,
        },
        {
          view: VIEWS.exitHistory,
          when: "debugType != vmx",
          contents:
            "No VMX debug session is running. While one runs, every VM exit is listed here (reason, qualification, guest RIP, instruction count); click one to go back to it.",
        },
        {
          view: VIEWS.exitHistory,
          when: "debugType == vmx",
          contents: "No VM exits yet.",
        },
      ],
      commands: Object.values(C).map((c: CommandInfo) => command(c)),
      problemMatchers: [LINT_PROBLEM_MATCHER],
      menus: menus(),
      configuration: configuration(inputs),
      colors: [
        {
          id: COLORS.entryFailureLine,
          description: "Background of the VMLAUNCH/VMRESUME line whose VM entry failed.",
          defaults: { dark: "#f1414133", light: "#f1414126", highContrast: "#f1414155" },
        },
        {
          id: COLORS.vmwriteFailureLine,
          description: "Background of a VMWRITE line that set a field the failed VM entry rejected.",
          defaults: { dark: "#cca70033", light: "#cca70026", highContrast: "#cca70055" },
        },
        {
          id: COLORS.changedValue,
          description: "VMCS view: fields and bits that changed since the last stop.",
          defaults: { dark: "#e2c08d", light: "#895503", highContrast: "#e2c08d" },
        },
      ],
      walkthroughs: [
        {
          id: "vmx.gettingStarted",
          title: "Get started with VMX Workbench",
          description: "Write, check and debug VT-x hypervisor code without a VT-x machine.",
          steps: [
            {
              id: "openExample",
              title: "Open an example hypervisor",
              description: `Open one of the example programs (GAS or NASM). They bring up VMX, build a VMCS and launch a guest.\n[Open an Example](command:${C.openExample.id})`,
              media: { markdown: "walkthrough/open-example.md" },
              completionEvents: [`onCommand:${C.openExample.id}`, "onLanguage:vmx-nasm", "onLanguage:vmx-gas"],
            },
            {
              id: "diagnostics",
              title: "See VMX diagnostics",
              description: `The language server checks every VMREAD/VMWRITE, RDMSR/WRMSR and VMX control value against the selected CPU model. Hover an encoding to see its field.\n[Show Problems](command:workbench.actions.view.problems)\n[Select CPU Model](command:${C.selectCpuModel.id})`,
              media: { markdown: "walkthrough/diagnostics.md" },
              completionEvents: ["onCommand:workbench.actions.view.problems"],
            },
            {
              id: "debug",
              title: "Press F5",
              description: `F5 assembles the open file and runs it on the emulator, with breakpoints, stepping into VMLAUNCH, and stepping back.\n[Debug File in Emulator](command:${C.debugFile.id})`,
              media: { markdown: "walkthrough/debug.md" },
              completionEvents: ["onDebug"],
            },
            {
              id: "vmcs",
              title: "Watch the VMCS",
              description: `The VMCS view in Run and Debug shows every field of the current VMCS with decoded bits; the VM-Exit History lists each exit.\n[Show the VMCS View](command:${VIEWS.vmcs}.focus)`,
              media: { markdown: "walkthrough/vmcs.md" },
              completionEvents: [`onView:${VIEWS.vmcs}`],
            },
          ],
        },
      ],
    },
    capabilities: {
      untrustedWorkspaces: {
        supported: "limited",
        description:
          "In Restricted Mode VMX Workbench only analyses code (diagnostics, hovers, completion); running and debugging programs are disabled, and vmx.includePaths from the workspace is ignored.",
        restrictedConfigurations: ["vmx.includePaths"],
      },
      virtualWorkspaces: {
        supported: false,
        description: "The language server and the emulator read source files from disk.",
      },
    },
  };
}
