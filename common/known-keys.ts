/**
 * Unknown option keys. Every options object the bus takes is checked against the keys its type
 * declares, so a misspelt key (`tokne`) or one from another API (seed 000's `eventBusUrl`) fails
 * at once instead of being ignored. Each options type lists its keys once, beside the type, with
 * `optionKeys<T>({ … })`: the compiler checks that the list holds exactly T's keys, so the list
 * and the type cannot drift apart.
 *
 * This module only finds the problem and words it; each caller throws it as its own coded error
 * (`new EventBusError("INVALID_OPTIONS", found.problem, found)`).
 */

/** Every key of T, each mapped to `true`, or to the keys of its nested options object. */
export type KeyList<T> = { readonly [K in keyof T]-?: true | OptionKeys };

export interface OptionKeys {
  readonly keys: readonly string[];
  readonly nested: Readonly<Record<string, OptionKeys>>;
  /** Keys of other APIs (the seed documents) → what replaces them here. */
  readonly replaced: Readonly<Record<string, string>>;
}

/** The key list of options type T, and hints for keys that other APIs used. */
export function optionKeys<T>(list: KeyList<T>, replaced: Readonly<Record<string, string>> = {}): OptionKeys {
  const nested: Record<string, OptionKeys> = {};
  for (const [key, value] of Object.entries(list) as [string, true | OptionKeys][]) {
    if (value !== true) nested[key] = value;
  }
  return { keys: Object.keys(list), nested, replaced };
}

/** What findUnknownOption reports; `hint` and `details` fit EventBusError's options as they are. */
export interface UnknownOption {
  /** The key's path, e.g. `retry.maxRetry`. */
  readonly path: string;
  /** The closest valid key (same level), when one is close enough to be a typo. */
  readonly nearest: string | undefined;
  readonly problem: string;
  readonly hint: string;
  readonly details: { readonly option: string; readonly nearest?: string };
}

/**
 * The first key of `value` (a plain object; nested plain objects too) that `spec` does not know,
 * or undefined. `where` names the call in the message, e.g. "createEventBus options".
 */
export function findUnknownOption(
  where: string,
  value: unknown,
  spec: OptionKeys,
): UnknownOption | undefined {
  return findUnknownKey(where, value, spec, nearestName);
}

/** How findUnknownKey guesses the key meant (nearestName), or undefined: no guess. */
export type NearestName = (word: string, candidates: readonly string[]) => string | undefined;

/**
 * findUnknownOption with the guess left to the caller: a production browser bundle passes none,
 * so the edit distance is not in it (client/option-keys.ts).
 */
export function findUnknownKey(
  where: string,
  value: unknown,
  spec: OptionKeys,
  nearest: NearestName | undefined,
  path = "",
): UnknownOption | undefined {
  if (!isPlainObject(value)) return undefined;
  for (const key of Object.keys(value)) {
    const at = path + key;
    if (!spec.keys.includes(key)) return describe(where, at, key, spec, nearest);
    const inner = spec.nested[key];
    const found = inner && findUnknownKey(where, value[key], inner, nearest, `${at}.`);
    if (found) return found;
  }
  return undefined;
}

function describe(
  where: string,
  path: string,
  key: string,
  spec: OptionKeys,
  nearestOf: NearestName | undefined,
): UnknownOption {
  const base = path.slice(0, path.length - key.length);
  const near = nearestOf?.(key, spec.keys);
  const nearest = near === undefined ? undefined : base + near;
  const replacement = spec.replaced[key];
  const guess = nearest === undefined ? "" : ` (did you mean \`${nearest}\`?)`;
  const problem = `${where}: unknown option \`${path}\`${guess}`;
  const valid = `Valid options${base ? ` of \`${base.slice(0, -1)}\`` : ""}: ${spec.keys.join(", ")}.`;
  const hint = replacement === undefined ? valid : `${replacement} ${valid}`;
  return {
    path,
    nearest,
    problem: `${problem}.`,
    hint,
    details: nearest === undefined ? { option: path } : { option: path, nearest },
  };
}

/**
 * The candidate closest to `word` (case-insensitive edit distance), if it is close enough to be a
 * typo, or else the only candidate that `word` is the start of.
 */
export function nearestName(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best?.length ?? 0) / 3));
  if (bestDistance <= allowed) return best;
  // A shortened key (`cors` for `corsOrigins`, `ttl` for `ttlMs`): the one candidate it starts.
  const extended = candidates.filter((c) => lower.length >= 3 && c.toLowerCase().startsWith(lower));
  return extended.length === 1 ? extended[0] : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(a.length, b.length);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
