import { flushSync, hydrate, mount } from 'svelte';
import '../lib/base.css';
import type { EmbeddedSurvey } from '../lib/public-api.ts';
import SurveyApp from './SurveyApp.svelte';

// /s/<desk code> for a desk's QR code, /r/<receipt code> for a dossier receipt.
const [, kind = '', code = ''] = location.pathname.split('/');
const source = kind === 'r' ? { dossierToken: decodeURIComponent(code) } : { deskCode: decodeURIComponent(code) };

// The server embeds the survey in the page, saving a round trip on a slow connection.
const embedded = JSON.parse(document.getElementById('survey-data')?.textContent || 'null') as EmbeddedSurvey | null;
const target = document.getElementById('app')!;

if (target.firstElementChild) {
  // The server rendered the form: the citizen may have chosen answers before this script
  // arrived. Taking the page over resets its controls, so the choices are made again.
  const chosen = [
    ...target.querySelectorAll<HTMLInputElement>('input[type=radio]:checked, input[type=checkbox]:checked'),
  ].map((input) => ({ name: input.name, value: input.value }));
  hydrate(SurveyApp, { target, props: { source, embedded } });
  flushSync();
  for (const { name, value } of chosen) {
    const input = target.querySelector<HTMLInputElement>(
      `input[name="${CSS.escape(name)}"][value="${CSS.escape(value)}"]`,
    );
    if (input && !input.checked) input.click();
  }
} else {
  mount(SurveyApp, { target, props: { source, embedded } });
}
