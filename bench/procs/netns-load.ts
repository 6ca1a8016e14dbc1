/**
 * The clients and the backend of the multi-host figure (bench/figures/netns.ts), in the "load"
 * namespace: SDK buses (createEventBus, as browsers would) connected to the relays over the front
 * network, and a backend publishing to the Redis Cluster over the back network (the cluster broker's
 * recoverable publish, the script EventBusClient runs, so the stored message's size is known). Controlled
 * over IPC:
 *   { cmd: "connect", relays: [url…], perRelay, roomSize, globalRooms } → { event: "connected", clients }
 *       client i of relay r is user `n<r>-<i>`; local rooms `l<r>-<k>` hold `roomSize` clients of
 *       relay r; global room `g<k>` holds client k of every relay
 *   { cmd: "run", seconds, rates: { local, user, global, broadcast } } → { event: "ran", … }
 *       publishes for `seconds` at the given events/s, then waits (≤ 30 s) until every client has
 *       every event or was told of a gap covering it, and reports counts, message sizes, latencies
 *       and (with faults) when each client's connection state changed
 *   { cmd: "close" } → { event: "closed" }
 *   JWT_SECRET, CLUSTER (host:port,…)
 */
import { createEventBus } from "../../client/create-event-bus.js";
import type { EventBus } from "../../client/types.js";
import { encodeEvent } from "../../protocol/codec.js";
import type { AnyEvents } from "../../protocol/envelope.js";
import { withPosition } from "../../protocol/position.js";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { ClusterBroker } from "../../relay/brokers/redis/cluster-broker.js";
import { now } from "../lib/feeders.js";
import { summarize } from "../lib/stats.js";

const secret = process.env.JWT_SECRET ?? "";
const nodes = (process.env.CLUSTER ?? "").split(",").map((hp) => {
  const [host = "", port = "0"] = hp.split(":");
  return { host, port: Number(port) };
});

interface Client {
  readonly name: string;
  readonly relay: number;
  readonly bus: EventBus<AnyEvents>;
  readonly channels: Set<string>;
  /** Event ids received, per channel. */
  readonly got: Map<string, Set<string>>;
  duplicates: number;
  gaps: Set<string>;
  readonly statusChanges: { status: string; at: number }[];
}

const clients: Client[] = [];
const latencies: number[] = [];
const backend = new ClusterBroker({ nodes });
const PAD = "x".repeat(160); // events of ≈ 330 bytes, like a progress event with some payload

function watch(client: Client): void {
  client.bus.subscribe("*", (event) => {
    const ids = client.got.get(event.channel) ?? new Set<string>();
    client.got.set(event.channel, ids);
    if (ids.has(event.id)) client.duplicates++;
    ids.add(event.id);
    const sent = (event.data as { t?: number }).t;
    if (typeof sent === "number") latencies.push(now() - sent);
  });
  client.bus.on("gap", (info) => client.gaps.add(info.channel));
  client.bus.on("status", ({ status }) => client.statusChanges.push({ status, at: Date.now() }));
}

async function connect(relays: readonly string[], perRelay: number, roomSize: number, globalRooms: number) {
  const joins: Promise<void>[] = [];
  relays.forEach((url, r) => {
    for (let i = 0; i < perRelay; i++) {
      const name = `n${r}-${i}`;
      const bus = createEventBus({
        url,
        getToken: () => createDevToken({ sub: name, secret, rooms: ["nn:*"] }),
        reconnect: { minDelay: 100, maxDelay: 1000 },
      });
      const client: Client = {
        name,
        relay: r,
        bus,
        channels: new Set([`user:${name}`, "broadcast"]),
        got: new Map(),
        duplicates: 0,
        gaps: new Set(),
        statusChanges: [],
      };
      watch(client);
      clients.push(client);
      const rooms = [`nn:l${r}-${Math.floor(i / roomSize)}`, ...(i < globalRooms ? [`nn:g${i}`] : [])];
      for (const room of rooms) {
        client.channels.add(`room:${room}`);
        joins.push(bus.joinRoom(room));
      }
    }
  });
  await Promise.all(joins);
  await backend.connect();
}

interface Published {
  readonly channel: string;
  readonly id: string;
  readonly bytes: number;
}

type Rates = Record<"local" | "user" | "global" | "broadcast", number>;

/** The channel of the n-th event of a kind (round robin over that kind's channels). */
function channelFor(
  kind: keyof Rates,
  n: number,
  relays: number,
  perRelay: number,
  roomSize: number,
  globals: number,
) {
  const localRooms = Math.ceil(perRelay / roomSize);
  switch (kind) {
    case "local":
      return `nn:l${n % relays}-${Math.floor(n / relays) % localRooms}`;
    case "user":
      return `n${n % relays}-${Math.floor(n / relays) % perRelay}`;
    case "global":
      return `nn:g${n % globals}`;
    case "broadcast":
      return "";
  }
}

async function publishOne(kind: keyof Rates, target: string): Promise<Published> {
  const channel = kind === "user" ? `user:${target}` : kind === "broadcast" ? "broadcast" : `room:${target}`;
  const { json, envelope } = encodeEvent({ type: "nn.event", data: { t: now(), pad: PAD }, source: "netns" });
  const position = await backend.publishRecoverable(channel, json);
  // What Redis stores and publishes: the envelope with its position (protocol/position.ts).
  return { channel, id: envelope.id, bytes: Buffer.byteLength(withPosition(json, position)) };
}

async function run(
  seconds: number,
  rates: Rates,
  shape: { relays: number; perRelay: number; roomSize: number; globals: number },
) {
  const published: Published[] = [];
  const started = now();
  const counts: Rates = { local: 0, user: 0, global: 0, broadcast: 0 };
  const kinds = (Object.keys(rates) as (keyof Rates)[]).filter((k) => rates[k] > 0);
  const sends: Promise<void>[] = [];
  while (now() - started < seconds * 1000) {
    const elapsed = (now() - started) / 1000;
    for (const kind of kinds) {
      while (counts[kind] < rates[kind] * elapsed) {
        const target = channelFor(
          kind,
          counts[kind]++,
          shape.relays,
          shape.perRelay,
          shape.roomSize,
          shape.globals,
        );
        sends.push(publishOne(kind, target).then((p) => void published.push(p)));
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(sends);
  const publishSeconds = (now() - started) / 1000;
  const settledAt = await settle(published, 30_000);
  return report(published, counts, publishSeconds, settledAt);
}

function missing(published: readonly Published[]): { missing: number; covered: number } {
  let [gone, covered] = [0, 0];
  for (const client of clients) {
    for (const p of published) {
      if (!client.channels.has(p.channel) || client.got.get(p.channel)?.has(p.id)) continue;
      if (client.gaps.has(p.channel)) covered++;
      else gone++;
    }
  }
  return { missing: gone, covered };
}

async function settle(published: readonly Published[], timeoutMs: number): Promise<number> {
  const deadline = now() + timeoutMs;
  while (missing(published).missing > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return now();
}

/** Per channel kind: mean stored message size and channel name length (the model's inputs). */
function sizes(published: readonly Published[]): Record<string, { message: number; channel: number }> {
  const sums = new Map<string, { message: number; channel: number; n: number }>();
  for (const p of published) {
    const kind = p.channel.startsWith("user:")
      ? "user"
      : p.channel === "broadcast"
        ? "broadcast"
        : p.channel.startsWith("room:nn:g")
          ? "global"
          : "local";
    const entry = sums.get(kind) ?? { message: 0, channel: 0, n: 0 };
    entry.message += p.bytes;
    entry.channel += p.channel.length;
    entry.n++;
    sums.set(kind, entry);
  }
  return Object.fromEntries(
    [...sums].map(([k, v]) => [k, { message: v.message / v.n, channel: v.channel / v.n }]),
  );
}

function report(published: readonly Published[], counts: Rates, publishSeconds: number, settledAt: number) {
  const { missing: lost, covered } = missing(published);
  let expected = 0;
  for (const client of clients) for (const p of published) if (client.channels.has(p.channel)) expected++;
  const summary = summarize(latencies.splice(0));
  return {
    event: "ran",
    counts,
    messageBytes: sizes(published),
    publishSeconds,
    settledAt,
    expected,
    lost,
    coveredByGaps: covered,
    duplicated: clients.reduce((sum, c) => sum + c.duplicates, 0),
    gaps: clients.reduce((sum, c) => sum + c.gaps.size, 0),
    p50: summary.p50,
    p99: summary.p99,
    statusChanges: clients.map((c) => ({ name: c.name, relay: c.relay, changes: c.statusChanges.splice(0) })),
  };
}

process.on("message", (message: { cmd: string } & Record<string, unknown>) => {
  const answer = (value: object) => process.send?.(value);
  const fail = (error: unknown) => answer({ event: "error", error: String(error) });
  switch (message.cmd) {
    case "connect": {
      const { relays, perRelay, roomSize, globalRooms } = message as unknown as {
        relays: string[];
        perRelay: number;
        roomSize: number;
        globalRooms: number;
      };
      connect(relays, perRelay, roomSize, globalRooms).then(
        () => answer({ event: "connected", clients: clients.length }),
        fail,
      );
      return;
    }
    case "run": {
      const { seconds, rates, shape } = message as unknown as {
        seconds: number;
        rates: Rates;
        shape: Parameters<typeof run>[2];
      };
      for (const client of clients) client.gaps.clear();
      run(seconds, rates, shape).then(answer, fail);
      return;
    }
    case "close":
      for (const client of clients) client.bus.close();
      backend.close().then(() => answer({ event: "closed" }), fail);
      return;
  }
});
console.log("netns load ready");
