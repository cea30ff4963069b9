import type { Readable } from 'node:stream';

/** The bytes [start, end) of a stream, as they pass; the stream is destroyed once past `end` (or on error). */
export async function* sliceStream(stream: Readable, start: number, end: number): AsyncGenerator<Buffer> {
  let pos = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const from = Math.max(0, start - pos);
      const to = Math.min(chunk.length, end - pos);
      pos += chunk.length;
      if (to > from) yield chunk.subarray(from, to);
      if (pos >= end) break;
    }
  } finally {
    stream.destroy();
  }
}

/** The bytes [start, end) of a stream in one buffer (fewer where the stream ends first). */
export async function readStreamRange(stream: Readable, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of sliceStream(stream, start, end)) parts.push(part);
  return Buffer.concat(parts);
}

/** A buffer as a file stream delivers it: views of at most 64 KiB (fs streams' chunk, the binary scanner's batch), no copies. */
export function* chunksOf(buf: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
