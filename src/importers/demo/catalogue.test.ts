import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VALUE_SET } from '../../model/index.ts';
import { familleOfActivite, hasCode, valueSet } from '../../nos/index.ts';
import { allOfferTemplates, allStructureProfiles, offerTemplate } from './catalogue.ts';
import { PROFILE_CATEGORY } from './generated.ts';

function inValueSet(vs: string, code: string): boolean {
  return valueSet(vs).systems.some((system) => hasCode(vs, system, code));
}

test('every offer template code is in its NOS value set', () => {
  for (const t of allOfferTemplates()) {
    const checks: [string, string | undefined][] = [
      [VALUE_SET.J20, t.champ],
      [VALUE_SET.J17, t.activite],
      [VALUE_SET.J19, t.careMode],
      [VALUE_SET.J238, t.typeOffre],
      [VALUE_SET.J30, t.receptionType],
      [VALUE_SET.J18, t.equipment],
      [VALUE_SET.J210, t.specialty],
      [VALUE_SET.J229, t.profession],
      [VALUE_SET.J187, t.capacity?.nature],
      ...(t.publics ?? []).map((p): [string, string] => [VALUE_SET.J29, p]),
      ...(t.expertiseLevels ?? []).map((l): [string, string] => [VALUE_SET.J227, l]),
      ...(t.residential ?? []).map((r): [string, string] => [VALUE_SET.J32, r.type]),
    ];
    for (const [vs, code] of checks) {
      if (code !== undefined) assert.ok(inValueSet(vs, code), `${t.key}: ${code} not in ${valueSet(vs).shortId}`);
    }
  }
});

test('médico-social offers and activités have a public and a famille from the NOS hierarchy', () => {
  const activites = [
    ...allOfferTemplates().filter((t) => t.champ === '04'),
    ...allStructureProfiles().flatMap((p) =>
      p.activities.map((a) => ({ ...offerTemplate(p.offers[0]?.key ?? ''), key: a.key, activite: a.activite })),
    ),
  ];
  assert.ok(activites.length > 40);
  for (const t of activites) {
    assert.ok(inValueSet(VALUE_SET.J17, t.activite), `${t.key}: ${t.activite} not in J17`);
    if (t.champ !== '04') continue;
    assert.ok((t.publics ?? []).length > 0, `${t.key} has no public`);
    assert.ok(familleOfActivite(t.activite), `${t.key}: activité ${t.activite} has no famille`);
  }
});

test('profiles only name known offers, activités never clash with a template key, shares are sane', () => {
  const templateKeys = new Set(allOfferTemplates().map((t) => t.key));
  for (const p of allStructureProfiles()) {
    assert.ok(p.offers.length > 0, p.key);
    for (const o of p.offers) {
      assert.ok(templateKeys.has(o.key), `${p.key}: unknown offer ${o.key}`);
      assert.ok((o.p ?? 1) > 0 && (o.p ?? 1) <= 1);
    }
    for (const a of p.activities) assert.ok(!templateKeys.has(a.key) && !a.key.endsWith('-consultations'), `${p.key}: ${a.key}`);
    assert.ok(p.practitioners[0] <= p.practitioners[1] && p.size[0] <= p.size[1], p.key);
    assert.ok(inValueSet(VALUE_SET.J55, PROFILE_CATEGORY[p.key]), `${p.key}: category ${PROFILE_CATEGORY[p.key]}`);
  }
});

test('offers with live capacities are bed or place units with a sensible range', () => {
  for (const t of allOfferTemplates()) {
    if (!t.capacity) continue;
    assert.ok(t.capacity.min >= 1 && t.capacity.min <= t.capacity.max, t.key);
    if (t.residential) assert.ok(Math.abs(t.residential.reduce((a, r) => a + r.share, 0) - 1) < 1e-9, t.key);
  }
  assert.throws(() => offerTemplate('nope'), /Unknown offer template "nope"/);
});
