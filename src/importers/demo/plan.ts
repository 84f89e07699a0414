import type { DataOrigin, RorAddress } from '../../model/index.ts';
import { offerTemplate, type OfferTemplate, type ProfileActivity, type ProfileKey, type StructureProfile } from './catalogue.ts';
import { personName, type PersonName } from './names.ts';
import type { Prng } from './prng.ts';

/**
 * Plans: what a structure is made of (offers, capacities, practitioners), decided with a seeded PRNG but not
 * yet FHIR. The demo dataset and the synthetic generator both plan with these functions and turn plans into
 * resources with `resources.ts`.
 */

export interface LegalEntityPlan {
  finess: string;
  name: string;
  origin: DataOrigin;
  /** JDV_J237 region code */
  region: string;
  /** JDV_J199 statut juridique */
  statutJuridique: string;
  /** JDV_J200 sous-ensemble agrégat statut juridique */
  agregat: string;
  address: RorAddress;
  createdAt: string;
}

export interface SitePlan {
  finess: string;
  legalEntityFiness: string;
  name: string;
  additionalName?: string;
  origin: DataOrigin;
  region: string;
  /** JDV_J55 catégorie d'établissement (TRE_R66) */
  category: string;
  /** JDV_J202 modalité de participation au service public hospitalier */
  sphParticipation?: string;
  address: RorAddress & { inseeCode: string };
  position: { lat: number; lon: number; reliable: boolean };
  /** 10-digit telephone number */
  phone?: string;
  profile: StructureProfile;
  offers: OfferPlan[];
  createdAt: string;
}

export interface CapacityPlan {
  /** JDV_J187 */
  nature: string;
  installed: number;
  /** current available / occupied counts (live capacities only) */
  available?: number;
  occupied?: number;
  installedAt: string;
  liveAt: string;
  /** JDV_J193 type de source */
  source: string;
}

export interface PractitionerPlan {
  rpps: string;
  name: PersonName;
  /** JDV_J210 spécialité ordinale */
  specialty: string;
}

export interface OfferPlan {
  template: OfferTemplate;
  origin: DataOrigin;
  capacity?: CapacityPlan;
  /** JDV_J32 type d'habitation → number of places */
  residential?: { type: string; number: number }[];
  expertiseLevel?: string;
  practitioners: PractitionerPlan[];
}

/** Installed beds of an emergency site's units (SAE), `null` when the unit does not exist. */
export interface EmergencyCounts {
  university: boolean;
  pediatric: boolean;
  icu: number | null;
  intensive: number | null;
  uhcd: number | null;
  /** all MCO beds, including réanimation, soins intensifs and UHCD */
  mco: number | null;
}

export interface PlanContext {
  rng: Prng;
  /** time of the "current" capacity counts */
  asOf: Date;
  /** allocates the RPPS number of the next generated practitioner */
  rpps: () => string;
}

/** ISO dateTime at second precision. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const CREATION_EPOCH = Date.UTC(2019, 0, 7, 8);
const DAY_MS = 86_400_000;

/** A creation date between 2019 and 2024 that does not depend on when the dataset is built. */
export function creationDate(rng: Prng): string {
  return isoSeconds(new Date(CREATION_EPOCH + rng.int(0, 5 * 365) * DAY_MS + rng.int(0, 600) * 60_000));
}

/** Splits `total` over `weights` in integers summing exactly to `total` (largest remainder). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0 || !(sum > 0)) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] as number) + 1;
    left -= 1;
  }
  return shares;
}

interface EmergencyUnit {
  key: string;
  installed?: number;
}

/** The emergency and critical-care units of an emergency site, carrying the installed counts. */
export function emergencyUnits(e: EmergencyCounts): EmergencyUnit[] {
  const units: EmergencyUnit[] = e.pediatric ? [{ key: 'urgences' }, { key: 'urgences-pediatriques' }] : [{ key: 'urgences-polyvalentes' }];
  if (e.uhcd !== null) units.push({ key: 'uhcd', installed: e.uhcd });
  if (e.icu !== null) {
    if (e.university && e.pediatric && e.icu >= 8) {
      const pediatric = Math.max(4, Math.round(e.icu * 0.15));
      units.push({ key: 'rea-adulte', installed: e.icu - pediatric }, { key: 'rea-pediatrique', installed: pediatric });
    } else {
      units.push({ key: 'rea-adulte', installed: e.icu });
    }
  }
  if (e.intensive !== null) {
    const n = e.intensive;
    if (n >= 30) {
      const usic = Math.round(n * 0.4);
      const usinv = Math.round(n * 0.25);
      units.push({ key: 'usic', installed: usic }, { key: 'usinv', installed: usinv }, { key: 'si-polyvalent', installed: n - usic - usinv });
    } else if (n >= 12) {
      const usic = Math.round(n / 2);
      units.push({ key: 'usic', installed: usic }, { key: 'si-polyvalent', installed: n - usic });
    } else {
      units.push({ key: 'si-polyvalent', installed: n });
    }
  }
  return units;
}

/** MCO ward beds of an emergency site once réanimation, soins intensifs and UHCD are set apart. */
export function wardBeds(e: EmergencyCounts): number | undefined {
  if (e.mco === null) return undefined;
  return Math.max(0, e.mco - (e.icu ?? 0) - (e.intensive ?? 0) - (e.uhcd ?? 0));
}

/** Invented emergency counts for a generated hospital, in the proportions of the real ones. */
export function syntheticEmergencyCounts(profile: ProfileKey, rng: Prng): EmergencyCounts | undefined {
  if (profile === 'chu') {
    return { university: true, pediatric: true, icu: rng.int(30, 70), intensive: rng.int(40, 120), uhcd: rng.int(12, 30), mco: rng.int(600, 1200) };
  }
  if (profile === 'ch' && rng.chance(0.75)) {
    const big = rng.chance(0.35);
    return {
      university: false,
      pediatric: big && rng.chance(0.5),
      icu: big ? rng.int(8, 20) : null,
      intensive: big ? rng.int(10, 40) : rng.chance(0.5) ? rng.int(4, 10) : null,
      uhcd: rng.int(2, 12),
      mco: big ? rng.int(250, 800) : rng.int(40, 250),
    };
  }
  if (profile === 'clinique' && rng.chance(0.25)) {
    return { university: false, pediatric: false, icu: null, intensive: rng.int(6, 16), uhcd: rng.int(4, 8), mco: rng.int(80, 330) };
  }
  return undefined;
}

const EXPERTISE_BY_PROFILE: Partial<Record<ProfileKey, readonly string[]>> = {
  chu: ['04'],
  ch: ['02', '03'],
  clinique: ['01', '02'],
};

function capacityPlan(
  template: OfferTemplate,
  installed: number,
  ctx: PlanContext,
  source: string,
): CapacityPlan {
  const cap = template.capacity;
  if (!cap) throw new Error(`Offer ${template.key} has no capacity`);
  const installedAt = isoSeconds(new Date(Date.UTC(2025, 0, 2, 9) + ctx.rng.int(0, 300) * DAY_MS));
  const liveAt = isoSeconds(new Date(ctx.asOf.getTime() - ctx.rng.int(5, 600) * 60_000));
  if (!cap.live) return { nature: cap.nature, installed, installedAt, liveAt, source };
  const critical = template.sae === 'icu' || template.sae === 'intensive';
  const rate = critical ? 0.8 + ctx.rng.next() * 0.2 : 0.65 + ctx.rng.next() * 0.33;
  const occupied = Math.min(installed, Math.round(installed * rate));
  return { nature: cap.nature, installed, available: installed - occupied, occupied, installedAt, liveAt, source };
}

/**
 * The offers of a structure: its emergency units first (with their real or synthetic installed counts and
 * origin), then the profile's offers (the first always, the others with their probability), then the further
 * consultations of its inpatient offers and activités of its main offer, with capacities, residential
 * capacities and practitioners. At an emergency site the MCO ward offers share the SAE ward beds;
 * a ward left with no bed is not run.
 */
export function planOffers(
  profile: StructureProfile,
  ctx: PlanContext,
  emergency?: { counts: EmergencyCounts; origin: DataOrigin },
): OfferPlan[] {
  const { rng } = ctx;
  const size = profile.size[0] + rng.next() * (profile.size[1] - profile.size[0]);
  const source = profile.organisation !== 'none' && rng.chance(0.6) ? '02' : '01';
  const fixed = new Map<string, number | undefined>();
  const origins = new Map<string, DataOrigin>();
  for (const unit of emergency ? emergencyUnits(emergency.counts) : []) {
    fixed.set(unit.key, unit.installed);
    origins.set(unit.key, emergency?.origin ?? 'synthetic');
  }
  const keys = [...fixed.keys()];
  profile.offers.forEach((o, i) => {
    if ((i === 0 || rng.chance(o.p ?? 1)) && !keys.includes(o.key)) keys.push(o.key);
  });
  const wards = emergency ? wardBeds(emergency.counts) : undefined;
  const isWard = (k: string): boolean => !fixed.has(k) && offerTemplate(k).sae === 'mco';
  if (wards !== undefined && wards > 0 && !keys.some(isWard)) keys.push('medecine-polyvalente');
  const wardKeys = keys.filter(isWard);
  const wardShares = wards === undefined ? [] : apportion(wards, wardKeys.map((k) => midpoint(offerTemplate(k))));
  const withoutBeds = new Set(wards === undefined ? [] : wardKeys.filter((_, i) => wardShares[i] === 0));

  const main = offerTemplate(profile.offers[0]?.key ?? '');
  const run = keys.filter((k) => !withoutBeds.has(k)).map(offerTemplate);
  const templates = [
    ...run,
    ...run.filter((t) => t.careMode === '28' && t.specialty && rng.chance(profile.consultations)).map(consultationTemplate),
    ...profile.activities.filter((a) => rng.chance(a.p)).map((a) => activityTemplate(main, a)),
  ];
  const plans = new Map<string, OfferPlan>();
  return templates.map((template) => {
    const key = template.key;
    const plan: OfferPlan = { template, origin: origins.get(key) ?? 'synthetic', practitioners: [] };
    if (template.capacity) {
      const wardAt = wardKeys.indexOf(key);
      const real = fixed.get(key);
      const installed =
        real ?? (wardAt >= 0 && wards !== undefined ? (wardShares[wardAt] as number) : Math.max(1, Math.round(rng.int(template.capacity.min, template.capacity.max) * size)));
      plan.capacity = capacityPlan(template, installed, ctx, source);
      if (template.residential) {
        const numbers = apportion(installed, template.residential.map((r) => r.share));
        plan.residential = template.residential.map((r, i) => ({ type: r.type, number: numbers[i] as number })).filter((r) => r.number > 0);
      }
    }
    if (template.expertiseLevels) {
      const allowed = (EXPERTISE_BY_PROFILE[profile.key] ?? template.expertiseLevels).filter((l) => template.expertiseLevels?.includes(l));
      plan.expertiseLevel = rng.pick(allowed.length > 0 ? allowed : template.expertiseLevels);
    }
    const inpatient = key.endsWith(CONSULTATIONS) ? plans.get(key.slice(0, -CONSULTATIONS.length)) : undefined;
    if (inpatient) {
      plan.practitioners = inpatient.practitioners;
    } else if (template.specialty) {
      const n = rng.int(profile.practitioners[0], profile.practitioners[1]);
      for (let i = 0; i < n; i++) plan.practitioners.push({ rpps: ctx.rpps(), name: personName(rng), specialty: template.specialty });
    }
    plans.set(key, plan);
    return plan;
  });
}

const CONSULTATIONS = '-consultations';

/** External consultations of an inpatient offer (same activité and patientèle, held by the same practitioners). */
function consultationTemplate(t: OfferTemplate): OfferTemplate {
  return {
    key: `${t.key}${CONSULTATIONS}`,
    name: `${t.name}, consultations`,
    champ: t.champ,
    activite: t.activite,
    careMode: '32',
    typeOffre: '69',
    ageRange: t.ageRange,
    pole: t.pole,
    service: t.service,
    ...(t.specialty ? { specialty: t.specialty } : {}),
    ...(t.profession ? { profession: t.profession } : {}),
  };
}

/** The offer of a further activité of a structure's main offer (same champ, mode, type and patientèle). */
function activityTemplate(main: OfferTemplate, a: ProfileActivity): OfferTemplate {
  return {
    key: a.key,
    name: a.name,
    champ: main.champ,
    activite: a.activite,
    careMode: main.careMode,
    typeOffre: main.typeOffre,
    ageRange: main.ageRange,
    ...(main.publics ? { publics: main.publics } : {}),
    ...(main.receptionType ? { receptionType: main.receptionType } : {}),
    pole: main.pole,
    service: main.service,
  };
}

function midpoint(t: OfferTemplate): number {
  return t.capacity ? (t.capacity.min + t.capacity.max) / 2 : 1;
}
