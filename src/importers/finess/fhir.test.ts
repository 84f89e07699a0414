import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Location, Organization } from '@medplum/fhirtypes';
import {
  CAPACITY_STATUS,
  DATA_ORIGIN_SYSTEM,
  getCapacities,
  getCommuneCog,
  getFiness,
  getIdNatSt,
  getOrganizationAddress,
  getOrganizationClosingType,
  getOrganizationIdentifier,
  getOrganizationKind,
  getOrganizationName,
  getOrganizationPeriod,
  getOrganizationTelecoms,
  getOrganizationType,
  getPosition,
  getRegion,
  setCapacities,
  setOrganizationContacts,
  validateRorResource,
} from '../../model/index.ts';
import { parseRecord } from './etalab.ts';
import { closeOrganization, closeSite, isClosed, MappingError, mergeCapacities, mergeEg, mergeEj, mergeSite } from './fhir.ts';
import { EJ, REAL_ET } from './fixtures.test-support.ts';
import { egSourceOf } from './import.ts';
import type { EgSource, EjSource } from './source.ts';

const ctx = { createdAt: '2026-05-20T08:00:00.000Z' };

function stamped<T extends Organization | Location>(r: T): T {
  return { ...r, meta: { ...r.meta, versionId: '1', lastUpdated: '2026-05-20T08:00:00Z' } };
}

function assertValid(r: Organization | Location): void {
  assert.deepEqual(validateRorResource(stamped(r)), [], `${r.resourceType}/${r.id ?? ''} is not a valid ROR resource`);
}

function fleyriat(overrides: Partial<EgSource> = {}): EgSource {
  const r = parseRecord(REAL_ET.fleyriat, 2);
  if (r.type !== 'structureet') throw new Error('fixture');
  return { ...egSourceOf(r.et, { lon: 5.209181131088135, lat: 46.22228571503296 }), ...overrides };
}

function bourgEj(overrides: Partial<EjSource> = {}): EjSource {
  const r = parseRecord(EJ.bourg, 2);
  if (r.type !== 'structureej') throw new Error('fixture');
  return {
    finess: r.ej.nofiness,
    name: r.ej.rs,
    longName: r.ej.rslongue,
    additionalName: r.ej.complrs,
    address: r.ej.address,
    telephone: r.ej.telephone,
    telecopie: undefined,
    statutJuridique: { code: r.ej.statutjuridique, display: r.ej.libstatutjuridique },
    siren: r.ej.siren,
    creationDate: r.ej.datecrea,
    closingDate: undefined,
    ...overrides,
  };
}

test('an EJ becomes a valid ROROrganization with FINESS, idNatSt and SIREN identifiers and its statut juridique', () => {
  const org = mergeEj(undefined, bourgEj(), ctx);
  assertValid(org);
  assert.equal(org.id, 'ej-010780054');
  assert.equal(getOrganizationKind(org), 'EJ');
  assert.equal(getFiness(org), '010780054');
  assert.equal(getIdNatSt(org), '1010780054');
  assert.equal(getOrganizationIdentifier(org, 'siren'), '260100045');
  assert.equal(getOrganizationType(org, 'statutJuridiqueINSEE')?.code, '13');
  assert.equal(org.name, 'CENTRE HOSPITALIER DE BOURG-EN-BRESSE');
  assert.equal(getOrganizationAddress(org)?.inseeCode, '01451');
  assert.equal(getRegion(org), '84');
  assert.ok(org.meta?.tag?.some((t) => t.system === DATA_ORIGIN_SYSTEM && t.code === 'finess'));
  assert.equal(org.active, true);
});

test('an EG becomes a valid ROROrganization part of its EJ, with category, SPH, alias, phone and fax', () => {
  const org = mergeEg(undefined, fleyriat(), ctx);
  assertValid(org);
  assert.equal(org.id, 'eg-010000024');
  assert.equal(getOrganizationKind(org), 'EG');
  assert.equal(getIdNatSt(org), '1010000024');
  assert.equal(getOrganizationIdentifier(org, 'siret'), '26010004500012');
  assert.equal(org.partOf?.reference, 'Organization/ej-010780054');
  assert.equal(getOrganizationType(org, 'categorieEtablissement')?.code, '355');
  assert.equal(getOrganizationType(org, 'sphParticipation')?.code, '1');
  assert.deepEqual(getOrganizationName(org), { name: 'CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT' });
  assert.deepEqual(org.alias, ['CH DE FLEYRIAT']);
  assert.deepEqual(
    getOrganizationTelecoms(org).map((t) => [t.system, t.value, t.channel, t.confidentiality]),
    [
      ['phone', '0474454647', '2', '1'],
      ['fax', '0474454114', '6', '1'],
    ],
  );
  assert.deepEqual(getOrganizationPeriod(org), { start: '1979-02-13' });
  const address = getOrganizationAddress(org);
  assert.equal(address?.inseeCode, '01451');
  assert.equal(address?.postalCode, '01440');
  assert.equal(address?.text, '900 RTE DE PARIS');
  assert.deepEqual(address?.geolocation, { latitude: 46.2222857, longitude: 5.2091811 });
});

test('the EG site Location is valid, positioned in WGS84, managed by the EG, with its commune', () => {
  const loc = mergeSite(undefined, fleyriat(), ctx);
  assertValid(loc);
  assert.equal(loc.id, 'site-010000024');
  assert.equal(loc.status, 'active');
  assert.equal(loc.managingOrganization?.reference, 'Organization/eg-010000024');
  assert.equal(getCommuneCog(loc), '01451');
  assert.deepEqual(getPosition(loc), { latitude: 46.2222857, longitude: 5.2091811 });
  assert.equal(getRegion(loc), '84');
});

test('a mobile number is a mobile channel; a category outside JDV_J55 is refused with a reason', () => {
  const mobile = mergeEg(undefined, fleyriat({ telephone: '0612345678', telecopie: undefined }), ctx);
  assert.equal(getOrganizationTelecoms(mobile)[0]?.channel, '1');
  assert.throws(() => mergeEg(undefined, fleyriat({ category: { code: '999', display: undefined } }), ctx), (e: unknown) => {
    assert.ok(e instanceof MappingError);
    assert.match(e.message, /EG 010000024: .*999.*J55/);
    return true;
  });
});

test('an unmappable SPH code is left out rather than refused', () => {
  const org = mergeEg(undefined, fleyriat({ sph: { code: '8', display: undefined } }), ctx);
  assert.equal(getOrganizationType(org, 'sphParticipation'), undefined);
  assertValid(org);
});

test('merging the same FINESS data into the stored version changes nothing, even after referents edited it', () => {
  const first = stamped(mergeEg(undefined, fleyriat(), { createdAt: '2026-01-01T00:00:00Z' }));
  setOrganizationContacts(first, [{ confidentiality: '2', purpose: '04', telecoms: [{ value: '0474000000', channel: '2', confidentiality: '2' }] }]);
  first.alias = ['HÔPITAL FLEYRIAT'];
  first.identifier = [{ system: 'urn:example:local', value: 'X1' }, ...(first.identifier ?? [])];
  first.meta = { ...first.meta, tag: [{ system: 'urn:example:tag', code: 'kept' }, ...(first.meta?.tag ?? [])] };
  first.extension = [...(first.extension ?? []), { url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization-comment', valueString: 'référent' }];
  const again = mergeEg(first, fleyriat(), ctx);
  assert.deepEqual(again, first, 'same FINESS data → identical resource (creation date, alias, contacts, order kept)');
  const changed = mergeEg(first, fleyriat({ telephone: '0474999999', name: 'CH FLEYRIAT' }), ctx);
  assert.equal(getOrganizationTelecoms(changed)[0]?.value, '0474999999');
  assert.deepEqual(changed.alias, ['HÔPITAL FLEYRIAT'], 'the referent alias stays');
  assert.deepEqual(changed.contact, first.contact);
  assert.equal(changed.identifier?.[0]?.value, 'X1');
});

test('a site without a new position keeps the stored one', () => {
  const first = mergeSite(undefined, fleyriat(), ctx);
  const again = mergeSite(first, fleyriat({ position: undefined }), ctx);
  assert.deepEqual(getPosition(again), getPosition(first));
  const eg = mergeEg(mergeEg(undefined, fleyriat(), ctx), fleyriat({ position: undefined }), ctx);
  assert.deepEqual(getOrganizationAddress(eg)?.geolocation, { latitude: 46.2222857, longitude: 5.2091811 });
});

test('closing sets the period end, closing type and inactive state; FINESS data reopens it', () => {
  const org = mergeEg(undefined, fleyriat(), ctx);
  assert.equal(isClosed(org), false);
  const closed = closeOrganization(org, '2026-07-01');
  assertValid(closed);
  assert.equal(isClosed(closed), true);
  assert.deepEqual(getOrganizationPeriod(closed), { start: '1979-02-13', end: '2026-07-01' });
  assert.equal(getOrganizationClosingType(closed)?.code, 'NDI');
  assert.equal(closed.active, false);
  const reopened = mergeEg(closed, fleyriat(), ctx);
  assert.deepEqual(reopened, org);
  assert.equal(closeSite(mergeSite(undefined, fleyriat(), ctx)).status, 'inactive');
  const closedEj = mergeEj(undefined, bourgEj({ closingDate: '2019-03-03' }), ctx);
  assert.equal(closedEj.active, false);
  assert.equal(getOrganizationPeriod(closedEj)?.end, '2019-03-03');
});

test('équipements replace the installed capacities and keep the other capacity entries in place', () => {
  const site = mergeSite(undefined, fleyriat(), ctx);
  setCapacities(site, [
    { capacityType: '01', capacityStatus: CAPACITY_STATUS.disponible, temporality: '01', nbCapacity: 3, sourceType: '02', updateDate: '2026-05-20T10:00:00Z', temporaryAssignment: '01' },
    { capacityType: '01', capacityStatus: CAPACITY_STATUS.installe, temporality: '01', nbCapacity: 70, sourceType: '01', updateDate: '2020-01-01', temporaryAssignment: '01' },
  ]);
  const code = (c: string) => ({ code: c, display: undefined });
  const merged = mergeCapacities(
    site,
    [
      { de: code('924'), ta: code('11'), client: code('711'), capinstot: 80 },
      { de: code('924'), ta: code('40'), client: code('711'), capinstot: 4 },
      { de: code('924'), ta: code('21'), client: code('436'), capinstot: 6 },
    ],
    '2024-04-22',
  );
  assertValid(merged);
  assert.deepEqual(
    getCapacities(merged).map((c) => [c.capacityType, c.capacityStatus, c.nbCapacity, c.updateDate]),
    [
      ['01', '02', 3, '2026-05-20T10:00:00Z'],
      ['01', '01', 84, '2024-04-22'],
      ['02', '01', 6, '2024-04-22'],
    ],
  );
  assert.deepEqual(mergeCapacities(merged, [], '2024-04-22').extension?.length, (merged.extension?.length ?? 0) - 2, 'no équipement left → installed entries removed');
  assert.deepEqual(mergeCapacities(merged, [{ de: code('924'), ta: code('11'), client: code('711'), capinstot: 80 }, { de: code('924'), ta: code('40'), client: code('711'), capinstot: 4 }, { de: code('924'), ta: code('21'), client: code('436'), capinstot: 6 }], '2024-04-22'), merged);
});
