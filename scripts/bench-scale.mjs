#!/usr/bin/env node
// Scaling of `phoenix plan --all`: repository copies holding 1, 5, 10 and 50 region
// stacks (prod plus replicas written by `phoenix replicate --write-only`, each with its
// own backup storage stack), each planned in one process. With --peer DIR (the
// cdk-eks-blueprints bench, installed as its README says), the peer's synth of as many
// regions runs in alternation with it. A benchmark that prints figures, not a test.
//
//   npm run build && node scripts/bench-scale.mjs [--counts 1,5,10,50] [--runs 5] [--peer /tmp/peer-cdk]
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const counts = arg("--counts", "1,5,10,50").split(",").map(Number);
const runs = Number(arg("--runs", "5"));
const peer = arg("--peer", undefined);
const phoenix = join(root, "dist", "cli", "run.js");
// Regions of the commercial partition to spread replicas over (replicas may share one).
const REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-2",
  "eu-central-1",
  "eu-west-2",
  "eu-north-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "ca-central-1",
  "sa-east-1",
];

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: "utf8", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")}: ${r.stderr}`);
  return r;
}

function repository(stacks) {
  const dir = mkdtempSync(join(tmpdir(), `phoenix-scale-${stacks}-`));
  const storage = join("stacks", "backup-storage");
  mkdirSync(join(dir, storage), { recursive: true });
  for (const f of ["Pulumi.yaml", "Pulumi.prod.yaml", "package.json"]) copyFileSync(join(root, f), join(dir, f));
  for (const f of readdirSync(join(root, storage)).filter((f) => f === "Pulumi.yaml" || f === "Pulumi.prod.yaml"))
    copyFileSync(join(root, storage, f), join(dir, storage, f));
  for (let i = 1; i < stacks; i++) {
    sh(process.execPath, [
      phoenix,
      "--root",
      dir,
      "replicate",
      "--from",
      "prod",
      "--region",
      REGIONS[i % REGIONS.length],
      "--stack",
      `r${i}`,
      "--write-only",
    ]);
  }
  return dir;
}

function time(cmd, argv, env = {}) {
  const t = process.hrtime.bigint();
  sh(cmd, argv, { env: { ...process.env, ...env } });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(
  `phoenix plan --all, whole process, median of ${runs} runs${peer ? ", in alternation with the peer's synth of as many regions" : ""}`,
);
console.log(
  ["regions", "stacks planned", "phoenix", "per region", ...(peer ? ["peer", "ratio"] : [])]
    .map((h) => h.padStart(14))
    .join(""),
);
for (const n of counts) {
  const dir = repository(n);
  const ours = [];
  const theirs = [];
  const regions = Array.from({ length: n }, (_, i) => REGIONS[i % REGIONS.length]).join(",");
  for (let i = 0; i < runs; i++) {
    ours.push(time(process.execPath, [phoenix, "--root", dir, "plan", "--all"]));
    // The peer names a stack per region: it can only synthesize distinct regions.
    if (peer && n <= REGIONS.length) theirs.push(time("npx", ["tsx", join(peer, "app.ts")], { REGIONS: regions }));
  }
  const m = median(ours);
  const cells = [String(n), String(2 * n), `${m.toFixed(0)} ms`, `${(m / n).toFixed(0)} ms`];
  if (peer)
    cells.push(
      ...(theirs.length > 0 ? [`${median(theirs).toFixed(0)} ms`, (m / median(theirs)).toFixed(2)] : ["n/a", "n/a"]),
    );
  console.log(cells.map((c) => c.padStart(14)).join(""));
}
