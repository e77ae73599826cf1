import { createHash } from 'node:crypto';

const SAMPLE_RATE = 8000;

/**
 * A small valid WAV file (RIFF, PCM, 8 kHz, 16-bit, mono) standing in for a recording: a tone whose pitch comes
 * from the file name, so that two files differ and a byte range can be checked against the whole. The fake has no
 * MP3 encoder, so a `.mp3` name gets WAV bytes too, served as `audio/wav`.
 *
 * @example
 * sampleAudio('1634720915260737218351_2222223.mp3').subarray(0, 4).toString(); // 'RIFF'
 */
export function sampleAudio(file: string, seconds = 1): Buffer {
  const hash = createHash('sha256').update(file).digest();
  const frequency = 300 + (hash.readUInt16BE(0) % 600);
  const samples = Math.round(SAMPLE_RATE * seconds);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) {
    // A short fade in and out, so the tone does not click.
    const envelope = Math.min(1, i / 400, (samples - i) / 400);
    data.writeInt16LE(
      Math.round(8000 * envelope * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE)),
      i * 2,
    );
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A `Range` header's single byte range over `size` bytes; `unsatisfiable` when it starts past the end. */
export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * Reads `bytes=a-b`, `bytes=a-` and `bytes=-n` (one range; a list of ranges is answered whole, as servers may).
 * Null means "send the whole file".
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}
