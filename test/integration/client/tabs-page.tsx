/**
 * The page each Chromium tab of tabs-chromium.test.ts runs (bundled by the test with esbuild): a
 * bus with `shareAcrossTabs`, a plain subscription that records every `tick` in arrival order, and
 * a React tree on the same bus (useConnection, useRoom with presence) rendered into the page, so
 * the test reads what the hooks show in every tab.
 */
import { createRoot } from "react-dom/client";
import { createEventBus, type EventBus } from "../../../client/index.js";
import { shareTabs } from "../../../client/share-tabs.js";
import { EventBusProvider, useConnection, useRoom } from "../../../react/index.js";

interface TabPage {
  start(relayUrl: string, user: string): void;
  received(): number[];
  status(): string;
  pending(): number;
  debug(): string;
  publish(room: string, from: number, count: number): void;
  disconnect(): void;
  connect(): void;
}

declare global {
  interface Window {
    tabs: TabPage;
  }
}

let bus: EventBus | null = null;
const received: number[] = [];

function View() {
  const { status } = useConnection();
  const room = useRoom("photo:1", { presence: true });
  const last = (room.last?.data as { i?: number } | undefined)?.i;
  return (
    <div>
      <p data-testid="status">{status}</p>
      <p data-testid="room">{room.status}</p>
      <p data-testid="last">{last ?? "none"}</p>
      <p data-testid="members">{room.members.length}</p>
      <p data-testid="gaps">{room.gaps}</p>
    </div>
  );
}

window.tabs = {
  start(relayUrl, user) {
    const shared = createEventBus({
      url: relayUrl,
      getToken: () => fetch(`/token?user=${user}`).then((r) => r.text()),
      shareAcrossTabs: shareTabs(),
      reconnect: { minDelay: 50, maxDelay: 500 },
    });
    bus = shared;
    shared.on("status", (c) => console.log(`status ${c.status} ${c.reason.code} ${c.reason.message}`));
    shared.on("error", (e) => console.log(`error ${e.code} ${e.message}`));
    shared.subscribe("tick", (event) => received.push((event.data as { i: number }).i));
    const root = document.getElementById("root");
    if (root)
      createRoot(root).render(
        <EventBusProvider bus={shared}>
          <View />
        </EventBusProvider>,
      );
  },
  received: () => [...received],
  status: () => bus?.status ?? "none",
  debug: () => JSON.stringify({ n: received.length, s: bus?.status, st: bus?.store.getState().rooms }),
  pending: () => bus?.store.getState().pending ?? -1,
  publish(room, from, count) {
    for (let i = from; i < from + count; i++)
      void bus?.publish("comment.added", { i }, { room }).catch(() => {});
  },
  disconnect: () => bus?.disconnect(),
  connect: () => bus?.connect(),
};
