/**
 * The seeds' configuration snippets, copied as written — seed 000's "Advanced Configuration" and
 * seed 002's "Performance Tuning" — which fail at once (a compile error, and at run time
 * INVALID_OPTIONS naming the first unknown key and what replaces it), and the same configurations
 * written for this package, which work. The `@ts-expect-error` lines prove the compile errors.
 */
import { EventBusClient, type EventBusConfig } from "@shared-infra/event-bus";

/** Seed 000, "Advanced Configuration", as written. */
export function seed000AdvancedConfiguration(process: { env: Record<string, string | undefined> }) {
  const eventBus = new EventBusClient({
    // Connection settings
    // @ts-expect-error — not an option here: services talk to Redis (`redis`), not to a URL of an event-bus server
    eventBusUrl: process.env.EVENT_BUS_URL || "http://localhost:3003",

    // Authentication
    serviceName: "photo-api-service",
    authToken: process.env.EVENT_BUS_TOKEN,

    // Performance
    maxRetries: 3,
    timeout: 5000,
    batchSize: 10,

    // Monitoring
    enableMetrics: true,
    logLevel: "info",
  });
  return eventBus;
}

/** Seed 000's configuration, for this package: every seed key has its place or goes. */
export function seed000AdvancedConfigurationAdjusted(process: { env: Record<string, string | undefined> }) {
  const eventBus = new EventBusClient({
    // Connection settings (eventBusUrl → redis; no authToken: the password goes in the URL)
    redis: process.env.EVENT_BUS_REDIS_URL,

    serviceName: "photo-api-service",

    // Performance (maxRetries → retry.maxRetries, batchSize → batching.batchSize)
    retry: { maxRetries: 3 },
    timeout: 5000,
    batching: { batchSize: 10 },

    // Monitoring (enableMetrics: always on, see getStats())
    logLevel: "info",
  });
  return eventBus;
}

/** Seed 002, "Performance Tuning", as written. */
export function seed002PerformanceTuning() {
  const config: EventBusConfig = {
    serviceName: "my-service",
    redis: {
      host: "localhost",
      port: 6379,
      maxRetriesPerRequest: 3,
      enableReadyCheck: true,
    },
    // @ts-expect-error — `performance` is `batching` and `retry` here
    performance: {
      batchSize: 100,
      batchInterval: 50,
      maxRetries: 3,
      retryDelay: 1000,
    },
  };
  return new EventBusClient(config);
}

/** Seed 002's configuration, for this package (host and port: the test's Redis). */
export function seed002PerformanceTuningAdjusted(host: string, port: number) {
  const config: EventBusConfig = {
    serviceName: "my-service",
    redis: {
      host,
      port,
      maxRetriesPerRequest: 3,
      enableReadyCheck: true,
    },
    batching: { batchSize: 100, batchInterval: 50 },
    retry: { maxRetries: 3, initialDelay: 1000 },
  };
  return new EventBusClient(config);
}
