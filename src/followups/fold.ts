import type { FollowupAction, FollowupCall } from '../store/index.js';

/** One unanswered call of a caller (missed, abandoned or voicemail). */
export interface UnansweredCall {
  readonly key: string;
  readonly at: number;
  readonly outcome: string;
}

/** A call back to the caller (an outbound call to their number), answered or not. */
export interface CallbackAttempt {
  readonly key: string;
  readonly at: number;
  readonly by: string | null;
  readonly answered: boolean;
}

/** What cleared an entry: a call back that was answered, the caller calling again and being answered, or a person. */
export interface Clearing {
  readonly how: 'called-back' | 'called-again' | 'handled';
  readonly at: number;
  /** The call that cleared it (null when a person marked it handled). */
  readonly key: string | null;
  /** The agent on that call, or the person who marked it handled. */
  readonly by: string | null;
  /** The person's note (null for a call). */
  readonly note: string | null;
}

/**
 * One caller to call back: their unanswered calls since they were last reached, the team, the attempts to call
 * them back, and, once done, what cleared it.
 */
export interface Followup {
  readonly number: string;
  readonly status: 'open' | 'done';
  readonly team: string | null;
  readonly count: number;
  readonly first: UnansweredCall;
  readonly last: UnansweredCall;
  readonly calls: UnansweredCall[];
  readonly attempts: CallbackAttempt[];
  readonly clearedBy: Clearing | null;
}

const UNANSWERED = new Set(['missed', 'abandoned', 'voicemail']);

interface Draft {
  number: string;
  team: string | null;
  calls: UnansweredCall[];
  attempts: CallbackAttempt[];
}

/**
 * The follow-up list, worked out from the calls (oldest first) and what people did: one entry per caller and
 * stretch of unanswered calls. An entry opens with a caller's first unanswered inbound call and gathers the next
 * ones; an unanswered call back is shown as an attempt and leaves it open; an answered call back, an answered call
 * from the caller, or a person marking it handled clears it. A later unanswered call opens a new entry. Open
 * entries come first, newest unanswered call first; then the done ones, most recently cleared first.
 */
export function foldFollowups(
  calls: readonly FollowupCall[],
  actions: readonly FollowupAction[],
): Followup[] {
  const open = new Map<string, Draft>();
  const done: Followup[] = [];
  const close = (draft: Draft, clearing: Clearing): void => {
    open.delete(draft.number);
    done.push(toFollowup(draft, clearing));
  };
  // Calls and actions in time order; at the same instant a call comes first (a mark after a call back it saw).
  const steps = [
    ...calls.map((call) => ({ at: call.startedAt, call, action: null })),
    ...actions.map((action) => ({ at: action.at, call: null, action })),
  ].sort((a, b) => a.at - b.at || (a.call ? 0 : 1) - (b.call ? 0 : 1));
  for (const { call, action } of steps) {
    if (action) {
      const draft = open.get(action.number);
      if (draft) close(draft, { how: 'handled', at: action.at, key: null, by: action.by, note: action.note });
      continue;
    }
    if (!call) continue;
    if (call.direction === 'inbound' && call.from !== null) {
      const draft = open.get(call.from);
      if (call.outcome !== null && UNANSWERED.has(call.outcome)) {
        const entry = draft ?? { number: call.from, team: null, calls: [], attempts: [] };
        entry.calls.push({ key: call.key, at: call.startedAt, outcome: call.outcome });
        entry.team = call.team ?? entry.team;
        open.set(call.from, entry);
      } else if (draft && call.outcome === 'answered') {
        close(draft, {
          how: 'called-again',
          at: call.startedAt,
          key: call.key,
          by: call.answeredBy,
          note: null,
        });
      }
    } else if (call.direction === 'outbound' && call.to !== null) {
      const draft = open.get(call.to);
      if (!draft) continue;
      const answered = call.outcome === 'answered';
      draft.attempts.push({ key: call.key, at: call.startedAt, by: call.placedBy, answered });
      if (answered)
        close(draft, {
          how: 'called-back',
          at: call.startedAt,
          key: call.key,
          by: call.placedBy,
          note: null,
        });
    }
  }
  const stillOpen = [...open.values()].map((draft) => toFollowup(draft, null));
  stillOpen.sort((a, b) => b.last.at - a.last.at);
  done.sort((a, b) => b.clearedBy!.at - a.clearedBy!.at);
  return [...stillOpen, ...done];
}

function toFollowup(draft: Draft, clearing: Clearing | null): Followup {
  return {
    number: draft.number,
    status: clearing ? 'done' : 'open',
    team: draft.team,
    count: draft.calls.length,
    first: draft.calls[0]!,
    last: draft.calls.at(-1)!,
    calls: draft.calls,
    attempts: draft.attempts,
    clearedBy: clearing,
  };
}
