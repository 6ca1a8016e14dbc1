/**
 * A worker process in a consumer group, for the group chaos tests: the real backend library on
 * Redis (or a Redis Cluster), one group subscription whose handler takes a little time and then
 * records the event in a ledger — a list in a separate Redis, its side effect — before it returns,
 * so a SIGKILL between the record and the acknowledgement shows up as a duplicate, exactly what
 * at-least-once allows. (Not stdout: a pipe write from Node is asynchronous and dies with the
 * process.)
 *
 *   node --import tsx test/chaos/support/group-worker-child.ts '<json config>'
 *   → stdout "ready" once subscribed; RPUSH <ledger> "<seq> <attempt> <name>" per handled event
 *   SIGTERM: stops gracefully (finishes what it fetched) and exits 0.
 */
import { Redis } from "ioredis";
import { EventBusClient } from "../../../relay/backend/client.js";
import { silentLogger } from "../../integration/backend/silent-logger.js";

export interface WorkerConfig {
  /** The worker's name in the ledger. */
  readonly name: string;
  /** The ledger: a Redis (not the one under test) whose list `handled` records every handling. */
  readonly ledger: string;
  readonly redis?: string;
  readonly cluster?: readonly { readonly host: string; readonly port: number }[];
  readonly type: string;
  readonly group: string;
  readonly concurrency: number;
  readonly claimIdleMs: number;
  /** Handler time, ms (0-2 × this, at random). */
  readonly handleMs: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as WorkerConfig;
const ledger = new Redis(config.ledger);
const bus = new EventBusClient({
  serviceName: "chaos-worker",
  ...(config.redis ? { redis: config.redis } : { cluster: config.cluster ?? [] }),
  logger: silentLogger,
  groups: { claimIdleMs: config.claimIdleMs, pollIntervalMs: 200, prefetch: 2 * config.concurrency },
});

await bus.subscribe(
  config.type,
  async (event) => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * config.handleMs));
    await ledger.rpush("handled", `${(event.data as { seq: number }).seq} ${event.attempt} ${config.name}`);
  },
  { group: config.group, concurrency: config.concurrency, timeout: 10_000 },
);
process.stdout.write("ready\n");

process.once("SIGTERM", () => {
  bus.disconnect().then(
    () => {
      ledger.disconnect();
      process.exit(0);
    },
    () => process.exit(1),
  );
});
