/**
 * Process plumbing for the benchmark suite: spawning tsx children with an IPC channel (tracked by
 * test/harness/processes.ts, so every child is killed when the benchmark exits, however it exits),
 * waiting for a line of output, and asking a child over IPC.
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { spawnTracked, stopProcess } from "../../test/harness/processes.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Starts `node --import tsx <script>` from the repository root with an IPC channel. */
export function child(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const proc = spawnTracked(process.execPath, [...nodeFlags, "--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  proc.stdout?.setEncoding("utf8");
  proc.stderr?.setEncoding("utf8");
  let output = "";
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-20_000);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  outputs.set(proc, () => output);
  return proc;
}

const outputs = new WeakMap<ChildProcess, () => string>();

/** The last 20 kB a child printed (stdout and stderr), for error messages. */
export function outputOf(proc: ChildProcess): string {
  return outputs.get(proc)?.() ?? "";
}

/** Resolves with the first match of `pattern` in the child's stdout (searching all output so far). */
export function line(proc: ChildProcess, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const finish = (error: Error | null, match?: RegExpExecArray) => {
      clearTimeout(timer);
      proc.stdout?.off("data", onData);
      proc.off("exit", onExit);
      if (match) resolve(match);
      else reject(error ?? new Error("no match"));
    };
    const timer = setTimeout(
      () => finish(new Error(`timed out waiting for ${pattern}:\n${outputOf(proc)}`)),
      timeoutMs,
    );
    const onData = (chunk: string) => {
      seen += chunk;
      const match = pattern.exec(seen);
      if (match) finish(null, match);
    };
    const onExit = (code: number | null) =>
      finish(new Error(`process exited (${code}) while waiting for ${pattern}:\n${outputOf(proc)}`));
    proc.stdout?.on("data", onData);
    proc.once("exit", onExit);
  });
}

/** Sends `message` (unless empty) and resolves with the first reply that `accept` recognises. */
export function ask<T>(
  proc: ChildProcess,
  message: object,
  accept: (reply: unknown) => reply is T,
  timeoutMs = 120_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const finish = (error: Error | null, reply?: T) => {
      clearTimeout(timer);
      proc.off("message", onMessage);
      proc.off("exit", onExit);
      if (error) reject(error);
      else resolve(reply as T);
    };
    const timer = setTimeout(
      () => finish(new Error(`no IPC answer to ${JSON.stringify(message)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (reply: unknown) => {
      if (accept(reply)) finish(null, reply);
    };
    const onExit = (code: number | null) =>
      finish(new Error(`process exited (${code}) before answering:\n${outputOf(proc)}`));
    proc.on("message", onMessage);
    proc.once("exit", onExit);
    if (Object.keys(message).length > 0) proc.send(message);
  });
}

/** A type guard for IPC replies `{ event: name, ... }`. */
export function isEvent<T extends object>(name: string) {
  return (reply: unknown): reply is T & { event: string } =>
    typeof reply === "object" && reply !== null && (reply as { event?: unknown }).event === name;
}

/** Stops every process given, SIGKILL (a benchmark's children hold no state worth a clean exit). */
export async function stopAll(procs: readonly (ChildProcess | undefined)[]): Promise<void> {
  await Promise.all(procs.map((p) => (p ? stopProcess(p, "SIGKILL") : undefined)));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
