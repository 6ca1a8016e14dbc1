/**
 * Two relay processes on one Redis, and on a 3-node cluster: sockets on A and B in one room see each
 * other's publishes; then relay A is SIGKILLed while a backend keeps publishing, its client
 * reconnects to B with its positions and recovers every missed event — in order, exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createId } from "../../../protocol/ids.js";
import type { StreamPosition } from "../../../protocol/position.js";
import { createDevToken } from "../../../relay/auth/dev-token.js";
import type { Broker } from "../../../relay/brokers/broker.js";
import { connectBackend, useBrokerFixture } from "../../helpers/relay-brokers.js";
import { closeAllClients, connectClient, type TestClient } from "../../helpers/relay-client.js";
import { type RelayProcess, startRelayProcess } from "../../helpers/relay-process.js";
import { publishEvent, TEST_SECRET } from "../../helpers/relay-server.js";
import { eventually } from "../../helpers/wait.js";

const token = (sub: string) =>
  createDevToken({ sub, secret: TEST_SECRET, rooms: ["photo:*"], publish: ["photo:*"] });

/** What a client SDK does per channel: apply messages in offset order, once, and fail on a gap. */
class ChannelLog {
  readonly offsets: number[] = [];
  constructor(public position: StreamPosition) {}

  apply(raw: string): void {
    const { offset, epoch } = JSON.parse(raw) as StreamPosition;
    if (epoch !== this.position.epoch) throw new Error(`epoch changed: ${epoch}`);
    if (offset <= this.position.offset) return;
    if (offset !== this.position.offset + 1) throw new Error(`gap: ${this.position.offset} → ${offset}`);
    this.offsets.push(offset);
    this.position = { offset, epoch };
  }
}

/** Applies a join/hello recovery, pages through `history`, then the live messages buffered meanwhile. */
async function recover(
  client: TestClient,
  channel: string,
  log: ChannelLog,
  first: readonly string[],
  more: boolean,
) {
  for (const raw of first) log.apply(raw);
  let again = more;
  while (again) {
    const page = await client.call("history", { channel, since: log.position });
    expect(page.recovered).toBe(true);
    for (const raw of page.messages) log.apply(raw);
    again = page.more;
  }
}

describe.each(["redis", "cluster"] as const)("two relay processes on %s", (kind) => {
  const fixture = useBrokerFixture(kind);
  let relays: RelayProcess[] = [];
  let backend: Broker;

  beforeEach(async () => {
    relays = await Promise.all([
      startRelayProcess(fixture.current.env()),
      startRelayProcess(fixture.current.env()),
    ]);
    backend = await connectBackend(fixture.current);
  });
  afterEach(async () => {
    closeAllClients();
    await backend.close();
    await Promise.all(relays.map((r) => r.kill()));
  });

  it("shares a room between sockets on different relays", async () => {
    const [a, b] = relays as [RelayProcess, RelayProcess];
    const alice = await connectClient(a.url, await token("alice"));
    const bob = await connectClient(b.url, await token("bob"));
    await alice.call("join", { room: "photo:1" });
    await bob.call("join", { room: "photo:1" });
    await alice.call("publish", {
      id: createId(),
      type: "comment.added",
      data: { from: "alice" },
      room: "photo:1",
    });
    await bob.call("publish", {
      id: createId(),
      type: "comment.added",
      data: { from: "bob" },
      room: "photo:1",
    });
    for (const client of [alice, bob]) {
      const got = await client.messages.waitFor(2);
      expect(got.map((m) => [m.message.offset, (m.message.data as { from: string }).from])).toEqual([
        [1, "alice"],
        [2, "bob"],
      ]);
    }
  });

  it("recovers every event missed while its relay was SIGKILLed, on the other relay", async () => {
    const [a, b] = relays as [RelayProcess, RelayProcess];
    const total = 300;
    const killAt = 100;
    const first = await connectClient(a.url, await token("u1"));
    const hello = await first.call("hello", {});
    const joined = await first.call("join", { room: "photo:1" });
    const userPosition = hello.channels.find((c) => c.channel === "user:u1")?.position;
    if (!userPosition) throw new Error("no user channel in hello");
    const logs = { "user:u1": new ChannelLog(userPosition), "room:photo:1": new ChannelLog(joined.position) };
    const disconnected = first.disconnects.waitFor(1);
    const publishing = (async () => {
      for (let i = 1; i <= total; i++) {
        await publishEvent(backend, "user:u1", "photo.processing.progress", { i });
        await publishEvent(backend, "room:photo:1", "photo.processing.progress", { i });
        if (i === killAt) await a.kill();
      }
    })();
    await disconnected;
    for (const m of first.messages.items) logs[m.channel as keyof typeof logs].apply(m.raw);
    expect(logs["user:u1"].offsets.length).toBeGreaterThan(0);
    const second = await connectClient(b.url, await token("u1"));
    const rehello = await second.call("hello", { since: { "user:u1": logs["user:u1"].position } });
    const userSync = rehello.channels.find((c) => c.channel === "user:u1");
    expect(userSync?.recovery?.recovered).toBe(true);
    await recover(
      second,
      "user:u1",
      logs["user:u1"],
      userSync?.recovery?.messages ?? [],
      userSync?.recovery?.more ?? false,
    );
    const rejoined = await second.call("join", { room: "photo:1", since: logs["room:photo:1"].position });
    expect(rejoined.recovery?.recovered).toBe(true);
    await recover(
      second,
      "room:photo:1",
      logs["room:photo:1"],
      rejoined.recovery?.messages ?? [],
      rejoined.recovery?.more ?? false,
    );
    await publishing;
    // Live messages buffered since the rejoin; applying twice is harmless (de-duplicated by offset).
    await eventually(() => {
      for (const m of second.messages.items) logs[m.channel as keyof typeof logs].apply(m.raw);
      return logs["user:u1"].position.offset === total && logs["room:photo:1"].position.offset === total;
    });
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    expect(logs["user:u1"].offsets).toEqual(expected);
    expect(logs["room:photo:1"].offsets).toEqual(expected);
  });
});
