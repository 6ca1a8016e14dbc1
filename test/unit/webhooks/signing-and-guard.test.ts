/**
 * Webhook pieces without I/O: Standard Webhooks signatures checked by the `standardwebhooks`
 * package (rotation: either secret verifies; a tampered body does not), the SSRF guard over a
 * resolver we control (rebinding-style answers, mixed answers, the allow-list), Retry-After, the
 * retry schedule, the breaker and the options' validation.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createAddressGuard, networkList } from "../../../relay/webhooks/address-guard.js";
import { CircuitBreaker } from "../../../relay/webhooks/circuit-breaker.js";
import { parseRetryAfter } from "../../../relay/webhooks/http-delivery.js";
import { secretKey, signWebhook } from "../../../relay/webhooks/signature.js";
import {
  exponentialSchedule,
  resolveDelivery,
  resolveEndpoints,
} from "../../../relay/webhooks/webhook-options.js";

const secret = (byte: number) => `whsec_${Buffer.alloc(32, byte).toString("base64")}`;

describe("Standard Webhooks signatures", () => {
  it("verify with the standardwebhooks package, with either secret of a rotation", () => {
    const [oldS, newS] = [secret(1), secret(2)];
    const body = JSON.stringify({
      type: "photo.uploaded",
      timestamp: new Date().toISOString(),
      data: { id: 1 },
    });
    const now = Math.floor(Date.now() / 1000);
    const headers = signWebhook([secretKey(newS, "t"), secretKey(oldS, "t")], "evt_1", now, body);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const s of [oldS, newS])
      expect(new Webhook(s).verify(body, { ...headers })).toMatchObject({ data: { id: 1 } });
    expect(() => new Webhook(secret(3)).verify(body, { ...headers })).toThrow();
    expect(() => new Webhook(newS).verify(`${body} `, { ...headers })).toThrow();
  });

  it("refuses secrets that are not whsec_ + 24-64 base64 bytes", () => {
    for (const bad of [
      "",
      "whsec_",
      "secret",
      "whsec_c2hvcnQ=",
      `whsec_${Buffer.alloc(65).toString("base64")}`,
      "whsec_!!!!",
    ]) {
      expect(() => secretKey(bad, "s")).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    }
  });
});

describe("the SSRF guard", () => {
  const guard = (answers: Record<string, string[]>, allow: string[] = []) =>
    createAddressGuard(networkList(allow, "t"), async (host) =>
      (answers[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );

  it("refuses private, loopback, link-local and metadata addresses, literal or resolved", async () => {
    const g = guard({
      "internal.test": ["10.1.2.3"],
      "meta.test": ["169.254.169.254"],
      "v6.test": ["fe80::1"],
      "ula.test": ["fd00::5"],
      "mapped.test": ["::ffff:127.0.0.1"],
      "mixed.test": ["93.184.216.34", "192.168.1.1"],
    });
    for (const host of [
      "internal.test",
      "meta.test",
      "v6.test",
      "ula.test",
      "mapped.test",
      "mixed.test",
      "127.0.0.1",
      "[::1]",
      "0.0.0.0",
      new URL("http://[::ffff:127.0.0.1]/").hostname,
      "[::ffff:a9fe:a9fe]",
    ]) {
      await expect(g.resolve(host), host).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
  });

  it("pins the checked public address, and lets allow-listed networks through", async () => {
    const g = guard({ "public.test": ["93.184.216.34"], "hooks.internal": ["10.9.0.7"] }, ["10.9.0.0/16"]);
    expect(await g.resolve("public.test")).toEqual({ address: "93.184.216.34", family: 4 });
    expect(await g.resolve("[::ffff:5db8:d822]")).toEqual({ address: "::ffff:5db8:d822", family: 6 });
    expect(await g.resolve("hooks.internal")).toEqual({ address: "10.9.0.7", family: 4 });
    await expect(g.resolve("nowhere.test")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("rejects allow-list entries that are not networks", () => {
    expect(() => networkList(["10.0.0.0/33"], "t")).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
    expect(() => networkList(["example.com"], "t")).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });
});

describe("delivery policy", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("builds exponential schedules, capped", () => {
    expect(exponentialSchedule(5, 1000, 10, 500_000)).toEqual([1000, 10_000, 100_000, 500_000, 500_000]);
  });

  it("opens the breaker after the threshold, half-opens after the cooldown, closes on success", () => {
    const b = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100 });
    b.failure(0);
    expect(b.state(0)).toBe("closed");
    b.failure(1);
    expect(b.state(50)).toBe("open");
    expect(b.state(101)).toBe("half-open");
    b.failure(102);
    expect(b.state(150)).toBe("open");
    expect(b.state(202)).toBe("half-open");
    b.success();
    expect(b.state(203)).toBe("closed");
  });

  it("validates options and endpoints with CONFIG_INVALID", () => {
    const ok = { id: "a", url: "https://hooks.example.com/x", secrets: [secret(1)], types: ["photo.*"] };
    expect(resolveEndpoints([ok], ["photo.uploaded", "order.paid"], false)[0]?.types).toEqual([
      "photo.uploaded",
    ]);
    const bad: [unknown[], string[]][] = [
      [[{ ...ok, url: "http://hooks.example.com" }], ["photo.uploaded"]],
      [[{ ...ok, url: "https://u:p@hooks.example.com" }], ["photo.uploaded"]],
      [[{ ...ok, id: "has space" }], ["photo.uploaded"]],
      [[ok, ok], ["photo.uploaded"]],
      [[{ ...ok, types: ["order.*"] }], ["photo.uploaded"]],
      [[ok], ["photo.*"]],
      [[], ["photo.uploaded"]],
    ];
    for (const [endpoints, types] of bad) {
      expect(() => resolveEndpoints(endpoints as never, types, false)).toThrow(
        expect.objectContaining({ code: "CONFIG_INVALID" }),
      );
    }
    for (const given of [
      { timeoutMs: 0 },
      { jitter: 2 },
      { retrySchedule: [-1] },
      { allowNetworks: ["x"] },
      { leaseMs: 10 },
    ]) {
      expect(() => resolveDelivery(given)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    }
  });

  it("refuses unknown option keys, naming the closest one", async () => {
    const { assertWebhookOptionKeys } = await import("../../../relay/webhooks/option-keys.js");
    const endpoint = { id: "a", url: "https://h.example", secrets: [secret(1)], types: ["a.*"] };
    expect(() =>
      assertWebhookOptionKeys({ eventTypes: [], endpoints: [endpoint], retrySchedul: [] }),
    ).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", message: expect.stringContaining("retrySchedule") }),
    );
    expect(() => assertWebhookOptionKeys({ endpoints: [{ ...endpoint, secret: "x" }] })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", message: expect.stringContaining("endpoints[0]") }),
    );
    expect(() => assertWebhookOptionKeys({ breaker: { threshold: 1 } })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS" }),
    );
    expect(() =>
      assertWebhookOptionKeys({ endpoints: [endpoint], breaker: { cooldownMs: 1 } }),
    ).not.toThrow();
  });
});
