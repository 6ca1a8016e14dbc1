/**
 * Where the relay's time goes while N clients connect and join (issue 17, goal 4): a relay
 * (Redis broker on a throwaway redis-server, or the memory broker) in this process, N raw clients
 * from bench/procs/fanout-load.ts (JWT handshake, join a room; the relay holds each user channel),
 * a V8 CPU profile of the relay over the connect phase, written to FILE for bench/profile.ts.
 *
 *   npx tsx bench/connect-profile.ts [clients=2000] [file=/tmp/connect.cpuprofile] [redis|memory]
 *   npx tsx bench/profile.ts /tmp/connect.cpuprofile
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createRelay } from "../relay/edge/create-relay.js";
import { startRedis } from "../test/harness/redis-server.js";
import { connectClients, SECRET, startLoad } from "./lib/drivers.js";
import { stopAll } from "./lib/ipc.js";

const clients = Number(process.argv[2] ?? 2000);
const file = process.argv[3] ?? "/tmp/connect.cpuprofile";
const useRedis = process.argv[4] !== "memory";

const redis = useRedis ? await startRedis() : undefined;
const relay = await createRelay({
  port: 0,
  host: "127.0.0.1",
  logLevel: "silent",
  broker: redis ? { broker: "redis", url: redis.url } : { broker: "memory" },
  auth: { secret: SECRET },
  limits: { maxConnectionsPerUser: 10_000, handshakeBurst: 1_000_000, handshakesPerSecond: 1_000_000 },
});
const load = await startLoad("ours");
const session = new Session();
try {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  const cpu = process.cpuUsage();
  const ms = await connectClients(load, {
    ports: [relay.port],
    rooms: 1,
    roomPrefix: "bench:",
    count: clients,
    first: 0,
  });
  const used = process.cpuUsage(cpu);
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(file, JSON.stringify(profile));
  process.stdout.write(
    `${clients} clients connected and joined in ${ms.toFixed(0)} ms; relay CPU ${((used.user + used.system) / 1000).toFixed(0)} ms ` +
      `(${((used.user + used.system) / clients).toFixed(0)} µs per client); profile: ${file}\n`,
  );
} finally {
  session.disconnect();
  await stopAll([load]);
  await relay.close();
  await redis?.stop();
}
