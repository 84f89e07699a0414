import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from './fixtures/load.ts';
import {
  DATA_ORIGIN_SYSTEM,
  getCreationDate,
  getDataOrigin,
  getRegion,
  isSynthetic,
  PROFILE,
  profileOf,
  setCreationDate,
  setDataOrigin,
  setRegion,
  setRorProfile,
  SYSTEM,
} from './index.ts';

test('creation date and region tag are read from the fixtures', () => {
  const hs = loadFixture('healthcareservice-mco');
  assert.equal(getCreationDate(hs), '2023-12-09T14:30:00+01:00');
  assert.equal(getRegion(hs), '11');
  assert.equal(getRegion(loadFixture('organization-eg')), undefined);
});

test('setRegion writes one J237 tag with its label and keeps the other tags', () => {
  const org = loadFixture('organization-eg');
  setDataOrigin(org, 'finess');
  setRegion(org, '93');
  setRegion(org, '84');
  assert.deepEqual(
    org.meta?.tag?.find((t) => t.system === SYSTEM.regionOM),
    { system: SYSTEM.regionOM, code: '84', display: 'Auvergne-Rhône-Alpes' },
  );
  assert.equal(org.meta?.tag?.length, 2);
  assert.throws(() => setRegion(org, '99'), /not in JDV-J237/);
  setRegion(org, undefined);
  assert.equal(getRegion(org), undefined);
  assert.equal(getDataOrigin(org), 'finess');
});

test('the data-origin tag uses the project code system and its three codes', () => {
  const loc = loadFixture('location');
  assert.equal(getDataOrigin(loc), undefined);
  assert.equal(isSynthetic(loc), false);
  setDataOrigin(loc, 'synthetic');
  assert.deepEqual(loc.meta?.tag, [{ system: DATA_ORIGIN_SYSTEM, code: 'synthetic' }]);
  assert.equal(DATA_ORIGIN_SYSTEM, 'urn:ror:data-origin');
  assert.equal(isSynthetic(loc), true);
  assert.throws(() => setDataOrigin(loc, 'guess' as 'sae'), /Unknown data origin/);
  setDataOrigin(loc, undefined);
  assert.equal(loc.meta?.tag, undefined);
});

test('setCreationDate refuses a value that is not a FHIR dateTime', () => {
  const p = loadFixture('practitioner');
  setCreationDate(p, '2024-02-29T23:59:59Z');
  assert.equal(getCreationDate(p), '2024-02-29T23:59:59Z');
  assert.throws(() => setCreationDate(p, '2024-02-29 23:59'), /FHIR dateTime/);
  assert.throws(() => setCreationDate(p, '2024-13-01'), /FHIR dateTime/);
});

test('setRorProfile declares the profile of the resource type once', () => {
  const task = loadFixture('task');
  setRorProfile(task);
  assert.deepEqual(task.meta?.profile, [PROFILE.task]);
  assert.equal(profileOf('Location'), 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location');
});
