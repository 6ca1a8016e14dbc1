/**
 * Room presence, consistent across relays: each room channel has a broker hash of connection id →
 * record with an expiry. A relay adds its sockets' entries, refreshes them periodically (only while
 * it has any), removes them when sockets leave, and announces changes with live `$presence.join` /
 * `$presence.leave` system messages on the room channel. Entries of a dead relay expire; whoever
 * lists the room next gets them as `expired` (exactly once) and announces their leave.
 */
import { type Clock, createRepeater, type Repeater } from "../../../common/clock.js";
import type { PresenceEntry } from "../../../protocol/frames.js";
import { encodePresenceMessage } from "../../../protocol/presence-message.js";
import type { Broker, PresenceRecord } from "../../brokers/broker.js";
import type { RelayPresenceOptions } from "../options.js";

const SOURCE = "event-bus-relay";

/** The socket.io room of the sockets that asked for a room channel's presence events. */
export const presenceRoom = (channel: string): string => `${channel}#presence`;

export class PresenceTracker {
  /** channel → connection id → record, for this relay's sockets. */
  private readonly local = new Map<string, { room: string; records: Map<string, PresenceRecord> }>();
  private readonly refresher: Repeater;

  constructor(
    private readonly broker: Broker,
    private readonly options: RelayPresenceOptions,
    clock: Clock,
    private readonly onError: (error: unknown) => void,
  ) {
    this.refresher = createRepeater(clock, options.refreshMs, () => {
      this.refresh().catch(this.onError);
    });
  }

  /** Adds a connection to a room's presence, announces it, and returns the room's members. */
  async add(channel: string, room: string, record: PresenceRecord): Promise<readonly PresenceEntry[]> {
    let entry = this.local.get(channel);
    if (!entry) {
      entry = { room, records: new Map() };
      this.local.set(channel, entry);
    }
    entry.records.set(record.connectionId, record);
    this.refresher.start();
    await this.broker.presenceAdd(channel, [record], this.options.ttlMs);
    await this.announce(channel, room, "join", record);
    return this.members(channel, room);
  }

  /** Removes a connection from a room's presence and announces its leave. */
  async remove(channel: string, room: string, connectionId: string): Promise<void> {
    const entry = this.local.get(channel);
    const record = entry?.records.get(connectionId);
    if (!entry || !record) return;
    entry.records.delete(connectionId);
    if (entry.records.size === 0) this.local.delete(channel);
    if (this.local.size === 0) this.refresher.stop();
    await this.broker.presenceRemove(channel, [connectionId]);
    await this.announce(channel, room, "leave", record);
  }

  /** Live members; expired entries (a dead relay's) are announced as leaves. */
  async members(channel: string, room: string): Promise<readonly PresenceEntry[]> {
    const { members, expired } = await this.broker.presenceList(channel);
    for (const record of expired) await this.announce(channel, room, "leave", record);
    return members.map(toEntry);
  }

  /** Channels this relay has presence entries in (for tests and metrics). */
  channels(): string[] {
    return [...this.local.keys()];
  }

  close(): void {
    this.refresher.stop();
  }

  private async refresh(): Promise<void> {
    for (const [channel, { room, records }] of [...this.local]) {
      await this.broker.presenceAdd(channel, [...records.values()], this.options.ttlMs);
      await this.members(channel, room);
    }
  }

  private async announce(
    channel: string,
    room: string,
    action: "join" | "leave",
    record: PresenceRecord,
  ): Promise<void> {
    await this.broker.publish(channel, encodePresenceMessage(action, record, room, SOURCE));
  }
}

function toEntry(record: PresenceRecord): PresenceEntry {
  return {
    connectionId: record.connectionId,
    userId: record.userId,
    ...(record.info !== undefined && { info: record.info }),
  };
}
