/**
 * A first Redis connection that fails says why, against real servers: a wrong or missing password
 * (a throwaway redis-server with requirepass), a port nobody listens on, a host name that does not
 * resolve. Each error is BROKER_UNAVAILABLE with the cause and the URL in its message, the password
 * hidden everywhere (message, hint, cause), and a hint that says how to fix it rather than promising
 * a reconnect. The backend's connect() reports the same.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBusClient } from "../../../relay/backend/client.js";
import { RedisBroker } from "../../../relay/brokers/redis/redis-broker.js";
import { freePort } from "../../harness/processes.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";

const PASSWORD = "right-horse-battery";
const WRONG = "wrong-staple-4711";
let secured: RedisServer;

beforeAll(async () => {
  secured = await startRedis({ args: ["--requirepass", PASSWORD] });
});

afterAll(async () => {
  await secured?.stop();
});

interface Case {
  readonly name: string;
  readonly url: () => Promise<string>;
  readonly what: RegExp;
  readonly fix: RegExp;
}

const CASES: readonly Case[] = [
  {
    name: "a wrong password",
    url: async () => `redis://:${WRONG}@127.0.0.1:${secured.port}`,
    what: /: Redis refused the user name or password \(WRONGPASS\)\./,
    fix: /^Correct the password in the URL/,
  },
  {
    name: "a wrong password for an ACL user",
    url: async () => `redis://default:${WRONG}@127.0.0.1:${secured.port}`,
    what: /\(WRONGPASS\)\./,
    fix: /^Correct the password/,
  },
  {
    name: "no password where one is required",
    url: async () => `redis://127.0.0.1:${secured.port}`,
    what: /: Redis requires a password and none was given \(NOAUTH\)\./,
    fix: /^Put the password in the URL/,
  },
  {
    name: "a refused port",
    url: async () => `redis://:${WRONG}@127.0.0.1:${await freePort()}`,
    what: /: nothing accepts connections there \(ECONNREFUSED\)\./,
    fix: /^Start Redis, or correct the host and port/,
  },
  {
    name: "an unknown host",
    url: async () => `redis://:${WRONG}@no-such-host.invalid:6379`,
    what: /: the host name does not resolve \((ENOTFOUND|EAI_AGAIN)\)\./,
    fix: /^Correct the host name/,
  },
];

async function failure(connect: () => Promise<unknown>): Promise<Error & { code: string; hint: string }> {
  try {
    await connect();
  } catch (error) {
    return error as Error & { code: string; hint: string };
  }
  throw new Error("expected the connection to fail");
}

describe("a Redis connection that cannot be made", () => {
  it.each(CASES)("names $name, with the URL's password hidden", async ({ url, what, fix }) => {
    const target = await url();
    const broker = new RedisBroker({ connection: target, connectTimeoutMs: 4000 });
    try {
      const error = await failure(() => broker.connect());
      expect(error.code).toBe("BROKER_UNAVAILABLE");
      expect(error.message).toMatch(what);
      expect(error.message).toContain(`Could not connect to Redis at ${target.replace(WRONG, "***")}:`);
      expect(error.hint).toMatch(fix);
      expect(error.message.endsWith(error.hint)).toBe(true);
      expect(error.message).not.toMatch(/reconnects by itself|\.\./);
      expect(inspect(error, { depth: 10 })).not.toContain(WRONG);
    } finally {
      await broker.close();
    }
  });

  it("connects with the right password (the server under test is sound)", async () => {
    const broker = new RedisBroker({ connection: `redis://:${PASSWORD}@127.0.0.1:${secured.port}` });
    await broker.connect();
    expect(await broker.ping()).toBeGreaterThanOrEqual(0);
    await broker.close();
  });

  it("rejects the backend's connect() with the same named cause", async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (o: object | string) => void warnings.push(inspect(o)),
    };
    const bus = new EventBusClient({
      serviceName: "api",
      redis: `redis://:${WRONG}@127.0.0.1:${secured.port}`,
      logger,
    });
    const error = await failure(() => bus.connect());
    expect(error.code).toBe("BROKER_UNAVAILABLE");
    expect(error.message).toMatch(/\(WRONGPASS\)/);
    expect(error.message).toContain("redis://:***@127.0.0.1");
    expect([error.message, ...warnings].join("\n")).not.toContain(WRONG);
    await bus.disconnect();
  });
});
