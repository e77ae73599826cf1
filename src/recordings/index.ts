/** Recordings and voicemails: streamed from TeleCMI's play API, with Range, through an optional disk cache. */
export type { AudioAnswer, AudioSource } from './audio-source.js';
export { type CachedFile, cacheKey, createRecordingsCache, type RecordingsCache } from './disk-cache.js';
export { type RecordingsOptions, recordingsRoutes } from './routes.js';
