/**
 * Worker processes of one consumer group (group-worker-child.ts), and the ledger of what they
 * handled, read from the ledger Redis the workers write to: per event, every handling with its
 * worker and attempt — so a test can count lost events, duplicates, and check that every duplicate
 * was an event the killed worker had in flight.
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { spawnTracked, stopProcess, waitForOutput } from "../../harness/processes.js";
import type { WorkerConfig } from "./group-worker-child.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export interface Handling {
  readonly worker: string;
  readonly attempt: number;
}

export class GroupLedger {
  readonly handlings = new Map<number, Handling[]>();
  private readonly perWorker = new Map<string, number>();
  private read = 0;
  private readonly redis: Redis;

  constructor(readonly url: string) {
    this.redis = new Redis(url);
  }

  /** Pulls the handlings recorded since the last sync. */
  async sync(): Promise<void> {
    const lines = await this.redis.lrange("handled", this.read, -1);
    this.read += lines.length;
    for (const line of lines) {
      const [seq, attempt, worker = "?"] = line.split(" ");
      const handling = { worker, attempt: Number(attempt) };
      const list = this.handlings.get(Number(seq));
      if (list) list.push(handling);
      else this.handlings.set(Number(seq), [handling]);
      this.perWorker.set(worker, (this.perWorker.get(worker) ?? 0) + 1);
    }
  }

  handledBy(worker: string): number {
    return this.perWorker.get(worker) ?? 0;
  }

  /** Distinct events in [from, to) handled at least once (as of the last sync). */
  distinct(from: number, to: number): number {
    let n = 0;
    for (const seq of this.handlings.keys()) if (seq >= from && seq < to) n++;
    return n;
  }

  /** Syncs until `count` distinct events of [from, to) were handled; rejects after timeoutMs. */
  async waitFor(from: number, to: number, count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.sync();
      if (this.distinct(from, to) >= count) return;
      if (Date.now() > deadline) {
        throw new Error(
          `only ${this.distinct(from, to)} of ${count} events in [${from}, ${to}) were handled`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Lost, duplicated and redelivered counts over [from, to) (call after a final sync). */
  summary(from: number, to: number) {
    let lost = 0;
    let duplicated = 0;
    let redelivered = 0;
    const duplicates: { seq: number; handlings: Handling[] }[] = [];
    for (let seq = from; seq < to; seq++) {
      const list = this.handlings.get(seq) ?? [];
      if (list.length === 0) lost++;
      if (list.length > 1) {
        duplicated += list.length - 1;
        duplicates.push({ seq, handlings: list });
      }
      redelivered += list.filter((h) => h.attempt >= 2).length;
    }
    return { lost, duplicated, redelivered, duplicates };
  }

  close(): void {
    this.redis.disconnect();
  }
}

export interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(config: WorkerConfig): Promise<WorkerProcess> {
  const child = spawnTracked(
    process.execPath,
    ["--import", "tsx", "test/chaos/support/group-worker-child.ts", JSON.stringify(config)],
    { cwd: ROOT },
  );
  child.stderr?.resume();
  await waitForOutput(child, /^ready$/m, 30_000);
  child.stdout?.resume();
  return {
    name: config.name,
    child,
    kill: () => stopProcess(child, "SIGKILL"),
    stop: () => stopProcess(child, "SIGTERM", 15_000),
  };
}
