/**
 * FINESS import driver: detects each file's kind from its content, imports entités juridiques before
 * établissements before équipements, streams every file, writes in batches through a ResourceSink and
 * closes FINESS structures missing from a full stock. See README.md beside this file.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createReadStream } from 'node:fs';
import type { Location, OperationOutcomeIssue, Organization, Resource } from '@medplum/fhirtypes';
import { DATA_ORIGIN_SYSTEM } from '../../model/index.ts';
import { silentProgress, type ProgressReporter } from '../progress.ts';
import { parseHeader, parseRecord, RecordError, type EjRecord, type EtRecord, type EtalabRecord, type GeoRecord } from './etalab.ts';
import {
  closeOrganization,
  closeSite,
  egId,
  ejId,
  isClosed,
  MappingError,
  mergeCapacities,
  mergeEg,
  mergeEj,
  mergeSite,
  siteId,
  type MappingContext,
} from './fhir.ts';
import { pmejSources, scanPmej, type FinessPlusHeader } from './finess-plus.ts';
import { territoryOfInseeCode } from './geo.ts';
import { readLines } from './lines.ts';
import type { RequestContext } from '../../store/audit.ts';
import type { ResourceSink } from '../../store/sink.ts';

const FINESS_IMPORT: RequestContext = { actor: { kind: 'system', id: 'import-finess', label: 'ror import finess' }, client: 'import' };
import type { EgSource, EjSource, EquipementSource } from './source.ts';

/** `ej` cs1100501, `et` cs1100507/cs1100502, `equipements` cs1100505, `finess-plus` the JSON structures flux. */
export type FinessFileKind = 'ej' | 'et' | 'equipements' | 'finess-plus';

export interface FileSummary {
  path: string;
  kind: FinessFileKind;
  /** Extraction date of the etalab metadata line, or the date of the JSON `generatedAt`. */
  extractionDate: string | undefined;
  /** Data records read (lines after the metadata line, or `pmej[]` elements). */
  records: number;
}

export interface RejectedRecord {
  file: string;
  /** Line of the record in the file; 0 for a write not tied to a line (closing a missing structure). */
  line: number;
  reason: string;
}

export interface ImportSummary {
  files: FileSummary[];
  created: number;
  updated: number;
  unchanged: number;
  rejected: RejectedRecord[];
  /** Structures (Organizations) closed because a newer full stock no longer lists them. */
  closed: number;
  /** Record types met but not understood, with their counts. */
  unknownRecordTypes: Record<string, number>;
}

export interface ImportOptions {
  progress?: ProgressReporter;
  /** Records per putBatch call (an établissement is two resources); default 500. */
  batchSize?: number;
  /** Close FINESS structures missing from the full etalab stocks of the run (per kind); default true. */
  closeMissing?: boolean;
  /** Clock for ror-meta-creation-date of created resources. */
  now?: () => Date;
}

const KIND_ORDER: Record<FinessFileKind, number> = { ej: 0, et: 1, equipements: 2, 'finess-plus': 3 };

/** Valid records read at most to tell an etalab file's kind. */
const DETECTION_LINES = 1000;

/** Reads the start of a file to tell which FINESS extraction it is; throws when it is none. */
export async function detectFileKind(path: string): Promise<FinessFileKind> {
  const head = await readHead(path, 256);
  const firstChar = head.replace(/^\uFEFF/, '').trimStart()[0];
  if (firstChar === '{') return 'finess-plus';
  let sawHeader = false;
  let read = 0;
  const seenTypes = new Set<string>();
  for await (const line of readLines(path)) {
    if (!sawHeader) {
      if (!parseHeader(line.text)) {
        throw new Error(`${path}: not a FINESS file (line ${line.number} is neither "finess;etalab;<n>;<date>" nor a JSON document)`);
      }
      sawHeader = true;
      continue;
    }
    const record = parseRecord(line.text, line.number);
    switch (record.type) {
      case 'structureej':
        return 'ej';
      case 'structureet':
      case 'geolocalisation':
      case 'geolocalisation-empty':
        return 'et';
      case 'structureet-link':
      case 'equipementsocial':
        return 'equipements';
      case 'rejected':
      case 'unknown':
        seenTypes.add(record.recordType);
    }
    read += 1;
    if (read >= DETECTION_LINES) break;
  }
  if (!sawHeader) throw new Error(`${path}: empty file`);
  if (read === 0) throw new Error(`${path}: FINESS file without any record`);
  throw new Error(`${path}: cannot tell the FINESS file kind: no valid record among the first ${read} (record types: ${[...seenTypes].join(', ')})`);
}

async function readHead(path: string, bytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 }) as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function issuesText(issues: OperationOutcomeIssue[]): string {
  return issues.map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; ') || 'rejected by the store';
}

/** One record to write: the ids to read first and how to build its resources from their current versions. */
interface Unit {
  line: number;
  reads: { type: 'Organization' | 'Location'; id: string }[];
  build(current: (type: string, id: string) => Resource | undefined): Resource[];
}

/** Shared state of one import run. */
const MAX_BATCHES_IN_FLIGHT = 2;

class Run {
  readonly summary: ImportSummary = { files: [], created: 0, updated: 0, unchanged: 0, rejected: [], closed: 0, unknownRecordTypes: {} };
  private pending: Unit[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private file = '';

  constructor(
    readonly sink: ResourceSink,
    readonly batchSize: number,
    readonly ctx: MappingContext,
    readonly progress: ProgressReporter,
  ) {}

  startFile(path: string): void {
    this.file = path;
  }

  reject(line: number, reason: string): void {
    this.summary.rejected.push({ file: this.file, line, reason });
  }

  unknown(recordType: string): void {
    this.summary.unknownRecordTypes[recordType] = (this.summary.unknownRecordTypes[recordType] ?? 0) + 1;
  }

  async add(unit: Unit): Promise<void> {
    this.pending.push(unit);
    if (this.pending.length >= this.batchSize) await this.startBatch();
  }

  /** Writes what is pending and waits for every batch still in flight. */
  async flush(): Promise<void> {
    await this.startBatch();
    await Promise.all(this.inFlight);
  }

  /**
   * Starts writing the pending units; up to two batches are in flight, so that one is mapped, validated and
   * indexed while the database stores the other.
   */
  private async startBatch(): Promise<void> {
    const units = this.pending;
    this.pending = [];
    if (units.length === 0) return;
    const batch: Promise<void> = this.write(units).finally(() => this.inFlight.delete(batch));
    batch.catch(() => {});
    this.inFlight.add(batch);
    if (this.inFlight.size >= MAX_BATCHES_IN_FLIGHT) await Promise.race(this.inFlight);
  }

  private async write(units: Unit[]): Promise<void> {
    const current = await this.readAll(units.flatMap((u) => u.reads));
    const resources: Resource[] = [];
    const lines: number[] = [];
    for (const unit of units) {
      try {
        for (const r of unit.build((type, id) => current.get(`${type}/${id}`))) {
          resources.push(r);
          lines.push(unit.line);
        }
      } catch (e) {
        if (!(e instanceof MappingError)) throw e;
        this.reject(unit.line, e.message);
      }
    }
    await this.put(resources, lines, 'tally');
  }

  async readAll(reads: { type: string; id: string }[]): Promise<Map<string, Resource>> {
    const byType = new Map<string, string[]>();
    for (const r of reads) {
      const ids = byType.get(r.type);
      if (ids) ids.push(r.id);
      else byType.set(r.type, [r.id]);
    }
    const out = new Map<string, Resource>();
    for (const [type, ids] of byType) {
      for (const [id, resource] of await this.sink.readCurrent(type, ids)) out.set(`${type}/${id}`, resource);
    }
    return out;
  }

  /** Writes and counts outcomes; `closing` counts updated Organizations as closed instead of updated. */
  async put(resources: Resource[], lines: number[], mode: 'tally' | 'closing'): Promise<void> {
    if (resources.length === 0) return;
    const outcomes = await this.sink.putBatch(resources, FINESS_IMPORT);
    if (outcomes.length !== resources.length) throw new Error(`putBatch answered ${outcomes.length} outcomes for ${resources.length} resources`);
    outcomes.forEach((o, i) => {
      const resource = resources[i] as Resource;
      if (o.status === 'rejected') {
        this.reject(lines[i] ?? 0, `${resource.resourceType}/${o.id}: ${issuesText(o.issues)}`);
      } else if (mode === 'closing') {
        if (o.status === 'updated' && resource.resourceType === 'Organization') this.summary.closed += 1;
      } else {
        this.summary[o.status] += 1;
      }
    });
  }
}

export async function importFinessFiles(paths: readonly string[], sink: ResourceSink, options: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const progress = options.progress ?? silentProgress;
  const now = options.now ?? (() => new Date());
  const files = await Promise.all(paths.map(async (path) => ({ path, kind: await detectFileKind(path), size: (await stat(path)).size })));
  files.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  const run = new Run(sink, batchSize, { createdAt: now().toISOString() }, progress);
  const scopes = { ej: new StockScope(), et: new StockScope() };
  const closeMissing = options.closeMissing ?? true;
  for (const [i, file] of files.entries()) {
    run.startFile(file.path);
    let summary: FileSummary;
    switch (file.kind) {
      case 'ej':
        summary = await importEjFile(run, file.path, file.size, scopes.ej);
        break;
      case 'et':
        summary = await importEtFile(run, file.path, file.size, scopes.et);
        break;
      case 'equipements':
        summary = await importEquipementsFile(run, file.path, file.size);
        break;
      case 'finess-plus':
        summary = await importFinessPlusFile(run, file.path, file.size);
        break;
    }
    run.summary.files.push(summary);
    const lastOfKind = files[i + 1]?.kind !== file.kind;
    if (closeMissing && lastOfKind && (file.kind === 'ej' || file.kind === 'et')) await closeMissingStructures(run, file.kind, scopes[file.kind]);
  }
  const fileIndex = new Map(files.map((f, i) => [f.path, i]));
  run.summary.rejected.sort((a, b) => (fileIndex.get(a.file) ?? 0) - (fileIndex.get(b.file) ?? 0) || a.line - b.line);
  return run.summary;
}

/** Records of an etalab file after its metadata line; throws when line 1 is not the metadata line. */
async function* etalabRecords(
  path: string,
  onHeader: (extractionDate: string) => void,
  keep: (text: string) => boolean = () => true,
): AsyncGenerator<{ record: EtalabRecord; offset: number }> {
  let sawHeader = false;
  for await (const line of readLines(path)) {
    if (!sawHeader) {
      let header;
      try {
        header = parseHeader(line.text);
      } catch (e) {
        if (e instanceof RecordError) throw new Error(`${path}: ${e.message}`);
        throw e;
      }
      if (!header) throw new Error(`${path}: line ${line.number} is not the metadata line "finess;etalab;<n>;<date>"`);
      onHeader(header.extractionDate);
      sawHeader = true;
      continue;
    }
    if (keep(line.text)) yield { record: parseRecord(line.text, line.number), offset: line.offset };
  }
}

/** Routes records that do not belong to this file kind; returns true when handled. */
function misplaced(run: Run, record: EtalabRecord, kind: FinessFileKind): boolean {
  if (record.type === 'unknown') {
    run.unknown(record.recordType);
    return true;
  }
  if (record.type === 'rejected') {
    const type = record.recordType || 'record';
    run.reject(record.line, record.reason.startsWith(type) ? record.reason : `${type}: ${record.reason}`);
    return true;
  }
  const expected: Record<FinessFileKind, readonly EtalabRecord['type'][]> = {
    ej: ['structureej'],
    et: ['structureet', 'geolocalisation', 'geolocalisation-empty'],
    equipements: ['structureet-link', 'equipementsocial'],
    'finess-plus': [],
  };
  if (expected[kind].includes(record.type)) return false;
  run.reject(record.line, `${record.type} record does not belong in a ${kind} file`);
  return true;
}

/** FINESS numbers met in one file, to reject a number repeated in it. */
class FileNumbers {
  private readonly lines = new Map<string, number>();

  /** Returns the line of the first occurrence when `finess` was already met in the file. */
  add(finess: string, line: number): number | undefined {
    const first = this.lines.get(finess);
    if (first === undefined) this.lines.set(finess, line);
    return first;
  }
}

/** What the full stocks of one kind (EJ or ET) imported in a run list: FINESS numbers, rejected lines included. */
class StockScope {
  readonly numbers = new Set<string>();
  latestDate: string | undefined;

  dated(extractionDate: string): void {
    if (this.latestDate === undefined || extractionDate > this.latestDate) this.latestDate = extractionDate;
  }
}

function ejSourceOf(ej: EjRecord): EjSource {
  return {
    finess: ej.nofiness,
    name: ej.rs,
    longName: ej.rslongue,
    additionalName: ej.complrs,
    address: ej.address,
    telephone: ej.telephone,
    telecopie: undefined,
    statutJuridique: { code: ej.statutjuridique, display: ej.libstatutjuridique },
    siren: ej.siren,
    creationDate: ej.datecrea,
    closingDate: undefined,
  };
}

export function egSourceOf(et: EtRecord, position: { lon: number; lat: number } | undefined): EgSource {
  return {
    finess: et.nofinesset,
    finessEj: et.nofinessej,
    name: et.rs,
    longName: et.rslongue,
    additionalName: et.complrs,
    address: et.address,
    telephone: et.telephone,
    telecopie: et.telecopie,
    category: { code: et.categetab, display: et.libcategetab },
    siret: et.siret,
    sph: et.codesph === undefined ? undefined : { code: et.codesph, display: et.libsph },
    openingDate: et.dateouv,
    closingDate: undefined,
    position,
  };
}

function ejUnit(run: Run, src: EjSource, line: number): Unit {
  const id = ejId(src.finess);
  return {
    line,
    reads: [{ type: 'Organization', id }],
    build: (current) => [mergeEj(current('Organization', id) as Organization | undefined, src, run.ctx)],
  };
}

function egUnit(run: Run, src: EgSource, line: number): Unit {
  const org = egId(src.finess);
  const site = siteId(src.finess);
  return {
    line,
    reads: [
      { type: 'Organization', id: org },
      { type: 'Location', id: site },
    ],
    build: (current) => [
      mergeEg(current('Organization', org) as Organization | undefined, src, run.ctx),
      mergeSite(current('Location', site) as Location | undefined, src, run.ctx),
    ],
  };
}

async function importEjFile(run: Run, path: string, size: number, scope: StockScope): Promise<FileSummary> {
  const summary: FileSummary = { path, kind: 'ej', extractionDate: undefined, records: 0 };
  const numbers = new FileNumbers();
  run.progress.start(`${basename(path)}: entités juridiques`, size, 'bytes');
  for await (const { record, offset } of etalabRecords(path, (d) => (summary.extractionDate = d))) {
    summary.records += 1;
    run.progress.update(offset, `${summary.records} records`);
    if (record.type === 'rejected' && record.id !== undefined) scope.numbers.add(record.id);
    if (misplaced(run, record, 'ej') || record.type !== 'structureej') continue;
    const first = numbers.add(record.ej.nofiness, record.line);
    if (first !== undefined) {
      run.reject(record.line, `structureej: FINESS ${record.ej.nofiness} already met at line ${first}`);
      continue;
    }
    scope.numbers.add(record.ej.nofiness);
    await run.add(ejUnit(run, ejSourceOf(record.ej), record.line));
  }
  await run.flush();
  run.progress.update(size, `${summary.records} records`);
  run.progress.finish();
  if (summary.extractionDate !== undefined) scope.dated(summary.extractionDate);
  return summary;
}

const isGeolocationLine = (text: string): boolean => text.startsWith('geolocalisation;');

interface PendingGeo {
  line: number;
  territory: GeoRecord['territory'];
  lon: number;
  lat: number;
}

/**
 * Établissements: a first pass keeps the (compact) reprojected geolocation of every ET — those lines
 * come after all structureet lines — and a second pass maps the structureet lines with their position.
 */
async function importEtFile(run: Run, path: string, size: number, scope: StockScope): Promise<FileSummary> {
  const summary: FileSummary = { path, kind: 'et', extractionDate: undefined, records: 0 };
  const onHeader = (d: string): void => {
    summary.extractionDate = d;
  };
  const geos = new Map<string, PendingGeo>();
  run.progress.start(`${basename(path)}: géolocalisation`, size, 'bytes');
  for await (const { record, offset } of etalabRecords(path, onHeader, isGeolocationLine)) {
    summary.records += 1;
    run.progress.update(offset, `${geos.size} positions`);
    if (record.type === 'geolocalisation') {
      const { nofinesset, territory, lon, lat } = record.geo;
      const previous = geos.get(nofinesset);
      if (previous) run.reject(record.line, `geolocalisation: FINESS ${nofinesset} already located at line ${previous.line}`);
      else geos.set(nofinesset, { line: record.line, territory, lon, lat });
    } else if (record.type === 'rejected') {
      run.reject(record.line, `geolocalisation: ${record.reason}`);
    }
  }
  run.progress.update(size, `${geos.size} positions`);

  const numbers = new FileNumbers();
  let etLines = 0;
  run.progress.start(`${basename(path)}: établissements`, size, 'bytes');
  for await (const { record, offset } of etalabRecords(path, onHeader, (t) => !isGeolocationLine(t))) {
    summary.records += 1;
    etLines += 1;
    run.progress.update(offset, `${etLines} records`);
    if (record.type === 'rejected' && record.id !== undefined) {
      scope.numbers.add(record.id);
      geos.delete(record.id);
    }
    if (misplaced(run, record, 'et') || record.type !== 'structureet') continue;
    const et = record.et;
    const first = numbers.add(et.nofinesset, record.line);
    if (first !== undefined) {
      run.reject(record.line, `structureet: FINESS ${et.nofinesset} already met at line ${first}`);
      continue;
    }
    scope.numbers.add(et.nofinesset);
    const geo = geos.get(et.nofinesset);
    geos.delete(et.nofinesset);
    let position: { lon: number; lat: number } | undefined;
    if (geo) {
      const expected = territoryOfInseeCode(et.address.inseeCode);
      if (geo.territory === expected) position = { lon: geo.lon, lat: geo.lat };
      else run.reject(geo.line, `geolocalisation: FINESS ${et.nofinesset} has ${geo.territory} coordinates but is in ${expected} (commune ${et.address.inseeCode})`);
    }
    await run.add(egUnit(run, egSourceOf(et, position), record.line));
  }
  await run.flush();
  for (const [finess, geo] of geos) run.reject(geo.line, `geolocalisation: no structureet line for FINESS ${finess}`);
  run.progress.update(size, `${etLines} records`);
  run.progress.finish();
  if (summary.extractionDate !== undefined) scope.dated(summary.extractionDate);
  return summary;
}

/** Équipements sociaux: installed capacities grouped per établissement, then written on its site Location. */
async function importEquipementsFile(run: Run, path: string, size: number): Promise<FileSummary> {
  const summary: FileSummary = { path, kind: 'equipements', extractionDate: undefined, records: 0 };
  const perEt = new Map<string, { line: number; equipements: EquipementSource[]; updated: string | undefined }>();
  const entry = (finess: string, line: number): { line: number; equipements: EquipementSource[]; updated: string | undefined } => {
    let e = perEt.get(finess);
    if (!e) {
      e = { line, equipements: [], updated: undefined };
      perEt.set(finess, e);
    }
    return e;
  };
  run.progress.start(`${basename(path)}: équipements sociaux`, size, 'bytes');
  for await (const { record, offset } of etalabRecords(path, (d) => (summary.extractionDate = d))) {
    summary.records += 1;
    run.progress.update(offset, `${perEt.size} établissements`);
    if (misplaced(run, record, 'equipements')) continue;
    if (record.type === 'structureet-link') entry(record.nofinesset, record.line);
    else if (record.type === 'equipementsocial') {
      const { equipement } = record;
      const e = entry(equipement.nofinesset, record.line);
      if (equipement.deleted) continue;
      e.equipements.push({
        de: { code: equipement.de, display: equipement.libde },
        ta: { code: equipement.ta, display: equipement.libta },
        client: { code: equipement.client, display: equipement.libclient },
        capinstot: equipement.capinstot,
      });
      if (equipement.updated !== undefined && (e.updated === undefined || equipement.updated > e.updated)) e.updated = equipement.updated;
    }
  }
  const fallbackDate = summary.extractionDate;
  for (const [finess, e] of perEt) {
    const site = siteId(finess);
    await run.add({
      line: e.line,
      reads: [{ type: 'Location', id: site }],
      build: (current) => {
        const location = current('Location', site) as Location | undefined;
        if (!location) throw new MappingError(`équipements of ${finess}: no Location ${site} (import the établissements file first)`);
        const updateDate = e.updated ?? fallbackDate;
        if (updateDate === undefined) throw new MappingError(`équipements of ${finess}: no update date`);
        return [mergeCapacities(location, e.equipements, updateDate)];
      },
    });
  }
  await run.flush();
  run.progress.update(size, `${perEt.size} établissements`);
  run.progress.finish();
  return summary;
}

async function importFinessPlusFile(run: Run, path: string, size: number): Promise<FileSummary> {
  const summary: FileSummary = { path, kind: 'finess-plus', extractionDate: undefined, records: 0 };
  const header: FinessPlusHeader = { generatedAt: undefined, schemaVersion: undefined };
  run.progress.start(`${basename(path)}: FINESS+ structures`, size, 'bytes');
  for await (const item of scanPmej(path, header)) {
    summary.records += 1;
    run.progress.update(item.offset, `${summary.records} entités juridiques`);
    const { ej, egs, issues } = pmejSources(item);
    for (const issue of issues) run.reject(issue.line, issue.reason);
    if (ej) await run.add(ejUnit(run, ej, item.line));
    for (const eg of egs) await run.add(egUnit(run, eg, item.line));
  }
  await run.flush();
  summary.extractionDate = header.generatedAt?.slice(0, 10);
  run.progress.update(size, `${summary.records} entités juridiques`);
  run.progress.finish();
  return summary;
}

/**
 * Closes the FINESS structures of one kind that the run's full stocks no longer list: organization
 * period end = latest extraction date, closing type, active false, and the EG's site Location inactive.
 * Etalab extractions are national stocks: a partial file (a regional cut) must be imported with
 * `closeMissing: false`, or it closes everything else.
 */
async function closeMissingStructures(run: Run, kind: 'ej' | 'et', scope: StockScope): Promise<void> {
  const date = scope.latestDate;
  if (date === undefined) return;
  const prefix = kind === 'ej' ? 'ej-' : 'eg-';
  const all = await run.sink.idsByTag('Organization', DATA_ORIGIN_SYSTEM, 'finess');
  const missing = all.filter((id) => id.startsWith(prefix) && !scope.numbers.has(id.slice(prefix.length)));
  for (let i = 0; i < missing.length; i += run.batchSize) {
    const chunk = missing.slice(i, i + run.batchSize);
    const orgs = await run.sink.readCurrent('Organization', chunk);
    const sites = kind === 'et' ? await run.sink.readCurrent('Location', chunk.map((id) => siteId(id.slice(prefix.length)))) : new Map<string, Resource>();
    const writes: Resource[] = [];
    for (const id of chunk) {
      const org = orgs.get(id) as Organization | undefined;
      if (!org || isClosed(org)) continue;
      writes.push(closeOrganization(org, date));
      const site = sites.get(siteId(id.slice(prefix.length))) as Location | undefined;
      if (site && site.status !== 'inactive') writes.push(closeSite(site));
    }
    await run.put(writes, writes.map(() => 0), 'closing');
  }
}
