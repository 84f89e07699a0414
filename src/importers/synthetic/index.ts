import { allCommunes, type Commune } from '../../geo/communes.ts';
import type { ProfileKey } from '../demo/catalogue.ts';
import { startOfHour } from '../demo/dataset.ts';
import { generatedSite, ownerIdentity } from '../demo/generated.ts';
import { DEMO_SERIAL_BASE, syntheticFiness, syntheticRpps } from '../demo/identifiers.ts';
import { creationDate, type LegalEntityPlan, syntheticEmergencyCounts } from '../demo/plan.ts';
import { Prng, WeightedSampler } from '../demo/prng.ts';
import { type DemoResource, legalEntityResource, siteResources } from '../demo/resources.ts';
import type { ResourceSink } from '../../store/sink.ts';
import { type SeedSummary, writeInBatches } from '../demo/sink.ts';
import { type ProgressReporter, silentProgress } from '../progress.ts';

/**
 * Synthetic national dataset: generated structures (everything tagged `synthetic`) spread over the communes of
 * metropolitan France and the overseas departments by population, with the demo's offer catalogue.
 * `--scale national` is {@link NATIONAL_ESTABLISHMENTS} établissements (EG), giving about 150 k Organization,
 * 500 k HealthcareService, 500 k Location and 300 k PractitionerRole (+ their Practitioners); `--scale N`
 * generates N établissements and the rest in proportion.
 */
export const NATIONAL_ESTABLISHMENTS = 75_000;
export const MAX_ESTABLISHMENTS = 500_000;
export const DEFAULT_SEED = 'ror-synthetic-national';

/** Share of the établissements of each profile (relative weights). */
export const PROFILE_MIX: Readonly<Partial<Record<ProfileKey, number>>> = {
  chu: 0.4,
  ch: 4,
  'hopital-proximite': 2,
  chs: 1.2,
  'psy-adulte': 5,
  'psy-enfant': 2.5,
  clinique: 4,
  smr: 3.5,
  usld: 1.5,
  cancerologie: 0.2,
  had: 0.8,
  msp: 7,
  'centre-sante': 3,
  '500': 28,
  '202': 4,
  '354': 4,
  '460': 6,
  '183': 3,
  '182': 3.5,
  '186': 1,
  '190': 0.7,
  '255': 1.5,
  '448': 2,
  '246': 3,
  '382': 2.5,
  '252': 1.5,
  '446': 2,
  '445': 0.8,
};

/** Établissements per legal entity: [min, max] and the probability of a single-site entity. */
const GROUP_SIZE: Readonly<Partial<Record<ProfileKey, { single: number; max: number }>>> = {
  chu: { single: 0, max: 4 },
  ch: { single: 0.5, max: 3 },
  chs: { single: 0.3, max: 4 },
  'psy-adulte': { single: 0, max: 6 },
  'psy-enfant': { single: 0, max: 6 },
  clinique: { single: 0.6, max: 4 },
  smr: { single: 0.6, max: 3 },
  msp: { single: 1, max: 1 },
  'centre-sante': { single: 0.7, max: 4 },
};
const DEFAULT_GROUP = { single: 0.45, max: 8 };

/** Smallest commune population for a generated structure of the profile (hospitals sit in towns). */
const MIN_POPULATION: Readonly<Partial<Record<ProfileKey, number>>> = {
  chu: 80_000,
  cancerologie: 80_000,
  ch: 8_000,
  chs: 8_000,
  clinique: 15_000,
  'hopital-proximite': 2_000,
  smr: 3_000,
  msp: 1_000,
  'centre-sante': 5_000,
};

export interface SyntheticOptions {
  /** `national` or a number of établissements */
  scale: 'national' | number;
  seed?: string;
  /** time of the current capacity counts; defaults to the start of the current hour */
  asOf?: Date;
}

export function establishmentsFor(scale: SyntheticOptions['scale']): number {
  if (scale === 'national') return NATIONAL_ESTABLISHMENTS;
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_ESTABLISHMENTS) {
    throw new RangeError(`scale must be "national" or an integer between 1 and ${MAX_ESTABLISHMENTS}, got ${String(scale)}`);
  }
  return scale;
}

function legalEntityFor(profile: ProfileKey, finess: string, commune: Commune, rng: Prng): LegalEntityPlan {
  return {
    finess,
    ...ownerIdentity(profile, commune, rng),
    origin: 'synthetic',
    region: commune.region,
    address: { postalCode: commune.postalCodes[0] ?? '', city: commune.name, inseeCode: commune.code },
    createdAt: creationDate(rng),
  };
}

/** Per-department serials of invented FINESS numbers, kept below the demo's range. */
class Serials {
  private readonly next = new Map<string, number>();
  take(department: string): number {
    const n = (this.next.get(department) ?? 0) + 1;
    if (n >= DEMO_SERIAL_BASE) throw new RangeError(`More than ${DEMO_SERIAL_BASE - 1} synthetic FINESS numbers in department ${department}`);
    this.next.set(department, n);
    return n;
  }
}

/**
 * The synthetic dataset, generated lazily one legal entity at a time (its EJ Organization, then each
 * établissement with its OIs, offers, places and practitioners). Deterministic for a given seed and asOf; the
 * profile mix is kept exact at every prefix (the profile most behind its share comes next), so any scale is a
 * proportional sample of the national one.
 */
export function* generateSynthetic(options: SyntheticOptions): Generator<DemoResource> {
  const total = establishmentsFor(options.scale);
  const seed = options.seed ?? DEFAULT_SEED;
  const asOf = options.asOf ?? startOfHour(new Date());
  const communes = allCommunes().filter(
    (c) => c.kind === 'commune' && c.zone !== 'com' && c.position !== undefined && c.postalCodes.length > 0 && (c.population ?? 0) > 0,
  );
  const nationalSamplers = new Map<number, WeightedSampler<Commune>>();
  const departmentSamplers = new Map<string, WeightedSampler<Commune>>();
  const nationalSampler = (minPopulation: number): WeightedSampler<Commune> => {
    let s = nationalSamplers.get(minPopulation);
    if (!s) {
      s = new WeightedSampler(
        communes.filter((c) => (c.population ?? 0) >= minPopulation),
        (c) => c.population ?? 0,
      );
      nationalSamplers.set(minPopulation, s);
    }
    return s;
  };
  const departmentSampler = (department: string): WeightedSampler<Commune> => {
    let s = departmentSamplers.get(department);
    if (!s) {
      s = new WeightedSampler(
        communes.filter((c) => c.department === department),
        (c) => c.population ?? 0,
      );
      departmentSamplers.set(department, s);
    }
    return s;
  };

  const mix = Object.entries(PROFILE_MIX) as [ProfileKey, number][];
  const weightSum = mix.reduce((a, [, w]) => a + w, 0);
  const generated = new Map<ProfileKey, number>();
  const ejSerials = new Serials();
  const etSerials = new Serials();
  let rppsSerial = 0;
  const rpps = (): string => syntheticRpps('1', ++rppsSerial);

  let done = 0;
  for (let group = 0; done < total; group++) {
    let profile = mix[0]?.[0] as ProfileKey;
    let deficit = -Infinity;
    for (const [p, w] of mix) {
      const d = ((done + 1) * w) / weightSum - (generated.get(p) ?? 0);
      if (d > deficit) {
        deficit = d;
        profile = p;
      }
    }
    const rng = Prng.derive(seed, `group:${group}`);
    const shape = GROUP_SIZE[profile] ?? DEFAULT_GROUP;
    const size = Math.min(total - done, rng.chance(shape.single) ? 1 : rng.int(Math.min(2, shape.max), shape.max));
    const first = nationalSampler(MIN_POPULATION[profile] ?? 0).draw(rng);
    const ejFiness = syntheticFiness(first.department, '8', ejSerials.take(first.department));
    const sites = [];
    for (let i = 0; i < size; i++) {
      const commune = i === 0 ? first : departmentSampler(first.department).draw(rng);
      const finess = syntheticFiness(commune.department, '9', etSerials.take(commune.department));
      const siteRng = Prng.derive(seed, `site:${finess}`);
      const emergency = syntheticEmergencyCounts(profile, siteRng);
      sites.push(
        generatedSite({
          finess,
          legalEntityFiness: ejFiness,
          profile,
          commune,
          region: commune.region,
          ctx: { rng: siteRng, asOf, rpps },
          ...(emergency ? { emergency } : {}),
        }),
      );
    }
    yield legalEntityResource(legalEntityFor(profile, ejFiness, first, rng));
    for (const site of sites) yield* siteResources(site);
    generated.set(profile, (generated.get(profile) ?? 0) + size);
    done += size;
  }
}

export interface SeedSyntheticOptions extends SyntheticOptions {
  progress?: ProgressReporter;
  /** resources per putBatch call (default 1000) */
  batchSize?: number;
}

/** About this many resources per établissement at national scale (for the progress bar). */
const RESOURCES_PER_ESTABLISHMENT = 21;

/** Generates and writes the synthetic dataset in batches (never the whole dataset in memory). */
export async function seedSynthetic(sink: ResourceSink, options: SeedSyntheticOptions): Promise<SeedSummary> {
  const establishments = establishmentsFor(options.scale);
  return writeInBatches(sink, generateSynthetic(options), {
    batchSize: options.batchSize ?? 1000,
    progress: options.progress ?? silentProgress,
    label: `Synthetic dataset (${establishments} établissements)`,
    by: { actor: { kind: 'system', id: 'seed-synthetic', label: 'ror seed --scale' }, client: 'import' },
    total: establishments * RESOURCES_PER_ESTABLISHMENT,
  });
}
