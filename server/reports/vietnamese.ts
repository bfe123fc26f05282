/**
 * Numbers as Vietnamese documents write them: a comma before the decimals, a dot between
 * thousands ("1.210 phiếu", "78,2%"). Written out here rather than left to the platform's
 * locale data, so that a document reads the same on every server.
 */

/** @example formatNumber(1210) // '1.210'; formatNumber(78.24, 1) // '78,2'; formatNumber(-4.06, 1) // '−4,1' */
export function formatNumber(value: number, decimals = 0): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole, fraction] = fixed.split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const negative = value < 0 && Number(fixed) !== 0;
  return `${negative ? '−' : ''}${grouped}${fraction ? `,${fraction}` : ''}`;
}

/** A share in percent, one decimal: `78,2%`. */
export function formatPercent(value: number): string {
  return `${formatNumber(value, 1)}%`;
}

/** A threshold as the plan writes it: `90%`, `92,5%`. */
export function formatThreshold(value: number): string {
  return `${formatNumber(value, Number.isInteger(value) ? 0 : Math.round(value * 10) === value * 10 ? 1 : 2)}%`;
}

/** A change in points with its sign: `+2,1`, `−4,1`, `0,0`. */
export function formatSignedPoints(value: number): string {
  const text = formatNumber(value, 1);
  return text.startsWith('−') || text === '0,0' ? text : `+${text}`;
}

/** `15/01/2026` from `2026-01-15`. */
export function formatDay(day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}
