export { EVENT_COLUMNS } from '../../stored-event.js';
