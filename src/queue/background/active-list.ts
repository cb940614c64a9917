import { GATEWAY_PAGE_CAP, type GenerationRow, type OxenPort } from '../../core/ports/oxen.js';

/** Rows asked for per page of Oxen's active list. */
export const ACTIVE_PAGE_SIZE = 1000;
/** Pages read at most: past them the list is not trusted as complete. */
const MAX_ACTIVE_PAGES = 100;

/** What {@link listActive} read. */
export interface ActiveList {
  rows: GenerationRow[];
  /** Calls it took. */
  pages: number;
  /** False when the page cap stopped it with some of `ours` still unaccounted for. */
  complete: boolean;
}

/**
 * Oxen's active generations, as far as the reconciler needs them: one call, and a further page only
 * while the last one came back full with new ids and some of `ours` (the generations this deployment
 * waits for) are not in it yet. The list's paging is undocumented (docs/oxen-api.md#list-and-history):
 * a server that answers every row at once has them all on page 1, so it costs one call whatever the
 * number in flight; one that pages at 1,000 costs a call per 1,000 of ours. A gateway that caps pages
 * at {@link GATEWAY_PAGE_CAP} makes a page that full count as full too. `ours` null reads every page
 * (the lost-generation search needs them all).
 */
export async function listActive(oxen: OxenPort, model: string, ours: ReadonlySet<string> | null): Promise<ActiveList> {
  const rows = new Map<string, GenerationRow>();
  let missing = ours ? ours.size : Number.POSITIVE_INFINITY;
  for (let page = 1; page <= MAX_ACTIVE_PAGES; page += 1) {
    const found = await oxen.list({ model, page, pageSize: ACTIVE_PAGE_SIZE });
    const before = rows.size;
    for (const row of found) {
      if (rows.has(row.generationId)) continue;
      rows.set(row.generationId, row);
      if (ours?.has(row.generationId)) missing -= 1;
    }
    const full = found.length >= Math.min(ACTIVE_PAGE_SIZE, GATEWAY_PAGE_CAP);
    const lastPage = !full || rows.size === before;
    if (lastPage || missing === 0) return { rows: [...rows.values()], pages: page, complete: true };
  }
  return { rows: [...rows.values()], pages: MAX_ACTIVE_PAGES, complete: false };
}
