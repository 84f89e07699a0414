import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Location, Organization, Resource } from '@medplum/fhirtypes';
import { buildOrganization, CAPACITY_STATUS, EXT, setCapacities, setRegion } from '../model/index.ts';
import { capacity, clientPrincipal, location, SIDES, userPrincipal } from './access.test-support.ts';
import type { Anchors } from './perimeter.ts';
import { changedElements, decideWrite, forbidden, type Decision } from './policy.ts';

const anchors = (self: string, a: Partial<Omit<Anchors, 'self'>>): Anchors => ({ self, regions: [], organizations: [], services: [], locations: [], ...a });
const insideA = (self: string): Anchors => anchors(self, { regions: ['52'], organizations: [SIDES.A.eg, SIDES.A.ej] });
const insideB = (self: string): Anchors => anchors(self, { regions: ['53'], organizations: [SIDES.B.eg, SIDES.B.ej] });

const referent = userPrincipal('ref', 'referent', { organizations: [SIDES.A.ej] });
const regional52 = userPrincipal('reg', 'regional-admin', { regions: ['52'] });
const operator = userPrincipal('op', 'capacity-operator', { locations: [SIDES.A.location] });

function reason(d: Decision): string {
  assert.equal(d.allowed, false, 'denied');
  return d.allowed ? '' : d.reason;
}

const eg = (): Organization =>
  buildOrganization({ id: SIDES.A.eg, kind: 'EG', finess: '440000271', name: 'CHU A', category: '355', partOf: `Organization/${SIDES.A.ej}`, region: '52' });

test('changedElements ignores the store stamps and names extensions by url', () => {
  const before = location('A', SIDES.A.location) as Location;
  const after = structuredClone(before);
  after.meta = { ...after.meta, versionId: '7', lastUpdated: '2030-01-01T00:00:00Z' };
  assert.deepEqual(changedElements(before, after), []);
  setCapacities(after, [capacity(CAPACITY_STATUS.installe, 12)]);
  after.description = 'Au 3e étage';
  assert.deepEqual(changedElements(before, after).sort(), ['description', `extension:${EXT.locationSupportedCapacity}`]);
  setRegion(after, '53');
  assert.ok(changedElements(before, after).includes('meta'), 'a region tag change is a change');
});

test('write-capacities may change only the capacities of a Location inside its perimeter, and is told what else changed', () => {
  const before = location('A', SIDES.A.location) as Location;
  const capacitiesOnly = structuredClone(before);
  setCapacities(capacitiesOnly, [capacity(CAPACITY_STATUS.installe, 10), capacity(CAPACITY_STATUS.disponible, 0)]);
  const a = insideA(`Location/${SIDES.A.location}`);
  const own = { ...a, locations: [SIDES.A.location] };
  const attempt = (after: Resource, anchorsOf = own): Decision =>
    decideWrite(operator, { action: 'update', resourceType: 'Location', id: SIDES.A.location, before: { resource: before, anchors: anchorsOf }, after: { resource: after, anchors: anchorsOf } });
  assert.deepEqual(attempt(capacitiesOnly), { allowed: true });
  assert.match(reason(attempt({ ...capacitiesOnly, name: 'Autre nom', description: 'x' })), /modifié aussi : name, description$/);
  assert.match(reason(attempt(capacitiesOnly, a)), /hors de votre périmètre/);
  assert.match(
    reason(decideWrite(operator, { action: 'create', resourceType: 'Location', after: { resource: before, anchors: own } })),
    /capacités d’un lieu \(Location\) existant/,
  );
});

test('a referent neither creates nor deletes an EJ or EG, nor changes what FINESS owns; an administrator does', () => {
  const current = eg();
  const ownEg = insideA(`Organization/${SIDES.A.eg}`);
  assert.match(
    reason(decideWrite(referent, { action: 'create', resourceType: 'Organization', after: { resource: current, anchors: ownEg } })),
    /import FINESS ou un administrateur/,
  );
  assert.match(reason(decideWrite(referent, { action: 'delete', resourceType: 'Organization', before: { resource: current, anchors: ownEg } })), /EJ, EG/);
  const update = (after: Organization, who = referent): Decision =>
    decideWrite(who, { action: 'update', resourceType: 'Organization', before: { resource: current, anchors: ownEg }, after: { resource: after, anchors: ownEg } });
  assert.deepEqual(update({ ...current, alias: ['CHU A — Hôtel-Dieu'] }), { allowed: true });
  assert.match(reason(update({ ...current, name: 'Autre', partOf: { reference: `Organization/${SIDES.B.ej}` } })), /gérés par FINESS .* : name, partOf$/);
  assert.deepEqual(update({ ...current, name: 'Autre' }, userPrincipal('adm', 'regional-admin', { regions: ['52'] })), { allowed: true });
});

test('an update must be inside the perimeter before and after: moving out of it or into it is refused', () => {
  const oi = { resourceType: 'Organization', id: 'oi-x' } as Organization;
  const move = (from: Anchors, to: Anchors): Decision =>
    decideWrite(referent, { action: 'update', resourceType: 'Organization', before: { resource: oi, anchors: from }, after: { resource: oi, anchors: to } });
  assert.deepEqual(move(insideA('Organization/oi-x'), insideA('Organization/oi-x')), { allowed: true });
  assert.match(reason(move(insideA('Organization/oi-x'), insideB('Organization/oi-x'))), /sortirait de votre périmètre/);
  assert.match(reason(move(insideB('Organization/oi-x'), insideA('Organization/oi-x'))), /hors de votre périmètre/);
  const retagged = anchors('Organization/oi-x', { regions: ['53'] });
  assert.match(reason(decideWrite(regional52, { action: 'update', resourceType: 'Organization', before: { resource: oi, anchors: anchors('Organization/oi-x', { regions: ['52'] }) }, after: { resource: oi, anchors: retagged } })), /sortirait/);
});

test('an offer may not list a Location outside the perimeter', () => {
  const hs = { resourceType: 'HealthcareService', id: 'hs-x' } as Resource;
  const decide = (listed: Anchors[]): Decision =>
    decideWrite(referent, { action: 'create', resourceType: 'HealthcareService', after: { resource: hs, anchors: insideA('HealthcareService/') }, listedLocations: listed });
  assert.deepEqual(decide([insideA(`Location/${SIDES.A.location}`)]), { allowed: true });
  assert.match(reason(decide([insideB(`Location/${SIDES.B.location}`)])), new RegExp(`lieux hors de votre périmètre : Location/${SIDES.B.location}$`));
});

test('anyone who reads may report an anomaly on what it can read; changing a report needs write-offer on its focus', () => {
  const t = { resourceType: 'Task' } as Resource;
  const reader = userPrincipal('reader', 'reader', {});
  assert.deepEqual(decideWrite(reader, { action: 'create', resourceType: 'Task', after: { resource: t, anchors: insideB('Task/') }, focusReadable: true }), { allowed: true });
  assert.match(reason(decideWrite(reader, { action: 'create', resourceType: 'Task', after: { resource: t, anchors: insideB('Task/') }, focusReadable: false })), /focus/);
  assert.match(reason(decideWrite(reader, { action: 'delete', resourceType: 'Task', before: { resource: t, anchors: insideA('Task/t') } })), /write-offer/);
  assert.deepEqual(decideWrite(referent, { action: 'delete', resourceType: 'Task', before: { resource: t, anchors: insideA('Task/t') } }), { allowed: true });
  const writeOnly = clientPrincipal('w', ['write-offer'], { organizations: [SIDES.A.ej] });
  assert.match(reason(decideWrite(writeOnly, { action: 'create', resourceType: 'Task', after: { resource: t, anchors: insideA('Task/') }, focusReadable: true })), /portée « read »/);
});

test('a reader writes nothing, and the refusal says who, what and why in French', () => {
  const reader = userPrincipal('lecteur', 'reader', {});
  const d = decideWrite(reader, { action: 'update', resourceType: 'Location', id: 'loc-1', before: { resource: location('A', 'loc-1'), anchors: insideA('Location/loc-1') } });
  const err = forbidden(reader, 'update', 'Location/loc-1', reason(d));
  assert.equal(err.status, 403);
  assert.equal(err.issues[0]?.code, 'forbidden');
  assert.match(err.issues[0]?.diagnostics ?? '', /^Accès refusé à lecteur@example\.fr \(lecteur\) : modification de Location\/loc-1 — aucun droit d'écriture/);
});
