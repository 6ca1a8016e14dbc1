/**
 * The envelope every event travels in, and the types that tie an event's `type` to its `data`.
 *
 *   { id, type, data, metadata: { source, timestamp, traceId?, userId?, room?, aggregateId? } }
 *
 * On a recoverable channel the published message also carries its position in the channel's
 * history: `{ ...envelope, offset, epoch }` (see position.ts).
 */

/**
 * An application's events: event type → the type of its `data`.
 * Declare it as an interface or a type alias:
 *
 *   interface MyEvents { "photo.uploaded": { photoId: string }; "photo.processing.progress": { progress: number } }
 */
export type EventMap = object;

/** The event map used when an application declares none: any type, any data. */
export type AnyEvents = Record<string, unknown>;

/**
 * Where an application declares its event map once, for every entry point (TanStack Router's
 * `Register` pattern). Augment it from any entry — `/protocol`, `/client`, `/react`, `/server` or
 * the package root — in one file of the app:
 *
 *   declare module "@shared-infra/event-bus/protocol" {
 *     interface Register { events: MyEvents }
 *   }
 *
 * Then `eventBus`, `new EventBusClient()`, `createEventBus()` and every hook use `MyEvents` without
 * a type argument, and a misspelt event type is a compile error.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by applications (declaration merging)
export interface Register {}

/** The registered event map (see Register), or AnyEvents when the application registered none. */
export type RegisteredEvents = Register extends { readonly events: infer E extends EventMap } ? E : AnyEvents;

/** A pattern with glob syntax (`*`, `?`, `[…]`, `\`): it may match several types. */
export type GlobPattern = `${string}${"*" | "?" | "[" | "\\"}${string}`;

/**
 * What `subscribe` accepts for event map `E`: a declared type, or a glob. With no declared map
 * (AnyEvents) any string; with one, a misspelt exact type is a compile error.
 */
export type PatternOf<E extends EventMap> = string extends EventType<E> ? string : EventType<E> | GlobPattern;

/** The event types of an event map. */
export type EventType<E extends EventMap> = keyof E & string;

/** The `data` of event `K` in event map `E`. */
export type EventData<E extends EventMap, K extends string> = K extends keyof E ? E[K] : unknown;

export interface EventMetadata {
  /** The service (or `client:<userId>`) that published the event. */
  readonly source: string;
  /** ISO 8601 time at which the event was published. */
  readonly timestamp: string;
  readonly traceId?: string;
  readonly userId?: string;
  readonly room?: string;
  /**
   * What the event is about (an order, a photo): event stores index it, so an aggregate's events
   * can be read and replayed in order. 1-128 characters from letters, digits and _ - . : @ = + | /.
   */
  readonly aggregateId?: string;
}

export interface EventEnvelope<Type extends string = string, Data = unknown> {
  /** UUIDv7: unique and sortable by creation time. */
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/** The union of envelopes of some (default: all) events of an event map. */
export type EnvelopeOf<E extends EventMap, K extends string = EventType<E>> =
  K extends EventType<E> ? EventEnvelope<K, E[K]> : EventEnvelope<K, unknown>;

type HasGlobSyntax<P extends string> = P extends `${string}${"?" | "[" | "\\"}${string}` ? true : false;

/** `photo.*.done` → `photo.${string}.done`: what a glob of only `*` wildcards matches, as a type. */
type StarGlob<P extends string> = P extends `${infer Head}*${infer Tail}`
  ? `${Head}${string}${StarGlob<Tail>}`
  : P;

/**
 * The event types of `E` that pattern `P` can match: exact names give themselves, `*` globs
 * give every declared type that fits, and other glob syntax (`?`, `[...]`, `\`) gives all types.
 */
export type MatchingTypes<E extends EventMap, P extends string> = string extends P
  ? EventType<E>
  : HasGlobSyntax<P> extends true
    ? EventType<E>
    : Extract<EventType<E>, StarGlob<P>>;

/** The envelope a handler subscribed with pattern `P` receives. */
export type EnvelopeForPattern<E extends EventMap, P extends string> = [MatchingTypes<E, P>] extends [never]
  ? EventEnvelope<string, unknown>
  : EnvelopeOf<E, MatchingTypes<E, P>>;
