/**
 * createToken refuses, with a coded error naming the fault, every token the relay would refuse for
 * its shape, and every key / algorithm mix that cannot work; what it signs carries the contract's
 * claim names (protocol/claims.ts), which the relay's verifier reads back.
 */
import { decodeJwt, decodeProtectedHeader, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { CLAIM_LIMITS } from "../../../protocol/claims.js";
import { roomGlobProblem } from "../../../protocol/names.js";
import { createToken } from "../../../relay/auth/create-token.js";
import { createTokenVerifier } from "../../../relay/auth/verify-token.js";

const SECRET = "unit-secret-0123456789abcdef0123456789";

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected createToken to refuse");
}

describe("createToken", () => {
  it("signs the contract's claims, which the relay's verifier reads back", async () => {
    const claims = {
      sub: "u1",
      rooms: ["photo:*"],
      publish: ["photo:1"],
      roles: ["admin"],
      info: { name: "Ada" },
    };
    const token = await createToken(claims, SECRET, {
      ttl: "15m",
      issuer: "auth",
      audience: ["a", "b"],
      keyId: "k1",
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT", kid: "k1" });
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({ ...claims, iss: "auth", aud: ["a", "b"] });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(900);
    const verified = await createTokenVerifier({ secret: SECRET, issuer: "auth", audience: "a" })(token);
    expect(verified.claims).toMatchObject(claims);
  });

  it("refuses claims the relay would refuse, naming the claim", async () => {
    expect(await refusal(createToken({ sub: "a b" }, SECRET))).toMatchObject({ code: "INVALID_USER" });
    const glob = await refusal(createToken({ sub: "u1", rooms: ["photo:*", "a b"] }, SECRET));
    expect(glob.code).toBe("INVALID_OPTIONS");
    expect(glob.message).toContain('claims.rooms entry "a b" can never match a room');
    const many = Array.from({ length: CLAIM_LIMITS.globs + 1 }, (_, i) => `r${i}`);
    expect((await refusal(createToken({ sub: "u1", publish: many }, SECRET))).message).toContain(
      "claims.publish",
    );
    const info = { blob: "x".repeat(CLAIM_LIMITS.infoBytes) };
    expect((await refusal(createToken({ sub: "u1", info }, SECRET))).message).toContain("claims.info");
    expect((await refusal(createToken({ sub: "u1", roles: ["no spaces"] }, SECRET))).message).toContain(
      "claims.roles",
    );
  });

  it("refuses keys and algorithms that cannot work, and bad lifetimes", async () => {
    expect((await refusal(createToken({ sub: "u1" }, ""))).message).toContain("the key is empty");
    expect((await refusal(createToken({ sub: "u1" }, SECRET, { algorithm: "RS256" }))).message).toContain(
      "a secret signs only HS256, HS384, HS512",
    );
    const { privateKey } = await generateKeyPair("ES256");
    expect((await refusal(createToken({ sub: "u1" }, privateKey))).message).toContain("needs `algorithm`");
    expect(await createToken({ sub: "u1" }, privateKey, { algorithm: "ES256" })).toMatch(/^ey/);
    const pem = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----";
    expect((await refusal(createToken({ sub: "u1" }, pem, { algorithm: "RS256" }))).message).toContain(
      "not a PKCS#8 private key for RS256",
    );
    const ttl = await refusal(createToken({ sub: "u1" }, SECRET, { ttl: "forever" }));
    expect(ttl).toMatchObject({ code: "INVALID_OPTIONS" });
    expect(ttl.message).toContain('createToken: ttl "forever" is not a duration');
  });
});

describe("roomGlobProblem", () => {
  it("accepts globs some room name can match", () => {
    for (const glob of [
      "photo:*",
      "team:42",
      "*",
      "a?c",
      "team:[0-9]",
      "[ x]",
      "a\\:b",
      "user@example.com",
    ]) {
      expect(roomGlobProblem(glob), glob).toBeUndefined();
    }
  });

  it("names what can never match", () => {
    expect(roomGlobProblem("a b")).toContain('" " never occurs in a room name');
    expect(roomGlobProblem("{tag}*")).toContain('"{" never occurs');
    expect(roomGlobProblem("a\\ b")).toContain('" " never occurs');
    expect(roomGlobProblem("")).toBe("it is empty");
    expect(roomGlobProblem("x".repeat(129))).toContain("more than 128 characters");
    expect(roomGlobProblem(`${"x".repeat(200)}*`)).toContain("more than 128 characters");
  });
});
