import type { CallRules } from '../store/index.js';
import { chooseCallKey, identifiersOf } from './identifiers.js';
import { orphanSearch, parentSearch, pickParent } from './orphans.js';
import { projectCall } from './projector.js';

/** The rules the store applies to fold events into calls. */
export function createCallRules(options: { staleAfterMs: number }): CallRules {
  return {
    identifiersOf,
    chooseKey: chooseCallKey,
    project: (events, identifiers, key, now) =>
      projectCall(events, identifiers, key, { now, staleAfterMs: options.staleAfterMs }),
    parentSearch,
    orphanSearch,
    pickParent,
  };
}
