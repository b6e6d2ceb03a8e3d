/** What the report says of a namespace's claims: in the Markdown and the HTML alike. */
import type { PvcFinding } from "./compare";

/** A namespace's claims in a line: how many came back with their data, and how many empty because their pods opted out. */
export function volumesCell(pvcs: readonly PvcFinding[]): string {
  if (pvcs.length === 0) return "none";
  const excluded = pvcs.filter((x) => x.volumeRestore === "excluded").length;
  const restored = pvcs.filter((x) => x.ok && x.volumeRestore !== "excluded").length;
  return `${restored}/${pvcs.length} restored${excluded ? `, ${excluded} excluded by its pod` : ""}`;
}

/** A claim back without data: a failure, or a volume its pod opted out of the backup (shown, though it passes). */
export function withoutData(x: PvcFinding): boolean {
  return !x.ok || x.volumeRestore === "excluded";
}

/** Why a claim did not come back with its data. */
export function pvcText(x: PvcFinding): string {
  const data =
    x.volumeRestore === "none"
      ? "no pod volume restore: no pod mounted it when the backup ran, so kopia never copied its data"
      : x.volumeRestore === "excluded"
        ? "restored empty, as its pod asked: backup.velero.io/backup-volumes-excludes opted the volume out of the backup"
        : `pod volume restore ${x.volumeRestore}`;
  return `${x.phase}; ${data}`;
}
