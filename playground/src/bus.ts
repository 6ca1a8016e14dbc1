/** The hooks with the playground's event map bound once (patterns and data stay typed). */
import { createEventBusHooks } from "@shared-infra/event-bus/react";
import type { PlaygroundEvents } from "../shared/playground-events.js";

export const { useEventBus, useRoom, usePublish, useEventBusClient } =
  createEventBusHooks<PlaygroundEvents>();
