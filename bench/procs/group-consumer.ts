/**
 * A consumer process for figure 10 (bench/figures/groups.ts): an EventBusClient on Redis with one
 * subscription — plain (live PUBLISH/SUBSCRIBE) or in a consumer group — whose handler only counts
 * events and, when the event carries its publish time (`data.t`, CLOCK_MONOTONIC ms), records the
 * publish → handler latency.
 *
 *   node --import tsx bench/procs/group-consumer.ts '{"url":…,"type":…,"group":…|null}'
 *   → stdout "ready"; IPC { cmd: "count" } → { event: "count", count }
 *                      { cmd: "samples" } → { event: "samples", samples: number[] } (and resets them)
 */
import { EventBusClient } from "../../relay/backend/client.js";
import { now, quietLogger } from "../lib/feeders.js";

const config = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  type: string;
  group: string | null;
  concurrency: number;
};
const bus = new EventBusClient({ serviceName: "bench-consumer", redis: config.url, logger: quietLogger });
let count = 0;
let samples: number[] = [];

await bus.subscribe(
  config.type,
  (event) => {
    count++;
    const t = (event.data as { t?: number }).t;
    if (t !== undefined) samples.push(now() - t);
  },
  config.group === null ? {} : { group: config.group, concurrency: config.concurrency },
);
process.stdout.write("ready\n");

process.on("message", (message: { cmd?: string }) => {
  if (message.cmd === "count") process.send?.({ event: "count", count });
  if (message.cmd === "samples") {
    process.send?.({ event: "samples", samples });
    samples = [];
  }
});
