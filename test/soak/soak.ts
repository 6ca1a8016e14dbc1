/**
 * Soak: a relay (its own process, test/soak/relay-host.ts) on a throwaway Redis under connection
 * churn plus traffic for N minutes (default 10). Every minute it samples the relay from inside:
 * RSS and heap after a full GC (their slopes are reported in MB/min), event-loop delay p99, timers,
 * handles and listeners. At the end every client leaves and the runner checks that the relay and
 * Redis are back to their idle baseline: no connections, no channel subscriptions (PUBSUB
 * CHANNELS / NUMSUB), no presence entries, no extra timers or listeners.
 *
 *   npm run soak                      # 10 minutes
 *   npm run soak -- --minutes 3 --clients 60 --users 500   (distinct user ids the clients cycle through)
 *
 * Prints a table and writes .tmp/reliability/soak.json; exits 1 when a check fails. With
 * `--snapshots <dir>` it also writes heap snapshots of the idle relay before and after.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { createEventBus } from "../../client/create-event-bus.js";
import type { EventBus } from "../../client/types.js";
import type { AnyEvents } from "../../protocol/envelope.js";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { EventBusClient } from "../../relay/backend/client.js";
import { stopProcess } from "../harness/processes.js";
import { startRedis } from "../harness/redis-server.js";
import type { HostSample } from "./relay-host.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "soak-secret-0123456789abcdefghijklmn";
const ROOMS = Array.from({ length: 50 }, (_, i) => `soak:${i}`);

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    clients: { type: "string", default: "40" },
    users: { type: "string", default: "500" },
    /** Directory for two heap snapshots of the relay at idle, before and after (for leak hunts). */
    snapshots: { type: "string" },
    json: { type: "string", default: join(ROOT, ".tmp", "reliability", "soak.json") },
  },
});
const MINUTES = Number(values.minutes);
const CLIENTS = Number(values.clients);
const USERS = Number(values.users);
if (!(MINUTES > 0) || !(CLIENTS > 0) || !(USERS > 0)) {
  process.stderr.write("usage: soak.ts [--minutes N] [--clients N] [--users N] [--json path]\n");
  process.exit(2);
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Host {
  readonly child: ChildProcess;
  readonly url: string;
  sample(): Promise<HostSample>;
  snapshot(path: string): Promise<string>;
}

async function startHost(redisUrl: string): Promise<Host> {
  const child = fork(join(ROOT, "test/soak/relay-host.ts"), [redisUrl, SECRET], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { type: string; url: string }) => resolve(m.url));
    child.once("exit", (code) => reject(new Error(`relay host exited (${code})`)));
  });
  return {
    child,
    url,
    sample: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type: string; sample?: HostSample }) => {
          if (m.type !== "sample" || !m.sample) return;
          child.off("message", onMessage);
          resolve(m.sample);
        };
        child.on("message", onMessage);
        child.send({ type: "sample" });
      }),
    snapshot: (path) =>
      new Promise((resolve) => {
        const onMessage = (m: { type: string; path?: string }) => {
          if (m.type !== "snapshot" || !m.path) return;
          child.off("message", onMessage);
          resolve(m.path);
        };
        child.on("message", onMessage);
        child.send({ type: "snapshot", path });
      }),
  };
}

interface Totals {
  /** Error codes seen (join refusals, bus `error` events), by code. */
  errorCodes: Record<string, number>;
  opened: number;
  closed: number;
  received: number;
  gaps: number;
  errors: number;
  backendPublished: number;
  backendFailed: number;
  clientPublished: number;
  clientFailed: number;
}

interface SoakClient {
  readonly user: string;
  readonly bus: EventBus<AnyEvents>;
  readonly rooms: readonly string[];
}

function openClient(url: string, n: number, totals: Totals): SoakClient {
  const user = `soaker${n % USERS}`;
  const bus = createEventBus({
    url,
    getToken: () =>
      createDevToken({ sub: user, secret: SECRET, rooms: ["soak:*"], publish: ["soak:*"], ttl: 3600 }),
    reconnect: { minDelay: 50, maxDelay: 1000 },
  });
  bus.subscribe("*", () => {
    totals.received++;
  });
  bus.on("gap", () => {
    totals.gaps++;
  });
  const count = (error: { code?: string }) => {
    const code = error.code ?? "UNCODED";
    totals.errorCodes[code] = (totals.errorCodes[code] ?? 0) + 1;
    // A join still pending when the churn closes the client ends with CLOSED: that is no error.
    if (code !== "CLOSED" && code !== "CANCELLED") totals.errors++;
  };
  bus.on("error", count);
  const rooms = [...new Set(Array.from({ length: 1 + (n % 3) }, () => pick(ROOMS)))];
  for (const room of rooms) {
    bus.joinRoom(room, { presence: n % 3 === 0 }).catch(count);
  }
  totals.opened++;
  return { user, bus, rooms };
}

function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function redisChannels(redis: Redis): Promise<{ channels: number; roomSubscribers: number }> {
  const channels = (await redis.call("PUBSUB", "CHANNELS")) as string[];
  const numsub = (await redis.call("PUBSUB", "NUMSUB", ...ROOMS.map((r) => `room:${r}`))) as (
    | string
    | number
  )[];
  let roomSubscribers = 0;
  for (let i = 1; i < numsub.length; i += 2) roomSubscribers += Number(numsub[i]);
  return { channels: channels.length, roomSubscribers };
}

async function main(): Promise<number> {
  const redis = await startRedis();
  const admin = new Redis(redis.url);
  const host = await startHost(redis.url);
  const backend = new EventBusClient({ serviceName: "soak", redis: redis.url, logger: silent });
  await backend.connect();
  const totals: Totals = {
    errorCodes: {},
    opened: 0,
    closed: 0,
    received: 0,
    gaps: 0,
    errors: 0,
    backendPublished: 0,
    backendFailed: 0,
    clientPublished: 0,
    clientFailed: 0,
  };
  const live: SoakClient[] = [];
  let counter = 0;
  const closeClient = (client: SoakClient) => {
    client.bus.close();
    totals.closed++;
  };
  const drainAll = async () => {
    for (const client of live.splice(0)) closeClient(client);
    for (let i = 0; i < 150; i++) {
      const s = await host.sample();
      if (s.connections === 0 && s.channels === 0 && s.brokerChannels === 0 && s.pendingTasks === 0) return s;
      await pause(200);
    }
    return host.sample();
  };
  try {
    // Warm-up: code paths loaded and caches filled, then the idle baseline.
    for (let i = 0; i < 10; i++) live.push(openClient(host.url, counter++, totals));
    await pause(2000);
    const baseline = await drainAll();
    const redisBaseline = await redisChannels(admin);
    if (values.snapshots) {
      mkdirSync(values.snapshots, { recursive: true });
      console.log(
        `heap snapshot: ${await host.snapshot(join(values.snapshots, "idle-before.heapsnapshot"))}`,
      );
    }
    console.log(
      `soak: ${MINUTES} min, ${CLIENTS} clients churning, relay ${host.url} (pid ${host.child.pid}); idle baseline heap ${baseline.heapUsedMb.toFixed(1)} MB, rss ${baseline.rssMb.toFixed(0)} MB, ${baseline.timers} timers, ${baseline.listeners} listeners`,
    );

    let running = true;
    const started = Date.now();
    const churn = (async () => {
      while (running) {
        while (live.length < CLIENTS) live.push(openClient(host.url, counter++, totals));
        for (let i = 0; i < Math.ceil(CLIENTS / 10); i++) {
          const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0];
          if (victim) closeClient(victim);
        }
        await pause(500);
      }
    })();
    const traffic = (async () => {
      for (let n = 0; running; n++) {
        const target = live.length > 0 ? pick(live) : undefined;
        const sending =
          n % 20 === 0
            ? backend.broadcast("soak.tick", { n })
            : n % 2 === 0 && target
              ? backend.publishToUser(target.user, "soak.tick", { n })
              : backend.publishToRoom(pick(ROOMS), "soak.tick", { n });
        await sending.then(
          () => totals.backendPublished++,
          () => totals.backendFailed++,
        );
        if (n % 10 === 0 && target?.rooms[0]) {
          target.bus.publish("soak.say", { n }, { room: target.rooms[0] }).then(
            () => totals.clientPublished++,
            (error: { code?: string }) => {
              if (error.code !== "CLOSED") totals.clientFailed++;
            },
          );
        }
        await pause(5);
      }
    })();

    const samples: (HostSample & { minute: number })[] = [];
    for (let minute = 1; minute <= MINUTES; minute++) {
      await pause(Math.max(0, started + minute * 60_000 - Date.now()));
      const s = await host.sample();
      samples.push({ ...s, minute });
      console.log(
        `  min ${String(minute).padStart(2)}: rss ${s.rssMb.toFixed(0)} MB, heap ${s.heapUsedMb.toFixed(1)} MB, loop p99 ${s.loopDelayP99Ms.toFixed(1)} ms (max ${s.loopDelayMaxMs.toFixed(0)}), ${s.connections} conns, ${s.channels} channels, ${s.timers} timers, ${s.listeners} listeners; ${totals.opened} opened, ${totals.received} received, ${totals.backendPublished + totals.clientPublished} published`,
      );
    }
    running = false;
    await Promise.all([churn, traffic]);
    const final = await drainAll();
    const redisFinal = await redisChannels(admin);
    if (values.snapshots) {
      console.log(`heap snapshot: ${await host.snapshot(join(values.snapshots, "idle-after.heapsnapshot"))}`);
    }

    const afterWarmup = samples.filter((s) => s.minute >= 2);
    const heapSlope = slope(afterWarmup.map((s) => [s.minute, s.heapUsedMb]));
    const rssSlope = slope(afterWarmup.map((s) => [s.minute, s.rssMb]));
    const loopP99 = Math.max(...samples.map((s) => s.loopDelayP99Ms));
    const checks = {
      "relay back to idle (0 connections, channels, presence, tasks)":
        final.connections === 0 &&
        final.channels === 0 &&
        final.brokerChannels === 0 &&
        final.presenceChannels === 0 &&
        final.pendingTasks === 0,
      "Redis subscriptions back to baseline (PUBSUB CHANNELS, NUMSUB of the rooms)":
        redisFinal.channels === redisBaseline.channels && redisFinal.roomSubscribers === 0,
      "timers back to baseline": final.timers <= baseline.timers,
      "listeners back to baseline": final.listeners <= baseline.listeners,
      "heap after GC: slope under 1 MB/min after the first minute": afterWarmup.length < 2 || heapSlope < 1,
      "no gaps, no client errors, no failed publishes":
        totals.gaps === 0 && totals.errors === 0 && totals.backendFailed === 0 && totals.clientFailed === 0,
    };
    const result = {
      minutes: MINUTES,
      clients: CLIENTS,
      users: USERS,
      totals,
      baseline,
      final,
      redisBaseline,
      redisFinal,
      samples,
      heapSlopeMbPerMin: heapSlope,
      rssSlopeMbPerMin: rssSlope,
      loopDelayP99MaxMs: loopP99,
      checks,
    };
    mkdirSync(dirname(values.json), { recursive: true });
    writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `\nsoak: ${totals.opened} connections opened and closed, ${totals.backendPublished} backend + ${totals.clientPublished} client publishes, ${totals.received} deliveries`,
    );
    console.log(
      `heap after GC slope ${heapSlope.toFixed(3)} MB/min, RSS slope ${rssSlope.toFixed(3)} MB/min (minutes 2–${MINUTES}); event-loop delay p99 ≤ ${loopP99.toFixed(1)} ms`,
    );
    const spaces = Object.keys(final.spacesMb)
      .map((name) => ({ name, delta: (final.spacesMb[name] ?? 0) - (baseline.spacesMb[name] ?? 0) }))
      .filter((s) => Math.abs(s.delta) >= 0.05)
      .map((s) => `${s.name} ${s.delta >= 0 ? "+" : ""}${s.delta.toFixed(2)}`)
      .join(", ");
    console.log(`idle heap growth by V8 space (MB): ${spaces || "none"}`);
    console.log(
      `idle before → after: heap ${baseline.heapUsedMb.toFixed(1)} → ${final.heapUsedMb.toFixed(1)} MB, timers ${baseline.timers} → ${final.timers}, listeners ${baseline.listeners} → ${final.listeners}, handles ${baseline.handles} → ${final.handles}; Redis channels ${redisBaseline.channels} → ${redisFinal.channels}`,
    );
    for (const [name, ok] of Object.entries(checks)) console.log(`  ${ok ? "✓" : "✗"} ${name}`);
    console.log(`(written to ${values.json})`);
    return Object.values(checks).every(Boolean) ? 0 : 1;
  } finally {
    for (const client of live.splice(0)) client.bus.close();
    await backend.disconnect();
    admin.disconnect();
    host.child.send({ type: "stop" });
    await stopProcess(host.child, "SIGTERM", 3000);
    await redis.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
