import { describe, expect, it } from 'vitest';
import { deskOpenAt } from './desk-open.ts';

const open = { active: true, inactiveSince: null, unitValidUntil: null };

describe('deskOpenAt', () => {
  it('an active desk of an open unit takes ratings', () => {
    expect(deskOpenAt(open, new Date('2026-05-01T02:00:00Z'))).toBe(true);
  });

  it('a desk stopped at noon took the ratings made before noon, not after', () => {
    const stopped = { ...open, active: false, inactiveSince: new Date('2026-05-01T05:00:00Z') };
    expect(deskOpenAt(stopped, new Date('2026-05-01T04:59:59Z'))).toBe(true);
    expect(deskOpenAt(stopped, new Date('2026-05-01T05:00:00Z'))).toBe(false);
  });

  it('a unit closed from 1 July (Vietnam time) took ratings until 30 June 23:59 Vietnam time', () => {
    const merged = { ...open, unitValidUntil: '2026-07-01' };
    expect(deskOpenAt(merged, new Date('2026-06-30T16:59:59Z'))).toBe(true);
    expect(deskOpenAt(merged, new Date('2026-06-30T17:00:00Z'))).toBe(false);
  });
});
