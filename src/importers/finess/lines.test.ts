import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLine, decodeWindows1252, readLines, type TextLine } from './lines.ts';
import { tempDir, type TempDir } from './fixtures.test-support.ts';

let dir: TempDir;
before(async () => {
  dir = await tempDir();
});
after(async () => {
  await dir.remove();
});

async function collect(path: string): Promise<TextLine[]> {
  const out: TextLine[] = [];
  for await (const line of readLines(path)) out.push(line);
  return out;
}

test('own windows-1252 table decodes 0x80–0x9F (Node 20 TextDecoder(\'latin1\') yields C1 controls there)', () => {
  const high = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
  assert.equal(
    decodeWindows1252(high),
    '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ',
  );
  const rest = Uint8Array.from({ length: 224 }, (_, i) => (i < 128 ? i : i + 32));
  assert.equal(decodeWindows1252(rest), Buffer.from(rest).toString('latin1'), 'other bytes are ISO-8859-1');
});

test('decodes valid UTF-8 as UTF-8 and falls back to windows-1252 per line', () => {
  assert.deepEqual(decodeLine(Buffer.from('Président', 'utf8')), { text: 'Président', encoding: 'utf-8' });
  assert.deepEqual(decodeLine(Uint8Array.of(0x50, 0x72, 0xe9, 0x73)), { text: 'Prés', encoding: 'windows-1252' });
  assert.deepEqual(decodeLine(Uint8Array.of(0x92, 0x41)), { text: '’A', encoding: 'windows-1252' });
});

test('streams lines with BOM stripped, CRLF normalised, mixed encodings and a last line without newline', async () => {
  const bytes = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('finess;etalab;1;2026-05-12\r\n'),
    Buffer.from('a;Hôpital\r\n', 'utf8'),
    Buffer.from([0x62, 0x3b, 0x48, 0xf4, 0x70, 0x69, 0x74, 0x61, 0x6c, 0x0d, 0x0a]), // b;Hôpital in windows-1252
    Buffer.from('\r\n'),
    Buffer.from('c;end'),
  ]);
  const lines = await collect(await dir.write('mixed.csv', bytes));
  assert.deepEqual(
    lines.map((l) => [l.number, l.text, l.encoding]),
    [
      [1, 'finess;etalab;1;2026-05-12', 'utf-8'],
      [2, 'a;Hôpital', 'utf-8'],
      [3, 'b;Hôpital', 'windows-1252'],
      [5, 'c;end', 'utf-8'],
    ],
  );
  assert.equal(lines.at(-1)?.offset, bytes.length);
});

test('joins lines split across read chunks', async () => {
  const long = 'x'.repeat(70_000);
  const content = `first\n${long}é\nlast\n`;
  const lines = await collect(await dir.write('long.csv', content));
  assert.deepEqual(
    lines.map((l) => l.text),
    ['first', `${long}é`, 'last'],
  );
  assert.equal(lines[1]?.encoding, 'utf-8');
  assert.equal(lines.at(-1)?.offset, Buffer.byteLength(content));
});
