/**
 * A relay in its own process — the real CLI (`event-bus relay`, run with tsx) — for multi-relay
 * tests and benchmarks. Registered with the harness so it is always killed when the test process
 * exits; stop() sends SIGTERM (graceful drain), kill() SIGKILL (a crash).
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { spawnTracked, stopProcess } from "../harness/processes.js";
import { TEST_SECRET } from "./relay-server.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LISTENING = /listening on (http:\/\/[^\s]+)/;

export interface RelayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRelayProcess(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<RelayProcess> {
  const child = spawnTracked(process.execPath, ["--import", "tsx", "relay/cli/main.ts", "relay"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: "warn",
      SUBSCRIPTION_LINGER: "100ms",
      ...env,
    },
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`relay not listening after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match?.[1]) done(match[1]);
    };
    const onExit = (code: number | null) =>
      fail(new Error(`relay exited (${code}) before listening:\n${output}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.off("exit", onExit);
    };
    const done = (value: string) => {
      cleanup();
      resolve(value);
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
  return {
    url,
    child,
    output: () => output,
    kill: () => stopProcess(child, "SIGKILL"),
    stop: () => stopProcess(child, "SIGTERM", 10_000),
  };
}
