/**
 * An EventQuery checked and normalised once, for every store: types as exact names or `*` globs
 * (the only glob syntax every store can evaluate, PostgreSQL with LIKE), times as epoch ms, a page
 * size within 1-1000. Bad input is an INVALID_OPTIONS error naming the field.
 */
import { EventBusError } from "../../protocol/errors.js";
import { compileGlob } from "../../protocol/glob.js";
import { isEventType, isRoomName } from "../../protocol/names.js";
import type { EventQuery } from "./event-store.js";

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export interface NormalQuery {
  readonly types: readonly string[] | undefined;
  readonly channel: string | undefined;
  readonly aggregateId: string | undefined;
  readonly sinceMs: number | undefined;
  readonly untilMs: number | undefined;
  readonly limit: number;
  readonly cursor: string | undefined;
}

const TYPE_GLOB = /^[A-Za-z0-9_\-.*]{1,128}$/;

export function normaliseQuery(query: EventQuery = {}): NormalQuery {
  const limit = query.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    invalid(`limit must be a whole number from 1 to ${MAX_PAGE}`);
  if (query.types !== undefined) {
    if (!Array.isArray(query.types) || query.types.length === 0) invalid("types must be a non-empty list");
    for (const type of query.types) {
      if (typeof type !== "string" || !TYPE_GLOB.test(type)) {
        invalid(`type ${JSON.stringify(type)} must be an event type or a glob with * only (e.g. "photo.*")`);
      }
    }
  }
  if (
    query.channel !== undefined &&
    (typeof query.channel !== "string" || query.channel.length === 0 || query.channel.length > 300)
  ) {
    invalid("channel must be a channel name");
  }
  if (query.aggregateId !== undefined && !isRoomName(query.aggregateId)) {
    invalid("aggregateId must be 1-128 characters from letters, digits and _ - . : @ = + | /");
  }
  if (
    query.cursor !== undefined &&
    (typeof query.cursor !== "string" || !/^[0-9-]{1,40}$/.test(query.cursor))
  ) {
    invalid("cursor must be a cursor returned by an earlier read");
  }
  return {
    types: query.types,
    channel: query.channel,
    aggregateId: query.aggregateId,
    sinceMs: timeOf("since", query.since),
    untilMs: timeOf("until", query.until),
    limit,
    cursor: query.cursor,
  };
}

/** A predicate over (type, channel, aggregate, time) for stores that filter in JavaScript. */
export function queryMatcher(
  query: NormalQuery,
): (event: { type: string; channel: string; aggregateId: string | undefined; timeMs: number }) => boolean {
  const typeMatchers = query.types?.map((type) => compileGlob(type));
  return (event) =>
    (typeMatchers === undefined || typeMatchers.some((match) => match(event.type))) &&
    (query.channel === undefined || event.channel === query.channel) &&
    (query.aggregateId === undefined || event.aggregateId === query.aggregateId) &&
    (query.sinceMs === undefined || event.timeMs >= query.sinceMs) &&
    (query.untilMs === undefined || event.timeMs < query.untilMs);
}

/** The one exact type of a query, if it names exactly one without a glob. */
export function singleExactType(query: NormalQuery): string | undefined {
  const [only, ...rest] = query.types ?? [];
  return only !== undefined && rest.length === 0 && isEventType(only) ? only : undefined;
}

function timeOf(name: string, value: Date | string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(ms)) invalid(`${name} must be a Date, an ISO 8601 time or epoch milliseconds`);
  return ms;
}

function invalid(problem: string): never {
  throw new EventBusError("INVALID_OPTIONS", `events.read: ${problem}.`);
}
