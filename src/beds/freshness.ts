/**
 * How old a bed figure may be. Each activité opérationnelle (TRE_R211) has an expected refresh interval; during
 * a crisis covering the unit the tighter crisis interval applies. A figure older than its interval is `stale`
 * (shown, flagged); past twice the interval it is `unknown` and never counts as available.
 */
export type Freshness = 'fresh' | 'stale' | 'unknown';

export interface FreshnessPolicy {
  /** Hours between two updates expected of any activity without an interval of its own. */
  defaultHours: number;
  /** Hours per activité opérationnelle code. */
  byActivity: ReadonlyMap<string, number>;
  /** Hours expected while a crisis covers the unit (the shorter of this and the normal interval applies). */
  crisisHours: number;
}

const HOUR_MS = 3_600_000;

/**
 * Décret 2023-1057: critical-care availability is published at least once a day, twice a day under tension.
 * Every activity defaults to a day; a crisis tightens it to 12 hours.
 */
export const DEFAULT_FRESHNESS: FreshnessPolicy = { defaultHours: 24, byActivity: new Map(), crisisHours: 12 };

/** The refresh interval (ms) of a unit running `activities`: the shortest of theirs. */
export function refreshIntervalMs(policy: FreshnessPolicy, activities: readonly string[], inCrisis: boolean): number {
  const own = activities.map((a) => policy.byActivity.get(a) ?? policy.defaultHours);
  const hours = Math.min(...(own.length > 0 ? own : [policy.defaultHours]), inCrisis ? policy.crisisHours : Infinity);
  return hours * HOUR_MS;
}

export function freshnessOf(updatedAt: string | undefined, now: number, intervalMs: number): Freshness {
  const t = updatedAt === undefined ? Number.NaN : Date.parse(updatedAt);
  if (Number.isNaN(t)) return 'unknown';
  const age = now - t;
  if (age <= intervalMs) return 'fresh';
  return age <= 2 * intervalMs ? 'stale' : 'unknown';
}

function hours(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 24 * 30) throw new Error(`${name}: a number of hours (0 to 720) is expected, got "${raw}"`);
  return n;
}

/**
 * `BED_REFRESH_HOURS` (default interval), `BED_REFRESH_HOURS_BY_ACTIVITY` (`127=12,130=12`: activité
 * opérationnelle code = hours) and `BED_CRISIS_REFRESH_HOURS`.
 */
export function freshnessPolicyFromEnv(env: NodeJS.ProcessEnv): FreshnessPolicy {
  const byActivity = new Map<string, number>();
  for (const pair of (env.BED_REFRESH_HOURS_BY_ACTIVITY ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [code, value, extra] = pair.split('=').map((s) => s.trim());
    if (!code || !/^[0-9A-Za-z]{1,10}$/.test(code) || value === undefined || extra !== undefined) {
      throw new Error(`BED_REFRESH_HOURS_BY_ACTIVITY: "activité=heures" pairs separated by commas are expected, got "${pair}"`);
    }
    byActivity.set(code, hours('BED_REFRESH_HOURS_BY_ACTIVITY', value));
  }
  return {
    defaultHours: env.BED_REFRESH_HOURS ? hours('BED_REFRESH_HOURS', env.BED_REFRESH_HOURS) : DEFAULT_FRESHNESS.defaultHours,
    byActivity,
    crisisHours: env.BED_CRISIS_REFRESH_HOURS ? hours('BED_CRISIS_REFRESH_HOURS', env.BED_CRISIS_REFRESH_HOURS) : DEFAULT_FRESHNESS.crisisHours,
  };
}
