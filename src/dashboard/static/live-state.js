// What the wallboard knows, kept from the live stream's messages: the `snapshot` sets it all, then `call` and
// `call-removed` change one live call each and `stats` changes today's figures (src/live/figures-delta.ts says
// how). Pure (no DOM), and shared by wallboard.js and the tests, which check that the changes applied one by one
// give what a fresh snapshot gives.
'use strict';
(function (root) {
  /** An empty state: no live call, no figures yet. */
  function createLiveState() {
    return { live: new Map(), figures: null, settings: null, alerts: [] };
  }

  /**
   * Applies one message of /api/live (its type, and its data already parsed) to the state. Returns what changed,
   * for the page to redraw: 'all', 'calls', 'figures', 'alerts' (the alerts firing now), or null for nothing.
   */
  function applyLiveMessage(state, type, data) {
    switch (type) {
      case 'snapshot': {
        const { live, settings, alerts, ...figures } = data;
        state.live = new Map(live.map((call) => [call.key, call]));
        state.alerts = alerts ?? [];
        state.settings = settings ?? state.settings;
        state.figures = figures;
        return 'all';
      }
      case 'call': {
        const known = state.live.get(data.key);
        // A call message can overtake an older one (several servers, a replay): the call with more events wins.
        if (known && known.eventCount > data.eventCount) return null;
        if (data.state === 'ended') state.live.delete(data.key);
        else state.live.set(data.key, data);
        return 'calls';
      }
      case 'alerts':
        state.alerts = data.firing;
        return 'alerts';
      case 'call-removed':
        state.live.delete(data.key);
        return 'calls';
      case 'stats': {
        const { lists, ...whole } = data;
        const figures = { ...state.figures, ...whole };
        // A number is the position of a row in the list as it was; anything else is a new row.
        for (const [list, spec] of Object.entries(lists ?? {})) {
          const before = state.figures?.[list] ?? [];
          figures[list] = spec.map((item) => (typeof item === 'number' ? before[item] : item));
        }
        state.figures = figures;
        return 'figures';
      }
      default:
        return null;
    }
  }

  root.telehookLive = { createLiveState, applyLiveMessage };
})(typeof window === 'undefined' ? globalThis : window);
