import type { Official } from './official.table.ts';

/** What the officials' app may know of an official: never the password hash. */
export function officialView(official: Official, unitName: string) {
  return {
    id: official.id,
    username: official.username,
    displayName: official.display_name,
    role: official.role,
    unit: { id: official.unit_id, name: unitName },
    active: official.active,
  };
}

export type OfficialView = ReturnType<typeof officialView>;
