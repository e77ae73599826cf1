/** What a supervisor did about a caller on the follow-up list. */
export interface FollowupAction {
  readonly number: string;
  /** Only `handled` so far: the caller was dealt with some other way (a note says how). */
  readonly action: 'handled';
  readonly note: string;
  /** The signed-in person's name, or "API token". */
  readonly by: string;
  readonly at: number;
}

/** A call as the follow-up list reads it: who called whom, when, and how it ended. */
export interface FollowupCall {
  readonly key: string;
  readonly startedAt: number;
  readonly direction: 'inbound' | 'outbound';
  readonly outcome: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly team: string | null;
  readonly placedBy: string | null;
  readonly answeredBy: string | null;
}

/** The follow-up list's data, as every store keeps it (part of the Store). */
export interface FollowupStore {
  /**
   * The ended calls started in [from, to) that concern a caller with a missed, abandoned or voicemail inbound call
   * in that period: those inbound calls, the caller's other inbound calls, and the outbound calls to their number,
   * oldest first.
   */
  listFollowupCalls(period: { from: number; to: number }): Promise<FollowupCall[]>;
  /** Keeps what a supervisor did about a caller. */
  recordFollowupAction(action: FollowupAction): Promise<void>;
  /** What supervisors did since `from` (at or after), oldest first; only about `number` when given. */
  listFollowupActions(query: { from: number; number?: string }): Promise<FollowupAction[]>;
}
