/**
 * Deterministic generator of FINESS etalab extractions in the exact real format, for benchmarks and
 * large-scale import tests: a cs1100507 file (metadata line, `structureet` lines, then `geolocalisation`
 * lines in each territory's CRS) and the matching cs1100501 file of entités juridiques.
 *
 *   node --import tsx bench/finess-gen.ts OUT_DIR [--count 103000] [--seed 1] [--date 2026-05-12]
 *
 * Real communes (COG 2026, weighted by population), real department codes (2A/2B, 9A…9F, 9J, with
 * Saint-Martin / Saint-Barthélemy under their pre-2007 codes), names with quotes and semicolons,
 * Lambert-93 and the overseas UTM systems, 2026 and legacy `sourcecoordet` labels, a few établissements
 * without coordinates. The same arguments always produce the same bytes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { allCommunes, type Commune } from '../src/geo/communes.ts';
import { departmentByCode } from '../src/geo/departments.ts';
import { formatCsvCell } from '../src/importers/finess/csv.ts';
import { epsgOfTerritory, fromWgs84, type Territory } from '../src/importers/finess/geo.ts';

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Category {
  code: string;
  label: string;
  agregat: string;
  agregatLabel: string;
  mft: readonly [string, string];
  ape: string;
  sph: readonly [string, string] | undefined;
  weight: number;
  public: boolean;
  /** Short-name pattern; `{n}` is a picked name, `{c}` the commune. */
  short: string;
  long: string;
}

const MFT = {
  libre: ['01', 'Etablissement Tarif Libre'],
  dg: ['03', 'ARS établissements Publics de santé dotation globale'],
  ndg: ['07', 'ARS établissements de santé non financés dotation globale'],
  pcd: ['08', 'Président du Conseil Départemental'],
  global: ['40', 'ARS/PCD, Tarif global, habilité aide sociale, recours PUI'],
  cpom: ['57', 'DGS ARS & hébergement PCD - sous CPOM'],
} as const;
const SPH_PUBLIC = ['1', 'Etablissement public de santé'] as const;
const SPH_NONE = ['0', 'Non concerné'] as const;

const CATEGORIES: readonly Category[] = [
  { code: '620', label: "Pharmacie d'Officine", agregat: '3101', agregatLabel: 'Pharmacies', mft: MFT.libre, ape: '4773Z', sph: undefined, weight: 210, public: false, short: 'PHARMACIE {n}', long: 'PHARMACIE {n} {c}' },
  { code: '500', label: "Etablissement d'hébergement pour personnes âgées dépendantes", agregat: '4401', agregatLabel: "Etablissements d'Hébergement pour Personnes Âgées", mft: MFT.global, ape: '8710A', sph: undefined, weight: 75, public: true, short: 'EHPAD {n}', long: 'EHPAD {n} {c}' },
  { code: '460', label: "Service d'Aide et d'Accompagnement à Domicile", agregat: '4601', agregatLabel: 'Services à domicile', mft: MFT.pcd, ape: '8810A', sph: undefined, weight: 60, public: false, short: 'SAAD {n}', long: "SERVICE D'AIDE A DOMICILE {n}" },
  { code: '611', label: "Laboratoire d'Analyses de Biologie Médicale", agregat: '3201', agregatLabel: 'Laboratoires', mft: MFT.libre, ape: '8690B', sph: undefined, weight: 40, public: false, short: 'LBM {n}', long: 'LABORATOIRE DE BIOLOGIE MEDICALE {n}' },
  { code: '124', label: 'Centre de Santé', agregat: '1201', agregatLabel: 'Centres de santé', mft: MFT.libre, ape: '8621Z', sph: undefined, weight: 25, public: false, short: 'CENTRE DE SANTE {n}', long: 'CENTRE DE SANTE {n} {c}' },
  { code: '354', label: 'Service de Soins Infirmiers A Domicile', agregat: '4402', agregatLabel: 'Services de soins à domicile', mft: MFT.cpom, ape: '8810A', sph: undefined, weight: 22, public: true, short: 'SSIAD {n}', long: 'SERVICE DE SOINS INFIRMIERS A DOMICILE {c}' },
  { code: '202', label: 'Résidences autonomie', agregat: '4401', agregatLabel: "Etablissements d'Hébergement pour Personnes Âgées", mft: MFT.pcd, ape: '8730A', sph: undefined, weight: 22, public: true, short: 'RESIDENCE AUTONOMIE {n}', long: 'RESIDENCE AUTONOMIE {n} {c}' },
  { code: '182', label: "Service d'Éducation Spéciale et de Soins à Domicile", agregat: '4101', agregatLabel: 'Etablissements et services pour enfants handicapés', mft: MFT.cpom, ape: '8891A', sph: undefined, weight: 18, public: false, short: 'SESSAD {n}', long: 'SESSAD {n} {c}' },
  { code: '246', label: "Etablissement et Service d'Aide par le Travail", agregat: '4103', agregatLabel: 'Etablissements de travail protégé', mft: MFT.cpom, ape: '8810C', sph: undefined, weight: 14, public: false, short: 'ESAT {n}', long: 'ESAT {n} {c}' },
  { code: '183', label: 'Institut Médico-Educatif (I.M.E.)', agregat: '4101', agregatLabel: 'Etablissements et services pour enfants handicapés', mft: MFT.cpom, ape: '8891A', sph: undefined, weight: 12, public: false, short: 'IME {n}', long: 'INSTITUT MEDICO EDUCATIF {n}' },
  { code: '355', label: 'Centre Hospitalier (C.H.)', agregat: '1102', agregatLabel: 'Centres Hospitaliers', mft: MFT.dg, ape: '8610Z', sph: SPH_PUBLIC, weight: 9, public: true, short: 'CH DE {c}', long: 'CENTRE HOSPITALIER DE {c}' },
  { code: '109', label: 'Etablissement de santé privé autorisé en SSR', agregat: '1107', agregatLabel: 'Etablissements de Soins de Suite et de Réadaptation', mft: MFT.ndg, ape: '8610Z', sph: SPH_NONE, weight: 9, public: false, short: 'CENTRE SSR {n}', long: 'CENTRE DE SOINS DE SUITE ET DE READAPTATION {n}' },
  { code: '365', label: 'Etablissement de Soins Pluridisciplinaire', agregat: '1110', agregatLabel: 'Etablissements de Soins Courte Durée', mft: MFT.ndg, ape: '8610Z', sph: SPH_NONE, weight: 6, public: false, short: 'CLINIQUE {n}', long: 'CLINIQUE {n} {c}' },
  { code: '462', label: "Lieux de Vie et d'Accueil", agregat: '4605', agregatLabel: 'Etablissements et services multi-clientèles', mft: MFT.pcd, ape: '', sph: undefined, weight: 4, public: false, short: 'LIEU DE VIE "{n}"', long: 'LIEU DE VIE ET D\'ACCUEIL "{n}"' },
  { code: '101', label: 'Centre Hospitalier Régional (C.H.R.)', agregat: '1101', agregatLabel: 'Centres Hospitaliers Régionaux', mft: MFT.dg, ape: '8610Z', sph: SPH_PUBLIC, weight: 1.5, public: true, short: 'CHU {c} SITE {n}', long: 'CENTRE HOSPITALIER UNIVERSITAIRE DE {c} SITE {n}' },
];

const NAMES = [
  'LES TILLEULS', 'DU CENTRE', 'SAINT JOSEPH', 'LE CLOS FLEURI', 'LES GLYCINES', 'DE LA GARE', 'LES LILAS', 'DU PARC',
  'SAINTE ANNE', 'LES CHENES', 'PASTEUR', 'LA ROSERAIE', 'DU MARCHE', 'LES MIMOSAS', 'BEAUSEJOUR', 'LES PINS',
  'NOTRE DAME', 'DES QUATRE VENTS', 'LA SOURCE', "L'ALBIZIA", 'LES HORTENSIAS', 'DU LAC', 'VAL FLEURI', 'LES CEDRES',
];
const STREET_TYPES = ['R', 'R', 'R', 'AV', 'AV', 'BD', 'PL', 'RTE', 'CHE', 'ALL', 'IMP', 'ZI'];
const STREETS = [
  'DE LA REPUBLIQUE', 'DU GENERAL DE GAULLE', 'JEAN JAURES', 'DE PARIS', 'VICTOR HUGO', 'PASTEUR', 'DE LA GARE', 'DES ECOLES',
  'DU MOULIN', 'NATIONALE', 'DE LA LIBERATION', 'DU 8 MAI 1945', 'GAMBETTA', 'DES LILAS', "DE L'EGLISE", 'CLEMENCEAU',
];

/** COG department → FINESS department code. */
const FINESS_DEPARTMENT: Readonly<Record<string, string>> = {
  '971': '9A', '972': '9B', '973': '9C', '974': '9D', '975': '9E', '976': '9F', '977': '9A', '978': '9A', '986': '9J',
};
/** FINESS numbers of overseas structures start with these 4 characters. */
const OVERSEAS_PREFIX: Readonly<Record<string, string>> = { '9A': '9701', '9B': '9702', '9C': '9703', '9D': '9704', '9E': '9705', '9F': '9805', '9J': '9806' };
const TERRITORY: Readonly<Record<string, Territory>> = {
  '9A': 'antilles', '9B': 'antilles', '9C': 'guyane', '9D': 'reunion', '9E': 'saint-pierre-et-miquelon', '9F': 'mayotte', '9J': 'wallis-et-futuna',
};
const CRS_LABEL: Readonly<Record<Territory, string>> = {
  metropole: 'EPSG:2154 RGF93 / Lambert-93 (Métropole)',
  antilles: 'EPSG:5490 RGAF09/UTM Zone 20N (Antilles)',
  guyane: 'EPSG:2972 RGFG95/UTM Zone 22N (Guyane)',
  reunion: 'EPSG:2975 RGR92/UTM zone 40S (Réunion)',
  mayotte: 'EPSG:4471 RGM04/UTM zone 38S (Mayotte)',
  'saint-pierre-et-miquelon': 'WGS84/UTM zone 21N (St-Pierre-et-Miquelon)',
  'wallis-et-futuna': 'WGS84/UTM zone 1S (Wallis-et-Futuna)',
};
const LEGACY_LABEL: Readonly<Record<Territory, string>> = {
  metropole: 'LAMBERT_93',
  antilles: 'UTM_N20',
  guyane: 'UTM_N22',
  reunion: 'UTM_S40',
  mayotte: 'UTM_S38',
  'saint-pierre-et-miquelon': 'UTM_N21',
  'wallis-et-futuna': 'WGS84/UTM zone 1S',
};
/** Communes the commune table has no position for. */
const FALLBACK_POSITION: Readonly<Record<string, { lat: number; lon: number }>> = {
  '97501': { lat: 47.0975, lon: -56.3814 },
  '97701': { lat: 17.8963, lon: -62.8498 },
  '97801': { lat: 18.0731, lon: -63.0822 },
  '98613': { lat: -13.2825, lon: -176.1745 },
};
/** First digit of metropolitan phone numbers by region (01 Île-de-France, 02 north-west, 03 north-east, 04 south-east, 05 south-west). */
const PHONE_ZONE: Readonly<Record<string, string>> = {
  '11': '1', '24': '2', '28': '2', '52': '2', '53': '2', '27': '3', '32': '3', '44': '3', '84': '4', '93': '4', '94': '4', '75': '5', '76': '5',
};
const PHONE_PREFIX: Readonly<Record<string, string>> = { '9A': '0590', '9B': '0596', '9C': '0594', '9D': '0262', '9E': '0508', '9F': '0269', '9J': '0681' };

interface Place {
  commune: Commune;
  finessDepartment: string;
  /** 3-digit FINESS commune code. */
  communeCode: string;
  libDepartement: string;
  city: string;
  postalCode: string;
  territory: Territory;
  lat: number;
  lon: number;
}

function upperAscii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/-/g, ' ')
    .replace(/\bSAINTE\b/g, 'STE')
    .replace(/\bSAINT\b/g, 'ST');
}

function places(): { list: Place[]; cumulative: Float64Array } {
  const list: Place[] = [];
  for (const c of allCommunes()) {
    if (c.kind !== 'commune') continue;
    const dept = c.department.length === 2 ? c.department : FINESS_DEPARTMENT[c.department];
    const position = c.position ?? FALLBACK_POSITION[c.code];
    if (dept === undefined || position === undefined) continue;
    const communeCode = c.code === '97801' ? '127' : c.code === '97701' ? '123' : c.code.slice(-3);
    const postalCode = c.postalCodes[0];
    if (postalCode === undefined) continue;
    list.push({
      commune: c,
      finessDepartment: dept,
      communeCode,
      libDepartement: upperAscii(departmentByCode(dept === '9A' ? '971' : c.department)?.name ?? '').slice(0, 24),
      city: upperAscii(c.name).slice(0, 26),
      postalCode,
      territory: dept.length === 2 && dept[0] !== '9' ? 'metropole' : (TERRITORY[dept] ?? 'metropole'),
      lat: position.lat,
      lon: position.lon,
    });
  }
  const cumulative = new Float64Array(list.length);
  let total = 0;
  list.forEach((p, i) => {
    total += Math.max(50, p.commune.population ?? 50);
    cumulative[i] = total;
  });
  return { list, cumulative };
}

function pickWeighted(cumulative: Float64Array, r: number): number {
  const target = r * (cumulative[cumulative.length - 1] as number);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class Out {
  private buffer: string[] = [];
  private size = 0;
  constructor(private readonly stream: WriteStream) {}

  async line(cells: readonly string[]): Promise<void> {
    const text = `${cells.map((c) => formatCsvCell(c)).join(';')}\n`;
    this.buffer.push(text);
    this.size += text.length;
    if (this.size > 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once('drain', () => resolve()));
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

interface Ej {
  finess: string;
  place: Place;
  category: Category;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { count: { type: 'string', default: '103000' }, seed: { type: 'string', default: '1' }, date: { type: 'string', default: '2026-05-12' } },
  });
  const outDir = positionals[0];
  const count = Number(values.count);
  const seed = Number(values.seed);
  const date = values.date;
  if (outDir === undefined || positionals.length !== 1) throw new Error('usage: finess-gen.ts OUT_DIR [--count N] [--seed S] [--date YYYY-MM-DD]');
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got ${values.count}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`--date must be YYYY-MM-DD, got ${date}`);

  const started = Date.now();
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const until = Date.parse(`${date}T00:00:00Z`);
  /** A date between January 1st of `fromYear` and the extraction date. */
  const dateSince = (fromYear: number): string => {
    const from = Date.UTC(fromYear, 0, 1);
    return new Date(from + Math.floor(random() * ((until - from) / 86_400_000)) * 86_400_000).toISOString().slice(0, 10);
  };
  const { list, cumulative } = places();
  const categoryWeights = new Float64Array(CATEGORIES.length);
  CATEGORIES.reduce((sum, c, i) => (categoryWeights[i] = sum + c.weight), 0);

  const sequence = new Map<string, number>();
  const finessNumber = (dept: string): string => {
    const prefix = OVERSEAS_PREFIX[dept] ?? dept;
    const n = (sequence.get(prefix) ?? 0) + 1;
    sequence.set(prefix, n);
    return prefix + String(n).padStart(9 - prefix.length, '0');
  };
  const phone = (place: Place): string => {
    const overseas = PHONE_PREFIX[place.finessDepartment];
    return overseas ? overseas + digits(6) : `0${PHONE_ZONE[place.commune.region] ?? '4'}${digits(8)}`;
  };
  const fill = (pattern: string, name: string, city: string, max: number): string => pattern.replace('{n}', name).replace('{c}', city).slice(0, max).trimEnd();

  await mkdir(outDir, { recursive: true });
  const stamp = date.replaceAll('-', '');
  const etPath = join(outDir, `etalab-cs1100507-stock-${stamp}-0339.csv`);
  const ejPath = join(outDir, `etalab-cs1100501-stock-${stamp}-0339.csv`);
  const et = new Out(createWriteStream(etPath));
  const ej = new Out(createWriteStream(ejPath));
  await et.line(['finess', 'etalab', '98', date]);
  await ej.line(['finess', 'etalab', '106', date]);

  const recentEjByDept = new Map<string, Ej[]>();
  const geoLines: string[][] = [];
  let ejCount = 0;
  let withoutGeolocation = 0;
  let emptyCoordinates = 0;
  for (let i = 0; i < count; i++) {
    const place = list[pickWeighted(cumulative, random())] as Place;
    const category = CATEGORIES[pickWeighted(categoryWeights, random())] as Category;
    const dept = place.finessDepartment;
    const recent = recentEjByDept.get(dept) ?? [];
    let owner = recent.length > 0 && random() < 0.4 ? pick(recent) : undefined;
    if (!owner) {
      owner = { finess: finessNumber(dept), place, category };
      ejCount += 1;
      const statut = category.public ? pick(['21', '13', '14']) : pick(['60', '61', '72', '73', '95']);
      const statutLabel = { '21': 'Etablissement Social et Médico-Social Communal', '13': "Etablissement Public Communal d'Hospitalisation", '14': "Etablissement Public Régional d'Hospitalisation", '60': 'Association Loi 1901 non Reconnue d\'Utilité Publique', '61': "Association Loi 1901 Reconnue d'Utilité Publique", '72': 'Société A Responsabilité Limitée (S.A.R.L.)', '73': 'Société Anonyme (S.A.)', '95': 'Société par Actions Simplifiée (S.A.S.)' }[statut] ?? '';
      const ejName = fill(category.public ? 'CENTRE COMMUNAL {c}' : 'ASSOCIATION {n}', pick(NAMES), place.city, 38);
      await ej.line([
        'structureej', owner.finess, ejName, fill(category.public ? 'CENTRE COMMUNAL D\'ACTION SOCIALE DE {c}' : 'ASSOCIATION {n} {c}', pick(NAMES), place.city, 60), '',
        String(1 + Math.floor(random() * 200)), pick(STREET_TYPES), pick(STREETS), '', '', '', place.communeCode,
        `${place.postalCode} ${place.city}`, dept, place.libDepartement, phone(place), statut, statutLabel, category.code, category.label,
        digits(9), category.ape, dateSince(1950),
      ]);
      recent.push(owner);
      if (recent.length > 30) recent.shift();
      recentEjByDept.set(dept, recent);
    }
    const nofinesset = finessNumber(dept);
    const name = random() < 0.001 ? `${pick(NAMES)}; ANTENNE ${pick(['NORD', 'SUD', 'EST', 'OUEST'])}` : pick(NAMES);
    const cedex = random() < 0.05;
    const sph = category.sph;
    const opened = dateSince(1950);
    await et.line([
      'structureet', nofinesset, owner.finess,
      fill(category.short, name, place.city, 38), fill(category.long, name, place.city, 60),
      random() < 0.05 ? pick(['ASSOCIATION MESSO', 'FONDATION ' + pick(NAMES)]).slice(0, 32) : '',
      random() < 0.03 ? pick(['BATIMENT A', 'RESIDENCE LES PINS', 'HALL 2']) : '',
      random() < 0.85 ? String(1 + Math.floor(random() * 900)) : '', pick(STREET_TYPES), pick(STREETS).slice(0, 27),
      random() < 0.02 ? pick(['B', 'T']) : '', cedex ? `BP ${1 + Math.floor(random() * 900)}` : '',
      place.communeCode, dept, place.libDepartement,
      cedex ? `${place.postalCode.slice(0, 2)}${digits(3)} ${place.city} CEDEX`.slice(0, 32) : `${place.postalCode} ${place.city}`,
      phone(place), random() < 0.6 ? phone(place) : '', category.code, category.label, category.agregat, category.agregatLabel,
      random() < 0.9 ? digits(14) : '', category.ape, category.mft[0], category.mft[1], sph?.[0] ?? '', sph?.[1] ?? '',
      opened, opened, dateSince(2015), '',
    ]);
    const r = random();
    if (r < 0.008) {
      withoutGeolocation += 1;
      continue;
    }
    if (r < 0.01) {
      emptyCoordinates += 1;
      geoLines.push(['geolocalisation', nofinesset, '', '', '', '']);
      continue;
    }
    const lat = place.lat + (random() - 0.5) * 0.02;
    const lon = place.lon + (random() - 0.5) * 0.02;
    const { x, y } = fromWgs84(place.territory, { lat, lon });
    const legacy = random() < 0.02;
    const source = legacy
      ? `1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,${LEGACY_LABEL[place.territory]}`
      : `${random() < 0.9 ? 1 : 2},ATLASANTE,${80 + Math.floor(random() * 21)},BAN,${CRS_LABEL[place.territory]}`;
    geoLines.push(['geolocalisation', nofinesset, x.toFixed(1), y.toFixed(1), source, dateSince(2024)]);
  }
  for (const cells of geoLines) await et.line(cells);
  await et.close();
  await ej.close();

  const [etSize, ejSize] = await Promise.all([stat(etPath), stat(ejPath)]);
  const territories = new Set(list.map((p) => `EPSG:${epsgOfTerritory(p.territory)}`));
  process.stdout.write(
    [
      `wrote ${etPath}: ${count} structureet + ${geoLines.length} geolocalisation lines (${withoutGeolocation} without, ${emptyCoordinates} empty), ${(etSize.size / 1048576).toFixed(1)} MB`,
      `wrote ${ejPath}: ${ejCount} structureej lines, ${(ejSize.size / 1048576).toFixed(1)} MB`,
      `seed ${seed}, extraction date ${date}, ${list.length} communes, CRS ${[...territories].sort().join(' ')}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
