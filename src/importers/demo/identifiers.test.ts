import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINESS_PATTERN } from '../../model/index.ts';
import { finessPrefix, isLuhnValid, luhnKey, syntheticFiness, syntheticRpps } from './identifiers.ts';

test('real FINESS numbers carry a valid Luhn key', () => {
  for (const finess of ['440000271', '440000289', '490000031', '010000024']) assert.ok(isLuhnValid(finess), finess);
  assert.ok(!isLuhnValid('440000272'));
  assert.equal(luhnKey('44000028'), '9');
});

test('invented FINESS numbers have the department prefix, the series and a Luhn key', () => {
  const ej = syntheticFiness('44', '8', 90_001);
  assert.match(ej, /^44890001\d$/);
  assert.ok(isLuhnValid(ej));
  assert.match(syntheticFiness('2A', '9', 12), FINESS_PATTERN);
  assert.match(syntheticFiness('974', '9', 12), /^97490012\d$/);
  assert.equal(finessPrefix('976'), '98');
  assert.throws(() => syntheticFiness('44', '9', 100_000), /does not fit 5 digits/);
  assert.throws(() => syntheticFiness('975', '9', 1), /No FINESS numbering/);
});

test('invented RPPS numbers are 11 digits in the 99 range with a Luhn key', () => {
  const demo = syntheticRpps('0', 1);
  const national = syntheticRpps('1', 1);
  assert.match(demo, /^9900000001\d$/);
  assert.notEqual(demo, national);
  assert.ok(isLuhnValid(national));
  assert.throws(() => syntheticRpps('0', 1e7), /out of range/);
});
