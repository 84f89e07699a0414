import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixture } from './fixtures/load.ts';
import {
  buildLocation,
  CAPACITY_STATUS,
  type CapacityEntry,
  capacityKeyOf,
  EXT,
  findCapacity,
  getCapacities,
  getCommuneCog,
  getEquipments,
  getLocationAddress,
  getLocationComment,
  getManagingOrganization,
  getOperationalStatus,
  getPosition,
  getResidentialCapacities,
  LOCATION_STATUS,
  setCapacities,
  setCommuneCog,
  setEquipments,
  setLocationComment,
  setOperationalStatus,
  setPosition,
  validateRorResource,
} from './index.ts';

const available: CapacityEntry = {
  capacityType: '01',
  capacityStatus: CAPACITY_STATUS.disponible,
  temporality: '01',
  nbCapacity: 4,
  sourceType: '01',
  gender: '01',
  updateDate: '2024-05-03T10:00:00Z',
  temporaryAssignment: '01',
  comment: 'Lits ouverts ce matin',
};

test('the Location fixture reads back commune, status, position, equipment, habitations and address', () => {
  const loc = loadFixture('location');
  assert.equal(getCommuneCog(loc), '78646');
  assert.equal(getOperationalStatus(loc)?.code, LOCATION_STATUS.operational);
  assert.deepEqual(getPosition(loc), { latitude: 48.7944, longitude: 2.1204, reliable: true });
  assert.equal(getManagingOrganization(loc), 'Organization/ror-organisation-exemple-eg');
  assert.deepEqual(getEquipments(loc), [{ type: '088', nbInService: 2, limits: [{ feature: '001', value: 250, unit: 'kg' }] }]);
  assert.deepEqual(getResidentialCapacities(loc), [{ type: '01', number: 10 }]);
  assert.equal(getLocationAddress(loc)?.streetNameBase, 'porte de Buc');
});

test('all capacity entries of the fixture are read as typed entries', () => {
  const entries = getCapacities(loadFixture('location'));
  assert.equal(entries.length, 4);
  assert.deepEqual(entries[0], {
    capacityType: '01',
    capacityStatus: '01',
    temporality: '01',
    nbCapacity: 30,
    sourceType: '02',
    updateDate: '2024-05-02T07:45:00+02:00',
    temporaryAssignment: '01',
  });
  assert.equal(entries[1]?.gender, '03');
  assert.equal(entries[2]?.closingType, '01');
  assert.equal(entries[3]?.additionalBedType, '01');
});

test('findCapacity matches the given dimensions, the omitted optional ones matching anything', () => {
  const loc = loadFixture('location');
  assert.equal(findCapacity(loc, { capacityType: '01', capacityStatus: CAPACITY_STATUS.disponible, temporality: '01' })?.nbCapacity, 3);
  assert.equal(findCapacity(loc, { capacityType: '01', capacityStatus: CAPACITY_STATUS.disponible, temporality: '01', gender: '03' })?.nbCapacity, 3);
  assert.equal(findCapacity(loc, { capacityType: '01', capacityStatus: CAPACITY_STATUS.disponible, temporality: '01', gender: '01' }), undefined);
  assert.equal(findCapacity(loc, { capacityType: '02', capacityStatus: CAPACITY_STATUS.installe, temporality: '01' }), undefined);
});

test('setCapacities replaces every entry, keeps the other extensions, and round-trips', () => {
  const loc = loadFixture('location');
  const before = loc.extension?.filter((e) => e.url !== EXT.locationSupportedCapacity).length;
  setCapacities(loc, [available]);
  assert.deepEqual(getCapacities(loc), [available]);
  assert.equal(loc.extension?.filter((e) => e.url !== EXT.locationSupportedCapacity).length, before);
  assert.deepEqual(validateRorResource(loc), []);
  setCapacities(loc, []);
  assert.deepEqual(getCapacities(loc), []);
});

test('setCapacities refuses a bad count, code or date and leaves the entries unchanged', () => {
  const loc = loadFixture('location');
  const count = getCapacities(loc).length;
  assert.throws(() => setCapacities(loc, [{ ...available, nbCapacity: -1 }]), /non-negative integer/);
  assert.throws(() => setCapacities(loc, [{ ...available, nbCapacity: 1.5 }]), /non-negative integer/);
  assert.throws(() => setCapacities(loc, [{ ...available, capacityStatus: '07' }]), /not in JDV-J188/);
  assert.throws(() => setCapacities(loc, [{ ...available, updateDate: 'yesterday' }]), /FHIR dateTime/);
  assert.equal(getCapacities(loc).length, count);
});

test('capacityKeyOf identifies an entry by its eight dimensions', () => {
  assert.equal(capacityKeyOf(available), '01|02|01|01||||01');
  assert.notEqual(capacityKeyOf(available), capacityKeyOf({ ...available, gender: '02' }));
  assert.equal(capacityKeyOf(available), capacityKeyOf({ ...available, nbCapacity: 9 }));
});

test('location setters validate their input', () => {
  const loc = loadFixture('location');
  setCommuneCog(loc, '2B033');
  assert.equal(getCommuneCog(loc), '2B033');
  assert.throws(() => setCommuneCog(loc, '2C033'), /COG commune code/);
  setOperationalStatus(loc, LOCATION_STATUS.closedTemporarily);
  assert.equal(getOperationalStatus(loc)?.display, 'Fermé temporairement');
  assert.throws(() => setOperationalStatus(loc, '9'), /not in JDV-J224/);
  setOperationalStatus(loc, LOCATION_STATUS.operational); // the fixture publishes available beds (RG_EXP_047)
  setPosition(loc, { latitude: 42.7, longitude: 9.45 });
  assert.deepEqual(getPosition(loc), { latitude: 42.7, longitude: 9.45 });
  assert.throws(() => setPosition(loc, { latitude: 95, longitude: 0 }), /Latitude out of range/);
  assert.throws(() => setEquipments(loc, [{ type: '088', nbInService: -2 }]), /non-negative integer/);
  setLocationComment(loc, 'Accès par le parking B');
  assert.equal(getLocationComment(loc), 'Accès par le parking B');
  assert.deepEqual(validateRorResource(loc), []);
});

test('buildLocation builds a valid lieu with capacities and equipment', () => {
  const loc = buildLocation({
    name: 'Réanimation polyvalente',
    identifier: '11/LIEU-1',
    externalSyncId: 'REA-01',
    externalSyncName: 'Zone réa',
    type: '001',
    operationalStatus: LOCATION_STATUS.operational,
    managingOrganization: 'Organization/eg',
    address: { houseNumber: '2', streetNameType: 'R', streetNameBase: 'Ambroise Paré', postalCode: '75010', city: 'Paris' },
    position: { latitude: 48.88, longitude: 2.35 },
    communeCog: '75110',
    telecoms: [{ value: '0140000000', channel: '2', confidentiality: '2' }],
    equipments: [{ type: '088', limits: [{ feature: '002', value: 70, unit: 'cm' }] }],
    capacities: [
      available,
      {
        capacityType: '01',
        capacityStatus: CAPACITY_STATUS.ferme,
        temporality: '01',
        nbCapacity: 2,
        sourceType: '01',
        updateDate: '2024-05-03T10:00:00Z',
        closingType: '02',
        temporaryAssignment: '01',
      },
    ],
    region: '11',
  });
  assert.equal(getCapacities(loc).length, 2);
  assert.deepEqual(validateRorResource(loc), []);
});
