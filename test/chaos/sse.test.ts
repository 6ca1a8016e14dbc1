/**
 * Chaos on SSE (GET /events): a run of 1,000 events to a room reaches a reader exactly once, in
 * order, across a network cut (TCP reset by the chaos proxy), a relay drained with SIGTERM and
 * restarted, and a relay SIGKILLed and restarted while events keep being published (they are
 * recovered from history by Last-Event-ID). Two readers, each its own run: a real `EventSource` in
 * Debian's Chromium (Playwright, the flags of playwright.config.ts), a Node reader over `fetch`, and
 * `curl -N` processes — the last two reconnecting by the EventSource rules (test/helpers/sse-client.ts). Faults are injected once the
 * reader has everything published so far (waiting on that condition, never on time).
 */
import { chromium } from "@playwright/test";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { freePort } from "../harness/processes.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";
import { type RelayProcess, startRelayProcess } from "../helpers/relay-process.js";
import { publishEvent, TEST_SECRET } from "../helpers/relay-server.js";
import { closeAllSse, openSse } from "../helpers/sse-client.js";
import { eventually } from "../helpers/wait.js";
import { type ChaosBackend, startBackend } from "./support/backend.js";
import { type ChaosProxy, startChaosProxy } from "./support/chaos-proxy.js";
import { rssPeak } from "./support/relay-probe.js";
import { recordRow } from "./support/report.js";

const EVENTS = 1000;
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

let redis: RedisServer;
let backend: ChaosBackend;
const relays: RelayProcess[] = [];
const proxies: ChaosProxy[] = [];

beforeAll(async () => {
  redis = await startRedis();
  backend = await startBackend(redis.url);
});

afterAll(async () => {
  closeAllSse();
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(relays.map((r) => r.kill()));
  await backend?.close();
  await redis?.stop();
});

/** What the scenario needs of a reader: the `i` of each message received, and its connections. */
interface Reader {
  received(): Promise<number[]>;
  gaps(): Promise<number>;
  connections(): Promise<number>;
}

interface Stage {
  readonly relayPort: number;
  readonly proxy: ChaosProxy;
  readonly token: string;
  readonly room: string;
}

async function stage(room: string): Promise<Stage> {
  const relayPort = await freePort();
  relays.push(await startRelay(relayPort));
  const proxy = await startChaosProxy([relayPort]);
  proxies.push(proxy);
  const token = await createDevToken({ sub: `reader-${room}`, secret: TEST_SECRET, rooms: ["sse:*"] });
  return { relayPort, proxy, token, room };
}

function startRelay(port: number): Promise<RelayProcess> {
  return startRelayProcess({ EVENT_BUS_REDIS_URL: redis.url, PORT: String(port), LOG_LEVEL: "error" });
}

/** Publishes 0…999; cut at 250, SIGTERM + restart at 500, SIGKILL at 750 and restart 50 events later. */
async function runFaults(s: Stage, reader: Reader): Promise<{ faults: number }> {
  const caughtUp = (n: number) =>
    eventually(async () => (await reader.received()).length >= n, {
      timeoutMs: 60_000,
      label: `${n} received`,
    });
  let faults = 0;
  for (let i = 0; i < EVENTS; i++) {
    if (i === 250) {
      await caughtUp(i);
      s.proxy.cut();
      faults++;
    }
    if (i === 500) {
      await caughtUp(i);
      await relays.pop()?.stop();
      relays.push(await startRelay(s.relayPort));
      faults++;
    }
    if (i === 750) {
      await caughtUp(i);
      await relays.pop()?.kill();
      faults++;
    }
    if (i === 800) relays.push(await startRelay(s.relayPort));
    await publishEvent(backend.broker, `room:${s.room}`, "sse.chaos", { i });
  }
  await caughtUp(EVENTS);
  return { faults };
}

async function check(label: string, reader: Reader, faults: number, memory: { stop(): number | null }) {
  const received = await reader.received();
  const unique = new Set(received);
  const gaps = await reader.gaps();
  const inOrder = received.every((value, index) => value === index);
  const ok = inOrder && received.length === EVENTS && gaps === 0;
  recordRow({
    scenario: `SSE ${label}: network cut, relay SIGTERM + restart, relay SIGKILL + restart`,
    runs: faults,
    events: EVENTS,
    lost: EVENTS - unique.size,
    duplicated: received.length - unique.size,
    gaps,
    maxMemoryMb: memory.stop(),
    result: ok ? "pass" : "fail",
    notes: `${received.length} deliveries over ${await reader.connections()} connections (Last-Event-ID recovery)`,
  });
  expect(received).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
  expect(gaps).toBe(0);
}

it.each([
  ["Node reader (fetch)", "fetch"],
  ["curl -N", "curl"],
] as const)(
  "%s, reconnecting by the EventSource rules, gets 1,000 events once, in order, across cut and restarts",
  async (label, via) => {
    const s = await stage(`sse:${via}`);
    const memory = rssPeak(relays.at(-1)?.child.pid);
    const sse = openSse(`${s.proxy.url}/events?room=${s.room}`, { token: s.token, maxRetryMs: 500, via });
    await sse.events.waitUntil((e) => e.event === "ready", 30_000);
    const reader: Reader = {
      received: async () => sse.messages.items.map((m) => (m.message.data as { i: number }).i),
      gaps: async () => sse.events.items.filter((e) => e.event === "gap").length,
      connections: async () => sse.connections,
    };
    const { faults } = await runFaults(s, reader);
    await check(label, reader, faults, memory);
  },
  180_000,
);

it("a real EventSource in Chromium gets 1,000 events once, in order, across cut and restarts", async () => {
  const s = await stage("sse:chromium");
  const memory = rssPeak(relays.at(-1)?.child.pid);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`${s.proxy.url}/healthz`); // same origin as the stream
    await page.evaluate(
      ({ room, token }) => {
        const state = { received: [] as number[], gaps: 0, opens: 0 };
        (globalThis as unknown as { sse: typeof state }).sse = state;
        const source = new EventSource(`/events?room=${room}&token=${token}`);
        source.onopen = () => state.opens++;
        source.onmessage = (event) => state.received.push(JSON.parse(event.data).message.data.i);
        source.addEventListener("gap", () => state.gaps++);
      },
      { room: s.room, token: s.token },
    );
    const read = <T>(key: "received" | "gaps" | "opens") =>
      page.evaluate(
        (k) => (globalThis as unknown as { sse: Record<string, unknown> }).sse[k],
        key,
      ) as Promise<T>;
    await eventually(async () => (await read<number>("opens")) >= 1, {
      timeoutMs: 30_000,
      label: "stream open",
    });
    const reader: Reader = {
      received: () => read<number[]>("received"),
      gaps: () => read<number>("gaps"),
      connections: () => read<number>("opens"),
    };
    const { faults } = await runFaults(s, reader);
    await check("EventSource in Chromium", reader, faults, memory);
  } finally {
    await browser.close();
  }
}, 240_000);

it("Redis SIGKILLed and restarted empty: a `gap`, then every event of the new epoch, once, in order", async () => {
  const relayPort = await freePort();
  relays.push(await startRelay(relayPort));
  const room = "sse:redis";
  const token = await createDevToken({ sub: "reader-redis", secret: TEST_SECRET, rooms: ["sse:*"] });
  const sse = openSse(`http://127.0.0.1:${relayPort}/events?room=${room}`, { token, maxRetryMs: 500 });
  await sse.events.waitUntil((e) => e.event === "ready", 30_000);
  const received = () => sse.messages.items.filter((m) => m.channel === `room:${room}`);
  for (let i = 0; i < 200; i++) await publishEvent(backend.broker, `room:${room}`, "sse.chaos", { i });
  await eventually(() => received().length >= 200, { timeoutMs: 60_000, label: "200 received" });
  await redis.kill();
  await redis.restart();
  let refused = 0;
  for (let i = 200; i < 400; i++) {
    for (let attempt = 0; ; attempt++) {
      try {
        await publishEvent(backend.broker, `room:${room}`, "sse.chaos", { i });
        break;
      } catch (error) {
        refused++;
        if (attempt >= 200) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50)); // the backend's Redis link is reconnecting
      }
    }
  }
  await eventually(() => received().length >= 400, { timeoutMs: 60_000, label: "400 received" });
  const values = received().map((m) => (m.message.data as { i: number }).i);
  const gaps = sse.events.items.filter((e) => e.event === "gap" && e.data.includes(`room:${room}`)).length;
  recordRow({
    scenario: "SSE Node reader: Redis SIGKILL, restart empty",
    runs: 1,
    events: 400,
    lost: 400 - new Set(values).size,
    duplicated: values.length - new Set(values).size,
    gaps,
    maxMemoryMb: null,
    result: values.length === 400 && gaps >= 1 ? "pass" : "fail",
    notes: `${sse.connections} connections; ${refused} backend publishes refused while Redis came back (retried); the 200 events of the new epoch replayed after the gap`,
  });
  expect(values).toEqual(Array.from({ length: 400 }, (_, i) => i));
  expect(gaps).toBeGreaterThanOrEqual(1);
}, 180_000);
