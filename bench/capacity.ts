/**
 * The capacity model for a given deployment size, printed as the table of docs/operations.md
 * ("Capacity"): relays and Redis shards needed for N connections, what each relay and shard does,
 * bytes on each link, and what limits first. The per-message and per-delivery costs come from the
 * benchmark figures (figure 8 fits them across namespaced hosts; figures 1, 2 and 4 give the batched
 * costs and memory), so rerun `npm run bench -- --only=8` and update CONSTANTS when they move.
 *
 *   npx tsx bench/capacity.ts                      the photo-platform scenario, 1,000,000 connections
 *   npx tsx bench/capacity.ts --connections 200000 --relays 4
 */
import { parseArgs } from "node:util";
import { pushFrameBytes } from "./lib/capacity-model.js";

/** Measured on this repository's benchmarks (docs/performance.md, docs/operations.md). */
const CONSTANTS = {
  /** Relay RSS per connected, joined socket (figure 2: 15.8–20.4 KiB; figure 3: 19.8 KiB). */
  kibPerConnection: 20,
  /** Relay RSS with no connection. */
  baseMiB: 100,
  /** µs per message and per delivery at low, paced rates (figure 8's fit: every message wakes the loop). */
  paced: { usPerMessage: 220, usPerDelivery: 11 },
  /** µs per message and per delivery when traffic is dense (figures 1 and 4: batched per loop turn). */
  dense: { usPerMessage: 17, usPerDelivery: 0.6 },
  /** socket.io heartbeat per connection: one ping + pong every 25 s, ≈ 40 µs each → µs per second. */
  heartbeatUsPerConnection: 1.6,
  /** Redis CPU per recoverable publish (figure 6: 59,864/s unbatched, 113,463/s batched per connection). */
  redisUsPerPublish: { unbatched: 16.7, batched: 8.8 },
  /** Budgets: a relay process uses one core (Node) and `relayMemGiB`; a shard one core; links in Gbit/s. */
  cpuBudget: 0.7,
  relayMemGiB: 4,
  linkGbit: 1,
};

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "1000000" },
    relays: { type: "string" },
    shards: { type: "string", default: "6" },
    "sockets-per-user": { type: "string", default: "1.5" },
    "rooms-per-socket": { type: "string", default: "2" },
    "room-size": { type: "string", default: "8" },
    "user-event-every": { type: "string", default: "60" },
    "room-event-every": { type: "string", default: "10" },
    "broadcast-every": { type: "string", default: "300" },
    "message-bytes": { type: "string", default: "400" },
  },
});
const n = (key: keyof typeof values) => Number(values[key]);

const connections = n("connections");
const users = connections / n("sockets-per-user");
const rooms = (connections * n("rooms-per-socket")) / n("room-size");
const rates = {
  user: users / n("user-event-every"),
  room: rooms / n("room-event-every"),
  broadcast: 1 / n("broadcast-every"),
};
const size = n("message-bytes");

/** Expected relays holding a channel whose `members` sockets are spread at random over `relays`. */
const holders = (members: number, relays: number) => relays * (1 - (1 - 1 / relays) ** members);

function perRelay(relays: number) {
  const messages =
    (rates.user * holders(n("sockets-per-user"), relays) + rates.room * holders(n("room-size"), relays)) /
      relays +
    rates.broadcast;
  const deliveries =
    (rates.user * n("sockets-per-user") + rates.room * n("room-size") + rates.broadcast * connections) /
    relays;
  const conns = connections / relays;
  const cpu = (c: { usPerMessage: number; usPerDelivery: number }) =>
    (c.usPerMessage * messages + c.usPerDelivery * deliveries + CONSTANTS.heartbeatUsPerConnection * conns) /
    1e6;
  const memGiB = CONSTANTS.baseMiB / 1024 + (conns * CONSTANTS.kibPerConnection) / 2 ** 20;
  const redisIn = messages * pushFrameBytes(14, size);
  const clientsOut = deliveries * (size + 40);
  return {
    conns,
    messages,
    deliveries,
    paced: cpu(CONSTANTS.paced),
    dense: cpu(CONSTANTS.dense),
    memGiB,
    redisIn,
    clientsOut,
  };
}

/** The fewest relays within every budget (dense CPU costs; paced as the pessimistic bound). */
function relaysNeeded(regime: "paced" | "dense"): number {
  for (let r = 1; r < 10_000; r++) {
    const load = perRelay(r);
    const link = (CONSTANTS.linkGbit * 1e9) / 8;
    if (
      load[regime] <= CONSTANTS.cpuBudget &&
      load.memGiB <= CONSTANTS.relayMemGiB &&
      load.clientsOut <= link * 0.7
    )
      return r;
  }
  return Number.NaN;
}

const relays = values.relays ? Number(values.relays) : relaysNeeded("dense");
const load = perRelay(relays);
const shards = n("shards");
const publishes = rates.user + rates.room + rates.broadcast;
const shardPublishes = publishes / shards;
const shardOutBytes = (load.redisIn * relays) / shards;
const fmt = (v: number, digits = 0) => v.toLocaleString("en-US", { maximumFractionDigits: digits });
const limits = [
  ["relay CPU (dense costs)", load.dense / CONSTANTS.cpuBudget],
  ["relay memory", load.memGiB / CONSTANTS.relayMemGiB],
  ["relay → clients link", load.clientsOut / ((CONSTANTS.linkGbit * 1e9) / 8)],
  ["Redis → relay link", load.redisIn / ((CONSTANTS.linkGbit * 1e9) / 8)],
  [
    "shard CPU (unbatched publishes)",
    (shardPublishes * CONSTANTS.redisUsPerPublish.unbatched) / 1e6 / CONSTANTS.cpuBudget,
  ],
  ["shard → relays link", shardOutBytes / ((CONSTANTS.linkGbit * 1e9) / 8)],
] as const;
const rows: [string, string][] = [
  ["connections / users / rooms", `${fmt(connections)} / ${fmt(users)} / ${fmt(rooms)}`],
  ["events/s: user, room, broadcast", `${fmt(rates.user)}, ${fmt(rates.room)}, ${fmt(rates.broadcast, 3)}`],
  [
    "relays (fewest within budgets, dense costs)",
    `${relays} (paced costs, the pessimistic bound: ${relaysNeeded("paced")})`,
  ],
  ["per relay: connections", fmt(load.conns)],
  ["per relay: messages/s from Redis", fmt(load.messages)],
  ["per relay: deliveries/s", fmt(load.deliveries)],
  [
    "per relay: CPU, dense / paced costs",
    `${fmt(load.dense * 100)} % / ${fmt(load.paced * 100)} % of a core`,
  ],
  ["per relay: memory", `${fmt(load.memGiB, 1)} GiB`],
  ["per relay: Redis → relay", `${fmt(load.redisIn / 1e6, 2)} MB/s`],
  ["per relay: relay → clients", `${fmt(load.clientsOut / 1e6, 1)} MB/s`],
  [`per shard (${shards}): publishes/s`, fmt(shardPublishes)],
  [
    "per shard: Redis CPU (unbatched)",
    `${fmt(((shardPublishes * CONSTANTS.redisUsPerPublish.unbatched) / 1e6) * 100)} % of a core`,
  ],
  ["per shard: shard → relays", `${fmt(shardOutBytes / 1e6, 2)} MB/s`],
  ...limits.map(([name, share]): [string, string] => [`use of budget: ${name}`, `${fmt(share * 100)} %`]),
  ["limits first", [...limits].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "?"],
];
console.log("| quantity | value |\n|---|---|");
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
