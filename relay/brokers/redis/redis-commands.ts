/**
 * The data side of the Redis brokers — recoverable publish, history, presence, values and logs —
 * over any ioredis client (a Redis or a Cluster). Keys come only from `channelKeys(channel)`; the
 * message format only from `positionTemplate()`. Both brokers delegate here, so single Redis and
 * Redis Cluster run exactly the same scripts (the cluster passes SPUBLISH).
 */

import { channelKeys } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import { createEpoch, positionTemplate, type StreamPosition } from "../../../protocol/position.js";
import type {
  HistoryOptions,
  LogEntry,
  PresenceRecord,
  PublishRecoverableOptions,
  PublishRecoverableResult,
  ReadHistoryResult,
  RenewEpochResult,
} from "../broker.js";
import { SCRIPTS, type ScriptClient } from "./redis-scripts.js";

/** The ioredis commands the brokers use; `Redis` and `Cluster` both satisfy it. */
export interface CommandClient extends ScriptClient {
  publish(channel: string, message: string): Promise<number>;
  spublish(channel: string, message: string): Promise<unknown>;
  ping(): Promise<string>;
  set(key: string, value: string, px: "PX", milliseconds: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  xadd(key: string, ...args: (string | number)[]): Promise<string | null>;
  xrange(key: string, start: string, end: string, count: "COUNT", n: number): Promise<[string, string[]][]>;
  xdel(key: string, ...ids: string[]): Promise<number>;
  del(...keys: string[]): Promise<number>;
}

export type RecoverablePublishCommand = "PUBLISH" | "SPUBLISH";

export const DEFAULT_DEDUP_TTL_MS = 10 * 60_000;
const STREAM_ID = /^\d+-\d+$/;

export type ClassicPublish = (channel: string, message: string) => Promise<number>;

export class RedisCommands {
  private readonly classicPublish: ClassicPublish;

  /** `classicPublish` replaces the plain PUBLISH (the cluster sends them all to one node). */
  constructor(
    private readonly client: CommandClient,
    private readonly history: HistoryOptions,
    private readonly publishCommand: RecoverablePublishCommand,
    classicPublish?: ClassicPublish,
  ) {
    this.classicPublish = classicPublish ?? ((channel, message) => client.publish(channel, message));
  }

  /** PUBLISH, or SPUBLISH for a sharded channel (a recoverable channel on a cluster). */
  publish(channel: string, message: string, sharded = false): Promise<number> {
    if (!sharded) return this.classicPublish(channel, message);
    return this.client.spublish(channel, message).then(Number);
  }

  async ping(): Promise<number> {
    const started = performance.now();
    await this.client.ping();
    return performance.now() - started;
  }

  async publishRecoverable(
    channel: string,
    envelopeJson: string,
    options: PublishRecoverableOptions = {},
  ): Promise<PublishRecoverableResult> {
    const keys = channelKeys(channel);
    const { head, middle, tail } = positionTemplate(envelopeJson);
    const scriptKeys = [keys.epoch, keys.history];
    if (options.dedupId !== undefined) scriptKeys.push(keys.dedup + options.dedupId);
    const reply = await SCRIPTS.publishRecoverable.run(this.client, scriptKeys, [
      head,
      middle,
      tail,
      channel,
      this.history.maxLength,
      this.history.ttlMs,
      this.history.metaTtlMs,
      createEpoch(),
      this.publishCommand,
      options.dedupTtlMs ?? DEFAULT_DEDUP_TTL_MS,
      this.history.maxBytes,
    ]);
    const [offset, epoch, duplicate] = tuple(reply, 3);
    return { offset: Number(offset), epoch: String(epoch), duplicate: Number(duplicate) === 1 };
  }

  async position(channel: string): Promise<StreamPosition> {
    const keys = channelKeys(channel);
    const reply = await SCRIPTS.position.run(
      this.client,
      [keys.epoch, keys.history],
      [createEpoch(), this.history.metaTtlMs],
    );
    const [offset, epoch, id] = tuple(reply, 3);
    return positionOf(offset, epoch, id);
  }

  async readHistory(
    channel: string,
    since: StreamPosition,
    limit: number,
    maxBytes = Number.MAX_SAFE_INTEGER,
  ): Promise<ReadHistoryResult> {
    const keys = channelKeys(channel);
    const page = [Math.max(1, Math.floor(limit)), Math.max(1, Math.floor(maxBytes))];
    const reply = await SCRIPTS.readHistory.run(
      this.client,
      [keys.epoch, keys.history],
      [createEpoch(), this.history.metaTtlMs, since.offset, since.epoch, ...page, since.id ?? ""],
    );
    const [top, epoch, recovered, more, topId, diverged, ...messages] = tuple(reply, 6);
    return {
      position: positionOf(top, epoch, topId),
      recovered: Number(recovered) === 1,
      messages: messages.map(String),
      more: Number(more) === 1,
      ...(Number(diverged) === 1 && { diverged: true }),
    };
  }

  async renewEpoch(channel: string, seen: StreamPosition): Promise<RenewEpochResult> {
    const keys = channelKeys(channel);
    const reply = await SCRIPTS.renewEpoch.run(
      this.client,
      [keys.epoch, keys.history],
      [seen.epoch, seen.offset, seen.id ?? "", createEpoch(), this.history.metaTtlMs],
    );
    const [renewed, offset, epoch] = tuple(reply, 3);
    return { renewed: Number(renewed) === 1, position: positionOf(offset, epoch, "") };
  }

  async presenceAdd(channel: string, records: readonly PresenceRecord[], ttlMs: number): Promise<void> {
    if (records.length === 0) return;
    const args: (string | number)[] = [Math.max(1, Math.floor(ttlMs))];
    for (const record of records) args.push(record.connectionId, JSON.stringify(presenceFields(record)));
    await SCRIPTS.presenceAdd.run(this.client, [channelKeys(channel).presence], args);
  }

  async presenceRemove(channel: string, connectionIds: readonly string[]): Promise<void> {
    if (connectionIds.length > 0) await this.client.hdel(channelKeys(channel).presence, ...connectionIds);
  }

  async presenceList(channel: string): Promise<{ members: PresenceRecord[]; expired: PresenceRecord[] }> {
    const reply = await SCRIPTS.presenceList.run(this.client, [channelKeys(channel).presence], []);
    const [members, expired] = tuple(reply, 2);
    return { members: parsePresence(members), expired: parsePresence(expired) };
  }

  async setValue(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(key, value, "PX", Math.max(1, Math.floor(ttlMs)));
  }

  getValue(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  async appendLog(key: string, value: string, maxLength: number): Promise<string> {
    const id = await this.client.xadd(key, "MAXLEN", Math.max(1, Math.floor(maxLength)), "*", "v", value);
    return String(id);
  }

  async readLog(key: string, options: { after?: string; count: number }): Promise<LogEntry[]> {
    const start = options.after === undefined ? "-" : `(${options.after}`;
    const entries = await this.client.xrange(key, start, "+", "COUNT", Math.max(1, options.count));
    return entries.map(([id, fields]) => ({ id, value: String(fields[1] ?? "") }));
  }

  async deleteLog(key: string, ids: readonly string[]): Promise<number> {
    const valid = ids.filter((id) => STREAM_ID.test(id));
    return valid.length === 0 ? 0 : this.client.xdel(key, ...valid);
  }

  async deleteKey(key: string): Promise<void> {
    await this.client.del(key);
  }
}

function presenceFields(record: PresenceRecord): PresenceRecord {
  const { connectionId, userId, info } = record;
  return info === undefined ? { connectionId, userId } : { connectionId, userId, info };
}

function parsePresence(value: unknown): PresenceRecord[] {
  if (!Array.isArray(value)) return [];
  return value.map((raw) => {
    const { expiresAt: _expiresAt, ...record } = JSON.parse(String(raw)) as PresenceRecord & {
      expiresAt?: number;
    };
    return record;
  });
}

/** A position from a script reply; an empty id means the event at that offset is not stored. */
function positionOf(offset: unknown, epoch: unknown, id: unknown): StreamPosition {
  const position = { offset: Number(offset), epoch: String(epoch) };
  return typeof id === "string" && id.length > 0 ? { ...position, id } : position;
}

/** A script reply as an array of at least `length` items; anything else is a protocol bug. */
function tuple(reply: unknown, length: number): unknown[] {
  if (!Array.isArray(reply) || reply.length < length) {
    const preview = JSON.stringify(reply)?.slice(0, 200);
    throw new EventBusError("INTERNAL", `Unexpected reply from a Redis script: ${preview}`);
  }
  return reply;
}
