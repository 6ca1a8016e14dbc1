/**
 * Issue 13, item 6: frames of one socket take effect in arrival order. Before the fix `join` waited
 * for authorization before entering the room's queue while `leave` entered at once, so `join X`
 * then `leave X` sent back to back could run the leave first (a no-op): both acks said ok and in
 * 57 of 109 rooms the socket kept receiving. The SDK never sends that sequence; any client written
 * to docs/protocol.md may. Over the raw protocol, with an async authorize hook: 100 rooms, join and
 * leave sent without waiting; afterwards the socket is in none of them (checked by delivery, bounded
 * by a sentinel on the user channel, and by the relay's own record of the socket's rooms).
 */
import { afterEach, expect, it } from "vitest";
import { closeAllClients, connectClient } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, type TestRelay } from "../../helpers/relay-server.js";
import { eventually } from "../../helpers/wait.js";

let server: TestRelay | undefined;

afterEach(async () => {
  closeAllClients();
  await server?.close();
});

it("join then leave of 100 rooms sent back to back, async authorize: the socket ends in none", async () => {
  let asked = 0;
  server = await startTestRelay({
    authorize: async (_user, _action, _room, allowed) => {
      asked++;
      await new Promise((resolve) => setTimeout(resolve, asked % 5)); // 0–4 ms, varying
      return allowed;
    },
  });
  const client = await connectClient(server.url, await server.token("u1", { rooms: ["order:*"] }));
  await client.call("hello", {});
  const rooms = Array.from({ length: 100 }, (_, i) => `order:${i}`);
  const replies = await Promise.all(
    rooms.flatMap((room) => [client.request("join", { room }), client.request("leave", { room })]),
  );
  expect(replies.filter((reply) => !reply.ok)).toEqual([]);

  for (const room of rooms) await publishEvent(server.broker, `room:${room}`, "order.check", { room });
  await publishEvent(server.broker, "user:u1", "sentinel.done", {});
  await eventually(() => client.messages.items.some((m) => m.message.type === "sentinel.done"), {
    label: "the sentinel",
  });
  const received = client.messages.items;
  const stillIn = received.filter((m) => m.channel.startsWith("room:")).map((m) => m.channel);
  const sessions = [...server.relay.io.sockets.sockets.values()].map((s) => s.data.session);
  const held = sessions.flatMap((session) => [...session.rooms.keys()]);
  console.log(
    `[join-leave] 100 rooms joined and left back to back: still receiving ${stillIn.length}, held ${held.length}`,
  );
  expect(stillIn).toEqual([]);
  expect(held).toEqual([]);
  expect(received.map((m) => m.message.type)).toEqual(["sentinel.done"]);
});
