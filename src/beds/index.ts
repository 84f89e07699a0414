import type { Database } from '../db/open.ts';
import type { Repository } from '../store/repository.ts';
import { BedBoard } from './board.ts';
import { CrisisStore } from './crises.ts';
import { DEFAULT_FRESHNESS, type FreshnessPolicy } from './freshness.ts';
import { DEFAULT_HOLD_SETTINGS, HoldStore, type HoldSettings } from './holds.ts';
import { DEFAULT_PLAUSIBILITY, PlausibilityWatcher, type PlausibilitySettings } from './plausibility.ts';

/** The beds module of one server: the live board, holds, crises and the plausibility watcher. */
export interface Beds {
  board: BedBoard;
  holds: HoldStore;
  crises: CrisisStore;
  watcher: PlausibilityWatcher;
  close(): Promise<void>;
}

export interface BedsOptions {
  policy?: FreshnessPolicy;
  holds?: HoldSettings;
  plausibility?: PlausibilitySettings;
  now?: () => Date;
  /**
   * Return at once and load the board meanwhile (a national board takes tens of seconds): until it is loaded,
   * the beds API answers 503. By default, return once it is loaded.
   */
  background?: boolean;
}

/** Loads the board from the database and starts following its changes. */
export async function openBeds(db: Database, repo: Repository, options: BedsOptions = {}): Promise<Beds> {
  const now = options.now ?? (() => new Date());
  const crises = new CrisisStore(db, now);
  const board = await BedBoard.open(db, {
    crises,
    policy: options.policy ?? DEFAULT_FRESHNESS,
    now: () => now().getTime(),
    holds: (b) => new HoldStore(db, repo, (location) => b.freshnessOfLocation(location), options.holds ?? DEFAULT_HOLD_SETTINGS, now),
  });
  const watcher = new PlausibilityWatcher(db, repo, board, options.plausibility ?? DEFAULT_PLAUSIBILITY, () => now().getTime());
  const started = board.ready.then(() => watcher.start());
  if (options.background === true) started.catch((err: unknown) => console.error('bed board: loading failed', err));
  else await started;
  return {
    board,
    holds: board.holdStore,
    crises,
    watcher,
    async close() {
      await started.catch(() => undefined);
      await watcher.close();
      await board.close();
    },
  };
}
