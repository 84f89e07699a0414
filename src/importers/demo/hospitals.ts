import { readFileSync } from 'node:fs';
import { communesByName, communesByPostalCode, nearestCommune, normaliseName, type Commune } from '../../geo/communes.ts';
import { haversineKm } from '../../geo/distance.ts';
import { parseCsvLine } from '../finess/csv.ts';
import type { ProfileKey } from './catalogue.ts';

const DATA_DIR = new URL('./data/', import.meta.url);

/** One real sanitary establishment of `data/pdl-hospitals.csv` (FINESS via Eurostat GISCO, 2020). */
export interface HospitalRow {
  /** FINESS ET, 9 characters */
  finess: string;
  name: string;
  siteName: string | undefined;
  lat: number;
  lon: number;
  /** GISCO geocoding quality: 1 address-level, 2 and 3 coarser */
  geoQuality: number;
  street: string | undefined;
  houseNumber: string | undefined;
  /** postal code of the address line; may be a CEDEX code */
  postalCode: string;
  city: string;
  /** JDV_J55 (TRE_R66) category code derived from the category label */
  category: string;
  status: 'public' | 'private' | undefined;
  /** 10 digits */
  phone: string | undefined;
  /** commune resolved from postal code, city and position */
  commune: Commune;
}

/** FINESS category labels of the file → TRE_R66 codes. */
const CATEGORY_BY_LABEL: Readonly<Record<string, string>> = {
  'Centre Hospitalier Régional (C.H.R.)': '101',
  'Centre hospitalier, ex Hôpital local': '106',
  'Etablissement de santé privé autorisé en SSR': '109',
  'Etablissement de Soins Chirurgicaux': '128',
  'Etablissement de Soins Médicaux': '129',
  'Centre de Lutte Contre Cancer': '131',
  'Centre Hospitalier Spécialisé lutte Maladies Mentales': '292',
  'Centre Hospitalier (C.H.)': '355',
  'Etablissement de Soins Longue Durée': '362',
  'Etablissement de Soins Pluridisciplinaire': '365',
};

const HEADER = ['id', 'hospital_name', 'site_name', 'lat', 'lon', 'geo_qual', 'street', 'house_number', 'postcode', 'city'];

function optional(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/**
 * The commune of an address: postal code and city name first, then the name alone in the department, then a
 * name truncated by the source (FINESS cuts long names), then the commune nearest to the position.
 */
export function resolveCommune(postalCode: string, city: string, department: string, position: { lat: number; lon: number }): Commune {
  const cityName = city.replace(/\s+CEDEX(\s+\d+)?$/i, '').replace(/\s+\d+$/, '');
  const key = normaliseName(cityName);
  const byPostal = /^\d{5}$/.test(postalCode) ? communesByPostalCode(postalCode) : [];
  const named = (list: Commune[]): Commune[] => list.filter((c) => normaliseName(c.name) === key && c.kind === 'commune');
  const truncated = byPostal.filter((c) => key.length >= 10 && normaliseName(c.name).startsWith(key));
  const candidates = [named(byPostal), named(communesByName(cityName)).filter((c) => c.department === department), truncated];
  for (const list of candidates) {
    if (list.length === 1 && list[0]) return list[0];
    if (list.length > 1) return nearestOf(list, position);
  }
  const near = nearestCommune(position, (c) => c.department === department && c.kind === 'commune');
  if (!near) throw new Error(`No commune found for ${postalCode} ${city}`);
  return near;
}

function nearestOf(list: Commune[], position: { lat: number; lon: number }): Commune {
  let best = list[0] as Commune;
  let bestKm = Infinity;
  for (const c of list) {
    const km = c.position ? haversineKm(position, c.position) : Infinity;
    if (km < bestKm) {
      best = c;
      bestKm = km;
    }
  }
  return best;
}

let hospitals: HospitalRow[] | undefined;

/** The 348 Pays de la Loire establishments, in file order. */
export function loadPdlHospitals(): HospitalRow[] {
  if (hospitals) return hospitals;
  const text = readFileSync(new URL('pdl-hospitals.csv', DATA_DIR), 'utf8');
  const lines = text.split('\n').filter((l) => l !== '');
  const header = parseCsvLine(lines[0] ?? '', ',');
  if (!header.ok || HEADER.some((h, i) => header.cells[i] !== h)) throw new Error('pdl-hospitals.csv: unexpected header');
  const rows: HospitalRow[] = [];
  for (const [n, line] of lines.slice(1).entries()) {
    const parsed = parseCsvLine(line, ',');
    if (!parsed.ok) throw new Error(`pdl-hospitals.csv line ${n + 2}: ${parsed.reason}`);
    const c = parsed.cells;
    const finess = (c[0] ?? '').padStart(9, '0');
    const lat = Number(c[3]);
    const lon = Number(c[4]);
    const label = c[16] ?? '';
    const category = CATEGORY_BY_LABEL[label];
    const postalCode = c[8] ?? '';
    const city = c[9] ?? '';
    if (!/^\d{9}$/.test(finess) || !Number.isFinite(lat) || !Number.isFinite(lon) || !category || !/^\d{5}$/.test(postalCode)) {
      throw new Error(`pdl-hospitals.csv line ${n + 2}: unexpected record ${line}`);
    }
    const status = c[17] === 'public' || c[17] === 'private' ? c[17] : undefined;
    const tel = optional(c[19]);
    rows.push({
      finess,
      name: (c[1] ?? '').replace(/\s+/g, ' ').trim(),
      siteName: optional(c[2]),
      lat,
      lon,
      geoQuality: Number(c[5]),
      street: optional(c[6]),
      houseNumber: optional(c[7]),
      postalCode,
      city,
      category,
      status,
      phone: tel && /^\d{9}$/.test(tel) ? `0${tel}` : undefined,
      commune: resolveCommune(postalCode, city, finess.slice(0, 2), { lat, lon }),
    });
  }
  hospitals = rows;
  return rows;
}

/** One emergency site of `data/pdl-emergency-sites.json` (SAE 2025), installed beds or null when no such unit. */
export interface EmergencySite {
  finess: string;
  name: string;
  university: boolean;
  pediatric: boolean;
  passages: number;
  beds: { mco: number | null; icu: number | null; intensive: number | null; uhcd: number | null };
}

function bedCount(v: unknown, what: string): number | null {
  if (v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw new Error(`pdl-emergency-sites.json: ${what} must be a bed count or null, got ${JSON.stringify(v)}`);
}

let emergencySites: EmergencySite[] | undefined;

export function loadEmergencySites(): EmergencySite[] {
  if (emergencySites) return emergencySites;
  const json: unknown = JSON.parse(readFileSync(new URL('pdl-emergency-sites.json', DATA_DIR), 'utf8'));
  const sites = (json as { sites?: unknown }).sites;
  if (!Array.isArray(sites)) throw new Error('pdl-emergency-sites.json: no "sites" array');
  emergencySites = sites.map((raw: Record<string, unknown>) => {
    const finess = raw.finess;
    if (typeof finess !== 'string' || !/^\d{9}$/.test(finess)) throw new Error(`pdl-emergency-sites.json: bad FINESS ${String(finess)}`);
    return {
      finess,
      name: String(raw.name),
      university: raw.category === 'chu',
      pediatric: raw.pediatric === true,
      passages: typeof raw.passages === 'number' ? raw.passages : 0,
      beds: {
        mco: bedCount(raw.bedsMco, `${finess} bedsMco`),
        icu: bedCount(raw.bedsIcu, `${finess} bedsIcu`),
        intensive: bedCount(raw.bedsIntensive, `${finess} bedsIntensive`),
        uhcd: bedCount(raw.bedsUhcd, `${finess} bedsUhcd`),
      },
    };
  });
  return emergencySites;
}

/** Upper-case ASCII words, for keyword rules on FINESS names. */
export function nameKey(name: string): string {
  return normaliseName(name).toUpperCase();
}

const PSY_AMBULATORY = /\b(CMP|CATTP|CAT|HDJ|HTP|CMPP|SHIP)\b|ACCUEIL THERAPEUTIQUE|MEDICO PSYCHO|MED PSYCHO|MED PSYCHOL|HOPITAL D?E? ?JOUR|HOP DE JOUR|PSYCHIATRI|PSYCHIATRIQUE|PEDOPSY|PEDO PSY|PSYCHOGERIATRIE|SANTE MENTALE|THERAPIE FAMILIALE|ADDICTOLOGIE|\bPSY\b|ATELIER/;
const HOSPITAL_NAME = /^(CENTRE HOSPITALIER|C H S|ETABLISSEMENT PUBLIC DE SANTE MENTALE|CENTRE DE SANTE MENTALE)\b/;

/**
 * Which offers a real establishment runs, from its FINESS category and the words of its name
 * (sites named "CMP…", "USLD…", "IRM…" are units of a bigger hospital and get that unit's offers only).
 */
export function classifyHospital(row: Pick<HospitalRow, 'name' | 'category'>): ProfileKey {
  const n = nameKey(row.name);
  const c = row.category;
  if (/\bSMUR\b/.test(n)) return 'smur';
  if (/^IRM\b/.test(n)) return 'irm';
  if (/^SCANNER\b/.test(n)) return 'scanner';
  if (/^CAMERA\b/.test(n)) return 'scintigraphie';
  if (/INFORMATION COORDINATION|\bCLIC\b/.test(n)) return 'coordination';
  if (/PLANIFICATION/.test(n)) return 'orthogenie';
  if (/\bA DOMICILE\b/.test(n)) return 'had';
  if (/ACCUEIL FAMILIAL|PLACEMENT FAMILIAL/.test(n)) return 'psy-accueil-familial';
  if (/APPARTEMENT|HOTEL THERAPEUTIQUE|^FOYER\b/.test(n)) return 'psy-appartement';
  if ((c === '292' && HOSPITAL_NAME.test(n)) || /HOPITAL PSYCHIATRIQUE|PSY HEINLEX|PSM VILLAGE/.test(n)) return 'chs';
  if (/LONGUE DUREE|\bUSLD\b|\bUSDL\b/.test(n) || c === '362') return 'usld';
  if (PSY_AMBULATORY.test(n) || c === '292') return /INFANTO|ENFANT|PEDO|\bADO/.test(n) ? 'psy-enfant' : 'psy-adulte';
  if (c === '109' || /\bSSR\b|SOINS DE SUITE|SOINS SUITE|READAPTATION|REEDUC|CONVALESCENCE|\bCURE\b|BASSE VISION|\bSSRA\b/.test(n)) return 'smr';
  if (c === '131' || /CANCEROLOGIE|CHIMIOTHERAPIE/.test(n)) return 'cancerologie';
  if (/HOPITAL LOCAL/.test(n)) return 'hopital-proximite';
  if (c === '101') return 'chu';
  if (c === '355') return 'ch';
  if (c === '106') return 'hopital-proximite';
  if (c === '365' || c === '128' || c === '129' || c === '122') return 'clinique';
  throw new Error(`No structure profile for category ${c} (${row.name})`);
}

/** A legal entity (EJ) grouping real establishments. */
export interface LegalEntityGroup {
  /** FINESS EJ: real for the two CHUs, invented otherwise */
  finess: string;
  name: string;
  real: boolean;
  /** FINESS ET of the members, sorted */
  members: string[];
  status: 'public' | 'private';
}

/** The CHU legal entities, with their public FINESS EJ numbers (see data/README.md). */
const UNIVERSITY_HOSPITALS: Readonly<Record<string, { finess: string; name: string }>> = {
  '44': { finess: '440000289', name: 'CHU DE NANTES' },
  '49': { finess: '490000031', name: 'CHU D ANGERS' },
};

const GENERIC_ROOT_WORDS = new Set(['CENTRE', 'HOSPITALIER', 'HOPITAL', 'HOP', 'CH', 'DE', 'DU', 'JOUR', 'IRM', 'SCANNER', 'CAMERA', 'CLINIQUE', 'UNITE']);
const HOST_PROFILES: ReadonlySet<ProfileKey> = new Set(['chu', 'ch', 'hopital-proximite', 'chs', 'clinique']);

/** The part of a multi-site name before the site: "CHU DE NANTES :SITE …" → "CHU DE NANTES". */
export function nameRoot(name: string): string {
  const head = name.split(/:|\s-\s?|\s+SITE\b/i)[0] ?? name;
  return nameKey(head);
}

function isGeneric(root: string): boolean {
  return root.split(' ').every((w) => GENERIC_ROOT_WORDS.has(w));
}

/**
 * Groups the establishments under legal entities (the source has no EJ number), deterministically:
 * 1. CHR sites and sites naming the CHU/CHR → the department's CHU (real EJ);
 * 2. public units (psychiatric units, USLD, SMR, imaging, HAD… — not hospitals themselves) → the EJ of the
 *    nearest public hospital of the same department (a psychiatric hospital for category-292 units);
 * 3. hospitals sharing a distinctive name root before a site marker (":", " - ", "SITE") → one EJ;
 * 4. otherwise one EJ per establishment.
 * `allocate(department)` gives the invented EJ number of each new group, in FINESS order of their first member.
 */
export function groupLegalEntities(rows: readonly HospitalRow[], allocate: (department: string) => string): LegalEntityGroup[] {
  const groups = new Map<string, LegalEntityGroup>();
  const groupOf = new Map<string, string>();
  const add = (key: string, make: () => Omit<LegalEntityGroup, 'members'>, row: HospitalRow): void => {
    let g = groups.get(key);
    if (!g) {
      g = { ...make(), members: [] };
      groups.set(key, g);
    }
    g.members.push(row.finess);
    groupOf.set(row.finess, key);
  };
  const profileOf = new Map(rows.map((r) => [r.finess, classifyHospital(r)]));
  const dept = (r: HospitalRow): string => r.finess.slice(0, 2);

  for (const row of rows) {
    const chu = UNIVERSITY_HOSPITALS[dept(row)];
    if (chu && (row.category === '101' || /\bCH[RU]\b/.test(nameKey(row.name)))) {
      add(`chu:${chu.finess}`, () => ({ finess: chu.finess, name: chu.name, real: true, status: 'public' }), row);
    }
  }

  const isHost = (r: HospitalRow): boolean => r.status === 'public' && HOST_PROFILES.has(profileOf.get(r.finess) as ProfileKey);
  const satellites = rows.filter((r) => !groupOf.has(r.finess) && r.status === 'public' && !isHost(r));
  const roots = new Map<string, HospitalRow[]>();
  for (const row of rows) {
    if (groupOf.has(row.finess) || satellites.includes(row)) continue;
    const root = nameRoot(row.name);
    if (!isGeneric(root)) roots.set(root, [...(roots.get(root) ?? []), row]);
  }
  for (const row of rows) {
    if (groupOf.has(row.finess) || satellites.includes(row)) continue;
    const root = nameRoot(row.name);
    const shared = (roots.get(root) ?? []).length > 1;
    const status = row.status === 'public' ? 'public' : 'private';
    add(shared ? `root:${root}` : `own:${row.finess}`, () => ({ finess: '', name: shared ? root : nameKey(row.name), real: false, status }), row);
  }

  const hosts = rows.filter(isHost);
  for (const row of satellites) {
    const wanted = (h: HospitalRow): boolean =>
      dept(h) === dept(row) && (row.category === '292') === (profileOf.get(h.finess) === 'chs');
    let host: HospitalRow | undefined;
    let hostKm = Infinity;
    for (const h of hosts) {
      const km = wanted(h) ? haversineKm(h, row) : Infinity;
      if (km < hostKm) {
        host = h;
        hostKm = km;
      }
    }
    const key = host ? groupOf.get(host.finess) : undefined;
    const group = key ? groups.get(key) : undefined;
    if (key && group) add(key, () => group, row);
    else add(`own:${row.finess}`, () => ({ finess: '', name: nameKey(row.name), real: false, status: 'public' }), row);
  }

  const result = [...groups.values()].sort((a, b) => (a.members[0] ?? '').localeCompare(b.members[0] ?? ''));
  for (const g of result) {
    g.members.sort();
    if (!g.real) g.finess = allocate((g.members[0] ?? '').slice(0, 2));
  }
  return result;
}
