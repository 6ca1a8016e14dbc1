/**
 * Replay: stored events fed again, in stored order, either to a handler (rebuild a read model,
 * audit, debug) or to one consumer group (appended to the types' group streams marked for that
 * group: its consumers handle them like new events, other groups skip them, live subscribers never
 * see them; a `$group.wake` system message wakes the consumers). Pages through the store with its
 * cursor.
 */
import type { ChannelNames } from "../../protocol/channels.js";
import { encodeEvent } from "../../protocol/codec.js";
import { EventBusError } from "../../protocol/errors.js";
import type { Broker } from "../brokers/broker.js";
import type { EventQuery, EventStore, StoredEvent } from "./event-store.js";

export type ReplayHandler = (event: StoredEvent) => unknown;

export interface ReplayTarget {
  /** Append each event to its type's group stream for this group only. */
  readonly group: string;
}

export interface EventReplayResult {
  /** Events fed to the handler or appended for the group. */
  readonly replayed: number;
  /** The cursor of the last event replayed (null when none). */
  readonly cursor: string | null;
}

export interface ReplayDeps {
  readonly store: EventStore;
  readonly broker: () => Promise<Broker>;
  readonly names: ChannelNames;
}

/**
 * Feeds every stored event matching `query` (from its `cursor` on) to the target, in stored order,
 * one at a time. A handler that throws stops the replay and the error is passed on; the events
 * before it were replayed (resume with the `cursor` of the last event the handler finished).
 */
export async function replayEvents(
  deps: ReplayDeps,
  query: EventQuery,
  target: ReplayHandler | ReplayTarget,
): Promise<EventReplayResult> {
  const sink: Sink =
    typeof target === "function"
      ? { deliver: target, afterPage: async () => {} }
      : await groupSink(deps, target.group);
  let replayed = 0;
  let last: string | null = null;
  let cursor = query.cursor;
  for (;;) {
    const page = await deps.store.read({
      ...query,
      limit: query.limit ?? 500,
      ...(cursor !== undefined && { cursor }),
    });
    for (const event of page.events) {
      await sink.deliver(event);
      replayed++;
      last = event.cursor;
    }
    await sink.afterPage();
    if (page.cursor === null) return { replayed, cursor: last };
    cursor = page.cursor;
  }
}

interface Sink {
  readonly deliver: ReplayHandler;
  /** After each page: wake the group's consumers up (appends are not PUBLISHed). */
  readonly afterPage: () => Promise<void>;
}

/** Appends for one group, then wakes its consumers with a `$group.wake` system message. */
async function groupSink(deps: ReplayDeps, group: string): Promise<Sink> {
  if (typeof group !== "string" || group.length === 0) {
    throw new EventBusError("INVALID_OPTIONS", "events.replay: `group` must be a consumer group name.");
  }
  const broker = await deps.broker();
  const checked = new Set<string>();
  const touched = new Set<string>();
  const wake = encodeEvent({ type: "$group.wake", data: { group }, source: "event-bus" }, undefined, {
    allowSystem: true,
  }).json;
  return {
    deliver: async (event) => {
      const { id, type, data, metadata } = event;
      const channel = deps.names.event(type);
      if (!checked.has(channel)) {
        const { groups } = await broker.streams.info(channel);
        if (!groups.some((g) => g.group === group)) throw noGroup(type, group);
        checked.add(channel);
      }
      const appended = await broker.streams.append(
        channel,
        JSON.stringify({ id, type, data, metadata }),
        group,
      );
      if (appended === null) throw noGroup(type, group);
      touched.add(channel);
    },
    afterPage: async () => {
      await Promise.all([...touched].map((channel) => broker.publish(channel, wake)));
      touched.clear();
    },
  };
}

function noGroup(type: string, group: string): EventBusError {
  return new EventBusError(
    "NOT_FOUND",
    `events.replay: ${JSON.stringify(type)} has no consumer group ${JSON.stringify(group)} to replay into; subscribe with { group: ${JSON.stringify(group)} } first.`,
  );
}
