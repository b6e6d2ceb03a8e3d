// `npm run test:unit`: every test file under test/, three at a time. Locally the output is
// compact (a dot per test, failures in full at the end) and the whole spec report goes to
// .phoenix/test-results.txt; under CI (CI set) the spec report is the log itself. The AWS
// SDK's Node-version notice is printed once here rather than once per test process
// (@aws-sdk/core emitWarningIfUnsupportedVersion warns once per process).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".test.ts") ? [join(dir, e.name)] : [],
  );
const tests = files(join(root, "test")).sort();

if (Number(process.versions.node.split(".")[0]) < 22) {
  process.stderr.write(
    `note: Node ${process.versions.node}: AWS SDK for JavaScript versions published after January 2027 require Node >=22; the pinned one supports this Node (https://a.co/c895JFp)\n`,
  );
}
mkdirSync(join(root, ".phoenix"), { recursive: true });
const reporters = process.env.CI
  ? ["--test-reporter=spec", "--test-reporter-destination=stdout"]
  : [
      "--test-reporter=dot",
      "--test-reporter-destination=stdout",
      "--test-reporter=spec",
      `--test-reporter-destination=${join(root, ".phoenix", "test-results.txt")}`,
    ];
const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=3", ...reporters, ...tests], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
});
if (!process.env.CI) {
  // The dot reporter lists TODO tests (expected to fail until their issue is fixed) under
  // "Failed tests": say which they are, beside the counts.
  const report = readFileSync(join(root, ".phoenix", "test-results.txt"), "utf8");
  const count = (k) => report.match(new RegExp(`^ℹ ${k} (\\d+)$`, "m"))?.[1] ?? "?";
  const todo = Number(count("todo"));
  process.stdout.write(
    `\n${count("pass")} passed, ${count("fail")} failed, ${count("todo")} todo${todo > 0 ? " (listed above with their reason after '#': known, not failures)" : ""}. Full report: .phoenix/test-results.txt\n`,
  );
}
process.exit(run.status ?? 1);
