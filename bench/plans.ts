/**
 * The sizes of every figure, full and quick. Everything is bounded by counts (and each wait by a
 * timeout); `deadlineSeconds` stops the whole suite if something still runs away.
 */
import type { FanoutPlan } from "./figures/fanout-run.js";
import type { GroupsPlan } from "./figures/groups.js";
import type { LadderPlan } from "./figures/ladder.js";
import type { NetnsPlan } from "./figures/netns.js";
import type { FaultPlan } from "./figures/netns-faults.js";
import type { RecoveryPlan } from "./figures/recovery.js";
import type { RoomsPlan } from "./figures/rooms.js";
import type { ScaleOutPlan } from "./figures/scale-out.js";
import type { StorePlan } from "./figures/store.js";
import type { ServerMode } from "./lib/drivers.js";

export interface Plan {
  readonly figures: readonly number[];
  readonly deadlineSeconds: number;
  readonly fanout: FanoutPlan & { readonly systems: readonly ServerMode[]; readonly rounds: number };
  readonly rooms: RoomsPlan;
  readonly scaleOut: ScaleOutPlan;
  readonly recovery: RecoveryPlan;
  readonly netns: NetnsPlan;
  readonly netnsFaults: readonly FaultPlan[];
  readonly publish: {
    readonly events: number;
    readonly rounds: number;
    readonly rate: number;
    readonly latencySeconds: number;
  };
  readonly groups: GroupsPlan;
  readonly store: StorePlan;
  readonly ladder: LadderPlan;
}

const FULL: Plan = {
  figures: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  deadlineSeconds: 30 * 60,
  fanout: {
    systems: ["ours-redis", "ours-memory", "baseline", "reference"],
    sizes: [1000, 5000],
    rates: [20_000, 50_000],
    latencySeconds: 3,
    burstDeliveries: 1_000_000,
    warmClients: 200,
    rounds: 3,
  },
  rooms: {
    clients: 5000,
    rooms: 1000,
    seconds: 8,
    roomRate: 1000,
    userRate: 200,
    broadcastRate: 1,
    rounds: 5,
  },
  scaleOut: { relays: [1, 2, 3], rooms: 60, clientsPerRoom: 10, messages: 3000, rate: 3000, burst: 20_000 },
  recovery: { clients: 2000, rooms: 200, missed: 100, processes: 2, timeoutSeconds: 90 },
  publish: { events: 30_000, rounds: 3, rate: 5_000, latencySeconds: 3 },
  netns: {
    relays: 3,
    perRelay: 150,
    roomSize: 5,
    globals: 4,
    seconds: 6,
    links: { redis: 100, relayBack: 20, relayFront: 100, intoRelay: 20 },
  },
  netnsFaults: [
    // Long enough for the default heartbeats to fire: Redis health 5 s, socket.io 25 s + 20 s.
    { label: "defaults", env: { LOG_LEVEL: "debug" }, relayRedisSeconds: 20, clientRelaySeconds: 50 },
    {
      label: "short heartbeats",
      env: {
        LOG_LEVEL: "debug",
        REDIS_HEALTH_CHECK: "1s",
        RELAY_HEARTBEAT_INTERVAL: "2s",
        RELAY_HEARTBEAT_TIMEOUT: "2s",
      },
      relayRedisSeconds: 8,
      clientRelaySeconds: 8,
    },
  ],
  groups: { events: 30_000, rounds: 3, rate: 2_000, latencySeconds: 3 },
  store: { events: 50_000, naiveEvents: 5_000, rounds: 3 },
  ladder: {
    oneRoom: {
      clients: 1000,
      rooms: 1,
      rates: [5_000, 10_000, 20_000, 50_000, 100_000, 200_000],
      systems: ["ours-redis", "baseline", "reference"],
    },
    smallRooms: {
      clients: 5000,
      rooms: 1000,
      rates: [10_000, 30_000, 60_000, 100_000],
      systems: ["ours-redis", "baseline"],
    },
    seconds: 10,
    maxP99Ms: 500,
  },
};

const QUICK: Plan = {
  ...FULL,
  figures: [1, 2, 6],
  deadlineSeconds: 120,
  fanout: {
    systems: ["ours-redis", "ours-memory", "baseline", "reference"],
    sizes: [1000],
    rates: [20_000],
    latencySeconds: 1.5,
    burstDeliveries: 200_000,
    warmClients: 100,
    rounds: 1,
  },
  publish: { events: 5_000, rounds: 1, rate: 2_000, latencySeconds: 1 },
  groups: { events: 5_000, rounds: 1, rate: 1_000, latencySeconds: 1 },
  store: { events: 10_000, naiveEvents: 1_000, rounds: 1 },
  ladder: {
    oneRoom: {
      clients: 200,
      rooms: 1,
      rates: [5_000, 20_000],
      systems: ["ours-redis", "baseline", "reference"],
    },
    smallRooms: { clients: 500, rooms: 100, rates: [5_000], systems: ["ours-redis", "baseline"] },
    seconds: 2,
    maxP99Ms: 500,
  },
};

export const plans = (quick: boolean): Plan => (quick ? QUICK : FULL);
