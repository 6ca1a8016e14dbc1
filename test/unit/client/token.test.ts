import { describe, expect, it } from "vitest";
import { createTokenSource, refreshDelay } from "../../../client/token.js";
import { isEventBusError } from "../../../protocol/errors.js";

describe("token source", () => {
  it("calls getToken once for concurrent callers (single-flight), again for later ones", async () => {
    let calls = 0;
    let release: (token: string) => void = () => {};
    const source = createTokenSource(undefined, () => {
      calls++;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    });
    const a = source.get();
    const b = source.get();
    release("t1");
    expect(await Promise.all([a, b])).toEqual(["t1", "t1"]);
    const c = source.get();
    release("t2");
    expect(await c).toBe("t2");
    expect(calls).toBe(2);
    expect(source.refreshable).toBe(true);
  });

  it("a fixed token is not refreshable", async () => {
    const source = createTokenSource("fixed", undefined);
    expect(await source.get()).toBe("fixed");
    expect(source.refreshable).toBe(false);
  });

  it("refuses an empty answer with TOKEN_MISSING and passes what getToken throws on as it is", async () => {
    await expect(createTokenSource(undefined, () => "").get()).rejects.toSatisfy((e) =>
      isEventBusError(e, "TOKEN_MISSING"),
    );
    const down = new Error("auth server down");
    await expect(
      createTokenSource(undefined, () => {
        throw down;
      }).get(),
    ).rejects.toBe(down);
  });
});

describe("refreshDelay", () => {
  it("refreshes after 80 % of the remaining life, at most 30 s before expiry", () => {
    expect(refreshDelay(10_000, 0)).toBe(8000);
    expect(refreshDelay(3_600_000, 0)).toBe(3_570_000);
    expect(refreshDelay(1000, 0)).toBe(800);
    expect(refreshDelay(500, 1000)).toBe(0);
  });
});
