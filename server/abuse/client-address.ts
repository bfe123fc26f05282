import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import net from 'node:net';

/**
 * The address that abuse control keys on. Behind a trusted reverse proxy the nearest
 * address it appended to X-Forwarded-For; IPv6 is cut to its /64, which one subscriber
 * usually holds whole.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  let address: string | undefined;
  if (trustProxy) {
    address = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
  }
  if (!address || net.isIP(address) === 0) {
    try {
      address = getConnInfo(c).remote.address;
    } catch {
      address = undefined;
    }
  }
  return address ? networkOf(address) : 'unknown';
}

export function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (net.isIPv6(address)) return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
  return address;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailGroups].map((group) =>
    group.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}
