/**
 * Seed 002's ("Architecture Documentation") integration patterns, error handling and monitoring
 * snippets, copied as written. Each is a function of the service's `eventBus` (seed 002: "each
 * service instance has its own EventBusClient"); helpers the seed leaves undefined (processPhoto,
 * notifyUser, uuidv4, logger, …) are parameters.
 */
import type { EventBusClient, EventHandler } from "@shared-infra/event-bus";

export interface Seed002Helpers {
  processPhoto(photoId: string): Promise<void>;
  notifyUser(data: unknown): Promise<void>;
  uuidv4(): string;
  readonly processedData: unknown;
  readonly logger: { error(message: string, error: unknown): void };
  sendWelcomeEmail(event: unknown): Promise<void>;
  createUserProfile(event: unknown): Promise<void>;
  trackAnalytics(event: unknown): Promise<void>;
  sendToDataWarehouse(event: unknown): Promise<void>;
}

/** "Pattern 1: Simple Pub/Sub" — Service B subscribes, Service A publishes. */
export async function simplePubSubSubscriber(eventBus: EventBusClient, { processPhoto }: Seed002Helpers) {
  // Service B - Subscriber
  await eventBus.subscribe("photo.uploaded", async (event) => {
    await processPhoto(event.data.photoId);
  });
}

export async function simplePubSubPublisher(eventBus: EventBusClient) {
  // Service A - Publisher
  await eventBus.publish("photo.uploaded", {
    photoId: "123",
    userId: "user-456",
  });
}

/** "Pattern 2: Pipeline Processing": the worker and notification services (the API publishes). */
export async function pipelineWorker(eventBus: EventBusClient, helpers: Seed002Helpers) {
  const { processPhoto, uuidv4, processedData } = helpers;
  // Worker Service
  await eventBus.subscribe("photo.uploaded", async (event) => {
    await eventBus.publish("photo.processing.started", {
      photoId: event.data.photoId,
      jobId: uuidv4(),
    });

    await processPhoto(event.data.photoId);

    await eventBus.publish("photo.processing.completed", {
      photoId: event.data.photoId,
      result: processedData,
    });
  });
}

export async function pipelineNotifications(eventBus: EventBusClient, { notifyUser }: Seed002Helpers) {
  // Notification Service
  await eventBus.subscribe("photo.processing.completed", async (event) => {
    await notifyUser(event.data);
  });
}

/** "Pattern 3: Fan-Out": multiple subscribers, then a single publisher. */
export async function fanOut(
  eventBus: EventBusClient,
  helpers: Seed002Helpers,
  userData: { userId: string },
) {
  const { sendWelcomeEmail, createUserProfile, trackAnalytics, sendToDataWarehouse } = helpers;
  // Multiple subscribers
  await eventBus.subscribe("user.registered", sendWelcomeEmail);
  await eventBus.subscribe("user.registered", createUserProfile);
  await eventBus.subscribe("user.registered", trackAnalytics);
  await eventBus.subscribe("user.registered", sendToDataWarehouse);

  // Single publisher
  await eventBus.publish("user.registered", userData);
}

/** "Error Handling Strategy", 3 and 4: isolated handler errors, and handler options. */
export async function handlerErrors(
  eventBus: EventBusClient,
  { processPhoto, logger }: Seed002Helpers,
  handler: EventHandler,
) {
  // 3. Handler Errors - Isolate
  await eventBus.subscribe("photo.*", async (event) => {
    try {
      await processPhoto(event.data.photoId);
    } catch (error) {
      logger.error("Handler error", error);
      // Don't throw, let other handlers continue
    }
  });

  // 4. Timeout Errors - Configurable
  await eventBus.subscribe("photo.*", handler, {
    timeout: 5000, // 5 second timeout
    retryOnError: true,
    maxRetries: 3,
  });
}

/** "Monitoring Metrics" and the API's getRoomMembers(room). */
export async function monitoring(eventBus: EventBusClient) {
  const stats = await eventBus.getStats();
  const members = await eventBus.getRoomMembers("photo:123");
  return { stats, members };
}
