/**
 * Batch publishing: many publishes — event-type and recoverable, mixed — sent as ONE script call
 * (PUBLISH_BATCH) instead of one command each. Per event this saves the client's command
 * overhead and Redis's command dispatch, which is what makes batched EventBusClient publishing
 * as fast as raw PUBLISH. Each event is published exactly as by publish()/publishRecoverable();
 * results come back per event, in order. A failed call (connection lost) fails its whole batch.
 *
 * This is a capability of the Redis brokers beyond the Broker interface; callers check for it
 * with `supportsBatch(broker)` and fall back to single publishes.
 */

import { channelKeys, eventStreamKeys } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import { createEpoch, positionTemplate } from "../../../protocol/position.js";
import type { Broker, HistoryOptions } from "../broker.js";
import type { RecoverablePublishCommand } from "./redis-commands.js";
import { SCRIPTS, type ScriptClient } from "./redis-scripts.js";

export interface BatchItem {
  /** An event-type channel (published like Broker.publishEvent), or a recoverable channel. */
  readonly channel: string;
  /** The envelope JSON (for recoverable items the broker adds offset and epoch). */
  readonly message: string;
  readonly recoverable: boolean;
}

export type BatchOutcome =
  | { readonly receivers: number }
  | { readonly offset: number; readonly epoch: string };

export interface BatchPublishing {
  publishBatch(items: readonly BatchItem[]): Promise<BatchOutcome[]>;
}

export function supportsBatch(broker: Broker): broker is Broker & BatchPublishing {
  return typeof (broker as Partial<BatchPublishing>).publishBatch === "function";
}

/**
 * Runs one batch script on `client` (every item's keys must live on that client's node). With
 * `publish only`, event items are plain PUBLISHes (the cluster appended them to their group
 * streams before, on their own nodes: cluster-events.ts).
 */
export async function runBatch(
  client: ScriptClient,
  items: readonly BatchItem[],
  history: HistoryOptions,
  publishCommand: RecoverablePublishCommand,
  events: "append and publish" | "publish only" = "append and publish",
): Promise<BatchOutcome[]> {
  const keys: string[] = [];
  const args: (string | number)[] = [
    history.maxLength,
    history.ttlMs,
    history.metaTtlMs,
    publishCommand,
    history.maxBytes,
  ];
  for (const item of items) {
    if (!item.recoverable && events === "publish only") {
      args.push("L", item.channel, item.message);
      continue;
    }
    if (!item.recoverable) {
      const { stream, config } = eventStreamKeys(item.channel);
      keys.push(stream, config);
      args.push("E", item.channel, item.message);
      continue;
    }
    const { epoch, history: stream } = channelKeys(item.channel);
    const { head, middle, tail } = positionTemplate(item.message);
    keys.push(epoch, stream);
    args.push("R", item.channel, head, middle, tail, createEpoch());
  }
  const reply = await SCRIPTS.publishBatch.run(client, keys, args);
  if (!Array.isArray(reply) || reply.length !== items.length * 2) {
    const preview = JSON.stringify(reply)?.slice(0, 200);
    throw new EventBusError("INTERNAL", `Unexpected reply from the batch script: ${preview}`);
  }
  return items.map((item, i) =>
    item.recoverable
      ? { offset: Number(reply[2 * i]), epoch: String(reply[2 * i + 1]) }
      : { receivers: Number(reply[2 * i]) },
  );
}

/**
 * Splits a batch into groups that can each run as one script, runs them concurrently, and puts
 * the outcomes back in the original order.
 */
export async function runGrouped(
  items: readonly BatchItem[],
  groupOf: (item: BatchItem) => string,
  run: (group: string, items: readonly BatchItem[]) => Promise<BatchOutcome[]>,
): Promise<BatchOutcome[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const key = groupOf(item);
    const members = groups.get(key);
    if (members) members.push(index);
    else groups.set(key, [index]);
  });
  const outcomes = new Array<BatchOutcome>(items.length);
  await Promise.all(
    [...groups].map(async ([key, indexes]) => {
      const results = await run(
        key,
        indexes.map((i) => items[i] as BatchItem),
      );
      indexes.forEach((itemIndex, j) => {
        outcomes[itemIndex] = results[j] as BatchOutcome;
      });
    }),
  );
  return outcomes;
}
