#!/usr/bin/env node
// Times whole commands in alternation (A, B, C, A, B, C, ...) so that drift in the
// machine's load falls on all of them alike, and prints each one's median, min and max
// wall time and its ratio to the first. A benchmark that prints figures, not a test.
//
//   node scripts/bench.mjs [--runs N] [--warmup N] 'label=command' 'label=command' ...
//   node scripts/bench.mjs --runs 15 'phoenix=node cli/phoenix.cjs plan --stack prod' 'old=cd /tmp/old && npm run -s plan -- --stack prod'
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
let runs = 10;
let warmup = 2;
const commands = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runs") runs = Number(args[++i]);
  else if (args[i] === "--warmup") warmup = Number(args[++i]);
  else {
    const eq = args[i].indexOf("=");
    if (eq < 1) throw new Error(`expected label=command, got ${args[i]}`);
    commands.push({ label: args[i].slice(0, eq), command: args[i].slice(eq + 1), times: [] });
  }
}
if (commands.length === 0) {
  console.error("usage: node scripts/bench.mjs [--runs N] [--warmup N] 'label=command' ...");
  process.exit(2);
}

function once(command) {
  const started = process.hrtime.bigint();
  const r = spawnSync("sh", ["-c", command], { stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${command} exited ${r.status}: ${r.stderr}`);
  return ms;
}

for (let i = 0; i < warmup; i++) for (const c of commands) once(c.command);
for (let i = 0; i < runs; i++) for (const c of commands) c.times.push(once(c.command));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(commands[0].times);
console.log(`${runs} runs each, in alternation, after ${warmup} warm-up round(s); wall time of the whole process`);
console.log(
  [
    "label".padEnd(16),
    "median".padStart(9),
    "min".padStart(9),
    "max".padStart(9),
    `ratio to ${commands[0].label}`.padStart(18),
  ].join(" "),
);
for (const c of commands) {
  const m = median(c.times);
  console.log(
    [
      c.label.padEnd(16),
      `${m.toFixed(0)} ms`.padStart(9),
      `${Math.min(...c.times).toFixed(0)} ms`.padStart(9),
      `${Math.max(...c.times).toFixed(0)} ms`.padStart(9),
      (m / base).toFixed(2).padStart(18),
    ].join(" "),
  );
}
