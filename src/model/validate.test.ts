import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { FIXTURE_NAMES, loadFixture } from './fixtures/load.ts';
import { EXT, SUB, SYSTEM, validateRorResource } from './index.ts';

function find(issues: OperationOutcomeIssue[], path: string): OperationOutcomeIssue {
  const found = issues.find((i) => i.expression?.[0] === path);
  assert.ok(found, `no issue at ${path}; got ${JSON.stringify(issues)}`);
  assert.equal(found.severity, 'error');
  return found;
}

test('every IG-like fixture is valid', () => {
  for (const name of FIXTURE_NAMES) assert.deepEqual(validateRorResource(loadFixture(name)), [], name);
});

test('R4 structure errors come from the base validator with their path and code "structure"', () => {
  const org = { ...loadFixture('organization-ej'), active: 'yes', unknownField: 1 } as unknown as Resource;
  const issues = validateRorResource(org);
  assert.equal(find(issues, 'Organization.active').code, 'structure');
  assert.match(find(issues, 'Organization.unknownField').diagnostics ?? '', /Invalid additional property "unknownField"/);
});

test('a resource type outside the ROR is refused', () => {
  const [issue] = validateRorResource({ resourceType: 'Patient', meta: { lastUpdated: '2024-01-01T00:00:00Z' } });
  assert.equal(issue?.code, 'invalid');
  assert.match(issue?.diagnostics ?? '', /Patient is not a resource type of the ROR/);
});

test('missing mandatory elements of RORHealthcareService are reported as "required"', () => {
  const hs = loadFixture('healthcareservice-mco');
  hs.extension = hs.extension?.filter((e) => e.url !== EXT.healthcareServiceSensitiveUnit && e.url !== EXT.metaCreationDate);
  hs.characteristic = hs.characteristic?.filter((c) => !c.coding?.some((cd) => cd.system === SYSTEM.modePriseEnCharge));
  delete hs.providedBy;
  delete hs.meta?.lastUpdated;
  const issues = validateRorResource(hs);
  const required = issues.filter((i) => i.code === 'required').map((i) => i.diagnostics);
  for (const what of [/ror-healthcareservice-sensitive-unit/, /ror-meta-creation-date/, /characteristic\[careMode\]/, /providedBy/, /meta\.lastUpdated/]) {
    assert.ok(required.some((d) => what.test(d ?? '')), `${what} not reported in ${JSON.stringify(required)}`);
  }
});

test('a missing patient type age bound is reported at its path', () => {
  const hs = loadFixture('healthcareservice-mco');
  const range = hs.extension?.[2]?.extension?.[0]?.valueRange;
  assert.ok(range);
  delete range.high;
  assert.equal(find(validateRorResource(hs), 'HealthcareService.extension[2].extension[0].valueRange.high').code, 'required');
});

test('a code of the right system but absent from the JDV is "code-invalid" with its path and system|code', () => {
  const hs = loadFixture('healthcareservice-mco');
  const coding = hs.specialty?.[0]?.coding?.[0];
  assert.ok(coding);
  coding.code = '0000';
  const issue = find(validateRorResource(hs), 'HealthcareService.specialty[0].coding[0]');
  assert.equal(issue.code, 'code-invalid');
  assert.equal(issue.diagnostics, `Code ${SYSTEM.activiteOperationnelle}|0000 is not in JDV-J17-ActiviteOperationnelle-ROR`);
});

test('a coding of another system where a JDV is required is "code-invalid"', () => {
  const hs = loadFixture('healthcareservice-mco');
  hs.type = [{ coding: [{ system: 'http://example.org/champ', code: '01' }] }];
  const issue = find(validateRorResource(hs), 'HealthcareService.type[0]');
  assert.equal(issue.code, 'code-invalid');
  assert.match(issue.diagnostics ?? '', /Expected a code of JDV-J20-ChampActivite-ROR .* got http:\/\/example\.org\/champ\|01/);
});

test('a characteristic matching no slice, or an act without ror-act-type, is refused', () => {
  const hs = loadFixture('healthcareservice-mco');
  hs.characteristic?.push({ coding: [{ system: 'http://example.org/x', code: 'x' }] });
  const act = hs.characteristic?.[1];
  assert.ok(act);
  delete act.extension;
  const issues = validateRorResource(hs);
  assert.equal(find(issues, 'HealthcareService.characteristic[2]').code, 'code-invalid');
  assert.match(find(issues, 'HealthcareService.characteristic[1].extension').diagnostics ?? '', /needs ror-act-type/);
});

test('a slice over its maximum is a "structure" issue at the extra occurrence', () => {
  const hs = loadFixture('healthcareservice-mco');
  hs.characteristic?.push({ coding: [{ system: SYSTEM.modePriseEnCharge, code: '29', display: 'Hospitalisation de jour (HJ)' }] });
  const issue = find(validateRorResource(hs), 'HealthcareService.characteristic[2]');
  assert.equal(issue.code, 'structure');
  assert.match(issue.diagnostics ?? '', /characteristic\[careMode\] is allowed at most 1 time/);
});

test('Location: commune COG is mandatory and capacity entries need their mandatory sub-extensions and JDV codes', () => {
  const loc = loadFixture('location');
  loc.extension = loc.extension?.filter((e) => e.url !== EXT.communeCog);
  const entry = loc.extension?.find((e) => e.url === EXT.locationSupportedCapacity);
  assert.ok(entry?.extension);
  entry.extension = entry.extension.filter((p) => p.url !== SUB.supportedCapacity.temporaryAssignment);
  const status = entry.extension.find((p) => p.url === SUB.supportedCapacity.capacityStatus)?.valueCodeableConcept?.coding?.[0];
  assert.ok(status);
  status.code = '09';
  const issues = validateRorResource(loc);
  assert.match(find(issues, 'Location.extension').diagnostics ?? '', /ror-commune-cog/);
  const at = loc.extension?.indexOf(entry);
  assert.match(find(issues, `Location.extension[${at}].extension`).diagnostics ?? '', /temporaryAssignement of a capacity entry is mandatory/);
  assert.equal(find(issues, `Location.extension[${at}].extension[1].valueCodeableConcept.coding[0]`).code, 'code-invalid');
});

test('a telecom without canal or confidentiality is refused', () => {
  const eg = loadFixture('organization-eg');
  const telecom = eg.contact?.[0]?.telecom?.[0];
  assert.ok(telecom);
  delete telecom.extension;
  const issues = validateRorResource(eg).filter((i) => i.expression?.[0] === 'Organization.contact[0].telecom[0].extension');
  assert.deepEqual(
    issues.map((i) => i.diagnostics),
    ['ror-telecom-communication-channel is mandatory', 'ror-telecom-confidentiality-level is mandatory'],
  );
});

test('Organization: the mandatory identifiers depend on the kind (EJ/EG idNatSt, OI identifierOI + type)', () => {
  const ej = loadFixture('organization-ej');
  ej.identifier = ej.identifier?.filter((i) => i.system !== 'urn:oid:1.2.250.1.71.4.2.2');
  assert.match(find(validateRorResource(ej), 'Organization.identifier').diagnostics ?? '', /identifier\[idNatSt\] of an EJ/);

  const oi = loadFixture('organization-oi');
  delete oi.type;
  assert.match(find(validateRorResource(oi), 'Organization.type').diagnostics ?? '', /type\[OIType\]/);

  const unknown = { resourceType: 'Organization', meta: { lastUpdated: '2024-01-01T00:00:00Z' }, name: 'X', extension: [{ url: EXT.metaCreationDate, valueDateTime: '2024-01-01' }] } as Resource;
  assert.match(find(validateRorResource(unknown), 'Organization').diagnostics ?? '', /Cannot tell whether this is an EJ, EG or OI/);
});

test('Organization identifiers need their type and a well-formed value', () => {
  const ej = loadFixture('organization-ej');
  const finess = ej.identifier?.[1];
  assert.ok(finess);
  delete finess.type;
  finess.value = '92003001';
  const untyped = find(validateRorResource(ej), 'Organization.identifier[1].type');
  assert.equal(untyped.code, 'required');

  const eg = loadFixture('organization-eg');
  const siret = eg.identifier?.[1];
  assert.ok(siret);
  siret.value = '9213172580002';
  assert.match(find(validateRorResource(eg), 'Organization.identifier[1].value').diagnostics ?? '', /not a valid SIRET/);
});

test('PractitionerRole, Practitioner and Task mandatory elements are checked', () => {
  const role = loadFixture('practitionerrole');
  role.extension = role.extension?.filter((e) => e.url !== EXT.practitionerRoleUnitExerciseMode);
  role.specialty = role.specialty?.slice(1);
  const roleIssues = validateRorResource(role).map((i) => i.diagnostics);
  assert.ok(roleIssues.some((d) => /unit-exercise-mode/.test(d ?? '')));
  assert.ok(roleIssues.some((d) => /specialty\[expertiseType\] is mandatory/.test(d ?? '')));

  const p = loadFixture('practitioner');
  delete p.identifier;
  assert.match(find(validateRorResource(p), 'Practitioner.identifier').diagnostics ?? '', /idNatPs/);

  const task = loadFixture('task');
  task.input = task.input?.slice(0, 1);
  assert.match(find(validateRorResource(task), 'Task.input').diagnostics ?? '', /input\[systemRequester\] is mandatory/);
  (task as { status: string }).status = 'nonsense';
  assert.match(find(validateRorResource(task), 'Task.status').diagnostics ?? '', /"nonsense" is not a TaskStatus code/);
});

test('exposure-model rules run on write and can be left out', () => {
  const hs = loadFixture('healthcareservice-ms');
  delete hs.notAvailable;
  assert.match(validateRorResource(hs)[0]?.diagnostics ?? '', /^RG_EXP_043/);
  assert.deepEqual(validateRorResource(hs, { rules: false }), []);
});

test('full: true runs Medplum\'s complete validator, FHIRPath invariants included', () => {
  const task = loadFixture('task');
  task.lastModified = '2024-01-01';
  assert.deepEqual(validateRorResource(task), []);
  const issues = validateRorResource(task, { full: true });
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.severity, 'error');
  assert.match(issues[0]?.diagnostics ?? '', /lastModified >= authoredOn/);
});

test('a data-origin tag outside synthetic / finess / sae is refused', () => {
  const loc = loadFixture('location');
  loc.meta = { ...loc.meta, tag: [{ system: 'urn:ror:data-origin', code: 'guess' }] };
  assert.equal(find(validateRorResource(loc), 'Location.meta.tag[0]').code, 'code-invalid');
});
