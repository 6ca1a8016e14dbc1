/**
 * Throwaway redis-server processes on free loopback ports, for tests that need a real Redis and
 * may kill and restart it. Nothing is persisted (`--save '' --appendonly no`), so a restart loses
 * every key — exactly what a crash of a cache-only Redis does.
 *
 *   const redis = await startRedis();      // redis.url, redis.port
 *   await redis.kill();                    // SIGKILL, like a crash
 *   await redis.restart();                 // same port, empty
 *   await redis.stop();                    // always, in afterAll
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnTracked, stopProcess, waitForOutput } from "./processes.js";

export const REDIS_HOST = "127.0.0.1";

export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. ["--cluster-enabled", "yes"]. */
  readonly args?: readonly string[];
  /** Use this port instead of a free one. */
  readonly port?: number;
}

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly running: boolean;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** Start again on the same port after kill(); the data is gone. */
  restart(): Promise<void>;
  /** SIGSTOP: the process stops reading and answering (its kernel still accepts TCP), as a hung node. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Stop for good and remove the working directory. */
  stop(): Promise<void>;
}

const READY = /Ready to accept connections/;

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "event-bus-redis-"));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      const child = await launch(port, dir, options.args ?? []);
      return handle(port, dir, child, options.args ?? []);
    } catch (error) {
      lastError = error;
      if (options.port !== undefined) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`could not start redis-server: ${String(lastError)}`);
}

async function launch(port: number, dir: string, extra: readonly string[]): Promise<ChildProcess> {
  const args = [
    "--port",
    String(port),
    "--bind",
    REDIS_HOST,
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
    "--loglevel",
    "notice",
    ...extra,
  ];
  const child = spawnTracked("redis-server", args);
  child.once("error", () => {}); // ENOENT surfaces through waitForOutput's exit handler
  try {
    await waitForOutput(child, READY, 10_000);
  } catch (error) {
    await stopProcess(child, "SIGKILL");
    throw error;
  }
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

function handle(port: number, dir: string, first: ChildProcess, args: readonly string[]): RedisServer {
  let child: ChildProcess | null = first;
  return {
    host: REDIS_HOST,
    port,
    url: `redis://${REDIS_HOST}:${port}`,
    dir,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      if (child) await stopProcess(child, "SIGKILL");
      child = null;
    },
    async restart() {
      if (child) await stopProcess(child, "SIGKILL");
      child = await launch(port, dir, args);
    },
    pause() {
      child?.kill("SIGSTOP");
    },
    resume() {
      child?.kill("SIGCONT");
    },
    async stop() {
      if (child) await stopProcess(child, "SIGKILL");
      child = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
