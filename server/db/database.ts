import type { Kysely, Transaction } from 'kysely';
import type { AbuseSecretTable, RateLimitCounterTable } from '../abuse/abuse.table.ts';
import type {
  AlertCursorTable,
  AlertDeliveryTable,
  AlertEmailPreferenceTable,
  AlertReadTable,
  AlertSettingTable,
  AlertTable,
  AlertWebhookTable,
} from '../alerts/alert.table.ts';
import type { CommentTable, FollowUpTable } from '../comments/comment.table.ts';
import type { DeskDomainTable, DeskTable } from '../desks/desk.table.ts';
import type { DomainTable } from '../domains/domain.table.ts';
import type { DossierTokenTable } from '../dossiers/dossier.table.ts';
import type { KioskDeviceTable, KioskRefusalTable } from '../kiosks/kiosk-device.table.ts';
import type { OfficialSessionTable, OfficialTable } from '../officials/official.table.ts';
import type {
  QuestionTable,
  QuestionnaireTable,
  ReasonTable,
  SipasElementTable,
} from '../questionnaires/questionnaire.table.ts';
import type { ResponseAnswerTable, ResponseReasonTable, ResponseTable } from '../responses/response.table.ts';
import type {
  RollupBallotMonthTable,
  RollupDeskMonthTable,
  RollupPendingTable,
  RollupReasonMonthTable,
  RollupOverallDayTable,
  RollupOverallHourTable,
  RollupUnitMonthTable,
} from '../rollups/rollup.table.ts';
import type { DossierVolumeTable, ReportExportTable } from '../reports/report.table.ts';
import type { PlatformSettingTable } from '../settings/platform-setting.table.ts';
import type { ScorecardFigureTable, ScorecardReleaseTable } from '../scorecard/scorecard.table.ts';
import type { TargetTable } from '../targets/target.table.ts';
import type { UnitClosureTable, UnitTable } from '../units/unit.table.ts';

export interface Database {
  abuse_secret: AbuseSecretTable;
  alert: AlertTable;
  alert_cursor: AlertCursorTable;
  alert_delivery: AlertDeliveryTable;
  alert_email_preference: AlertEmailPreferenceTable;
  alert_read: AlertReadTable;
  alert_setting: AlertSettingTable;
  alert_webhook: AlertWebhookTable;
  comment: CommentTable;
  desk: DeskTable;
  desk_domain: DeskDomainTable;
  domain: DomainTable;
  dossier_volume: DossierVolumeTable;
  follow_up: FollowUpTable;
  dossier_token: DossierTokenTable;
  kiosk_device: KioskDeviceTable;
  kiosk_refusal: KioskRefusalTable;
  official: OfficialTable;
  official_session: OfficialSessionTable;
  platform_setting: PlatformSettingTable;
  question: QuestionTable;
  questionnaire: QuestionnaireTable;
  rate_limit_counter: RateLimitCounterTable;
  reason: ReasonTable;
  report_export: ReportExportTable;
  response: ResponseTable;
  response_answer: ResponseAnswerTable;
  response_reason: ResponseReasonTable;
  rollup_ballot_month: RollupBallotMonthTable;
  rollup_desk_month: RollupDeskMonthTable;
  rollup_overall_day: RollupOverallDayTable;
  rollup_overall_hour: RollupOverallHourTable;
  rollup_pending: RollupPendingTable;
  rollup_reason_month: RollupReasonMonthTable;
  rollup_unit_month: RollupUnitMonthTable;
  scorecard_figure: ScorecardFigureTable;
  scorecard_release: ScorecardReleaseTable;
  sipas_element: SipasElementTable;
  target: TargetTable;
  unit: UnitTable;
  unit_closure: UnitClosureTable;
}

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
