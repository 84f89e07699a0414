import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Location, Resource, Task } from '@medplum/fhirtypes';
import { StoreError } from './errors.ts';
import type { IndexEntries } from './index-types.ts';
import { extractIndex, extractIndexInterpreted, indexingPlan } from './indexing.ts';
import { fixture, loadFixtures } from './search-parameters/fixtures/index.ts';

const TRE = (name: string): string => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;
const UCUM = 'http://unitsofmeasure.org';

type Kind = Exclude<keyof IndexEntries, 'position' | 'capacity'>;

function entries<K extends Kind>(index: IndexEntries, kind: K, code: string): Omit<IndexEntries[K][number], 'code'>[] {
  return (index[kind] as IndexEntries[K][number][]).filter((e) => e.code === code).map(({ code: _code, ...rest }) => rest);
}

function withChanges<T extends Resource>(id: string, change: (resource: T) => void): T {
  const resource = structuredClone(fixture(id)) as T;
  change(resource);
  return resource;
}

function assertUnprocessable(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StoreError, String(err));
    assert.equal(err.status, 422);
    assert.match(err.message, message);
    return true;
  });
}

describe('extractIndex', () => {
  const location = extractIndex(fixture('loc-usc-orleans'));
  const service = extractIndex(fixture('hs-neurochir-hc'));
  const eg = extractIndex(fixture('eg-quietude-bois-colombes'));

  it('indexes identifiers as system|value tokens, with a null system when the identifier has none', () => {
    assert.deepEqual(entries(location, 'token', 'identifier'), [
      { system: 'https://ror.esante.gouv.fr/location', value: '24/1073' },
      { system: null, value: '450000088/USC-CHIR' },
    ]);
    assert.deepEqual(entries(eg, 'token', 'identifier'), [
      { system: 'urn:oid:1.2.250.1.71.4.2.2', value: '1920028604' },
      { system: 'https://finess.esante.gouv.fr', value: '920028604' },
      { system: 'http://sirene.fr', value: '12345687900034' },
    ]);
  });

  it('indexes each capacity entry status once per distinct code', () => {
    const status = TRE('TRE_R330-TypeStatutCapacite');
    assert.deepEqual(entries(location, 'token', 'capacity-status'), [
      { system: status, value: '01' },
      { system: status, value: '02' },
      { system: status, value: '05' },
      { system: status, value: '06' },
    ]);
    assert.deepEqual(entries(location, 'token', 'capacity-type'), [{ system: TRE('TRE_R329-NatureCapacite'), value: '01' }]);
    assert.deepEqual(entries(location, 'token', 'capacity-closing-type'), [{ system: TRE('TRE_R333-TypeFermetureCapacite'), value: '01' }]);
    assert.deepEqual(entries(location, 'token', 'crisis-type'), [{ system: TRE('TRE_R336-TypeCrise'), value: '02' }]);
    assert.deepEqual(
      entries(location, 'token', 'temporary-assignement').map((t) => t.value),
      ['01', '02'],
    );
  });

  it('indexes capacity counts and residential numbers as numbers', () => {
    assert.deepEqual(entries(location, 'number', 'nb-capacity'), [{ value: 15 }, { value: 3 }, { value: 0 }, { value: 2 }, { value: 4 }]);
    assert.deepEqual(entries(location, 'number', 'residential-number'), [{ value: 12 }]);
  });

  it('indexes equipment types, features and limit values of nested limit extensions', () => {
    assert.deepEqual(
      entries(location, 'token', 'equipment-type').map((t) => t.value),
      ['026', '027'],
    );
    assert.deepEqual(
      entries(location, 'token', 'equipment-feature').map((t) => t.value),
      ['01', '02'],
    );
    assert.deepEqual(entries(location, 'quantity', 'limit-value'), [
      { value: 150, system: UCUM, unit: 'kg' },
      { value: 70.5, system: UCUM, unit: 'cm' },
      { value: 200, system: UCUM, unit: 'kg' },
    ]);
  });

  it('indexes the patient age range as UCUM quantities', () => {
    assert.deepEqual(entries(service, 'quantity', 'age-range-low'), [{ value: 18, system: UCUM, unit: 'a' }]);
    assert.deepEqual(entries(service, 'quantity', 'age-range-high'), [{ value: 90, system: UCUM, unit: 'a' }]);
  });

  it('indexes patient types, intervention zones, specific competences and psychiatric sectors', () => {
    assert.deepEqual(
      entries(service, 'token', 'patient-type').map((t) => t.value),
      ['10', '11'],
    );
    assert.deepEqual(entries(service, 'token', 'intervention-zone'), [
      { system: TRE('TRE_R13-CommuneOM'), value: '2A004' },
      { system: TRE('TRE_R31-DepartementOM'), value: '01' },
    ]);
    assert.deepEqual(entries(service, 'token', 'specific-competence'), [{ system: TRE('TRE_R243-CompetenceSpecifique'), value: '07' }]);
    assert.equal(entries(service, 'token', 'characteristic').length, 4);
    assert.deepEqual(entries(service, 'string', 'psychiatric-sector'), [{ value: '92G15' }, { value: 'Secteur Île-de-France 7' }]);
  });

  it('indexes dates as the instants bounding their precision, times without zone as UTC', () => {
    assert.deepEqual(entries(service, 'date', 'notavailable-closing-reopeningdate'), [
      { low: '2024-08-01T00:00:00.000Z', high: '2024-09-01T23:59:59.999Z' },
    ]);
    // 20:15:39+02:00 is the same instant as 18:15:39Z: one entry.
    assert.deepEqual(entries(location, 'date', 'capacity-update-date'), [
      { low: '2024-07-08T18:15:39.000Z', high: '2024-07-08T18:15:39.999Z' },
      { low: '2024-07-08T00:00:00.000Z', high: '2024-07-08T23:59:59.999Z' },
    ]);
    assert.deepEqual(entries(eg, 'date', 'period-end'), [{ low: '2025-06-01T00:00:00.000Z', high: '2025-06-30T23:59:59.999Z' }]);
    assert.deepEqual(entries(eg, 'date', 'price-validity-start-date'), [
      { low: '2024-01-01T00:00:00.000Z', high: '2024-01-01T23:59:59.999Z' },
      { low: '2024-02-29T23:00:00.000Z', high: '2024-02-29T23:00:00.999Z' },
    ]);
    assert.deepEqual(entries(extractIndex(fixture('prr-tenor-soins')), 'date', 'date'), [{ low: '2024-03-01T00:00:00.000Z', high: null }]);
    const task = extractIndex(fixture('task-anomalie-categorie'));
    assert.deepEqual(entries(task, 'date', 'authored-on'), [{ low: '2024-01-03T00:00:00.000Z', high: '2024-01-03T23:59:59.999Z' }]);
    assert.deepEqual(entries(task, 'date', 'modified'), [{ low: '2024-01-04T08:12:00.000Z', high: '2024-01-04T08:12:00.999Z' }]);
    assert.deepEqual(entries(task, 'date', 'period'), [{ low: '2024-01-03T08:00:00.000Z', high: '2024-02-29T23:59:59.999Z' }]);
    assert.deepEqual(entries(extractIndex(fixture('task-for-patient')), 'date', 'authored-on'), [
      { low: '2024-05-02T10:00:00.500Z', high: '2024-05-02T10:00:00.599Z' },
    ]);
    const yearOnly = withChanges<Task>('task-for-patient', (t) => {
      t.authoredOn = '2023';
      t.lastModified = '2024-02-29T23:30';
    });
    assert.deepEqual(entries(extractIndex(yearOnly), 'date', 'authored-on'), [{ low: '2023-01-01T00:00:00.000Z', high: '2023-12-31T23:59:59.999Z' }]);
    assert.deepEqual(entries(extractIndex(yearOnly), 'date', 'modified'), [{ low: '2024-02-29T23:30:00.000Z', high: '2024-02-29T23:30:59.999Z' }]);
  });

  it('indexes relative, absolute and versioned references by type and id, others raw', () => {
    assert.deepEqual(entries(location, 'reference', 'partof'), [{ targetType: 'Location', targetId: 'loc-batiment-b' }]);
    assert.deepEqual(entries(location, 'reference', 'organization'), [{ targetType: 'Organization', targetId: 'eg-chr-orleans' }]);
    assert.deepEqual(entries(service, 'reference', 'location'), [
      { targetType: 'Location', targetId: 'loc-usc-orleans' },
      { targetType: 'Location', targetId: 'loc-versailles' },
    ]);
    assert.deepEqual(entries(service, 'reference', 'organization'), [{ targetType: 'Organization', targetId: 'oi-neurochirurgie' }]);
    assert.deepEqual(entries(eg, 'reference', 'partof'), [{ targetType: 'Organization', targetId: 'ej-quietude' }]);
    const role = extractIndex(fixture('prr-tenor-soins'));
    assert.deepEqual(entries(role, 'reference', 'organization'), [{ targetType: 'Organization', targetId: 'eg-chr-orleans' }]);
    assert.deepEqual(entries(role, 'reference', 'location'), [
      { targetType: 'Location', targetId: 'loc-usc-orleans' },
      { targetType: null, targetId: 'urn:uuid:7d2a8b5e-1f7c-4c5e-9a53-6f0e2f1c3b21' },
    ]);
    assert.deepEqual(entries(role, 'reference', 'service'), [{ targetType: 'HealthcareService', targetId: 'hs-neurochir-hc' }]);
    assert.deepEqual(entries(extractIndex(fixture('loc-versailles')), 'reference', 'partof'), [{ targetType: null, targetId: '#batiment' }]);
  });

  it('skips logical references, which carry no resource id', () => {
    const task = extractIndex(fixture('task-anomalie-categorie'));
    assert.deepEqual(entries(task, 'reference', 'focus'), []);
    assert.deepEqual(entries(task, 'reference', 'subject'), [{ targetType: 'Organization', targetId: 'eg-quietude-bois-colombes' }]);
    assert.deepEqual(entries(task, 'reference', 'patient'), []);
    assert.deepEqual(entries(extractIndex(fixture('task-for-patient')), 'reference', 'patient'), [{ targetType: 'Patient', targetId: 'p-001' }]);
  });

  it('records the Location position for near, and none when the Location has no position', () => {
    assert.deepEqual(location.position, { lat: 47.834781, lon: 1.92204 });
    assert.equal(extractIndex(fixture('loc-versailles')).position, null);
    assert.equal(service.position, null);
  });

  it('indexes strings of names and addresses part by part, raw', () => {
    assert.deepEqual(entries(location, 'string', 'name'), [{ value: 'UNITE DE SURVEILLANCE CONTINUE CHIR' }, { value: 'USC chirurgicale' }]);
    assert.deepEqual(entries(location, 'string', 'address'), [
      { value: "14 AV DE L'HOPITAL" },
      { value: 'BATIMENT B' },
      { value: 'ORLEANS' },
      { value: '45000' },
      { value: 'FRA' },
    ]);
    assert.deepEqual(entries(location, 'string', 'address-postalcode'), [{ value: '45000' }]);
    const practitioner = extractIndex(fixture('pr-tenor'));
    assert.deepEqual(entries(practitioner, 'string', 'name'), [{ value: 'Ténor' }, { value: 'Mylène' }, { value: 'Anne' }, { value: 'MME' }]);
    assert.deepEqual(entries(practitioner, 'string', 'family'), [{ value: 'Ténor' }]);
  });

  it('gives the internal-organisation name only to organisations typed as such', () => {
    assert.deepEqual(entries(extractIndex(fixture('oi-neurochirurgie')), 'string', 'oi-name'), [{ value: 'Service de neurochirurgie' }]);
    assert.deepEqual(entries(eg, 'string', 'oi-name'), []);
  });

  it('indexes booleans, codes and contact points as tokens', () => {
    assert.deepEqual(entries(eg, 'token', 'drop-zone'), [{ system: null, value: 'true' }]);
    assert.deepEqual(entries(location, 'token', 'status'), [{ system: null, value: 'active' }]);
    const practitioner = extractIndex(fixture('pr-tenor'));
    assert.deepEqual(entries(practitioner, 'token', 'email'), [{ system: 'email', value: 'mylene.tenor@infirmiers.mssante.fr' }]);
    assert.deepEqual(entries(practitioner, 'token', 'telecom').length, 2);
    assert.deepEqual(entries(practitioner, 'token', 'gender'), [{ system: null, value: 'female' }]);
  });

  it('indexes prices: amounts as numbers, currency and codes as tokens', () => {
    assert.deepEqual(entries(eg, 'number', 'price-amount-value'), [{ value: 72.35 }, { value: 21.1 }]);
    assert.deepEqual(entries(eg, 'token', 'price-amount-currency'), [{ system: null, value: 'EUR' }]);
    assert.deepEqual(
      entries(eg, 'token', 'price-type').map((t) => t.value),
      ['01', '02'],
    );
    assert.deepEqual(entries(eg, 'token', 'price-dependency-level'), [{ system: TRE('TRE_R237-GroupeTarifaireDependance'), value: '1' }]);
    assert.deepEqual(entries(eg, 'token', 'special-price'), [{ system: TRE('TRE_R250-ConditionTarifaire'), value: '02' }]);
    assert.deepEqual(entries(eg, 'token', 'closing-type'), [{ system: TRE('TRE_R286-TypeFermeture'), value: 'PRO' }]);
  });

  it('indexes meta tags, security labels, profiles and source', () => {
    assert.deepEqual(entries(location, 'token', '_tag'), [{ system: TRE('TRE_R30-RegionOM'), value: '24' }]);
    assert.deepEqual(entries(service, 'token', '_security'), [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', value: 'N' }]);
    assert.deepEqual(entries(location, 'uri', '_profile'), [{ value: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location' }]);
    assert.deepEqual(entries(location, 'uri', '_source'), [{ value: 'https://ror.centre-val-de-loire.example/fhir' }]);
  });

  it('leaves _id, _lastUpdated and full-text parameters to other storage', () => {
    for (const resource of loadFixtures()) {
      const index = extractIndex(resource);
      const codes = new Set(Object.values(index).flatMap((list: unknown) => (Array.isArray(list) ? list.map((e: { code: string }) => e.code) : [])));
      for (const code of ['_id', '_lastUpdated', '_content', '_text']) assert.ok(!codes.has(code), `${resource.id}: ${code}`);
    }
    assert.ok(!indexingPlan('Location').some((p) => p.param.code === '_lastUpdated'));
  });

  it('never repeats an entry', () => {
    for (const resource of loadFixtures()) {
      const index = extractIndex(resource);
      for (const [kind, list] of Object.entries(index)) {
        if (!Array.isArray(list)) continue;
        const keys = list.map((e) => JSON.stringify(e));
        assert.equal(new Set(keys).size, keys.length, `${resource.id} ${kind}`);
      }
    }
  });

  it('gives the same entries as the interpreted FHIRPath for every fixture', () => {
    for (const resource of loadFixtures()) assert.deepEqual(extractIndex(resource), extractIndexInterpreted(resource), resource.id);
  });

  it('refuses a malformed date, reference or position with a 422 naming the parameter', () => {
    assertUnprocessable(
      () => extractIndex(withChanges<Task>('task-for-patient', (t) => void (t.authoredOn = '2024-02-30'))),
      /authored-on: invalid date "2024-02-30"/,
    );
    assertUnprocessable(
      () => extractIndex(withChanges<Task>('task-for-patient', (t) => void (t.authoredOn = '03/01/2024'))),
      /authored-on: invalid date/,
    );
    assertUnprocessable(
      () => extractIndex(withChanges<Task>('task-for-patient', (t) => void (t.owner = { reference: 'Organization/' }))),
      /owner: invalid reference "Organization\/"/,
    );
    assertUnprocessable(
      () => extractIndex(withChanges<Location>('loc-usc-orleans', (l) => void (l.position = { latitude: 147.8, longitude: 1.9 }))),
      /near: invalid position/,
    );
  });

  it('indexes each capacity entry of a Location as one row, its update date as a range at its precision', () => {
    const rows = extractIndex(fixture('loc-usc-orleans')).capacity;
    assert.equal(rows.length, 5);
    assert.deepEqual(rows[1], {
      capacityType: '01',
      capacityStatus: '02',
      temporality: '01',
      gender: '03',
      closingType: null,
      additionalBedType: null,
      crisisType: null,
      temporaryAssignment: '01',
      nbCapacity: 3,
      updateLow: '2024-07-08T18:15:39.000Z',
      updateHigh: '2024-07-08T18:15:39.999Z',
      sourceType: '02',
      comment: null,
    });
    assert.deepEqual(
      rows.map((r) => [r.capacityStatus, r.nbCapacity, r.closingType, r.additionalBedType, r.crisisType, r.updateLow.slice(0, 10), r.updateHigh]),
      [
        ['01', 15, null, null, null, '2024-07-08', '2024-07-08T18:15:39.999Z'],
        ['02', 3, null, null, null, '2024-07-08', '2024-07-08T18:15:39.999Z'],
        ['02', 0, null, null, null, '2024-07-08', '2024-07-08T18:15:39.999Z'],
        ['05', 2, '01', null, null, '2024-07-08', '2024-07-08T23:59:59.999Z'],
        ['06', 4, null, '03', '02', '2024-07-08', '2024-07-08T18:15:39.999Z'],
      ],
    );
    assert.deepEqual(extractIndex(fixture('hs-neurochir-hc')).capacity, []);
    assertUnprocessable(
      () =>
        extractIndex(
          withChanges<Location>('loc-usc-orleans', (l) => {
            const entry = l.extension?.find((e) => e.url.endsWith('ror-location-supported-capacity'));
            if (entry) entry.extension = entry.extension?.filter((e) => e.url !== 'capacityStatus');
          }),
        ),
      /without capacityStatus/,
    );
  });

  it('refuses a resource type the store does not index', () => {
    assert.throws(() => extractIndex({ resourceType: 'Patient', id: 'p' }), /No search parameters for resource type "Patient"/);
  });
});
