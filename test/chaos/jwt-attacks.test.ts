/**
 * Hostile tokens, beyond the handshake cases of test/integration/relay/auth.test.ts: a matrix of
 * JWT attacks against an HS256 relay (with issuer and audience), an RS256 relay and a JWKS relay —
 * `alg: none` in every spelling, HS/RS confusion with the public key as HMAC secret in every
 * encoding, forged and swapped signatures, tampered payloads, header injection (`jku`, `x5u`,
 * embedded `jwk`, `kid` traversal, `crit`), duplicate header keys, clock-tolerance edges,
 * claims of the wrong type, oversized tokens — each refused with its code, the same attacks in
 * the in-band `auth` frame (the socket keeps its identity), and a fast-check fuzzer mutating a
 * valid token character by character (accepted only if it still decodes to the same bytes).
 */
import { createHmac, createPublicKey } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "../../protocol/frames.js";
import { createDevToken } from "../../relay/auth/dev-token.js";
import { closeAllClients, connectClient, connectError, ReplyError } from "../helpers/relay-client.js";
import { startTestRelay, TEST_SECRET, type TestRelay } from "../helpers/relay-server.js";
import { recordRow } from "./support/report.js";

const ISS = "auth.example";
const AUD = "photos";
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const json = (value: object) => b64(JSON.stringify(value));

/** A compact JWS with any header text, HMAC-signed with `key` (what an attacker can forge with a known key). */
function hsToken(header: string, payload: object, key: string | Buffer, alg = "sha256"): string {
  const input = `${b64(header)}.${json(payload)}`;
  return `${input}.${createHmac(alg, key).update(input).digest("base64url")}`;
}

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: "u1",
  iss: ISS,
  aud: AUD,
  iat: now(),
  exp: now() + 600,
  ...extra,
});

let hs: TestRelay;
let rs: TestRelay;
let attacker: Server;
let attackerHits = 0;
let attackerUrl = "";
const tally = { tried: 0, refused: 0, wronglyAccepted: 0, sameBytesAccepted: 0 };

beforeAll(async () => {
  hs = await startTestRelay({ auth: { secret: TEST_SECRET, issuer: ISS, audience: AUD } });
  attacker = createServer((_, res) => {
    attackerHits++;
    res.writeHead(200, { "content-type": "application/json" }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  closeAllClients();
  await hs?.close();
  await rs?.close();
  attacker?.closeAllConnections();
  await new Promise((resolve) => attacker?.close(resolve));
  recordRow({
    scenario: "JWT attacks (handshake, in-band auth, mutation fuzzer)",
    runs: tally.tried,
    events: 0,
    lost: 0,
    duplicated: 0,
    gaps: 0,
    maxMemoryMb: null,
    result: tally.wronglyAccepted === 0 && attackerHits === 0 ? "pass" : "fail",
    notes: `${tally.tried} hostile tokens: ${tally.refused} refused with a code, ${tally.wronglyAccepted} wrongly accepted, ${tally.sameBytesAccepted} fuzzed tokens accepted that decode to the original bytes (base64url spare bits); attacker key URLs fetched ${attackerHits} times`,
  });
});

/** Expects the handshake with `token` to be refused with `code`. */
async function refused(server: TestRelay, token: unknown, code: string): Promise<string> {
  tally.tried++;
  let got: string;
  try {
    got = (await connectError(server.url, { token, v: PROTOCOL_VERSION })).code;
  } catch (error) {
    if (error instanceof ReplyError) throw error;
    // The relay accepted it (connectError throws) or the transport was closed (too large).
    got = String(error).includes("accepted") ? "ACCEPTED" : "TRANSPORT_CLOSED";
  }
  if (got === "ACCEPTED") tally.wronglyAccepted++;
  else tally.refused++;
  return got === code ? code : `${code} expected, got ${got}`;
}

describe("HS256 relay (issuer and audience required)", () => {
  it("refuses every forged, tampered or mis-claimed token with its code", async () => {
    const valid = await createDevToken({ sub: "u1", secret: TEST_SECRET, issuer: ISS, audience: AUD });
    const [h, p, s] = valid.split(".") as [string, string, string];
    const other = await createDevToken({ sub: "u2", secret: TEST_SECRET, issuer: ISS, audience: AUD });
    const otherSig = other.split(".")[2] ?? "";
    const hsHeader = JSON.stringify({ alg: "HS256", typ: "JWT" });
    const cases: [string, string, string][] = [
      ...["none", "None", "NONE", "nOnE", ""].flatMap((alg): [string, string, string][] => [
        [`alg "${alg}", no signature`, `${json({ alg, typ: "JWT" })}.${json(claims())}.`, "TOKEN_INVALID"],
        [
          `alg "${alg}", a valid token's signature`,
          `${json({ alg })}.${json(claims())}.${s}`,
          "TOKEN_INVALID",
        ],
      ]),
      ["HS256 without a signature", `${h}.${p}.`, "TOKEN_INVALID"],
      ["another token's signature", `${h}.${p}.${otherSig}`, "TOKEN_INVALID"],
      ["payload tampered: sub", `${h}.${json({ ...decode(p), sub: "admin" })}.${s}`, "TOKEN_INVALID"],
      ["payload tampered: rooms", `${h}.${json({ ...decode(p), rooms: ["*"] })}.${s}`, "TOKEN_INVALID"],
      ["payload tampered: exp", `${h}.${json({ ...decode(p), exp: now() + 1e6 })}.${s}`, "TOKEN_INVALID"],
      ["signed with an empty secret", hsToken(hsHeader, claims(), ""), "TOKEN_INVALID"],
      [
        "signed with the secret's prefix",
        hsToken(hsHeader, claims(), TEST_SECRET.slice(0, -1)),
        "TOKEN_INVALID",
      ],
      [
        "duplicate alg, none last",
        hsToken('{"alg":"HS256","alg":"none"}', claims(), TEST_SECRET),
        "TOKEN_INVALID",
      ],
      [
        "crit header naming an unknown extension",
        hsToken(JSON.stringify({ alg: "HS256", crit: ["x-evil"], "x-evil": 1 }), claims(), TEST_SECRET),
        "TOKEN_INVALID",
      ],
      [
        "b64: false (RFC 7797) header",
        hsToken(JSON.stringify({ alg: "HS256", b64: false, crit: ["b64"] }), claims(), TEST_SECRET),
        "TOKEN_INVALID",
      ],
      [
        "jku pointing at an attacker",
        hsToken(JSON.stringify({ alg: "RS256", jku: attackerUrl }), claims(), TEST_SECRET),
        "TOKEN_INVALID",
      ],
      [
        "x5u pointing at an attacker",
        hsToken(JSON.stringify({ alg: "HS256", x5u: attackerUrl }), claims(), "x"),
        "TOKEN_INVALID",
      ],
      [
        "kid path traversal, empty-secret HMAC",
        hsToken(JSON.stringify({ alg: "HS256", kid: "../../../../dev/null" }), claims(), ""),
        "TOKEN_INVALID",
      ],
      [
        "expired 60 s ago (tolerance 5 s)",
        hsToken(hsHeader, claims({ exp: now() - 60 }), TEST_SECRET),
        "TOKEN_EXPIRED",
      ],
      ["nbf 60 s ahead", hsToken(hsHeader, claims({ nbf: now() + 60 }), TEST_SECRET), "TOKEN_INVALID"],
      ["wrong issuer", hsToken(hsHeader, claims({ iss: "evil.example" }), TEST_SECRET), "TOKEN_INVALID"],
      ["no issuer", hsToken(hsHeader, claims({ iss: undefined }), TEST_SECRET), "TOKEN_INVALID"],
      ["wrong audience", hsToken(hsHeader, claims({ aud: ["other", "apps"] }), TEST_SECRET), "TOKEN_INVALID"],
      [
        "exp as a string",
        hsToken(hsHeader, claims({ exp: String(now() + 600) }), TEST_SECRET),
        "TOKEN_INVALID",
      ],
      ["no exp", hsToken(hsHeader, claims({ exp: undefined }), TEST_SECRET), "TOKEN_INVALID"],
      ["no sub", hsToken(hsHeader, claims({ sub: undefined }), TEST_SECRET), "TOKEN_INVALID"],
      ["sub a number", hsToken(hsHeader, claims({ sub: 42 }), TEST_SECRET), "TOKEN_INVALID"],
      ["sub empty", hsToken(hsHeader, claims({ sub: "" }), TEST_SECRET), "TOKEN_INVALID"],
      ["sub a glob", hsToken(hsHeader, claims({ sub: "*" }), TEST_SECRET), "TOKEN_INVALID"],
      ["sub with a hash tag", hsToken(hsHeader, claims({ sub: "{u1}" }), TEST_SECRET), "TOKEN_INVALID"],
      ["sub of 10 KB", hsToken(hsHeader, claims({ sub: "u".repeat(10_000) }), TEST_SECRET), "TOKEN_INVALID"],
      ["rooms not a list", hsToken(hsHeader, claims({ rooms: { "*": true } }), TEST_SECRET), "TOKEN_INVALID"],
      ["roles with a glob", hsToken(hsHeader, claims({ roles: ["admin*"] }), TEST_SECRET), "TOKEN_INVALID"],
      [
        "token of 8193 characters (limit 8192)",
        `${h}.${"x".repeat(8193 - h.length - s.length - 2)}.${s}`,
        "TOKEN_INVALID",
      ],
      ["token of 900 KB", `${h}.${b64("x".repeat(675_000))}.${s}`, "TOKEN_INVALID"],
      ["four segments", `${valid}.${s}`, "TOKEN_INVALID"],
      ["a JWE (five segments)", `${h}.${p}.${s}.${s}.${s}`, "TOKEN_INVALID"],
      ["padding added", `${h}=.${p}.${s}`, "TOKEN_INVALID"],
      ["whitespace around", ` ${valid} `, "TOKEN_INVALID"],
    ];
    const results = await Promise.all(cases.map(([, token, code]) => refused(hs, token, code)));
    expect(results.map((r, i) => `${cases[i]?.[0]}: ${r}`)).toEqual(
      cases.map(([name, , code]) => `${name}: ${code}`),
    );
    expect(attackerHits).toBe(0);
  });

  it("applies the clock tolerance exactly: 3 s past exp or before nbf still connects", async () => {
    const header = JSON.stringify({ alg: "HS256", typ: "JWT" });
    for (const token of [
      hsToken(header, claims({ exp: now() - 3 }), TEST_SECRET),
      hsToken(header, claims({ nbf: now() + 3 }), TEST_SECRET),
    ]) {
      const client = await connectClient(hs.url, token);
      expect((await client.call("hello", {})).userId).toBe("u1");
      client.close();
    }
  });

  it("refuses the same attacks in the in-band auth frame; the socket keeps its identity and expiry", async () => {
    const token = await createDevToken({
      sub: "u1",
      secret: TEST_SECRET,
      issuer: ISS,
      audience: AUD,
      ttl: 600,
    });
    const client = await connectClient(hs.url, token);
    const hello = await client.call("hello", {});
    const header = JSON.stringify({ alg: "HS256", typ: "JWT" });
    const [h, p, s] = token.split(".") as [string, string, string];
    const attacks: [string, string][] = [
      [`${json({ alg: "none" })}.${json(claims({ exp: now() + 1e6 }))}.`, "TOKEN_INVALID"],
      [`${h}.${json({ ...decode(p), exp: now() + 1e6 })}.${s}`, "TOKEN_INVALID"],
      [hsToken(header, claims({ sub: "u2", exp: now() + 1e6 }), TEST_SECRET), "TOKEN_INVALID"],
      [hsToken(header, claims({ exp: now() - 60 }), TEST_SECRET), "TOKEN_EXPIRED"],
      [hsToken(header, claims({ aud: "other", exp: now() + 1e6 }), TEST_SECRET), "TOKEN_INVALID"],
      ["x".repeat(9000), "TOKEN_INVALID"],
      ["", "TOKEN_MISSING"],
    ];
    for (const [attack, code] of attacks) {
      tally.tried++;
      const reply = await client.request("auth", { token: attack });
      if (reply.ok) tally.wronglyAccepted++;
      else tally.refused++;
      expect(reply).toMatchObject({ ok: false, error: { code } });
    }
    const again = await client.call("hello", {});
    expect(again.userId).toBe("u1");
    expect(again.expiresAt).toBe(hello.expiresAt);
    const fresh = await createDevToken({
      sub: "u1",
      secret: TEST_SECRET,
      issuer: ISS,
      audience: AUD,
      ttl: 1200,
    });
    expect((await client.call("auth", { token: fresh })).expiresAt).toBeGreaterThan(hello.expiresAt ?? 0);
    client.close();
  });

  it("fuzzer: a valid token mutated anywhere is refused unless it still decodes to the same bytes", async () => {
    const valid = await createDevToken({ sub: "u1", secret: TEST_SECRET, issuer: ISS, audience: AUD });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    const edit = fc.record({
      at: fc.nat({ max: valid.length - 1 }),
      kind: fc.constantFrom("replace", "insert", "delete", "swap-segments"),
      char: fc.constantFrom(...alphabet.split("")),
    });
    const mutated = fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
      let token = valid;
      for (const e of edits) {
        const at = Math.min(e.at, token.length - 1);
        if (e.kind === "replace") token = token.slice(0, at) + e.char + token.slice(at + 1);
        if (e.kind === "insert") token = token.slice(0, at) + e.char + token.slice(at);
        if (e.kind === "delete") token = token.slice(0, at) + token.slice(at + 1);
        if (e.kind === "swap-segments") {
          const [a = "", b = "", c = ""] = token.split(".");
          token = [b, a, c].join(".");
        }
      }
      return token;
    });
    const sameBytes = (token: string) => {
      const parts = token.split(".");
      const originals = valid.split(".");
      return (
        parts.length === 3 &&
        /^[A-Za-z0-9_-]*$/.test(parts.join("")) &&
        parts.every((part, i) =>
          Buffer.from(part, "base64url").equals(Buffer.from(originals[i] ?? "", "base64url")),
        )
      );
    };
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async (token) => {
        tally.tried++;
        try {
          const client = await connectClient(hs.url, token);
          client.close();
          accepted++;
          if (sameBytes(token)) tally.sameBytesAccepted++;
          else tally.wronglyAccepted++;
          return sameBytes(token);
        } catch (error) {
          tally.refused++;
          return error instanceof ReplyError && ["TOKEN_INVALID", "TOKEN_MISSING"].includes(error.error.code);
        }
      }),
      { numRuns: 300, seed: 20_251_111 },
    );
    expect(accepted).toBeLessThan(300);
  });
});

describe("RS256 relay", () => {
  it("refuses HS/RS confusion with the public key in every encoding, and foreign keys", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const pem = await exportSPKI(publicKey);
    rs = await startTestRelay({ auth: { publicKey: pem } });
    const good = await new SignJWT({ sub: "u1" })
      .setProtectedHeader({ alg: "RS256" })
      .setExpirationTime("1h")
      .sign(privateKey);
    const client = await connectClient(rs.url, good);
    client.close();
    const der = createPublicKey(pem).export({ type: "spki", format: "der" });
    const jwk = JSON.stringify(await exportJWK(publicKey));
    const header = (alg: string) => JSON.stringify({ alg, typ: "JWT" });
    const body = { sub: "u1", exp: now() + 600 };
    const foreign = await generateKeyPair("RS256", { extractable: true });
    const es = await generateKeyPair("ES256");
    const cases: [string, string][] = [
      ["HS256 keyed with the PEM", hsToken(header("HS256"), body, pem)],
      ["HS256 keyed with the PEM, no trailing newline", hsToken(header("HS256"), body, pem.trim())],
      ["HS384 keyed with the PEM", hsToken(header("HS384"), body, pem, "sha384")],
      ["HS512 keyed with the PEM", hsToken(header("HS512"), body, pem, "sha512")],
      ["HS256 keyed with the DER bytes", hsToken(header("HS256"), body, der)],
      ["HS256 keyed with the JWK JSON", hsToken(header("HS256"), body, jwk)],
      [
        "RS256 signed by another key",
        await new SignJWT(body).setProtectedHeader({ alg: "RS256" }).sign(foreign.privateKey),
      ],
      [
        "RS256 by another key, its public key embedded (jwk header)",
        await new SignJWT(body)
          .setProtectedHeader({ alg: "RS256", jwk: await exportJWK(foreign.publicKey) })
          .sign(foreign.privateKey),
      ],
      [
        "RS256 by another key, jku at an attacker",
        await new SignJWT(body)
          .setProtectedHeader({ alg: "RS256", jku: attackerUrl, kid: "k" })
          .sign(foreign.privateKey),
      ],
      ["ES256 token", await new SignJWT(body).setProtectedHeader({ alg: "ES256" }).sign(es.privateKey)],
      ["alg none", `${json({ alg: "none" })}.${json(body)}.`],
    ];
    const results = await Promise.all(cases.map(([, token]) => refused(rs, token, "TOKEN_INVALID")));
    expect(results.map((r, i) => `${cases[i]?.[0]}: ${r}`)).toEqual(
      cases.map(([name]) => `${name}: TOKEN_INVALID`),
    );
    expect(attackerHits).toBe(0);
  });
});

function decode(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, "base64url").toString()) as Record<string, unknown>;
}
