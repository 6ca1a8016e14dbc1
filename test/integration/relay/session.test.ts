/**
 * Token lifetime and revocation on live sockets: in-band refresh keeps a socket connected past its
 * first token's expiry; an unrefreshed token ends with notice TOKEN_EXPIRED; a backend revocation
 * disconnects every socket of the user (on every relay) and later handshakes with old tokens fail.
 * Expiry is on relay a's clock, moved ahead past a token's minute instead of waiting it out.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDevToken } from "../../../relay/auth/dev-token.js";
import { revokeUserSessions } from "../../../relay/auth/revocation.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { TrackingClock } from "../../helpers/client-clock.js";
import { connectBackend, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient, connectError } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";

const seconds = () => Math.floor(Date.now() / 1000);

describe.each(["memory", "redis"] as const)("sessions on %s", (kind) => {
  const fixture = useBrokerFixture(kind);
  let a: TestRelay;
  let b: TestRelay;
  let aClock: TrackingClock;
  let backend: Broker;

  beforeEach(async () => {
    const options = { broker: fixture.current.config(), auth: { secret: TEST_SECRET, clockToleranceSec: 0 } };
    aClock = new TrackingClock();
    [a, b] = await Promise.all([
      startTestRelay({ ...options, clock: aClock, limits: { slowConsumerCheckMs: 50 } }),
      startTestRelay(options),
    ]);
    backend = await connectBackend(fixture.current);
  });
  afterEach(async () => {
    closeAllClients();
    await backend.close();
    await Promise.all([a.close(), b.close()]);
  });

  it("refreshes the token in-band and stays connected past the first token's expiry", async () => {
    const client = await connectClient(a.url, await a.token("u1", { ttl: 60 }));
    const canary = await connectClient(a.url, await a.token("u2", { ttl: 60 })); // never refreshed
    const hello = await client.call("hello", {});
    expect(hello.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
    const refreshed = await client.call("auth", { token: await a.token("u1", { ttl: 3600 }) });
    expect(refreshed.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
    const stranger = await client.request("auth", { token: await a.token("u2", { ttl: 60 }) });
    expect(stranger).toMatchObject({ ok: false, error: { code: "TOKEN_INVALID" } });
    const expired = await client.request("auth", {
      token: await a.token("u1", { now: seconds() - 100, ttl: 10 }),
    });
    expect(expired).toMatchObject({ ok: false, error: { code: "TOKEN_EXPIRED" } });
    // Past the first tokens' expiry on the relay's clock: the sweep that cuts the canary has
    // checked this socket too.
    aClock.jump(61_000);
    const [expiry] = await canary.notices.waitFor(1);
    expect(expiry?.code).toBe("TOKEN_EXPIRED");
    await publishEvent(backend, "user:u1", "notification.new", { title: "after", message: "m" });
    await client.messages.waitFor(1);
    expect(client.socket.connected).toBe(true);
    expect(client.notices.items).toEqual([]);
  });

  it("disconnects with TOKEN_EXPIRED when the token expires without a refresh", async () => {
    const client = await connectClient(a.url, await a.token("u1", { ttl: 60 }));
    aClock.jump(61_000);
    const [notice] = await client.notices.waitFor(1);
    expect(notice?.code).toBe("TOKEN_EXPIRED");
    await client.disconnects.waitFor(1);
    await expect.poll(() => a.relay.stats().connections).toBe(0);
  });

  it("revokes a user's sessions on every relay, and refuses old tokens afterwards", async () => {
    const oldToken = await createDevToken({ sub: "u1", secret: TEST_SECRET, now: seconds() - 5 });
    const onA = await connectClient(a.url, oldToken);
    const onB = await connectClient(b.url, oldToken);
    const other = await connectClient(b.url, await b.token("u2"));
    await eventuallyHeld(a, "user:u1");
    await eventuallyHeld(b, "user:u1");
    await revokeUserSessions(backend, "u1");
    const [noticeA] = await onA.notices.waitFor(1);
    const [noticeB] = await onB.notices.waitFor(1);
    expect(noticeA?.code).toBe("TOKEN_REVOKED");
    expect(noticeB?.code).toBe("TOKEN_REVOKED");
    await onA.disconnects.waitFor(1);
    expect(other.socket.connected).toBe(true);
    expect((await connectError(a.url, { token: oldToken })).code).toBe("TOKEN_REVOKED");
    const fresh = await createDevToken({ sub: "u1", secret: TEST_SECRET, now: seconds() + 2 });
    const again = await connectClient(a.url, fresh);
    expect(again.socket.connected).toBe(true);
  });
});

async function eventuallyHeld(server: TestRelay, channel: string): Promise<void> {
  await expect.poll(() => server.broker.subscriptions().channels.includes(channel)).toBe(true);
}
