import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

import type { buildConnector } from 'undici';

import { BlockedAddressError, isLocalhostName, refusalOfAddress, refusalOfHost } from './address-guard.js';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  /** 4 or 6. */
  readonly family: number;
}

/**
 * Gives every address a host name resolves to: the system's resolver by default. It is the seam where tests
 * decide what a name resolves to (a name that resolves to a loopback address, DNS rebinding).
 */
export type Resolve = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system's resolver (getaddrinfo, as Node connects by default: /etc/hosts, then DNS). */
export const resolveWithSystem: Resolve = (hostname) => dnsLookup(hostname, { all: true });

const ALLOW_HINT = 'TELEHOOK_ALLOW_PRIVATE_ENDPOINTS=1 allows private destinations';

/**
 * A `lookup` for outgoing connections: resolves with `resolve` and, unless private destinations are allowed,
 * refuses when any address is not public. Node connects to the address this lookup gives, so the address
 * checked is the address connected to: a DNS answer that changed since the endpoint was saved (DNS rebinding)
 * is caught when it is used.
 */
export function createGuardedLookup(resolve: Resolve, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const fail = (error: NodeJS.ErrnoException): void => callback(error, '', 0);
    if (!allowPrivate && isLocalhostName(hostname))
      return fail(
        new BlockedAddressError(`${hostname} is not a public address (a localhost name; ${ALLOW_HINT})`),
      );
    resolve(hostname).then(
      (found) => {
        // The family is read from the address itself: Node connects by it, whatever a resolver says.
        const addresses = found
          .map(({ address }) => ({ address, family: isIP(address) }))
          .filter(
            (entry) => (options.family !== 4 && options.family !== 6) || entry.family === options.family,
          );
        const first = addresses[0];
        if (!first)
          return fail(Object.assign(new Error(`${hostname} resolves to no address`), { code: 'ENOTFOUND' }));
        if (!allowPrivate) {
          for (const { address } of addresses) {
            const why = refusalOfAddress(address);
            // One refused address refuses the name: Node may try each of them (happy eyeballs).
            if (why !== null)
              return fail(
                new BlockedAddressError(
                  `${hostname} resolves to ${address}, not a public address (${why}; ${ALLOW_HINT})`,
                ),
              );
          }
        }
        if (options.all) return callback(null, addresses);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => fail(error),
    );
  };
}

/**
 * undici's connector with the guard: an IP address in the URL is connected to without a lookup, so it is judged
 * here; a name is judged by the guarded lookup, on the addresses it resolves to.
 */
export function createGuardedConnector(options: {
  readonly resolve: Resolve;
  readonly allowPrivate: boolean;
  /** undici's `buildConnector`, passed in by the sender that loaded undici. */
  readonly build: typeof buildConnector;
}): buildConnector.connector {
  const connect = options.build({ lookup: createGuardedLookup(options.resolve, options.allowPrivate) });
  return (target, callback) => {
    const why = options.allowPrivate ? null : refusalOfHost(target.hostname);
    if (why !== null)
      return callback(
        new BlockedAddressError(`${target.hostname} is not a public address (${why}; ${ALLOW_HINT})`),
        null,
      );
    connect(target, callback);
  };
}
