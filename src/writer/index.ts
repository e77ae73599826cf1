export { startWriterThread, type WriterThread } from './client.js';
