import { render } from 'svelte/server';
import type { EmbeddedSurvey } from '../lib/public-api.ts';
import SurveyApp from './SurveyApp.svelte';

export interface SurveyPageProps {
  source: { deskCode: string } | { dossierToken: string };
  embedded: EmbeddedSurvey;
}

/**
 * The survey's first screen as HTML, built for the server (`vite build --mode ssr`): the
 * faces arrive with the page and can be tapped before its script has loaded; the script
 * then takes the page over where it is (see main.ts).
 */
export function renderSurvey(props: SurveyPageProps): string {
  return render(SurveyApp, { props }).body;
}
