import { TelecmiApiError } from './api-error.js';
import type { RestList } from './endpoints.js';

/** One row as received: its exact text (what is stored) and its parsed value. */
export interface RestRow {
  readonly raw: string;
  readonly row: Readonly<Record<string, unknown>>;
}

/** Where a list is read from: the page to ask for, and the rows seen before it (to know when `count` is reached). */
export interface PageCursor {
  /** TeleCMI's pages start at 1 (3P). */
  readonly page: number;
  readonly rowsSeen: number;
}

/** One page of a list, as {@link readPages} yields it. */
export interface RestPage {
  readonly list: RestList;
  readonly page: number;
  readonly rows: readonly RestRow[];
  /** `count` (CHUB) or `total` (CHUB India): rows in the whole window as TeleCMI counts them; null when absent. */
  readonly count: number | null;
  /** Rows seen up to and including this page. */
  readonly rowsSeen: number;
  /** Where to resume after this page (store it with the page's rows); null when this page was the last. */
  readonly next: PageCursor | null;
}

/** What one page request gave. */
export interface PageAnswer {
  readonly rows: readonly RestRow[];
  readonly count: number | null;
}

/** The first page of a list. */
const FIRST_PAGE: PageCursor = { page: 1, rowsSeen: 0 };

/**
 * Reads a list page after page from `cursor`, as two third-party clients found TeleCMI pages (3P): pages start at
 * 1 and may hold 10 rows whatever `limit` asks, so a short page proves nothing; the list ends with an empty page,
 * or once the rows seen reach `count`. A page that repeats the previous one (an API that ignores `page`) and more
 * than `maxPages` pages are bad answers, not endless loops. Empty pages are not yielded.
 */
export async function* readPages(
  list: RestList,
  fetchPage: (page: number) => Promise<PageAnswer>,
  options: { cursor?: PageCursor | undefined; maxPages: number; request: string },
): AsyncGenerator<RestPage, void, undefined> {
  let { page, rowsSeen } = options.cursor ?? FIRST_PAGE;
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(rowsSeen) || rowsSeen < 0)
    throw new TypeError(`A page cursor is {page ≥ 1, rowsSeen ≥ 0}, not ${JSON.stringify(options.cursor)}.`);
  let previous: string | null = null;
  for (let read = 0; ; read += 1) {
    if (read >= options.maxPages)
      throw new TelecmiApiError(
        'TELECMI_BAD_ANSWER',
        `TeleCMI's ${options.request} went on past ${options.maxPages} pages without an empty page or reaching its count.`,
        { request: options.request },
      );
    const answer = await fetchPage(page);
    if (answer.rows.length === 0) return;
    const signature = answer.rows.map((row) => row.raw).join('\n');
    if (signature === previous)
      throw new TelecmiApiError(
        'TELECMI_BAD_ANSWER',
        `TeleCMI's ${options.request} answered page ${page} with the rows of page ${page - 1}: it does not page.`,
        { request: options.request },
      );
    previous = signature;
    rowsSeen += answer.rows.length;
    const isLast = answer.count !== null && rowsSeen >= answer.count;
    yield {
      list,
      page,
      rows: answer.rows,
      count: answer.count,
      rowsSeen,
      next: isLast ? null : { page: page + 1, rowsSeen },
    };
    if (isLast) return;
    page += 1;
  }
}
