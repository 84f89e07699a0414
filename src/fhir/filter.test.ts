import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HealthcareService, Organization } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { openTestDatabase } from '../db/testing.ts';
import { buildHealthcareService, buildOrganization } from '../model/index.ts';
import { SYSTEM } from '../model/urls.ts';
import { StoreError } from '../store/errors.ts';
import { Repository } from '../store/repository.ts';
import { searchResources, type SearchFilter } from '../store/search.ts';
import { MAX_FILTER_COMPARISONS, MAX_FILTER_DEPTH, parseFilter } from './filter.ts';

const HS = 'HealthcareService';
const R244 = 'https://mos.esante.gouv.fr/NOS/TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation';
const R211 = 'https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle';
const R66 = 'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement';

/** specifications_techniques_3.md, scénario 4: (type d'offre 102 or activité 233) for a patient of 35. */
const IG_SCENARIO_4 = `(((service-category eq ${R244}|102) or (specialty eq ${R211}|233)) and (age-range-low le 35 and age-range-high ge 35))`;
/** specifications_techniques_3.md, scénario 5 (with real codes for XXX and YYY). */
const IG_SCENARIO_5 = `((organization.type eq ${R66}|189) or (service-category eq ${R244}|62))`;

const token = (code: string, system: string | undefined, value: string, not = false): SearchFilter => ({
  kind: 'token',
  code,
  values: [{ ...(system === undefined ? {} : { system }), code: value }],
  not,
});
const name = (value: string, match: 'start' | 'end' | 'exact' | 'contains'): SearchFilter => ({ kind: 'string', code: 'name', values: [value], match });
const quantity = (code: string, prefix: string, value: number): SearchFilter => ({ kind: 'quantity', code, values: [{ prefix, value }] }) as SearchFilter;

/** The StoreError `parseFilter` throws: a 400 naming `_filter`, whose message matches `message`. */
function assertRefused(resourceType: string, raw: string, message: RegExp): void {
  assert.throws(
    () => parseFilter(resourceType, raw),
    (e: unknown) => {
      assert.ok(e instanceof StoreError, `${raw}: ${String(e)}`);
      assert.equal(e.status, 400);
      assert.deepEqual(e.issues[0]?.expression, ['_filter']);
      assert.match(e.issues[0]?.diagnostics ?? '', message);
      return true;
    },
    raw,
  );
}

describe('parseFilter: grammar', () => {
  test('the IG example (scénario 4): or inside and, parentheses, token and quantity comparisons', () => {
    assert.deepEqual(parseFilter(HS, IG_SCENARIO_4), {
      kind: 'all',
      filters: [
        { kind: 'any', filters: [token('service-category', R244, '102'), token('specialty', R211, '233')] },
        quantity('age-range-low', 'le', 35),
        quantity('age-range-high', 'ge', 35),
      ],
    });
  });

  test('the IG example (scénario 5): a chained parameter inside or', () => {
    assert.deepEqual(parseFilter(HS, IG_SCENARIO_5), {
      kind: 'any',
      filters: [
        { kind: 'chain', code: 'organization', targetType: 'Organization', filter: token('type', R66, '189') },
        token('service-category', R244, '62'),
      ],
    });
  });

  test('the IG synchronisation query parses, organization:above into a chain up the organisation hierarchy', () => {
    const since = { prefix: 'ge', low: '2022-11-06T15:00:00.000Z', high: '2022-11-06T15:01:00.000Z' };
    assert.deepEqual(parseFilter(HS, '(_lastUpdated ge 2022-11-06T15:00 or organization._lastUpdated ge 2022-11-06T15:00)'), {
      kind: 'any',
      filters: [
        { kind: 'lastUpdated', values: [since] },
        { kind: 'chain', code: 'organization', targetType: 'Organization', filter: { kind: 'lastUpdated', values: [since] } },
      ],
    });
    assert.deepEqual(parseFilter(HS, '(_lastUpdated ge 2022-11-06T15:00 or organization:above._lastUpdated ge 2022-11-06T15:00)'), {
      kind: 'any',
      filters: [
        { kind: 'lastUpdated', values: [since] },
        {
          kind: 'chain',
          code: 'organization',
          targetType: 'Organization',
          filter: { kind: 'lastUpdated', values: [since] },
          hierarchy: { via: 'partof', extendTo: 'descendants' },
        },
      ],
    });
  });

  test('and binds tighter than or; parentheses override it; same-kind combinations are flattened', () => {
    const [a, b, c] = [name('a', 'exact'), name('b', 'exact'), name('c', 'exact')];
    assert.deepEqual(parseFilter(HS, 'name eq a or name eq b and name eq c'), { kind: 'any', filters: [a, { kind: 'all', filters: [b, c] }] });
    assert.deepEqual(parseFilter(HS, 'name eq a and name eq b or name eq c'), { kind: 'any', filters: [{ kind: 'all', filters: [a, b] }, c] });
    assert.deepEqual(parseFilter(HS, '(name eq a or name eq b) and name eq c'), { kind: 'all', filters: [{ kind: 'any', filters: [a, b] }, c] });
    assert.deepEqual(parseFilter(HS, 'name eq a or (name eq b or name eq c)'), { kind: 'any', filters: [a, b, c] });
    assert.deepEqual(parseFilter(HS, '((name eq a))'), a);
  });

  test('not(…), with or without a space before the parenthesis, and nested', () => {
    assert.deepEqual(parseFilter(HS, 'not(name co x)'), { kind: 'not', filter: name('x', 'contains') });
    assert.deepEqual(parseFilter(HS, 'name sw a and not (name co x or name ew y)'), {
      kind: 'all',
      filters: [name('a', 'start'), { kind: 'not', filter: { kind: 'any', filters: [name('x', 'contains'), name('y', 'end')] } }],
    });
    assert.deepEqual(parseFilter(HS, 'not(not(name eq a))'), { kind: 'not', filter: { kind: 'not', filter: name('a', 'exact') } });
  });

  test('whitespace: several spaces, tabs and new lines between tokens, none needed around parentheses', () => {
    const expected = { kind: 'all', filters: [name('a', 'exact'), name('b', 'exact')] };
    assert.deepEqual(parseFilter(HS, '  name   eq\ta \n and\n name eq b  '), expected);
    assert.deepEqual(parseFilter(HS, '(name eq a)and(name eq b)'), expected);
  });

  test('keywords and operators are case-insensitive (consumers send OR)', () => {
    assert.deepEqual(parseFilter(HS, 'name EQ a OR Not(name Eq b)'), { kind: 'any', filters: [name('a', 'exact'), { kind: 'not', filter: name('b', 'exact') }] });
  });

  test('quoted values: spaces, parentheses, escaped quotes, commas and the words and/or are part of the value', () => {
    assert.deepEqual(parseFilter(HS, 'name eq "Centre \\"Les Pins\\" (CMP) and or"'), name('Centre "Les Pins" (CMP) and or', 'exact'));
    assert.deepEqual(parseFilter(HS, 'name co "a,b"'), name('a,b', 'contains'), 'a _filter value is one value');
    assert.deepEqual(parseFilter(HS, 'name co a,b'), name('a,b', 'contains'));
    assert.deepEqual(parseFilter(HS, 'name eq "a\\\\"'), name('a\\', 'exact'), 'an escaped backslash before the closing quote');
    assert.deepEqual(parseFilter(HS, `specialty eq "${R211}|233"`), token('specialty', R211, '233'));
  });

  test('a value alone after or repeats the comparison before it (specialty eq A or B, address-postalcode eq "22" or "29")', () => {
    assert.deepEqual(parseFilter(HS, `(specialty eq ${R211}|005 or ${R211}|481)`), {
      kind: 'any',
      filters: [token('specialty', R211, '005'), token('specialty', R211, '481')],
    });
    const postal = (v: string): SearchFilter => ({ kind: 'string', code: 'address-postalcode', values: [v], match: 'exact' });
    assert.deepEqual(parseFilter('Location', 'address-postalcode eq "22" or "29" or 35'), { kind: 'any', filters: [postal('22'), postal('29'), postal('35')] });
    assert.deepEqual(parseFilter(HS, 'name eq a or name co b or c'), { kind: 'any', filters: [name('a', 'exact'), name('b', 'contains'), name('c', 'contains')] });
    assertRefused(HS, 'name eq a or b and name eq c', /offset 14 .*a list of values \("name eq A or B"\) cannot be followed by "and": put it in parentheses/);
    assertRefused(HS, '(name eq a) or b', /offset 16 \(at the end\): expected a space and an operator after "b"/);
  });
});

describe('parseFilter: operators', () => {
  test('number, quantity and date parameters take eq ne gt lt ge le sa eb as prefixes', () => {
    for (const op of ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb']) {
      assert.deepEqual(parseFilter(HS, `age-range-low ${op} 35`), quantity('age-range-low', op, 35), op);
    }
    assert.deepEqual(parseFilter(HS, 'age-range-high le 35|http://unitsofmeasure.org|a'), {
      kind: 'quantity',
      code: 'age-range-high',
      values: [{ prefix: 'le', value: 35, system: 'http://unitsofmeasure.org', unit: 'a' }],
    });
    assert.deepEqual(parseFilter('Location', 'nb-capacity gt 0'), { kind: 'number', code: 'nb-capacity', values: [{ prefix: 'gt', value: 0 }] });
    assert.deepEqual(parseFilter(HS, 'notavailable-closing-reopeningdate sa 2024-01-31'), {
      kind: 'date',
      code: 'notavailable-closing-reopeningdate',
      values: [{ prefix: 'sa', low: '2024-01-31T00:00:00.000Z', high: '2024-02-01T00:00:00.000Z' }],
    });
  });

  test('string parameters: eq exact, ne not exact, sw start, ew end, co contains; through a chain too', () => {
    assert.deepEqual(parseFilter(HS, 'name eq x'), name('x', 'exact'));
    assert.deepEqual(parseFilter(HS, 'name ne x'), { kind: 'not', filter: name('x', 'exact') });
    assert.deepEqual(parseFilter(HS, 'name sw x'), name('x', 'start'));
    assert.deepEqual(parseFilter(HS, 'name ew x'), name('x', 'end'));
    assert.deepEqual(parseFilter(HS, 'name co x'), name('x', 'contains'));
    assert.deepEqual(parseFilter(HS, 'organization.name eq "CHU"'), { kind: 'chain', code: 'organization', targetType: 'Organization', filter: name('CHU', 'exact') });
    assert.deepEqual(parseFilter(HS, 'organization.name ew nantes'), { kind: 'chain', code: 'organization', targetType: 'Organization', filter: name('nantes', 'end') });
  });

  test('token, reference and id parameters: eq, and ne as :not or not(…)', () => {
    assert.deepEqual(parseFilter(HS, 'service-category eq 102'), token('service-category', undefined, '102'));
    assert.deepEqual(parseFilter(HS, `service-category ne ${R244}|102`), token('service-category', R244, '102', true));
    assert.deepEqual(parseFilter(HS, 'organization eq Organization/eg-1'), { kind: 'reference', code: 'organization', values: [{ targetType: 'Organization', targetId: 'eg-1' }] });
    assert.deepEqual(parseFilter(HS, '_id ne hs-1'), { kind: 'not', filter: { kind: 'id', values: ['hs-1'] } });
    assert.deepEqual(parseFilter(HS, '_has:Task:focus:_id eq t1'), { kind: 'has', sourceType: 'Task', code: 'focus', filter: { kind: 'id', values: ['t1'] } });
  });

  test('pr true / pr false: whether the parameter has a value', () => {
    assert.deepEqual(parseFilter(HS, 'age-range-low pr true'), { kind: 'missing', table: 'sp_quantity', code: 'age-range-low', missing: false });
    assert.deepEqual(parseFilter(HS, 'psychiatric-sector pr false'), { kind: 'missing', table: 'sp_string', code: 'psychiatric-sector', missing: true });
    assertRefused(HS, 'name pr yes', /^Invalid _filter at offset 0 \("name pr yes"\): operator "pr" takes true or false, got "yes"/);
  });

  test('an operator that does not fit the parameter type is refused, naming the type and what it takes', () => {
    assertRefused(HS, 'service-category co 10', /offset 0 \("service-category co 10"\): operator "co" does not apply to token parameter "service-category": use eq, ne, pr/);
    assertRefused(HS, 'name gt m', /operator "gt" does not apply to string parameter "name": use eq, ne, sw, ew, co, pr/);
    assertRefused(HS, 'age-range-low sw 3', /operator "sw" does not apply to quantity parameter "age-range-low": use eq, ne, gt, lt, ge, le, sa, eb, pr/);
    assertRefused(HS, 'organization ew eg-1', /operator "ew" does not apply to reference parameter "organization"/);
    assertRefused(HS, 'age-range-low ap 35', /operator "ap" \(approximately\) is not supported: combine ge and le/);
  });

  test('ss, sb, in, ni, re and po are not supported, each named', () => {
    for (const op of ['ss', 'sb', 'in', 'ni', 're', 'po']) {
      assertRefused(HS, `name eq a and specialty ${op} x`, new RegExp(`^Invalid _filter at offset 24 \\(near "${op} x"\\): operator "${op}" is not supported$`));
    }
  });

  test('errors of the criterion parser are reported with the comparison and its offset', () => {
    assertRefused(HS, 'name eq a or colour eq red', /^Invalid _filter at offset 13 \("colour eq red"\): Unknown search parameter "colour" for HealthcareService/);
    assertRefused(HS, 'age-range-low ge young', /offset 0 .*Invalid number in age-range-low=young/);
    assertRefused(HS, 'organization.colour eq x', /Unknown search parameter "colour" for Organization/);
  });
});

describe('parseFilter: malformed expressions', () => {
  const cases: [string, RegExp][] = [
    ['', /^_filter is empty/],
    ['   ', /^_filter is empty/],
    ['(name eq a', /^Invalid _filter at offset 10 \(at the end\): unbalanced parenthesis: expected "\)" to close the "\(" at offset 0$/],
    ['((name eq a) or name eq b', /offset 25 .*expected "\)" to close the "\(" at offset 0/],
    ['name eq a)', /^Invalid _filter at offset 9 \(near "\)"\): unbalanced parenthesis: "\)" closes no "\("$/],
    ['name', /offset 4 \(at the end\): expected a space and an operator after "name"/],
    ['name ', /offset 5 \(at the end\): expected an operator \(eq, ne, gt, lt, ge, le, sa, eb, sw, ew, co, pr, ap\) after "name"/],
    ['name eq', /offset 7 \(at the end\): expected a space and a value after "name eq"/],
    ['name eq ', /offset 8 \(at the end\): expected a value/],
    ['name like x', /offset 5 \(near "like x"\): unknown operator "like": expected one of eq, ne/],
    ['name eq a b', /offset 10 \(near "b"\): expected "and", "or" or the end of the filter/],
    ['(name eq a b)', /offset 11 \(near "b\)"\): expected "and", "or" or "\)"/],
    ['name eq a or', /offset 12 \(at the end\): expected a comparison "param op value", "\(" or "not\(" before the end of the filter/],
    ['(name eq a or )', /offset 14 \(near "\)"\): expected a comparison "param op value", "\(" or "not\("$/],
    ['name eq a and', /offset 13 \(at the end\): expected a comparison "param op value", "\(" or "not\(" before the end of the filter/],
    ['name eq a or or name eq b', /offset 13 \(near "or name eq b"\): expected a comparison "param op value", "\(" or "not\(", got "or"/],
    ['and name eq a', /offset 0 .*expected a comparison "param op value", "\(" or "not\(", got "and"/],
    ['not name eq a', /offset 3 .*expected "\(" after "not"/],
    ['()', /offset 1 \(near "\)"\): expected a comparison "param op value", "\(" or "not\("/],
    ['name eq "abc', /offset 8 \(near ""abc"\): unterminated quoted value: expected a closing "/],
    ['name eq ""', /offset 8 .*empty quoted value/],
    ['name=x', /offset 4 .*"=" is not a _filter operator: write "name eq value"/],
    ['(_content=cardio or location._content=cardio)', /offset 9 .*"=" is not a _filter operator: write "_content eq value"/],
    ['location[name eq x].name eq y', /offset 8 .*sub-filters "location\[…\]" are not supported/],
    ['name eq x]', /offset 9 \(near "\]"\): expected "and", "or" or the end/],
    ['%name eq x', /offset 0 .*expected a comparison "param op value"/],
  ];
  for (const [raw, message] of cases) {
    test(`refuses ${JSON.stringify(raw)}`, () => assertRefused(HS, raw, message));
  }

  test(`at most ${MAX_FILTER_COMPARISONS} comparisons and ${MAX_FILTER_DEPTH} levels of nesting`, () => {
    const comparisons = (n: number): string => Array.from({ length: n }, (_, i) => `name eq n${i}`).join(' or ');
    assert.equal((parseFilter(HS, comparisons(MAX_FILTER_COMPARISONS)) as { filters: unknown[] }).filters.length, MAX_FILTER_COMPARISONS);
    const tooMany = comparisons(MAX_FILTER_COMPARISONS + 1);
    assertRefused(HS, tooMany, new RegExp(`offset ${tooMany.indexOf('name eq n50')} .*more than ${MAX_FILTER_COMPARISONS} comparisons`));
    assertRefused(HS, `name eq a or ${Array.from({ length: MAX_FILTER_COMPARISONS }, (_, i) => `v${i}`).join(' or ')}`, /more than 50 comparisons/);
    const nested = (n: number): string => `${'not('.repeat(n)}name eq a${')'.repeat(n)}`;
    assert.equal(parseFilter(HS, nested(MAX_FILTER_DEPTH)).kind, 'not');
    assertRefused(HS, nested(MAX_FILTER_DEPTH + 1), new RegExp(`offset ${4 * MAX_FILTER_DEPTH + 3} .*nest more than ${MAX_FILTER_DEPTH} deep`));
    assertRefused(HS, `${'('.repeat(MAX_FILTER_DEPTH + 1)}name eq a${')'.repeat(MAX_FILTER_DEPTH + 1)}`, /offset 20 .*nest more than 20 deep/);
  });
});

describe('parseFilter through the store search', () => {
  let db: Database;
  let repo: Repository;

  before(async () => {
    db = await openTestDatabase();
    repo = new Repository(db);
    const eg = (id: string, finess: string, category: string): Organization =>
      buildOrganization({ id, kind: 'EG', finess, name: `EG ${id}`, category, region: '52', origin: 'finess' });
    const offer = (id: string, o: { typeOffre?: string; activite: string; low: number; high: number; providedBy?: string }): HealthcareService =>
      buildHealthcareService({
        id,
        identifier: `52/${id}`,
        name: `Offre ${id}`,
        providedBy: `Organization/${o.providedBy ?? 'eg-ch'}`,
        champActivite: '02',
        ...(o.typeOffre === undefined ? {} : { typeOffre: o.typeOffre }),
        activite: o.activite,
        careMode: '28',
        patientType: { ageRange: { low: { value: o.low, unit: 'a' }, high: { value: o.high, unit: 'a' } } },
        region: '52',
        origin: 'synthetic',
      });
    for (const resource of [
      eg('eg-ch', '440000271', '355'),
      eg('eg-cmpp', '440000289', '189'),
      offer('smr-102-adults', { typeOffre: '102', activite: '183', low: 18, high: 60 }),
      offer('smr-233-all-ages', { activite: '233', low: 16, high: 90 }),
      offer('smr-102-children', { typeOffre: '102', activite: '233', low: 0, high: 17 }),
      offer('smr-233-seniors', { typeOffre: '50', activite: '233', low: 60, high: 120 }),
      offer('other-adults', { typeOffre: '50', activite: '013', low: 18, high: 90 }),
      offer('cmpp-62', { typeOffre: '62', activite: '227', low: 0, high: 20, providedBy: 'eg-cmpp' }),
      offer('cmpp-eg', { activite: '227', low: 0, high: 20, providedBy: 'eg-cmpp' }),
    ]) {
      await repo.update(resource);
    }
  });
  after(async () => {
    await db.close();
  });

  async function ids(raw: string): Promise<string[]> {
    const result = await searchResources(db, { resourceType: HS, filters: [parseFilter(HS, raw)], count: 200, offset: 0, total: true });
    assert.equal(result.total, result.resources.length);
    return result.resources.map((r) => r.id as string).sort();
  }

  test('the IG example (scénario 4) selects the offers of type 102 or activity 233 open to a patient of 35', async () => {
    assert.equal(SYSTEM.categorieOrganisation, R244);
    assert.equal(SYSTEM.activiteOperationnelle, R211);
    assert.deepEqual(await ids(IG_SCENARIO_4), ['smr-102-adults', 'smr-233-all-ages']);
  });

  test('the IG example (scénario 5) follows the organization chain inside or', async () => {
    assert.deepEqual(await ids(IG_SCENARIO_5), ['cmpp-62', 'cmpp-eg']);
    assert.deepEqual(await ids(`organization.type eq ${R66}|189 and not(service-category eq ${R244}|62)`), ['cmpp-eg']);
  });

  test('not, ne, a list of values, string operators and pr against stored offers', async () => {
    assert.deepEqual(await ids(`specialty eq ${R211}|233 and not(age-range-high lt 35)`), ['smr-233-all-ages', 'smr-233-seniors']);
    assert.deepEqual(await ids(`specialty eq ${R211}|227 or ${R211}|013`), ['cmpp-62', 'cmpp-eg', 'other-adults']);
    assert.deepEqual(await ids(`service-category ne ${R244}|102 and age-range-low ge 16`), ['other-adults', 'smr-233-all-ages', 'smr-233-seniors']);
    assert.deepEqual(await ids('name ew "-eg" or name co 233-ALL'), ['cmpp-eg', 'smr-233-all-ages']);
    assert.deepEqual(await ids('name eq "Offre cmpp-62" or name sw "offre smr-102"'), ['cmpp-62', 'smr-102-adults', 'smr-102-children']);
    assert.deepEqual(await ids('service-category pr false'), ['cmpp-eg', 'smr-233-all-ages']);
  });
});
