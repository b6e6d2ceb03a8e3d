/**
 * The processes the harness starts: each logs to a file in the run's folder, and every
 * one is stopped (SIGTERM, then SIGKILL after a grace period) when the harness stops,
 * when the test process exits, or on Ctrl-C, so no process outlives a run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

/** A started process. */
export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
}

const running = new Set<Managed>();
const folders = new Set<string>();
let hooked = false;

/** Removes `dir` when the test process goes away, unless PHOENIX_E2E_KEEP is set (a Ctrl-C skips node:test's after hooks). */
export function removeOnExit(dir: string): string {
  hookExit();
  folders.add(dir);
  return dir;
}

/** Kills what is still running, and removes the run's folders, when the test process goes away, however it goes. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => {
    for (const m of running) if (m.child.pid !== undefined) killGroup(m.child.pid, "SIGKILL");
    if (process.env.PHOENIX_E2E_KEEP === undefined)
      for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole group, so a program's own children (Velero's plugins) go too.
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Starts `command args` in its own process group, its output appended to `<logDir>/<name>.log`. */
export function start(
  name: string,
  command: string,
  args: readonly string[],
  opts: { logDir: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Managed {
  hookExit();
  const log = path.join(opts.logDir, `${name}.log`);
  const fd = fs.openSync(log, "a");
  const child = spawn(command, args, {
    cwd: opts.cwd ?? opts.logDir,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", fd, fd],
    detached: true,
  });
  fs.closeSync(fd);
  // A binary that cannot start (missing, not executable) is reported in its log and by waitFor, not thrown at the process.
  child.on("error", (err) => fs.appendFileSync(log, `phoenix-e2e: cannot start ${command}: ${err.message}\n`));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const managed: Managed = {
    name,
    child,
    log,
    async stop() {
      running.delete(managed);
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      killGroup(child.pid, "SIGTERM");
      const timer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(managed);
  child.once("exit", () => running.delete(managed));
  return managed;
}

/** The last lines of a process's log, for an error message. */
export function tail(m: Managed, lines = 20): string {
  try {
    return fs.readFileSync(m.log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `ready` every 250 ms until it is true; fails naming `what`, with the process's log, if `m` exits or time runs out. */
export async function waitFor(
  what: string,
  ready: () => boolean | Promise<boolean>,
  m: Managed | undefined,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (m && (m.child.exitCode !== null || m.child.signalCode !== null))
      throw new Error(`${m.name} exited (${m.child.exitCode ?? m.child.signalCode}) before ${what}:\n${tail(m)}`);
    if (
      await Promise.resolve()
        .then(ready)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${m ? `:\n${tail(m)}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
