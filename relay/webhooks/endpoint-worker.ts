/**
 * One endpoint's delivery loop in one dispatcher: takes due jobs from the store (leased), signs
 * and sends them, and records the outcome — completed, rescheduled by the retry schedule (with
 * jitter, at least the response's Retry-After), dead-lettered after the last attempt, or the
 * endpoint disabled on 410 Gone. Woken at once when this process enqueued something, and by a
 * poll otherwise (other replicas' jobs, retries coming due).
 */
import type { Clock } from "../../common/clock.js";
import { isEventBusError } from "../../protocol/errors.js";
import type { AddressGuard } from "./address-guard.js";
import { type BreakerState, CircuitBreaker } from "./circuit-breaker.js";
import { type DeliveryOutcome, isSuccess, sendWebhook } from "./http-delivery.js";
import { signWebhook } from "./signature.js";
import type { WebhookMetrics } from "./webhook-metrics.js";
import type { ResolvedEndpoint, WebhookDeliveryOptions } from "./webhook-options.js";
import type { WebhookJob, WebhookStore } from "./webhook-store.js";

/** What happened to one attempt (the `onAttempt` option; the playground's delivery log). */
export interface WebhookAttempt {
  readonly endpoint: string;
  readonly eventId: string;
  readonly eventType: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** HTTP status, 0 when no response. */
  readonly status: number;
  readonly durationMs: number;
  /** delivered; retry (scheduled again, `nextAttemptAt`); dead (dead-lettered); disabled (410 Gone). */
  readonly outcome: "delivered" | "retry" | "dead" | "disabled";
  readonly error?: string;
  readonly nextAttemptAt?: number;
  readonly at: number;
}

export interface WorkerDeps {
  readonly endpoint: ResolvedEndpoint;
  readonly store: WebhookStore;
  readonly options: WebhookDeliveryOptions;
  readonly guard: AddressGuard;
  readonly metrics: WebhookMetrics;
  readonly clock: Clock;
  readonly random: () => number;
  readonly onAttempt: (attempt: WebhookAttempt) => void;
  readonly onError: (error: unknown) => void;
}

export class EndpointWorker {
  readonly breaker: CircuitBreaker;
  disabled: string | null = null;
  #running = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(private readonly deps: WorkerDeps) {
    this.breaker = new CircuitBreaker(deps.options.breaker);
  }

  breakerState(): BreakerState {
    return this.breaker.state(this.deps.clock.now());
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
  }

  wake(): void {
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const { store, endpoint, options, clock } = this.deps;
    // A lease covers one attempt with room to spare; a dispatcher that dies mid-attempt leaves
    // the job to be taken again when it ends.
    const leaseMs = options.leaseMs ?? options.timeoutMs + 30_000;
    while (this.#running) {
      let taken = 0;
      try {
        this.disabled = await store.disabledReason(endpoint.id);
        const now = clock.now();
        const state = this.breaker.state(now);
        if (state !== "open") {
          const max = state === "half-open" ? 1 : options.concurrency;
          const jobs = await store.take(endpoint.id, now, max, leaseMs);
          taken = jobs.length;
          await Promise.all(jobs.map((job) => this.#attempt(job)));
        }
      } catch (error) {
        this.deps.onError(error);
      }
      if (taken === 0 && this.#running) await this.#idle();
    }
  }

  #idle(): Promise<void> {
    const { clock, options } = this.deps;
    const openFor = this.breaker.openUntil - clock.now();
    const wait = openFor > 0 ? Math.min(openFor, options.pollIntervalMs) : options.pollIntervalMs;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => done(), wait);
      const done = () => {
        clock.clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
    });
  }

  async #attempt(job: WebhookJob): Promise<void> {
    const { store, endpoint, metrics, clock } = this.deps;
    const attempt = job.attempts + 1;
    const labels = { endpoint: endpoint.id };
    let now = clock.now();
    const report = (
      outcome: WebhookAttempt["outcome"],
      result: Partial<DeliveryOutcome>,
      nextAttemptAt?: number,
    ) =>
      this.deps.onAttempt({
        endpoint: endpoint.id,
        eventId: job.eventId,
        eventType: job.eventType,
        attempt,
        status: result.status ?? 0,
        durationMs: result.durationMs ?? 0,
        outcome,
        ...(result.error !== undefined && { error: result.error }),
        ...(nextAttemptAt !== undefined && { nextAttemptAt }),
        at: now,
      });
    if (this.disabled !== null) {
      await store.deadLetter(
        endpoint.id,
        { ...job, attempts: job.attempts },
        `endpoint disabled: ${this.disabled}`,
        now,
      );
      metrics.deadLettered.inc(labels);
      report("dead", { error: `endpoint disabled: ${this.disabled}` });
      return;
    }
    const result = await this.#send(job);
    metrics.latency.observe(labels, result.durationMs / 1000);
    now = clock.now();
    if (isSuccess(result)) {
      await store.complete(endpoint.id, job.eventId);
      this.breaker.success();
      metrics.delivered.inc(labels);
      report("delivered", result);
      return;
    }
    metrics.failed.inc(labels);
    const failedJob = { ...job, attempts: attempt };
    if (result.status === 410) {
      const reason = "410 Gone";
      await store.setDisabled(endpoint.id, reason);
      this.disabled = reason;
      await store.deadLetter(endpoint.id, failedJob, reason, now);
      metrics.deadLettered.inc(labels);
      report("disabled", result);
      return;
    }
    this.breaker.failure(now);
    const delay = this.#nextDelay(attempt, result);
    if (delay === undefined) {
      await store.deadLetter(endpoint.id, failedJob, result.error ?? `HTTP ${result.status}`, now);
      metrics.deadLettered.inc(labels);
      report("dead", result);
      return;
    }
    const dueAt = now + delay;
    await store.reschedule(endpoint.id, job.eventId, attempt, dueAt, result.error ?? `HTTP ${result.status}`);
    metrics.retried.inc(labels);
    report("retry", result, dueAt);
  }

  /** The delay before the next attempt after `attempt` failed; undefined after the last one. */
  #nextDelay(attempt: number, result: DeliveryOutcome): number | undefined {
    const { retrySchedule, jitter, maxRetryAfterMs } = this.deps.options;
    const base = retrySchedule[attempt - 1];
    if (base === undefined || result.error?.startsWith("refused:")) return undefined;
    const jittered = Math.max(0, Math.round(base * (1 + jitter * (2 * this.deps.random() - 1))));
    const retryAfter = result.retryAfterMs === undefined ? 0 : Math.min(result.retryAfterMs, maxRetryAfterMs);
    return Math.max(jittered, retryAfter);
  }

  async #send(job: WebhookJob): Promise<DeliveryOutcome> {
    const { endpoint, options, guard, clock } = this.deps;
    let address: Awaited<ReturnType<AddressGuard["resolve"]>>;
    try {
      address = await guard.resolve(endpoint.url.hostname);
    } catch (error) {
      // A refused destination is final (no retry); a DNS failure is retried like any failure.
      const refused = isEventBusError(error, "FORBIDDEN");
      const message = error instanceof Error ? error.message : String(error);
      return {
        status: 0,
        error: refused ? `refused: ${message}` : message,
        responseExcerpt: "",
        durationMs: 0,
      };
    }
    const headers = signWebhook(endpoint.keys, job.eventId, Math.floor(clock.now() / 1000), job.body);
    return sendWebhook({
      url: endpoint.url,
      address,
      headers: { ...headers },
      body: job.body,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
    });
  }
}
