/**
 * `import { eventBus } from "@shared-infra/event-bus/server"` with no set-up: created on first
 * use from the environment — here none, so the in-process memory broker.
 */
import { afterAll, describe, expect, it } from "vitest";
import { defaultEventBus, eventBus } from "../../../relay/backend/index.js";
import { collector } from "../../helpers/wait.js";

process.env.EVENT_BUS_LOG_LEVEL = "silent"; // the memory-broker notice is covered in config.test.ts
process.env.EVENT_BUS_SERVICE_NAME = "default-test";
delete process.env.EVENT_BUS_REDIS_URL;
delete process.env.EVENT_BUS_REDIS_CLUSTER;

afterAll(async () => {
  await eventBus.disconnect();
});

describe("the default eventBus instance", () => {
  it("works with no configuration, on the memory broker, as one lazily created client", async () => {
    const got = collector<string>();
    const subscription = await eventBus.subscribe("user.*", (event) =>
      got.push(`${event.type}|${event.metadata.source}`),
    );
    const result = await eventBus.publish("user.registered", { userId: "u1" });
    expect(await got.waitFor(1)).toEqual(["user.registered|default-test"]);
    expect(result.channel).toBe("user.registered");
    expect(defaultEventBus().serviceName).toBe("default-test");
    expect(eventBus.serviceName).toBe("default-test");
    expect((await eventBus.healthCheck()).broker.kind).toBe("memory");
    expect(await eventBus.unsubscribe(subscription.id)).toBe(true);
  });
});
