/**
 * The wire contract of @shared-infra/event-bus: envelope, ids, channel names, name formats,
 * limits, error codes, the Redis glob matcher, stream positions and the socket.io frames.
 * No runtime dependencies; imported by the client, the relay and the backend library.
 */

export * from "./channels.js";
export * from "./claims.js";
export * from "./codec.js";
export * from "./envelope.js";
export * from "./errors.js";
export * from "./frames.js";
export * from "./glob.js";
export * from "./ids.js";
export * from "./latest-only.js";
export * from "./limits.js";
export * from "./names.js";
export * from "./position.js";
export * from "./rewind.js";
export * from "./sse.js";
