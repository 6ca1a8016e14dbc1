import { describe, expect, it } from "vitest";
import { relayConfig } from "../../../relay/cli/relay-config.js";
import { LIMIT_KEYS, RELAY_LIMIT_SPECS } from "../../../relay/edge/limit-specs.js";
import { resolveRelayOptions } from "../../../relay/edge/options.js";

const secret = { JWT_SECRET: "0123456789abcdef0123456789abcdef" };

function configError(args: string[], env: Record<string, string>): string {
  try {
    relayConfig(args, env);
  } catch (error) {
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a configuration error");
}

describe("relayConfig", () => {
  it("reads the environment, with flags winning", () => {
    const { options, brokerConfig } = relayConfig(["--port", "9000", "--long-polling"], {
      ...secret,
      PORT: "8000",
      HOST: "127.0.0.1",
      EVENT_BUS_REDIS_URL: "redis://r:6379",
      EVENT_BUS_PREFIX: "app:",
      JWT_ISSUER: "a,b",
      CORS_ORIGINS: "https://app.example, https://admin.example",
      HISTORY_TTL: "10m",
      RATE_LIMIT: "50",
      SHUTDOWN_TIMEOUT: "1500ms",
      TRUST_PROXY: "1",
    });
    expect(options).toMatchObject({
      port: 9000,
      host: "127.0.0.1",
      prefix: "app:",
      longPolling: true,
      corsOrigins: ["https://app.example", "https://admin.example"],
      shutdownTimeoutMs: 1500,
      trustProxy: 1,
      auth: { secret: secret.JWT_SECRET, issuer: ["a", "b"] },
      limits: { ratePerSecond: 50 },
    });
    expect(brokerConfig).toMatchObject({
      broker: "redis",
      url: "redis://r:6379",
      prefix: "app:",
      history: { ttlMs: 600_000 },
    });
  });

  it("reads the heartbeats: socket.io ping to clients and Redis health pings", () => {
    const { options, brokerConfig } = relayConfig(["--heartbeat-timeout", "3s"], {
      ...secret,
      EVENT_BUS_REDIS_CLUSTER: "r1:7000,r2:7001",
      RELAY_HEARTBEAT_INTERVAL: "2s",
      REDIS_HEALTH_CHECK: "750ms",
    });
    expect(options.heartbeat).toEqual({ intervalMs: 2000, timeoutMs: 3000 });
    expect(resolveRelayOptions(options).heartbeat).toEqual({ intervalMs: 2000, timeoutMs: 3000 });
    expect(brokerConfig).toMatchObject({ broker: "cluster", tuning: { healthCheckMs: 750 } });
    const off = relayConfig([], {
      ...secret,
      EVENT_BUS_REDIS_URL: "redis://r:6379",
      REDIS_HEALTH_CHECK: "0",
    });
    expect(off.brokerConfig).toMatchObject({ tuning: { healthCheckMs: 0 } });
    expect(resolveRelayOptions(relayConfig([], secret).options).heartbeat).toEqual({
      intervalMs: 25_000,
      timeoutMs: 20_000,
    });
    expect(
      configError([], { ...secret, EVENT_BUS_REDIS_URL: "redis://r:6379", REDIS_HEALTH_CHECK: "often" }),
    ).toContain("REDIS_HEALTH_CHECK");
    expect(configError([], { ...secret, RELAY_HEARTBEAT_INTERVAL: "fast" })).toContain(
      "RELAY_HEARTBEAT_INTERVAL",
    );
  });

  it("names the setting and the fix for missing or contradictory settings", () => {
    expect(configError([], {})).toContain("JWT_SECRET");
    expect(configError([], { ...secret, JWKS_URL: "https://x/jwks" })).toContain("JWT_SECRET and JWKS_URL");
    expect(configError([], { ...secret, PORT: "http" })).toContain("PORT");
    expect(
      configError([], { ...secret, EVENT_BUS_REDIS_URL: "redis://a", EVENT_BUS_REDIS_CLUSTER: "b:1" }),
    ).toContain("EVENT_BUS_REDIS_CLUSTER");
    expect(configError([], { ...secret, CORS_ORIGINS: "app.example/path" })).toContain("CORS_ORIGINS");
    expect(configError([], { ...secret, HISTORY_TTL: "soon" })).toContain("HISTORY_TTL");
    expect(configError([], { ...secret, LOG_LEVEL: "loud" })).toContain("LOG_LEVEL");
    expect(configError(["--jwt-secret", "x"], secret)).toContain("--jwt-secret");
    expect(configError(["--jwt-secret-file", "/nonexistent/secret"], {})).toContain("JWT_SECRET_FILE");
  });
});

describe("relay limits", () => {
  const sample = { count: ["7", 7], bytes: ["3kb", 3072], ms: ["2s", 2000] } as const;

  it("reads every limit from its flag and from its variable, the flag winning", () => {
    for (const key of LIMIT_KEYS) {
      const { flag, env, unit } = RELAY_LIMIT_SPECS[key];
      const [text, value] = sample[unit];
      expect(relayConfig([], { ...secret, [env]: text }).options.limits, env).toEqual({ [key]: value });
      const both = relayConfig([`--${flag}`, text], { ...secret, [env]: "999999" });
      expect(both.options.limits, flag).toEqual({ [key]: value });
    }
  });

  it("names the variable and the flag of a bad value, and of a value out of range", () => {
    expect(configError([], { ...secret, RATE_LIMIT: "fast" })).toContain(
      'RATE_LIMIT (--rate-limit) is "fast"',
    );
    expect(configError([], { ...secret, MAX_EVENT_BYTES: "1 megabyte" })).toContain("kb / mb / gb");
    const auth = { secret: "0123456789abcdef0123456789abcdef" };
    expect(() => resolveRelayOptions({ auth, limits: { rateBurst: 0 } })).toThrow(
      /limits\.rateBurst \(RATE_BURST \/ --rate-burst\) is 0/,
    );
  });

  it("grows the frame limit with the event limit unless the frame limit is set", () => {
    const auth = { secret: "0123456789abcdef0123456789abcdef" };
    const grown = resolveRelayOptions({ auth, limits: { maxEventBytes: 4 * 1024 * 1024 } }).limits;
    expect(grown.maxFrameBytes).toBe(4 * 1024 * 1024 + 64 * 1024);
    const fixed = resolveRelayOptions({
      auth,
      limits: { maxEventBytes: 2048, maxDataBytes: 1024, maxFrameBytes: 4096 },
    });
    expect(fixed.limits.maxFrameBytes).toBe(4096);
  });
});

describe("resolveRelayOptions", () => {
  it("validates limits and relations between them", () => {
    const auth = { secret: "0123456789abcdef0123456789abcdef" };
    expect(() => resolveRelayOptions({ auth, limits: { maxDataBytes: 2e6 } })).toThrow(/maxDataBytes/);
    expect(() => resolveRelayOptions({ auth, limits: { maxFrameBytes: 10 } })).toThrow(/maxFrameBytes/);
    expect(() => resolveRelayOptions({ auth, recoveryPageSize: 501 })).toThrow(/recoveryPageSize/);
    expect(() => resolveRelayOptions({ auth, corsOrigins: [] })).toThrow(/corsOrigins/);
    expect(resolveRelayOptions({ auth }).limits.maxEventBytes).toBe(1024 * 1024);
  });
});
