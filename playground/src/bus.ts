/** The hooks with the photo platform's event map bound once (patterns and data stay typed). */
import type { PhotoEvents } from "@shared-infra/event-bus/client";
import { createEventBusHooks } from "@shared-infra/event-bus/react";

export const { useEventBus, useRoom, usePublish, useEventBusClient } = createEventBusHooks<PhotoEvents>();
