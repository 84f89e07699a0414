import type { HealthcareServiceAvailableTime, Period } from '@medplum/fhirtypes';
import { codeOf, extension, isoDateTime, nosConcept } from './ext.ts';
import { EXT, VALUE_SET } from './urls.ts';

/** JDV_J41 types de plage horaire. */
export const TIME_TYPE = { opening: '01', operating: '02' } as const;

const DAY_CODES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type DayCode = (typeof DAY_CODES)[number];

/** One horaire (plage horaire) of an offer or a practitioner role. */
export interface RorAvailableTime {
  /** typePlageHoraire, JDV_J41 code */
  type?: string;
  /** jourSemaine, 1 = Monday … 7 = Sunday */
  dayOfWeek?: number;
  allDay?: boolean;
  /** heureDebut, hh:mm:ss */
  start?: string;
  /** heureFin, hh:mm:ss */
  end?: string;
  /** debutDateEffective / finDateEffective */
  effective?: Period;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?$/;

/** Builds an availableTime with the ROR extensions; the weekday is also written as the native `daysOfWeek`. */
export function buildAvailableTime(t: RorAvailableTime): HealthcareServiceAvailableTime {
  const at: HealthcareServiceAvailableTime = {};
  const exts = [];
  if (t.type !== undefined) exts.push({ url: EXT.availableTimeTypeOfTime, valueCodeableConcept: nosConcept(VALUE_SET.J41, t.type) });
  if (t.effective !== undefined) {
    if (t.effective.start !== undefined) isoDateTime(t.effective.start, 'Effective start');
    if (t.effective.end !== undefined) isoDateTime(t.effective.end, 'Effective end');
    exts.push({ url: EXT.availableTimeEffectiveOpeningClosingDate, valuePeriod: t.effective });
  }
  if (t.dayOfWeek !== undefined) {
    const day = DAY_CODES[t.dayOfWeek - 1];
    if (!Number.isInteger(t.dayOfWeek) || day === undefined) throw new Error(`Day of week must be 1 (Monday) to 7 (Sunday), got ${t.dayOfWeek}`);
    exts.push({ url: EXT.availableTimeNumberDaysOfWeek, valueInteger: t.dayOfWeek });
    at.daysOfWeek = [day];
  }
  if (exts.length > 0) at.extension = exts;
  if (t.allDay !== undefined) at.allDay = t.allDay;
  if (t.start !== undefined) {
    if (!TIME.test(t.start)) throw new Error(`Start time must be hh:mm:ss, got "${t.start}"`);
    at.availableStartTime = t.start;
  }
  if (t.end !== undefined) {
    if (!TIME.test(t.end)) throw new Error(`End time must be hh:mm:ss, got "${t.end}"`);
    at.availableEndTime = t.end;
  }
  return at;
}

export function readAvailableTime(at: HealthcareServiceAvailableTime): RorAvailableTime {
  const read: RorAvailableTime = {};
  const type = codeOf(extension(at, EXT.availableTimeTypeOfTime)?.valueCodeableConcept);
  if (type !== undefined) read.type = type;
  const day = extension(at, EXT.availableTimeNumberDaysOfWeek)?.valueInteger;
  const nativeDay = at.daysOfWeek?.length === 1 ? DAY_CODES.indexOf(at.daysOfWeek[0] as DayCode) + 1 : 0;
  if (day !== undefined) read.dayOfWeek = day;
  else if (nativeDay > 0) read.dayOfWeek = nativeDay;
  const effective = extension(at, EXT.availableTimeEffectiveOpeningClosingDate)?.valuePeriod;
  if (effective !== undefined) read.effective = effective;
  if (at.allDay !== undefined) read.allDay = at.allDay;
  if (at.availableStartTime !== undefined) read.start = at.availableStartTime;
  if (at.availableEndTime !== undefined) read.end = at.availableEndTime;
  return read;
}
