import type { CapabilityStatement, CapabilityStatementRestResourceSearchParam } from '@medplum/fhirtypes';
import { resourceTypes, searchParametersFor } from '../store/search-parameters/registry.ts';
import { MAX_BUNDLE_ENTRIES } from './bundle.ts';
import { referenceTargets } from './include.ts';
import { isSearchable, searchParameterDocumentation } from './search-parser.ts';

const RESULT_PARAMETERS: CapabilityStatementRestResourceSearchParam[] = [
  { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
  { name: '_lastUpdated', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
];

/** What this server actually serves, generated from the registered resource types and search parameters. */
export function capabilityStatement(baseUrl: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString().slice(0, 10),
    kind: 'instance',
    software: { name: 'ROR — Répertoire Opérationnel des Ressources' },
    implementation: { description: 'ROR FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    instantiates: ['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: true,
          description:
            'Every request is authenticated. Programs: OAuth 2.0 client credentials, a bearer token from POST /oauth/token ' +
            '(scopes read, write-offer, write-capacities). People: the session cookie of the web login, with its CSRF token on writes. ' +
            'Reads are filtered by the access profile (JDV_J68); writes are limited to the caller’s perimeter and audited.',
        },
        resource: resourceTypes.map((type) => ({
          type,
          interaction: [
            { code: 'read' },
            { code: 'vread' },
            { code: 'history-instance' },
            { code: 'history-type' },
            { code: 'search-type' },
            { code: 'create' },
            { code: 'update' },
            { code: 'patch' },
            { code: 'delete' },
          ],
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
          conditionalUpdate: true,
          conditionalDelete: 'single',
          searchInclude: includeParameters().filter((i) => i.sourceType === type).map((i) => i.name),
          searchRevInclude: includeParameters().filter((i) => i.targets.includes(type)).map((i) => i.name),
          searchParam: [
            ...RESULT_PARAMETERS,
            ...searchParametersFor(type)
              .filter(isSearchable)
              .map((sp) => ({ name: sp.code, type: sp.type, definition: sp.url, ...searchParameterDocumentation(type, sp.code) })),
            {
            name: '_filter',
            type: 'special',
            documentation:
              'FHIR _filter (search_filter.html): comparisons param op value with and, or, not(…) and parentheses; eq ne gt lt ge le sa eb on numbers, quantities and dates, eq ne sw ew co on strings, eq ne on tokens and references, pr on any parameter; chains and _has paths; at most 50 comparisons',
          },
        ] as CapabilityStatementRestResourceSearchParam[],
        })),
        interaction: [
          { code: 'history-system', documentation: 'GET /_history with _since, _at, _count; paged by next links' },
          {
            code: 'transaction',
            documentation: `POST of a transaction Bundle (at most ${MAX_BUNDLE_ENTRIES} entries): all its writes or none, urn:uuid fullUrls resolved`,
          },
          { code: 'batch', documentation: `POST of a batch Bundle (at most ${MAX_BUNDLE_ENTRIES} entries): each entry on its own` },
        ],
        operation: [
          {
            name: 'export',
            definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
            documentation:
              'Bulk Data export (asynchronous, Prefer: respond-async) of the whole directory (/$export) or one type (/<Type>/$export), ' +
              'with _outputFormat (ndjson), _since, _type and _typeFilter; filtered by the caller’s access profile like a search',
          },
        ],
        searchParam: [
          { name: '_count', type: 'number', documentation: 'Page size, default and maximum 200 (RG_RECH_52)' },
          { name: '_offset', type: 'number', documentation: 'Start of the page (used by next/previous links)' },
          { name: '_total', type: 'token', documentation: 'none | estimate | accurate (default accurate)' },
          {
            name: '_sort',
            type: 'special',
            documentation: '_sort=a,-b on _id, _lastUpdated, any token/string/date/number/quantity/reference/uri parameter of the type (several values: smallest ascending, largest descending; no value last) and near (distance); ties broken by id',
          },
          {
            name: '_filter',
            type: 'special',
            documentation:
              'FHIR _filter (search_filter.html): comparisons param op value with and, or, not(…) and parentheses; eq ne gt lt ge le sa eb on numbers, quantities and dates, eq ne sw ew co on strings, eq ne on tokens and references, pr on any parameter; chains and _has paths; at most 50 comparisons',
          },
        ] as CapabilityStatementRestResourceSearchParam[],
      },
    ],
  };
}

/** The reference parameters `_include` and `_revinclude` accept (`Type:param`) with the served types they point to. */
function includeParameters(): { name: string; sourceType: string; targets: string[] }[] {
  return resourceTypes.flatMap((sourceType) =>
    searchParametersFor(sourceType)
      .filter((sp) => sp.type === 'reference' && isSearchable(sp) && referenceTargets(sp).length > 0)
      .map((sp) => ({ name: `${sourceType}:${sp.code}`, sourceType, targets: referenceTargets(sp) })),
  );
}
