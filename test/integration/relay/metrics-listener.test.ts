/**
 * /metrics is not served to the world by choice (issue 13, item 10): with `metrics.port` it moves
 * to its own listener (127.0.0.1 by default) and the public listener answers 404; with
 * `metrics.token` it needs `Authorization: Bearer <token>`. Short HS secrets are refused unless the
 * development override is set (item 8).
 */
import { afterEach, describe, expect, it } from "vitest";
import { resolveRelayOptions } from "../../../relay/edge/options.js";
import { startTestRelay, type TestRelay } from "../../helpers/relay-server.js";

const servers: TestRelay[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  return (await fetch(url, { headers })).status;
}

describe("the metrics endpoint", () => {
  it("is open on the public listener by default (documented), and moves to its own listener with metrics.port", async () => {
    const open = await startTestRelay();
    servers.push(open);
    expect(open.relay.metricsUrl).toBe(`${open.url}/metrics`);
    expect(await status(`${open.url}/metrics`)).toBe(200);

    const apart = await startTestRelay({ metrics: { port: 0 } });
    servers.push(apart);
    expect(apart.relay.metricsUrl).not.toContain(apart.url);
    expect(apart.relay.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(await status(`${apart.url}/metrics`)).toBe(404);
    expect(await status(`${apart.url}/healthz`)).toBe(200);
    const text = await (await fetch(apart.relay.metricsUrl)).text();
    expect(text).toContain("eventbus_relay_connections");
  });

  it("with a token, answers 401 without it and 200 with it", async () => {
    const token = "metrics-token-0123456789";
    const server = await startTestRelay({ metrics: { token } });
    servers.push(server);
    const url = server.relay.metricsUrl;
    expect(await status(url)).toBe(401);
    expect(await status(url, { authorization: "Bearer wrong-token-0123456789" })).toBe(401);
    expect(await status(url, { authorization: `Bearer ${token}` })).toBe(200);
  });

  it("closes the separate listener on close()", async () => {
    const server = await startTestRelay({ metrics: { port: 0 } });
    const url = server.relay.metricsUrl;
    expect(await status(url)).toBe(200);
    await server.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe("HS secrets", () => {
  it("shorter than 32 bytes are refused with CONFIG_INVALID, unless the development override is set", () => {
    expect(() => resolveRelayOptions({ auth: { secret: "a" } })).toThrow(/CONFIG_INVALID|32/);
    expect(() => resolveRelayOptions({ auth: { secret: "x".repeat(31) } })).toThrow(
      /dangerouslyAllowShortSecret/,
    );
    expect(resolveRelayOptions({ auth: { secret: "x".repeat(32) } }).auth.secret).toHaveLength(32);
    const dev = resolveRelayOptions({ auth: { secret: "a", dangerouslyAllowShortSecret: true } });
    expect(dev.auth.secret).toBe("a");
  });
});
