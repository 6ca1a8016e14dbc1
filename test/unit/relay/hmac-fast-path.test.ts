/**
 * The synchronous HS fast path only ever accepts what jose accepts with the same options: for
 * every token below, well-formed or crafted, an acceptance by the fast path is checked against
 * jose's own verdict, and everything unusual is left to jose (undefined), whose refusal the relay
 * then reports.
 */
import { createHmac } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { type FastPathOptions, verifyHmacFast } from "../../../relay/auth/hmac-fast-path.js";
import { createTokenVerifier } from "../../../relay/auth/verify-token.js";

const SECRET = "unit-secret-0123456789abcdef0123456789";
const KEY = new TextEncoder().encode(SECRET);
const OPTIONS: FastPathOptions = {
  secret: KEY,
  algorithms: ["HS256", "HS384", "HS512"],
  clockTolerance: 5,
  requiredClaims: ["sub", "exp"],
};
const now = () => Math.floor(Date.now() / 1000);

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A token signed by hand, so headers and payloads jose's signer would refuse can be made. */
function handmade(header: unknown, payload: unknown, hash = "sha256", secret = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest("base64url")}`;
}

async function joseAccepts(token: string, options: FastPathOptions): Promise<boolean> {
  try {
    await jwtVerify(token, KEY, {
      algorithms: [...options.algorithms],
      clockTolerance: options.clockTolerance,
      requiredClaims: [...options.requiredClaims],
      ...(options.issuer && { issuer: [...options.issuer] }),
      ...(options.audience && { audience: [...options.audience] }),
    });
    return true;
  } catch {
    return false;
  }
}

const claims = { sub: "u1", rooms: ["photo:*"], exp: now() + 600, iat: now() };

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** The last character of an HS256 signature with its two spare bits set: the same bytes, another text. */
const spare = (last: string) => ALPHABET[ALPHABET.indexOf(last) | 1] ?? last;

async function tokens(): Promise<Record<string, { token: string; options?: Partial<FastPathOptions> }>> {
  const signed = (alg: string) => new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(KEY);
  const good = await signed("HS256");
  const [h, p, s] = good.split(".") as [string, string, string];
  // The first character (the last one may differ only in base64url's spare bits).
  const flip = `${s.startsWith("A") ? "B" : "A"}${s.slice(1)}`;
  return {
    hs256: { token: good },
    hs384: { token: await signed("HS384") },
    hs512: { token: await signed("HS512") },
    "bad signature": { token: `${h}.${p}.${flip}` },
    "other secret": { token: handmade({ alg: "HS256" }, claims, "sha256", `${SECRET}x`) },
    "alg not allowed": { token: good, options: { algorithms: ["HS512"] } },
    "alg none": { token: `${b64({ alg: "none" })}.${p}.` },
    "alg mismatch": { token: handmade({ alg: "HS512" }, claims, "sha256") },
    crit: { token: handmade({ alg: "HS256", crit: ["exp"] }, claims) },
    "b64 false": { token: handmade({ alg: "HS256", b64: false, crit: ["b64"] }, claims) },
    "four parts": { token: `${good}.x` },
    "two parts": { token: `${h}.${p}` },
    whitespace: { token: `${h}.${p} .${s}` },
    "padded signature": { token: `${good}=` },
    "spare bits set": { token: `${h}.${p}.${s.slice(0, -1)}${spare(s.slice(-1))}` },
    "header array": { token: handmade([1], claims) },
    "payload array": { token: handmade({ alg: "HS256" }, [claims]) },
    "payload not json": { token: handmade({ alg: "HS256" }, "not json") },
    expired: { token: handmade({ alg: "HS256" }, { ...claims, exp: now() - 60 }) },
    "expired within tolerance": { token: handmade({ alg: "HS256" }, { ...claims, exp: now() - 2 }) },
    "not yet valid": { token: handmade({ alg: "HS256" }, { ...claims, nbf: now() + 60 }) },
    "exp a string": { token: handmade({ alg: "HS256" }, { ...claims, exp: String(now() + 60) }) },
    "iat a string": { token: handmade({ alg: "HS256" }, { ...claims, iat: "yesterday" }) },
    "no exp": { token: handmade({ alg: "HS256" }, { sub: "u1" }) },
    "no exp, not required": {
      token: handmade({ alg: "HS256" }, { sub: "u1" }),
      options: { requiredClaims: ["sub"] },
    },
    "issuer ok": {
      token: handmade({ alg: "HS256" }, { ...claims, iss: "auth" }),
      options: { issuer: ["auth"] },
    },
    "issuer wrong": {
      token: handmade({ alg: "HS256" }, { ...claims, iss: "evil" }),
      options: { issuer: ["auth"] },
    },
    "issuer missing": { token: good, options: { issuer: ["auth"] } },
    "audience in list": {
      token: handmade({ alg: "HS256" }, { ...claims, aud: ["x", "a"] }),
      options: { audience: ["a"] },
    },
    "audience wrong": {
      token: handmade({ alg: "HS256" }, { ...claims, aud: "x" }),
      options: { audience: ["a"] },
    },
    "audience missing": { token: good, options: { audience: ["a"] } },
  };
}

describe("the HS fast path", () => {
  it("accepts exactly the well-formed tokens jose accepts, and leaves everything else to jose", async () => {
    const accepted: string[] = [];
    for (const [name, { token, options }] of Object.entries(await tokens())) {
      const all = { ...OPTIONS, ...options };
      const fast = verifyHmacFast(token, all);
      const jose = await joseAccepts(token, all);
      if (fast) {
        expect(jose, name).toBe(true);
        accepted.push(name);
      }
    }
    expect(accepted.sort()).toEqual(
      [
        "hs256",
        "hs384",
        "hs512",
        "expired within tolerance",
        "no exp, not required",
        "issuer ok",
        "audience in list",
      ].sort(),
    );
  });

  it("gives the payload jose gives", async () => {
    const token = (await tokens()).hs256?.token ?? "";
    expect(verifyHmacFast(token, OPTIONS)).toEqual((await jwtVerify(token, KEY)).payload);
  });

  it("leaves refusals to jose, with its codes", async () => {
    const verify = createTokenVerifier({ secret: SECRET });
    const all = await tokens();
    const token = (name: string) => all[name]?.token ?? "";
    await expect(verify(token("expired"))).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
    await expect(verify(token("bad signature"))).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    await expect(verify(token("crit"))).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    expect((await verify(token("hs512"))).userId).toBe("u1");
  });
});
