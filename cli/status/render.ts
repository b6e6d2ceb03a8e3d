/** `phoenix status` as a person reads it: one block per stack, its problems last. */
import { table } from "../shared/table";
import { lockText, type BackupFact, type StackStatus, type StatusDocument } from "./model";

/** An age as `3d 4h`, `2h 05m`, `12m`. */
export function age(seconds: number): string {
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Bytes in binary units, as S3's console shows them. */
export function size(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

const cells = (b: BackupFact | undefined): string[] =>
  b ? [b.name, age(b.ageSeconds), size(b.bytes), b.items === undefined ? "-" : String(b.items)] : ["none", "", "", ""];

function backupsLines(s: StackStatus): string[] {
  const rows = s.schedules.map((sc) => [sc.schedule, ...cells(sc.primary), ...cells(sc.replica)]);
  return table(
    ["SCHEDULE", "PRIMARY NEWEST", "AGE", "SIZE", "ITEMS", "REPLICA NEWEST (WHOLE)", "AGE", "SIZE", "ITEMS"],
    rows,
    "  ",
  );
}

function drillLine(s: StackStatus): string {
  const running = s.runningDrills.length > 0 ? `; running now: ${s.runningDrills.join(", ")}` : "";
  return `  Last drill:   ${lastDrill(s)}${running}`;
}

function lastDrill(s: StackStatus): string {
  const d = s.lastDrill;
  if (!d) return "none on record";
  const rto = d.rtoSeconds === undefined ? "" : `, RTO ${age(d.rtoSeconds)}`;
  const rpo = d.rpoSeconds === undefined ? "" : `, RPO ${age(d.rpoSeconds)}`;
  const passing =
    s.lastPassingDrill && s.lastPassingDrill.id !== d.id
      ? `; last passing ${s.lastPassingDrill.id} (${s.lastPassingDrill.startedAt})`
      : "";
  return `${d.id} ${d.startedAt} ${d.outcome}${rto}${rpo}${passing} (at most ${s.maxDrillAgeDays} days old)`;
}

function stackLines(s: StackStatus): string[] {
  const role = s.role === "primary" ? "primary" : `${s.role} of ${s.restoresFrom ?? "?"}`;
  const [p, r] = [s.buckets.primary, s.buckets.replica];
  const rpo =
    s.rpoNow.seconds === undefined
      ? `unknown (${s.rpoNow.note})`
      : `${age(s.rpoNow.seconds)} (${s.rpoNow.note}) against ${s.rpoNow.targetMinutes}m`;
  const lag = s.lagSeconds !== undefined ? `lag ${age(s.lagSeconds)}` : "lag unknown";
  const replication =
    r?.error === undefined && r !== undefined
      ? `${lag}${s.lagNote ? ` (${s.lagNote})` : ""}; in flight: ${s.inFlight.length === 0 ? "nothing" : s.inFlight.map((f) => `${f.name} (${age(f.ageSeconds)}, ${f.missing})`).join(", ")}`
      : "unknown (the replica is not read)";
  return [
    `${s.stack} (${s.region}, ${role}): backups in ${s.storageStack}`,
    ...(s.schedules.length > 0 ? backupsLines(s) : []),
    `  Buckets:      ${p || r ? `primary ${p ? `${p.location}, Object Lock ${lockText(p.lock)}` : "unknown"}; replica ${r ? `${r.location}, Object Lock ${lockText(r.lock)}` : "none"}` : "unknown"}`,
    `  Replication:  ${replication}`,
    `  RPO now:      ${rpo}`,
    drillLine(s),
    ...(s.drift
      ? [
          `  Drift:        ${s.drift.error ? `unknown (${s.drift.error})` : `${s.drift.unexplained.length} unexplained, ${s.drift.explained} derived by replication, ${s.drift.accepted} accepted`}`,
        ]
      : []),
    ...(s.problems.length === 0 ? ["  OK"] : s.problems.map((m) => `  PROBLEM: ${m}`)),
  ];
}

/** The whole answer as text. */
export function renderStatus(doc: StatusDocument): string {
  const blocks = doc.stacks.map((s) => stackLines(s).join("\n"));
  const verdict =
    doc.problems === 0
      ? `status: every target met (${doc.stacks.length} stack${doc.stacks.length === 1 ? "" : "s"})`
      : `status: ${doc.problems} problem${doc.problems === 1 ? "" : "s"}`;
  return [...blocks, verdict].join("\n\n") + "\n";
}
