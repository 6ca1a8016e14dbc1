/**
 * fast-check arbitraries for hostile input: strings from every Unicode corner (control characters,
 * bidi overrides, lone surrogates, astral symbols, 10 KB runs), names that try to act as globs or
 * escape their channel kind, prototype-pollution keys, deep nesting, and arbitrary JSON shapes.
 * What socket.io can carry is JSON, so values stay JSON-serialisable (NaN and Infinity become null
 * on the wire, like any browser would send them).
 */
import fc from "fast-check";

/** Strings that mean something to Redis, to channel names or to JavaScript objects. */
export const SPECIAL_STRINGS: readonly string[] = [
  "",
  " ",
  "*",
  "?",
  "[",
  "]",
  "[a-z]",
  "\\",
  "{",
  "}",
  "{room:x}",
  "..",
  "../..",
  "/",
  ":",
  "room:x",
  "user:victim",
  "role:admin",
  "broadcast",
  "photo.*",
  "$presence.join",
  "$session.revoke",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "\u0000",
  "\n",
  "\r\n",
  "\t",
  "\u202e",
  "\u200b",
  "\ufeff",
  "\ud800",
  "\udc00",
  "😀",
  "é",
  "x".repeat(129),
  "x".repeat(10 * 1024),
];

/** Keys that try prototype pollution or shadow the fields the relay reads. */
export const SPECIAL_KEYS: readonly string[] = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "then",
  "id",
  "type",
  "data",
  "room",
  "since",
  "offset",
  "epoch",
  "channel",
  "token",
  "metadata",
  "presence",
  "limit",
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPECIAL_STRINGS),
  fc.string(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc.string({ unit: loneSurrogate, maxLength: 4 }),
  fc.stringMatching(/^[A-Za-z0-9_\-.:@=+|/]{1,128}$/),
  fc.tuple(fc.constantFrom("room:", "user:", "role:", "{", "photo:"), fc.string()).map(([a, b]) => a + b),
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string());

/** Nesting `depth` levels deep, alternating objects and arrays. */
export function nested(depth: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { n: value } : [value];
  return value;
}

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, 1e308),
  fc.boolean(),
  fc.constant(null),
);

/** Any JSON value, hostile in its strings and keys, sometimes deep. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(hostileKey, tie("value"), { maxKeys: 5 }),
    fc.integer({ min: 20, max: 40 }).map((depth) => nested(depth)),
    fc.integer({ min: 200, max: 3000 }).map((depth) => nested(depth)),
  ),
})).value;

/** Replaces, removes or adds one field of a valid frame. */
export function mutate(frame: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(frame);
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...keys), hostileValue)
      .map(([key, value]) => withField({ ...frame }, key, value)),
    fc.constantFrom(...keys).map((key) => {
      const copy = { ...frame };
      delete copy[key];
      return copy;
    }),
    fc.tuple(hostileKey, hostileValue).map(([key, value]) => withField({ ...frame }, key, value)),
  );
}

/** Sets an own property (even `__proto__`), as JSON.parse would on the relay. */
function withField(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** Frame names the socket.io client refuses to emit itself (reserved events). */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
