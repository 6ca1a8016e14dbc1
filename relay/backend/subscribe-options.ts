/**
 * What `subscribe` and `subscribeToRoom` accept besides the pattern: the handler must be a
 * function, the options only known keys (option-keys.ts) with sensible values, and a pattern that
 * names a room (`photo:123`) is pointed to subscribeToRoom. Turns the options into the handler's
 * run policy (timeout, retries) over the client's defaults.
 */
import { EventBusError } from "../../protocol/errors.js";
import { roomOfPattern } from "../../protocol/names.js";
import type { Settings } from "./config.js";
import type { RunPolicy } from "./handler-runner.js";
import { checkOptionKeys, SUBSCRIBE_KEYS } from "./option-keys.js";
import type { SubscribeOptions } from "./types.js";

/** Validates a subscription's handler and options; returns its run policy. Throws INVALID_OPTIONS. */
export function subscribePolicy(handler: unknown, options: SubscribeOptions, settings: Settings): RunPolicy {
  if (typeof handler !== "function") throw optionError("the handler must be a function");
  checkOptionKeys("subscribe options", options, SUBSCRIBE_KEYS);
  const policy = {
    timeoutMs: options.timeout ?? settings.timeout,
    retryOnError: options.retryOnError ?? true,
    retry: { ...settings.retry, maxRetries: options.maxRetries ?? settings.retry.maxRetries },
  };
  if (!(policy.timeoutMs > 0)) throw optionError("timeout must be a positive number of ms");
  if (!Number.isInteger(policy.retry.maxRetries) || policy.retry.maxRetries < 0) {
    throw optionError("maxRetries must be a whole number ≥ 0");
  }
  return policy;
}

/** The hint for a pattern that names a channel (`photo:123`, `room:lobby`): where its events come. */
export function roomPatternHint(pattern: string): string {
  const room = roomOfPattern(pattern);
  const call = `subscribeToRoom(${room === undefined ? "room" : JSON.stringify(room)}, handler)`;
  return `Patterns match event types such as "photo.processing.*"; a room's events come through ${call}.`;
}

export function optionError(problem: string): EventBusError {
  return new EventBusError("INVALID_OPTIONS", `subscribe: ${problem}.`);
}
