/**
 * Capped logs in one process (the memory hub's part of Broker.appendLog/readLog/deleteLog, used for
 * dead letters): entries with stream-like ids (`<ms>-<seq>`, increasing), trimmed to the newest
 * `maxLength`, as XADD MAXLEN does on Redis.
 */
import { getOrCreate } from "../../../common/collections.js";
import type { LogEntry } from "../broker.js";
import { compareStreamIds } from "../group-streams.js";

export class MemoryLogs {
  private readonly logs = new Map<string, { lastId: string; entries: LogEntry[] }>();

  constructor(private readonly now: () => number) {}

  append(key: string, value: string, maxLength: number): string {
    const log = getOrCreate(this.logs, key, () => ({ lastId: "0-0", entries: [] as LogEntry[] }));
    const [lastMs, lastSeq] = log.lastId.split("-").map(Number) as [number, number];
    const ms = Math.max(this.now(), lastMs);
    const id = `${ms}-${ms === lastMs ? lastSeq + 1 : 0}`;
    log.lastId = id;
    log.entries.push({ id, value });
    if (log.entries.length > maxLength) log.entries.splice(0, log.entries.length - maxLength);
    return id;
  }

  read(key: string, after: string | undefined, count: number): LogEntry[] {
    const entries = this.logs.get(key)?.entries ?? [];
    const start = after === undefined ? 0 : entries.findIndex((e) => compareStreamIds(e.id, after) > 0);
    return start === -1 ? [] : entries.slice(start, start + count);
  }

  remove(key: string, ids: readonly string[]): number {
    const log = this.logs.get(key);
    if (!log) return 0;
    const doomed = new Set(ids);
    const before = log.entries.length;
    log.entries = log.entries.filter((e) => !doomed.has(e.id));
    return before - log.entries.length;
  }

  delete(key: string): void {
    this.logs.delete(key);
  }

  clear(): void {
    this.logs.clear();
  }
}
