/**
 * Child processes started by tests. Every process is registered here the moment it is spawned
 * and SIGKILLed when the test process exits, so a failing or interrupted test never leaves a
 * redis-server or relay behind. Tests still stop what they start (afterAll / afterEach).
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  installExitHook();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Sends `signal` and resolves once the process has exited (SIGKILL after `graceMs`). */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A free TCP port on 127.0.0.1 (bound and released; the caller binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  server.close();
  await once(server, "close");
  if (!port) throw new Error("could not obtain a free port");
  return port;
}

/**
 * Resolves when `child` prints a line matching `ready` on stdout or stderr; rejects when it exits
 * first or `timeoutMs` passes. The output seen so far is kept for the error message.
 */
export async function waitForOutput(child: ChildProcess, ready: RegExp, timeoutMs: number): Promise<void> {
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) done(null);
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`process exited (code ${code}, signal ${signal}) before it was ready:\n${output}`));
    const timer = setTimeout(
      () => done(new Error(`process not ready after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const done = (error: Error | null) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}
