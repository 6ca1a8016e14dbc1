/**
 * The unknown-option check shared by every options object (common/known-keys.ts): the nearest
 * valid key by edit distance, nested objects, hints for keys of the seed documents' API, and the
 * compiler-checked key lists (a list that misses or adds a key does not compile: see the
 * @ts-expect-error lines).
 */
import { describe, expect, it } from "vitest";
import { editDistance, findUnknownOption, nearestName, optionKeys } from "../../../common/known-keys.js";

interface Options {
  readonly url: string;
  readonly token?: string;
  readonly reconnect?: { readonly minDelay?: number; readonly maxDelay?: number };
}

const KEYS = optionKeys<Options>(
  {
    url: true,
    token: true,
    reconnect: optionKeys<NonNullable<Options["reconnect"]>>({ minDelay: true, maxDelay: true }),
  },
  { eventBusUrl: "The relay's URL is `url`." },
);

describe("findUnknownOption", () => {
  it("accepts known keys, at every level, and values that are not plain objects", () => {
    expect(
      findUnknownOption("x", { url: "u", token: "t", reconnect: { minDelay: 1 } }, KEYS),
    ).toBeUndefined();
    for (const value of [undefined, null, "text", 3, [1], new Date()]) {
      expect(findUnknownOption("x", value, KEYS)).toBeUndefined();
    }
  });

  it("names an unknown key and the nearest valid one", () => {
    const found = findUnknownOption("createEventBus options", { url: "u", tokne: "t" }, KEYS);
    expect(found).toMatchObject({
      path: "tokne",
      nearest: "token",
      details: { option: "tokne", nearest: "token" },
    });
    expect(found?.problem).toBe("createEventBus options: unknown option `tokne` (did you mean `token`?).");
    expect(found?.hint).toBe("Valid options: url, token, reconnect.");
  });

  it("checks nested options objects and names the full path", () => {
    const found = findUnknownOption("x", { url: "u", reconnect: { maxDelya: 5 } }, KEYS);
    expect(found).toMatchObject({ path: "reconnect.maxDelya", nearest: "reconnect.maxDelay" });
    expect(found?.hint).toBe("Valid options of `reconnect`: minDelay, maxDelay.");
  });

  it("gives the replacement of a key of another API, and no guess when nothing is close", () => {
    const found = findUnknownOption("x", { eventBusUrl: "http://x" }, KEYS);
    expect(found?.nearest).toBeUndefined();
    expect(found?.problem).toBe("x: unknown option `eventBusUrl`.");
    expect(found?.hint).toBe("The relay's URL is `url`. Valid options: url, token, reconnect.");
  });

  it("key lists are checked by the compiler against their type", () => {
    // @ts-expect-error — `token` and `reconnect` are missing
    optionKeys<Options>({ url: true });
    // @ts-expect-error — `tokn` is not a key of Options
    optionKeys<Options>({ url: true, token: true, reconnect: true, tokn: true });
    expect(optionKeys<Options>({ url: true, token: true, reconnect: true }).keys).toEqual([
      "url",
      "token",
      "reconnect",
    ]);
  });
});

describe("nearestName", () => {
  it("finds typos (swaps, case, a missing or extra letter) and nothing for unrelated words", () => {
    expect(nearestName("tiemout", ["timeout", "token"])).toBe("timeout");
    expect(nearestName("TOKEN", ["timeout", "token"])).toBe("token");
    expect(nearestName("maxRetry", ["maxRetries", "maxDelay"])).toBe("maxRetries");
    expect(nearestName("colour", ["color"])).toBe("color");
    expect(nearestName("performance", ["batching", "retry", "timeout"])).toBeUndefined();
    expect(nearestName("x", [])).toBeUndefined();
    expect(nearestName("cors", ["corsOrigins", "port"])).toBe("corsOrigins");
    expect(nearestName("co", ["corsOrigins"])).toBeUndefined();
  });

  it("edit distance counts an adjacent swap as one edit", () => {
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});
