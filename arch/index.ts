// arch/: the Intel SDM as data plus small pure functions. Everything else imports from here.

export * from "./vmcs-encoding";
export * from "./vmcs-fields";
