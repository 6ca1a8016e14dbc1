/**
 * The socket.io packet of an `m` frame (protocol 3, docs/protocol.md): `2["m",<channel>,<message>]`,
 * or `2["m",<channel>,<message>,<after>]`, with the message's JSON text — validated once per relay
 * by the dispatcher — spliced in as it came from the broker: never parsed again, never escaped
 * into a JSON string. What socket.io-parser would write for the parsed message, at the cost of a
 * string concatenation.
 */

/** socket.io-parser's EVENT packet type. */
const EVENT = "2";

/** The packet text for namespace `nsp` (the relay's is "/"). */
export function messagePacket(channel: string, json: string, after?: number, nsp = "/"): string {
  const head = nsp === "/" ? EVENT : `${EVENT}${nsp},`;
  const tail = after === undefined ? "]" : `,${after}]`;
  return `${head}["m",${JSON.stringify(channel)},${json}${tail}`;
}
