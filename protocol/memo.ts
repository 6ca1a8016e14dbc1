/**
 * A check that remembers strings it recently passed: every delivery's type, room and epoch is
 * checked on every client, and they repeat, so a Set lookup replaces a regular expression for all
 * but the first. At most `max` strings are kept (the set is emptied when full), so memory is
 * bounded whatever a relay sends.
 */
export function remembering(test: (value: string) => boolean, max = 256): (value: string) => boolean {
  const passed = new Set<string>();
  return (value) => {
    if (passed.has(value)) return true;
    if (!test(value)) return false;
    if (passed.size >= max) passed.clear();
    passed.add(value);
    return true;
  };
}
