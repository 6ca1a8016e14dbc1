import { describe, expect, it } from "vitest";
import { relayConfig } from "../../../relay/cli/relay-config.js";
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
    });
    expect(options).toMatchObject({
      port: 9000,
      host: "127.0.0.1",
      prefix: "app:",
      longPolling: true,
      corsOrigins: ["https://app.example", "https://admin.example"],
      shutdownTimeoutMs: 1500,
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

describe("resolveRelayOptions", () => {
  it("validates limits and relations between them", () => {
    const auth = { secret: "s" };
    expect(() => resolveRelayOptions({ auth, limits: { maxDataBytes: 2e6 } })).toThrow(/maxDataBytes/);
    expect(() => resolveRelayOptions({ auth, limits: { maxFrameBytes: 10 } })).toThrow(/maxFrameBytes/);
    expect(() => resolveRelayOptions({ auth, recoveryPageSize: 501 })).toThrow(/recoveryPageSize/);
    expect(() => resolveRelayOptions({ auth, corsOrigins: [] })).toThrow(/corsOrigins/);
    expect(resolveRelayOptions({ auth }).limits.maxEventBytes).toBe(1024 * 1024);
  });
});
