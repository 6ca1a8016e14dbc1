/**
 * The dispatcher's options, their defaults and their validation: every bad value is a
 * CONFIG_INVALID error naming the setting, found before anything starts.
 */
import { EventBusError } from "../../protocol/errors.js";
import { compileGlob, type GlobMatcher } from "../../protocol/glob.js";
import { isEventType } from "../../protocol/names.js";
import { networkList } from "./address-guard.js";
import { secretKey } from "./signature.js";

export interface WebhookEndpointConfig {
  /** A stable name: 1-64 of letters, digits, `_ - .`. Keys, metrics and dead letters use it. */
  readonly id: string;
  /** `https://…` (`http://` only with `allowHttp`). */
  readonly url: string;
  /** `whsec_…` secrets; every one signs each request (rotation: add the new one, later drop the old). */
  readonly secrets: readonly string[];
  /** Event types or `*` globs this endpoint receives (`photo.processing.completed`, `photo.*`). */
  readonly types: readonly string[];
}

export interface WebhookBreakerOptions {
  /** Consecutive failed attempts that open the breaker. Default 5. */
  readonly failureThreshold: number;
  /** How long it stays open before one trial request (half-open), ms. Default 30 000. */
  readonly cooldownMs: number;
}

export interface WebhookDeliveryOptions {
  /**
   * Delays before each retry, ms: the attempts are 1 + its length. Default: Standard Webhooks'
   * example schedule 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (≈ 28 h in all). See
   * `exponentialSchedule` for a generated one.
   */
  readonly retrySchedule: readonly number[];
  /** Each delay is moved by up to ± this fraction at random. Default 0.2. */
  readonly jitter: number;
  /** The longest `Retry-After` honoured, ms. Default 24 h. */
  readonly maxRetryAfterMs: number;
  /** One request, connection to last byte read, ms. Default 15 000. */
  readonly timeoutMs: number;
  /** Response body bytes read (kept for the log), the rest is dropped. Default 4096. */
  readonly maxResponseBytes: number;
  /** Requests in flight per endpoint and dispatcher. Default 4 (1: first attempts in enqueue order). */
  readonly concurrency: number;
  /** Look for due retries at least this often, ms. Default 1000. */
  readonly pollIntervalMs: number;
  readonly breaker: WebhookBreakerOptions;
  /**
   * How long a taken job is held by its dispatcher before any replica may take it again (a
   * dispatcher killed mid-attempt), ms. Default timeoutMs + 30 000; at least timeoutMs + 1000.
   */
  readonly leaseMs?: number;
  /** Allow `http://` URLs (development only). Default false. */
  readonly allowHttp: boolean;
  /** Networks (CIDR or address) that may be reached although private, loopback or link-local. Default none. */
  readonly allowNetworks: readonly string[];
}

export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
]);

export const DEFAULT_DELIVERY: WebhookDeliveryOptions = Object.freeze({
  retrySchedule: DEFAULT_RETRY_SCHEDULE,
  jitter: 0.2,
  maxRetryAfterMs: 86_400_000,
  timeoutMs: 15_000,
  maxResponseBytes: 4096,
  concurrency: 4,
  pollIntervalMs: 1000,
  breaker: Object.freeze({ failureThreshold: 5, cooldownMs: 30_000 }),
  allowHttp: false,
  allowNetworks: Object.freeze([]),
});

/** `retries` delays: `initialMs`, ×`factor` each, capped at `maxMs`. */
export function exponentialSchedule(
  retries: number,
  initialMs: number,
  factor = 2,
  maxMs = 86_400_000,
): number[] {
  return Array.from({ length: retries }, (_, i) => Math.min(maxMs, Math.round(initialMs * factor ** i)));
}

export interface ResolvedEndpoint {
  readonly id: string;
  readonly url: URL;
  readonly keys: readonly Buffer[];
  readonly matchers: readonly GlobMatcher[];
  readonly types: readonly string[];
}

const fail = (message: string) => new EventBusError("CONFIG_INVALID", message);
const ENDPOINT_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function resolveDelivery(given: Partial<WebhookDeliveryOptions> = {}): WebhookDeliveryOptions {
  const options = {
    ...DEFAULT_DELIVERY,
    ...given,
    breaker: { ...DEFAULT_DELIVERY.breaker, ...given.breaker },
  };
  const positive = (name: string, value: number, min = 1) => {
    if (!Number.isFinite(value) || value < min) throw fail(`webhooks: ${name} must be a number ≥ ${min}.`);
  };
  positive("timeoutMs", options.timeoutMs);
  positive("maxResponseBytes", options.maxResponseBytes);
  positive("concurrency", options.concurrency);
  positive("pollIntervalMs", options.pollIntervalMs, 10);
  positive("maxRetryAfterMs", options.maxRetryAfterMs, 0);
  positive("breaker.failureThreshold", options.breaker.failureThreshold);
  positive("breaker.cooldownMs", options.breaker.cooldownMs, 0);
  if (options.leaseMs !== undefined) positive("leaseMs", options.leaseMs, options.timeoutMs + 1000);
  if (!(options.jitter >= 0 && options.jitter <= 1)) throw fail("webhooks: jitter must be between 0 and 1.");
  if (
    !Array.isArray(options.retrySchedule) ||
    options.retrySchedule.some((d) => !(Number.isFinite(d) && d >= 0))
  ) {
    throw fail("webhooks: retrySchedule must be a list of delays in ms (numbers ≥ 0).");
  }
  networkList(options.allowNetworks, "webhooks: allowNetworks");
  return options;
}

export function resolveEndpoints(
  endpoints: readonly WebhookEndpointConfig[],
  eventTypes: readonly string[],
  allowHttp: boolean,
): ResolvedEndpoint[] {
  if (!Array.isArray(eventTypes) || eventTypes.length === 0 || !eventTypes.every(isEventType)) {
    throw fail("webhooks: eventTypes must list the exact event types to consume (at least one).");
  }
  if (!Array.isArray(endpoints) || endpoints.length === 0)
    throw fail("webhooks: endpoints must list at least one endpoint.");
  const seen = new Set<string>();
  return endpoints.map((endpoint, index) => {
    const where = `webhooks: endpoints[${index}]`;
    if (typeof endpoint?.id !== "string" || !ENDPOINT_ID.test(endpoint.id)) {
      throw fail(`${where}.id must be 1-64 letters, digits, _ - or .`);
    }
    if (seen.has(endpoint.id)) throw fail(`${where}.id "${endpoint.id}" is used twice.`);
    seen.add(endpoint.id);
    let url: URL;
    try {
      url = new URL(endpoint.url);
    } catch {
      throw fail(`${where}.url is not a URL.`);
    }
    if (url.protocol !== "https:" && !(allowHttp && url.protocol === "http:")) {
      throw fail(`${where}.url must be https:// (http:// only with allowHttp, for development).`);
    }
    if (url.username || url.password) throw fail(`${where}.url must not carry credentials.`);
    if (!Array.isArray(endpoint.secrets) || endpoint.secrets.length === 0) {
      throw fail(`${where}.secrets must list at least one whsec_ secret.`);
    }
    const keys = endpoint.secrets.map((s: string, i: number) =>
      secretKey(String(s), `${where}.secrets[${i}]`),
    );
    if (!Array.isArray(endpoint.types) || endpoint.types.length === 0)
      throw fail(`${where}.types must list event types or globs.`);
    const matchers = endpoint.types.map((t: string) => {
      if (typeof t !== "string" || t === "") throw fail(`${where}.types holds an empty pattern.`);
      return compileGlob(t);
    });
    const types = eventTypes.filter((t) => matchers.some((m: GlobMatcher) => m(t)));
    if (types.length === 0) {
      throw fail(`${where}.types match none of eventTypes (${eventTypes.join(", ")}).`);
    }
    return { id: endpoint.id, url, keys, matchers, types };
  });
}
