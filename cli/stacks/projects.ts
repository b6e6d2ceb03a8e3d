/**
 * The repository's Pulumi projects, as the commands see them: the platform at the root
 * and the backup storage under stacks/backup-storage. A stack is named by project and
 * stack; `<project>.<stack>` names its plan file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks } from "./stackFile";

/** Which of the two projects. */
export type ProjectKind = "platform" | "storage";

/** A project folder of the repository. */
export interface ProjectDir {
  readonly kind: ProjectKind;
  /** Its folder, absolute. */
  readonly dir: string;
}

/** The folder of the backup storage project, relative to the repository root. */
export const STORAGE_DIR = path.join("stacks", "backup-storage");

/**
 * The repository root: the nearest folder above `from` holding both Pulumi.yaml and
 * package.json. Found, not assumed, because the commands run from sources (tests) and
 * from their build (dist/) alike.
 */
export function repositoryRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`no Phoenix repository (Pulumi.yaml beside package.json) above ${from}`);
  }
}

/** Both projects of the repository at `root`. */
export function projects(root: string): { platform: ProjectDir; storage: ProjectDir } {
  return { platform: { kind: "platform", dir: root }, storage: { kind: "storage", dir: path.join(root, STORAGE_DIR) } };
}

/** Every stack of both projects: storage first (the platform reads it). */
export function allStacks(root: string): { project: ProjectDir; stack: string }[] {
  const { platform, storage } = projects(root);
  return [
    ...listStacks(storage.dir).map((stack) => ({ project: storage, stack })),
    ...listStacks(platform.dir).map((stack) => ({ project: platform, stack })),
  ];
}
