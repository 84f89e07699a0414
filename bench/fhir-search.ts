/**
 * FHIR search benchmark: the IG scenario queries on the synthetic dataset, run through the FHIR router (parsing,
 * access profile, SQL, includes, Bundle; not the HTTP layer nor JSON serialisation) as a Profil 1 and a Profil 2
 * API client, with values taken from the data and varied at each iteration:
 * 1. offers of an activité within 15 km of a commune with an available bed, their Locations and PractitionerRoles,
 *    and the same proximity / available-bed search on Location alone;
 * 2. the delta synchronisation `_filter` (offer or its organisation, or one above it, changed since t), with t
 *    the start of one of the rounds in which the benchmark first updates a sample of offers and organisations
 *    through the Repository (the seed writes everything within minutes, so "changed since" needs recent changes);
 * 3. pages of the national dump (`_count=200&_offset=…`), shallow (first 10 pages) and deep (second half).
 * Prints p50 / p95 / max per scenario and profile with the sizes of the answers.
 * Run: [DATABASE_URL=postgres://…] [BENCH_SCHEMA=bench_…] node --import tsx bench/fhir-search.ts [national|N, default 500] [iterations, default 100]
 */
import type { Bundle, HealthcareService, Location, Resource } from '@medplum/fhirtypes';
import { EMPTY_PERIMETER, type AccessProfile, type Principal } from '../src/auth/principal.ts';
import { criteriaOf, handleFhirRequest } from '../src/fhir/router.ts';
import { getActivite, getCommuneCog, SYSTEM } from '../src/model/index.ts';
import { Repository } from '../src/store/repository.ts';
import { datasetSummary, machine, openSeededBenchDatabase, percentile } from './bench-db.ts';

const arg = process.argv[2] ?? '500';
const scale = arg === 'national' ? 'national' : Number(arg);
const iterations = Number(process.argv[3] ?? '100');
if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`iterations must be a positive integer, got "${process.argv[3]}"`);
const WARM_UP = 10;
/** Pages of available-bed Locations read, spread over all of them, to pick the communes and activités. */
const SAMPLE_PAGES = 20;
/** Delta sync: rounds of updates, offers and organisations updated per round. */
const ROUNDS = 10;
const OFFERS_PER_ROUND = 50;
const ORGANIZATIONS_PER_ROUND = 5;
const PAGE = 200;
const SHALLOW_PAGES = 10;

const enc = encodeURIComponent;
const AVAILABLE = enc(`${SYSTEM.typeStatutCapacite}|02`);
const AVAILABLE_BED = `capacity-status=${AVAILABLE}&nb-capacity=gt0`;
const DUMP_INCLUDES = '_include=HealthcareService:organization&_include=HealthcareService:location';
/** The i-th point of a low-discrepancy sequence over [0, n). */
const spread = (i: number, n: number): number => Math.floor(((i * 0.6180339887498949) % 1) * n);

const reader = (profile: AccessProfile): Principal => ({
  kind: 'client',
  id: `bench-profil-${profile}`,
  label: 'bench',
  scopes: ['read'],
  perimeter: EMPTY_PERIMETER,
  profile,
  client: 'bench',
});
const PRINCIPALS = [reader(1), reader(2)];

const { db, label, done } = await openSeededBenchDatabase(scale);
const repo = new Repository(db);

interface Place {
  commune: string;
  activite: string;
}

async function get(query: string, principal: Principal = reader(1)): Promise<Bundle> {
  const res = await handleFhirRequest({ method: 'GET', path: query.slice(0, query.indexOf('?')), query: criteriaOf(query), baseUrl: 'http://bench/fhir' }, { repo, principal });
  if (res.status !== 200) throw new Error(`${query} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Bundle;
}

function entries(b: Bundle, mode: 'match' | 'include'): Resource[] {
  return (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => e.resource as Resource);
}

/** The total of a search (`Type?criteria` or `Type?`). */
async function total(query: string): Promise<number> {
  return (await get(`${query}${query.endsWith('?') ? '' : '&'}_summary=count`)).total ?? 0;
}

/** (commune, activité) of offers whose Location has an available bed, from pages spread over all such Locations. */
async function communesWithAvailableBeds(): Promise<Place[]> {
  const locations = await total(`Location?${AVAILABLE_BED}`);
  const found = new Map<string, Place>();
  for (let k = 0; k < SAMPLE_PAGES; k++) {
    const offset = Math.floor((k * locations) / SAMPLE_PAGES);
    const b = await get(`Location?${AVAILABLE_BED}&_revinclude=HealthcareService:location&_count=50&_offset=${offset}`);
    const communeOf = new Map((entries(b, 'match') as Location[]).map((l) => [`Location/${l.id}`, getCommuneCog(l)]));
    for (const hs of entries(b, 'include') as HealthcareService[]) {
      const activite = getActivite(hs)?.code;
      for (const ref of hs.location ?? []) {
        const commune = communeOf.get(ref.reference ?? '');
        if (commune && activite) found.set(`${commune}|${activite}`, { commune, activite });
      }
    }
  }
  return [...found.values()];
}

/**
 * Updates (same content, new version) a sample of offers and of their organisations in rounds; returns the
 * instant each round started.
 */
async function touchSample(offers: number): Promise<string[]> {
  const starts: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const b = await get(`HealthcareService?_count=${OFFERS_PER_ROUND}&_offset=${spread(r + 1, Math.max(1, offers - OFFERS_PER_ROUND))}&_include=HealthcareService:organization`);
    const offerIds = entries(b, 'match').map((hs) => hs.id as string);
    const organizationIds = entries(b, 'include').map((o) => o.id as string).slice(0, ORGANIZATIONS_PER_ROUND);
    starts.push(new Date().toISOString());
    for (const [type, ids] of [['HealthcareService', offerIds], ['Organization', organizationIds]] as const) {
      for (const resource of (await repo.readCurrent(type, ids)).values()) await repo.update(resource);
    }
  }
  return starts;
}

/** `median [min–max]` of counts. */
function distribution(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${percentile(sorted, 50)} [${sorted[0]}–${sorted.at(-1)}]`;
}

try {
  const places = await communesWithAvailableBeds();
  if (places.length === 0) throw new Error('no Location with an available bed (capacity-status 02, nb-capacity > 0) and an offer with an activité');
  const place = (i: number): Place => places[spread(i, places.length)] as Place;
  const offers = await total('HealthcareService?');
  const instants = await touchSample(offers);
  const pages = Math.ceil(offers / PAGE);
  const shallow = Math.min(SHALLOW_PAGES, pages);
  const deepFrom = Math.floor(pages / 2);

  console.log(`\nbench/fhir-search — ${label}; ${machine()}`);
  console.log(`dataset: ${await datasetSummary(db)}`);
  console.log(
    `${places.length} (commune, activité) pairs of offers with an available bed; delta sync since the start of one of ${ROUNDS} rounds of ` +
      `${OFFERS_PER_ROUND} offers + ${ORGANIZATIONS_PER_ROUND} organisations updated just before timing; ${pages} dump pages of ${PAGE}`,
  );
  console.log(`${WARM_UP} warm-up + ${iterations} timed requests per scenario and profile; counts: matches of the page, total, included (median [min–max])\n`);

  const scenarios: { name: string; query: (i: number) => string }[] = [
    {
      name: '1. offers near commune 15 km + activité + available bed, _include location, _revinclude roles',
      query: (i) =>
        `HealthcareService?location.near-insee-code=${enc(`${place(i).commune}|15|km`)}&specialty=${enc(`${SYSTEM.activiteOperationnelle}|${place(i).activite}`)}` +
        `&location.capacity-status=${AVAILABLE}&location.nb-capacity=gt0&_include=HealthcareService:location&_revinclude=PractitionerRole:service`,
    },
    {
      name: '1b. Locations near commune 15 km + available bed',
      query: (i) => `Location?near-insee-code=${enc(`${place(i).commune}|15|km`)}&${AVAILABLE_BED}`,
    },
    {
      name: `2. delta sync _filter (offer or organisation above changed since t), 2 _include, _count=${PAGE}`,
      query: (i) => {
        const t = instants[i % instants.length] as string;
        return `HealthcareService?_filter=${enc(`_lastUpdated ge ${t} or organization:above._lastUpdated ge ${t}`)}&${DUMP_INCLUDES}&_count=${PAGE}`;
      },
    },
    {
      name: `3a. dump page, shallow (pages 1–${shallow}), 2 _include`,
      query: (i) => `HealthcareService?_count=${PAGE}&_offset=${(i % shallow) * PAGE}&${DUMP_INCLUDES}`,
    },
    {
      name: `3b. dump page, deep (pages ${deepFrom + 1}–${pages}), 2 _include`,
      query: (i) => `HealthcareService?_count=${PAGE}&_offset=${(deepFrom + spread(i, pages - deepFrom)) * PAGE}&${DUMP_INCLUDES}`,
    },
  ];

  for (const scenario of scenarios) {
    console.log(scenario.name);
    for (const principal of PRINCIPALS) {
      for (let w = 0; w < WARM_UP; w++) await get(scenario.query(iterations + w), principal);
      const times: number[] = [];
      const counts = { matches: [] as number[], total: [] as number[], included: [] as number[] };
      for (let i = 0; i < iterations; i++) {
        const started = performance.now();
        const bundle = await get(scenario.query(i), principal);
        times.push(performance.now() - started);
        counts.matches.push(entries(bundle, 'match').length);
        counts.total.push(bundle.total ?? 0);
        counts.included.push(entries(bundle, 'include').length);
      }
      times.sort((a, b) => a - b);
      console.log(
        `  Profil ${principal.profile}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${(times.at(-1) ?? NaN).toFixed(1)} ms; ` +
          `matches ${distribution(counts.matches)}, total ${distribution(counts.total)}, included ${distribution(counts.included)}`,
      );
    }
  }
} finally {
  await done();
}
