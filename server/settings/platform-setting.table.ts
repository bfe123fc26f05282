import type { Generated } from 'kysely';

/** Facts the running platform records for other processes (command-line tasks). */
export interface PlatformSettingTable {
  name: string;
  value: string;
  updated_at: Generated<Date>;
}
