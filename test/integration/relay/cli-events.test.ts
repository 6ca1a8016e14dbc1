/**
 * `event-bus events read|replay` as a process, against a real Redis and a real PostgreSQL: reads
 * by aggregate from PostgreSQL and a room's history from Redis, replays stored events to one
 * consumer group, and refuses what it cannot do with a coded one-line error and exit code 2.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBusClient } from "../../../relay/backend/client.js";
import type { ReceivedEvent } from "../../../relay/backend/types.js";
import { type TestDatabase, testDatabase } from "../../harness/postgres.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { collector, eventually } from "../../helpers/wait.js";
import { silentLogger } from "../backend/silent-logger.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const run = promisify(execFile);

let redis: RedisServer;
let db: TestDatabase;
let bus: EventBusClient;

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ["--import", "tsx", "relay/cli/main.ts", "events", ...args], {
    cwd: ROOT,
    env: { ...process.env, EVENT_BUS_REDIS_URL: redis.url, EVENT_BUS_STORE_URL: "", ...env },
  });
}

beforeAll(async () => {
  [redis, db] = await Promise.all([startRedis(), testDatabase()]);
  bus = new EventBusClient({
    serviceName: "cli-test",
    redis: redis.url,
    logger: silentLogger,
    store: { postgres: { connectionString: db.url, schema: db.schema, table: "cli_events" } },
  });
}, 60_000);
afterAll(async () => {
  await bus?.disconnect();
  await db?.release();
  await redis?.stop();
});

describe("event-bus events", () => {
  it("reads an aggregate's stored events from PostgreSQL, and a room's history from Redis", async () => {
    await bus.publish("photo.uploaded", { photoId: "p1" }, { aggregateId: "p1" });
    await bus.publishToRoom("lobby", "comment.added", { text: "hi" }, { aggregateId: "p1" });
    await bus.publish("photo.uploaded", { photoId: "p2" }, { aggregateId: "p2" });
    await eventually(async () => (await bus.getStats()).store?.written === 3);
    const table = `${db.schema}.cli_events`;

    const fromPg = await cli(["read", "--store", db.url, "--table", table, "--aggregate", "p1"]);
    const lines = fromPg.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      / {2}photo\.uploaded {2}photo\.uploaded {2}p1 {2}[0-9a-f-]{36} {2}\{"photoId":"p1"\}$/,
    );
    expect(lines[1]).toContain("  room:lobby  comment.added  p1  ");
    expect(fromPg.stderr).toContain("2 event(s) from the postgres store");

    const json = await cli([
      "read",
      "--store",
      db.url,
      "--table",
      table,
      "--type",
      "photo.*",
      "--limit",
      "1",
      "--json",
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: "photo.uploaded", data: { photoId: "p1" } });
    expect(json.stderr).toMatch(/next page: --cursor \d+/);

    const fromRedis = await cli(["read", "--channel", "room:lobby", "--since", "1h"]);
    expect(fromRedis.stdout).toContain("comment.added  p1");
    expect(fromRedis.stderr).toContain("1 event(s) from the redis-history store");
  });

  it("replays stored events to one consumer group", async () => {
    const worker = new EventBusClient({ serviceName: "worker", redis: redis.url, logger: silentLogger });
    const got = collector<ReceivedEvent>("replayed");
    await worker.subscribe("photo.uploaded", (e) => got.push(e), { group: "thumbs" });
    try {
      const { stdout } = await cli([
        "replay",
        "--store",
        db.url,
        "--table",
        `${db.schema}.cli_events`,
        "--type",
        "photo.uploaded",
        "--group",
        "thumbs",
      ]);
      expect(stdout.trim()).toBe("replayed 2 event(s) to group thumbs");
      expect((await got.waitFor(2)).map((e) => e.metadata.aggregateId)).toEqual(["p1", "p2"]);
    } finally {
      await worker.disconnect();
    }
  });

  it("refuses what it cannot do with one coded line and exit code 2", async () => {
    const noFilter = await cli(["read"]).catch((error: { code: number; stderr: string }) => error);
    expect(noFilter).toMatchObject({ code: 2 });
    expect((noFilter as { stderr: string }).stderr).toMatch(
      /^event-bus events: INVALID_OPTIONS: .*one channel at a time/,
    );
    const noAction = await cli([]).catch((error: { code: number; stderr: string }) => error);
    expect(noAction).toMatchObject({ code: 2 });
    const noGroup = await cli(["replay", "--type", "a.b"]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((noGroup as { stderr: string }).stderr).toContain("replay needs --group");
    const badTime = await cli(["read", "--channel", "room:x", "--since", "yesterday"]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((badTime as { stderr: string }).stderr).toContain('--since "yesterday" is not an ISO 8601 time');
  });
});
