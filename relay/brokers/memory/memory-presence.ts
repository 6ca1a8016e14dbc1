/**
 * Room presence in one process (the memory hub's part of Broker.presence*): per channel, connection
 * id → record with an expiry; `list` returns the live ones and removes (and returns once) the
 * expired ones, as the PRESENCE_LIST script does on Redis.
 */
import { getOrCreate } from "../../../common/collections.js";
import type { PresenceRecord } from "../broker.js";

interface Expiring<T> {
  readonly value: T;
  readonly expiresAt: number;
}

export class MemoryPresence {
  private readonly rooms = new Map<string, Map<string, Expiring<PresenceRecord>>>();

  constructor(private readonly now: () => number) {}

  add(channel: string, records: readonly PresenceRecord[], ttlMs: number): void {
    const room = getOrCreate(this.rooms, channel, () => new Map());
    const expiresAt = this.now() + ttlMs;
    for (const record of records) room.set(record.connectionId, { value: record, expiresAt });
  }

  remove(channel: string, connectionIds: readonly string[]): void {
    const room = this.rooms.get(channel);
    if (!room) return;
    for (const id of connectionIds) room.delete(id);
    if (room.size === 0) this.rooms.delete(channel);
  }

  list(channel: string): { members: PresenceRecord[]; expired: PresenceRecord[] } {
    const room = this.rooms.get(channel);
    const members: PresenceRecord[] = [];
    const expired: PresenceRecord[] = [];
    if (!room) return { members, expired };
    const now = this.now();
    for (const [id, { value, expiresAt }] of room) {
      if (now < expiresAt) {
        members.push(value);
      } else {
        expired.push(value);
        room.delete(id);
      }
    }
    if (room.size === 0) this.rooms.delete(channel);
    return { members, expired };
  }

  clear(): void {
    this.rooms.clear();
  }
}
