import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pmejSources, scanPmej, type FinessPlusHeader, type PmejItem } from './finess-plus.ts';
import { finessPlusDocument, tempDir, type TempDir } from './fixtures.test-support.ts';

let dir: TempDir;
before(async () => {
  dir = await tempDir();
});
after(async () => {
  await dir.remove();
});

async function scan(content: string): Promise<{ items: PmejItem[]; header: FinessPlusHeader }> {
  const header: FinessPlusHeader = { generatedAt: undefined, schemaVersion: undefined };
  const items: PmejItem[] = [];
  for await (const item of scanPmej(await dir.write(`doc-${Math.random()}.json`, content), header)) items.push(item);
  return { items, header };
}

test('cuts the pmej elements out of the document one by one, with their line, and reads generatedAt', async () => {
  const { items, header } = await scan(JSON.stringify(finessPlusDocument(), null, 2));
  assert.equal(items.length, 4);
  assert.deepEqual(
    items.map((i) => (JSON.parse(i.text) as { informationsGeneralesPMEJ: { numFinessPm: string } }).informationsGeneralesPMEJ.numFinessPm),
    ['010000016', '010000156', '010000339', '980600019'],
  );
  assert.ok(items.every((item, i) => i === 0 || item.line > (items[i - 1]?.line ?? 0)));
  assert.equal(header.generatedAt, '2026-03-09T15:49:37.615611300Z');
  assert.equal(header.schemaVersion, 'v1.0.0');
});

test('is not fooled by brackets and quotes inside strings, nor by a pmej key below the root', async () => {
  const doc = {
    generatedAt: '2026-03-09T00:00:00Z',
    gcc: [{ nomGcc: 'odd "pmej": [ { } ] name', pmej: [{ nested: true }] }],
    pmej: [{ informationsGeneralesPMEJ: { numFinessPm: '010000156', denominationPm: 'A } ] \\" [ {' } }],
  };
  const { items } = await scan(JSON.stringify(doc));
  assert.equal(items.length, 1);
  assert.match(items[0]?.text ?? '', /A } ] \\\\\\" \[ \{/);
});

test('handles elements split across read chunks', async () => {
  const doc = finessPlusDocument();
  const big = { ...doc, pmej: Array.from({ length: 300 }, () => (doc.pmej as unknown[])[1]) };
  const { items } = await scan(JSON.stringify(big));
  assert.equal(items.length, 300);
  assert.ok(items.every((i) => JSON.parse(i.text)));
});

test('throws on a truncated document and on a document without pmej', async () => {
  const text = JSON.stringify(finessPlusDocument());
  await assert.rejects(scan(text.slice(0, text.length - 40)), /truncated JSON/);
  await assert.rejects(scan('{"gcc": [], "gco": []}'), /no "pmej" array/);
});

test('maps an entité juridique and its établissement, undoing the X/Y swap of the projected coordinates', async () => {
  const { items } = await scan(JSON.stringify(finessPlusDocument()));
  const { ej, egs, issues } = pmejSources(items[1] as PmejItem);
  assert.deepEqual(issues, []);
  assert.equal(ej?.finess, '010000156');
  assert.equal(ej?.statutJuridique?.code, '73');
  assert.equal(ej?.address?.inseeCode, '01053');
  assert.equal(ej?.telephone, '0428631234');
  assert.equal(ej?.closingDate, undefined);
  assert.equal(egs.length, 1);
  const eg = egs[0];
  assert.equal(eg?.finess, '010780195');
  assert.equal(eg?.finessEj, '010000156');
  assert.equal(eg?.name, 'CLINIQUE CONVERT');
  assert.equal(eg?.longName, 'CLINIQUE DOCTEUR CONVERT');
  assert.equal(eg?.category.code, '365');
  assert.equal(eg?.sph?.code, '0');
  assert.equal(eg?.address.typeVoie, 'AV', 'padded values are trimmed');
  assert.equal(eg?.address.lieuDitBp, 'BP 132');
  assert.equal(eg?.telecopie, '0474220192');
  assert.ok(eg?.position);
  assert.ok(Math.abs((eg?.position?.lat ?? 0) - 46.211257) < 1e-5 && Math.abs((eg?.position?.lon ?? 0) - 5.254203) < 1e-5);
});

test('closed structures carry their closing date, and directionLatitude/Longitude are preferred', async () => {
  const { items } = await scan(JSON.stringify(finessPlusDocument()));
  assert.equal(pmejSources(items[0] as PmejItem).ej?.closingDate, '2019-03-03');
  const fontelune = pmejSources(items[2] as PmejItem);
  assert.equal(fontelune.ej?.closingDate, '2026-03-02');
  assert.equal(fontelune.egs[0]?.closingDate, undefined, 'the EHPAD itself is still open');
  assert.deepEqual(fontelune.egs[0]?.position, { lon: 5.350865, lat: 45.968606 });
  const wallis = pmejSources(items[3] as PmejItem);
  assert.equal(wallis.egs[0]?.position, undefined);
  assert.equal(wallis.egs[0]?.address.inseeCode, '98613');
});

test('reports bad elements with their line and keeps the rest', async () => {
  const doc = finessPlusDocument();
  const pmej = doc.pmej as Record<string, Record<string, unknown>>[];
  (pmej[0]?.informationsGeneralesPMEJ as Record<string, unknown>).numFinessPm = '01000001';
  const convert = pmej[1] as unknown as { ege: { informationsGeneralesEGE: Record<string, unknown>; adresse: { coordonneesGeographique: Record<string, string> }[] }[] };
  const ege = convert.ege[0];
  if (!ege) throw new Error('fixture');
  ege.adresse[0] = { ...ege.adresse[0], coordonneesGeographique: { directionLatitude: '16.2', directionLongitude: '-61.5' } } as never;
  const { items } = await scan(JSON.stringify(doc, null, 2));
  const bad = pmejSources(items[0] as PmejItem);
  assert.equal(bad.ej, undefined);
  assert.equal(bad.issues.length, 1);
  assert.equal(bad.issues[0]?.line, items[0]?.line);
  assert.match(bad.issues[0]?.reason ?? '', /pmej\[0\]\.informationsGeneralesPMEJ\.numFinessPm: invalid FINESS number "01000001"/);
  const convertSources = pmejSources(items[1] as PmejItem);
  assert.equal(convertSources.egs.length, 1, 'the EG is kept');
  assert.equal(convertSources.egs[0]?.position, undefined);
  assert.match(convertSources.issues[0]?.reason ?? '', /010780195: coordinates ignored: .*outside metropole/);
});
