/**
 * createRelay's options: an unknown key — top level, in auth, presence, metrics or limits (whose
 * keys come from the limits table) — is refused with INVALID_OPTIONS naming it and the nearest
 * valid key, instead of being ignored.
 */
import { describe, expect, it } from "vitest";
import { type EventBusError, isEventBusError } from "../../../protocol/errors.js";
import { type RelayOptions, resolveRelayOptions } from "../../../relay/edge/options.js";

const auth = { secret: "s".repeat(32) };

function failure(options: object): EventBusError {
  try {
    resolveRelayOptions(options as RelayOptions);
  } catch (error) {
    if (isEventBusError(error)) return error;
    throw error;
  }
  throw new Error("expected an EventBusError");
}

describe("createRelay options", () => {
  it("accepts every documented key", () => {
    expect(() =>
      resolveRelayOptions({
        auth: { ...auth, issuer: "i" },
        port: 0,
        presence: { ttlMs: 30_000 },
        limits: { maxRoomsPerSocket: 5 },
        metrics: { token: "t".repeat(16) },
      }),
    ).not.toThrow();
  });

  it.each([
    [{ auth, cors: ["https://a.test"] }, "`cors` (did you mean `corsOrigins`?)", "corsOrigins"],
    [{ auth: { ...auth, issuers: "i" } }, "`auth.issuers` (did you mean `auth.issuer`?)", "auth.issuer"],
    [{ auth, presence: { ttl: 1000 } }, "`presence.ttl` (did you mean `presence.ttlMs`?)", "presence.ttlMs"],
    [
      { auth, limits: { maxRoomPerSocket: 5 } },
      "`limits.maxRoomPerSocket` (did you mean `limits.maxRoomsPerSocket`?)",
      "limits.maxRoomsPerSocket",
    ],
    [{ auth, metrics: { bearer: "t" } }, "`metrics.bearer`", undefined],
  ])("%j is refused with INVALID_OPTIONS", (options, text, nearest) => {
    const error = failure(options);
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.message).toContain(`createRelay options: unknown option ${text}`);
    if (nearest) expect(error.details).toMatchObject({ nearest });
  });
});
