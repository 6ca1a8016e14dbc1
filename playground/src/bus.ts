/** The hooks with the photo platform's event map bound once (patterns and data stay typed). */
import { createEventBusHooks } from "@shared-infra/event-bus/react";
import type { PhotoEvents } from "../shared/photo-events.js";

export const { useEventBus, useRoom, usePublish, useEventBusClient } = createEventBusHooks<PhotoEvents>();
