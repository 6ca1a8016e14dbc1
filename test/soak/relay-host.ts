/**
 * The relay under soak, in its own process (forked with --expose-gc): createRelay on a Redis URL,
 * plus an IPC channel the soak runner uses to sample it from inside — heap after a full GC, RSS,
 * event-loop delay (perf_hooks monitorEventLoopDelay, p99 since the previous sample; the delay is
 * what exceeds the 10 ms sampling interval), active timers and handles, listener counts of the
 * long-lived emitters, and the relay's own stats.
 *
 *   fork("test/soak/relay-host.ts", [redisUrl, secret], { execArgv: ["--expose-gc", "--import", "tsx"] })
 *   → { type: "ready", url }         ← { type: "sample" }  → { type: "sample", sample }
 *                                    ← { type: "snapshot", path } → { type: "snapshot", path } (heap snapshot)
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";
import { createRelay } from "../../relay/edge/create-relay.js";

export interface HostSample {
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly externalMb: number;
  /** Used size of each V8 heap space (old, code, …), MB: where heap growth lives. */
  readonly spacesMb: Readonly<Record<string, number>>;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly timers: number;
  readonly handles: number;
  readonly listeners: number;
  readonly connections: number;
  readonly channels: number;
  readonly presenceChannels: number;
  readonly pendingTasks: number;
  readonly brokerChannels: number;
}

const [redisUrl, secret] = process.argv.slice(2);
if (!redisUrl || !secret || !process.send) {
  process.stderr.write("usage: fork relay-host.ts <redis url> <jwt secret> (with an IPC channel)\n");
  process.exit(2);
}

const relay = await createRelay({
  port: 0,
  host: "127.0.0.1",
  logLevel: "silent",
  subscriptionLingerMs: 200,
  auth: { secret },
  broker: { broker: "redis", url: redisUrl },
  presence: { ttlMs: 10_000, refreshMs: 2_000 },
});
/** The sampling timer's interval: the histogram records whole intervals, so the delay is the excess. */
const RESOLUTION_MS = 10;
const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
loop.enable();
const gc = (globalThis as { gc?: () => void }).gc;

function listenerTotal(): number {
  const emitters = [relay.httpServer, relay.io, relay.io.engine, relay.io.sockets, relay.io.of("/").adapter];
  let total = 0;
  for (const emitter of emitters) {
    for (const name of emitter.eventNames()) total += emitter.listenerCount(name);
  }
  return total;
}

function sample(): HostSample {
  gc?.();
  gc?.();
  const memory = process.memoryUsage();
  const resources = process.getActiveResourcesInfo();
  const stats = relay.stats();
  const result: HostSample = {
    rssMb: memory.rss / 1024 / 1024,
    heapUsedMb: memory.heapUsed / 1024 / 1024,
    externalMb: memory.external / 1024 / 1024,
    spacesMb: Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size / 1024 / 1024]),
    ),
    loopDelayP99Ms: Math.max(0, loop.percentile(99) / 1e6 - RESOLUTION_MS),
    loopDelayMaxMs: Math.max(0, loop.max / 1e6 - RESOLUTION_MS),
    timers: resources.filter((r) => r === "Timeout").length,
    handles: resources.length,
    listeners: listenerTotal(),
    connections: stats.connections,
    channels: stats.channels.length,
    presenceChannels: stats.presenceChannels.length,
    pendingTasks: stats.pendingTasks,
    brokerChannels: relay.broker.subscriptions().channels.length,
  };
  loop.reset();
  return result;
}

process.on("message", (message: { type?: string; path?: string }) => {
  if (message.type === "sample") process.send?.({ type: "sample", sample: sample() });
  if (message.type === "snapshot" && message.path) {
    gc?.();
    process.send?.({ type: "snapshot", path: writeHeapSnapshot(message.path) });
  }
  if (message.type === "stop") {
    void relay.close({ timeoutMs: 1000 }).then(() => process.exit(0));
  }
});
process.send({ type: "ready", url: relay.url });
