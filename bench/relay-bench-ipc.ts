/**
 * Process plumbing for bench/relay-fanout.ts: spawning tsx children with an IPC channel, waiting for
 * a line of output, asking a child over IPC, and reading a process's CPU time from /proc.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnTracked } from "../test/harness/processes.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux

export function child(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeFlags: string[] = [],
): ChildProcess {
  return spawnTracked(process.execPath, [...nodeFlags, "--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
}

export function line(proc: ChildProcess, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        proc.stdout?.off("data", onData);
        resolve(match);
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.once("exit", (code) => reject(new Error(`process exited (${code}):\n${output}`)));
  });
}

export function ask<T>(
  proc: ChildProcess,
  message: object,
  accept: (reply: unknown) => reply is T,
  timeoutMs = 120_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no IPC answer to ${JSON.stringify(message)}`)),
      timeoutMs,
    );
    const onMessage = (reply: unknown) => {
      if (!accept(reply)) return;
      clearTimeout(timer);
      proc.off("message", onMessage);
      resolve(reply);
    };
    proc.on("message", onMessage);
    if (Object.keys(message).length > 0) proc.send(message);
  });
}

export const isRss = (r: unknown): r is { rss: number; heapUsed: number; connections: number } =>
  typeof (r as { rss?: unknown }).rss === "number";
export const isStats = (r: unknown): r is { count: number; latencies: { p50: number; p99: number } } =>
  typeof (r as { count?: unknown }).count === "number";
export const isDone = (r: unknown): r is { event: "done"; at: number } =>
  (r as { event?: unknown }).event === "done";

/** utime + stime of a process, in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1_000_000;
}
