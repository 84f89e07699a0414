import proj4 from 'proj4';
import { departmentByCode } from '../../geo/departments.ts';

/** Territories with their own legal projected CRS in FINESS geolocation lines. */
export type Territory = 'metropole' | 'antilles' | 'guyane' | 'reunion' | 'mayotte' | 'saint-pierre-et-miquelon' | 'wallis-et-futuna';

interface TerritoryDefinition {
  epsg: string;
  proj4: string;
  /** WGS84 bounding box: [minLon, minLat, maxLon, maxLat]. */
  bounds: readonly [number, number, number, number];
}

const TERRITORIES: Record<Territory, TerritoryDefinition> = {
  metropole: {
    epsg: '2154',
    proj4: '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
    bounds: [-5.8, 41.2, 10.0, 51.3],
  },
  antilles: {
    epsg: '5490',
    proj4: '+proj=utm +zone=20 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
    bounds: [-63.3, 14.3, -60.7, 18.2],
  },
  guyane: {
    epsg: '2972',
    proj4: '+proj=utm +zone=22 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
    bounds: [-54.7, 2.0, -51.5, 6.0],
  },
  reunion: {
    epsg: '2975',
    proj4: '+proj=utm +zone=40 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
    bounds: [55.1, -21.5, 56.0, -20.8],
  },
  mayotte: {
    epsg: '4471',
    proj4: '+proj=utm +zone=38 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
    bounds: [44.9, -13.1, 45.4, -12.5],
  },
  'saint-pierre-et-miquelon': {
    epsg: '32621',
    proj4: '+proj=utm +zone=21 +datum=WGS84 +units=m +no_defs',
    bounds: [-56.6, 46.7, -56.0, 47.2],
  },
  'wallis-et-futuna': {
    epsg: '32701',
    proj4: '+proj=utm +zone=1 +south +datum=WGS84 +units=m +no_defs',
    bounds: [-178.3, -14.5, -176.0, -13.1],
  },
};

/** EPSG codes accepted in `sourcecoordet`, by territory (RGSPM06 / UTM 21N 4467 has the same numbers as 32621). */
const EPSG_TERRITORY = new Map<string, Territory>([
  ...Object.entries(TERRITORIES).map(([t, d]) => [d.epsg, t as Territory] as const),
  ['4467', 'saint-pierre-et-miquelon'],
]);

/** Labels of the 2016–2018 files and of the WGS84/UTM territories that carry no EPSG code. */
const LABEL_TERRITORY: readonly [RegExp, Territory][] = [
  [/LAMBERT[_ -]?93/i, 'metropole'],
  [/\bUTM[_ ]?N20\b/i, 'antilles'],
  [/\bUTM[_ ]?N21\b/i, 'saint-pierre-et-miquelon'],
  [/\bUTM[_ ]?N22\b/i, 'guyane'],
  [/\bUTM[_ ]?S38\b/i, 'mayotte'],
  [/\bUTM[_ ]?S40\b/i, 'reunion'],
  [/WGS ?84\s*\/\s*UTM zone 21 ?N/i, 'saint-pierre-et-miquelon'],
  [/WGS ?84\s*\/\s*UTM zone 1 ?S/i, 'wallis-et-futuna'],
];

for (const d of Object.values(TERRITORIES)) proj4.defs(`EPSG:${d.epsg}`, d.proj4);

const converters = new Map<Territory, proj4.Converter>();
function converter(territory: Territory): proj4.Converter {
  let c = converters.get(territory);
  if (!c) {
    c = proj4(`EPSG:${TERRITORIES[territory].epsg}`, 'EPSG:4326');
    converters.set(territory, c);
  }
  return c;
}

/**
 * The territory whose CRS a FINESS `sourcecoordet` names (its last comma-separated part), e.g.
 * `1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)` or `1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93`.
 * Throws a RangeError naming the label when it is not recognised.
 */
export function territoryOfSource(sourcecoordet: string): Territory {
  const epsg = /EPSG:(\d{4,5})/i.exec(sourcecoordet);
  if (epsg) {
    const t = EPSG_TERRITORY.get(epsg[1] as string);
    if (!t) throw new RangeError(`unsupported coordinate system EPSG:${epsg[1]}`);
    return t;
  }
  for (const [re, t] of LABEL_TERRITORY) if (re.test(sourcecoordet)) return t;
  throw new RangeError(`no coordinate system recognised in sourcecoordet ${JSON.stringify(sourcecoordet)}`);
}

export function epsgOfTerritory(territory: Territory): string {
  return TERRITORIES[territory].epsg;
}

export interface LonLat {
  lon: number;
  lat: number;
}

/** Projected X/Y (metres, territory CRS) → WGS84; throws a RangeError when the point falls outside the territory. */
export function toWgs84(territory: Territory, x: number, y: number): LonLat {
  if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`coordinates are not finite numbers (${x}, ${y})`);
  const [lon, lat] = converter(territory).forward([x, y]) as [number, number];
  assertInTerritory(territory, { lon, lat }, `X=${x} Y=${y} (EPSG:${TERRITORIES[territory].epsg})`);
  return { lon, lat };
}

/** WGS84 → projected X/Y of the territory CRS (used by the benchmark generator and tests). */
export function fromWgs84(territory: Territory, point: LonLat): { x: number; y: number } {
  const [x, y] = converter(territory).inverse([point.lon, point.lat]) as [number, number];
  return { x, y };
}

export function assertInTerritory(territory: Territory, point: LonLat, what: string): void {
  const [minLon, minLat, maxLon, maxLat] = TERRITORIES[territory].bounds;
  const { lon, lat } = point;
  if (!(lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat)) {
    throw new RangeError(
      `${what} → lon ${lon.toFixed(6)}, lat ${lat.toFixed(6)} lies outside ${territory} (lon ${minLon}…${maxLon}, lat ${minLat}…${maxLat})`,
    );
  }
}

/** FINESS overseas department codes → first digit of their commune codes and INSEE prefix. */
const OVERSEAS: Record<string, { prefix: string; territory: Territory }> = {
  '9A': { prefix: '971', territory: 'antilles' },
  '9B': { prefix: '972', territory: 'antilles' },
  '9C': { prefix: '973', territory: 'guyane' },
  '9D': { prefix: '974', territory: 'reunion' },
  '9E': { prefix: '975', territory: 'saint-pierre-et-miquelon' },
  '9F': { prefix: '976', territory: 'mayotte' },
  '9J': { prefix: '986', territory: 'wallis-et-futuna' },
};

/** Saint-Martin and Saint-Barthélemy keep their pre-2007 Guadeloupe commune codes in FINESS. */
const COMMUNE_REMAP: Record<string, string> = { '97127': '97801', '97123': '97701' };

function isMetropolitanDepartment(code: string): boolean {
  if (code === '2A' || code === '2B') return true;
  if (!/^\d\d$/.test(code)) return false;
  const n = Number(code);
  return n >= 1 && n <= 95 && n !== 20;
}

/**
 * INSEE (COG) commune code from FINESS `departement` + 3-digit `commune`: `44`+`109` → `44109`,
 * `9D`+`411` → `97411`, `9J`+`613` → `98613`; Saint-Martin / Saint-Barthélemy are remapped to their
 * current codes (`97127` → `97801`, `97123` → `97701`). Throws a RangeError on inconsistent codes.
 */
export function inseeCodeOf(departement: string, commune: string): string {
  if (!/^\d{3}$/.test(commune)) throw new RangeError(`commune code ${JSON.stringify(commune)} is not 3 digits`);
  if (isMetropolitanDepartment(departement)) return departement + commune;
  const o = OVERSEAS[departement];
  if (!o) throw new RangeError(`unknown FINESS department code ${JSON.stringify(departement)}`);
  if (commune[0] !== o.prefix[2]) {
    throw new RangeError(`commune code ${commune} does not belong to department ${departement} (expected ${o.prefix[2]}xx)`);
  }
  const code = o.prefix.slice(0, 2) + commune;
  return COMMUNE_REMAP[code] ?? code;
}

/** COG department of an INSEE commune code (`2A004` → `2A`, `97411` → `974`, `98613` → `986`). */
export function departmentOfInseeCode(insee: string): string {
  if (!/^(\d\d|2A|2B)\d{3}$/.test(insee)) throw new RangeError(`invalid INSEE commune code ${JSON.stringify(insee)}`);
  return insee.startsWith('97') || insee.startsWith('98') ? insee.slice(0, 3) : insee.slice(0, 2);
}

/** Territory of an INSEE commune code (for FINESS+ JSON, which gives full COG codes). */
export function territoryOfInseeCode(insee: string): Territory {
  const dept = departmentOfInseeCode(insee);
  if (dept.length === 2) return 'metropole';
  for (const o of Object.values(OVERSEAS)) if (o.prefix === dept) return o.territory;
  if (dept === '977' || dept === '978') return 'antilles';
  throw new RangeError(`no FINESS territory for INSEE code ${insee}`);
}

/**
 * ROR source region (NOS J237 / TRE_R30 code) of an INSEE commune code, or undefined for the
 * collectivities without a ROR region (Saint-Pierre-et-Miquelon, Wallis-et-Futuna).
 * Saint-Martin and Saint-Barthélemy belong to the Guadeloupe ARS (`01`).
 */
export function regionOfInseeCode(insee: string): string | undefined {
  const dept = departmentOfInseeCode(insee);
  if (dept === '977' || dept === '978') return '01';
  const d = departmentByCode(dept);
  if (!d) throw new RangeError(`unknown department ${dept} for INSEE code ${insee}`);
  return d.zone === 'com' ? undefined : d.region;
}
