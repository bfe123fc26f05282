import type { Generated, Insertable, Selectable } from 'kysely';

export type Channel = 'qr' | 'kiosk' | 'dossier' | 'portal';
export type Language = 'vi' | 'en';

export interface ResponseTable {
  id: Generated<number>;
  idempotency_key: string;
  /** SHA-256 of the canonical request, to tell a retry from a reused key. */
  request_hash: Buffer;
  desk_id: number;
  unit_id: number;
  domain_id: number;
  questionnaire_id: string;
  channel: Channel;
  language: Language;
  dossier_token_id: number | null;
  /** The time the client says the rating was given, as sent. */
  client_time: Date | null;
  /** The time used for periods: the client's time when plausible, else the receipt time. */
  rated_at: Date;
  received_at: Generated<Date>;
}

export interface ResponseAnswerTable {
  response_id: number;
  question_id: number;
  score: number;
}

export interface ResponseReasonTable {
  response_id: number;
  reason_id: number;
}

export type Response = Selectable<ResponseTable>;
export type NewResponse = Insertable<ResponseTable>;
