/**
 * Configuration: defaults, coded errors for bad settings, the broker chosen from the environment,
 * and the one rule for Redis URLs that the relay applies too.
 */
import { describe, expect, it, vi } from "vitest";
import { EventBusError } from "../../../protocol/errors.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import { DEFAULT_RETRY, resolveSettings } from "../../../relay/backend/config.js";
import type { Logger } from "../../../relay/backend/logger.js";
import type { EventBusConfig } from "../../../relay/backend/types.js";
import { createBroker } from "../../../relay/brokers/create-broker.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { relayConfig } from "../../../relay/cli/relay-config.js";

const quiet = () => {
  const warn = vi.fn<(objOrMessage: object | string, message?: string) => void>();
  const logger: Logger = { debug: () => {}, info: () => {}, warn, error: () => {} };
  return Object.assign(logger, { warn });
};

describe("resolveSettings", () => {
  it("applies the seeds' defaults", () => {
    const settings = resolveSettings({ serviceName: "api", logger: quiet() }, {});
    expect(settings.retry).toEqual(DEFAULT_RETRY);
    expect(DEFAULT_RETRY).toEqual({
      maxRetries: 3,
      initialDelay: 1000,
      maxDelay: 10_000,
      backoffMultiplier: 2,
    });
    expect([settings.timeout, settings.batching, settings.names.prefix]).toEqual([30_000, undefined, ""]);
    expect(
      resolveSettings({ serviceName: "api", logger: quiet() }, { EVENT_BUS_PREFIX: "app1:" }).names.prefix,
    ).toBe("app1:");
    expect(
      resolveSettings({ serviceName: "api", logger: quiet(), batching: { batchSize: 50 } }, {}).batching,
    ).toEqual({
      batchSize: 50,
      batchInterval: 0,
    });
  });

  it.each<[string, Partial<EventBusConfig>]>([
    ["an empty service name", { serviceName: "" }],
    ["two brokers", { redis: "redis://x:1", broker: "memory" }],
    ["a negative retry", { retry: { maxRetries: -1 } }],
    ["a zero timeout", { timeout: 0 }],
    ["a bad batch size", { batching: { batchSize: 0 } }],
    ["an unknown log level", { logLevel: "loud" as "info" }],
    ["a bad prefix", { prefix: "has space" }],
  ])("refuses %s with CONFIG_INVALID", (_, bad) => {
    expect(() => resolveSettings({ serviceName: "api", logger: quiet(), ...bad }, {})).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });
});

describe("the broker: chosen at construction, built on first use", () => {
  it("outside production, with no broker configured: the memory broker, with a notice saying how to configure Redis", async () => {
    const logger = quiet();
    const config = { serviceName: "api", logger };
    const settings = resolveSettings(config, { NODE_ENV: "development" });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const notice = String(logger.warn.mock.calls[0]?.[0]);
    expect(notice).toMatch(/memory broker/);
    expect(notice).toContain("EVENT_BUS_REDIS_URL");
    expect(notice).toContain("EVENT_BUS_BROKER=memory");
    const built = settings.buildBroker();
    expect([built.broker.kind, built.owned]).toEqual(["memory", true]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    await built.broker.close();
  });

  it("in production, with no broker configured: construction fails with CONFIG_INVALID and the fix", () => {
    const error = configFailureOf(() =>
      resolveSettings({ serviceName: "api", logger: quiet() }, { NODE_ENV: "production" }),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("NODE_ENV is production");
    expect(error.hint).toContain("EVENT_BUS_REDIS_URL");
    expect(error.hint).toContain('broker: "memory"');
  });

  it('memory when asked for, also in production, without a notice: broker "memory" or EVENT_BUS_BROKER=memory', async () => {
    const logger = quiet();
    const production = { NODE_ENV: "production" };
    const asOption = resolveSettings(
      { serviceName: "api", logger, broker: "memory" },
      production,
    ).buildBroker();
    const fromEnv = resolveSettings(
      { serviceName: "api", logger },
      { ...production, EVENT_BUS_BROKER: "memory" },
    ).buildBroker();
    expect([asOption.broker.kind, fromEnv.broker.kind]).toEqual(["memory", "memory"]);
    expect(logger.warn).not.toHaveBeenCalled();
    await Promise.all([asOption.broker.close(), fromEnv.broker.close()]);
  });

  it("EVENT_BUS_BROKER must name a broker and agree with the Redis variables", () => {
    const settle = (env: Record<string, string>) => () =>
      resolveSettings({ serviceName: "api", logger: quiet() }, env);
    expect(settle({ EVENT_BUS_BROKER: "rabbit" })).toThrow(/EVENT_BUS_BROKER="rabbit" is not a broker/);
    expect(settle({ EVENT_BUS_BROKER: "redis" })).toThrow(/EVENT_BUS_REDIS_URL is not set/);
    expect(settle({ EVENT_BUS_BROKER: "memory", EVENT_BUS_REDIS_URL: "redis://127.0.0.1:1" })).toThrow(
      /disagrees/,
    );
    const redis = resolveSettings(
      { serviceName: "api", logger: quiet() },
      { EVENT_BUS_BROKER: "redis", EVENT_BUS_REDIS_URL: "redis://127.0.0.1:1", NODE_ENV: "production" },
    );
    expect(redis.buildBroker).toBeTypeOf("function");
  });

  it("follows EVENT_BUS_REDIS_URL / EVENT_BUS_REDIS_CLUSTER, and uses a given broker as is", async () => {
    const logger = quiet();
    const config = { serviceName: "api", logger };
    const production = { NODE_ENV: "production" };
    const redis = resolveSettings(config, {
      ...production,
      EVENT_BUS_REDIS_URL: "redis://127.0.0.1:1",
    }).buildBroker();
    const cluster = resolveSettings(config, {
      ...production,
      EVENT_BUS_REDIS_CLUSTER: "127.0.0.1:1,127.0.0.1:2",
    }).buildBroker();
    expect([redis.broker.kind, cluster.broker.kind]).toEqual(["redis", "cluster"]);
    const mine = new MemoryBroker();
    expect(resolveSettings({ ...config, broker: mine }, production).buildBroker()).toEqual({
      broker: mine,
      owned: false,
    });
    expect(logger.warn).not.toHaveBeenCalled();
    await Promise.all([redis.broker.close(), cluster.broker.close(), mine.close()]);
    expect(() => resolveSettings(config, { EVENT_BUS_REDIS_URL: "http://x" })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });

  it("new EventBusClient in production without Redis fails at once, not at the first publish", () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      expect(() => new EventBusClient({ serviceName: "api", logLevel: "silent" })).toThrow(
        expect.objectContaining({ code: "CONFIG_INVALID" }),
      );
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});

function configFailureOf(action: () => unknown): EventBusError {
  try {
    action();
  } catch (error) {
    if (error instanceof EventBusError) return error;
    throw error;
  }
  throw new Error("expected a CONFIG_INVALID failure");
}

describe("Redis URLs: one rule for the backend and the relay", () => {
  const bad = [
    "localhost:6379",
    "http://localhost:6379",
    "redis://",
    "redis://h:6379/cache",
    "redis://:hunter2@/0",
  ];

  it.each(bad)("both refuse %s with the same reason and a URL to write instead", (value) => {
    const fromBackend = configFailure(() => new EventBusClient({ serviceName: "s", redis: value }));
    const fromRelay = configFailure(() =>
      relayConfig([], { JWT_SECRET: "x".repeat(32), EVENT_BUS_REDIS_URL: value }),
    );
    const fromBroker = configFailure(() => createBroker({ broker: "redis", url: value }));
    const reason = (message: string) => message.slice(message.indexOf(", which "));
    expect(reason(fromRelay)).toBe(reason(fromBackend));
    expect(reason(fromBroker)).toBe(reason(fromBackend));
    expect(fromBackend).toContain("EventBusClient option `redis`");
    expect(fromRelay).toContain("EVENT_BUS_REDIS_URL");
    expect(fromBackend).toMatch(/Write a URL: redis:\/\//);
    for (const message of [fromBackend, fromRelay, fromBroker]) expect(message).not.toContain("hunter2");
  });

  it("suggests the URL for a bare host:port", () => {
    expect(configFailure(() => new EventBusClient({ serviceName: "s", redis: "localhost:6379" }))).toContain(
      "Write a URL: redis://localhost:6379",
    );
  });

  it("both accept redis:// and rediss:// URLs with a user, password and database", async () => {
    for (const value of ["redis://localhost", "rediss://u:p@cache.internal:6380/2", "REDIS://127.0.0.1:1"]) {
      const bus = new EventBusClient({ serviceName: "s", redis: value, logLevel: "silent" });
      expect(
        relayConfig([], { JWT_SECRET: "x".repeat(32), EVENT_BUS_REDIS_URL: value }).brokerConfig,
      ).toMatchObject({
        broker: "redis",
        url: value,
      });
      await bus.disconnect();
    }
  });
});

function configFailure(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    return (error as Error).message;
  }
  throw new Error("expected CONFIG_INVALID");
}
