import type { CallIdentifier } from '../store/index.js';
import type { CallEvent } from '../telecmi/index.js';

/**
 * The ids that tie an event to its call: conversation_uuid, call_id, request_id, parent_uid and the leg id.
 * Two events that share any of them belong to the same call; a call's key is its strongest id, so a call found
 * first by its CDR's call_id takes its conversation_uuid as key once a live event brings it.
 */
export function identifiersOf(event: CallEvent): CallIdentifier[] {
  const ids: CallIdentifier[] = [];
  const add = (id: string | null, rank: number): void => {
    if (id !== null) ids.push({ id, rank });
  };
  add(event.conversationUuid, 0);
  add(event.callId, 1);
  add(event.requestId, 2);
  add(event.parentLegId, 3);
  add(event.legId, event.leg === 'b' ? 5 : 4);
  return ids;
}

/** The key of a call from all its ids: the strongest rank, then the smallest id. Order-independent. */
export function chooseCallKey(identifiers: Iterable<CallIdentifier>): string {
  let best: CallIdentifier | null = null;
  for (const candidate of identifiers) {
    if (
      best === null ||
      candidate.rank < best.rank ||
      (candidate.rank === best.rank && candidate.id < best.id)
    )
      best = candidate;
  }
  if (best === null) throw new TypeError('A call needs at least one identifier.');
  return best.id;
}
