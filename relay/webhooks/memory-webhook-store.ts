/**
 * The webhook store in process memory: for the memory broker (development, the playground, tests).
 * Same semantics as the Redis store, lost when the process ends.
 */
import type { PendingInfo, WebhookDeadLetter, WebhookJob, WebhookStore } from "./webhook-store.js";

interface EndpointState {
  readonly jobs: Map<string, WebhookJob & { dueAt: number }>;
  readonly dead: WebhookDeadLetter[];
  disabled: string | null;
}

export class MemoryWebhookStore implements WebhookStore {
  readonly #endpoints = new Map<string, EndpointState>();
  #deadSeq = 0;

  constructor(private readonly deadLetterMaxLength = 10_000) {}

  #of(endpoint: string): EndpointState {
    let state = this.#endpoints.get(endpoint);
    if (!state) {
      state = { jobs: new Map(), dead: [], disabled: null };
      this.#endpoints.set(endpoint, state);
    }
    return state;
  }

  async enqueue(endpoint: string, job: Omit<WebhookJob, "attempts">, now: number): Promise<void> {
    const { jobs } = this.#of(endpoint);
    if (!jobs.has(job.eventId)) jobs.set(job.eventId, { ...job, attempts: 0, dueAt: now });
  }

  async take(endpoint: string, now: number, max: number, leaseMs: number): Promise<WebhookJob[]> {
    const due = [...this.#of(endpoint).jobs.values()]
      .filter((j) => j.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt || (a.eventId < b.eventId ? -1 : 1))
      .slice(0, max);
    for (const job of due) job.dueAt = now + leaseMs;
    return due.map(({ dueAt: _, ...job }) => job);
  }

  async complete(endpoint: string, eventId: string): Promise<void> {
    this.#of(endpoint).jobs.delete(eventId);
  }

  async reschedule(endpoint: string, eventId: string, attempts: number, dueAt: number, error: string) {
    const jobs = this.#of(endpoint).jobs;
    const job = jobs.get(eventId);
    if (job) jobs.set(eventId, { ...job, attempts, dueAt, lastError: error });
  }

  async deadLetter(endpoint: string, job: WebhookJob, reason: string, now: number): Promise<void> {
    const state = this.#of(endpoint);
    state.jobs.delete(job.eventId);
    state.dead.push({
      id: `${now}-${this.#deadSeq++}`,
      eventId: job.eventId,
      eventType: job.eventType,
      body: job.body,
      attempts: job.attempts,
      reason,
      failedAt: now,
    });
    if (state.dead.length > this.deadLetterMaxLength) state.dead.shift();
  }

  async listDead(endpoint: string, limit: number): Promise<WebhookDeadLetter[]> {
    return this.#of(endpoint).dead.slice(0, limit);
  }

  async replayDead(endpoint: string, now: number, eventIds: readonly string[] = []): Promise<number> {
    const state = this.#of(endpoint);
    const wanted = (d: WebhookDeadLetter) => eventIds.length === 0 || eventIds.includes(d.eventId);
    const moving = state.dead.filter(wanted);
    for (const d of moving) {
      state.jobs.set(d.eventId, {
        eventId: d.eventId,
        eventType: d.eventType,
        body: d.body,
        attempts: 0,
        enqueuedAt: now,
        dueAt: now,
      });
    }
    state.dead.splice(0, state.dead.length, ...state.dead.filter((d) => !wanted(d)));
    return moving.length;
  }

  async pendingInfo(endpoint: string): Promise<PendingInfo> {
    const jobs = [...this.#of(endpoint).jobs.values()];
    const oldest = jobs.reduce<number | null>(
      (min, j) => (min === null ? j.enqueuedAt : Math.min(min, j.enqueuedAt)),
      null,
    );
    return { pending: jobs.length, oldestEnqueuedAt: oldest };
  }

  async disabledReason(endpoint: string): Promise<string | null> {
    return this.#of(endpoint).disabled;
  }

  async setDisabled(endpoint: string, reason: string | null): Promise<void> {
    this.#of(endpoint).disabled = reason;
  }

  async close(): Promise<void> {}
}
