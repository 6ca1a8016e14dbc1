/**
 * One recoverable channel's history in the memory hub: offsets, epoch, the capped list of messages,
 * and the same rules as the Redis scripts (relay/brokers/redis/redis-history-scripts.ts) — pages,
 * the id check of a `since` that carries an id (docs/architecture.md, "Rollbacks"), and epoch
 * renewal — so one contract test suite passes on both.
 */
import { utf8ByteLength } from "../../../protocol/limits.js";
import { createEpoch, MESSAGE_ID_PREFIX, type StreamPosition } from "../../../protocol/position.js";
import type { HistoryOptions, ReadHistoryResult } from "../broker.js";

interface HistoryEntry {
  readonly offset: number;
  readonly message: string;
}

export class ChannelHistory {
  epoch = createEpoch();
  top = 0;
  entries: HistoryEntry[] = [];
  /** UTF-8 bytes of the entries' messages (the byte cap). */
  bytes = 0;
  historyExpiresAt = 0;
  metaExpiresAt = 0;
  /** The newest trimmed message's offset and id (so a position just below the oldest kept can be checked). */
  private trimmed: { readonly offset: number; readonly id: string } | undefined;

  /** Forgets the messages (their ttl passed); offsets and epoch stay. */
  expireMessages(): void {
    this.entries = [];
    this.bytes = 0;
  }

  append(message: string, options: HistoryOptions): void {
    this.entries.push({ offset: this.top, message });
    this.bytes += utf8ByteLength(message);
    this.trim(options);
  }

  /** The position now, with the newest event's id while it is stored. */
  position(): StreamPosition {
    const id = this.top > 0 ? this.idAt(this.top) : undefined;
    return id === undefined
      ? { offset: this.top, epoch: this.epoch }
      : { offset: this.top, epoch: this.epoch, id };
  }

  read(
    since: StreamPosition,
    page: { readonly limit: number; readonly maxBytes: number },
  ): ReadHistoryResult {
    const position = this.position();
    const lost = { position, recovered: false, messages: [], more: false };
    if (since.epoch !== this.epoch) return lost;
    if (this.diverged(since)) return { ...lost, diverged: true };
    if (since.offset === this.top) return { position, recovered: true, messages: [], more: false };
    const first = this.entries[0]?.offset;
    if (first === undefined || first > since.offset + 1) return lost;
    const start = since.offset + 1 - first;
    const messages: string[] = [];
    let bytes = 0;
    for (let i = start; i < this.entries.length && messages.length < page.limit; i++) {
      const message = (this.entries[i] as HistoryEntry).message;
      const size = utf8ByteLength(message);
      if (messages.length > 0 && bytes + size > page.maxBytes) break;
      messages.push(message);
      bytes += size;
    }
    return { position, recovered: true, messages, more: start + messages.length < this.entries.length };
  }

  /** A new epoch with no history, when `seen` (same epoch) is no longer in it. */
  renew(seen: StreamPosition): boolean {
    if (seen.epoch !== this.epoch || !this.diverged(seen)) return false;
    this.epoch = createEpoch();
    this.top = 0;
    this.expireMessages();
    this.trimmed = undefined;
    return true;
  }

  /** Past the newest offset, or another event stored at that offset than `position.id`. */
  private diverged(position: StreamPosition): boolean {
    if (position.offset > this.top) return true;
    if (position.id === undefined || position.offset === 0) return false;
    const stored = this.idAt(position.offset);
    return stored !== undefined && stored !== position.id;
  }

  private idAt(offset: number): string | undefined {
    const first = this.entries[0]?.offset;
    const entry = first === undefined ? undefined : this.entries[offset - first];
    if (entry?.offset === offset) return idOf(entry.message);
    return this.trimmed?.offset === offset ? this.trimmed.id : undefined;
  }

  /** Drops the oldest entries until the history fits `maxLength` and `maxBytes` (keeping the newest). */
  private trim(options: HistoryOptions): void {
    let drop = 0;
    let bytes = this.bytes;
    const { entries } = this;
    while (
      entries.length - drop > 1 &&
      (entries.length - drop > options.maxLength || bytes > options.maxBytes)
    ) {
      bytes -= utf8ByteLength((entries[drop] as HistoryEntry).message);
      drop++;
    }
    if (drop > 0) {
      const last = entries[drop - 1] as HistoryEntry;
      const id = idOf(last.message);
      this.trimmed = id === undefined ? undefined : { offset: last.offset, id };
      entries.splice(0, drop);
    }
    this.bytes = bytes;
  }
}

/** The event id a stored message starts with (MESSAGE_ID_PREFIX), as the Redis scripts read it. */
function idOf(message: string): string | undefined {
  if (!message.startsWith(MESSAGE_ID_PREFIX)) return undefined;
  const end = message.indexOf('"', MESSAGE_ID_PREFIX.length);
  return end > MESSAGE_ID_PREFIX.length ? message.slice(MESSAGE_ID_PREFIX.length, end) : undefined;
}
