import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Location, Resource } from '@medplum/fhirtypes';
import type { EvaluationScope } from './fhirpath.ts';
import { compileFhirPath, interpretFhirPath } from './fhirpath.ts';
import { fixture, loadFixtures } from './fixtures/index.ts';
import { resourceTypes, searchParametersFor } from './registry.ts';

const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

function assertSameAsInterpreter(expression: string, resource: Resource, scope?: EvaluationScope): void {
  const compiled = compileFhirPath(expression).evaluate(resource, scope);
  const interpreted = interpretFhirPath(expression).evaluate(resource);
  assert.deepEqual(compiled, interpreted, `${expression} on ${resource.resourceType}/${resource.id}`);
}

describe('compiled FHIRPath', () => {
  it('gives the interpreter results for every search parameter of the six types on every fixture', () => {
    const fixtures = loadFixtures();
    let checked = 0;
    for (const type of resourceTypes) {
      const ofType = fixtures.filter((r) => r.resourceType === type);
      assert.ok(ofType.length > 0, `no fixture for ${type}`);
      for (const resource of ofType) {
        const scope: EvaluationScope = new Map();
        for (const sp of searchParametersFor(type)) {
          if (sp.expression === undefined) continue;
          assertSameAsInterpreter(sp.expression, resource);
          assertSameAsInterpreter(sp.expression, resource, scope);
          checked++;
        }
      }
    }
    assert.ok(checked > 250, `only ${checked} checks`);
  });

  it('finds values on the rich fixtures (the comparison above is not between empty results)', () => {
    const capacities = `Location.extension.where(url='${SD}ror-location-supported-capacity')`;
    const loc = fixture('loc-usc-orleans');
    assert.equal(compileFhirPath(`${capacities}.extension.where(url='nbCapacity').value.ofType(integer)`).evaluate(loc).length, 5);
    assert.deepEqual(
      compileFhirPath(`${capacities}.extension.where(url='capacityStatus').value.ofType(CodeableConcept)`)
        .evaluate(loc)
        .map((v) => (v.value as { coding: { code: string }[] }).coding[0]?.code),
      ['01', '02', '02', '05', '06'],
    );
  });

  it('compiles every search parameter expression except resolve() forms', () => {
    const interpreted: string[] = [];
    for (const type of resourceTypes) {
      for (const sp of searchParametersFor(type)) {
        if (sp.expression !== undefined && !compileFhirPath(sp.expression).compiled) interpreted.push(`${type}.${sp.code}`);
      }
    }
    assert.deepEqual(interpreted, ['Task.patient']);
  });

  it('falls back to the interpreter for forms it does not compile, with the same results', () => {
    const task = fixture('task-for-patient');
    const patient = compileFhirPath('Task.for.where(resolve() is Patient)');
    assert.equal(patient.compiled, false);
    assert.deepEqual(patient.evaluate(task), [{ type: 'Reference', value: { reference: 'Patient/p-001' } }]);
    assert.deepEqual(compileFhirPath('Task.for.where(resolve() is Patient)').evaluate(fixture('task-anomalie-categorie')), []);

    const loc = fixture('loc-usc-orleans');
    for (const expression of ['Location.identifier[1].value', "Location.name.substring(0, 5)", 'Location.alias.count()', "Location.name & '!'"]) {
      const evaluator = compileFhirPath(expression);
      assert.equal(evaluator.compiled, false, expression);
      assert.deepEqual(evaluator.evaluate(loc), interpretFhirPath(expression).evaluate(loc), expression);
    }
    assert.deepEqual(compileFhirPath('Location.identifier[1].value').evaluate(loc), [{ type: 'string', value: '450000088/USC-CHIR' }]);
  });

  it('compiles where, equality, exists, ofType, as, $this and unions like the interpreter', () => {
    const org = fixture('oi-neurochirurgie');
    const loc = fixture('loc-usc-orleans');
    for (const [expression, resource] of [
      ["Organization.where(type.coding.where(system='https://mos.esante.gouv.fr/NOS/TRE_R207-TypeOrganisationInterne/FHIR/TRE-R207-TypeOrganisationInterne').exists()).name", org],
      ['Organization.type.coding.exists()', org],
      ['Organization.alias.exists()', org],
      ['Organization.identifier.exists(system = \'https://oi.esante.gouv.fr\')', org],
      ['Organization.type.coding.code = \'2\'', org],
      ['Organization.name | Organization.name | Organization.alias', org],
      ['(Location.position.latitude as decimal)', loc],
      ["Location.alias.where($this = 'USC chirurgicale')", loc],
      ['Location.position.latitude = 47.834781', loc],
      ["Location.extension.where(url = 'nothing').extension.exists()", loc],
      ['Location.extension.value.ofType(CodeableConcept)', loc],
    ] as const) {
      const evaluator = compileFhirPath(expression);
      assert.equal(evaluator.compiled, true, expression);
      assertSameAsInterpreter(expression, resource);
      assertSameAsInterpreter(expression, resource, new Map());
    }
    assert.deepEqual(compileFhirPath("Location.extension.where(url = 'nothing').extension.exists()").evaluate(loc, new Map()), [
      { type: 'boolean', value: false },
    ]);
  });

  it('returns every matching extension for extension(url), where medplum returns only the first', () => {
    const loc = fixture('loc-usc-orleans');
    const expression = `Location.extension('${SD}ror-location-equipment').extension('${SD}ror-location-equipment-limit')`;
    const compiled = compileFhirPath(expression);
    assert.equal(compiled.compiled, true);
    assert.equal(compiled.evaluate(loc).length, 3);
    assert.equal(interpretFhirPath(expression).evaluate(loc).length, 1);
    assertSameAsInterpreter(`Location.extension('${SD}ror-commune-cog').value`, loc);
  });

  it('lets medplum merge primitive extensions, like the interpreter', () => {
    const loc: Location = {
      resourceType: 'Location',
      id: 'with-primitive-extension',
      name: 'Bloc A',
      _name: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/translation', valueString: 'Block A' }] },
      alias: ['A'],
      _alias: [{ id: 'a1' }],
    } as Location;
    assertSameAsInterpreter('Location.name', loc);
    assertSameAsInterpreter('Location.alias', loc);
    assertSameAsInterpreter("Location.where(name = 'Bloc A').id", loc);
  });

  it('shares prefixes through a scope without changing results', () => {
    const loc = fixture('loc-usc-orleans');
    const scope: EvaluationScope = new Map();
    const status = compileFhirPath(`Location.extension.where(url='${SD}ror-location-supported-capacity').extension.where(url='capacityStatus').value`);
    const count = compileFhirPath(`Location.extension.where(url='${SD}ror-location-supported-capacity').extension.where(url='nbCapacity').value`);
    const first = status.evaluate(loc, scope);
    assert.deepEqual(count.evaluate(loc, scope), count.evaluate(loc));
    assert.deepEqual(status.evaluate(loc, scope), first);
    assert.ok(scope.size > 0);
  });

  it('refuses an expression that does not parse, naming it', () => {
    assert.throws(() => compileFhirPath('Location.name.where('), /Invalid FHIRPath expression "Location\.name\.where\("/);
  });
});
