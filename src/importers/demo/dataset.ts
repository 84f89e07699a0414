import { allCommunes, type Commune } from '../../geo/communes.ts';
import { departmentByCode, regionOfDepartment } from '../../geo/departments.ts';
import type { RorAddress } from '../../model/index.ts';
import { MEDICO_SOCIAL_KINDS, type MedicoSocialCategory, structureProfile } from './catalogue.ts';
import { generatedSite } from './generated.ts';
import { classifyHospital, groupLegalEntities, type HospitalRow, loadEmergencySites, loadPdlHospitals, nameKey } from './hospitals.ts';
import { syntheticFiness, syntheticRpps } from './identifiers.ts';
import { placeName } from './names.ts';
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

/** Allocates invented FINESS numbers per department in a series (`098` EJ, `099` ET). */
class FinessAllocator {
  private readonly next = new Map<string, number>();
  constructor(private readonly series: string) {}
  allocate(department: string): string {
    const serial = this.next.get(department) ?? 1;
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
  const ejNumbers = new FinessAllocator('098');
  const etNumbers = new FinessAllocator('099');
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
  const groupsByDept = medicoSocialOwners(seed, ejNumbers, legalEntities);
  for (const kind of MEDICO_SOCIAL_KINDS) {
    for (let i = 0; i < MEDICO_SOCIAL_COUNTS[kind.category]; i++) {
      const ctx = ctxFor(`ms:${kind.category}:${i}`);
      const commune = sampler.draw(ctx.rng);
      const finess = etNumbers.allocate(commune.department);
      const owner = medicoSocialOwner(kind.domain, commune, ctx.rng, groupsByDept, ejNumbers, legalEntities, seed);
      sites.push(generatedSite({ finess, legalEntityFiness: owner, profile: kind.category, commune, region: PAYS_DE_LA_LOIRE, ctx }));
    }
  }
  return { legalEntities, sites };
}

/** Associations running the disability structures (three per department) and commercial groups running EHPAD. */
interface Owners {
  disability: Map<string, string[]>;
  commercial: string[];
}

const DISABILITY_ASSOCIATIONS = ['ASSOCIATION HORIZON HANDICAP', 'ASSOCIATION ENTRAIDE ET AUTONOMIE', 'ASSOCIATION LES AMIS DE L ENFANCE'];
const COMMERCIAL_GROUPS = ['SAS RESIDENCES DU VAL DE LOIRE', 'SAS ATLANTIQUE SENIORS', 'SAS BOCAGE ET LITTORAL SENIORS'];

function medicoSocialOwners(seed: string, ejNumbers: FinessAllocator, legalEntities: LegalEntityPlan[]): Owners {
  const owners: Owners = { disability: new Map(), commercial: [] };
  const entity = (name: string, department: string, statutJuridique: string, agregat: string): string => {
    const finess = ejNumbers.allocate(department);
    const rng = Prng.derive(seed, `ej:${finess}`);
    const commune = largestCommune(department);
    legalEntities.push({
      finess,
      name,
      origin: 'synthetic',
      region: regionOfDepartment(department),
      statutJuridique,
      agregat,
      address: { postalCode: commune.postalCodes[0] ?? '', city: commune.name, inseeCode: commune.code },
      createdAt: creationDate(rng),
    });
    return finess;
  };
  for (const department of ['44', '49', '53', '72', '85']) {
    const label = departmentByCode(department)?.name.toUpperCase() ?? department;
    owners.disability.set(
      department,
      DISABILITY_ASSOCIATIONS.map((a) => entity(`${a} ${label}`, department, '61', '2100')),
    );
  }
  owners.commercial = COMMERCIAL_GROUPS.map((g) => entity(g, '44', '95', '2200'));
  return owners;
}

function medicoSocialOwner(
  domain: 'PA' | 'PH' | 'DOM',
  commune: Commune,
  rng: Prng,
  owners: Owners,
  ejNumbers: FinessAllocator,
  legalEntities: LegalEntityPlan[],
  seed: string,
): string {
  if (domain === 'PH') return rng.pick(owners.disability.get(commune.department) ?? []);
  const roll = rng.next();
  if (domain === 'PA' && roll < 0.25) return rng.pick(owners.commercial);
  const publicOwner = domain === 'PA' && roll < 0.7;
  const finess = ejNumbers.allocate(commune.department);
  const name = publicOwner
    ? `CCAS DE ${nameKey(commune.name)}`
    : domain === 'DOM'
      ? `ASSOCIATION D AIDE ET DE SOINS A DOMICILE DE ${nameKey(commune.name)}`
      : `ASSOCIATION ${nameKey(placeName(rng))}`;
  legalEntities.push({
    finess,
    name,
    origin: 'synthetic',
    region: commune.region,
    statutJuridique: publicOwner ? '17' : '60',
    agregat: publicOwner ? '1200' : '2100',
    address: { postalCode: commune.postalCodes[0] ?? '', city: commune.name, inseeCode: commune.code },
    createdAt: creationDate(Prng.derive(seed, `ej:${finess}`)),
  });
  return finess;
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
