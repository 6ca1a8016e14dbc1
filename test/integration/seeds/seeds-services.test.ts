/**
 * The seeds' service-side snippets, run as written against a real Redis (seed-stage.ts): seed
 * 000's photo flow (API → worker → notification service, three clients that meet only in Redis),
 * seed 002's integration patterns, error handling and monitoring, seed 004's middleware, and the
 * seeds' configurations — which fail at once with INVALID_OPTIONS naming the key and its
 * replacement, while the adjusted ones work. The snippets themselves are in seed-*.ts, type-checked
 * with the seeds' event map registered (register.ts; `npm run typecheck`). The adjustments are
 * listed in docs/backend.md, "Coming from the seed API".
 */
import { randomUUID } from "node:crypto";
import { eventBus, isEventBusError } from "@shared-infra/event-bus";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { collector } from "../../helpers/wait.js";
import {
  apiService,
  type Helpers,
  notificationService,
  type Reply,
  type Upload,
  workerService,
} from "./seed-000-services.js";
import { basicSetup, checkServiceHealth, debugEventFlow } from "./seed-000-usage.js";
import {
  fanOut,
  handlerErrors,
  monitoring,
  pipelineNotifications,
  pipelineWorker,
  type Seed002Helpers,
  simplePubSubPublisher,
  simplePubSubSubscriber,
} from "./seed-002-patterns.js";
import { LoggingMiddleware, SecurityMiddleware, ValidationMiddleware } from "./seed-004-middleware.js";
import {
  seed000AdvancedConfiguration,
  seed000AdvancedConfigurationAdjusted,
  seed002PerformanceTuning,
  seed002PerformanceTuningAdjusted,
} from "./seed-config.js";
import { recorder, type Stage, startStage } from "./seed-stage.js";

let stage: Stage;
beforeAll(async () => {
  stage = await startStage();
});
afterEach(async () => {
  await stage.closeParticipants();
});
afterAll(async () => {
  await stage?.close();
});

function helpers(): Helpers & { readonly logged: unknown[][] } {
  const logged: unknown[][] = [];
  return {
    processUpload: async (_file, _userId) => ({ id: `photo-${randomUUID()}` }),
    processPhoto: recorder<[string]>("processed photos"),
    sendNotification: recorder<[string | undefined, Record<string, unknown>]>("notifications"),
    log: (...args) => logged.push(args),
    logged,
  };
}

/** The seed's `app` (Express): records the route so the test can call it as a request would. */
function stubApp() {
  const routes = new Map<string, (req: Upload, res: Reply) => Promise<void>>();
  return {
    app: {
      post: (path: string, handler: (req: Upload, res: Reply) => Promise<void>) =>
        void routes.set(path, handler),
    },
    async post(path: string, req: Upload): Promise<unknown> {
      let body: unknown;
      const json = (value: unknown): void => {
        body = value;
      };
      await routes.get(path)?.(req, { json });
      return body;
    },
  };
}

describe("seed 000: the photo flow across three services", () => {
  it("an upload reaches the worker, whose completion reaches the notification service, through Redis", async () => {
    const api = helpers();
    const worker = { ...helpers(), processPhoto: recorder<[string]>("processed photos") };
    const notifications = {
      ...helpers(),
      sendNotification: recorder<[string | undefined, Record<string, unknown>]>("sent"),
    };
    const { app, post } = stubApp();
    apiService(app, api);
    await workerService(stage.service("photo-worker"), worker);
    await notificationService(stage.service("notification-service"), notifications);

    const reply = (await post("/photos/upload", {
      file: { originalname: "vacation.jpg", size: 2048 },
      user: { id: "user-456" },
    })) as { success: boolean; photoId: string };
    expect(reply).toMatchObject({ success: true, message: "Upload received - processing started" });

    expect(await worker.processPhoto.waitFor(1)).toEqual([[reply.photoId]]);
    const [userId, notification] = first(await notifications.sendNotification.waitFor(1));
    expect(userId).toBe("user-456");
    expect(notification).toMatchObject({ type: "photo_processed", photoId: reply.photoId });
    expect((await eventBus.healthCheck()).broker.kind).toBe("redis");
  });

  it("a failure reaches the notification service with its message; user.* events are logged", async () => {
    const notifications = {
      ...helpers(),
      sendNotification: recorder<[string | undefined, Record<string, unknown>]>("sent"),
    };
    const worker = helpers();
    await notificationService(stage.service("notification-service-2"), notifications);
    await workerService(stage.service("photo-worker-2"), worker);
    await eventBus.publish("photo.processing.failed", {
      photoId: "p9",
      userId: "u9",
      error: { message: "corrupt" },
    });
    const [, failed] = first(await notifications.sendNotification.waitFor(1));
    expect(failed).toMatchObject({ message: "Failed to process your photo: corrupt", photoId: "p9" });
    await eventBus.publish("user.registered", { userId: "u10", email: "u10@example.com" });
    await expect
      .poll(() => worker.logged)
      .toContainEqual(["User event: user.registered", { userId: "u10", email: "u10@example.com" }]);
  });

  it("Basic Setup, Debug Event Flow and Check Service Health work as written", async () => {
    const traced = collector<{ traceId?: string; source: string }>("traced events");
    const observer = stage.service("observer");
    await observer.subscribe("photo.uploaded", (event) => {
      if (event.metadata.traceId) traced.push(event.metadata);
    });
    const result = await basicSetup();
    expect(result).toMatchObject({ channel: "user.registered" });
    expect(result.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    await debugEventFlow();
    expect(await traced.waitFor(1)).toEqual([
      expect.objectContaining({ traceId: "trace-abc-123", source: "photo-api-service" }),
    ]);
    const logged: unknown[][] = [];
    await checkServiceHealth((...args) => logged.push(args));
    expect(logged[0]).toEqual(["Event Bus Health:", "healthy"]);
    expect(logged[1]?.[0]).toBe("Events published:");
    expect(logged[1]?.[1]).toBeGreaterThanOrEqual(2);
  });
});

describe("seed 002: integration patterns, error handling, monitoring", () => {
  function helpers002(): Seed002Helpers & { readonly errors: unknown[] } {
    const errors: unknown[] = [];
    return {
      processPhoto: recorder<[string]>("processed"),
      notifyUser: recorder<[unknown]>("notified"),
      uuidv4: randomUUID,
      processedData: { width: 800 },
      logger: { error: (_message, error) => void errors.push(error) },
      sendWelcomeEmail: recorder<[unknown]>("welcome"),
      createUserProfile: recorder<[unknown]>("profile"),
      trackAnalytics: recorder<[unknown]>("analytics"),
      sendToDataWarehouse: recorder<[unknown]>("warehouse"),
      errors,
    };
  }

  it("Pattern 1 and 2: pub/sub and the pipeline, each service on its own client", async () => {
    const h = helpers002();
    const processPhoto = recorder<[string]>("processed");
    await simplePubSubSubscriber(stage.service("service-b"), { ...h, processPhoto });
    const notifyUser = recorder<[unknown]>("notified");
    await pipelineWorker(stage.service("worker"), h);
    await pipelineNotifications(stage.service("notifications"), { ...h, notifyUser });
    await simplePubSubPublisher(stage.service("service-a"));
    expect(await processPhoto.waitFor(1)).toEqual([["123"]]);
    expect(await notifyUser.waitFor(1)).toEqual([[{ photoId: "123", result: { width: 800 } }]]);
  });

  it("Pattern 3: fan-out calls each of the four subscribers once", async () => {
    const h = helpers002();
    await fanOut(stage.service("fan-out"), h, { userId: "u-fan" });
    for (const handler of [
      h.sendWelcomeEmail,
      h.createUserProfile,
      h.trackAnalytics,
      h.sendToDataWarehouse,
    ]) {
      const [event] = first(await (handler as ReturnType<typeof recorder<[unknown]>>).waitFor(1));
      expect(event).toMatchObject({ type: "user.registered", data: { userId: "u-fan" } });
    }
  });

  it("handler errors stay in their handler; options { timeout, retryOnError, maxRetries } are taken", async () => {
    const h = helpers002();
    const failing = { ...h, processPhoto: async () => Promise.reject(new Error("disk full")) };
    const other = recorder<[unknown]>("other handler");
    const bus = stage.service("errors");
    await handlerErrors(bus, failing, other);
    await stage.service("uploader").publish("photo.uploaded", { photoId: "p-err", userId: "u-err" });
    expect(await other.waitFor(1)).toHaveLength(1);
    await expect.poll(() => h.errors.map(String)).toEqual(["Error: disk full"]);
  });

  it("getStats and getRoomMembers answer as the seed's API says (members are objects per user)", async () => {
    const bus = stage.service("monitor");
    await bus.publish("user.deleted", { userId: "x" });
    const { stats, members } = await monitoring(bus);
    expect(stats).toMatchObject({
      eventsPublished: 1,
      eventsFailed: 0,
      activeSubscriptions: 0,
      errorRate: 0,
    });
    for (const key of ["eventsReceived", "eventsDelivered", "messagesPerSecond", "averageLatency"] as const) {
      expect(stats[key]).toBeTypeOf("number");
    }
    expect(members).toEqual([]);
  });
});

describe("seed 004: middleware objects with process(event)", () => {
  it("every middleware's process runs once per publish, in order, and the event arrives unchanged", async () => {
    const order: string[] = [];
    const spies = [ValidationMiddleware, LoggingMiddleware, SecurityMiddleware].map((Kind) =>
      vi.spyOn(Kind.prototype, "process").mockImplementation(async (event) => {
        order.push(Kind.name);
        return event;
      }),
    );
    const bus = stage.service("middleware");
    bus.use(new ValidationMiddleware());
    bus.use(new LoggingMiddleware());
    bus.use(new SecurityMiddleware());
    const got = collector<unknown>("delivered");
    await stage.service("middleware-reader").subscribe("photo.uploaded", (event) => got.push(event.data));
    await bus.publish("photo.uploaded", { photoId: "p-mw", userId: "u-mw" });
    expect(await got.waitFor(1)).toEqual([{ photoId: "p-mw", userId: "u-mw" }]);
    expect(order).toEqual(["ValidationMiddleware", "LoggingMiddleware", "SecurityMiddleware"]);
    for (const spy of spies) spy.mockRestore();
  });
});

describe("the seeds' configurations", () => {
  it("seed 000's Advanced Configuration fails at once with INVALID_OPTIONS naming eventBusUrl and its replacement", () => {
    const error = failureOf(() => seed000AdvancedConfiguration(process));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.message).toContain("unknown option `eventBusUrl`");
    expect(error.hint).toContain("redis: process.env.EVENT_BUS_REDIS_URL");
  });

  it("seed 002's Performance Tuning fails at once with INVALID_OPTIONS naming performance and its replacement", () => {
    const error = failureOf(() => seed002PerformanceTuning());
    expect(error.message).toContain("unknown option `performance`");
    expect(error.hint).toContain("batching");
    expect(error.hint).toContain("retry: { maxRetries, initialDelay }");
  });

  it("the adjusted configurations work on Redis", async () => {
    const fromEnv = seed000AdvancedConfigurationAdjusted(process);
    const tuned = seed002PerformanceTuningAdjusted(stage.redis.host, stage.redis.port);
    try {
      await Promise.all([
        fromEnv.publish("user.deleted", { userId: "a" }),
        tuned.publish("user.deleted", { userId: "b" }),
      ]);
      expect((await fromEnv.healthCheck()).broker).toMatchObject({ kind: "redis", connected: true });
      expect((await tuned.healthCheck()).broker).toMatchObject({ kind: "redis", connected: true });
    } finally {
      await Promise.all([fromEnv.disconnect(), tuned.disconnect()]);
    }
  });
});

function first<T>(items: readonly T[]): T {
  const item = items[0];
  if (item === undefined) throw new Error("expected at least one item");
  return item;
}

function failureOf(action: () => unknown) {
  try {
    action();
  } catch (error) {
    if (isEventBusError(error)) return error;
    throw error;
  }
  throw new Error("expected an EventBusError");
}
