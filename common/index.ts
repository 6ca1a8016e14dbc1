/**
 * The common folder (common/): runtime helpers shared by the browser SDK and the Node side, none of
 * them part of the wire contract — the one injectable clock and its timers (clock.ts), reconnect
 * backoff (backoff.ts), a tiny typed event emitter (emitter.ts) and collection helpers
 * (collections.ts). Imports nothing outside this folder and no package. Modules import the file
 * they need; this index only lists them.
 */
export * from "./backoff.js";
export * from "./clock.js";
export * from "./collections.js";
export * from "./emitter.js";
