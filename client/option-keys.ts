/**
 * The keys each options object of the browser SDK accepts, listed once per type (the compiler
 * checks each list against its type), and the check that refuses any other key with
 * INVALID_OPTIONS naming the key and the closest valid one. Keys of the seed documents' API get a
 * hint saying what replaces them.
 */
import type { BackoffOptions } from "../common/backoff.js";
import { findUnknownKey, nearestName, type OptionKeys, optionKeys } from "../common/known-keys.js";
import { HINTS_INCLUDED } from "../protocol/build-mode.js";
import type { AnyEvents } from "../protocol/envelope.js";
import { EventBusError } from "../protocol/errors.js";
import type { OutboxOptions } from "./outbox-options.js";
import type {
  EventBusOptions,
  JoinOptions,
  PublishOptions,
  RoomHandle,
  ShareAcrossTabsOptions,
} from "./types.js";

/**
 * Seed 000/002 configuration keys → what replaces them in a browser. Developer prose: left out of
 * production browser bundles (protocol/build-mode.ts), where unknown keys are still refused.
 */
const SEED_KEYS: Readonly<Record<string, string>> = !HINTS_INCLUDED
  ? {}
  : {
      eventBusUrl: "The relay's URL is `url`.",
      authToken:
        "The token is `token`, or better `getToken: () => fetchToken()`, which is asked again before every reconnect and before expiry.",
      serviceName:
        "Browsers have no service name: events they publish carry `client:<user id>` as their source.",
      maxRetries: "Reconnects never give up; their pace is `reconnect: { minDelay, maxDelay }`.",
      timeout: "Timeouts are `connectTimeout` (handshake) and `requestTimeout` (each request), in ms.",
      batchSize:
        "The browser sends publishes one by one; offline, they wait in `outbox: { maxMessages, … }`.",
      batchInterval:
        "The browser sends publishes one by one; offline, they wait in `outbox: { maxMessages, … }`.",
      enableMetrics:
        "The connection's state is in `bus.store` and `status` events; relays serve /metrics. Remove this option.",
      performance: "Reconnect pacing is `reconnect: { … }`; offline publishes wait in `outbox: { … }`.",
    };

export const EVENT_BUS_OPTIONS_KEYS: OptionKeys = optionKeys<EventBusOptions>(
  {
    url: true,
    token: true,
    getToken: true,
    reconnect: optionKeys<BackoffOptions>({ minDelay: true, maxDelay: true }),
    outbox: optionKeys<OutboxOptions>({
      maxMessages: true,
      maxBytes: true,
      maxAge: true,
      overflow: true,
      storage: true,
    }),
    autoConnect: true,
    socketIo: true,
    transports: true,
    path: true,
    connectTimeout: true,
    requestTimeout: true,
    socketOptions: true,
    clock: true,
    random: true,
    shareAcrossTabs: true,
  },
  SEED_KEYS,
);

export const SHARE_TABS_KEYS: OptionKeys = optionKeys<ShareAcrossTabsOptions>({ key: true });

export const JOIN_KEYS: OptionKeys = optionKeys<JoinOptions>({ presence: true, rewind: true });

export const PUBLISH_KEYS: OptionKeys = optionKeys<PublishOptions>({ room: true, traceId: true });

/** A room handle's publish options (the room is the handle's). */
export const ROOM_PUBLISH_KEYS: OptionKeys = optionKeys<RoomPublishOptions>({ traceId: true });

type RoomPublishOptions = NonNullable<Parameters<RoomHandle<AnyEvents>["publish"]>[2]>;

/** INVALID_OPTIONS for the first key of `value` that `spec` does not list, or undefined. */
export function optionKeysError(where: string, value: unknown, spec: OptionKeys): EventBusError | undefined {
  // The "did you mean" guess is developer prose: not in production browser bundles.
  const unknown = findUnknownKey(where, value, spec, HINTS_INCLUDED ? nearestName : undefined);
  return unknown && new EventBusError("INVALID_OPTIONS", unknown.problem, unknown);
}

/** Throws optionKeysError's error, if any. */
export function checkOptionKeys(where: string, value: unknown, spec: OptionKeys): void {
  const error = optionKeysError(where, value, spec);
  if (error) throw error;
}
