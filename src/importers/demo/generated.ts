import type { Commune } from '../../geo/communes.ts';
import { EARTH_RADIUS_KM } from '../../geo/distance.ts';
import { MEDICO_SOCIAL_KINDS, type ProfileKey, structureProfile } from './catalogue.ts';
import { placeName, streetAddress } from './names.ts';
import { creationDate, type EmergencyCounts, type PlanContext, planOffers, type SitePlan } from './plan.ts';
import type { Prng } from './prng.ts';

/** FINESS category (JDV_J55, TRE_R66) of a generated structure of each profile. */
export const PROFILE_CATEGORY: Readonly<Record<ProfileKey, string>> = {
  chu: '101',
  ch: '355',
  'hopital-proximite': '106',
  chs: '292',
  'psy-adulte': '156',
  'psy-enfant': '156',
  'psy-accueil-familial': '292',
  'psy-appartement': '292',
  clinique: '365',
  smr: '109',
  usld: '362',
  cancerologie: '131',
  irm: '365',
  scanner: '365',
  scintigraphie: '365',
  had: '127',
  smur: '355',
  orthogenie: '355',
  coordination: '355',
  msp: '603',
  'centre-sante': '439',
  ...Object.fromEntries(MEDICO_SOCIAL_KINDS.map((k) => [k.category, k.category])),
} as Record<ProfileKey, string>;

/** Name of a generated structure: "Centre hospitalier de Vertou", "EHPAD Les Tilleuls – Vertou". */
export function generatedName(profile: ProfileKey, commune: Commune, rng: Prng): string {
  const place = placeName(rng);
  const kind = MEDICO_SOCIAL_KINDS.find((k) => k.category === profile);
  if (kind) return `${kind.prefix} ${place} – ${commune.name}`;
  const names: Record<Exclude<ProfileKey, (typeof MEDICO_SOCIAL_KINDS)[number]['category']>, string> = {
    chu: `Centre hospitalier universitaire de ${commune.name}`,
    ch: `Centre hospitalier de ${commune.name}`,
    'hopital-proximite': `Hôpital de proximité de ${commune.name}`,
    chs: `Centre hospitalier spécialisé ${place} – ${commune.name}`,
    'psy-adulte': `Centre médico-psychologique adultes de ${commune.name}`,
    'psy-enfant': `Centre médico-psychologique infanto-juvénile de ${commune.name}`,
    'psy-accueil-familial': `Accueil familial thérapeutique de ${commune.name}`,
    'psy-appartement': `Appartements thérapeutiques de ${commune.name}`,
    clinique: `Clinique ${place} – ${commune.name}`,
    smr: `Centre de soins médicaux et de réadaptation ${place} – ${commune.name}`,
    usld: `Unité de soins de longue durée ${place} – ${commune.name}`,
    cancerologie: `Institut de cancérologie de ${commune.name}`,
    irm: `Centre d’imagerie de ${commune.name}`,
    scanner: `Centre d’imagerie de ${commune.name}`,
    scintigraphie: `Centre de médecine nucléaire de ${commune.name}`,
    had: `Hospitalisation à domicile de ${commune.name}`,
    smur: `SMUR de ${commune.name}`,
    orthogenie: `Centre de santé sexuelle de ${commune.name}`,
    coordination: `Centre local d’information et de coordination de ${commune.name}`,
    msp: `Maison de santé pluriprofessionnelle ${place} – ${commune.name}`,
    'centre-sante': `Centre de santé de ${commune.name}`,
  };
  return names[profile as keyof typeof names];
}

/**
 * A point near the commune's position (up to 1.5 km, 4 km when the commune position is only an area centre),
 * so that generated structures of one commune do not sit on the same spot.
 */
export function nearCommune(commune: Commune, rng: Prng): { lat: number; lon: number } {
  const p = commune.position;
  if (!p) throw new Error(`Commune ${commune.code} ${commune.name} has no position`);
  const km = rng.next() * (p.approximate ? 4 : 1.5);
  const bearing = rng.next() * 2 * Math.PI;
  const dLat = ((km * Math.cos(bearing)) / EARTH_RADIUS_KM) * (180 / Math.PI);
  const dLon = ((km * Math.sin(bearing)) / (EARTH_RADIUS_KM * Math.cos((p.lat * Math.PI) / 180))) * (180 / Math.PI);
  const round = (x: number): number => Math.round(x * 1e5) / 1e5;
  return { lat: round(p.lat + dLat), lon: round(p.lon + dLon) };
}

/** Name and legal status (JDV_J199 statut juridique, JDV_J200 agrégat) of a generated legal entity. */
export interface OwnerIdentity {
  name: string;
  statutJuridique: string;
  agregat: string;
}

const PUBLIC_PROFILES: ReadonlySet<ProfileKey> = new Set(['chu', 'ch', 'hopital-proximite', 'chs', 'psy-adulte', 'psy-enfant', 'usld', 'had']);

/** The legal entity running a generated structure of the profile in the commune. */
export function ownerIdentity(profile: ProfileKey, commune: Commune, rng: Prng): OwnerIdentity {
  const city = commune.name.toUpperCase();
  const domain = MEDICO_SOCIAL_KINDS.find((k) => k.category === profile)?.domain;
  if (profile === 'chs') return { name: `ETABLISSEMENT PUBLIC DE SANTE MENTALE DE ${city}`, statutJuridique: '11', agregat: '1200' };
  if (PUBLIC_PROFILES.has(profile)) return { name: `CENTRE HOSPITALIER DE ${city}`, statutJuridique: '13', agregat: '1200' };
  if (profile === 'msp') return { name: `SISA ${placeName(rng).toUpperCase()} ${city}`, statutJuridique: '80', agregat: '2200' };
  if (profile === 'centre-sante') return { name: `ASSOCIATION CENTRE DE SANTE DE ${city}`, statutJuridique: '60', agregat: '2100' };
  if (domain === 'DOM') return { name: `ASSOCIATION D AIDE ET DE SOINS A DOMICILE DE ${city}`, statutJuridique: '60', agregat: '2100' };
  const roll = rng.next();
  if (domain === 'PA' && roll < 0.45) return { name: `CCAS DE ${city}`, statutJuridique: '17', agregat: '1200' };
  if (!domain || roll > 0.75) return { name: `SAS ${placeName(rng).toUpperCase()} ${domain ? 'SENIORS' : 'SANTE'}`, statutJuridique: '95', agregat: '2200' };
  return { name: `ASSOCIATION ${placeName(rng).toUpperCase()} ${city}`, statutJuridique: '60', agregat: '2100' };
}

export interface GeneratedSiteInput {
  finess: string;
  legalEntityFiness: string;
  profile: ProfileKey;
  commune: Commune;
  region: string;
  ctx: PlanContext;
  emergency?: EmergencyCounts;
}

/** A generated structure (everything synthetic) in a real commune, with its offers. */
export function generatedSite(input: GeneratedSiteInput): SitePlan {
  const { rng } = input.ctx;
  const profile = structureProfile(input.profile);
  const street = streetAddress(rng);
  const postalCode = input.commune.postalCodes[0];
  if (!postalCode) throw new Error(`Commune ${input.commune.code} has no postal code`);
  const site: SitePlan = {
    finess: input.finess,
    legalEntityFiness: input.legalEntityFiness,
    name: generatedName(input.profile, input.commune, rng),
    origin: 'synthetic',
    region: input.region,
    category: PROFILE_CATEGORY[input.profile],
    address: { ...street, postalCode, city: input.commune.name, inseeCode: input.commune.code },
    position: { ...nearCommune(input.commune, rng), reliable: false },
    profile,
    offers: [],
    createdAt: creationDate(rng),
  };
  site.offers = planOffers(profile, input.ctx, input.emergency ? { counts: input.emergency, origin: 'synthetic' } : undefined);
  return site;
}
