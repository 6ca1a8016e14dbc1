/**
 * The seeds' routing, run against a real Redis and a real relay (seed-stage.ts) with browsers on
 * the client SDK: seed 001's room form `subscribe("photo:123", …)` fails at once with
 * INVALID_PATTERN naming `bus.room("photo:123")`, and the adjusted form receives the photo's
 * events; user-specific events reach only that user's devices, "all admins" only admins
 * (publishToRole), system-wide broadcasts everyone; seed 000's usage patterns (publishToUser,
 * publishToRoom, broadcast, sendToUser) reach the browsers they name; getRoomMembers lists what
 * the room's browsers see. Adjustments: docs/backend.md, "Coming from the seed API".
 */
import { eventBus, isEventBusError } from "@shared-infra/event-bus";
import type { EventBus, EventEnvelope } from "@shared-infra/event-bus/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Collector, collector } from "../../helpers/wait.js";
import {
  photoPipelineApi,
  photoPipelineWorker,
  startUsingIt,
  systemBroadcasts,
  userNotifications,
} from "./seed-000-usage.js";
import {
  frontendClient,
  realTimePhotoUpdates,
  realTimePhotoUpdatesAdjusted,
  type Screen,
} from "./seed-001-browser.js";
import { type Stage, startStage } from "./seed-stage.js";

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

function screen(): Screen & { readonly calls: Collector<string> } {
  const calls = collector<string>("screen updates");
  return {
    calls,
    showProgressBar: () => calls.push("progress bar"),
    showThumbnails: (thumbnails) => calls.push(`thumbnails ${JSON.stringify(thumbnails)}`),
    showError: (error) => calls.push(`error ${JSON.stringify(error)}`),
    updateProgressBar: (photoId, progress) => calls.push(`${photoId} at ${progress}%`),
  };
}

/** Every event a browser receives, with the channel it came on. */
function received(bus: EventBus): Collector<EventEnvelope & { channel: string }> {
  const events = collector<EventEnvelope & { channel: string }>("browser events");
  bus.subscribe("*", (event) => events.push(event));
  return events;
}

/** Resolves once the browser's session is up (own channels subscribed on the relay). */
function connected(bus: EventBus): Promise<void> {
  if (bus.status === "connected") return Promise.resolve();
  return new Promise((resolve) => {
    const off = bus.on("status", ({ status }) => {
      if (status !== "connected") return;
      off();
      resolve();
    });
  });
}

describe("seed 001: smart event routing", () => {
  it('subscribe("photo:123", …) fails at once with INVALID_PATTERN naming bus.room("photo:123")', () => {
    const bus = stage.browser("user-456", { rooms: ["photo:*"] });
    let error: unknown;
    try {
      realTimePhotoUpdates(bus, screen());
    } catch (caught) {
      error = caught;
    }
    expect(isEventBusError(error, "INVALID_PATTERN")).toBe(true);
    expect((error as Error & { hint: string }).hint).toContain('bus.room("photo:123")');
  });

  it("the adjusted form shows the photo's progress, thumbnails and failure", async () => {
    const bus = stage.browser("user-456", { rooms: ["photo:*"] });
    const s = screen();
    realTimePhotoUpdatesAdjusted(bus, s);
    await bus.room("photo:123").joined;
    await eventBus.publishToRoom("photo:123", "photo.processing.started", { photoId: "123" });
    await eventBus.publishToRoom("photo:123", "photo.processing.completed", {
      photoId: "123",
      thumbnails: ["small"],
    });
    await eventBus.publishToRoom("photo:123", "photo.processing.failed", {
      photoId: "123",
      userId: "user-456",
      error: { message: "corrupt" },
    });
    expect(await s.calls.waitFor(3)).toEqual([
      "progress bar",
      'thumbnails ["small"]',
      'error {"message":"corrupt"}',
    ]);
  });

  it("user events reach only that user's devices; 'all admins' only admins; broadcasts everyone", async () => {
    const phone = stage.browser("user-456");
    const laptop = stage.browser("user-456");
    const admin = stage.browser("admin-1", { roles: ["admin"] });
    const other = stage.browser("user-789");
    const inboxes = [phone, laptop, admin, other].map(received);
    await Promise.all([phone, laptop, admin, other].map(connected));
    await eventBus.sendToUser("user-456", "notification.new", { message: "Your photo is ready!" });
    await eventBus.publishToRole("admin", "system.health.update", { status: "degraded" });
    await eventBus.broadcast("system.maintenance", {
      scheduled: "soon",
      duration: "5 minutes",
      message: "m",
    });
    // The broadcast is the last of the three: once a browser has it, it has everything it will get.
    const got = await Promise.all(
      inboxes.map(async (inbox) => {
        await expect.poll(() => inbox.items.some((e) => e.type === "system.maintenance")).toBe(true);
        return inbox.items.map((e) => e.type);
      }),
    );
    expect(got).toEqual([
      ["notification.new", "system.maintenance"],
      ["notification.new", "system.maintenance"],
      ["system.health.update", "system.maintenance"],
      ["system.maintenance"],
    ]);
  });

  it("seeds 000/001's frontend, adjusted, shows progress published to the user", async () => {
    const bus = stage.browser("user-456");
    const s = screen();
    frontendClient(bus, s);
    await connected(bus);
    await eventBus.publishToUser("user-456", "photo.processing.progress", {
      photoId: "123",
      progress: 50,
      currentStage: "thumbnail-generation",
    });
    await eventBus.publishToUser("user-456", "photo.processing.completed", {
      photoId: "123",
      thumbnails: ["large"],
    });
    expect(await s.calls.waitFor(2)).toEqual(["123 at 50%", 'thumbnails ["large"]']);
  });

  it("seed 001's developer snippet reads event.photoId: a compile error (the fields are in event.data)", async () => {
    const started: unknown[] = [];
    const startPhotoProcessing = async (photoId: unknown) => void started.push(photoId);
    const asWritten = async () => {
      await eventBus.subscribe("photo.uploaded", async (event) => {
        // @ts-expect-error — seed 001 writes event.photoId; the data is event.data.photoId
        await startPhotoProcessing(event.photoId);
      });
    };
    const adjusted = async () => {
      await eventBus.subscribe("photo.uploaded", async (event) => {
        await startPhotoProcessing(event.data.photoId);
      });
    };
    expect(asWritten).toBeTypeOf("function"); // compiled only: run, it would pass undefined on
    await adjusted();
    await stage.service("photo-api").publish("photo.uploaded", { photoId: "123", userId: "user-456" });
    await expect.poll(() => started).toEqual(["123"]);
  });
});

describe("seed 000: usage patterns that reach browsers", () => {
  it("publishToUser and publishToRoom reach the user and the session room's members", async () => {
    const user = stage.browser("user-123", { rooms: ["session:*"] });
    const inbox = received(user);
    await user.room("session:abc123").joined;
    await userNotifications();
    const events = await inbox.waitFor(2);
    expect(events.map((e) => [e.channel, e.data])).toEqual([
      [
        "user:user-123",
        { title: "Photo processed", message: "Your vacation photo is ready!", photoId: "456" },
      ],
      ["room:session:abc123", { title: "Welcome back!", message: "We missed you!" }],
    ]);
  });

  it("broadcast reaches every browser; the config update reaches services", async () => {
    const browser = stage.browser("anyone");
    const inbox = received(browser);
    const config = collector<unknown>("config updates");
    await stage
      .service("config-watcher")
      .subscribe("system.config.updated", (event) => config.push(event.data));
    await connected(browser);
    await systemBroadcasts();
    expect((await inbox.waitFor(1)).map((e) => e.type)).toEqual(["system.maintenance"]);
    expect(await config.waitFor(1)).toEqual([
      { configKey: "upload.limits", newValue: "50MB", updatedBy: "admin-789" },
    ]);
  });

  it("the pipeline's progress and completion reach services; Getting Started's sendToUser reaches the user", async () => {
    const progress = collector<unknown>("pipeline events");
    await stage
      .service("dashboard")
      .subscribe("photo.processing.*", (event) => progress.push([event.type, event.data]));
    await photoPipelineWorker({
      processImage: async () => {},
      generateThumbnails: async (id) => [`${id}-small`],
    });
    await photoPipelineApi();
    expect(await progress.waitFor(2)).toEqual([
      ["photo.processing.progress", { photoId: "123", progress: 25, stage: "validation" }],
      ["photo.processing.completed", { photoId: "123", thumbnails: ["123-small"] }],
    ]);
    const user = stage.browser("user-123");
    const inbox = received(user);
    await connected(user);
    const logged: unknown[][] = [];
    await startUsingIt((...args) => logged.push(args));
    expect((await inbox.waitFor(1)).map((e) => e.data)).toEqual([{ message: "Your photo is ready!" }]);
    // Its subscription starts after its own publish (event-type channels are live only): the
    // next user event is the first it logs.
    await stage.service("accounts").publish("user.deleted", { userId: "123" });
    await expect.poll(() => logged.map((line) => line[0])).toEqual(["User event received:"]);
  });
});

describe("seed 002: getRoomMembers", () => {
  it("lists the members the room's browsers see", async () => {
    const tabs = [
      stage.browser("user-456", { rooms: ["photo:*"] }),
      stage.browser("user-456", { rooms: ["photo:*"] }),
    ];
    const rooms = tabs.map((tab) => tab.room("photo:123", { presence: true }));
    await Promise.all(rooms.map((room) => room.joined));
    await expect.poll(() => rooms[0]?.members()).toEqual([{ userId: "user-456", connections: 2 }]);
    expect(await eventBus.getRoomMembers("photo:123")).toEqual(rooms[0]?.members());
  });
});
