/**
 * getRoomMembers: who is in a room right now, as the room's browsers see it. Relays keep each
 * room's presence in the broker (one entry per connection, refreshed while it lives); this reads
 * it and aggregates per user exactly as the browser SDK does (common/members.ts). Entries of a
 * dead relay that had expired are deleted by the read, so their leave is announced here, as a
 * relay would, and every browser drops them too.
 */
import { type Member, membersByUser } from "../../common/members.js";
import type { ChannelNames } from "../../protocol/channels.js";
import { encodePresenceMessage } from "../../protocol/presence-message.js";
import type { Broker } from "../brokers/broker.js";

export type { Member };

export async function roomMembers(
  broker: Broker,
  names: ChannelNames,
  room: string,
  source: string,
): Promise<Member[]> {
  const channel = names.room(room);
  const { members, expired } = await broker.presenceList(channel);
  for (const record of expired)
    await broker.publish(channel, encodePresenceMessage("leave", record, room, source));
  return membersByUser(members);
}
