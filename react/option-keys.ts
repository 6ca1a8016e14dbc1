/**
 * The keys the hooks' options accept, listed once per type (the compiler checks each list against
 * its type): an unknown key throws INVALID_OPTIONS during render, naming the key and the closest
 * valid one, instead of being ignored. (The provider's `options` are createEventBus's, checked by
 * the client: validateEventBusOptions.)
 */

import { EventBusError } from "../client/index.js";
import { findUnknownKey, nearestName, type OptionKeys, optionKeys } from "../common/known-keys.js";
import { HINTS_INCLUDED } from "../protocol/build-mode.js";
import type { UseEventBusOptions } from "./use-event-bus.js";
import type { UseRoomOptions } from "./use-room.js";

export const USE_EVENT_BUS_KEYS: OptionKeys = optionKeys<UseEventBusOptions>({
  room: true,
  presence: true,
  enabled: true,
  limit: true,
});

export const USE_ROOM_KEYS: OptionKeys = optionKeys<UseRoomOptions>({
  enabled: true,
  presence: true,
  limit: true,
  rewind: true,
});

/** Throws INVALID_OPTIONS for the first key of a hook's options that its type does not declare. */
export function checkHookOptions(where: string, options: unknown, spec: OptionKeys): void {
  // The "did you mean" guess is developer prose: not in production browser bundles.
  const unknown = findUnknownKey(where, options, spec, HINTS_INCLUDED ? nearestName : undefined);
  if (unknown) throw new EventBusError("INVALID_OPTIONS", unknown.problem, unknown);
}
