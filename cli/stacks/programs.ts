/**
 * The Pulumi programs and the plan-time pieces of the platform's, each loaded only when
 * called: a program must load after the offline mocks are in place (Pulumi docs, "Unit
 * testing": the mocks are set before the program's modules are required).
 */
/** The platform program (stacks/platform/program.ts). */
export async function platformProgram(): Promise<typeof import("../../stacks/platform/program").program> {
  return (await import("../../stacks/platform/program")).program;
}

/** The backup storage program (stacks/backup-storage/program.ts). */
export async function storageProgram(): Promise<typeof import("../../stacks/backup-storage/program").program> {
  return (await import("../../stacks/backup-storage/program")).program;
}

/** How the platform composes its layers and classifies namespaces, without deploying. */
export function platformComposition(): Promise<typeof import("../../stacks/platform/composition")> {
  return import("../../stacks/platform/composition");
}

/** Which storage stacks a platform stack reads, and how. */
export function platformStorage(): Promise<typeof import("../../stacks/platform/storage")> {
  return import("../../stacks/platform/storage");
}

/** The check that no backup outlives the storage's lock. */
export function backupLock(): Promise<typeof import("../../stacks/platform/backupLock")> {
  return import("../../stacks/platform/backupLock");
}
