// arch/: the Intel SDM as data plus small pure functions. Everything else imports from here.

export * from "./bits";
export * from "./capabilities";
export * from "./controls";
export * from "./cpu-models";
export * from "./exit-reasons";
export * from "./format";
export * from "./msrs";
export * from "./registers";
export * from "./vmcs-encoding";
export * from "./vmcs-fields";
export * from "./vmx-formats";
