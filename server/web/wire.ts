/** Server-side conversion from log events to the wire shape (see common/wire.ts). */
import { eventId, type WireEvent } from "../../common/wire.ts";
import type { RoomEvent } from "../room/events.ts";

export function toWire(event: RoomEvent, epoch: string): WireEvent {
  const wire: WireEvent = {
    id: eventId(epoch, event.id),
    at: event.at,
    kind: event.kind,
  };
  if (event.from !== undefined) wire.from = event.from;
  if (event.text !== undefined) wire.text = event.text;
  if (event.door !== undefined) wire.door = event.door;
  if (event.reason !== undefined) wire.reason = event.reason;
  return wire;
}
