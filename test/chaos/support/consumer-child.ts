/**
 * A browser-like consumer in its own process (the SDK in Node), for slow-consumer chaos: the test
 * SIGSTOPs this process so it stops reading its socket (its whole event loop stops), then
 * SIGCONTs it. Protocol on stdio, one JSON object per line:
 *   → stdout {"ready":true}                       joined the room
 *   ← stdin  {"report":<count>}                   wait until <count> room events arrived (or 30 s)
 *   → stdout {"received":…, "duplicates":…, "outOfOrder":…, "gaps":…, "reconnects":…, "recovered":…}
 *
 *   node --import tsx test/chaos/support/consumer-child.ts <relay url> <user> <room> <secret>
 */
import { createInterface } from "node:readline";
import { createEventBus } from "../../../client/create-event-bus.js";
import { createDevToken } from "../../../relay/auth/dev-token.js";

const [url, user, room, secret] = process.argv.slice(2);
if (!url || !user || !room || !secret) {
  process.stderr.write("usage: consumer-child.ts <url> <user> <room> <secret>\n");
  process.exit(2);
}

const bus = createEventBus({
  url,
  getToken: () => createDevToken({ sub: user, secret, rooms: [room] }),
  reconnect: { minDelay: 20, maxDelay: 200 },
});
const seen = new Set<string>();
let received = 0;
let duplicates = 0;
let outOfOrder = 0;
let lastSeq = -1;
let gaps = 0;
let reconnects = 0;
let recovered = 0;
const waiters: { count: number; done: () => void }[] = [];

bus.subscribe("*", (event) => {
  if (event.channel !== `room:${room}`) return;
  received++;
  if (seen.has(event.id)) duplicates++;
  seen.add(event.id);
  const seq = (event.data as { seq?: number } | null)?.seq ?? -1;
  if (seq < lastSeq) outOfOrder++;
  lastSeq = Math.max(lastSeq, seq);
  for (const waiter of [...waiters]) if (seen.size >= waiter.count) waiter.done();
});
bus.on("gap", () => gaps++);
bus.on("recovered", (info) => {
  recovered += info.replayed;
});
bus.on("status", ({ status, previous }) => {
  if (status === "reconnecting" && previous === "connected") reconnects++;
});

const write = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

await bus.joinRoom(room);
write({ ready: true });

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as { report?: number };
  if (request.report === undefined) continue;
  const count = request.report;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    const done = () => {
      clearTimeout(timer);
      waiters.splice(waiters.indexOf(waiter), 1);
      resolve();
    };
    const waiter = { count, done };
    waiters.push(waiter);
    if (seen.size >= count) done();
  });
  write({ received, unique: seen.size, duplicates, outOfOrder, gaps, reconnects, recovered });
  bus.close();
  process.exit(0);
}
