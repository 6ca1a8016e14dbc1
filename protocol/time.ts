/** ISO 8601 times as envelopes carry them: `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or `±HH:MM`. */

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function isIsoTime(value: unknown): value is string {
  return typeof value === "string" && ISO_TIME.test(value);
}
