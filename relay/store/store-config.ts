/**
 * `EventBusConfig.store`: which events a client writes to which store, with what bounds — and the
 * pieces built from it: the store, the writer (store-writer.ts), the type filter the publisher
 * asks, and the retention job. Without `store` (and without EVENT_BUS_STORE_URL) nothing is
 * written and reads go to the Redis history.
 */
import { type Clock, createRepeater, systemClock } from "../../common/clock.js";
import type { EventEnvelope } from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";
import { compileGlob } from "../../protocol/glob.js";
import type { WritableEventStore } from "./event-store.js";
import { PostgresEventStore, type PostgresStoreOptions } from "./postgres/postgres-store.js";
import { StoreWriter } from "./store-writer.js";

export interface RetentionOptions {
  /** Events published longer ago than this are archived, ms. */
  readonly maxAgeMs: number;
  /** `archive` (default: moved to `<table>_archive`) or `delete`. */
  readonly mode?: "archive" | "delete";
  /** How often the job runs, ms. Default 1 hour. */
  readonly everyMs?: number;
}

export interface StoreConfig {
  /** PostgreSQL: a connection string (`postgres://…`) or options. */
  readonly postgres?: string | PostgresStoreOptions;
  /** Or any writable store you built (e.g. `new MemoryEventStore()`). */
  readonly eventStore?: WritableEventStore;
  /** Event types to store, exact or `*` globs. Default `["*"]` (everything). */
  readonly types?: readonly string[];
  /** Events waiting to be written at most (while the store is slow or down). Default 100 000. */
  readonly maxQueued?: number;
  /** Events per write at most. Default 500. */
  readonly batchSize?: number;
  /** When the queue is full: `reject` the publish with STORE_BACKLOG_FULL (default) or `drop` (publish, do not store). */
  readonly overflow?: "reject" | "drop";
  /** The aggregate an event is about, indexed for replay by aggregate. Default: `metadata.aggregateId`. */
  readonly aggregateId?: (event: EventEnvelope) => string | undefined;
  /** How long disconnect() waits for queued events to be written, ms. Default 10 000. */
  readonly flushTimeoutMs?: number;
  /** PostgreSQL only: archive old events periodically. */
  readonly retention?: RetentionOptions;
}

export interface BuiltStore {
  readonly store: WritableEventStore;
  /** Built here (PostgreSQL), so the client closes it; a store passed in is the caller's. */
  readonly owned: boolean;
  readonly writer: StoreWriter;
  /** Whether events of this type are stored. */
  readonly wants: (type: string) => boolean;
  readonly flushTimeoutMs: number;
  /** Stops the retention job, if any. */
  readonly stopRetention: () => void;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Builds the store from the config, or from EVENT_BUS_STORE_URL; undefined when neither is set. */
export function buildStore(
  config: StoreConfig | undefined,
  onState: (state: "ok" | "retrying", error?: unknown) => void,
  clock: Clock = systemClock,
  env: Env = process.env,
): BuiltStore | undefined {
  const url = env.EVENT_BUS_STORE_URL?.trim();
  const chosen = config ?? (url ? { postgres: url } : undefined);
  if (!chosen) return undefined;
  const store = storeOf(chosen);
  const matchers = (chosen.types ?? ["*"]).map((type) => compileGlob(type));
  const writer = new StoreWriter(store, {
    maxQueued: whole("maxQueued", chosen.maxQueued ?? 100_000),
    batchSize: whole("batchSize", chosen.batchSize ?? 500),
    overflow: chosen.overflow ?? "reject",
    aggregateOf: chosen.aggregateId ?? ((event) => event.metadata.aggregateId),
    onState,
    clock,
  });
  return {
    store,
    owned: chosen.eventStore === undefined,
    writer,
    wants: (type) => matchers.some((match) => match(type)),
    flushTimeoutMs: chosen.flushTimeoutMs ?? 10_000,
    stopRetention: startRetention(store, chosen.retention, clock),
  };
}

function storeOf(config: StoreConfig): WritableEventStore {
  if (config.eventStore && config.postgres !== undefined)
    invalid("give one of store.postgres and store.eventStore");
  if (config.eventStore) return config.eventStore;
  if (config.postgres === undefined)
    invalid("store needs postgres (a connection string or options) or eventStore");
  return new PostgresEventStore(
    typeof config.postgres === "string" ? { connectionString: config.postgres } : config.postgres,
  );
}

function startRetention(
  store: WritableEventStore,
  retention: RetentionOptions | undefined,
  clock: Clock,
): () => void {
  if (!retention) return () => {};
  if (!(store instanceof PostgresEventStore)) invalid("store.retention needs the PostgreSQL store");
  whole("retention.maxAgeMs", retention.maxAgeMs);
  const run = () => {
    store
      .archive({ before: clock.now() - retention.maxAgeMs, mode: retention.mode ?? "archive" })
      .catch(() => {}); // the store is down: the next run archives what this one could not
  };
  const repeater = createRepeater(clock, whole("retention.everyMs", retention.everyMs ?? 3600_000), run);
  repeater.start();
  return () => repeater.stop();
}

function whole(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) invalid(`store.${name} must be a whole number ≥ 1`);
  return value;
}

function invalid(problem: string): never {
  throw new EventBusError("CONFIG_INVALID", `EventBusClient: ${problem}.`);
}
