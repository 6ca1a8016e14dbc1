/**
 * Event ids. Ours are UUIDv7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, so
 * ids sort by creation time as strings; within one millisecond a 12-bit counter (seeded randomly)
 * keeps ids from one process strictly increasing. Works in browsers and Node (Web Crypto).
 *
 * Publishers in other languages use what their platform has: any RFC 9562 UUID (a random v4 from
 * Python's uuid4() or Go's uuid.New(), a v1, …) or a ULID, in either case, is a valid envelope
 * id (isEventId). Ids are compared as exact strings (de-duplication included), never normalised.
 */

interface RandomSource {
  getRandomValues<T extends ArrayBufferView>(array: T): T;
}

const POOL_SIZE = 1024;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomSource(): RandomSource {
  const source = (globalThis as { crypto?: RandomSource }).crypto;
  if (!source?.getRandomValues) {
    throw new Error("crypto.getRandomValues (Web Crypto) is required to create event ids.");
  }
  return source;
}

function randomBytes(count: number): Uint8Array {
  if (poolOffset + count > POOL_SIZE) {
    randomSource().getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

let lastMillis = -1;
let counter = 0;

/** A new UUIDv7, strictly greater than every id this process made before. */
export function createId(now: number = Date.now()): string {
  let millis = Math.max(now, lastMillis);
  if (millis === lastMillis) {
    counter++;
    if (counter > 0xfff) {
      millis++;
      counter = seedCounter();
    }
  } else {
    counter = seedCounter();
  }
  lastMillis = millis;

  const rand = randomBytes(8);
  const b = new Uint8Array(16);
  b[0] = Math.floor(millis / 2 ** 40) & 0xff;
  b[1] = Math.floor(millis / 2 ** 32) & 0xff;
  b[2] = (millis >>> 24) & 0xff;
  b[3] = (millis >>> 16) & 0xff;
  b[4] = (millis >>> 8) & 0xff;
  b[5] = millis & 0xff;
  b[6] = 0x70 | ((counter >>> 8) & 0x0f);
  b[7] = counter & 0xff;
  b[8] = 0x80 | ((rand[0] ?? 0) & 0x3f);
  for (let i = 1; i < 8; i++) b[8 + i] = rand[i] ?? 0;
  return format(b);
}

/** Keep the top bit clear so a millisecond has at least 2048 ids of room before it overflows. */
function seedCounter(): number {
  const r = randomBytes(2);
  return (((r[0] ?? 0) << 8) | (r[1] ?? 0)) & 0x7ff;
}

function format(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
    out += HEX[b[i] ?? 0];
  }
  return out;
}

const ID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Whether a value is a UUIDv7 in canonical lowercase form. */
export function isId(value: unknown): value is string {
  return typeof value === "string" && ID_FORMAT.test(value);
}

/** Any RFC 9562 UUID: versions 1-8, the RFC's variant (10xx), either case; not the nil or max UUID. */
const ANY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** A ULID: 26 Crockford base-32 characters (no I, L, O, U), either case; the first is 0-7 (48-bit time). */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;

/** Whether a value is a valid envelope id: any RFC 9562 UUID or a ULID (ours are UUIDv7). */
export function isEventId(value: unknown): value is string {
  if (typeof value !== "string") return false;
  // The length picks the one format that can match (every client checks every delivery's id).
  return value.length === 36 ? ANY_UUID.test(value) : value.length === 26 && ULID.test(value);
}

/** The creation time (ms since epoch) encoded in a UUIDv7. */
export function idTimestamp(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
