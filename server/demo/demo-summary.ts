import type { DemoSummary } from './seed-demo.ts';

export function printDemoSummary(summary: DemoSummary, baseUrl: string): void {
  console.log(`Demo data: ${summary.province}, ${summary.units} units, ${summary.desks.length} desks, ${summary.ratings} ratings.`);
  console.log('Demo desks (survey data as the rating API serves it):');
  for (const desk of summary.desks) {
    console.log(`  ${baseUrl}/api/v1/public/desks/${desk.code}  ${desk.unit} — ${desk.name}`);
  }
}
