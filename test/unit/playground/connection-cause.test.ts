/** The connection badge's cause line (playground/src/connection-cause.ts) for the SDK's errors. */
import { describe, expect, it } from "vitest";
import { connectionCause } from "../../../playground/src/connection-cause.js";
import { EventBusError } from "../../../protocol/errors.js";

describe("connectionCause", () => {
  it("splits a failing token endpoint's error into its problem and its getToken hint", () => {
    const error = new EventBusError("NOT_CONNECTED", "getToken() failed: Failed to fetch.", {
      hint: "Fix the function passed as getToken.",
    });
    expect(connectionCause(error)).toEqual({
      problem: "getToken() failed: Failed to fetch.",
      hint: "Fix the function passed as getToken.",
    });
  });

  it("keeps a relay's own message (received over the wire) whole, with the code's hint", () => {
    const error = EventBusError.fromWire({ code: "TOKEN_INVALID", message: "TOKEN_INVALID: bad signature." });
    const cause = connectionCause(error);
    expect(cause.problem).toBe("bad signature.");
    expect(cause.hint).toContain("Issue a token signed");
  });
});
