import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCsvCell, parseCsvLine } from './csv.ts';
import { REAL_ET } from './fixtures.test-support.ts';

test('splits on semicolons and keeps empty cells, including the trailing one', () => {
  assert.deepEqual(parseCsvLine('a;;b;'), { ok: true, cells: ['a', '', 'b', ''] });
  assert.deepEqual(parseCsvLine(''), { ok: true, cells: [''] });
});

test('unquotes fields with doubled quotes, as in the real Mayotte line', () => {
  const r = parseCsvLine(REAL_ET.mavouna);
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.cells[3], 'LIEU DE VIE "MAVOUNA MEMA 1"');
  assert.equal(r.cells[4], 'LIEU DE VIE ET D\'ACCUEIL "MAVOUNA MEMA 1"');
  assert.equal(r.cells[5], 'ASSOCIATION MESSO');
  assert.equal(r.cells.length, 32);
});

test('keeps a separator inside a quoted field', () => {
  assert.deepEqual(parseCsvLine('x;"a;b";c'), { ok: true, cells: ['x', 'a;b', 'c'] });
  assert.deepEqual(parseCsvLine('"";""""'), { ok: true, cells: ['', '"'] });
});

test('keeps a quote inside an unquoted field literally', () => {
  assert.deepEqual(parseCsvLine('LIEU DE VIE "X";b'), { ok: true, cells: ['LIEU DE VIE "X"', 'b'] });
});

test('rejects an unterminated quoted field as a truncated line', () => {
  const r = parseCsvLine('structureet;"LIEU DE VIE ""MAVOUNA');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.reason, /unterminated quoted field in column 2/);
});

test('rejects text after a closing quote', () => {
  const r = parseCsvLine('a;"b"c;d');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.reason, /after the closing quote of column 2/);
});

test('formatCsvCell quotes only when needed and round-trips', () => {
  assert.equal(formatCsvCell('PLAIN'), 'PLAIN');
  const tricky = 'LIEU "A;B"';
  const quoted = formatCsvCell(tricky);
  assert.equal(quoted, '"LIEU ""A;B"""');
  assert.deepEqual(parseCsvLine(`${quoted};x`), { ok: true, cells: [tricky, 'x'] });
});
