/**
 * The lower end of a chart's percentage axis: 50%, or lower when a figure or target is.
 * Satisfaction shares mostly lie between 70 and 100%; a 0–100 axis would hide the
 * differences that matter against a 90% target. The axis is always labelled.
 */
export function axisFloor(values: number[]): number {
  const lowest = Math.min(50, ...values);
  return Math.max(0, Math.floor(lowest / 10) * 10);
}
