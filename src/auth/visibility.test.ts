import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HealthcareService, Location, Organization, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import {
  buildHealthcareService,
  buildLocation,
  buildOrganization,
  buildPractitioner,
  buildPractitionerRole,
  type CapacityEntry,
  getCapacities,
  getLocationTelecoms,
  getOrganizationContacts,
  getOrganizationTelecoms,
  getPractitionerTelecoms,
  getRoleTelecom,
  getServiceContacts,
  getServiceTelecoms,
  type RorContact,
  type RorTelecom,
  validateRorResource,
} from '../model/index.ts';
import { loadFixture } from '../model/fixtures/load.ts';
import { Repository } from '../store/repository.ts';
import type { AccessProfile } from './principal.ts';
import { applyAccessProfile, loadVisibilityFacts, type OfferFacts, type VisibilityFacts } from './visibility.ts';

/*
 * The tables of docs/access.md ("Access profiles × data"), cell by cell. A string of digits lists what is
 * served: confidentiality levels (JDV_J222) or capacity statuses (JDV_J188).
 */
const PROFILES: readonly AccessProfile[] = [0, 1, 2, 3];
const CHAMPS = ['01', '02', '03', '04', '05'] as const;
type Champ = (typeof CHAMPS)[number];
/** `none`: an Organization, a Practitioner, or a Location no offer references. */
type ChampColumn = Champ | 'none';

const CONTACT_LEVELS: Record<AccessProfile, Record<ChampColumn, string>> = {
  1: { '01': '123', '02': '123', '03': '123', '04': '123', '05': '123', none: '123' },
  2: { '01': '12', '02': '12', '03': '12', '04': '12', '05': '12', none: '12' },
  3: { '01': '1', '02': '1', '03': '1', '04': '12', '05': '1', none: '1' },
  0: { '01': '1', '02': '1', '03': '1', '04': '1', '05': '1', none: '1' },
};

const CAPACITY_STATUSES: Record<AccessProfile, Record<ChampColumn, string>> = {
  1: { '01': '123456', '02': '123456', '03': '123456', '04': '123456', '05': '123456', none: '123456' },
  2: { '01': '12345', '02': '12345', '03': '12345', '04': '12345', '05': '12345', none: '12345' },
  3: { '01': '', '02': '', '03': '', '04': '12345', '05': '', none: '' },
  0: { '01': '1', '02': '1', '03': '1', '04': '1', '05': '1', none: '1' },
};

/** The champs whose PractitionerRoles each profile sees (sensitive units aside). */
const ROLE_CHAMPS: Record<AccessProfile, readonly ChampColumn[]> = {
  1: [...CHAMPS, 'none'],
  2: [...CHAMPS, 'none'],
  3: ['04', '05'],
  0: ['05'],
};

const LEVELS = ['1', '2', '3'] as const;
const COLUMNS: readonly ChampColumn[] = [...CHAMPS, 'none'];
const NO_FACTS: VisibilityFacts = new Map();

const OFFER_CODES: Record<Champ, { activite: string; careMode: string; famille?: string; publics?: string[] }> = {
  '01': { activite: '083', careMode: '28' },
  '02': { activite: '172', careMode: '28' },
  '03': { activite: '229', careMode: '28' },
  '04': { activite: '287', careMode: '49', famille: '005', publics: ['01'] },
  '05': { activite: '437', careMode: '32' },
};

/** A phone number telling its level: 02 40 00 00 0<level>. */
function telecom(level: string): RorTelecom {
  return { value: `024000000${level}`, channel: '2', confidentiality: level };
}

function levelOfValue(value: string | undefined): string {
  return value?.slice(-1) ?? '?';
}

/** One contact per level, each with a telecom of its level. */
const CONTACTS: RorContact[] = LEVELS.map((level) => ({ purpose: '07', confidentiality: level, telecoms: [telecom(level)] }));

function offer(champ: Champ, extra: { sensitive?: boolean; contacts?: RorContact[]; telecoms?: RorTelecom[]; id?: string; locations?: string[] } = {}): HealthcareService {
  const codes = OFFER_CODES[champ];
  return buildHealthcareService({
    id: extra.id ?? `hs-${champ}`,
    identifier: `52/hs-${champ}`,
    name: 'Offre',
    providedBy: 'Organization/eg-1',
    champActivite: champ,
    activite: codes.activite,
    ...(codes.famille ? { famille: codes.famille } : {}),
    careMode: codes.careMode,
    patientType: { ...(codes.publics ? { publics: codes.publics } : {}), ageRange: { low: { value: 0, unit: 'a' }, high: { value: 120, unit: 'a' } } },
    sensitiveUnit: extra.sensitive ?? false,
    ...(extra.locations ? { locations: extra.locations } : {}),
    contacts: extra.contacts ?? CONTACTS,
    telecoms: extra.telecoms ?? LEVELS.map(telecom),
    region: '52',
    origin: 'synthetic',
  });
}

function capacity(status: string, extra: Partial<CapacityEntry> = {}): CapacityEntry {
  return { capacityType: '01', capacityStatus: status, temporality: '01', nbCapacity: 4, sourceType: '01', updateDate: '2026-01-01T08:00:00Z', temporaryAssignment: '01', ...extra };
}

function location(id: string, capacities: CapacityEntry[] = ['01', '02', '03', '04', '05', '06'].map((s) => capacity(s))): Location {
  return buildLocation({ id, communeCog: '44109', telecoms: LEVELS.map(telecom), capacities, region: '52', origin: 'synthetic' });
}

function role(id: string, level: string, healthcareService = 'HealthcareService/hs-01'): PractitionerRole {
  return buildPractitionerRole({
    id,
    practitioner: 'Practitioner/p-1',
    healthcareService,
    profession: '10',
    expertiseType: 'S',
    unitExerciseMode: 'S',
    telecom: telecom(level),
    region: '52',
    origin: 'synthetic',
  });
}

function organization(contacts: RorContact[] = CONTACTS): Organization {
  return buildOrganization({ id: 'eg-1', kind: 'EG', finess: '440000271', name: 'CHU', category: '355', contacts, telecoms: LEVELS.map(telecom), region: '52', origin: 'synthetic' });
}

function factsFor(key: string, facts: OfferFacts): VisibilityFacts {
  return new Map([[key, facts]]);
}

function champFacts(column: ChampColumn): OfferFacts {
  return { champs: column === 'none' ? [] : [column], sensitive: false };
}

function served<T extends Resource>(resource: T, profile: AccessProfile, facts: VisibilityFacts = NO_FACTS): { out: T; restricted: boolean } {
  const before = structuredClone(resource);
  const result = applyAccessProfile(resource, profile, facts);
  assert.deepEqual(resource, before, 'the input is not mutated');
  assert.ok(result.resource, `profile ${profile} serves ${resource.resourceType}/${resource.id}`);
  assert.deepEqual(validateRorResource(result.resource), [], 'the output stays valid');
  return { out: result.resource as T, restricted: result.restrictedFieldsServed };
}

const joined = (values: (string | undefined)[]): string => values.map(levelOfValue).join('');

describe('contacts and telecoms by level', () => {
  test('HealthcareService contacts and MSS telecoms: levels served by profile and champ', () => {
    for (const profile of PROFILES) {
      for (const champ of CHAMPS) {
        const expected = CONTACT_LEVELS[profile][champ];
        const { out, restricted } = served(offer(champ), profile);
        const what = `profile ${profile}, champ ${champ}`;
        assert.equal(getServiceContacts(out).map((c) => c.confidentiality).join(''), expected, `${what}: contacts`);
        assert.equal(joined(getServiceContacts(out).flatMap((c) => c.telecoms.map((t) => t.value))), expected, `${what}: contact telecoms`);
        assert.equal(joined(getServiceTelecoms(out).map((t) => t.value)), expected, `${what}: telecoms`);
        assert.equal(restricted, expected.includes('3'), `${what}: restrictedFieldsServed`);
      }
    }
  });

  test('each telecom of a served contact is filtered by its own level; a contact left without telecom is dropped', () => {
    const contacts: RorContact[] = [
      { purpose: '06', confidentiality: '1', telecoms: LEVELS.map(telecom) },
      { purpose: '07', confidentiality: '1', telecoms: [telecom('3')] },
      { purpose: '01', confidentiality: '1' },
    ];
    for (const profile of PROFILES) {
      for (const champ of CHAMPS) {
        const expected = CONTACT_LEVELS[profile][champ];
        const { out } = served(offer(champ, { contacts, telecoms: [] }), profile);
        const read = getServiceContacts(out);
        const what = `profile ${profile}, champ ${champ}`;
        assert.equal(joined(read[0]?.telecoms.map((t) => t.value) ?? []), expected, what);
        assert.deepEqual(read.map((c) => c.purpose), expected.includes('3') ? ['06', '07', '01'] : ['06', '01'], `${what}: dropped contact`);
      }
    }
  });

  test('Organization contacts, their telecoms and Organization.telecom: no champ, so Profil 3 sees level 1 only', () => {
    for (const profile of PROFILES) {
      const expected = CONTACT_LEVELS[profile].none;
      const { out, restricted } = served(organization(), profile);
      assert.equal(getOrganizationContacts(out).map((c) => c.confidentiality).join(''), expected, `profile ${profile}: contacts`);
      assert.equal(joined(getOrganizationContacts(out).flatMap((c) => c.telecoms.map((t) => t.value))), expected, `profile ${profile}: contact telecoms`);
      assert.equal(joined(getOrganizationTelecoms(out).map((t) => t.value)), expected, `profile ${profile}: telecoms`);
      assert.equal(restricted, expected.includes('3'));

      const mixed = served(organization([{ purpose: '06', confidentiality: '1', telecoms: LEVELS.map(telecom) }, { purpose: '07', confidentiality: '1', telecoms: [telecom('2')] }]), profile).out;
      assert.equal(joined(getOrganizationContacts(mixed)[0]?.telecoms.map((t) => t.value) ?? []), expected);
      assert.equal(getOrganizationContacts(mixed).length, expected.includes('2') ? 2 : 1, `profile ${profile}: a contact left without telecom is dropped`);
    }
  });

  test('Location telecoms follow the champs of the offers at the Location', () => {
    for (const profile of PROFILES) {
      for (const column of COLUMNS) {
        const { out, restricted } = served(location('loc-1'), profile, factsFor('Location/loc-1', champFacts(column)));
        const expected = CONTACT_LEVELS[profile][column];
        assert.equal(joined(getLocationTelecoms(out).map((t) => t.value)), expected, `profile ${profile}, ${column}`);
        assert.equal(restricted, expected.includes('3'));
      }
    }
  });

  test('PractitionerRole telecom follows the champ of its offer', () => {
    for (const profile of PROFILES) {
      for (const column of ROLE_CHAMPS[profile]) {
        for (const level of LEVELS) {
          const { out, restricted } = served(role('pr-1', level), profile, factsFor('PractitionerRole/pr-1', champFacts(column)));
          const expected = CONTACT_LEVELS[profile][column].includes(level);
          assert.equal(getRoleTelecom(out)?.confidentiality, expected ? level : undefined, `profile ${profile}, ${column}, level ${level}`);
          assert.equal(out.telecom === undefined, !expected, 'no empty telecom array');
          assert.equal(restricted, expected && level === '3');
        }
      }
    }
  });

  test('Practitioner telecoms: no champ', () => {
    const p: Practitioner = buildPractitioner({ id: 'p-1', idNatPs: '810000000001', family: 'Martin', telecoms: LEVELS.map(telecom), region: '52', origin: 'synthetic' });
    for (const profile of PROFILES) {
      const { out } = served(p, profile);
      assert.equal(joined(getPractitionerTelecoms(out).map((t) => t.value)), CONTACT_LEVELS[profile].none, `profile ${profile}`);
    }
  });

  test('a missing confidentiality level counts as très restreint', () => {
    const org = organization([{ purpose: '06', confidentiality: '1', telecoms: [telecom('1'), telecom('2')] }]);
    const unlabelled = org.contact?.[0]?.telecom?.[1];
    assert.ok(unlabelled?.extension);
    unlabelled.extension = unlabelled.extension.filter((e) => !e.url.endsWith('ror-telecom-confidentiality-level'));
    const result = applyAccessProfile(org, 2, NO_FACTS);
    assert.equal(joined(getOrganizationContacts(result.resource as Organization)[0]?.telecoms.map((t) => t.value) ?? []), '1');
    assert.equal(applyAccessProfile(org, 1, NO_FACTS).restrictedFieldsServed, true);
  });
});

describe('sensitive units', () => {
  const sensitiveContacts: RorContact[] = [{ purpose: '07', confidentiality: '3', telecoms: [telecom('3')] }];
  const sensitive: OfferFacts = { champs: ['01'], sensitive: true };

  test('the offer, its Locations and its PractitionerRoles are served to Profil 1 only, as restricted reads', () => {
    for (const champ of CHAMPS) {
      const hs = offer(champ, { sensitive: true, contacts: sensitiveContacts, telecoms: [] });
      const loc = location('loc-s');
      const pr = role('pr-s', '1');
      for (const profile of PROFILES) {
        const results = [
          applyAccessProfile(hs, profile, NO_FACTS),
          applyAccessProfile(loc, profile, factsFor('Location/loc-s', { ...sensitive, champs: [champ] })),
          applyAccessProfile(pr, profile, factsFor('PractitionerRole/pr-s', { ...sensitive, champs: [champ] })),
        ];
        for (const r of results) {
          assert.equal(r.resource === null, profile !== 1, `profile ${profile}, champ ${champ}`);
          assert.equal(r.restrictedFieldsServed, profile === 1);
        }
      }
    }
  });

  test('under Profil 1 every contact and telecom of a sensitive unit counts as très restreint (RG_EXP_039)', () => {
    const loc = location('loc-s', []);
    loc.telecom = loc.telecom?.slice(0, 1);
    assert.equal(applyAccessProfile(loc, 1, factsFor('Location/loc-s', sensitive)).restrictedFieldsServed, true);
    assert.equal(applyAccessProfile(loc, 1, factsFor('Location/loc-s', { ...sensitive, sensitive: false })).restrictedFieldsServed, false);
  });
});

describe('capacities', () => {
  const read = (loc: Location): string => getCapacities(loc).map((c) => c.capacityStatus.slice(-1)).join('');

  test('capacity entries served by profile, status and champ (06 supplémentaire stands for the ME "Exceptionnel")', () => {
    for (const profile of PROFILES) {
      for (const column of COLUMNS) {
        const { out } = served(location('loc-1'), profile, factsFor('Location/loc-1', champFacts(column)));
        assert.equal(read(out), CAPACITY_STATUSES[profile][column], `profile ${profile}, ${column}`);
      }
    }
  });

  test('Profil 0 sees installed entries without temporary assignment or crisis only', () => {
    const loc = location('loc-1', [capacity('01'), capacity('01', { temporaryAssignment: '02' }), capacity('01', { crisisType: '01', temporality: '02' })]);
    const { out } = served(loc, 0, factsFor('Location/loc-1', champFacts('01')));
    assert.deepEqual(getCapacities(out), [capacity('01')]);
    assert.equal(getCapacities(served(loc, 2, factsFor('Location/loc-1', champFacts('01'))).out).length, 3);
  });
});

describe('practitioner roles', () => {
  test('served by profile and champ of the offer', () => {
    for (const profile of PROFILES) {
      for (const column of COLUMNS) {
        const r = applyAccessProfile(role('pr-1', '1'), profile, factsFor('PractitionerRole/pr-1', champFacts(column)));
        assert.equal(r.resource !== null, ROLE_CHAMPS[profile].includes(column), `profile ${profile}, ${column}`);
      }
    }
  });

  test('a PractitionerRole with facts of several offers is served when one champ allows it', () => {
    const facts = factsFor('PractitionerRole/pr-1', { champs: ['01', '05'], sensitive: false });
    assert.ok(applyAccessProfile(role('pr-1', '1'), 0, facts).resource);
  });
});

describe('copies', () => {
  test('nothing to filter: the resource itself is returned', () => {
    const hs = offer('01');
    assert.equal(applyAccessProfile(hs, 1, NO_FACTS).resource, hs);
    const task = loadFixture('task');
    for (const profile of PROFILES) assert.deepEqual(applyAccessProfile(task, profile, NO_FACTS), { resource: task, restrictedFieldsServed: false });
  });

  test('a filtered copy shares nothing it changed with the input', () => {
    const org = organization();
    const out = applyAccessProfile(org, 0, NO_FACTS).resource as Organization;
    assert.notEqual(out, org);
    assert.notEqual(out.contact, org.contact);
    assert.equal(org.contact?.length, 3);
    assert.equal(out.meta, org.meta);
  });
});

describe('loadVisibilityFacts', () => {
  let db: Database;
  let queries = 0;

  before(async () => {
    db = await openTestDatabase();
    await new Repository(db).putBatch([
      location('loc-a'),
      location('loc-b'),
      location('loc-c'),
      offer('01', { id: 'hs-sensitive', sensitive: true, locations: ['Location/loc-a'], contacts: [], telecoms: [] }),
      offer('04', { id: 'hs-ms', locations: ['Location/loc-b'] }),
      offer('03', { id: 'hs-psy', locations: ['Location/loc-b', 'Location/loc-a'] }),
      role('pr-ms', '1', 'HealthcareService/hs-ms'),
      role('pr-sensitive', '1', 'HealthcareService/hs-sensitive'),
      role('pr-orphan', '1', 'HealthcareService/hs-unknown'),
    ]);
    const query = db.pool.query.bind(db.pool);
    db.pool.query = ((...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    }) as typeof db.pool.query;
  });
  after(async () => {
    await db.close();
  });

  test('gives each Location and PractitionerRole the champs and sensitivity of its offers, in one query', async () => {
    queries = 0;
    const resources = [location('loc-a'), location('loc-b'), location('loc-c'), role('pr-ms', '1'), role('pr-sensitive', '1'), role('pr-orphan', '1'), organization()];
    const facts = await loadVisibilityFacts(db, resources);
    assert.equal(queries, 1);
    assert.equal(facts.get('Location/loc-a')?.sensitive, true, 'one of its offers is a sensitive unit');
    assert.deepEqual([...(facts.get('Location/loc-a')?.champs ?? [])].sort(), ['01', '03']);
    assert.equal(facts.get('Location/loc-b')?.sensitive, false);
    assert.deepEqual([...(facts.get('Location/loc-b')?.champs ?? [])].sort(), ['03', '04']);
    assert.equal(facts.get('Location/loc-c'), undefined);
    assert.deepEqual(facts.get('PractitionerRole/pr-ms'), { champs: ['04'], sensitive: false });
    assert.deepEqual(facts.get('PractitionerRole/pr-sensitive'), { champs: ['01'], sensitive: true });
    assert.equal(facts.get('PractitionerRole/pr-orphan'), undefined);

    const servedTo = (profile: AccessProfile): string[] =>
      resources.filter((r) => applyAccessProfile(r, profile, facts).resource !== null).map((r) => `${r.resourceType}/${r.id}`);
    assert.deepEqual(servedTo(2), ['Location/loc-b', 'Location/loc-c', 'PractitionerRole/pr-ms', 'PractitionerRole/pr-orphan', 'Organization/eg-1']);
    assert.deepEqual(servedTo(3), ['Location/loc-b', 'Location/loc-c', 'PractitionerRole/pr-ms', 'Organization/eg-1']);
    assert.deepEqual(servedTo(0), ['Location/loc-b', 'Location/loc-c', 'Organization/eg-1']);
    const msLocation = applyAccessProfile(location('loc-b'), 3, facts).resource as Location;
    assert.equal(getCapacities(msLocation).length, 5, 'Profil 3 sees the capacities of a Location with a médico-social offer');
  });

  test('no Location or PractitionerRole: no query', async () => {
    queries = 0;
    const facts = await loadVisibilityFacts(db, [organization(), offer('01')]);
    assert.equal(facts.size, 0);
    assert.equal(queries, 0);
  });
});
