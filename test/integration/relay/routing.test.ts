/**
 * Who receives what: a user's channel reaches only that user's sockets (every device), a room only
 * its authorized members, a role only sockets with that role, broadcast everyone — and a raw
 * PUBLISH (SPUBLISH on a cluster) from redis-cli, with no offset, is delivered live.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeEvent } from "../../../protocol/codec.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { connectBackend, RELAY_BROKERS, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient, type TestClient } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { eventually } from "../../helpers/wait.js";

const run = promisify(execFile);

describe.each(RELAY_BROKERS)("routing on %s", (kind) => {
  const fixture = useBrokerFixture(kind);
  let server: TestRelay;
  let backend: Broker;
  let clients: Record<"u1phone" | "u1laptop" | "u2member" | "u3outsider" | "admin", TestClient>;

  beforeEach(async () => {
    server = await startTestRelay({ broker: fixture.current.config() });
    backend = await connectBackend(fixture.current);
    const connect = async (sub: string, rooms: string[], roles: string[] = []) => {
      const client = await connectClient(server.url, await server.token(sub, { rooms, roles }));
      await client.call("hello", {});
      return client;
    };
    clients = {
      u1phone: await connect("u1", ["photo:*"]),
      u1laptop: await connect("u1", ["photo:*"]),
      u2member: await connect("u2", ["photo:1"]),
      u3outsider: await connect("u3", ["team:*"]),
      admin: await connect("ops", [], ["admin"]),
    };
    await clients.u1phone.call("join", { room: "photo:1" });
    await clients.u2member.call("join", { room: "photo:1" });
  });
  afterEach(async () => {
    closeAllClients();
    await backend.close();
    await server.close();
  });

  /**
   * Publishes on `channel`, then a broadcast marker; waits until every expected receiver got the
   * event and everybody got the marker (on a cluster the two channels may arrive in either order),
   * and returns the channels each client received, markers excluded.
   */
  const delivered: { channel: string; raw: string }[] = [];
  async function deliver(
    channel: string,
    receivers: readonly (keyof typeof clients)[],
    raw?: () => Promise<void>,
  ): Promise<Record<string, string[]>> {
    delivered.length = 0;
    if (raw) await raw();
    else await publishEvent(backend, channel, "photo.processing.progress", { to: channel });
    await publishEvent(backend, "broadcast", "system.health.update", { status: "healthy" });
    const got: Record<string, string[]> = {};
    for (const [name, client] of Object.entries(clients)) {
      const items = client.messages.items;
      const expected = receivers.includes(name as keyof typeof clients);
      await eventually(
        () =>
          items.some((m) => m.channel === "broadcast") &&
          (!expected || items.some((m) => m.channel === channel)),
        { label: `${name}'s messages` },
      );
      got[name] = items.filter((m) => m.channel !== "broadcast").map((m) => m.channel);
      delivered.push(...items.filter((m) => m.channel === channel));
      items.length = 0;
    }
    return got;
  }

  it("sends a user's events to all of that user's devices only", async () => {
    expect(await deliver("user:u1", ["u1phone", "u1laptop"])).toEqual({
      u1phone: ["user:u1"],
      u1laptop: ["user:u1"],
      u2member: [],
      u3outsider: [],
      admin: [],
    });
  });

  it("sends a room's events to its joined, authorized members only", async () => {
    expect(await deliver("room:photo:1", ["u1phone", "u2member"])).toEqual({
      u1phone: ["room:photo:1"],
      u1laptop: [],
      u2member: ["room:photo:1"],
      u3outsider: [],
      admin: [],
    });
  });

  it("sends a role's events to sockets with that role only", async () => {
    const got = await deliver("role:admin", ["admin"]);
    expect(got.admin).toEqual(["role:admin"]);
    expect(Object.values(got).flat()).toEqual(["role:admin"]);
  });

  it(`delivers a raw ${kind === "memory" ? "broker" : "redis-cli"} PUBLISH live, without an offset`, async () => {
    const { json } = encodeEvent({
      type: "notification.new",
      data: { title: "raw", message: "" },
      source: "php",
    });
    const server0 = fixture.current.servers()[0];
    const command = kind === "cluster" ? "SPUBLISH" : "PUBLISH";
    const got = await deliver("user:u1", ["u1phone", "u1laptop"], async () => {
      // The memory broker has no redis-cli: its plain publish (no history, no offset) is the same path.
      if (!server0) await backend.publish("user:u1", json);
      else
        await run("redis-cli", [
          "-c",
          "-h",
          server0.host,
          "-p",
          String(server0.port),
          command,
          "user:u1",
          json,
        ]);
    });
    expect(got.u1phone).toEqual(["user:u1"]);
    expect(got.u2member).toEqual([]);
    // Exactly what was published: the envelope as is, no offset or epoch added.
    expect(delivered.map((m) => m.raw)).toEqual([json, json]);
  });
});
