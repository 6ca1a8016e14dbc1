/**
 * Webhooks on the memory broker with the in-process job store (development and the playground):
 * delivery, retries and dead letters work the same; without Redis in production the dispatcher
 * refuses to start (CONFIG_INVALID) rather than lose pending deliveries silently.
 */
import { afterEach, expect, it, vi } from "vitest";
import { EventBusClient } from "../../../relay/backend/client.js";
import { MemoryBroker } from "../../../relay/brokers/memory/memory-broker.js";
import { createWebhookDispatcher } from "../../../relay/webhooks/webhook-dispatcher.js";
import { eventually } from "../../helpers/wait.js";
import { newSecret, startWebhookReceiver } from "../../helpers/webhook-receiver.js";
import { silentLogger } from "../backend/silent-logger.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

it("delivers, retries and dead-letters with the memory store; production without Redis is CONFIG_INVALID", async () => {
  vi.stubEnv("EVENT_BUS_REDIS_URL", "");
  const broker = new MemoryBroker();
  const bus = new EventBusClient({ serviceName: "mem", broker, logger: silentLogger });
  await bus.connect();
  const secret = newSecret();
  const receiver = await startWebhookReceiver(secret, (_req, n) =>
    n === 1 ? { status: 500 } : { status: 200 },
  );
  const options = {
    bus,
    eventTypes: ["order.created", "order.cancelled"],
    endpoints: [{ id: "m", url: receiver.url, secrets: [secret], types: ["order.*"] }],
    allowHttp: true,
    allowNetworks: ["127.0.0.1"],
    retrySchedule: [10],
    pollIntervalMs: 20,
    logger: silentLogger,
  };
  const dispatcher = createWebhookDispatcher(options);
  try {
    await dispatcher.start();
    const first = await bus.publish("order.created", { n: 1 });
    await receiver.unique.waitFor(1);
    expect(receiver.unique.items[0]?.id).toBe(first.id);
    expect(receiver.requests()).toBe(2); // the 500, then the retry
    receiver.setBehaviour(() => ({ status: 502 }));
    const second = await bus.publish("order.cancelled", { n: 2 });
    await eventually(async () => (await dispatcher.deadLetters.list("m")).length === 1, {
      label: "dead letter",
    });
    expect((await dispatcher.deadLetters.list("m"))[0]).toMatchObject({
      eventId: second.id,
      attempts: 2,
      reason: "HTTP 502",
    });
    receiver.setBehaviour(() => ({ status: 200 }));
    expect(await dispatcher.deadLetters.replay("m")).toBe(1);
    await receiver.unique.waitFor(2);
    vi.stubEnv("NODE_ENV", "production");
    expect(() => createWebhookDispatcher(options)).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  } finally {
    await dispatcher.stop();
    await bus.disconnect();
    await broker.close();
    await receiver.close();
  }
});
