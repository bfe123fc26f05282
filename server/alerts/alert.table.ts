import type { Generated, Selectable } from 'kysely';

export type AlertRule = 'below_target' | 'unhappy_spike' | 'serious_comment' | 'silent_kiosk' | 'overdue_follow_up';

/** A unit's alert rules; a unit without a row uses the column defaults (`DEFAULT_ALERT_SETTING`). */
export interface AlertSettingTable {
  unit_id: number;
  below_target: boolean;
  below_target_min_ratings: number;
  unhappy_spike: boolean;
  spike_window_hours: number;
  spike_min_ratings: number;
  serious_comment: boolean;
  silent_kiosk: boolean;
  overdue_follow_up: boolean;
  silent_minutes: number;
  queue_limit: number;
  /** `HH:MM[:SS]`, Vietnam time. */
  opens_at: string;
  closes_at: string;
  open_saturday: boolean;
  updated_at: Generated<Date>;
  updated_by: number | null;
}

export type AlertSetting = Omit<Selectable<AlertSettingTable>, 'updated_at' | 'updated_by'>;

export interface AlertTable {
  id: Generated<number>;
  rule: AlertRule;
  /** What the alert is about (`below_target:desk:12`): at most one open alert per key. */
  condition_key: string;
  unit_id: number;
  domain_id: number | null;
  desk_id: number | null;
  device_id: number | null;
  response_id: number | null;
  explanation_vi: string;
  explanation_en: string;
  /** Path in the officials' app showing the slice the alert is about. */
  link: string;
  evidence: Generated<Record<string, unknown>>;
  fired_at: Date;
  cleared_at: Date | null;
}

export type Alert = Selectable<AlertTable>;

export interface AlertReadTable {
  official_id: number;
  alert_id: number;
  read_at: Generated<Date>;
}

export type EmailFrequency = 'immediate' | 'daily' | 'weekly' | 'off';

export interface AlertEmailPreferenceTable {
  official_id: number;
  email: string;
  frequency: EmailFrequency;
  updated_at: Generated<Date>;
}

export interface AlertWebhookTable {
  id: Generated<number>;
  unit_id: number;
  url: string;
  secret: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  created_by: number | null;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface AlertDeliveryTable {
  id: Generated<number>;
  alert_id: number;
  event: 'fired' | 'cleared';
  channel: 'email' | 'webhook';
  official_id: number | null;
  webhook_id: number | null;
  due_at: Date;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Generated<Date>;
}

export interface AlertCursorTable {
  name: string;
  last_id: number;
}
