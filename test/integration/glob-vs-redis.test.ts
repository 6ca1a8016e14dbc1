/**
 * The contract's glob matcher must agree with Redis itself, because backends PSUBSCRIBE with the
 * same patterns the browser SDK and the memory broker match locally. fast-check generates
 * patterns and channel names over an alphabet rich in glob syntax (and a multi-byte character);
 * for each pair a subscriber PSUBSCRIBEs the pattern on a real redis-server and PUBLISH tells how
 * many pattern subscribers received the message: Redis's verdict. At least 2,000 cases per run.
 */
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { globMatch } from "../../protocol/glob.js";
import { type RedisServer, startRedis } from "../harness/redis-server.js";

const CASES = 2500;

let redis: RedisServer;
let subscriber: Redis;
let publisher: Redis;

beforeAll(async () => {
  redis = await startRedis();
  subscriber = new Redis(redis.port, redis.host);
  publisher = new Redis(redis.port, redis.host);
});

afterAll(async () => {
  subscriber?.disconnect();
  publisher?.disconnect();
  await redis?.stop();
});

async function redisVerdict(pattern: string, channel: string): Promise<boolean> {
  await subscriber.psubscribe(pattern);
  try {
    const receivers = await publisher.publish(channel, "x");
    return receivers > 0;
  } finally {
    await subscriber.punsubscribe(pattern);
  }
}

const patternChar = fc.constantFrom("a", "b", "c", ".", "*", "?", "[", "]", "^", "-", "\\", "é", ":", "€");
const channelChar = fc.constantFrom("a", "b", "c", ".", "-", "]", "[", "^", "\\", "*", "é", ":", "z", "ü");
const pattern = fc.string({ unit: patternChar, minLength: 1, maxLength: 12 });
const channel = fc.string({ unit: channelChar, minLength: 0, maxLength: 12 });

/** Patterns shaped like the ones people write: segments, wildcards, classes. */
const realisticPattern = fc
  .array(fc.constantFrom("photo", "user", "processing", "*", "?", "[a-c]", "[^p]", "completed", "\\*"), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.join("."));
const realisticChannel = fc
  .array(fc.constantFrom("photo", "user", "processing", "completed", "started", "a", "b", "*"), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.join("."));

/** A channel built from the pattern itself (wildcards filled in), so that many pairs match. */
function instantiate(p: string, filler: string): string {
  return p
    .replace(/\*/g, () => filler.slice(0, 3))
    .replace(/\?/g, "a")
    .replace(/\[\^?([^\]]?)[^\]]*\]/g, "$1")
    .replace(/\\(.)/g, "$1");
}
const likelyMatch = fc.tuple(pattern, channel).map(([p, c]): [string, string] => [p, instantiate(p, c)]);

describe("glob matcher vs Redis PSUBSCRIBE", () => {
  it("agrees on the documented examples", async () => {
    const examples: [string, string][] = [
      ["photo.*", "photo.uploaded"],
      ["photo.*", "photo.processing.started"],
      ["*.processing.completed", "photo.processing.completed"],
      ["photo.processing.*", "photo.uploaded"],
      ["photo.uploaded", "photo.uploaded"],
      ["*", ""],
      ["[", "["],
      ["a[", "a"],
      ["\\", "\\"],
      // Redis compares range bounds as signed chars: a multi-byte lead byte is negative.
      ["[a-€]", "z"],
      ["[€-a]", "0"],
      ["[a-é]*", "b"],
      ["?[^é]", "éa"],
    ];
    for (const [p, c] of examples) {
      expect({ p, c, match: globMatch(p, c) }).toEqual({ p, c, match: await redisVerdict(p, c) });
    }
    expect(globMatch("photo.*", "photo.processing.started")).toBe(true);
    expect(globMatch("*.processing.completed", "photo.processing.completed")).toBe(true);
  });

  it(`agrees on ${CASES} generated (pattern, channel) pairs`, async () => {
    let cases = 0;
    let matches = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.tuple(pattern, channel), fc.tuple(realisticPattern, realisticChannel), likelyMatch),
        async ([p, c]) => {
          cases++;
          const ours = globMatch(p, c);
          if (ours) matches++;
          expect({ p, c, match: ours }).toEqual({ p, c, match: await redisVerdict(p, c) });
        },
      ),
      { numRuns: CASES },
    );
    expect(cases).toBeGreaterThanOrEqual(2000);
    // The generators must exercise both outcomes, or the property says little.
    expect(matches).toBeGreaterThan(CASES * 0.05);
    expect(cases - matches).toBeGreaterThan(CASES * 0.05);
  });
});
