/**
 * The Server-Sent Events stream of the relay (`GET /events`): its event names and the `id` each
 * event carries. The id encodes the position reached in every channel of the stream, so a
 * reconnecting `EventSource` (which sends the last id it saw as `Last-Event-ID`) tells the relay
 * exactly where to resume: every missed event in order with no duplicates, or a `gap` event.
 *
 * Id format (version 1): `1,` then one entry per channel, joined by `,`:
 *   <channel, URI-encoded>|<offset>|<epoch>|<event id or empty>
 * Channel names are URI-encoded, so they never contain `,` or `|`; epochs and event ids use
 * [A-Za-z0-9_-] only (isStreamPosition). The id never contains a line break, as SSE requires.
 */
import { EventBusError } from "./errors.js";
import { isStreamPosition, type StreamPosition } from "./position.js";

/** The version tag every SSE id starts with. */
export const SSE_ID_VERSION = "1";

/** Longest `Last-Event-ID` the relay reads (longer ones are refused with INVALID_FRAME). */
export const MAX_SSE_ID_LENGTH = 16 * 1024;

/**
 * Named SSE events besides the default `message` (whose data is `{"channel":…,"message":<event>}`,
 * the event as published, with its `offset` and `epoch` on recoverable channels).
 */
export const SSE_EVENTS = {
  /** First event of a stream: `{ connectionId, userId, channels: [{ channel, position }] }`. */
  ready: "ready",
  /** Events of a channel were lost: `{ channel, position }` (where the stream resumes). */
  gap: "gap",
  /** Why the relay closes the stream: a WireError `{ code, message }`. */
  notice: "notice",
} as const;

/** The positions a stream reached, by channel. */
export type SsePositions = Readonly<Record<string, StreamPosition>>;

function entry(channel: string, position: StreamPosition): string {
  return `${encodeURIComponent(channel)}|${position.offset}|${position.epoch}|${position.id ?? ""}`;
}

/** The SSE `id` for these positions. */
export function encodeSseId(positions: SsePositions): string {
  const entries = Object.entries(positions).map(([channel, position]) => entry(channel, position));
  return [SSE_ID_VERSION, ...entries].join(",");
}

function invalid(problem: string): EventBusError {
  return new EventBusError("INVALID_FRAME", `Last-Event-ID is malformed: ${problem}.`, {
    hint: "Send back an id the relay sent, unchanged, or none to start from now.",
  });
}

function decodeEntry(text: string): [string, StreamPosition] {
  const [rawChannel, offsetText, epoch, id, ...rest] = text.split("|");
  if (rawChannel === undefined || offsetText === undefined || epoch === undefined || id === undefined) {
    throw invalid("an entry needs channel|offset|epoch|id");
  }
  if (rest.length > 0 || !/^\d{1,16}$/.test(offsetText)) throw invalid("an entry has a bad offset");
  let channel: string;
  try {
    channel = decodeURIComponent(rawChannel);
  } catch {
    throw invalid("a channel is not URI-encoded");
  }
  const position =
    id === "" ? { offset: Number(offsetText), epoch } : { offset: Number(offsetText), epoch, id };
  if (channel.length === 0 || !isStreamPosition(position)) throw invalid("an entry has a bad position");
  return [channel, position];
}

/** Reads an SSE id back into positions. Throws INVALID_FRAME (coded) when it is not one of ours. */
export function decodeSseId(text: string, maxChannels = 1000): SsePositions {
  if (text.length > MAX_SSE_ID_LENGTH) throw invalid(`longer than ${MAX_SSE_ID_LENGTH} characters`);
  const [version, ...entries] = text.split(",");
  if (version !== SSE_ID_VERSION) throw invalid(`unknown version ${JSON.stringify(version?.slice(0, 8))}`);
  if (entries.length > maxChannels) throw invalid(`more than ${maxChannels} channels`);
  const positions: Record<string, StreamPosition> = {};
  for (const text of entries) {
    if (text === "") continue;
    const [channel, position] = decodeEntry(text);
    positions[channel] = position;
  }
  return positions;
}
