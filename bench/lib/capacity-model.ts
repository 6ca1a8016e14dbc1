/**
 * The capacity model of docs/operations.md ("Capacity"), as code: what each relay receives from
 * Redis and what it costs, from the traffic and where the clients sit. The multi-host figure
 * (bench/figures/netns.ts) checks its predictions against namespaced hosts; bench/capacity.ts
 * prints it for a million connections.
 *
 * A relay receives every message of every channel it holds, once (one subscription per channel per
 * relay): user channels are held by the relay of that user's sockets, a room by every relay with a
 * member, `broadcast` by all. Each message costs the relay a fixed amount (read from Redis, validate
 * once, encode once) plus an amount per socket it is written to.
 */

export type Kind = "local" | "user" | "global" | "broadcast";
export type Counts = Readonly<Record<Kind, number>>;
export type Sizes = Readonly<Partial<Record<Kind, { readonly message: number; readonly channel: number }>>>;

/** The namespaced workload: `perRelay` clients per relay, rooms of `roomSize` on one relay, `globals` rooms with one member per relay. */
export interface Workload {
  readonly relays: number;
  readonly perRelay: number;
  readonly roomSize: number;
  readonly globals: number;
}

/** Messages a relay receives and deliveries it makes for `counts` published events (kinds spread evenly). */
export function perRelay(
  w: Workload,
  counts: Counts,
): { readonly messages: Counts; readonly deliveries: number } {
  const messages: Counts = {
    local: counts.local / w.relays,
    user: counts.user / w.relays,
    global: counts.global,
    broadcast: counts.broadcast,
  };
  const deliveries =
    messages.local * w.roomSize + messages.user + messages.global + messages.broadcast * w.perRelay;
  return { messages, deliveries };
}

/** Bytes of one sharded pub/sub push (`smessage`, channel, message) on the wire, RESP2 or RESP3. */
export function pushFrameBytes(channel: number, message: number): number {
  const bulk = (n: number) => 1 + String(Math.round(n)).length + 2 + n + 2;
  return 4 + bulk(8) + bulk(channel) + bulk(message);
}

/** TCP payload bytes Redis sends a relay for its `messages`. */
export function redisBytes(messages: Counts, sizes: Sizes): number {
  let total = 0;
  for (const kind of Object.keys(messages) as Kind[]) {
    const size = sizes[kind];
    if (size && messages[kind] > 0) total += messages[kind] * pushFrameBytes(size.channel, size.message);
  }
  return total;
}

export interface CpuModel {
  /** CPU of an idle relay with its connections (heartbeats, timers), µs per second. */
  readonly idleUsPerSecond: number;
  readonly usPerMessage: number;
  readonly usPerDelivery: number;
}

export interface CpuSample {
  readonly seconds: number;
  readonly messages: number;
  readonly deliveries: number;
  readonly cpuUs: number;
}

/** Least squares for `cpu − idle × seconds = a × messages + b × deliveries` over the samples. */
export function fitCpu(samples: readonly CpuSample[], idleUsPerSecond: number): CpuModel {
  let [mm, md, dd, my, dy] = [0, 0, 0, 0, 0];
  for (const s of samples) {
    const y = s.cpuUs - idleUsPerSecond * s.seconds;
    mm += s.messages * s.messages;
    md += s.messages * s.deliveries;
    dd += s.deliveries * s.deliveries;
    my += s.messages * y;
    dy += s.deliveries * y;
  }
  const det = mm * dd - md * md;
  if (det === 0) return { idleUsPerSecond, usPerMessage: Number.NaN, usPerDelivery: Number.NaN };
  return {
    idleUsPerSecond,
    usPerMessage: (my * dd - dy * md) / det,
    usPerDelivery: (dy * mm - my * md) / det,
  };
}

export function predictCpu(model: CpuModel, seconds: number, messages: number, deliveries: number): number {
  return model.idleUsPerSecond * seconds + model.usPerMessage * messages + model.usPerDelivery * deliveries;
}

export const total = (counts: Counts) => counts.local + counts.user + counts.global + counts.broadcast;
