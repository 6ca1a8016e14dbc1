/**
 * The upkeep of a group consumer (group-consumer.ts), on timers: the heartbeat that keeps the
 * entries it owns from being claimed by others while it lives, and the claim of entries whose
 * consumer stopped answering (idle ≥ claimIdleMs), which then get their next attempt here.
 */
import type { GroupEntry } from "../../brokers/group-streams.js";
import type { GroupConsumerDeps, GroupCounters } from "./group-consumer.js";

/** The consumer state the upkeep reads and feeds. */
export interface UpkeepState {
  readonly owned: Map<string, GroupEntry>;
  readonly buffer: GroupEntry[];
  readonly counters: GroupCounters;
  /** False once the consumer stops or its broker closed. */
  active(): boolean;
  /** Hands claimed entries to the consumer. */
  take(entries: readonly GroupEntry[]): void;
  failed(what: string, error: unknown): void;
}

export class GroupUpkeep {
  private cursor = "0-0";

  constructor(
    private readonly deps: GroupConsumerDeps,
    private readonly state: UpkeepState,
  ) {}

  /** Keeps owned entries from being claimed; forgets unstarted ones another consumer took over. */
  heartbeat(): void {
    const ids = [...this.state.owned.keys()];
    if (ids.length === 0 || !this.state.active()) return;
    const { broker, channel, settings } = this.deps;
    broker.streams.touch(channel, settings.group, settings.consumer, ids).then(
      (still) => {
        const kept = new Set(still);
        for (let i = this.state.buffer.length - 1; i >= 0; i--) {
          const id = (this.state.buffer[i] as GroupEntry).id;
          if (kept.has(id) || !ids.includes(id)) continue;
          this.state.buffer.splice(i, 1);
          this.state.owned.delete(id);
        }
      },
      (error: unknown) => this.state.failed("heartbeat", error),
    );
  }

  /** Takes over entries whose consumer stopped answering. */
  claim(): void {
    const { broker, channel, settings } = this.deps;
    const room = settings.prefetch - this.state.owned.size;
    if (room <= 0 || !this.state.active()) return;
    broker.streams
      .claim(channel, settings.group, settings.consumer, {
        minIdleMs: settings.claimIdleMs,
        count: room,
        cursor: this.cursor,
      })
      .then(
        (result) => {
          this.cursor = result.cursor;
          this.state.counters.claimed += result.entries.length;
          this.noteTrimmed(result.trimmed);
          this.state.take(result.entries);
        },
        (error: unknown) => this.state.failed("claim", error),
      );
  }

  private noteTrimmed(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.state.counters.trimmed += ids.length;
    const { channel, settings } = this.deps;
    this.deps.logger.warn(
      { channel, group: settings.group, count: ids.length, maxLength: settings.maxLength },
      "event-bus: pending events were trimmed from the group stream before being handled (raise groups.maxLength / maxAgeMs)",
    );
  }
}
