/** Size and name limits shared by every part of the bus. Both ends must agree on them. */

export interface Limits {
  /** Largest serialised envelope, in UTF-8 bytes. Default 1 MB. */
  readonly maxEventBytes: number;
  /** Largest serialised `data`, in UTF-8 bytes. Default 512 KB. */
  readonly maxDataBytes: number;
  /** Deepest nesting of objects/arrays inside `data`. Default 32. */
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxEventBytes: 1024 * 1024,
  maxDataBytes: 512 * 1024,
  maxDepth: 32,
});

export const MAX_TYPE_LENGTH = 128;
export const MAX_NAME_LENGTH = 128;
export const MAX_ROLE_LENGTH = 64;
export const MAX_PATTERN_LENGTH = 256;
/** Room for a 128-character service name, or `client:` + a 128-character user id. */
export const MAX_SOURCE_LENGTH = 160;
export const MAX_TRACE_ID_LENGTH = 128;

export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  if (!overrides) return DEFAULT_LIMITS;
  const merged: Limits = {
    maxEventBytes: overrides.maxEventBytes ?? DEFAULT_LIMITS.maxEventBytes,
    maxDataBytes: overrides.maxDataBytes ?? DEFAULT_LIMITS.maxDataBytes,
    maxDepth: overrides.maxDepth ?? DEFAULT_LIMITS.maxDepth,
  };
  return Object.freeze(merged);
}

const NON_ASCII = /[\u0080-\uffff]/;

/** UTF-8 byte length of a string without allocating (lone surrogates count as 3, like TextEncoder). */
export function utf8ByteLength(text: string): number {
  if (!NON_ASCII.test(text)) return text.length; // the common case, scanned natively
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
