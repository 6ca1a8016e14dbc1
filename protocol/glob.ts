/**
 * Redis glob matching, byte for byte what Redis does for PSUBSCRIBE (`stringmatchlen` in
 * redis/src/util.c, case-sensitive): `*` any run, `?` one byte, `[abc]` `[^abc]` `[a-z]` classes
 * (reversed ranges are swapped, an unterminated class ends at the pattern's end), `\x` a literal x.
 *
 * Redis compares bytes of the UTF-8 encoding, and range bounds as signed chars; this module does
 * the same so a pattern means the same thing in a browser, in the memory broker and in Redis.
 * A property test (test/integration/glob-vs-redis.test.ts) checks that against a real Redis.
 */

export type GlobMatcher = (subject: string) => boolean;

const GLOB_SYNTAX = /[*?[\\]/;

export function hasGlobSyntax(pattern: string): boolean {
  return GLOB_SYNTAX.test(pattern);
}

/** Compiles a pattern once; the returned function tests subjects. */
export function compileGlob(pattern: string): GlobMatcher {
  if (!hasGlobSyntax(pattern)) return (subject) => subject === pattern;
  const firstSpecial = pattern.search(GLOB_SYNTAX);
  if (pattern.endsWith("*") && firstSpecial === pattern.length - 1) {
    const prefix = pattern.slice(0, -1);
    // Redis never matches an empty channel against a pattern that starts with `*`.
    return (subject) => subject.length > 0 && subject.startsWith(prefix);
  }
  const patternBytes = toBytes(pattern);
  return (subject) => bytesMatch(patternBytes, toBytes(subject));
}

/** One-off match; prefer compileGlob for a pattern used more than once. */
export function globMatch(pattern: string, subject: string): boolean {
  return compileGlob(pattern)(subject);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

let encoder: { encode(text: string): Uint8Array } | undefined;

function toBytes(text: string): ArrayLike<number> {
  if (isAscii(text)) return asciiCodes(text);
  encoder ??= new (
    globalThis as unknown as { TextEncoder: new () => { encode(t: string): Uint8Array } }
  ).TextEncoder();
  return encoder.encode(text);
}

function asciiCodes(text: string): number[] {
  const codes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

/** A byte as C's signed `char` (x86), which is how Redis compares range bounds. */
const signed = (byte: number): number => (byte > 127 ? byte - 256 : byte);

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const CARET = 94; // ^
const DASH = 45; // -
const BACKSLASH = 92; // \

function bytesMatch(pattern: ArrayLike<number>, subject: ArrayLike<number>): boolean {
  const state = { skipLonger: false };
  return matchFrom(pattern, 0, subject, 0, state);
}

/**
 * A transcription of stringmatchlen_impl. `at(pattern, i)` past the end reads 0, like the NUL
 * terminator of the C string, so every look-ahead behaves as it does in Redis.
 */
function matchFrom(
  pattern: ArrayLike<number>,
  p: number,
  subject: ArrayLike<number>,
  s: number,
  state: { skipLonger: boolean },
): boolean {
  const pLen = pattern.length;
  const sLen = subject.length;
  const at = (i: number): number => (i < pLen ? (pattern[i] as number) : 0);
  while (p < pLen && s < sLen) {
    const c = at(p);
    if (c === STAR) {
      while (p < pLen && at(p + 1) === STAR) p++;
      if (p === pLen - 1) return true;
      while (s < sLen) {
        if (matchFrom(pattern, p + 1, subject, s, state)) return true;
        if (state.skipLonger) return false;
        s++;
      }
      state.skipLonger = true;
      return false;
    }
    if (c === QUESTION) {
      s++;
    } else if (c === OPEN) {
      const result = matchClass(pattern, p + 1, subject[s] as number);
      if (!result.match) return false;
      p = result.end;
      s++;
    } else {
      if (c === BACKSLASH && pLen - p >= 2) p++;
      if (at(p) !== subject[s]) return false;
      s++;
    }
    p++;
    if (s === sLen) {
      while (at(p) === STAR) p++;
      break;
    }
  }
  return p >= pLen && s === sLen;
}

/** Matches one byte against the class starting after `[`; `end` is the index of its last byte. */
function matchClass(
  pattern: ArrayLike<number>,
  start: number,
  byte: number,
): { match: boolean; end: number } {
  const pLen = pattern.length;
  const at = (i: number): number => (i < pLen ? (pattern[i] as number) : 0);
  let p = start;
  const negate = at(p) === CARET;
  if (negate) p++;
  let match = false;
  for (;;) {
    if (at(p) === BACKSLASH && pLen - p >= 2) {
      p++;
      if (at(p) === byte) match = true;
    } else if (at(p) === CLOSE) {
      break;
    } else if (p >= pLen) {
      p--;
      break;
    } else if (pLen - p >= 3 && at(p + 1) === DASH) {
      let low = signed(at(p));
      let high = signed(at(p + 2));
      if (low > high) [low, high] = [high, low];
      const c = signed(byte);
      p += 2;
      if (c >= low && c <= high) match = true;
    } else if (at(p) === byte) {
      match = true;
    }
    p++;
  }
  return { match: negate ? !match : match, end: p };
}
