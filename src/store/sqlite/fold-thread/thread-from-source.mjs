// The fold thread when telehook runs from its TypeScript source (tests, `npm run dev`): node's --import flag
// does not reach a worker's module loader, so the thread registers tsx itself before loading its entry.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
