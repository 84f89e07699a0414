import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from './fixtures/load.ts';
import { buildTask, getTaskInput, SYSTEM, validateRorResource } from './index.ts';

test('the Task fixture reads back its système déclarant and the path in error', () => {
  const task = loadFixture('task');
  assert.equal(getTaskInput(task, 'systemRequester'), 'IHM');
  assert.match(getTaskInput(task, 'pathElementError') ?? '', /^Organization\.type\.coding/);
  assert.equal(getTaskInput(task, 'ruleErrorId'), undefined);
});

test('buildTask produces a valid RORTask and refuses an empty système déclarant', () => {
  const input = {
    focus: 'HealthcareService/hs1',
    status: 'requested' as const,
    businessStatus: { system: SYSTEM.statutMetierAnomalie, code: '01' },
    code: { system: SYSTEM.thematiqueAnomalie, code: '06' },
    reasonCode: { system: SYSTEM.actionAnomalie, code: 'COR' },
    systemRequester: 'Santé.fr',
    ruleErrorId: 'RG_EXP_043',
    authoredOn: '2024-05-01T10:00:00+02:00',
    lastModified: '2024-05-01T10:00:00+02:00',
  };
  const task = buildTask(input);
  assert.equal(getTaskInput(task, 'ruleErrorId'), 'RG_EXP_043');
  assert.deepEqual(validateRorResource(task), []);
  assert.throws(() => buildTask({ ...input, systemRequester: '' }), /système déclarant/);
});
