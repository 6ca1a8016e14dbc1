/**
 * Where scheduled webhook deliveries live between attempts, per endpoint: the due queue (each job's
 * next attempt time), the jobs themselves (body, attempts made, last error), the dead-letter
 * stream and the endpoint's disabled flag. A consumer-group entry is acknowledged once its jobs are
 * written here, so a retry due in hours holds nothing in the group and survives any restart.
 * Implementations: Redis (redis-webhook-store.ts) and memory (memory-webhook-store.ts).
 */

export interface WebhookJob {
  /** The event id, also the `webhook-id` (stable across retries). */
  readonly eventId: string;
  readonly eventType: string;
  /** The request body (JSON), built once at enqueue time. */
  readonly body: string;
  /** Attempts made so far. */
  readonly attempts: number;
  /** When the job was enqueued (ms since the epoch). */
  readonly enqueuedAt: number;
  readonly lastError?: string;
}

export interface WebhookDeadLetter {
  /** Id in the dead-letter stream. */
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
  readonly attempts: number;
  readonly reason: string;
  /** When it was dead-lettered, ms since the epoch. */
  readonly failedAt: number;
}

export interface PendingInfo {
  /** Jobs waiting for their first or a further attempt (or being attempted). */
  readonly pending: number;
  /** When the oldest of them was enqueued; null when none. */
  readonly oldestEnqueuedAt: number | null;
}

export interface WebhookStore {
  /** Schedules the first attempt at `now`; a job already scheduled for this event is left alone. */
  enqueue(endpoint: string, job: Omit<WebhookJob, "attempts">, now: number): Promise<void>;
  /**
   * Up to `max` jobs due at `now`, leased: their due time moves to `now + leaseMs`, so another
   * replica does not take them meanwhile and a dispatcher that dies mid-attempt leaves them to be
   * taken again when the lease ends.
   */
  take(endpoint: string, now: number, max: number, leaseMs: number): Promise<WebhookJob[]>;
  complete(endpoint: string, eventId: string): Promise<void>;
  reschedule(
    endpoint: string,
    eventId: string,
    attempts: number,
    dueAt: number,
    error: string,
  ): Promise<void>;
  deadLetter(endpoint: string, job: WebhookJob, reason: string, now: number): Promise<void>;
  listDead(endpoint: string, limit: number): Promise<WebhookDeadLetter[]>;
  /** Moves every dead letter of the endpoint (or those with the given event ids) back to the queue, due now. */
  replayDead(endpoint: string, now: number, eventIds?: readonly string[]): Promise<number>;
  pendingInfo(endpoint: string): Promise<PendingInfo>;
  /** The reason the endpoint was disabled (410 Gone), or null. */
  disabledReason(endpoint: string): Promise<string | null>;
  setDisabled(endpoint: string, reason: string | null): Promise<void>;
  close(): Promise<void>;
}
