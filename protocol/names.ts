/**
 * The formats of the names that become Redis channels: event types, room names, user ids, roles.
 * Names never contain glob characters (* ? [ ] \), braces (Redis Cluster hash tags) or whitespace,
 * so a name can never be mistaken for a pattern or escape its channel kind.
 */
import { type ErrorCode, EventBusError } from "./errors.js";
import { MAX_NAME_LENGTH, MAX_PATTERN_LENGTH, MAX_ROLE_LENGTH, MAX_TYPE_LENGTH } from "./limits.js";
import { remembering } from "./memo.js";

const EVENT_TYPE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const NAME = /^[A-Za-z0-9_\-.:@=+|/]+$/;
const ROLE = /^[A-Za-z0-9_\-.]+$/;

/** Event types that would collide with a channel of another kind. */
const RESERVED_TYPES: ReadonlySet<string> = new Set(["broadcast"]);

const eventType = remembering(
  (value) => value.length <= MAX_TYPE_LENGTH && EVENT_TYPE.test(value) && !RESERVED_TYPES.has(value),
);
const roomName = remembering((value) => value.length <= MAX_NAME_LENGTH && NAME.test(value));

export function isEventType(value: unknown): value is string {
  return typeof value === "string" && eventType(value);
}

export function isRoomName(value: unknown): value is string {
  return typeof value === "string" && roomName(value);
}

export function isUserId(value: unknown): value is string {
  return isRoomName(value);
}

export function isRoleName(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_ROLE_LENGTH && ROLE.test(value);
}

export function assertEventType(value: unknown): asserts value is string {
  if (!isEventType(value)) throw invalid("INVALID_TYPE", "Event type", value, MAX_TYPE_LENGTH);
}

export function assertRoomName(value: unknown): asserts value is string {
  if (!isRoomName(value)) throw invalid("INVALID_ROOM", "Room name", value, MAX_NAME_LENGTH);
}

export function assertUserId(value: unknown): asserts value is string {
  if (!isUserId(value)) throw invalid("INVALID_USER", "User id", value, MAX_NAME_LENGTH);
}

export function assertRoleName(value: unknown): asserts value is string {
  if (!isRoleName(value)) throw invalid("INVALID_ROLE", "Role name", value, MAX_ROLE_LENGTH);
}

/** A subscription pattern: a Redis glob (protocol/glob.ts) of 1-256 characters. */
export function assertPattern(value: unknown): asserts value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_PATTERN_LENGTH) {
    throw new EventBusError(
      "INVALID_PATTERN",
      `Pattern ${describeValue(value)} must be a non-empty string of at most ${MAX_PATTERN_LENGTH} characters.`,
    );
  }
}

const TYPE_CHAR = /^[A-Za-z0-9_\-.]$/;

/**
 * Why a subscription pattern (a Redis glob over event types) can never match an event type, or
 * undefined when it can: a class `[` that is never closed, a trailing lone `\`, a literal
 * character that types never contain (the `:` of a room name such as `photo:123`, a space), or
 * more fixed characters than a type may have.
 */
export function typePatternProblem(pattern: string): string | undefined {
  let fixed = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "*") continue;
    fixed++;
    if (c === "?") continue;
    if (c === "[") {
      const start = i;
      i = classEnd(pattern, i);
      if (i >= pattern.length) return `the class "[" at position ${start} is never closed with "]"`;
      continue;
    }
    if (c === "\\" && i + 1 >= pattern.length) return 'it ends with a lone "\\"';
    const literal = c === "\\" ? pattern.charAt(++i) : c;
    if (!TYPE_CHAR.test(literal)) {
      return `${JSON.stringify(literal)} never occurs in an event type (letters, digits and _ - . only)`;
    }
  }
  return fixed > MAX_TYPE_LENGTH ? `it needs more than ${MAX_TYPE_LENGTH} characters` : undefined;
}

/**
 * A pattern over event types that can match one (assertPattern, then typePatternProblem); throws
 * INVALID_PATTERN. `hintFor` gives the hint for a pattern that looks like a channel name
 * (`photo:123`, `room:lobby`): where to subscribe to it instead.
 */
export function assertTypePattern(
  value: unknown,
  hintFor: (pattern: string) => string,
): asserts value is string {
  assertPattern(value);
  const problem = typePatternProblem(value);
  if (problem === undefined) return;
  const hint = value.includes(":") ? hintFor(value) : undefined;
  throw new EventBusError(
    "INVALID_PATTERN",
    `Pattern ${describeValue(value)} can never match an event type: ${problem}.`,
    hint === undefined ? { details: { value } } : { hint, details: { value } },
  );
}

/** The room a channel-like pattern names (`room:photo:1` → `photo:1`, `photo:1` → itself), if valid. */
export function roomOfPattern(pattern: string): string | undefined {
  const room = pattern.startsWith("room:") ? pattern.slice(5) : pattern;
  return isRoomName(room) ? room : undefined;
}

const NAME_CHAR = /^[A-Za-z0-9_\-.:@=+|/]$/;

/**
 * Why a room-name glob (an entry of a token's `rooms` or `publish`) can never match a valid room
 * name, or undefined when it can: a literal character that names never contain (a space, a brace),
 * or more fixed characters than a name may have. Classes (`[…]`) are assumed to match something.
 */
export function roomGlobProblem(glob: string): string | undefined {
  if (glob.length === 0) return "it is empty";
  let fixed = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === "*") continue;
    fixed++;
    if (c === "?") continue;
    if (c === "[") {
      i = classEnd(glob, i);
      continue;
    }
    const literal = c === "\\" && i + 1 < glob.length ? glob.charAt(++i) : c;
    if (!NAME_CHAR.test(literal)) {
      return `${JSON.stringify(literal)} never occurs in a room name (letters, digits and _ - . : @ = + | / only)`;
    }
  }
  return fixed > MAX_NAME_LENGTH ? `it needs more than ${MAX_NAME_LENGTH} characters` : undefined;
}

/** Index of the `]` closing the class opened at `start` (Redis: an unterminated class runs to the end). */
function classEnd(glob: string, start: number): number {
  for (let i = start + 1; i < glob.length; i++) {
    if (glob.charAt(i) === "\\") i++;
    else if (glob.charAt(i) === "]") return i;
  }
  return glob.length;
}

/** A short, printable rendering of a rejected value for error messages (never the whole thing). */
export function describeValue(value: unknown): string {
  if (typeof value !== "string") return value === null ? "null" : typeof value;
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value.length > 40 ? `${shown} (${value.length} characters)` : shown;
}

function invalid(code: ErrorCode, what: string, value: unknown, max: number): EventBusError {
  let reason: string;
  if (typeof value !== "string") reason = `must be a string, got ${describeValue(value)}`;
  else if (value.length === 0) reason = "must not be empty";
  else if (value.length > max) reason = `is longer than ${max} characters`;
  else if (code === "INVALID_TYPE" && RESERVED_TYPES.has(value)) reason = "is reserved";
  else reason = "contains a character that is not allowed";
  const shown = typeof value === "string" ? ` ${describeValue(value)}` : "";
  return new EventBusError(code, `${what}${shown} ${reason}.`, { details: { value: shown.trim() } });
}
