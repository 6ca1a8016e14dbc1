/**
 * The keys createWebhookDispatcher accepts (the compiler checks each list against its type), and
 * the check that refuses any other key — at the top level, in `breaker` and in each endpoint —
 * with INVALID_OPTIONS naming it and the closest valid one (common/known-keys.ts).
 */
import { findUnknownOption, optionKeys } from "../../common/known-keys.js";
import type { EventMap } from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";
import type { WebhookDispatcherOptions } from "./webhook-dispatcher.js";
import type { WebhookBreakerOptions, WebhookEndpointConfig } from "./webhook-options.js";

const ENDPOINT_KEYS = optionKeys<WebhookEndpointConfig>({ id: true, url: true, secrets: true, types: true });

const DISPATCHER_KEYS = optionKeys<WebhookDispatcherOptions<EventMap>>({
  bus: true,
  eventTypes: true,
  endpoints: true,
  store: true,
  prefix: true,
  group: true,
  onAttempt: true,
  logger: true,
  clock: true,
  resolver: true,
  retrySchedule: true,
  jitter: true,
  maxRetryAfterMs: true,
  timeoutMs: true,
  maxResponseBytes: true,
  concurrency: true,
  pollIntervalMs: true,
  breaker: optionKeys<WebhookBreakerOptions>({ failureThreshold: true, cooldownMs: true }),
  leaseMs: true,
  allowHttp: true,
  allowNetworks: true,
});

export function assertWebhookOptionKeys(options: unknown): void {
  const found =
    findUnknownOption("createWebhookDispatcher options", options, DISPATCHER_KEYS) ??
    endpointsOf(options)
      .map((endpoint, i) => findUnknownOption(`webhook endpoints[${i}]`, endpoint, ENDPOINT_KEYS))
      .find((problem) => problem !== undefined);
  if (found) throw new EventBusError("INVALID_OPTIONS", found.problem, found);
}

function endpointsOf(options: unknown): readonly unknown[] {
  const endpoints = (options as { endpoints?: unknown } | null)?.endpoints;
  return Array.isArray(endpoints) ? endpoints : [];
}
