/**
 * Positions in a recoverable channel's history.
 *
 * Every message published on a recoverable channel gets the next `offset` of that channel —
 * 1, 2, 3, … with no holes — and the channel's current `epoch`. The epoch is a random string
 * chosen when the channel's history is (re)created; when it changes (Redis restarted, history
 * expired or evicted), offsets start again from 1 and old positions can no longer be recovered.
 *
 * The message on the channel is the envelope with both fields appended:
 *   {"id":…,"type":…,"data":…,"metadata":{…},"offset":42,"epoch":"k3j2…"}
 * The broker's publish step (a Lua script on Redis) fills the two values in between the three
 * string pieces made by positionTemplate(), so the format is written only here. The envelope's
 * id comes first (MESSAGE_ID_PREFIX), so a broker can read a stored message's id without parsing it.
 *
 * A position may also carry `id`, the id of the event at `offset`. Offset and epoch alone name an
 * event only while history moves forward: a Redis failover that loses acknowledged writes keeps the
 * epoch but hands the lost offsets out again to other events. With the id, the relay checks that the
 * event stored at that offset is still the one the holder saw (docs/architecture.md, "Rollbacks").
 */
import { createId } from "./ids.js";
import { remembering } from "./memo.js";

export interface StreamPosition {
  /** The offset of the newest message the holder has seen (0: none yet). */
  readonly offset: number;
  readonly epoch: string;
  /**
   * The id of the event at `offset`, when known. Sent in `since`, it lets the relay notice that the
   * history was rolled back and answer `recovered: false` (a gap) instead of skipping events.
   */
  readonly id?: string;
}

/** Every message written by encodeEvent starts with this, followed by the event id. */
export const MESSAGE_ID_PREFIX = '{"id":"';

const POSITION_ID = /^[0-9A-Za-z-]{1,64}$/;
const EPOCH = /^[A-Za-z0-9_-]{1,64}$/;
/** Epochs repeat on every message of a channel (memo.ts). */
const isEpoch = remembering((value) => EPOCH.test(value));

export interface PositionTemplate {
  readonly head: string;
  readonly middle: string;
  readonly tail: string;
}

/** Splits a serialised envelope so that `head + offset + middle + epoch + tail` is the message. */
export function positionTemplate(envelopeJson: string): PositionTemplate {
  if (!envelopeJson.endsWith("}")) throw new Error("positionTemplate expects a serialised envelope object");
  return { head: `${envelopeJson.slice(0, -1)},"offset":`, middle: ',"epoch":"', tail: '"}' };
}

/** The message as published on a recoverable channel. */
export function withPosition(envelopeJson: string, position: StreamPosition): string {
  const { head, middle, tail } = positionTemplate(envelopeJson);
  return head + position.offset + middle + position.epoch + tail;
}

/** A fresh epoch: random, short, URL- and JSON-safe (no quoting needed). */
export function createEpoch(): string {
  return createId().replace(/-/g, "").slice(-16);
}

export function isStreamPosition(value: unknown): value is StreamPosition {
  if (typeof value !== "object" || value === null) return false;
  const { offset, epoch, id } = value as Record<string, unknown>;
  return (
    typeof offset === "number" &&
    Number.isSafeInteger(offset) &&
    offset >= 0 &&
    typeof epoch === "string" &&
    isEpoch(epoch) &&
    (id === undefined || (typeof id === "string" && POSITION_ID.test(id)))
  );
}

/** The position as sent on the wire: offset, epoch and the id when there is one (nothing else). */
export function copyPosition(position: StreamPosition): StreamPosition {
  const { offset, epoch, id } = position;
  return id === undefined ? { offset, epoch } : { offset, epoch, id };
}
