export {
  detectFileKind,
  importFinessFiles,
  type FileSummary,
  type FinessFileKind,
  type ImportOptions,
  type ImportSummary,
  type RejectedRecord,
} from './import.ts';
export { egId, ejId, siteId } from './fhir.ts';
