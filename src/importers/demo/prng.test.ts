import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng, WeightedSampler } from './prng.ts';

test('the same seed gives the same sequence, another seed another one', () => {
  const draw = (seed: string): number[] => {
    const rng = new Prng(seed);
    return Array.from({ length: 5 }, () => rng.next());
  };
  assert.deepEqual(draw('a'), draw('a'));
  assert.notDeepEqual(draw('a'), draw('b'));
  assert.notDeepEqual(Prng.derive('a', 'x').next(), Prng.derive('a', 'y').next());
});

test('draws stay in their ranges', () => {
  const rng = new Prng('ranges');
  for (let i = 0; i < 1000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1);
    const n = rng.int(3, 5);
    assert.ok(n >= 3 && n <= 5 && Number.isInteger(n));
  }
  assert.throws(() => rng.int(5, 3), /min <= max/);
  assert.throws(() => rng.pick([]), /empty list/);
});

test('weighted draws follow the weights', () => {
  const rng = new Prng('weights');
  const sampler = new WeightedSampler(['rare', 'common', 'never'], (x) => (x === 'rare' ? 1 : x === 'common' ? 9 : 0));
  const counts = { rare: 0, common: 0, never: 0 };
  for (let i = 0; i < 10_000; i++) counts[sampler.draw(rng) as keyof typeof counts]++;
  assert.equal(counts.never, 0);
  assert.ok(counts.common > 8500 && counts.common < 9500, String(counts.common));
  assert.throws(() => new WeightedSampler(['x'], () => 0), /positive total/);
});
