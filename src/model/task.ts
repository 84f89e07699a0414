import type { Coding, Task, TaskInput as FhirTaskInput } from '@medplum/fhirtypes';
import { isoDateTime } from './ext.ts';
import { setRorProfile } from './meta.ts';
import { ROR_CODE_SYSTEM } from './urls.ts';

/** RORTask input slices (InputTaskRORCodeSystem). */
export const TASK_INPUT = {
  ruleErrorId: 'ruleErrorId',
  errorValue: 'errorValue',
  proposedValue: 'proposedValue',
  pathElementError: 'pathElementError',
  systemRequester: 'systemRequester',
  identifierRequester: 'identifierRequester',
} as const;

/** A signalement d'anomalie on a ROR resource. */
export interface RorTaskInput {
  id?: string;
  /** the resource in anomaly, e.g. "Organization/123" */
  focus: string;
  status: Task['status'];
  intent?: Task['intent'];
  /** statut métier (TRE_R352, JDV_J244) */
  businessStatus: Coding;
  /** thématique (TRE_R350, JDV_J241) */
  code: Coding;
  /** action proposée (TRE_R349, JDV_J242) */
  reasonCode: Coding;
  description?: string;
  /** système déclarant (e.g. "IHM") */
  systemRequester: string;
  ruleErrorId?: string;
  /** FHIRPath of the element in error */
  pathElementError?: string;
  authoredOn: string;
  lastModified: string;
  requester?: string;
  owner?: string;
}

function input(type: string, value: Omit<FhirTaskInput, 'type'>): FhirTaskInput {
  return { type: { coding: [{ system: ROR_CODE_SYSTEM.inputTask, code: type }] }, ...value };
}

/** Builds a RORTask. */
export function buildTask(t: RorTaskInput): Task {
  if (t.systemRequester.trim() === '') throw new Error('A task needs its système déclarant');
  const task: Task = { resourceType: 'Task', status: t.status, intent: t.intent ?? 'order' };
  if (t.id !== undefined) task.id = t.id;
  setRorProfile(task);
  task.businessStatus = { coding: [t.businessStatus] };
  task.code = { coding: [t.code] };
  if (t.description !== undefined) task.description = t.description;
  task.focus = { reference: t.focus };
  task.authoredOn = isoDateTime(t.authoredOn, 'authoredOn');
  task.lastModified = isoDateTime(t.lastModified, 'lastModified');
  if (t.requester !== undefined) task.requester = { reference: t.requester };
  if (t.owner !== undefined) task.owner = { reference: t.owner };
  task.reasonCode = { coding: [t.reasonCode] };
  const inputs: FhirTaskInput[] = [];
  if (t.ruleErrorId !== undefined) inputs.push(input(TASK_INPUT.ruleErrorId, { valueString: t.ruleErrorId }));
  if (t.pathElementError !== undefined) {
    inputs.push(input(TASK_INPUT.pathElementError, { valueExpression: { language: 'text/fhirpath', expression: t.pathElementError } }));
  }
  inputs.push(input(TASK_INPUT.systemRequester, { valueString: t.systemRequester }));
  task.input = inputs;
  return task;
}

/** The value of a RORTask input slice given as a string (ruleErrorId, systemRequester), or the FHIRPath of pathElementError. */
export function getTaskInput(task: Task, type: keyof typeof TASK_INPUT): string | undefined {
  const found = task.input?.find((i) => i.type.coding?.some((c) => c.system === ROR_CODE_SYSTEM.inputTask && c.code === type));
  return found?.valueString ?? found?.valueExpression?.expression;
}
