import { mount } from 'svelte';
import '../lib/base.css';
import type { EmbeddedSurvey } from '../lib/public-api.ts';
import SurveyApp from './SurveyApp.svelte';

// /s/<desk code> for a desk's QR code, /r/<receipt code> for a dossier receipt.
const [, kind = '', code = ''] = location.pathname.split('/');
const source = kind === 'r' ? { dossierToken: decodeURIComponent(code) } : { deskCode: decodeURIComponent(code) };

// The server embeds the survey in the page, saving a round trip on a slow connection.
const embedded = JSON.parse(document.getElementById('survey-data')?.textContent || 'null') as EmbeddedSurvey | null;

mount(SurveyApp, { target: document.getElementById('app')!, props: { source, embedded } });
