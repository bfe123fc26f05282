import type { Generated, Selectable } from 'kysely';

export type ElementCode = 'access' | 'procedure' | 'civil_servant' | 'result' | 'feedback';

export interface SipasElementTable {
  code: ElementCode;
  position: number;
  name_vi: string;
  name_en: string;
}

export interface QuestionnaireTable {
  /** `<code>-<version>`, e.g. `quick-1`. */
  id: string;
  code: string;
  version: number;
  title_vi: string;
  title_en: string;
  published_at: Generated<Date>;
  retired_at: Date | null;
}

export interface QuestionTable {
  id: Generated<number>;
  questionnaire_id: string;
  code: string;
  role: 'overall' | 'criterion';
  element_code: ElementCode | null;
  position: number;
  text_vi: string;
  text_en: string;
}

export interface ReasonTable {
  id: Generated<number>;
  questionnaire_id: string;
  code: string;
  element_code: ElementCode;
  position: number;
  text_vi: string;
  text_en: string;
}

export type Questionnaire = Selectable<QuestionnaireTable>;
export type Question = Selectable<QuestionTable>;
export type Reason = Selectable<ReasonTable>;
