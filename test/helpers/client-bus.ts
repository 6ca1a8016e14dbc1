/**
 * The client SDK against a real relay, for integration tests: buses are tracked and closed in
 * afterEach (`closeAllBuses()`), events are collected per bus, and a backend publishes through the
 * broker exactly as a service would (encodeEvent + publishRecoverable).
 *
 *   const bus = testBus(server.url, () => server.token("u1", ROOM_CLAIMS));
 *   const events = collect(bus, "*");
 *   await events.waitFor(3);
 *   const all = await untilMarker(server.broker, "room:photo:1", events); // nothing else is coming
 */
import { createEventBus } from "../../client/create-event-bus.js";
import type { DeliveredEvent } from "../../client/router.js";
import type { EventBus, EventBusOptions } from "../../client/types.js";
import type { AnyEvents } from "../../protocol/envelope.js";
import type { Broker } from "../../relay/brokers/broker.js";
import { publishEvent } from "./relay-server.js";
import { type Collector, collector } from "./wait.js";

export const ROOM_CLAIMS = { rooms: ["photo:*"], publish: ["photo:*"] } as const;

const open = new Set<EventBus<AnyEvents>>();

/** A bus with fast reconnects, tracked for closeAllBuses(). */
export function testBus(
  url: string,
  getToken: () => Promise<string> | string,
  options: Partial<EventBusOptions> = {},
): EventBus<AnyEvents> {
  const bus = createEventBus({ url, getToken, reconnect: { minDelay: 20, maxDelay: 150 }, ...options });
  open.add(bus);
  return bus;
}

export function closeAllBuses(): void {
  for (const bus of open) bus.close();
  open.clear();
}

/** Every event matching `pattern` (optionally on one channel), in delivery order. */
export function collect(
  bus: EventBus<AnyEvents>,
  pattern = "*",
  channel?: string,
): Collector<DeliveredEvent> {
  const events = collector<DeliveredEvent>(`events on ${channel ?? pattern}`);
  bus.subscribe(pattern, (event) => {
    if (channel === undefined || event.channel === channel) events.push(event as DeliveredEvent);
  });
  return events;
}

/** Resolves when the bus reaches `status` (at once if it is there already). */
export function statusReached(
  bus: EventBus<AnyEvents>,
  status: EventBus<AnyEvents>["status"],
  timeoutMs = 10_000,
) {
  if (bus.status === status) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`bus did not reach "${status}" within ${timeoutMs} ms (it is "${bus.status}")`));
    }, timeoutMs);
    const off = bus.on("status", (next) => {
      if (next.status !== status) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** The `data.i` of each event: what sequence tests compare. */
export function sequence(events: readonly DeliveredEvent[]): unknown[] {
  return events.map((event) => (event.data as { i?: unknown } | null)?.i);
}

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

const MARKER = "test.marker";

/**
 * Publishes a marker on `channel` as a backend would and waits until `events` got it. Delivery is
 * in order per channel, so whatever reached the channel before the marker has been delivered by
 * then: a late duplicate would be there. Resolves with the events before the marker(s).
 */
export async function untilMarker(
  broker: Broker,
  channel: string,
  events: Collector<DeliveredEvent>,
): Promise<DeliveredEvent[]> {
  await publishEvent(broker, channel, MARKER, {});
  await events.waitUntil((event) => event.type === MARKER);
  return events.items.filter((event) => event.type !== MARKER);
}
