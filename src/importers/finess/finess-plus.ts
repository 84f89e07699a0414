/**
 * The FINESS+ JSON "structures" flux (ansforge/finess `schema-structures-v1.json`): root object with
 * `schemaVersion`, `generatedAt`, `gcc[]`, `gco[]` and `pmej[]` (entités juridiques, each with `ege[]`,
 * the établissements). The file is scanned as a stream: each `pmej[]` element is cut out and parsed on
 * its own, so memory holds one entité juridique at a time, not the whole document.
 */
import { createReadStream } from 'node:fs';
import { FINESS_PATTERN } from '../../model/index.ts';
import { RecordError } from './etalab.ts';
import { assertInTerritory, territoryOfInseeCode, toWgs84, type LonLat } from './geo.ts';
import type { CodeWithLabel, EgSource, EjSource, FinessAddress } from './source.ts';

export interface PmejItem {
  /** Index in `pmej[]`. */
  index: number;
  /** Line of the file where the element starts. */
  line: number;
  /** Byte offset reached in the file (for progress). */
  offset: number;
  text: string;
}

/** Root-level facts of the document, known once the scan is over. */
export interface FinessPlusHeader {
  generatedAt: string | undefined;
  schemaVersion: string | undefined;
}

/**
 * Yields the `pmej[]` elements of a FINESS+ structures file one by one; fills `header` with the
 * root-level `generatedAt` / `schemaVersion` as they are met. Throws on a truncated document or when
 * there is no `pmej` array.
 */
export async function* scanPmej(path: string, header: FinessPlusHeader): AsyncGenerator<PmejItem> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let offset = 0;
  // Root-level (depth 1) key/value tracking.
  let expectKey = false;
  let key: string | undefined;
  let rootStringParts: string[] | undefined;
  let rootStringStart = 0;
  // pmej array and element capture.
  let inPmej = false;
  let sawPmej = false;
  let index = 0;
  let captureParts: string[] | undefined;
  let captureStart = 0;
  let captureLine = 0;

  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  for await (const buffer of stream as AsyncIterable<Buffer>) {
    offset += buffer.length;
    let chunk: string;
    try {
      chunk = decoder.decode(buffer, { stream: true });
    } catch {
      throw new Error(`${path}: not valid UTF-8 JSON (near line ${line})`);
    }
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      if (ch === 0x0a) line += 1;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === 0x5c) escaped = true;
        else if (ch === 0x22) {
          inString = false;
          if (rootStringParts) {
            rootStringParts.push(chunk.slice(rootStringStart, i + 1));
            const value = JSON.parse(rootStringParts.join('')) as string;
            rootStringParts = undefined;
            if (expectKey) key = value;
            else if (key === 'generatedAt') header.generatedAt = value;
            else if (key === 'schemaVersion') header.schemaVersion = value;
          }
        }
        continue;
      }
      switch (ch) {
        case 0x22: // "
          inString = true;
          if (depth === 1) {
            rootStringParts = [];
            rootStringStart = i;
          }
          break;
        case 0x7b: // {
        case 0x5b: // [
          if (depth === 1 && ch === 0x5b && key === 'pmej' && !expectKey) {
            inPmej = true;
            sawPmej = true;
          } else if (inPmej && depth === 2 && ch === 0x7b) {
            captureParts = [];
            captureStart = i;
            captureLine = line;
          }
          depth += 1;
          if (depth === 1) expectKey = true;
          break;
        case 0x7d: // }
        case 0x5d: // ]
          depth -= 1;
          if (depth < 0) throw new Error(`${path}: unbalanced JSON at line ${line}`);
          if (inPmej && depth === 2 && ch === 0x7d && captureParts) {
            captureParts.push(chunk.slice(captureStart, i + 1));
            const text = captureParts.join('');
            captureParts = undefined;
            yield { index, line: captureLine, offset, text };
            index += 1;
          } else if (inPmej && depth === 1) {
            inPmej = false;
          }
          break;
        case 0x3a: // :
          if (depth === 1) expectKey = false;
          break;
        case 0x2c: // ,
          if (depth === 1) {
            expectKey = true;
            key = undefined;
          }
          break;
      }
    }
    if (rootStringParts) {
      rootStringParts.push(chunk.slice(rootStringStart));
      rootStringStart = 0;
    }
    if (captureParts) {
      captureParts.push(chunk.slice(captureStart));
      captureStart = 0;
    }
  }
  if (depth !== 0 || inString) throw new Error(`${path}: truncated JSON (document not closed at end of file, line ${line})`);
  if (!sawPmej) throw new Error(`${path}: no "pmej" array — not a FINESS+ structures file`);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function codeValue(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (isObject(v) && (typeof v.code === 'string' || v.code === undefined)) return (v.code as string | undefined)?.trim() || undefined;
  throw new RecordError(`${path}: expected a code (string or {code})`);
}

/** Reads typed values from one JSON object, naming the path in errors. */
class Reader {
  constructor(
    readonly obj: Json,
    readonly path: string,
  ) {}

  static of(v: unknown, path: string): Reader {
    if (!isObject(v)) throw new RecordError(`${path}: expected an object`);
    return new Reader(v, path);
  }

  /** First present key among `keys` (the published sample and the schema disagree on some casings). */
  private raw(keys: readonly string[]): { key: string; value: unknown } | undefined {
    for (const key of keys) if (this.obj[key] !== undefined && this.obj[key] !== null) return { key, value: this.obj[key] };
    return undefined;
  }

  str(...keys: string[]): string | undefined {
    const r = this.raw(keys);
    if (!r) return undefined;
    if (typeof r.value !== 'string') throw new RecordError(`${this.path}.${r.key}: expected a string`);
    const v = r.value.trim();
    return v === '' ? undefined : v;
  }

  /** A code given as a bare string or as `{ code, system }`. */
  code(...keys: string[]): string | undefined {
    const r = this.raw(keys);
    return r ? codeValue(r.value, `${this.path}.${r.key}`) : undefined;
  }

  object(...keys: string[]): Reader | undefined {
    const r = this.raw(keys);
    return r ? Reader.of(r.value, `${this.path}.${r.key}`) : undefined;
  }

  array(key: string): unknown[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new RecordError(`${this.path}.${key}: expected an array`);
    return v;
  }

  date(key: string): string | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    const m = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/.exec(v);
    if (!m || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) throw new RecordError(`${this.path}.${key}: invalid date ${JSON.stringify(v)}`);
    return m[1];
  }

  matching(key: string, re: RegExp, what: string): string | undefined {
    const v = this.str(key);
    if (v !== undefined && !re.test(v)) throw new RecordError(`${this.path}.${key}: invalid ${what} ${JSON.stringify(v)}`);
    return v;
  }
}


function readAddress(r: Reader): FinessAddress {
  const inseeCode = r.matching('cogCommune', /^(\d\d|2A|2B)\d{3}$/, 'INSEE commune code');
  if (inseeCode === undefined) throw new RecordError(`${r.path}.cogCommune is missing`);
  const postalCode = r.matching('codePostal', /^\d{5}$/, 'postal code');
  if (postalCode === undefined) throw new RecordError(`${r.path}.codePostal is missing`);
  const city = r.str('ligneAcheminement');
  if (city === undefined) throw new RecordError(`${r.path}.ligneAcheminement is missing`);
  return {
    complementDistribution: r.str('complementPointGeographique'),
    numeroVoie: r.str('numeroVoie'),
    typeVoie: r.str('typeVoie'),
    voie: r.str('libelleVoie'),
    complementVoie: r.str('complementVoie'),
    lieuDitBp: r.str('lieuDit'),
    inseeCode,
    postalCode,
    city,
  };
}

function parseCoordinate(value: string, what: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw new RangeError(`${what} ${JSON.stringify(value)} is not a number`);
  return Number(value);
}

/**
 * WGS84 position of an address: `directionLatitude`/`directionLongitude` when present, otherwise the
 * projected `coordonneeX`/`coordonneeY` — which the published sample swaps (X holds the northing), so the
 * order that lands inside the territory is taken.
 */
export function positionOf(coordinates: Reader, inseeCode: string): LonLat | undefined {
  const territory = territoryOfInseeCode(inseeCode);
  const lat = coordinates.str('directionLatitude');
  const lon = coordinates.str('directionLongitude');
  if (lat !== undefined && lon !== undefined) {
    const point = { lon: parseCoordinate(lon, 'directionLongitude'), lat: parseCoordinate(lat, 'directionLatitude') };
    assertInTerritory(territory, point, `directionLatitude ${lat} / directionLongitude ${lon}`);
    return point;
  }
  const xs = coordinates.str('coordonneeX');
  const ys = coordinates.str('coordonneeY');
  if (xs === undefined || ys === undefined) return undefined;
  const x = parseCoordinate(xs, 'coordonneeX');
  const y = parseCoordinate(ys, 'coordonneeY');
  try {
    return toWgs84(territory, y, x);
  } catch {
    return toWgs84(territory, x, y);
  }
}

function phoneNumber(value: string | undefined, path: string): string | undefined {
  if (value === undefined) return undefined;
  const digits = value.replace(/[\s.]/g, '');
  if (!/^\d{10}$/.test(digits)) throw new RecordError(`${path}: invalid phone number ${JSON.stringify(value)}`);
  return digits;
}

function telecomsOf(r: Reader): { telephone: string | undefined; telecopie: string | undefined } {
  let telephone: string | undefined;
  let telecopie: string | undefined;
  r.array('contact').forEach((c, i) => {
    const telecom = Reader.of(c, `${r.path}.contact[${i}]`).object('telecom');
    if (!telecom) return;
    telephone ??= phoneNumber(telecom.str('telephone'), `${telecom.path}.telephone`);
    telecopie ??= phoneNumber(telecom.str('telecopie'), `${telecom.path}.telecopie`);
  });
  return { telephone, telecopie };
}

function isClosed(r: Reader): boolean {
  const state = r.code('etatObjet');
  if (state !== undefined && state !== 'A' && state !== 'I') throw new RecordError(`${r.path}.etatObjet: unknown state ${JSON.stringify(state)}`);
  return state === 'I';
}

function closingDateOf(r: Reader, info: Reader): string | undefined {
  if (!isClosed(r)) return undefined;
  const date = info.date('dateFermeture') ?? r.date('dateDerniereMaj');
  if (date === undefined) throw new RecordError(`${r.path}: closed (etatObjet I) without dateFermeture nor dateDerniereMaj`);
  return date;
}

function label(code: string | undefined): CodeWithLabel | undefined {
  return code === undefined ? undefined : { code, display: undefined };
}

/** A problem found in one element: the structure is skipped, or only its coordinates when the reason says so. */
export interface FinessPlusIssue {
  line: number;
  reason: string;
}

export interface PmejSources {
  ej: EjSource | undefined;
  egs: EgSource[];
  issues: FinessPlusIssue[];
}

/** Maps one `pmej[]` element to the entité juridique and its établissements; never throws on bad data. */
export function pmejSources(item: PmejItem): PmejSources {
  const out: PmejSources = { ej: undefined, egs: [], issues: [] };
  const path = `pmej[${item.index}]`;
  let r: Reader;
  let finessEj: string;
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(item.text);
    } catch (e) {
      throw new RecordError(`${path}: invalid JSON: ${(e as Error).message}`);
    }
    r = Reader.of(parsed, path);
    const info = r.object('informationsGeneralesPMEJ', 'informationsGeneralesPmej');
    if (!info) throw new RecordError(`${path}.informationsGeneralesPMEJ is missing`);
    const finess = info.matching('numFinessPm', FINESS_PATTERN, 'FINESS number');
    if (finess === undefined) throw new RecordError(`${path}: no numFinessPm (not a FINESS entité juridique)`);
    finessEj = finess;
    const name = info.str('denominationPm');
    if (name === undefined) throw new RecordError(`${path} ${finess}: denominationPm is missing`);
    const firstAddress = r.array('adresse')[0];
    out.ej = {
      finess,
      name,
      longName: info.str('denominationLonguePmSmsse'),
      additionalName: undefined,
      address: firstAddress === undefined ? undefined : readAddress(Reader.of(firstAddress, `${path}.adresse[0]`)),
      ...telecomsOf(r),
      statutJuridique: label(info.code('statutJuridique')),
      siren: info.matching('siren', /^\d{9}$/, 'SIREN'),
      creationDate: info.date('dateCreation'),
      closingDate: closingDateOf(r, info),
    };
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    out.issues.push({ line: item.line, reason: e.message });
    return { ej: undefined, egs: [], issues: out.issues };
  }
  r.array('ege').forEach((raw, i) => {
    const egePath = `${path}.ege[${i}]`;
    try {
      const ege = Reader.of(raw, egePath);
      const info = ege.object('informationsGeneralesEGE', 'informationsGeneralesEge');
      if (!info) throw new RecordError(`${egePath}.informationsGeneralesEGE is missing`);
      const finess = info.matching('numFinessEge', FINESS_PATTERN, 'FINESS number');
      if (finess === undefined) throw new RecordError(`${egePath}: no numFinessEge`);
      const name = info.str('nomEgeCourt');
      if (name === undefined) throw new RecordError(`${egePath} ${finess}: nomEgeCourt is missing`);
      const category = ege.code('categorieentiteGeographiqueExercice', 'categorieEntiteGeographiqueExercice');
      if (category === undefined) throw new RecordError(`${egePath} ${finess}: no category (categorieEntiteGeographiqueExercice)`);
      const addressRaw = ege.array('adresse')[0];
      if (addressRaw === undefined) throw new RecordError(`${egePath} ${finess}: no address`);
      const addressReader = Reader.of(addressRaw, `${egePath}.adresse[0]`);
      const address = readAddress(addressReader);
      const espic = info.array('espic')[0];
      let position: LonLat | undefined;
      const coordinates = addressReader.object('coordonneesGeographique');
      if (coordinates) {
        try {
          position = positionOf(coordinates, address.inseeCode);
        } catch (e) {
          out.issues.push({ line: item.line, reason: `${egePath} ${finess}: coordinates ignored: ${(e as Error).message}` });
        }
      }
      out.egs.push({
        finess,
        finessEj,
        name,
        longName: info.str('nomEgeLong'),
        additionalName: info.str('complementDenominationEg'),
        address,
        ...telecomsOf(ege),
        category: { code: category, display: undefined },
        siret: info.matching('siret', /^\d{14}$/, 'SIRET') ?? ege.matching('siret', /^\d{14}$/, 'SIRET'),
        sph: label(espic === undefined ? undefined : codeValue(espic, `${info.path}.espic[0]`)),
        openingDate: info.date('dateOuverture'),
        closingDate: closingDateOf(ege, info),
        position,
      });
    } catch (e) {
      if (!(e instanceof RecordError) && !(e instanceof RangeError)) throw e;
      out.issues.push({ line: item.line, reason: e.message });
    }
  });
  return out;
}
