import { createReadStream } from 'node:fs';

export type LineEncoding = 'utf-8' | 'windows-1252';

export interface TextLine {
  /** 1-based line number in the file. */
  number: number;
  /** Decoded text without the line terminator (LF or CRLF) and without a leading BOM. */
  text: string;
  encoding: LineEncoding;
  /** Bytes of the file consumed up to the end of this line (for progress). */
  offset: number;
}

/** Code points of windows-1252 bytes 0x80–0x9F; the five unassigned bytes map to the C1 control of the same value (WHATWG). */
const CP1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out += String.fromCharCode(b >= 0x80 && b <= 0x9f ? (CP1252_HIGH[b - 0x80] as number) : b);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes one line: strict UTF-8 when valid, windows-1252 otherwise (FINESS files exist in both). */
export function decodeLine(bytes: Uint8Array): { text: string; encoding: LineEncoding } {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'), encoding: 'utf-8' };
  try {
    return { text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Streams the lines of a file without loading it whole: splits on LF, drops a trailing CR,
 * strips a UTF-8 BOM on line 1 and decodes every line on its own. Empty lines are skipped
 * (their numbers are still counted).
 */
export async function* readLines(path: string): AsyncGenerator<TextLine> {
  let pending: Buffer[] = [];
  let number = 0;
  let offset = 0;
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });

  function makeLine(raw: Buffer, end: number): TextLine | undefined {
    number += 1;
    let bytes = raw;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    if (number === 1 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (bytes.length === 0) return undefined;
    const { text, encoding } = decodeLine(bytes);
    return { number, text, encoding, offset: end };
  }

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    let lf = chunk.indexOf(LF, start);
    while (lf !== -1) {
      const piece = chunk.subarray(start, lf);
      const raw = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      const line = makeLine(raw, offset + lf + 1);
      if (line) yield line;
      start = lf + 1;
      lf = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
    offset += chunk.length;
  }
  if (pending.length > 0) {
    const line = makeLine(Buffer.concat(pending), offset);
    if (line) yield line;
  }
}
