import { allCommunes, type Commune } from '../../geo/communes.ts';
import { departmentByCode } from '../../geo/departments.ts';
import type { RorAddress } from '../../model/index.ts';
import { MEDICO_SOCIAL_KINDS, type MedicoSocialCategory, type MedicoSocialKind, structureProfile } from './catalogue.ts';
import { generatedSite, type OwnerIdentity, ownerIdentity } from './generated.ts';
import { classifyHospital, groupLegalEntities, type HospitalRow, loadEmergencySites, loadPdlHospitals, nameKey } from './hospitals.ts';
import { DEMO_SERIAL_BASE, syntheticFiness, syntheticRpps } from './identifiers.ts';
import { creationDate, type EmergencyCounts, type LegalEntityPlan, type PlanContext, planOffers, type SitePlan } from './plan.ts';
import { Prng, WeightedSampler } from './prng.ts';
import { type DemoResource, legalEntityResource, siteResources } from './resources.ts';

export const PAYS_DE_LA_LOIRE = '52';
export const DEFAULT_SEED = 'ror-demo-pays-de-la-loire';

/** Number of generated médico-social structures per FINESS category (about the real regional mix, scaled down). */
export const MEDICO_SOCIAL_COUNTS: Readonly<Record<MedicoSocialCategory, number>> = {
  '500': 180,
  '202': 40,
  '354': 45,
  '460': 30,
  '183': 35,
  '182': 30,
  '186': 10,
  '190': 8,
  '255': 15,
  '448': 20,
  '246': 35,
  '382': 25,
  '252': 15,
  '446': 15,
  '445': 8,
};

export interface DemoOptions {
  /** time of the current capacity counts; defaults to the start of the current hour (so that reseeding within
   *  the hour changes nothing) */
  asOf?: Date;
  seed?: string;
}

export interface DemoPlans {
  legalEntities: LegalEntityPlan[];
  sites: SitePlan[];
}

const STREET_TYPES: Readonly<Record<string, string>> = {
  RUE: 'R',
  BOULEVARD: 'BD',
  AVENUE: 'AV',
  ROUTE: 'RTE',
  ALLEE: 'ALL',
  PLACE: 'PL',
  CHEMIN: 'CHE',
  IMPASSE: 'IMP',
  SQ: 'SQ',
};

function hospitalAddress(row: HospitalRow): RorAddress & { inseeCode: string } {
  const address: RorAddress & { inseeCode: string } = { postalCode: row.postalCode, city: row.city, inseeCode: row.commune.code };
  if (row.houseNumber) address.houseNumber = row.houseNumber;
  if (row.street) {
    const [first = '', ...rest] = row.street.split(' ');
    const type = STREET_TYPES[nameKey(first)];
    if (type) address.streetNameType = type;
    address.streetNameBase = type ? rest.join(' ') : row.street;
    address.text = [row.houseNumber, row.street].filter(Boolean).join(' ');
  }
  return address;
}

function emergencyCounts(finess: string): EmergencyCounts | undefined {
  const site = loadEmergencySites().find((s) => s.finess === finess);
  if (!site) return undefined;
  return { university: site.university, pediatric: site.pediatric, ...site.beds };
}

/**
 * Allocates invented FINESS numbers per department: series `8` (EJ) or `9` (ET) like the synthetic generator,
 * serials from {@link DEMO_SERIAL_BASE} (`<dept>89nnnn`, `<dept>99nnnn`), which the synthetic generator never reaches.
 */
class FinessAllocator {
  private readonly next = new Map<string, number>();
  constructor(private readonly series: '8' | '9') {}
  allocate(department: string): string {
    const serial = this.next.get(department) ?? DEMO_SERIAL_BASE;
    this.next.set(department, serial + 1);
    return syntheticFiness(department, this.series, serial);
  }
}

function legalStatus(rows: HospitalRow[], status: 'public' | 'private'): { statutJuridique: string; agregat: string } {
  const first = rows[0];
  if (!first) throw new Error('A legal entity without establishment');
  const name = nameKey(first.name);
  if (status === 'public') {
    if (/INTERCOMMUNAL/.test(name)) return { statutJuridique: '14', agregat: '1200' };
    if (rows.some((r) => classifyHospital(r) === 'chs')) return { statutJuridique: '11', agregat: '1200' };
    return { statutJuridique: '13', agregat: '1200' };
  }
  if (first.category === '131') return { statutJuridique: '63', agregat: '2100' };
  if (first.category === '109' || first.status === 'private') return { statutJuridique: '60', agregat: '2100' };
  if (/^(IRM|SCANNER|CAMERA)\b/.test(name)) return { statutJuridique: '76', agregat: '2200' };
  return { statutJuridique: '95', agregat: '2200' };
}

function sphParticipation(row: HospitalRow): string {
  if (row.status === 'public') return '1';
  if (row.status === 'private' && (row.category === '109' || row.category === '131')) return '6';
  return '0';
}

/** Plans of the Pays de la Loire demo dataset (real hospitals + generated médico-social structures). */
export function planDemo(options: DemoOptions = {}): DemoPlans {
  const seed = options.seed ?? DEFAULT_SEED;
  const asOf = options.asOf ?? startOfHour(new Date());
  let rppsSerial = 0;
  const rpps = (): string => syntheticRpps('0', ++rppsSerial);
  const ctxFor = (label: string): PlanContext => ({ rng: Prng.derive(seed, label), asOf, rpps });

  const rows = loadPdlHospitals();
  const byFiness = new Map(rows.map((r) => [r.finess, r]));
  const ejNumbers = new FinessAllocator('8');
  const etNumbers = new FinessAllocator('9');
  const legalEntities: LegalEntityPlan[] = [];
  const ejOf = new Map<string, string>();
  for (const g of groupLegalEntities(rows, (d) => ejNumbers.allocate(d))) {
    const members = g.members.map((f) => byFiness.get(f) as HospitalRow);
    const first = members[0] as HospitalRow;
    legalEntities.push({
      finess: g.finess,
      name: g.name,
      origin: g.real ? 'finess' : 'synthetic',
      region: PAYS_DE_LA_LOIRE,
      ...legalStatus(members, g.status),
      address: hospitalAddress(first),
      createdAt: creationDate(Prng.derive(seed, `ej:${g.finess}`)),
    });
    for (const m of g.members) ejOf.set(m, g.finess);
  }

  const sites: SitePlan[] = rows.map((row) => {
    const ctx = ctxFor(`site:${row.finess}`);
    const profile = structureProfile(classifyHospital(row));
    const counts = emergencyCounts(row.finess);
    return {
      finess: row.finess,
      legalEntityFiness: ejOf.get(row.finess) as string,
      name: row.name,
      ...(row.siteName ? { additionalName: row.siteName } : {}),
      origin: 'finess',
      region: PAYS_DE_LA_LOIRE,
      category: row.category,
      sphParticipation: sphParticipation(row),
      address: hospitalAddress(row),
      position: { lat: row.lat, lon: row.lon, reliable: row.geoQuality === 1 },
      ...(row.phone ? { phone: row.phone } : {}),
      profile,
      offers: planOffers(profile, ctx, counts ? { counts, origin: 'sae' } : undefined),
      createdAt: creationDate(ctx.rng),
    };
  });

  const communes = allCommunes().filter((c) => c.region === PAYS_DE_LA_LOIRE && c.kind === 'commune');
  const sampler = new WeightedSampler(communes, (c) => c.population ?? 0);
  const owners = new MedicoSocialOwners(seed, ejNumbers, legalEntities);
  for (const kind of MEDICO_SOCIAL_KINDS) {
    for (let i = 0; i < MEDICO_SOCIAL_COUNTS[kind.category]; i++) {
      const ctx = ctxFor(`ms:${kind.category}:${i}`);
      const commune = sampler.draw(ctx.rng);
      const finess = etNumbers.allocate(commune.department);
      const owner = owners.ownerOf(kind, commune, ctx.rng);
      sites.push(generatedSite({ finess, legalEntityFiness: owner, profile: kind.category, commune, region: PAYS_DE_LA_LOIRE, ctx }));
    }
  }
  return { legalEntities, sites };
}

const DISABILITY_ASSOCIATIONS = ['ASSOCIATION HORIZON HANDICAP', 'ASSOCIATION ENTRAIDE ET AUTONOMIE', 'ASSOCIATION LES AMIS DE L ENFANCE'];
const COMMERCIAL_GROUPS = ['SAS RESIDENCES DU VAL DE LOIRE', 'SAS ATLANTIQUE SENIORS', 'SAS BOCAGE ET LITTORAL SENIORS'];

/**
 * Legal entities of the generated médico-social structures: three associations per department run the
 * disability structures, three commercial groups a quarter of the EHPAD, the others get their own entity.
 */
class MedicoSocialOwners {
  private readonly disability = new Map<string, string[]>();
  private readonly commercial: string[];

  constructor(
    private readonly seed: string,
    private readonly numbers: FinessAllocator,
    private readonly legalEntities: LegalEntityPlan[],
  ) {
    for (const department of ['44', '49', '53', '72', '85']) {
      const label = departmentByCode(department)?.name.toUpperCase() ?? department;
      const commune = largestCommune(department);
      this.disability.set(
        department,
        DISABILITY_ASSOCIATIONS.map((a) => this.add({ name: `${a} ${label}`, statutJuridique: '61', agregat: '2100' }, commune)),
      );
    }
    this.commercial = COMMERCIAL_GROUPS.map((g) => this.add({ name: g, statutJuridique: '95', agregat: '2200' }, largestCommune('44')));
  }

  ownerOf(kind: MedicoSocialKind, commune: Commune, rng: Prng): string {
    if (kind.domain === 'PH') return rng.pick(this.disability.get(commune.department) ?? []);
    if (kind.domain === 'PA' && rng.chance(0.25)) return rng.pick(this.commercial);
    return this.add(ownerIdentity(kind.category, commune, rng), commune);
  }

  private add(identity: OwnerIdentity, commune: Commune): string {
    const finess = this.numbers.allocate(commune.department);
    this.legalEntities.push({
      finess,
      ...identity,
      origin: 'synthetic',
      region: commune.region,
      address: { postalCode: commune.postalCodes[0] ?? '', city: commune.name, inseeCode: commune.code },
      createdAt: creationDate(Prng.derive(this.seed, `ej:${finess}`)),
    });
    return finess;
  }
}

function largestCommune(department: string): Commune {
  let best: Commune | undefined;
  for (const c of allCommunes()) if (c.department === department && (c.population ?? 0) > (best?.population ?? -1)) best = c;
  if (!best) throw new Error(`No commune in department ${department}`);
  return best;
}

export function startOfHour(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
}

/** Every resource of the demo dataset, legal entities first, in a stable order. */
export function buildDemoDataset(options: DemoOptions = {}): DemoResource[] {
  const plans = planDemo(options);
  return [...plans.legalEntities.map(legalEntityResource), ...plans.sites.flatMap(siteResources)];
}
