/**
 * A per-endpoint circuit breaker (per dispatcher process): after `failureThreshold` consecutive
 * failed attempts it opens, and no job of the endpoint is taken for `cooldownMs` (they wait in the
 * store, their attempts not spent); then one trial request is allowed (half-open): success closes
 * it, failure opens it again for another cooldown.
 */
import type { WebhookBreakerOptions } from "./webhook-options.js";

export type BreakerState = "closed" | "open" | "half-open";

export class CircuitBreaker {
  #failures = 0;
  #openUntil = 0;
  #state: BreakerState = "closed";

  constructor(private readonly options: WebhookBreakerOptions) {}

  /** The state at `now` (an open breaker past its cooldown is half-open). */
  state(now: number): BreakerState {
    if (this.#state === "open" && now >= this.#openUntil) this.#state = "half-open";
    return this.#state;
  }

  /** When an open breaker lets a trial through (ms since the epoch); 0 when not open. */
  get openUntil(): number {
    return this.#state === "open" ? this.#openUntil : 0;
  }

  success(): void {
    this.#failures = 0;
    this.#state = "closed";
  }

  failure(now: number): void {
    this.#failures += 1;
    if (this.#state === "half-open" || this.#failures >= this.options.failureThreshold) {
      this.#state = "open";
      this.#openUntil = now + this.options.cooldownMs;
    }
  }
}
