/**
 * `EventBusClient.revokeUserSessions`: a backend ends a user's sessions through the client it
 * already has (no Broker to find), on a real Redis shared with a real relay, with the client's
 * channel prefix: the user's sockets get notice TOKEN_REVOKED, old tokens are refused afterwards,
 * other users are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevToken } from "../../../relay/auth/dev-token.js";
import { EventBusClient } from "../../../relay/backend/index.js";
import { type RedisServer, startRedis } from "../../harness/redis-server.js";
import { closeAllClients, connectClient, connectError } from "../../helpers/relay-client.js";
import { startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";
import { silentLogger } from "./silent-logger.js";

const PREFIX = "app1:";
let redis: RedisServer;
let relay: TestRelay;
let bus: EventBusClient;

beforeAll(async () => {
  redis = await startRedis();
  relay = await startTestRelay({ prefix: PREFIX, broker: { broker: "redis", url: redis.url } });
  bus = new EventBusClient({
    serviceName: "accounts",
    redis: redis.url,
    prefix: PREFIX,
    logger: silentLogger,
  });
});

afterAll(async () => {
  closeAllClients();
  await bus?.disconnect();
  await relay?.close();
  await redis?.stop();
});

describe("EventBusClient.revokeUserSessions", () => {
  it("disconnects the user's sockets and refuses the user's older tokens", async () => {
    const oldToken = await createDevToken({
      sub: "u1",
      secret: TEST_SECRET,
      now: Math.floor(Date.now() / 1000) - 5,
    });
    const victim = await connectClient(relay.url, oldToken);
    const bystander = await connectClient(relay.url, await relay.token("u2"));
    await victim.call("hello", {});
    await expect.poll(() => relay.broker.subscriptions().channels.includes(`${PREFIX}user:u1`)).toBe(true);

    await bus.revokeUserSessions("u1");

    const [notice] = await victim.notices.waitFor(1);
    expect(notice?.code).toBe("TOKEN_REVOKED");
    await victim.disconnects.waitFor(1);
    expect(bystander.socket.connected).toBe(true);
    expect((await connectError(relay.url, { token: oldToken })).code).toBe("TOKEN_REVOKED");
  });

  it("refuses a user id that is not one, with a coded error", async () => {
    await expect(bus.revokeUserSessions("not a user")).rejects.toMatchObject({ code: "INVALID_USER" });
  });

  it("refuses once the client is disconnected", async () => {
    const closed = new EventBusClient({ serviceName: "gone", redis: redis.url, logger: silentLogger });
    await closed.disconnect();
    await expect(closed.revokeUserSessions("u1")).rejects.toMatchObject({ code: "CLOSED" });
  });
});
