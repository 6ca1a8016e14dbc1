/**
 * The bytes of an SSE stream (HTML Living Standard, "Server-sent events"): fields `event`, `id`,
 * `data` and `retry`, an empty line ending each event, `:` comment lines (heartbeats). Data that
 * holds line breaks (a raw publisher's pretty-printed JSON) becomes several `data:` lines, which
 * the reader joins back with "\n". The shapes of the events are in protocol/sse.ts.
 */

const LINE_BREAK = /\r\n|\r|\n/;

export interface SseFrame {
  readonly event?: string;
  readonly id?: string;
  readonly data: string;
}

export function sseFrame(frame: SseFrame): string {
  let text = "";
  if (frame.event !== undefined) text += `event: ${frame.event}\n`;
  if (frame.id !== undefined) text += `id: ${frame.id}\n`;
  for (const line of frame.data.split(LINE_BREAK)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** The data of a `message` event: the channel and the event as published, never re-serialised. */
export function messageData(channel: string, raw: string): string {
  return `{"channel":${JSON.stringify(channel)},"message":${raw}}`;
}

/** How long the reader waits before reconnecting after the stream ends. */
export function retryField(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}

/** A comment line: ignored by readers, keeps proxies from closing an idle stream. */
export function comment(text: string): string {
  return `: ${text}\n\n`;
}
