/**
 * ISO 8601 times as envelopes carry them: `YYYY-MM-DDTHH:MM:SS`, optional fraction of 1-9 digits,
 * then `Z` or `±HH:MM` — the same strings as the regular expression
 * /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/, checked by character
 * codes (every client checks every delivery's timestamp).
 */

/** `d`: a digit; anything else: that character. */
const HEAD = "dddd-dd-ddTdd:dd:dd";
const OFFSET = "dd:dd";

function matches(text: string, at: number, pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern.charCodeAt(i);
    const code = text.charCodeAt(at + i);
    if (want === 100 /* d */ ? code < 48 || code > 57 : code !== want) return false;
  }
  return true;
}

export function isIsoTime(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const length = value.length;
  if (length < HEAD.length + 1 || !matches(value, 0, HEAD)) return false;
  let i = HEAD.length;
  if (value.charCodeAt(i) === 46 /* . */) {
    const start = ++i;
    while (i < length && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
    if (i === start || i - start > 9) return false;
  }
  if (i === length - 1) return value.charCodeAt(i) === 90; /* Z */
  const sign = value.charCodeAt(i);
  return i === length - 1 - OFFSET.length && (sign === 43 || sign === 45) && matches(value, i + 1, OFFSET);
}
