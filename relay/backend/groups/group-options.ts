/**
 * Options of consumer groups: the client-wide defaults (`EventBusConfig.groups`) and one group
 * subscription's settings (`subscribe(type, handler, { group, concurrency, consumer })`),
 * validated with coded errors, and the attempt budget of a delivery.
 */
import { hostname } from "node:os";
import { EventBusError } from "../../../protocol/errors.js";
import { createId } from "../../../protocol/ids.js";
import type { StreamBounds } from "../../brokers/group-streams.js";

export interface GroupDefaults {
  /** Entries kept in each event type's group stream (approximately). Default 100 000. */
  readonly maxLength: number;
  /** Entries older than this are trimmed from the stream, ms (0: no age bound). Default 24 h. */
  readonly maxAgeMs: number;
  /** A pending event idle this long (its consumer died) is claimed by another consumer, ms. Default 30 000. */
  readonly claimIdleMs: number;
  /** Read the stream at least this often even without a wake-up, ms. Default 1000. */
  readonly pollIntervalMs: number;
  /** Events fetched ahead per consumer (owned, heartbeated). Default 16. */
  readonly prefetch: number;
  /** How long disconnect()/unsubscribe() wait for fetched events to be handled, ms. Default 10 000. */
  readonly stopTimeoutMs: number;
}

export const DEFAULT_GROUPS: GroupDefaults = Object.freeze({
  maxLength: 100_000,
  maxAgeMs: 24 * 3600_000,
  claimIdleMs: 30_000,
  pollIntervalMs: 1000,
  prefetch: 16,
  stopTimeoutMs: 10_000,
});

export interface GroupSettings extends GroupDefaults {
  readonly group: string;
  readonly consumer: string;
  /** Events handled at once by this consumer. */
  readonly concurrency: number;
}

const GROUP_NAME = /^[A-Za-z0-9_\-.:@]{1,64}$/;

/** Client-wide defaults from EventBusConfig.groups; throws CONFIG_INVALID naming the setting. */
export function resolveGroupDefaults(config: Partial<GroupDefaults> | undefined): GroupDefaults {
  const merged = { ...DEFAULT_GROUPS, ...definedOnly(config ?? {}) };
  const whole = (name: keyof GroupDefaults, min: number) => {
    const value = merged[name];
    if (!Number.isInteger(value) || value < min) {
      throw new EventBusError(
        "CONFIG_INVALID",
        `EventBusClient: groups.${name} must be a whole number ≥ ${min}.`,
      );
    }
  };
  whole("maxLength", 1);
  whole("maxAgeMs", 0);
  whole("claimIdleMs", 10);
  whole("pollIntervalMs", 10);
  whole("prefetch", 1);
  whole("stopTimeoutMs", 0);
  return merged;
}

/** One subscription's group settings; throws INVALID_OPTIONS naming the option. */
export function resolveGroupSettings(
  defaults: GroupDefaults,
  options: { readonly group: string; readonly concurrency?: number; readonly consumer?: string },
): GroupSettings {
  if (typeof options.group !== "string" || !GROUP_NAME.test(options.group)) {
    throw invalid("group must be 1-64 characters from letters, digits and _ - . : @");
  }
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw invalid("concurrency must be a whole number ≥ 1");
  const consumer = options.consumer ?? defaultConsumerName();
  if (typeof consumer !== "string" || !GROUP_NAME.test(consumer)) {
    throw invalid("consumer must be 1-64 characters from letters, digits and _ - . : @");
  }
  return {
    ...defaults,
    prefetch: Math.max(defaults.prefetch, concurrency),
    group: options.group,
    consumer,
    concurrency,
  };
}

export function boundsOf(settings: GroupDefaults): StreamBounds {
  return { maxLength: settings.maxLength, maxAgeMs: settings.maxAgeMs };
}

/**
 * The attempts one delivery may make. Attempts are counted across consumers: the group's
 * delivery count is the attempt number, a retry is recorded as a delivery, and a consumer's death
 * uses up the attempt it was making. A delivery past the budget still gets one attempt (its
 * consumer died, the handler did not fail); one more past that is dead-lettered unrun
 * (DELIVERY_LIMIT: the event keeps killing its consumers).
 */
export function attemptBudget(
  deliveries: number,
  policy: { readonly retryOnError: boolean; readonly maxRetries: number },
): { readonly first: number; readonly last: number; readonly exhausted: boolean } {
  const maxAttempts = policy.retryOnError ? policy.maxRetries + 1 : 1;
  const first = Math.max(1, deliveries);
  return { first, last: Math.max(first, maxAttempts), exhausted: first > maxAttempts + 1 };
}

function defaultConsumerName(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_\-.]/g, "")
      .slice(0, 30) || "host";
  return `${host}:${process.pid}:${createId().slice(-6)}`;
}

function invalid(problem: string): EventBusError {
  return new EventBusError("INVALID_OPTIONS", `subscribe: ${problem}.`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
