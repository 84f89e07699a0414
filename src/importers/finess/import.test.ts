import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Location, Organization } from '@medplum/fhirtypes';
import {
  getCapacities,
  getOrganizationClosingType,
  getOrganizationPeriod,
  getOrganizationTelecoms,
  getPosition,
  getRegion,
  setOrganizationContacts,
  validateRorResource,
} from '../../model/index.ts';
import { createProgressReporter } from '../progress.ts';
import { EJ, GEO, HEADER, REAL_ET, REAL_GEO, ej501, et507, finessPlusDocument, tempDir, type TempDir } from './fixtures.test-support.ts';
import { detectFileKind, importFinessFiles, type ImportSummary } from './import.ts';
import { MemorySink } from '../../store/memory-sink.test-support.ts';

let dir: TempDir;
before(async () => {
  dir = await tempDir();
});
after(async () => {
  await dir.remove();
});

const ALL_ET = [REAL_ET.fleyriat, REAL_ET.felixGuyon, REAL_ET.ehpadCayenne, REAL_ET.mavouna];
const ALL_GEO = [REAL_GEO.fleyriat, GEO.felixGuyon, GEO.cayenne, GEO.mavouna];
const ALL_EJ = [EJ.bourg, EJ.chuReunion, EJ.chCayenne, EJ.messo];
const NEWER = 'finess;etalab;99;2026-07-07';

let fileCounter = 0;
function write(content: string | Uint8Array): Promise<string> {
  fileCounter += 1;
  return dir.write(`f${fileCounter}.csv`, content);
}

function counts(s: ImportSummary): Pick<ImportSummary, 'created' | 'updated' | 'unchanged' | 'closed'> {
  return { created: s.created, updated: s.updated, unchanged: s.unchanged, closed: s.closed };
}

function org(sink: MemorySink, id: string): Organization {
  const r = sink.current('Organization', id);
  assert.ok(r, `Organization/${id} exists`);
  return r as Organization;
}

function site(sink: MemorySink, id: string): Location {
  const r = sink.current('Location', id);
  assert.ok(r, `Location/${id} exists`);
  return r as Location;
}

test('detects file kinds from their content, not their names', async () => {
  assert.equal(await detectFileKind(await write(et507(ALL_ET, ALL_GEO))), 'et');
  assert.equal(await detectFileKind(await write(ej501(ALL_EJ))), 'ej');
  assert.equal(await detectFileKind(await write(`${HEADER}\nstructureet;970302287;970302022\n`)), 'equipements');
  assert.equal(await detectFileKind(await dir.write('x.csv', JSON.stringify(finessPlusDocument()))), 'finess-plus');
  await assert.rejects(detectFileKind(await write('id;name\n1;x\n')), /not a FINESS file/);
  await assert.rejects(detectFileKind(await write(`${HEADER}\n`)), /without any record/);
  await assert.rejects(detectFileKind(await write(`${HEADER}\nactiviteoffresoin;x\n`)), /cannot tell the FINESS file kind: no valid record among the first 1 \(record types: activiteoffresoin\)/);
  const brokenFirst = `${HEADER}\nstructureet;97030228X;970302022\nstructureet;970302287;970302022\n`;
  assert.equal(await detectFileKind(await write(brokenFirst)), 'equipements', 'a malformed first record is skipped');
  await assert.rejects(detectFileKind(await write('')), /empty file/);
});

test('imports entités juridiques before établissements whatever the order given, as valid ROR resources', async () => {
  const sink = new MemorySink(validateRorResource);
  const etPath = await write(et507(ALL_ET, ALL_GEO));
  const ejPath = await write(ej501(ALL_EJ));
  const s = await importFinessFiles([etPath, ejPath], sink);
  assert.deepEqual(s.rejected, []);
  assert.deepEqual(
    s.files.map((f) => [f.path, f.kind, f.extractionDate, f.records]),
    [
      [ejPath, 'ej', '2026-05-12', 4],
      [etPath, 'et', '2026-05-12', 8],
    ],
  );
  assert.deepEqual(counts(s), { created: 12, updated: 0, unchanged: 0, closed: 0 });
  assert.deepEqual(s.unknownRecordTypes, {});
  assert.equal(org(sink, 'eg-970400024').partOf?.reference, 'Organization/ej-970408589');
  assert.equal(getRegion(org(sink, 'eg-970400024')), '04');
  assert.equal(getRegion(org(sink, 'eg-980501506')), '06');
  const reunion = getPosition(site(sink, 'site-970400024'));
  assert.ok(reunion && Math.abs(reunion.latitude + 20.97571) < 1e-5 && Math.abs(reunion.longitude - 55.29821) < 1e-5);
  assert.equal(org(sink, 'eg-980501506').alias?.[0], 'LIEU DE VIE "MAVOUNA MEMA 1"');
});

test('re-importing the same files changes nothing', async () => {
  const sink = new MemorySink(validateRorResource);
  const paths = [await write(ej501(ALL_EJ)), await write(et507(ALL_ET, ALL_GEO))];
  await importFinessFiles(paths, sink);
  const again = await importFinessFiles(paths, sink);
  assert.deepEqual(counts(again), { created: 0, updated: 0, unchanged: 12, closed: 0 });
  assert.deepEqual(again.rejected, []);
});

test('a newer stock versions only what changed and closes the structures it no longer lists', async () => {
  const sink = new MemorySink(validateRorResource);
  await importFinessFiles([await write(ej501(ALL_EJ)), await write(et507(ALL_ET, ALL_GEO))], sink);
  const changed = REAL_ET.fleyriat.replace('0474454647', '0474454600');
  const newerEt = et507([changed, REAL_ET.felixGuyon, REAL_ET.mavouna], [REAL_GEO.fleyriat, GEO.felixGuyon, GEO.mavouna], NEWER);
  const newerEj = ej501([EJ.bourg, EJ.chuReunion, EJ.messo], NEWER);
  const s = await importFinessFiles([await write(newerEt), await write(newerEj)], sink);
  assert.deepEqual(s.rejected, []);
  assert.deepEqual(counts(s), { created: 0, updated: 1, unchanged: 8, closed: 2 });
  assert.equal(getOrganizationTelecoms(org(sink, 'eg-010000024'))[0]?.value, '0474454600');
  const closedEg = org(sink, 'eg-970302287');
  assert.deepEqual(getOrganizationPeriod(closedEg), { start: '1988-05-02', end: '2026-07-07' });
  assert.equal(getOrganizationClosingType(closedEg)?.code, 'NDI');
  assert.equal(closedEg.active, false);
  assert.equal(site(sink, 'site-970302287').status, 'inactive');
  assert.equal(org(sink, 'ej-970302022').active, false);
  assert.equal(sink.history.get('Organization/eg-970302287')?.length, 2, 'closed, not deleted');

  const sameAgain = await importFinessFiles([await write(newerEt)], sink);
  assert.deepEqual(counts(sameAgain), { created: 0, updated: 0, unchanged: 6, closed: 0 }, 'already closed stays as is');

  const back = await importFinessFiles([await write(et507(ALL_ET, ALL_GEO, 'finess;etalab;100;2026-09-01'))], sink);
  assert.equal(back.updated, 3, 'the reopened EG and site, and the phone back');
  assert.equal(org(sink, 'eg-970302287').active, true);
  assert.equal(getOrganizationPeriod(org(sink, 'eg-970302287'))?.end, undefined);
  assert.equal(site(sink, 'site-970302287').status, 'active');
});

test('several stock files of one kind in one run are one stock: nothing listed in either is closed', async () => {
  const sink = new MemorySink();
  await importFinessFiles([await write(et507(ALL_ET, ALL_GEO))], sink);
  const part1 = await write(et507([REAL_ET.fleyriat, REAL_ET.felixGuyon], [], NEWER));
  const part2 = await write(et507([REAL_ET.mavouna], [], NEWER));
  const s = await importFinessFiles([part1, part2], sink);
  assert.equal(s.closed, 1, 'only Cayenne, listed in neither part');
  assert.equal(org(sink, 'eg-970302287').active, false);
  assert.equal(org(sink, 'eg-010000024').active, true);
  assert.equal(org(sink, 'eg-980501506').active, true);
});

test('closing can be turned off (regional cuts)', async () => {
  const sink = new MemorySink();
  await importFinessFiles([await write(et507(ALL_ET, ALL_GEO))], sink);
  const s = await importFinessFiles([await write(et507([REAL_ET.felixGuyon], [], NEWER))], sink, { closeMissing: false });
  assert.equal(s.closed, 0);
});

test('rejects bad lines with their number and imports the rest', async () => {
  const win1252 = Buffer.from(
    REAL_ET.fleyriat.replace('CH DE FLEYRIAT', 'CH DE FLEYRIAT ÉTÉ').replace('ARS établissements', 'ARS etablissements'),
    'latin1',
  );
  const content = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(`${HEADER}\r\n`),
    win1252,
    Buffer.from('\r\n'),
    Buffer.from(`${REAL_ET.felixGuyon.slice(0, 90)}\r\n`), // line 3: truncated
    Buffer.from(`${REAL_ET.ehpadCayenne.replace('970302287', '97030228X')}\r\n`), // line 4: bad FINESS
    Buffer.from(`${REAL_ET.mavouna.replace('2025-05-07', '2025-05-37')}\r\n`), // line 5: bad date
    Buffer.from('activiteoffresoin;010780054;CH;14\r\n'), // line 6: unknown
    Buffer.from('activiteoffresoin;010780054;CH;15\r\n'), // line 7: unknown
    Buffer.from(`${REAL_GEO.fleyriat.replace('6571540.8', '1571540.8')}\r\n`), // line 8: out of France
    Buffer.from('geolocalisation;970400024;abc;7679599.8;EPSG:2975;2026-05-04\r\n'), // line 9: unparsable
    Buffer.from(`${EJ.bourg}\r\n`), // line 10: wrong file
  ]);
  const path = await write(content);
  const sink = new MemorySink(validateRorResource);
  const s = await importFinessFiles([path], sink);
  assert.deepEqual(
    s.rejected.map((r) => [r.file, r.line]),
    [3, 4, 5, 8, 9, 10].map((line) => [path, line]),
  );
  const reasons = s.rejected.map((r) => r.reason);
  assert.match(reasons[0] ?? '', /structureet: \d+ fields, expected 31–32 \(truncated line\?\)/);
  assert.match(reasons[1] ?? '', /invalid FINESS number "97030228X"/);
  assert.match(reasons[2] ?? '', /datemaj: invalid date "2025-05-37"/);
  assert.match(reasons[3] ?? '', /geolocalisation: .*outside metropole/);
  assert.match(reasons[4] ?? '', /coordxet: "abc" is not a number/);
  assert.match(reasons[5] ?? '', /structureej record does not belong in a et file/);
  assert.deepEqual(s.unknownRecordTypes, { activiteoffresoin: 2 });
  assert.equal(s.created, 2, 'the windows-1252 line is imported (EG + site)');
  assert.equal(org(sink, 'eg-010000024').alias?.[0], 'CH DE FLEYRIAT ÉTÉ');
  assert.equal(getPosition(site(sink, 'site-010000024')), undefined, 'its geolocation line was rejected');
  assert.equal(s.files[0]?.records, 9);
});

test('a rejected structureet line does not close the stored structure', async () => {
  const sink = new MemorySink();
  await importFinessFiles([await write(et507(ALL_ET, ALL_GEO))], sink);
  const broken = REAL_ET.ehpadCayenne.replace('2024-04-22', 'not-a-date');
  const s = await importFinessFiles([await write(et507([REAL_ET.fleyriat, REAL_ET.felixGuyon, broken, REAL_ET.mavouna], ALL_GEO, NEWER))], sink);
  assert.deepEqual(
    s.rejected.map((r) => [r.line, r.reason]),
    [[4, 'structureet: datemaj: invalid date "not-a-date" (expected YYYY-MM-DD)']],
  );
  assert.equal(s.closed, 0);
  assert.equal(org(sink, 'eg-970302287').active, true);
});

test('geolocation in the wrong territory or without its établissement is reported', async () => {
  const sink = new MemorySink();
  const cayenneInLambert = 'geolocalisation;970302287;870262.2;6571540.8;LAMBERT_93;2026-05-04';
  const path = await write(et507([REAL_ET.ehpadCayenne], [cayenneInLambert, REAL_GEO.guadeloupe, REAL_GEO.guadeloupe]));
  const s = await importFinessFiles([path], sink);
  assert.deepEqual(
    s.rejected.map((r) => [r.line, r.reason]),
    [
      [3, 'geolocalisation: FINESS 970302287 has metropole coordinates but is in guyane (commune 97302)'],
      [4, 'geolocalisation: no structureet line for FINESS 970100012'],
      [5, 'geolocalisation: FINESS 970100012 already located at line 4'],
    ],
  );
});

test('a cs1100502 file (no geolocation) keeps the stored positions', async () => {
  const sink = new MemorySink();
  await importFinessFiles([await write(et507(ALL_ET, ALL_GEO))], sink);
  const with502 = ALL_ET.map((l) => l.replace(/;$/, ';;'));
  const s = await importFinessFiles([await write(et507(with502, [], NEWER))], sink);
  assert.deepEqual(counts(s), { created: 0, updated: 0, unchanged: 8, closed: 0 });
  assert.ok(getPosition(site(sink, 'site-010000024')));
});

test('referents’ additions survive a re-import', async () => {
  const sink = new MemorySink(validateRorResource);
  const path = await write(et507(ALL_ET, ALL_GEO));
  await importFinessFiles([path], sink);
  const edited = structuredClone(org(sink, 'eg-010000024'));
  setOrganizationContacts(edited, [{ confidentiality: '1', telecoms: [{ value: '0474450000', channel: '2', confidentiality: '1' }] }]);
  await sink.putBatch([edited]);
  const s = await importFinessFiles([path], sink);
  assert.equal(s.unchanged, 8);
  assert.equal(org(sink, 'eg-010000024').contact?.[0]?.telecom?.[0]?.value, '0474450000');
});

test('store rejections are reported with the line of the record', async () => {
  const sink = new MemorySink((r) => (r.id === 'site-970400024' ? [{ severity: 'error', code: 'invalid', diagnostics: 'refused for the test' }] : []));
  const path = await write(et507(ALL_ET, ALL_GEO));
  const s = await importFinessFiles([path], sink);
  assert.deepEqual(s.rejected, [{ file: path, line: 3, reason: 'Location/site-970400024: refused for the test' }]);
  assert.equal(s.created, 7);
});

test('writes in batches of the requested size', async () => {
  const sink = new MemorySink();
  const s = await importFinessFiles([await write(ej501(ALL_EJ)), await write(et507(ALL_ET, ALL_GEO))], sink, { batchSize: 2 });
  assert.equal(s.created, 12);
  assert.equal(Math.max(...sink.batchSizes), 4, 'two établissements = two Organizations + two Locations');
  assert.equal(sink.batchSizes.length, 4);
  await assert.rejects(importFinessFiles([], sink, { batchSize: 0 }), /batchSize must be a positive integer/);
});

test('équipements sociaux set the installed capacities of the site Locations', async () => {
  const sink = new MemorySink(validateRorResource);
  await importFinessFiles([await write(et507(ALL_ET, ALL_GEO))], sink);
  const eq = (et: string, ta: string, cap: number, deleted = 'N') =>
    `equipementsocial;${et};924;Accueil pour Personnes Âgées;${ta};X;711;Personnes Agées dépendantes;S;${cap};;;;60;;${deleted};2017-01-03;2002-01-01;${cap};;;;;;N;2017-01-03;2024-04-22;2024-04-22`;
  const path = await write(
    `${[
      'finess;etalab;77;2026-05-12',
      'structureet;970302287;970302022',
      eq('970302287', '11', 80),
      eq('970302287', '21', 6),
      eq('970302287', '11', 12, 'O'),
      'structureet;999999999;999999998',
      eq('999999999', '11', 10),
    ].join('\n')}\n`,
  );
  const s = await importFinessFiles([path], sink);
  assert.deepEqual(s.files.map((f) => f.kind), ['equipements']);
  assert.deepEqual(s.rejected, [{ file: path, line: 6, reason: 'équipements of 999999999: no Location site-999999999 (import the établissements file first)' }]);
  assert.equal(s.updated, 1);
  assert.deepEqual(
    getCapacities(site(sink, 'site-970302287')).map((c) => [c.capacityType, c.capacityStatus, c.nbCapacity, c.updateDate]),
    [
      ['01', '01', 80, '2024-04-22'],
      ['02', '01', 6, '2024-04-22'],
    ],
  );
  assert.equal((await importFinessFiles([path], sink)).unchanged, 1);
});

test('imports the FINESS+ JSON flux: open and closed structures, idempotently', async () => {
  const sink = new MemorySink(validateRorResource);
  const path = await dir.write('structures.json', JSON.stringify(finessPlusDocument(), null, 2));
  const s = await importFinessFiles([path], sink);
  assert.deepEqual(s.rejected, []);
  assert.deepEqual(s.files, [{ path, kind: 'finess-plus', extractionDate: '2026-03-09', records: 4 }]);
  assert.deepEqual(counts(s), { created: 10, updated: 0, unchanged: 0, closed: 0 });
  assert.equal(org(sink, 'ej-010000016').active, false);
  assert.equal(getOrganizationPeriod(org(sink, 'ej-010000016'))?.end, '2019-03-03');
  assert.equal(org(sink, 'eg-010780906').active, true);
  assert.equal(org(sink, 'eg-010780195').partOf?.reference, 'Organization/ej-010000156');
  const convert = getPosition(site(sink, 'site-010780195'));
  assert.ok(convert && Math.abs(convert.latitude - 46.211257) < 1e-5 && Math.abs(convert.longitude - 5.254203) < 1e-5);
  assert.equal(getRegion(org(sink, 'eg-980600027')), undefined, 'Wallis-et-Futuna has no ROR region');
  assert.deepEqual(counts(await importFinessFiles([path], sink)), { created: 0, updated: 0, unchanged: 10, closed: 0 });
});

test('reports progress on the given reporter', async () => {
  let out = '';
  const progress = createProgressReporter({ stream: { write: (c: string) => (out += c), isTTY: false }, intervalMs: 0 });
  await importFinessFiles([await write(et507(ALL_ET, ALL_GEO))], new MemorySink(), { progress });
  assert.match(out, /f\d+\.csv: géolocalisation 100\.0%/);
  assert.match(out, /f\d+\.csv: établissements .*in \d+s/);
});
