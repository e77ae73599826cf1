import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { type FileHandle, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { LRUCache } from 'lru-cache';

import type { AudioAnswer } from './audio-source.js';

/** A file kept on disk. */
export interface CachedFile {
  readonly path: string;
  readonly size: number;
  readonly contentType: string;
}

/** The recordings cache: files by key, least recently played out first once `maxBytes` is reached. */
export interface RecordingsCache {
  /** The file, opened (an eviction meanwhile does not cut it), or null when not cached. */
  open(key: string): Promise<{ file: CachedFile; handle: FileHandle } | null>;
  /**
   * Downloads a whole file into the cache once, however many ask for it at the same time. `kept` is false for a
   * file bigger than the whole cache: the caller opens it, then removes it.
   */
  fill(key: string, download: () => Promise<AudioAnswer>): Promise<{ file: CachedFile; kept: boolean }>;
  readonly hits: number;
  readonly misses: number;
}

/** The cache key of a file: a hash, so that a file name from outside never becomes a path. */
export const cacheKey = (sourceId: string, file: string): string =>
  createHash('sha256').update(`${sourceId}\0${file}`).digest('hex');

/**
 * A size-capped disk cache of played files in `dir`. Each file has a `.json` beside it (its type and size), so
 * that a restart keeps what was cached; half-written `.part` files of a process that died are removed. Files of
 * one key get a fresh name at each download, so that removing an evicted one never removes its successor.
 */
export function createRecordingsCache(dir: string, maxBytes: number): RecordingsCache {
  mkdirSync(dir, { recursive: true });
  const lru = new LRUCache<string, CachedFile>({
    maxSize: maxBytes,
    sizeCalculation: (file) => Math.max(1, file.size),
    dispose: (file) => {
      rmSync(file.path, { force: true });
      rmSync(`${file.path}.json`, { force: true });
    },
  });
  const restored: { key: string; file: CachedFile; mtime: number }[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name.endsWith('.part')) rmSync(full, { force: true });
    if (!name.endsWith('.json')) continue;
    try {
      const meta = JSON.parse(readFileSync(full, 'utf8')) as { key: string; contentType: string };
      const audio = full.slice(0, -'.json'.length);
      const stat = statSync(audio);
      restored.push({
        key: meta.key,
        file: { path: audio, size: stat.size, contentType: meta.contentType },
        mtime: stat.mtimeMs,
      });
    } catch {
      rmSync(full, { force: true });
    }
  }
  for (const entry of restored.sort((a, b) => a.mtime - b.mtime)) lru.set(entry.key, entry.file);

  const filling = new Map<string, Promise<{ file: CachedFile; kept: boolean }>>();
  let hits = 0;
  let misses = 0;

  const download = async (
    key: string,
    fetchFile: () => Promise<AudioAnswer>,
  ): Promise<{ file: CachedFile; kept: boolean }> => {
    const answer = await fetchFile();
    const target = path.join(dir, `${key.slice(0, 32)}-${randomBytes(4).toString('hex')}`);
    const part = `${target}.part`;
    try {
      await pipeline(answer.body, createWriteStream(part));
      const size = statSync(part).size;
      await rename(part, target);
      const contentType = answer.contentType ?? 'application/octet-stream';
      await writeFile(`${target}.json`, JSON.stringify({ key, contentType }));
      const file = { path: target, size, contentType };
      // Bigger than the whole cache: the LRU refuses it, and the caller removes it once opened.
      lru.set(key, file);
      return { file, kept: lru.has(key) };
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
  };

  return {
    async open(key) {
      const file = lru.get(key);
      if (file === undefined) {
        misses += 1;
        return null;
      }
      try {
        const handle = await open(file.path, 'r');
        hits += 1;
        return { file, handle };
      } catch {
        // Removed behind our back (another process sharing the directory): a miss.
        lru.delete(key);
        misses += 1;
        return null;
      }
    },
    fill(key, fetchFile) {
      let pending = filling.get(key);
      if (pending === undefined) {
        pending = download(key, fetchFile).finally(() => filling.delete(key));
        filling.set(key, pending);
      }
      return pending;
    },
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
  };
}
