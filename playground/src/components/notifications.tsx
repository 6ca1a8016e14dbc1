/** `notification.new` events for the signed-in user, newest first, announced politely. */
import { useEventBus } from "../bus.js";

export function Notifications() {
  const { events } = useEventBus("notification.new", null, { limit: 20 });
  return (
    <section className="panel" aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <ul className="notifications" aria-live="polite" data-testid="notifications">
        {events.length === 0 && <li className="hint">Nothing yet.</li>}
        {[...events].reverse().map((n) => (
          <li key={n.id}>
            <strong>{n.data.title}</strong> {n.data.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
