/**
 * Seed 004's ("Event Bus Architecture - Situs") middleware, copied as written. Adjustments:
 * `@Injectable()` is dropped (a NestJS decorator, not this package's), and the seed's `Event` and
 * `EventMiddleware` are this package's `OutgoingEvent` and `Middleware` (imported under the seed's
 * names): the event a publish hook gets has `data` where seed 004's had `payload`.
 */
import type { OutgoingEvent as Event, Middleware as EventMiddleware } from "@shared-infra/event-bus";

export class ValidationMiddleware implements EventMiddleware {
  async process(event: Event): Promise<Event> {
    // Validate event structure
    return event;
  }
}

export class LoggingMiddleware implements EventMiddleware {
  async process(event: Event): Promise<Event> {
    // Log event
    return event;
  }
}

export class SecurityMiddleware implements EventMiddleware {
  async process(event: Event): Promise<Event> {
    // Check permissions
    return event;
  }
}
