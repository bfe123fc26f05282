import { render } from 'svelte/server';
import type { PageError, ScorecardPageProps } from '../../server/scorecard/scorecard.routes.ts';
import ScorecardPage from './ScorecardPage.svelte';

/**
 * A unit's public scorecard as HTML, built for the server (`vite build --mode ssr`): the
 * whole page arrives rendered and needs no script to be read.
 */
export function renderScorecard(props: { page: ScorecardPageProps } | { error: PageError }): string {
  return render(ScorecardPage, { props }).body;
}
