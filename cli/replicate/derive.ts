/**
 * Derives a new region's stack files from a source stack's (pure: text in, text out).
 * Every key it changes carries a comment saying where the value came from; everything
 * else is the source's, comments included. The refusals are the usage errors
 * `phoenix replicate` exits 2 with, each naming the fix.
 */
import { isMap, isScalar, parseDocument, type Document } from "yaml";
import { formatCidr, parseCidr, type Cidr } from "../../components/cluster/network";
import { regionInfo } from "../../components/regions";
import { BACKUP_STORAGE_PROJECT, parseStackName, standbySystemNodes, storageStackName } from "../stacks/names";
import { stackFileText } from "../stacks/stackFile";
import { UsageError } from "../shared/errors";

/** What the user asked for. */
export interface ReplicaRequest {
  /** Source platform stack. */
  readonly from: string;
  /** The new stack's name. */
  readonly stack: string;
  /** The new stack's region. */
  readonly region: string;
  /** The new VPC block, when given (`--cidr`). */
  readonly cidr?: string;
  /**
   * `backup-restore` (the default): a stack to deploy when it is needed. `pilot-light`: a
   * standby deployed and kept at its system nodes (`phoenix:standby`), promoted by `recover`.
   */
  readonly strategy?: Strategy;
}

/** How a replica stands by; `backup-restore` writes no standby key. */
export const STRATEGIES = ["backup-restore", "pilot-light"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** What the repository holds already. */
export interface ExistingStacks {
  /** Platform project name (Pulumi.yaml `name`). */
  readonly project: string;
  /** Platform stacks with their VPC blocks (the schema's default when a file sets none). */
  readonly platform: readonly { readonly stack: string; readonly cidr: string }[];
  /** Backup storage stacks. */
  readonly storage: readonly string[];
}

/** The derived files and what was derived. */
export interface DerivedReplica {
  readonly platformText: string;
  readonly storageText: string;
  readonly cidr: string;
  /** The source's storage stack the new stack restores from, read-only (its replica). */
  readonly restoreFrom: string;
  /** Config paths holding secrets, as `pulumi config --path` names them: re-encrypted by `--preview`/`--yes`. */
  readonly secretPaths: readonly string[];
  /** The source's secrets provider (`secretsprovider` in its stack file), when it names one. */
  readonly secretsProvider?: string;
}

/** Marks a secret a derived file still holds in its source's encryption; `phoenix up` refuses such a file. */
export const NOT_REENCRYPTED = "not yet re-encrypted for this stack";

/** Default VPC block of a stack file that sets none (stacks/platform/config/network.ts). */
export const DEFAULT_VPC_CIDR = "10.0.0.0/16";

/** Per-stack key material `pulumi stack init` makes anew: never copied. */
const STACK_KEY_MATERIAL = ["encryptedkey", "encryptionsalt"];

function overlaps(a: Cidr, b: Cidr): boolean {
  const size = (c: Cidr): number => 2 ** (32 - c.prefix);
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/**
 * The first block of the source's size inside 10.0.0.0/8 that overlaps no stack file's
 * block: regions that are never peered today may be tomorrow, and a VPN into both must
 * not see one address twice.
 */
export function freeBlock(prefix: number, taken: readonly string[]): string | undefined {
  const used = taken.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const space = parseCidr("10.0.0.0/8") as Cidr;
  const step = 2 ** (32 - prefix);
  for (let base = space.base; base + step <= space.base + 2 ** 24; base += step) {
    const candidate = { base: base >>> 0, prefix };
    if (!used.some((u) => overlaps(u, candidate))) return formatCidr(candidate);
  }
  return undefined;
}

/** Checks the request against the repository; throws the usage error that names the fix. */
export function checkRequest(req: ReplicaRequest, existing: ExistingStacks, sourceRegion: string): void {
  const names = existing.platform.map((p) => p.stack);
  if (!/^[A-Za-z0-9_.-]+$/.test(req.stack))
    throw new UsageError(`--stack ${req.stack}: not a stack name: use letters, digits, '-', '_' and '.'`);
  if (!names.includes(req.from)) {
    throw new UsageError(
      `--from ${req.from}: no such stack (no Pulumi.${req.from}.yaml). Known stacks: ${names.join(", ") || "none"}`,
    );
  }
  if (names.includes(req.stack))
    throw new UsageError(
      `--stack ${req.stack}: Pulumi.${req.stack}.yaml exists already: choose a new stack name, such as ${req.stack}-2`,
    );
  if (existing.storage.includes(req.stack)) {
    throw new UsageError(
      `--stack ${req.stack}: stacks/backup-storage/Pulumi.${req.stack}.yaml exists already (another region's backups): choose a new stack name`,
    );
  }
  const target = regionInfo(req.region);
  if (target === undefined) {
    throw new UsageError(
      `--region ${req.region}: not a region AWS lists (checked against the AWS SDK's partitions table): check the spelling, such as us-east-1`,
    );
  }
  if (req.region === sourceRegion) {
    throw new UsageError(
      `--region ${req.region}: that is ${req.from}'s own region: a replica must live in another region, such as ${req.region.startsWith("us-") ? "eu-west-1" : "us-east-1"}`,
    );
  }
  const home = regionInfo(sourceRegion);
  if (home !== undefined && home.partition !== target.partition) {
    throw new UsageError(
      `--region ${req.region}: in partition ${target.partition}, but ${req.from} is in ${home.partition}: backups and IAM cannot cross partitions; choose a region of ${home.partition}`,
    );
  }
  if (req.cidr !== undefined) {
    const block = parseCidr(req.cidr);
    if (block === undefined || block.prefix < 16 || block.prefix > 20) {
      throw new UsageError(
        `--cidr ${req.cidr}: must be an IPv4 block from /16 to /20 with no host bits set, such as 10.30.0.0/16`,
      );
    }
    const clash = existing.platform.find((p) => {
      const other = parseCidr(p.cidr);
      return other !== undefined && overlaps(other, block);
    });
    if (clash)
      throw new UsageError(
        `--cidr ${req.cidr}: overlaps ${clash.cidr} of Pulumi.${clash.stack}.yaml: leave --cidr out for a free block, or choose one that overlaps no stack`,
      );
  }
}

/** The source's own header describes the source: dropped, wherever the parser attached it. */
function dropHeader(doc: Document): void {
  doc.commentBefore = null;
  if (isMap(doc.contents)) {
    doc.contents.commentBefore = undefined;
    const first = doc.contents.items[0];
    if (first && isScalar(first.key)) first.key.commentBefore = undefined;
  }
}

/** Sets a key and says where its value came from. */
function derive(doc: Document, path: readonly string[], value: string, why: string): void {
  const old = doc.getIn(["config", ...path]);
  doc.setIn(["config", ...path], value);
  const node = doc.getIn(["config", ...path], true);
  if (isScalar(node)) node.comment = ` derived: ${why}`;
  // A comment above the key that names the old value would now be false: it names the new
  // one. yaml keeps it on the key, or on the map when the key is the map's first.
  if (typeof old !== "string" || old === "" || old === value) return;
  // The old value as a whole word: phoenix-prod is not part of phoenix-production.
  const word = new RegExp(`(?<![\\w./-])${old.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w/-])`, "g");
  const parent = doc.getIn(["config", ...path.slice(0, -1)], true);
  if (!isMap(parent)) return;
  const index = parent.items.findIndex((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  const key = parent.items[index]?.key;
  for (const holder of [isScalar(key) ? key : undefined, index === 0 ? parent : undefined]) {
    if (holder?.commentBefore && word.test(holder.commentBefore))
      holder.commentBefore = `${holder.commentBefore.replace(word, value)}\n (${old} in the source: rewritten with the value above)`;
    word.lastIndex = 0;
  }
}

/** Paths (`key.sub.leaf`) of every `secure:` leaf under config, with the flat key first. */
export function securePaths(doc: Document): string[] {
  const out: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      if (node.items.length === 1 && isScalar(node.items[0].key) && node.items[0].key.value === "secure") {
        out.push(path);
        return;
      }
      for (const item of node.items)
        walk(
          item.value,
          path
            ? `${path}.${String(isScalar(item.key) ? item.key.value : item.key)}`
            : String(isScalar(item.key) ? item.key.value : item.key),
        );
    }
  };
  walk(doc.get("config", true), "");
  return out;
}

/** The value at a config path of a parsed stack file. */
function configValue(doc: Document, path: readonly string[]): unknown {
  return doc.getIn(["config", ...path]);
}

/**
 * Derives the new stack's platform and backup storage files.
 * `sourceStorageText` is the source's storage stack file, when the repository has it.
 */
export function deriveReplica(
  req: ReplicaRequest,
  existing: ExistingStacks,
  sourceText: string,
  sourceStorageText: string | undefined,
): DerivedReplica {
  const doc = parseDocument(sourceText);
  const region = configValue(doc, ["aws:region"]);
  const sourceRegion = typeof region === "string" ? region : "";
  checkRequest(req, existing, sourceRegion);
  const p = existing.project;
  const cidrValue = configValue(doc, [`${p}:network`, "cidr"]);
  const sourceCidr = typeof cidrValue === "string" ? cidrValue : DEFAULT_VPC_CIDR;
  const prefix = parseCidr(sourceCidr)?.prefix ?? 16;
  const cidr =
    req.cidr ??
    freeBlock(
      prefix,
      existing.platform.map((s) => s.cidr),
    );
  if (cidr === undefined) throw new UsageError(`no free /${prefix} block left in 10.0.0.0/8: give --cidr`);

  dropHeader(doc);
  doc.commentBefore = ` Derived from Pulumi.${req.from}.yaml by \`phoenix replicate --from ${req.from} --region ${req.region} --stack ${req.stack}\`.\n Keys marked "derived" were changed; everything else is ${req.from}'s, as it was.`;
  for (const k of STACK_KEY_MATERIAL) doc.delete(k);
  const secretsProvider = doc.get("secretsprovider");

  derive(doc, ["aws:region"], req.region, `--region (${req.from}: ${sourceRegion})`);
  const sourceName = configValue(doc, [`${p}:cluster`, "name"]);
  derive(
    doc,
    [`${p}:cluster`, "name"],
    `${p}-${req.stack}`,
    `<project>-<stack> (${req.from}: ${typeof sourceName === "string" ? sourceName : `${p}-${req.from}`})`,
  );
  derive(
    doc,
    [`${p}:network`, "cidr"],
    cidr,
    req.cidr ? "--cidr" : `first free /${prefix} in 10.0.0.0/8 overlapping no stack file (${req.from}: ${sourceCidr})`,
  );
  const gitopsPath = configValue(doc, [`${p}:gitops`, "path"]);
  if (typeof gitopsPath === "string" && gitopsPath.includes(sourceRegion)) {
    derive(
      doc,
      [`${p}:gitops`, "path"],
      gitopsPath.split(sourceRegion).join(req.region),
      `follows the region (${req.from}: ${gitopsPath})`,
    );
  }
  // The source's own backups: read-only, from its DR replica (outside the source's region).
  // Named as the source names its storage; by default `<project>/<stack>`, in whatever
  // organization the backend has (Pulumi Cloud or the DIY backends' `organization`).
  const sourceStorageRef = configValue(doc, [`${p}:backups`, "storage", "stack"]);
  const restoreFrom = typeof sourceStorageRef === "string" ? sourceStorageRef : `${BACKUP_STORAGE_PROJECT}/${req.from}`;
  derive(
    doc,
    [`${p}:backups`, "restoreFrom", "stack"],
    restoreFrom,
    `${req.from}'s backup storage, read-only through its DR replica`,
  );
  if (typeof sourceStorageRef === "string") {
    const parts = parseStackName(sourceStorageRef);
    const own = parts?.organization
      ? storageStackName(parts.organization, req.stack)
      : `${BACKUP_STORAGE_PROJECT}/${req.stack}`;
    derive(doc, [`${p}:backups`, "storage", "stack"], own, "this stack's own backup storage");
  }
  if (req.strategy === "pilot-light") standBy(doc, p, req);
  const secretPaths = securePaths(doc);
  for (const path of secretPaths) {
    const node = doc.getIn(["config", ...splitPath(path)], true);
    if (isMap(node))
      node.comment = ` ${req.from}'s ciphertext: ${NOT_REENCRYPTED} (phoenix replicate --from ${req.from} --stack ${req.stack} --resume --yes)`;
  }

  return {
    platformText: stackFileText(doc, sourceText),
    storageText: deriveStorage(req, sourceRegion, sourceStorageText),
    cidr,
    restoreFrom,
    secretPaths,
    ...(typeof secretsProvider === "string" ? { secretsProvider } : {}),
  };
}

/**
 * Makes the new stack a pilot-light standby: system nodes only (three when the source's
 * Argo CD is highly available, whose Redis replicas need a node each), promoted by `recover`.
 */
function standBy(doc: Document, p: string, { from, stack }: ReplicaRequest): void {
  const ha = doc.getIn(["config", `${p}:plugins`, "argocd", "ha"]) === true;
  const node = doc.createNode({
    strategy: "pilot-light",
    systemNodes: { ...standbySystemNodes(ha) },
    promoted: false,
  });
  node.commentBefore = ` derived: --strategy pilot-light: deployed and kept with ${from}'s node groups at zero, only these system nodes\n running${ha ? " (three: Argo CD's Redis HA needs a node per replica)" : ""}, DNS left to ${from}, no backups of its own;\n \`phoenix recover --stack ${stack}\` promotes it (promoted: true).`;
  doc.setIn(["config", `${p}:standby`], node);
}

/** `phoenix:gitops.credentials.token` -> [`phoenix:gitops`, `credentials`, `token`]: the flat key keeps its colon. */
export function splitPath(path: string): string[] {
  return path.split(".");
}

/** The new region's own backup storage: the source's settings, this region, a DR copy in the source's region. */
function deriveStorage(req: ReplicaRequest, sourceRegion: string, sourceStorageText: string | undefined): string {
  const s = BACKUP_STORAGE_PROJECT;
  const doc = parseDocument(sourceStorageText ?? "config: {}\n");
  dropHeader(doc);
  doc.commentBefore = ` Backup storage of the ${req.stack} platform stack, derived from ${sourceStorageText ? `Pulumi.${req.from}.yaml` : "the defaults"} by \`phoenix replicate\`.\n Keys marked "derived" were changed.`;
  for (const k of STACK_KEY_MATERIAL) doc.delete(k);
  // Only a moved stack has old names to alias; a new one has none.
  doc.deleteIn(["config", `${s}:movedFromPrefix`]);
  derive(doc, ["aws:region"], req.region, "--region");
  derive(
    doc,
    [`${s}:replication`, "region"],
    sourceRegion,
    `${req.from}'s region: this region's backups survive its loss too`,
  );
  return stackFileText(doc, sourceStorageText);
}
