/**
 * Record layer of the FINESS "etalab" CSV extractions (cs1100501 EJ, cs1100502/cs1100507 ET,
 * cs1100505 équipements sociaux): one tokenized line → one typed, validated record.
 * Field orders: shared/docs/finess-geo.md §1.3–1.6.
 */
import { FINESS_PATTERN } from '../../model/index.ts';
import { parseCsvLine } from './csv.ts';
import { inseeCodeOf, territoryOfSource, toWgs84, type Territory } from './geo.ts';
import type { FinessAddress } from './source.ts';

export interface FileHeader {
  /** Flux counter of the metadata line (`finess;etalab;<n>;<date>`). */
  counter: string;
  /** Extraction date, `YYYY-MM-DD`. */
  extractionDate: string;
}

export interface EtRecord {
  nofinesset: string;
  nofinessej: string;
  rs: string;
  rslongue: string | undefined;
  complrs: string | undefined;
  address: FinessAddress;
  telephone: string | undefined;
  telecopie: string | undefined;
  categetab: string;
  libcategetab: string | undefined;
  categagretab: string;
  libcategagretab: string | undefined;
  siret: string | undefined;
  codeape: string | undefined;
  codemft: string | undefined;
  libmft: string | undefined;
  codesph: string | undefined;
  libsph: string | undefined;
  dateouv: string | undefined;
  dateautor: string | undefined;
  datemaj: string;
  /** Only in cs1100502. */
  numuai: string | undefined;
}

export interface GeoRecord {
  nofinesset: string;
  territory: Territory;
  lon: number;
  lat: number;
  datemaj: string | undefined;
}

export interface EjRecord {
  nofiness: string;
  rs: string;
  rslongue: string | undefined;
  complrs: string | undefined;
  address: FinessAddress;
  telephone: string | undefined;
  statutjuridique: string;
  libstatutjuridique: string | undefined;
  categetab: string | undefined;
  libcategetab: string | undefined;
  siren: string | undefined;
  codeape: string | undefined;
  datecrea: string;
}

export interface EquipementRecord {
  nofinesset: string;
  /** Discipline d'équipement (e.g. 924 accueil pour personnes âgées). */
  de: string;
  libde: string | undefined;
  /** Type d'activité (11 hébergement complet internat, 21 accueil de jour …). */
  ta: string;
  libta: string | undefined;
  /** Clientèle (711 personnes âgées dépendantes …). */
  client: string;
  libclient: string | undefined;
  /** Installed places. */
  capinstot: number;
  /** `O` when the installation is deleted. */
  deleted: boolean;
  /** Date of the last update of the installation (`datemajinst`, else `datemajaut`). */
  updated: string | undefined;
}

export type EtalabRecord =
  | { type: 'structureet'; line: number; et: EtRecord }
  | { type: 'geolocalisation'; line: number; geo: GeoRecord }
  /** A geolocalisation line without coordinates (empty X/Y). */
  | { type: 'geolocalisation-empty'; line: number; nofinesset: string }
  | { type: 'structureej'; line: number; ej: EjRecord }
  /** `structureet;<ET>;<EJ>` link lines of cs1100505. */
  | { type: 'structureet-link'; line: number; nofinesset: string; nofinessej: string }
  | { type: 'equipementsocial'; line: number; equipement: EquipementRecord }
  | { type: 'unknown'; line: number; recordType: string }
  /** `id` is the record's FINESS number when it could be read (used to avoid closing a structure whose line was rejected). */
  | { type: 'rejected'; line: number; reason: string; recordType: string; id: string | undefined };

/** A validation failure of one line; its message is the reason reported to the user. */
export class RecordError extends Error {}


/** Parses the metadata line `finess;etalab;<n>;<YYYY-MM-DD>`; returns undefined when the line is not one. */
export function parseHeader(text: string): FileHeader | undefined {
  const parsed = parseCsvLine(text);
  if (!parsed.ok) return undefined;
  const [emitter, recipient, counter, date] = parsed.cells;
  if (emitter !== 'finess' || recipient !== 'etalab') return undefined;
  if (counter === undefined || !/^\d+$/.test(counter)) throw new RecordError(`metadata line: counter ${JSON.stringify(counter)} is not a number`);
  return { counter, extractionDate: checkDate(date?.trim() ?? '', 'extraction date') };
}

function checkDate(value: string, field: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d) return value;
  }
  throw new RecordError(`${field}: invalid date ${JSON.stringify(value)} (expected YYYY-MM-DD)`);
}

/** Reads cells by index, trimming and turning empty strings into undefined. */
class Cells {
  constructor(private readonly cells: string[]) {}

  opt(i: number): string | undefined {
    const v = this.cells[i]?.trim();
    return v ? v : undefined;
  }

  req(i: number, field: string): string {
    const v = this.opt(i);
    if (v === undefined) throw new RecordError(`${field} is empty`);
    return v;
  }

  finess(i: number, field: string): string {
    const v = this.req(i, field);
    if (!FINESS_PATTERN.test(v)) throw new RecordError(`${field}: invalid FINESS number ${JSON.stringify(v)}`);
    return v;
  }

  pattern(i: number, field: string, re: RegExp, required: true): string;
  pattern(i: number, field: string, re: RegExp, required?: false): string | undefined;
  pattern(i: number, field: string, re: RegExp, required = false): string | undefined {
    const v = required ? this.req(i, field) : this.opt(i);
    if (v !== undefined && !re.test(v)) throw new RecordError(`${field}: invalid value ${JSON.stringify(v)}`);
    return v;
  }

  date(i: number, field: string, required: true): string;
  date(i: number, field: string, required?: false): string | undefined;
  date(i: number, field: string, required = false): string | undefined {
    const v = required ? this.req(i, field) : this.opt(i);
    return v === undefined ? undefined : checkDate(v, field);
  }
}

/** Checks the cell count, allowing the trailing empty cell that real lines carry (`…;2020-02-04;`). */
function checkCount(cells: string[], min: number, max: number, what: string): void {
  let n = cells.length;
  if (n > min && cells[n - 1] === '') n -= 1;
  if (n < min || n > max) {
    throw new RecordError(`${what}: ${cells.length} fields, expected ${min === max ? min : `${min}–${max}`}${n < min ? ' (truncated line?)' : ''}`);
  }
}

interface AddressIndexes {
  compldistrib: number;
  numvoie: number;
  typvoie: number;
  voie: number;
  compvoie: number;
  lieuditbp: number;
  commune: number;
  departement: number;
  libdepartement: number;
  ligneacheminement: number;
}

function readAddress(c: Cells, ix: AddressIndexes): FinessAddress {
  const departement = c.pattern(ix.departement, 'departement', /^[0-9][0-9A-Z]$/, true);
  const commune = c.pattern(ix.commune, 'commune', /^[0-9]{3}$/, true);
  let inseeCode: string;
  try {
    inseeCode = inseeCodeOf(departement, commune);
  } catch (e) {
    throw new RecordError(`commune/departement: ${(e as Error).message}`);
  }
  const acheminement = c.req(ix.ligneacheminement, 'ligneacheminement');
  const m = /^(\d{5}) +(.+)$/.exec(acheminement);
  if (!m) throw new RecordError(`ligneacheminement: ${JSON.stringify(acheminement)} does not start with a 5-digit postal code`);
  return {
    complementDistribution: c.opt(ix.compldistrib),
    numeroVoie: c.opt(ix.numvoie),
    typeVoie: c.opt(ix.typvoie),
    voie: c.opt(ix.voie),
    complementVoie: c.opt(ix.compvoie),
    lieuDitBp: c.opt(ix.lieuditbp),
    inseeCode,
    postalCode: m[1] as string,
    city: (m[2] as string).trim(),
  };
}

const PHONE_RE = /^[0-9]{10}$/;

function parseEt(c: Cells): EtRecord {
  return {
    nofinesset: c.finess(1, 'nofinesset'),
    nofinessej: c.finess(2, 'nofinessej'),
    rs: c.req(3, 'rs'),
    rslongue: c.opt(4),
    complrs: c.opt(5),
    address: readAddress(c, {
      compldistrib: 6,
      numvoie: 7,
      typvoie: 8,
      voie: 9,
      compvoie: 10,
      lieuditbp: 11,
      commune: 12,
      departement: 13,
      libdepartement: 14,
      ligneacheminement: 15,
    }),
    telephone: c.pattern(16, 'telephone', PHONE_RE),
    telecopie: c.pattern(17, 'telecopie', PHONE_RE),
    categetab: c.pattern(18, 'categetab', /^[0-9]{3}$/, true),
    libcategetab: c.opt(19),
    categagretab: c.pattern(20, 'categagretab', /^[0-9]{4}$/, true),
    libcategagretab: c.opt(21),
    siret: c.pattern(22, 'siret', /^[0-9]{14}$/),
    codeape: c.opt(23),
    codemft: c.pattern(24, 'codemft', /^[0-9]{2}$/),
    libmft: c.opt(25),
    codesph: c.pattern(26, 'codesph', /^[0-9]$/),
    libsph: c.opt(27),
    dateouv: c.date(28, 'dateouv'),
    dateautor: c.date(29, 'dateautor'),
    datemaj: c.date(30, 'datemaj', true),
    numuai: c.pattern(31, 'numuai', /^[0-9]{7}[A-Z]$/),
  };
}

function parseEj(c: Cells): EjRecord {
  return {
    nofiness: c.finess(1, 'nofiness'),
    rs: c.req(2, 'rs'),
    rslongue: c.opt(3),
    complrs: c.opt(4),
    address: readAddress(c, {
      numvoie: 5,
      typvoie: 6,
      voie: 7,
      compvoie: 8,
      compldistrib: 9,
      lieuditbp: 10,
      commune: 11,
      ligneacheminement: 12,
      departement: 13,
      libdepartement: 14,
    }),
    telephone: c.pattern(15, 'telephone', PHONE_RE),
    statutjuridique: c.pattern(16, 'statutjuridique', /^[0-9]{2}$/, true),
    libstatutjuridique: c.opt(17),
    categetab: c.pattern(18, 'categetab', /^[0-9]{3}$/),
    libcategetab: c.opt(19),
    siren: c.pattern(20, 'siren', /^[0-9]{9}$/),
    codeape: c.opt(21),
    datecrea: c.date(22, 'datecrea', true),
  };
}

function parseNumber(value: string, field: string): number {
  const normalised = /^-?\d+,\d+$/.test(value) ? value.replace(',', '.') : value;
  if (!/^-?\d+(\.\d+)?$/.test(normalised)) throw new RecordError(`${field}: ${JSON.stringify(value)} is not a number`);
  return Number(normalised);
}

function parseGeo(c: Cells, line: number): EtalabRecord {
  const nofinesset = c.finess(1, 'nofinesset');
  const xs = c.opt(2);
  const ys = c.opt(3);
  if (xs === undefined && ys === undefined) return { type: 'geolocalisation-empty', line, nofinesset };
  if (xs === undefined || ys === undefined) throw new RecordError(`coordinates: only one of coordxet/coordyet is given`);
  const x = parseNumber(xs, 'coordxet');
  const y = parseNumber(ys, 'coordyet');
  const source = c.req(4, 'sourcecoordet');
  let territory: Territory;
  let point: { lon: number; lat: number };
  try {
    territory = territoryOfSource(source);
    point = toWgs84(territory, x, y);
  } catch (e) {
    throw new RecordError(`coordinates: ${(e as Error).message}`);
  }
  return { type: 'geolocalisation', line, geo: { nofinesset, territory, lon: point.lon, lat: point.lat, datemaj: c.date(5, 'datemaj') } };
}

function parseEquipement(c: Cells): EquipementRecord {
  const capinstot = c.pattern(9, 'capinstot', /^[0-9]+$/);
  const indsupinst = c.pattern(15, 'indsupinst', /^[ON]$/);
  return {
    nofinesset: c.finess(1, 'nofinesset'),
    de: c.pattern(2, 'de', /^[0-9]{3}$/, true),
    libde: c.opt(3),
    ta: c.pattern(4, 'ta', /^[0-9]{2}$/, true),
    libta: c.opt(5),
    client: c.pattern(6, 'client', /^[0-9]{3}$/, true),
    libclient: c.opt(7),
    capinstot: capinstot === undefined ? 0 : Number(capinstot),
    deleted: indsupinst === 'O',
    updated: c.date(27, 'datemajinst') ?? c.date(26, 'datemajaut'),
  };
}

/** Turns one data line (not the metadata line) into a record; never throws on bad data. */
export function parseRecord(text: string, line: number): EtalabRecord {
  const parsed = parseCsvLine(text);
  if (!parsed.ok) {
    const recordType = text.slice(0, Math.max(0, text.indexOf(';')));
    return { type: 'rejected', line, reason: parsed.reason, recordType, id: undefined };
  }
  const cells = parsed.cells;
  const recordType = (cells[0] ?? '').trim();
  const c = new Cells(cells);
  try {
    switch (recordType) {
      case '':
        throw new RecordError('empty record type');
      case 'structureet':
        if (cells.length <= 4) {
          checkCount(cells, 3, 3, 'structureet link');
          return { type: 'structureet-link', line, nofinesset: c.finess(1, 'nofinesset'), nofinessej: c.finess(2, 'nofinessej') };
        }
        checkCount(cells, 31, 32, 'structureet');
        return { type: 'structureet', line, et: parseEt(c) };
      case 'geolocalisation':
        checkCount(cells, 6, 6, 'geolocalisation');
        return parseGeo(c, line);
      case 'structureej':
        checkCount(cells, 23, 23, 'structureej');
        return { type: 'structureej', line, ej: parseEj(c) };
      case 'equipementsocial':
        checkCount(cells, 28, 28, 'equipementsocial');
        return { type: 'equipementsocial', line, equipement: parseEquipement(c) };
      default:
        return { type: 'unknown', line, recordType };
    }
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    return { type: 'rejected', line, reason: e.message, recordType, id: c.opt(1) };
  }
}
