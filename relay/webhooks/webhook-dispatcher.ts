/**
 * `createWebhookDispatcher`: delivers the events of an EventBusClient to webhook endpoints. It
 * consumes each configured event type through one consumer group (default `webhooks`), so events
 * published while no dispatcher runs wait for it and several replicas share the work; each event is
 * written as one job per matching endpoint into the webhook store, and the group entry is
 * acknowledged only after that write. Endpoint workers (endpoint-worker.ts) then deliver the jobs
 * with retries, the breaker and the dead letters. See docs/backend.md, "Outbound webhooks".
 */
import { type Clock, systemClock } from "../../common/clock.js";
import type { AnyEvents, EventMap, RegisteredEvents } from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";
import type { EventBusClient } from "../backend/client.js";
import { createLogger, errorFields, isLogLevel, type Logger } from "../backend/logger.js";
import type { ReceivedEvent, Subscription } from "../backend/types.js";
import { connectTo } from "../brokers/redis/redis-connection.js";
import { createAddressGuard, networkList, type Resolver } from "./address-guard.js";
import type { BreakerState } from "./circuit-breaker.js";
import { EndpointWorker, type WebhookAttempt } from "./endpoint-worker.js";
import { MemoryWebhookStore } from "./memory-webhook-store.js";
import { assertWebhookOptionKeys } from "./option-keys.js";
import { RedisWebhookStore } from "./redis-webhook-store.js";
import { WebhookMetrics } from "./webhook-metrics.js";
import {
  resolveDelivery,
  resolveEndpoints,
  type WebhookDeliveryOptions,
  type WebhookEndpointConfig,
} from "./webhook-options.js";
import type { WebhookDeadLetter, WebhookStore } from "./webhook-store.js";

export interface WebhookDispatcherOptions<E extends EventMap = RegisteredEvents>
  extends Partial<WebhookDeliveryOptions> {
  /** The client whose events are delivered (its broker carries the consumer group). */
  readonly bus: EventBusClient<E>;
  /** The exact event types consumed (consumer groups take exact types); endpoint globs match among them. */
  readonly eventTypes: readonly string[];
  readonly endpoints: readonly WebhookEndpointConfig[];
  /**
   * Where jobs wait between attempts: a Redis URL, or a store. Default EVENT_BUS_REDIS_URL; without
   * it, process memory outside production (jobs then die with the process), CONFIG_INVALID in production.
   */
  readonly store?: string | WebhookStore;
  /** Key prefix in Redis. Default EVENT_BUS_PREFIX or none. */
  readonly prefix?: string;
  /** The consumer group name. Default "webhooks". */
  readonly group?: string;
  /** Default: pino to stdout at EVENT_BUS_LOG_LEVEL or "warn". */
  readonly logger?: Logger;
  /** Called after every attempt (delivery logs, tests). */
  readonly onAttempt?: (attempt: WebhookAttempt) => void;
  readonly clock?: Clock;
  /** DNS resolution (tests). Default: the system resolver. */
  readonly resolver?: Resolver;
}

export interface WebhookEndpointStats {
  readonly endpoint: string;
  readonly breaker: BreakerState;
  readonly pending: number;
  readonly oldestPendingAgeMs: number | null;
  /** Why the endpoint is disabled (410 Gone), or null. */
  readonly disabled: string | null;
  readonly deadLetters: number;
}

export interface WebhookDispatcher {
  /** Joins the consumer group for every event type and starts the endpoint workers. */
  start(): Promise<void>;
  /**
   * Leaves the group (fetched events are finished), stops the workers and closes the store it
   * opened (a store you passed stays open); the bus stays open. A stopped dispatcher cannot restart.
   */
  stop(): Promise<void>;
  readonly deadLetters: {
    list(endpoint: string, limit?: number): Promise<WebhookDeadLetter[]>;
    /** Moves the endpoint's dead letters (all, or those of these event ids) back to its queue. */
    replay(endpoint: string, eventIds?: readonly string[]): Promise<number>;
  };
  /** Re-enables an endpoint disabled by 410 Gone (replay its dead letters afterwards if wanted). */
  enable(endpoint: string): Promise<void>;
  stats(): Promise<WebhookEndpointStats[]>;
  /** Prometheus text of the per-endpoint metrics. */
  metrics(): Promise<string>;
}

export function createWebhookDispatcher<E extends EventMap = RegisteredEvents>(
  options: WebhookDispatcherOptions<E>,
): WebhookDispatcher {
  assertWebhookOptionKeys(options);
  const delivery = resolveDelivery(options);
  const endpoints = resolveEndpoints(options.endpoints, options.eventTypes, delivery.allowHttp);
  const clock = options.clock ?? systemClock;
  const level = process.env.EVENT_BUS_LOG_LEVEL;
  const logger = options.logger ?? createLogger("webhooks", isLogLevel(level) ? level : "warn");
  const store = storeOf(options, logger);
  const guard = createAddressGuard(networkList(delivery.allowNetworks, "allowNetworks"), options.resolver);
  const group = options.group ?? "webhooks";
  const onError = (error: unknown) =>
    logger.warn(errorFields(error), "webhooks: store operation failed; retrying at the next poll");
  const metrics = new WebhookMetrics(() => readings());
  const workers = new Map(
    endpoints.map((endpoint) => [
      endpoint.id,
      new EndpointWorker({
        endpoint,
        store,
        options: delivery,
        guard,
        metrics,
        clock,
        random: Math.random,
        onAttempt: (attempt) => {
          if (attempt.outcome === "disabled") {
            logger.warn({ endpoint: attempt.endpoint }, "webhooks: endpoint answered 410 Gone; disabled");
          } else if (attempt.outcome === "dead") {
            logger.warn(
              { endpoint: attempt.endpoint, eventId: attempt.eventId, error: attempt.error },
              "webhooks: delivery dead-lettered",
            );
          }
          options.onAttempt?.(attempt);
        },
        onError,
      }),
    ]),
  );
  const subscriptions: Subscription[] = [];
  // The dispatcher forwards any event type (an app's registered event map does not constrain it).
  const untyped = options.bus as unknown as EventBusClient<AnyEvents>;

  const workerOf = (id: string) => {
    const worker = workers.get(id);
    if (!worker) throw new EventBusError("NOT_FOUND", `No webhook endpoint "${id}".`);
    return worker;
  };

  const enqueue = async (event: ReceivedEvent) => {
    const body = JSON.stringify({ type: event.type, timestamp: event.metadata.timestamp, data: event.data });
    const now = clock.now();
    for (const endpoint of endpoints) {
      if (!endpoint.types.includes(event.type)) continue;
      await store.enqueue(
        endpoint.id,
        { eventId: event.id, eventType: event.type, body, enqueuedAt: now },
        now,
      );
      workers.get(endpoint.id)?.wake();
    }
  };

  async function stats(): Promise<WebhookEndpointStats[]> {
    const now = clock.now();
    return Promise.all(
      endpoints.map(async ({ id }) => {
        const [info, disabled, dead] = await Promise.all([
          store.pendingInfo(id),
          store.disabledReason(id),
          store.listDead(id, 10_000),
        ]);
        return {
          endpoint: id,
          breaker: workerOf(id).breakerState(),
          pending: info.pending,
          oldestPendingAgeMs:
            info.oldestEnqueuedAt === null ? null : Math.max(0, now - info.oldestEnqueuedAt),
          disabled,
          deadLetters: dead.length,
        };
      }),
    );
  }
  async function readings() {
    return (await stats()).map((s) => ({ ...s, disabled: s.disabled !== null }));
  }

  let started = false;
  let closed = false;
  const ownsStore = typeof options.store !== "object";
  return {
    async start() {
      if (closed) throw new EventBusError("CLOSED", "This webhook dispatcher was stopped; create a new one.");
      if (started) return;
      started = true;
      for (const worker of workers.values()) worker.start();
      const types = new Set(endpoints.flatMap((e) => e.types));
      for (const type of types) {
        // The handler only writes jobs; a failure (store down) is retried by the group, and
        // the event stays pending until the jobs are written.
        subscriptions.push(await untyped.subscribe(type, enqueue, { group, concurrency: 1, maxRetries: 10 }));
      }
    },
    async stop() {
      if (closed) return;
      closed = true;
      started = false;
      await Promise.all(subscriptions.splice(0).map((s) => s.unsubscribe()));
      await Promise.all([...workers.values()].map((w) => w.stop()));
      if (ownsStore) await store.close();
    },
    deadLetters: {
      async list(endpoint, limit = 100) {
        workerOf(endpoint);
        return store.listDead(endpoint, limit);
      },
      async replay(endpoint, eventIds) {
        const worker = workerOf(endpoint);
        const moved = await store.replayDead(endpoint, clock.now(), eventIds);
        worker.wake();
        return moved;
      },
    },
    async enable(endpoint) {
      const worker = workerOf(endpoint);
      await store.setDisabled(endpoint, null);
      worker.disabled = null;
      worker.wake();
    },
    stats,
    metrics: () => metrics.registry.metrics(),
  };
}

function storeOf<E extends EventMap>(options: WebhookDispatcherOptions<E>, logger: Logger): WebhookStore {
  const prefix = options.prefix ?? process.env.EVENT_BUS_PREFIX ?? "";
  const given = options.store ?? process.env.EVENT_BUS_REDIS_URL;
  if (typeof given === "object") return given;
  if (given !== undefined && given !== "") {
    return new RedisWebhookStore(connectTo({ url: given, options: {} }, { maxRetriesPerRequest: null }), {
      prefix,
    });
  }
  if (process.env.NODE_ENV === "production") {
    throw new EventBusError(
      "CONFIG_INVALID",
      "webhooks: no store configured; give `store` (a Redis URL) or set EVENT_BUS_REDIS_URL.",
      { hint: "The memory store loses every pending delivery when the process ends." },
    );
  }
  logger.warn({}, "webhooks: no Redis configured; pending deliveries are kept in memory only");
  return new MemoryWebhookStore();
}
