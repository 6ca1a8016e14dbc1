/** Defaults and validation of createEventBus options (INVALID_OPTIONS names the culprit). */

import { type BackoffOptions, DEFAULT_BACKOFF } from "../common/backoff.js";
import { type Clock, systemClock } from "../common/clock.js";
import { EventBusError } from "../protocol/errors.js";
import { checkOptionKeys, EVENT_BUS_OPTIONS_KEYS } from "./option-keys.js";
import { DEFAULT_OUTBOX, type OutboxOptions } from "./outbox-options.js";
import type { SocketIoTransportOptions } from "./transport.js";
import type { EventBusOptions } from "./types.js";

export interface ResolvedOptions {
  readonly transport: SocketIoTransportOptions;
  readonly token: string | undefined;
  readonly getToken: EventBusOptions["getToken"];
  readonly backoff: BackoffOptions;
  readonly outbox: OutboxOptions;
  readonly autoConnect: boolean;
  readonly clock: Clock;
  readonly random: () => number;
  /** The group key of tab sharing (BroadcastChannel and lock names), or null: a socket per bus. */
  readonly shareAcrossTabs: string | null;
}

export function resolveOptions(options: EventBusOptions): ResolvedOptions {
  checkOptionKeys("createEventBus options", options, EVENT_BUS_OPTIONS_KEYS);
  if (typeof options?.url !== "string" || options.url.length === 0) invalid("url", "a non-empty string");
  if (options.token === undefined && options.getToken === undefined) invalid("token", "given, or getToken");
  if (options.getToken !== undefined && typeof options.getToken !== "function")
    invalid("getToken", "a function");
  const backoff = { ...DEFAULT_BACKOFF, ...options.reconnect };
  positive("reconnect.minDelay", backoff.minDelay);
  positive("reconnect.maxDelay", backoff.maxDelay);
  if (backoff.maxDelay < backoff.minDelay) invalid("reconnect.maxDelay", "at least reconnect.minDelay");
  const outbox = { ...DEFAULT_OUTBOX, ...options.outbox };
  positive("outbox.maxMessages", outbox.maxMessages);
  positive("outbox.maxBytes", outbox.maxBytes);
  positive("outbox.maxAge", outbox.maxAge);
  if (outbox.overflow !== "reject-new" && outbox.overflow !== "drop-oldest") {
    invalid("outbox.overflow", '"reject-new" or "drop-oldest"');
  }
  const transport: SocketIoTransportOptions = {
    url: options.url,
    transports: options.transports ?? ["websocket"],
    path: options.path,
    connectTimeout: positive("connectTimeout", options.connectTimeout ?? 10_000),
    requestTimeout: positive("requestTimeout", options.requestTimeout ?? 10_000),
    socketOptions: options.socketOptions,
    clock: options.clock ?? systemClock,
  };
  return {
    transport,
    token: options.token,
    getToken: options.getToken,
    backoff,
    outbox,
    autoConnect: options.autoConnect ?? true,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    shareAcrossTabs: shareKey(options),
  };
}

/**
 * Version of what tabs say to each other (client/tabs/messages.ts), part of the group key: tabs
 * still running an older SDK after a deploy form their own group instead of misreading each other.
 */
const TABS_PROTOCOL = 2;

function shareKey({ shareAcrossTabs: share, url }: EventBusOptions): string | null {
  if (share === undefined || share === false) return null;
  if (share !== true && (typeof share !== "object" || share === null || !isKey(share.key)))
    invalid("shareAcrossTabs", "a boolean or { key: string }");
  const key = share === true ? "" : (share.key ?? "");
  return `@shared-infra/event-bus/tabs/${TABS_PROTOCOL} ${url} ${key}`;
}

function isKey(key: unknown): boolean {
  return key === undefined || typeof key === "string";
}

/**
 * Checks createEventBus options without creating anything (no socket, no listeners): throws the
 * INVALID_OPTIONS createEventBus would. <EventBusProvider options> calls it during render.
 */
export function validateEventBusOptions(options: EventBusOptions): void {
  resolveOptions(options);
}

function positive(name: string, value: number): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value))
    invalid(name, "a positive number");
  return value;
}

function invalid(name: string, expected: string): never {
  throw new EventBusError("INVALID_OPTIONS", `Option \`${name}\` must be ${expected}.`, {
    details: { option: name },
  });
}
