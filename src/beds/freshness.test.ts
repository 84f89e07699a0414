import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FRESHNESS, freshnessOf, freshnessPolicyFromEnv, refreshIntervalMs } from './freshness.ts';

const HOUR = 3_600_000;

test('a figure is fresh within its interval, stale up to twice it, then unknown; no figure is unknown', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  const at = (hoursAgo: number): string => new Date(now - hoursAgo * HOUR).toISOString();
  assert.equal(freshnessOf(at(23), now, 24 * HOUR), 'fresh');
  assert.equal(freshnessOf(at(24), now, 24 * HOUR), 'fresh');
  assert.equal(freshnessOf(at(25), now, 24 * HOUR), 'stale');
  assert.equal(freshnessOf(at(48), now, 24 * HOUR), 'stale');
  assert.equal(freshnessOf(at(49), now, 24 * HOUR), 'unknown');
  assert.equal(freshnessOf(undefined, now, 24 * HOUR), 'unknown');
  assert.equal(freshnessOf('not a date', now, 24 * HOUR), 'unknown');
});

test('the interval is the shortest of the activities, tightened by a crisis', () => {
  const policy = { ...DEFAULT_FRESHNESS, byActivity: new Map([['127', 8]]) };
  assert.equal(refreshIntervalMs(policy, [], false), 24 * HOUR);
  assert.equal(refreshIntervalMs(policy, ['354', '127'], false), 8 * HOUR);
  assert.equal(refreshIntervalMs(policy, ['354'], true), 12 * HOUR);
  assert.equal(refreshIntervalMs(policy, ['127'], true), 8 * HOUR, 'a crisis never loosens an interval');
});

test('BED_REFRESH_* variables set the policy; bad values are refused with the variable named', () => {
  const policy = freshnessPolicyFromEnv({ BED_REFRESH_HOURS: '12', BED_REFRESH_HOURS_BY_ACTIVITY: '127=6, 130=4', BED_CRISIS_REFRESH_HOURS: '4' });
  assert.equal(policy.defaultHours, 12);
  assert.deepEqual([...policy.byActivity], [['127', 6], ['130', 4]]);
  assert.equal(policy.crisisHours, 4);
  assert.deepEqual(freshnessPolicyFromEnv({}), { ...DEFAULT_FRESHNESS, byActivity: new Map() });
  assert.throws(() => freshnessPolicyFromEnv({ BED_REFRESH_HOURS: '0' }), /BED_REFRESH_HOURS: a number of hours/);
  assert.throws(() => freshnessPolicyFromEnv({ BED_REFRESH_HOURS_BY_ACTIVITY: '127:6' }), /BED_REFRESH_HOURS_BY_ACTIVITY: "activité=heures"/);
  assert.throws(() => freshnessPolicyFromEnv({ BED_CRISIS_REFRESH_HOURS: 'soon' }), /BED_CRISIS_REFRESH_HOURS/);
});
