/**
 * The backend library given what the seed documents write (on the memory broker; the same runs
 * against Redis in test/integration/seeds): unknown option keys refused with INVALID_OPTIONS
 * naming the key, the nearest valid one and what replaces a seed key; patterns naming a room
 * pointed to subscribeToRoom; seed 004's `process` middleware called, and middleware with no hook
 * refused; sendToUser and publishToRole.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type EventBusError, isEventBusError } from "../../../protocol/errors.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import type { OutgoingEvent } from "../../../relay/backend/middleware.js";
import type { EventBusConfig } from "../../../relay/backend/types.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { MemoryHub } from "../../../relay/brokers/memory/memory-hub.js";
import { collector } from "../../helpers/wait.js";
import { silentLogger } from "../../integration/backend/silent-logger.js";

const clients: EventBusClient[] = [];
const hub = new MemoryHub();
function client(config: Partial<EventBusConfig> = {}): EventBusClient {
  const bus = new EventBusClient({
    serviceName: "svc",
    broker: new MemoryBroker({ hub }),
    logger: silentLogger,
    ...config,
  });
  clients.push(bus);
  return bus;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

function failure(action: () => unknown): EventBusError {
  try {
    action();
  } catch (error) {
    if (isEventBusError(error)) return error;
    throw error;
  }
  throw new Error("expected an EventBusError");
}

async function rejection(promise: Promise<unknown>): Promise<EventBusError> {
  try {
    await promise;
  } catch (error) {
    if (isEventBusError(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection with an EventBusError");
}

const seedConfig = (extra: Record<string, unknown>) =>
  ({ serviceName: "photo-api", broker: "memory", ...extra }) as EventBusConfig;

describe("new EventBusClient: unknown options", () => {
  it.each([
    ["eventBusUrl", { eventBusUrl: "http://localhost:3003" }, /`redis: process.env.EVENT_BUS_REDIS_URL`/],
    ["authToken", { authToken: "t" }, /Redis password in the URL/],
    ["maxRetries", { maxRetries: 3 }, /retry: \{ maxRetries \}/],
    ["batchSize", { batchSize: 10 }, /batching: \{ batchSize, batchInterval \}/],
    ["batchInterval", { batchInterval: 50 }, /batching: \{ batchSize, batchInterval \}/],
    ["enableMetrics", { enableMetrics: true }, /getStats\(\)/],
    ["performance", { performance: { batchSize: 100 } }, /batching: \{ … \}/],
  ])("seed key %s: INVALID_OPTIONS naming it, with what replaces it", (key, extra, replacement) => {
    const error = failure(() => new EventBusClient(seedConfig(extra)));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.message).toContain(`unknown option \`${key}\``);
    expect(error.hint).toMatch(replacement);
  });

  it("a typo names the nearest valid key, also inside nested options", () => {
    const top = failure(() => new EventBusClient(seedConfig({ timout: 5000 })));
    expect(top.message).toContain("unknown option `timout` (did you mean `timeout`?)");
    expect(top.details).toEqual({ option: "timout", nearest: "timeout" });
    const nested = failure(() => new EventBusClient(seedConfig({ retry: { maxRetry: 2 } })));
    expect(nested.message).toContain("`retry.maxRetry` (did you mean `retry.maxRetries`?)");
    expect(failure(() => new EventBusClient(seedConfig({ retry: { retryDelay: 1 } }))).hint).toContain(
      "initialDelay",
    );
  });
});

describe("subscribe and publish options", () => {
  it("subscribe refuses an unknown option, and a room-like pattern with the room's call", async () => {
    const bus = client();
    const options = { timeout: 5000, retryOnError: true, maxRetries: 3, retries: 1 } as never;
    const unknown = await rejection(bus.subscribe("photo.*", () => {}, options));
    expect(unknown.message).toContain(
      "subscribe options: unknown option `retries` (did you mean `maxRetries`?)",
    );
    const room = await rejection(bus.subscribe("photo:123" as never, () => {}));
    expect(room.code).toBe("INVALID_PATTERN");
    expect(room.hint).toContain('subscribeToRoom("photo:123", handler)');
    expect((await rejection(bus.subscribe("room:*" as never, () => {}))).code).toBe("INVALID_PATTERN");
    expect((await rejection(bus.subscribe("[abc" as never, () => {}))).code).toBe("INVALID_PATTERN");
    expect((await bus.getStats()).activeSubscriptions).toBe(0);
  });

  it("publish options: unknown keys refused; publishToUser refuses `room` (the user is the channel)", async () => {
    const bus = client();
    const error = await rejection(bus.publish("photo.uploaded", {}, { traceID: "t" } as never));
    expect(error.message).toContain("publish options: unknown option `traceID` (did you mean `traceId`?)");
    const targeted = await rejection(bus.publishToUser("u1", "notification.new", {}, { room: "r" } as never));
    expect(targeted.message).toContain("publishToUser options: unknown option `room`");
    expect(targeted.hint).toContain("publishToRoom");
  });

  it("seed 004's publish(event) gets INVALID_TYPE saying to pass type and data apart", async () => {
    const bus = client();
    const event = { id: "1", type: "project.created", payload: {}, timestamp: new Date() };
    const error = await rejection(bus.publish(event as never, undefined as never));
    expect(error.code).toBe("INVALID_TYPE");
    expect(error.hint).toContain("publish(event.type, event.payload)");
  });
});

describe("middleware", () => {
  it("seed 004's shape, process(event) returning the event, runs on every publish (class instances too)", async () => {
    const seen: string[] = [];
    class LoggingMiddleware {
      async process(event: OutgoingEvent): Promise<OutgoingEvent> {
        seen.push(`log:${event.type}`);
        return event;
      }
    }
    const bus = client();
    const received = collector<unknown>();
    await bus.subscribe("photo.uploaded", (event) => received.push(event.data));
    bus.use(new LoggingMiddleware());
    bus.use({
      process: (event, next) => next({ ...event, data: { ...(event.data as object), checked: true } }),
    });
    await bus.publish("photo.uploaded", { photoId: "p1" });
    expect(await received.waitFor(1)).toEqual([{ photoId: "p1", checked: true }]);
    expect(seen).toEqual(["log:photo.uploaded"]);
  });

  it("process may call next(event) without returning it; null drops the event", async () => {
    const bus = client();
    bus.use({
      process: (event, next) => {
        next(event);
        return undefined;
      },
    });
    expect((await bus.publish("photo.uploaded", {})).dropped).toBeUndefined();
    bus.use({ process: () => null });
    expect((await bus.publish("photo.uploaded", {})).dropped).toBe(true);
  });

  it("a middleware with no hook, or a hook that is not a function, is refused at use()", () => {
    const bus = client();
    const none = failure(() => bus.use({ handle: () => {} } as never));
    expect(none.code).toBe("INVALID_OPTIONS");
    expect(none.message).toContain("its keys: handle");
    expect(none.hint).toContain("process(event, next)");
    expect(failure(() => bus.use({ process: "yes" } as never)).message).toContain(
      "middleware.process must be a function",
    );
    expect(failure(() => bus.use(null as never)).code).toBe("INVALID_OPTIONS");
  });

  it("a hook that returns nothing fails the publish instead of dropping it silently", async () => {
    const lazy = client();
    lazy.use({ process: () => undefined });
    expect((await rejection(lazy.publish("photo.uploaded", {}))).message).toContain(
      "process returned nothing",
    );
    const bus = client();
    bus.use({ name: "forgetful", onPublish: () => undefined as never });
    const error = await rejection(bus.publish("photo.uploaded", {}));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.message).toContain('Middleware "forgetful": onPublish returned nothing');
  });
});

describe("seed 000/001 methods", () => {
  it("sendToUser publishes like publishToUser; publishToRole goes to role:{role}, recoverable", async () => {
    const bus = client();
    const user = await bus.sendToUser("user-123", "notification.new", { message: "Your photo is ready!" });
    expect(user).toMatchObject({ channel: "user:user-123", offset: 1 });
    const role = await bus.publishToRole("admin", "system.health.update", { status: "degraded" });
    expect(role).toMatchObject({ channel: "role:admin", offset: 1 });
    expect((await rejection(bus.publishToRole("not a role", "x.y", {}))).code).toBe("INVALID_ROLE");
  });

  it("getRoomMembers of an empty room is empty", async () => {
    expect(await client().getRoomMembers("photo:1")).toEqual([]);
  });
});
