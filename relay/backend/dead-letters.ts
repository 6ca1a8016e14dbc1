/**
 * The service's dead-letter stream (`deadLetterKey(prefix, serviceName)`, a capped Redis stream —
 * or the memory broker's equivalent): every event whose handler failed its last attempt, with the
 * error and the subscription it failed in. list() reads them, replay() runs that subscription's
 * handler again and removes the entry when it succeeds, purge() empties the stream.
 */
import type { EventEnvelope } from "../../protocol/envelope.js";
import { EventBusError } from "../../protocol/errors.js";
import type { Broker } from "../brokers/broker.js";

export interface DeadLetter {
  /** The stream entry id. */
  readonly id: string;
  readonly event: EventEnvelope;
  readonly channel: string;
  /** The subscription pattern (without the prefix). */
  readonly pattern: string;
  readonly subscriptionId: string;
  /** The consumer group the subscription belongs to (competing consumers), if any. */
  readonly group?: string;
  readonly error: { readonly message: string; readonly code?: string };
  readonly attempts: number;
  /** ISO 8601. */
  readonly failedAt: string;
}

export type DeadLetterRecord = Omit<DeadLetter, "id">;

export interface ReplayResult {
  readonly id: string;
  /** Handlers run (the failed subscription's, or every handler of its pattern after a restart). */
  readonly handlers: number;
  readonly succeeded: number;
  /** True when every handler succeeded and the entry was removed. */
  readonly removed: boolean;
}

/** What replay needs from the client: run the handlers that should get this dead letter again. */
export type Redeliver = (letter: DeadLetter) => Promise<{ handlers: number; succeeded: number }>;

export class DeadLetters {
  constructor(
    private readonly broker: () => Promise<Broker>,
    private readonly key: string,
    private readonly maxLength: number,
    private readonly redeliver: Redeliver,
  ) {}

  /** Appends a dead letter; resolves to its id. */
  async add(record: DeadLetterRecord): Promise<string> {
    return (await this.broker()).appendLog(this.key, JSON.stringify(record), this.maxLength);
  }

  /** Dead letters, oldest first; page with `after` (the last id of the previous page). */
  async list(options: { readonly limit?: number; readonly after?: string } = {}): Promise<DeadLetter[]> {
    const broker = await this.broker();
    const entries = await broker.readLog(this.key, {
      count: options.limit ?? 100,
      ...(options.after !== undefined && { after: options.after }),
    });
    return entries.map((entry) => ({ ...(JSON.parse(entry.value) as DeadLetterRecord), id: entry.id }));
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const [letter] = await this.list({ after: predecessor(id), limit: 1 });
    return letter?.id === id ? letter : undefined;
  }

  /** Runs the failed subscription's handler again; removes the entry if it succeeds. */
  async replay(id: string): Promise<ReplayResult> {
    const letter = await this.get(id);
    if (!letter) throw new EventBusError("NOT_FOUND", `Dead letter ${id} does not exist.`);
    const { handlers, succeeded } = await this.redeliver(letter);
    if (handlers === 0) {
      throw new EventBusError(
        "NOT_FOUND",
        `No subscription for ${JSON.stringify(letter.pattern)} is active in this client; subscribe first, then replay.`,
      );
    }
    const removed = succeeded === handlers && (await (await this.broker()).deleteLog(this.key, [id])) > 0;
    return { id, handlers, succeeded, removed };
  }

  /** Removes the given dead letters, or all of them; resolves to how many were removed. */
  async purge(ids?: readonly string[]): Promise<number> {
    const broker = await this.broker();
    if (ids) return broker.deleteLog(this.key, ids);
    let count = 0;
    let after: string | undefined;
    for (;;) {
      const page = await broker.readLog(this.key, { count: 1000, ...(after !== undefined && { after }) });
      count += page.length;
      if (page.length < 1000) break;
      after = page.at(-1)?.id;
    }
    await broker.deleteKey(this.key);
    return count;
  }
}

/** The stream id just before `id`, so that reading "after" it starts at `id`. */
function predecessor(id: string): string {
  const match = /^(\d+)-(\d+)$/.exec(id);
  if (!match) throw new EventBusError("NOT_FOUND", `${JSON.stringify(id)} is not a dead-letter id.`);
  const ms = BigInt(match[1] as string);
  const seq = BigInt(match[2] as string);
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  if (ms === 0n) return "0-0";
  return `${ms - 1n}-18446744073709551615`;
}
