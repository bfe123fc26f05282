import type { DeskWithContext } from '../desks/desk.repository.ts';
import type { QuestionnaireDefinition } from '../questionnaires/questionnaire.repository.ts';
import { COMMENT_MAX_LENGTH, LOW_RATING_MAX, SCALE } from '../questionnaires/scale.ts';
import type { Survey } from './survey.schema.ts';

/** What a survey page or kiosk needs to show a desk's questionnaire, in both languages. */
export function buildSurvey(
  context: DeskWithContext,
  definition: QuestionnaireDefinition,
  dossier: { expiresAt: Date; domainId: number } | null,
  contact: { hotline: string | null; complaintUrl: string | null },
): Survey {
  const domains = dossier ? context.domains.filter((domain) => domain.id === dossier.domainId) : context.domains;
  return {
    desk: { code: context.desk.code, name: context.desk.name, kioskIdleSeconds: context.desk.kiosk_idle_seconds },
    unit: { name: context.unit.name, parentName: context.unit.parentName, ...contact },
    domains: domains.map((domain) => ({ code: domain.code, name: { vi: domain.name_vi, en: domain.name_en } })),
    dossier: dossier ? { expiresAt: dossier.expiresAt.toISOString() } : null,
    questionnaire: {
      id: definition.questionnaire.id,
      code: definition.questionnaire.code,
      version: definition.questionnaire.version,
      title: { vi: definition.questionnaire.title_vi, en: definition.questionnaire.title_en },
      scale: SCALE.map(({ score, vi, en }) => ({ score, label: { vi, en } })),
      elements: definition.elements.map((element) => ({
        code: element.code,
        name: { vi: element.name_vi, en: element.name_en },
      })),
      questions: definition.questions.map((question) => ({
        code: question.code,
        role: question.role,
        element: question.element_code,
        text: { vi: question.text_vi, en: question.text_en },
      })),
      reasons: definition.reasons.map((reason) => ({
        code: reason.code,
        element: reason.element_code,
        text: { vi: reason.text_vi, en: reason.text_en },
      })),
      reasonsAtOrBelow: LOW_RATING_MAX,
      commentMaxLength: COMMENT_MAX_LENGTH,
    },
    languages: ['vi', 'en'],
  };
}
