/** The outbox's options, defaults and results (see outbox.ts for the behaviour). */
import type { OutboxStorage } from "./outbox-storage.js";

export type OverflowPolicy = "reject-new" | "drop-oldest";

export interface OutboxOptions {
  /** Most publishes waiting at once. Default 1000. */
  readonly maxMessages: number;
  /** Most bytes waiting at once (serialised data + type + room). Default 1 MiB. */
  readonly maxBytes: number;
  /** A publish not acknowledged this long after it was made is rejected (ms). Default 10 minutes. */
  readonly maxAge: number;
  /** Default "reject-new". */
  readonly overflow: OverflowPolicy;
  /** Keep waiting publishes across page reloads (localStorageOutbox(), or your own). */
  readonly storage?: OutboxStorage | undefined;
}

export const DEFAULT_OUTBOX: OutboxOptions = Object.freeze({
  maxMessages: 1000,
  maxBytes: 1024 * 1024,
  maxAge: 10 * 60_000,
  overflow: "reject-new",
});

export interface PublishAck {
  readonly id: string;
  readonly offset: number;
}

export interface PublishInput {
  readonly type: string;
  readonly data: unknown;
  readonly room: string;
  readonly traceId?: string | undefined;
}
