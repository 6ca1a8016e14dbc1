/**
 * Publishers feeding each system under test the same event (an `photo.processing.progress`
 * envelope whose `data.t` is the publish time, first in `data` so load generators find it):
 *   ours:      EventBusClient (publishToRoom / publishToUser / broadcast: the history script)
 *   baseline:  @socket.io/redis-emitter (classic), or SPUBLISH of the sharded adapter's message
 *   reference: a raw PUBLISH of the envelope on one channel
 * Channel names are the same everywhere: room `x` travels as `room:x`, users as `user:<id>`.
 */
import { Emitter } from "@socket.io/redis-emitter";
import { Cluster, Redis } from "ioredis";
import { encodeEvent } from "../../protocol/codec.js";
import { EventBusClient } from "../../relay/backend/client.js";
import type { Logger } from "../../relay/backend/logger.js";
import type { EventBusConfig } from "../../relay/backend/types.js";
import { sleep } from "./ipc.js";

export const EVENT_TYPE = "photo.processing.progress";
/**
 * Milliseconds on CLOCK_MONOTONIC, which all processes of the machine share — unlike
 * `performance.timeOrigin + performance.now()`, whose origin each process estimates on its own.
 */
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export type Target =
  | { readonly kind: "room"; readonly room: string }
  | { readonly kind: "user"; readonly user: string }
  | { readonly kind: "broadcast" };

export interface Feeder {
  send(target: Target, seq: number): Promise<unknown>;
  close(): Promise<void>;
}

export type Nodes = readonly { readonly host: string; readonly port: number }[];

/** The event's data: the publish time first (`tb` for broadcasts, so latencies can be told apart). */
export function eventData(seq: number, broadcast = false) {
  const rest = { seq, photoId: "photo-123", progress: 42, stage: "thumbnails" };
  return broadcast ? { tb: now(), ...rest } : { t: now(), ...rest };
}

export function envelopeJson(seq: number, broadcast = false): string {
  return encodeEvent({ type: EVENT_TYPE, data: eventData(seq, broadcast), source: "bench" }).json;
}

/** The same envelope as an object (what the baseline's socket.io server emits). */
export function envelopeObject(seq: number, broadcast = false): unknown {
  return JSON.parse(envelopeJson(seq, broadcast)) as unknown;
}

export function channelOf(target: Target): string {
  if (target.kind === "room") return `room:${target.room}`;
  if (target.kind === "user") return `user:${target.user}`;
  return "broadcast";
}

export async function oursFeeder(config: Partial<EventBusConfig>): Promise<Feeder> {
  const bus = new EventBusClient({
    serviceName: "bench",
    logger: quietLogger,
    batching: { batchSize: 100, batchInterval: 0 },
    ...config,
  });
  await bus.connect();
  return {
    send(target, seq) {
      if (target.kind === "room") return bus.publishToRoom(target.room, EVENT_TYPE, eventData(seq));
      if (target.kind === "user") return bus.publishToUser(target.user, EVENT_TYPE, eventData(seq));
      return bus.broadcast(EVENT_TYPE, eventData(seq, true));
    },
    close: () => bus.disconnect(),
  };
}

/** @socket.io/redis-emitter on one Redis or a cluster (classic PUBLISH). */
export function baselineFeeder(redis: string | Nodes): Feeder {
  const client = typeof redis === "string" ? new Redis(redis) : new Cluster([...redis]);
  const emitter = new Emitter(client);
  return {
    async send(target, seq) {
      const channel = channelOf(target);
      // The envelope as an object, as a socket.io app emits it (and as protocol 3 delivers ours).
      if (target.kind === "broadcast") emitter.emit("m", channel, envelopeObject(seq, true));
      else emitter.to(channel).emit("m", channel, envelopeObject(seq));
    },
    async close() {
      client.disconnect();
    },
  };
}

/**
 * The sharded adapter's wire message (ClusterAdapter BROADCAST, JSON), SPUBLISHed to the room's
 * dynamic channel `socket.io#/#<room>#` — what a socket.io server using createShardedAdapter sends;
 * @socket.io/redis-emitter 5.1 has no sharded mode.
 */
export function shardedBaselineFeeder(nodes: Nodes): Feeder {
  const client = new Cluster([...nodes], { shardedSubscribers: true });
  return {
    send(target, seq) {
      const room = channelOf(target);
      const rooms = target.kind === "broadcast" ? [] : [room];
      const message = JSON.stringify({
        uid: "bench-emitter",
        nsp: "/",
        type: 3, // MessageType.BROADCAST
        data: {
          packet: { type: 2, data: ["m", room, envelopeObject(seq, rooms.length === 0)], nsp: "/" },
          opts: { rooms, except: [], flags: {} },
        },
      });
      return client.spublish(rooms.length === 1 ? `socket.io#/#${room}#` : "socket.io#/#", message);
    },
    async close() {
      client.disconnect();
    },
  };
}

/** Raw PUBLISH of the envelope on the reference server's one channel. */
export function referenceFeeder(url: string, channel = "ref"): Feeder {
  const client = new Redis(url);
  return {
    send: (_target, seq) => client.publish(channel, envelopeJson(seq)),
    async close() {
      client.disconnect();
    },
  };
}

/** Publishes `count` events at once. */
export async function burst(feeder: Feeder, count: number, target: (seq: number) => Target): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, seq) => feeder.send(target(seq), seq)));
}

/** Publishes `count` events at `rate` per second (not waiting for one before the next). */
export async function paced(
  feeder: Feeder,
  count: number,
  rate: number,
  target: (seq: number) => Target,
): Promise<void> {
  const started = now();
  const sent: Promise<unknown>[] = [];
  let seq = 0;
  while (seq < count) {
    const due = Math.min(count, Math.floor(((now() - started) * rate) / 1000) + 1);
    for (; seq < due; seq++) sent.push(feeder.send(target(seq), seq));
    if (seq < count) await sleep(Math.max(1, started + (seq * 1000) / rate - now()));
  }
  await Promise.all(sent);
}
