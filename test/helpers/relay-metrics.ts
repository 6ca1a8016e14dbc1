/** Reading a relay's `/metrics` (Prometheus text) as an operator would, for tests. */

/** Sum of a metric's samples in the relay's /metrics whose labels contain `labels` (e.g. `reason="SLOW_CONSUMER"`). */
export async function metric(url: string, name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    if (labels && !(match[2] ?? "").includes(labels)) continue;
    sum += Number(match[3]);
  }
  return sum;
}
