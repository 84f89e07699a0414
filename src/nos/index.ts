export type { NosConcept, NosValueSet } from './nos.ts';
export {
  activitesOfFamille,
  activiteSystem,
  allValueSets,
  concept,
  conceptIn,
  concepts,
  display,
  familleActiviteLinks,
  familleOfActivite,
  familleSystem,
  findValueSet,
  hasCode,
  isKnownSystem,
  loadNos,
  valueSet,
  valueSetForSystem,
  valueSetsForSystem,
} from './nos.ts';
export { parseNosJson } from './parse.ts';
