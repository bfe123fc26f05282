import { vietnamDate } from '../time/vietnam-time.ts';

/** What decides whether a desk takes ratings. */
export interface DeskOpening {
  active: boolean;
  /** When the desk stopped taking ratings, if it did. */
  inactiveSince: Date | null;
  /** The first day its unit is closed (merged away or dissolved), if it is. */
  unitValidUntil: string | null;
}

/**
 * Whether the desk took ratings at an instant: it had not been stopped by then, and its
 * unit had not closed (a unit's last day is the day before `valid_until`, in Vietnam
 * time). A rating is judged at the time it was made, so one made on an offline kiosk
 * while the desk was open still counts when it arrives after the desk closed.
 */
export function deskOpenAt(desk: DeskOpening, at: Date): boolean {
  const stopped = !desk.active && (desk.inactiveSince === null || desk.inactiveSince <= at);
  const unitClosed = desk.unitValidUntil !== null && desk.unitValidUntil <= vietnamDate(at);
  return !stopped && !unitClosed;
}
