/**
 * The figures of one group subscription, for getStats() and metrics(): the group's backlog as
 * Redis sees it (pending, lag, oldest pending age, the stream's length against its bounds) and
 * what this consumer did.
 */
import type { GroupInfo, StreamBounds, StreamInfo } from "../../brokers/group-streams.js";
import type { GroupCounters } from "./group-consumer.js";

export interface GroupStats {
  readonly subscriptionId: string;
  /** The event type (without the prefix). */
  readonly type: string;
  readonly group: string;
  /** This subscription's consumer name. */
  readonly consumer: string;
  /** Consumers the group knows (including ones that died and still hold pending events). */
  readonly consumers: number;
  /** Delivered to a consumer of the group and not yet acknowledged. */
  readonly pending: number;
  /** Published and not yet delivered to the group; null when Redis cannot tell (after trimming). */
  readonly lag: number | null;
  /** Age of the oldest pending event since it was published, ms; null when nothing is pending. */
  readonly oldestPendingAgeMs: number | null;
  /** Entries in the type's stream now, and its bounds. */
  readonly streamLength: number;
  readonly bounds: StreamBounds | null;
  /** This consumer's counts since it started. */
  readonly handled: number;
  readonly deadLettered: number;
  readonly claimed: number;
  readonly redelivered: number;
  /** Pending events found trimmed away before they were handled (lost to the stream's bound). */
  readonly trimmed: number;
}

export function groupStats(
  base: {
    readonly subscriptionId: string;
    readonly type: string;
    readonly group: string;
    readonly consumer: string;
  },
  info: StreamInfo,
  counters: GroupCounters,
): GroupStats {
  const group: GroupInfo | undefined = info.groups.find((g) => g.group === base.group);
  return {
    ...base,
    consumers: group?.consumers ?? 0,
    pending: group?.pending ?? 0,
    lag: group ? group.lag : null,
    oldestPendingAgeMs: group?.oldestPendingAgeMs ?? null,
    streamLength: info.length,
    bounds: info.bounds,
    handled: counters.handled,
    deadLettered: counters.deadLettered,
    claimed: counters.claimed,
    redelivered: counters.redelivered,
    trimmed: counters.trimmed,
  };
}
