import type { PiopiyLookup, RestCallList, RestProduct } from '../telecmi/index.js';

/** A list the REST API pages through: the four call history lists and the voicemail list. */
export type RestList = RestCallList | 'voicemail';

/** Where one product's REST API is, and how it is asked (docs/telecmi-rest.md, telecmi-payloads.md §8). */
export interface ProductApi {
  /** The documented origin; `TELEHOOK_TELECMI_API_URL` replaces it, the paths stay. */
  readonly origin: string;
  /** The body field that carries the secret: CHUB India calls it `token` ("Your app secret"). */
  readonly secretField: 'secret' | 'token';
  /** The history lists, by CHUB's names; empty for PIOPIY, which has none. */
  readonly lists: Readonly<Partial<Record<RestList, string>>>;
  /** The play (download) API; null where none is documented. */
  readonly play: string | null;
  /** PIOPIY's CDR look-ups. */
  readonly lookups: Readonly<Partial<Record<PiopiyLookup, string>>>;
  /** The key of a list answer's total: CHUB says `count`, CHUB India `total` (either is read). */
  readonly countField: 'count' | 'total';
}

/** Every product's REST API, exactly as documented (DOC), the CHUB India play path from third parties (3P). */
export const PRODUCT_APIS: Readonly<Record<RestProduct, ProductApi>> = {
  chub: {
    origin: 'https://rest.telecmi.com',
    secretField: 'secret',
    lists: {
      answered: '/v2/answered',
      missed: '/v2/missed',
      out_answered: '/v2/out_answered',
      out_missed: '/v2/out_missed',
      voicemail: '/v2/voicemail',
    },
    play: '/v2/play',
    lookups: {},
    countField: 'count',
  },
  'chub-india': {
    origin: 'https://piopiy.telecmi.com',
    secretField: 'token',
    lists: {
      answered: '/v1/answered',
      missed: '/v1/missed',
      out_answered: '/v1/outanswered',
      out_missed: '/v1/outmissed',
      voicemail: '/v1/voicemail',
    },
    play: '/v1/play',
    lookups: {},
    countField: 'total',
  },
  piopiy: {
    origin: 'https://piopiy.telecmi.com',
    secretField: 'secret',
    lists: {},
    play: null,
    lookups: { cmiuuid_cdr: '/v1/piopiy/cmiuuid_cdr', requestid_cdr: '/v1/piopiy/requestid_cdr' },
    countField: 'count',
  },
};

/** The key of the rows in a list answer. */
export const rowsKeyOf = (list: RestList): 'cdr' | 'voicemail' =>
  list === 'voicemail' ? 'voicemail' : 'cdr';

/** Where requests go: the origin, and a path prefix the configured URL may have (usually empty). */
export interface ApiBase {
  readonly origin: string;
  readonly prefix: string;
}

/**
 * The base every path is appended to: the configured API URL, or the product's documented origin. A path prefix
 * in the configured URL is kept (`http://proxy/telecmi` → `http://proxy/telecmi/v2/answered`).
 */
export function apiBase(product: RestProduct, apiUrl?: string): ApiBase {
  const url = new URL(apiUrl ?? PRODUCT_APIS[product].origin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`The TeleCMI API URL must be http(s), not ${url.protocol}`);
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
}
