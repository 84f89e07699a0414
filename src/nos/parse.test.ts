import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNosJson } from './parse.ts';

test('a single JSON document is parsed as is', () => {
  assert.deepEqual(parseNosJson('{"a": "{not a brace}", "b": [1, 2]}', 'x.json'), { a: '{not a brace}', b: [1, 2] });
});

test('identical concatenated copies of a document (the J237 source defect) collapse into one', () => {
  const doc = '{"resourceType": "ValueSet", "id": "JDV-J237-RegionOM-ROR", "x": "a \\" quote"}';
  assert.deepEqual(parseNosJson(`${doc}\n${doc}\n`, 'JDV_J237.json'), { resourceType: 'ValueSet', id: 'JDV-J237-RegionOM-ROR', x: 'a " quote' });
});

test('concatenated documents that differ are refused', () => {
  assert.throws(() => parseNosJson('{"v": 1}{"v": 2}', 'x.json'), /holds 2 different JSON documents/);
});

test('an empty file, truncated JSON or stray text are refused with the file name', () => {
  assert.throws(() => parseNosJson('  ', 'empty.json'), /empty\.json is empty/);
  assert.throws(() => parseNosJson('{"a": 1', 'cut.json'), /cut\.json: truncated JSON/);
  assert.throws(() => parseNosJson('{"a": 1} trailing', 'junk.json'), /junk\.json: unexpected "t"/);
  assert.throws(() => parseNosJson('{"a": }', 'bad.json'), /bad\.json is not valid JSON/);
});
