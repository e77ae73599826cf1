import type { Call, StoredEvent } from '../store/index.js';

/** A new event, as the live stream shows it (no raw body: the call page fetches that). */
export interface EventSummary {
  readonly id: string;
  readonly kind: string;
  readonly status: string | null;
  readonly direction: string | null;
  readonly leg: string | null;
  readonly callKey: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly agent: string | null;
  readonly team: string | null;
  readonly occurredAt: number | null;
  readonly receivedAt: number;
}

/**
 * What the live stream sends. `id` is the cursor of the last event reflected, so a client that reconnects with
 * `Last-Event-ID` is sent what it missed from the store. `event`, `call` and `call-removed` are the changes, as
 * they happen; `stats` carries today's figures (everything of the snapshot but its live calls and settings);
 * `alerts` the alerts firing now, whenever they change.
 */
export type LiveMessage =
  | { readonly type: 'event'; readonly id: string; readonly data: EventSummary }
  | { readonly type: 'call'; readonly id: string | null; readonly data: Call }
  | { readonly type: 'call-removed'; readonly id: string | null; readonly data: { key: string } }
  | { readonly type: 'stats'; readonly id: string | null; readonly data: unknown }
  | {
      readonly type: 'alerts';
      readonly id: string | null;
      readonly data: { readonly firing: readonly unknown[] };
    }
  | { readonly type: 'snapshot'; readonly id: string | null; readonly data: unknown }
  // A caller's follow-up entry changed other than by a call (a person marked it handled): lists fetch it again.
  | { readonly type: 'followup'; readonly id: null; readonly data: { number: string } };

export function summariseEvent(event: StoredEvent): EventSummary {
  return {
    id: event.id,
    kind: event.kind,
    status: event.status,
    direction: event.direction,
    leg: event.leg,
    callKey: event.callKey,
    from: event.from,
    to: event.to,
    agent: event.agent,
    team: event.team,
    occurredAt: event.occurredAt,
    receivedAt: event.receivedAt,
  };
}

/** One message in the text/event-stream format. */
export function formatMessage(message: LiveMessage): string {
  const id = message.id === null ? '' : `id: ${message.id}\n`;
  return `${id}event: ${message.type}\ndata: ${JSON.stringify(message.data)}\n\n`;
}
