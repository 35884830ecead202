/**
 * A window of numbered lines read from an open file, chunk by chunk: memory stays at one chunk
 * plus what is shown, however large the file (a 300 MB file once cost the worker 1.35 GB).
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export interface LineWindow {
  /** First line, 1-based. */
  offset: number;
  /** How many lines. */
  limit: number;
  /** Most characters of output. */
  maxChars: number;
  /** Most bytes read to reach and show the window. */
  maxScanBytes: number;
  /** Past the window, lines are counted (for "[N lines in all]") only this far into the file. */
  maxCountBytes: number;
}

/** The lines `offset`..`offset+limit-1` as `<number>\t<line>`, with a note on what was not shown. */
export async function readNumberedLines(handle: FileHandle, size: number, w: LineWindow): Promise<string> {
  const last = w.offset + w.limit - 1;
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  const shown: string[] = [];
  let chars = 0;
  let line = 1; // the line being read
  let parts: Buffer[] = []; // its bytes, while it is in the window
  let kept = 0;
  let cut = false;
  let cappedAt: number | undefined; // the line to read on from, once the output is full
  let pos = 0;
  let eof = false;

  const show = (suffix = '') => {
    const text = `${String(line).padStart(6)}\t${Buffer.concat(parts).toString('utf8')}${suffix}`;
    shown.push(text);
    chars += text.length + 1;
    parts = [];
    kept = 0;
  };
  /** The line is complete, or the output is full: show it, or stop before it. */
  const finish = () => {
    if (!cut) return show();
    cut = false;
    if (shown.length > 0) {
      cappedAt = line; // it does not fit: the next read starts with it
      parts = [];
      kept = 0;
    } else {
      show(' … [line cut]'); // a line longer than the whole output: its head
      cappedAt = line + 1;
    }
  };
  const take = (bytes: Buffer) => {
    const room = w.maxChars - chars - kept;
    parts.push(Buffer.from(bytes.subarray(0, Math.max(0, room)))); // a copy: the chunk is reused
    kept += Math.min(bytes.length, Math.max(0, room));
    if (bytes.length > room) {
      cut = true;
      finish(); // no need to read the rest of a line that is not shown
    }
  };
  const inWindow = () => line >= w.offset && line <= last && cappedAt === undefined;

  while (cappedAt === undefined) {
    const budget = (line <= last ? w.maxScanBytes : w.maxCountBytes) - pos;
    if (budget <= 0) break;
    const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK_BYTES, budget), pos);
    if (bytesRead === 0) {
      eof = true;
      break;
    }
    pos += bytesRead;
    const data = chunk.subarray(0, bytesRead);
    for (let start = 0; ;) {
      const newline = data.indexOf(NEWLINE, start);
      if (inWindow()) take(data.subarray(start, newline === -1 ? bytesRead : newline));
      if (newline === -1) break;
      if (inWindow()) finish();
      line += 1;
      start = newline + 1;
    }
  }
  if (inWindow()) {
    if (eof)
      finish(); // the last line, with no newline after it
    else if (kept > 0) show(' … [line cut]'); // the scan stopped inside it
  }

  const body = shown.join('\n');
  if (cappedAt !== undefined) {
    return `${body}\n[output capped at ${w.maxChars} chars; read on with offset ${cappedAt}]`;
  }
  if (line > last) {
    return eof
      ? `${body}\n[${line} lines in all]`
      : `${body}\n[more lines follow; the file is ${size} bytes]`;
  }
  if (!eof) {
    const mb = Math.round(w.maxScanBytes / 2 ** 20);
    return `${body}\n[read_file reads only the first ${mb} MB of a file (this one is ${size} bytes); use bash (sed -n, tail) for the rest]`;
  }
  return body;
}
