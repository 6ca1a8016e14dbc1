/**
 * `npm start` as a user runs it, for the tests of the playground's start script: spawned in its
 * own process group (npm → sh → tsx → node), so a test can press "Ctrl-C" the way a terminal does
 * (SIGINT to the whole group) and always kill every process it started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface PlaygroundProcess {
  readonly child: ChildProcess;
  /** Everything printed on stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches `pattern`; rejects if the process exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Resolves with the exit code once npm exited (rejects after `timeoutMs`). */
  exited(timeoutMs: number): Promise<number | null>;
  /** Sends `signal` to the whole process group (as a terminal's Ctrl-C does). */
  signal(signal: NodeJS.Signals): void;
  /** Kills whatever of the group is still running. Idempotent. */
  kill(): void;
}

const started = new Set<PlaygroundProcess>();
process.once("exit", () => {
  for (const p of started) p.kill();
});

/**
 * `via: "npm"` runs `npm start -- <args>` (npm's exit code is the script's, but npm itself dies on
 * a group SIGINT); `via: "node"` runs start.ts in one Node process with tsx as a loader
 * (`node --import tsx`), whose exit code after Ctrl-C is the playground's own. (The `tsx` CLI that
 * `npm start` uses waits only 2 × 30 ms for its child to acknowledge a signal before SIGKILLing
 * it, which a loaded machine misses.)
 */
export function startPlayground(args: readonly string[], via: "npm" | "node" = "npm"): PlaygroundProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, RELAY_LOG_LEVEL: "warn" };
  delete env.EVENT_BUS_REDIS_URL;
  delete env.EVENT_BUS_REDIS_CLUSTER;
  delete env.PLAYGROUND_TEST_HOOKS;
  const [command, prefix] =
    via === "npm"
      ? ["npm", ["start", "--"]]
      : [process.execPath, ["--import", "tsx", "playground/server/start.ts"]];
  const child = spawn(command, [...prefix, ...args], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // "close": the process exited and every process of the group that shared its pipes is gone too.
  const exit = once(child, "close").then(([code]) => code as number | null);
  const group = child.pid;
  const handle: PlaygroundProcess = {
    child,
    output: () => output,
    waitForOutput: (pattern, timeoutMs) => waitForOutput(handle, exit, pattern, timeoutMs),
    exited: (timeoutMs) => withTimeout(exit, timeoutMs, () => `npm start did not exit:\n${output}`),
    signal: (signal) => {
      if (group !== undefined) signalGroup(group, signal);
    },
    kill: () => {
      if (group !== undefined) signalGroup(group, "SIGKILL");
      started.delete(handle);
    },
  };
  started.add(handle);
  return handle;
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // the group is gone already
  }
}

function waitForOutput(
  p: PlaygroundProcess,
  exit: Promise<number | null>,
  pattern: RegExp,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(p.output())) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${p.output()}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      p.child.stdout?.off("data", check);
      p.child.stderr?.off("data", check);
    };
    p.child.stdout?.on("data", check);
    p.child.stderr?.on("data", check);
    void exit.then((code) => {
      done();
      reject(new Error(`npm start exited (${code}) before ${pattern}:\n${p.output()}`));
    });
    check();
  });
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(describe())), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
