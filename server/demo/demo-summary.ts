import type { DemoSummary } from './seed-demo.ts';

export function printDemoSummary(summary: DemoSummary, baseUrl: string): void {
  console.log(
    `Demo data: ${summary.province}, ${summary.units} units, ${summary.desks.length} desks, ${summary.ratings} ratings.`,
  );
  console.log('Survey pages of the demo desks (the address inside each desk QR code):');
  for (const desk of summary.desks) console.log(`  ${baseUrl}/s/${desk.code}  ${desk.unit} — ${desk.name}`);
  console.log('Pair a tablet as a kiosk for a desk with: npm run kiosk:pair -- <desk code>');
}

export function printDemoAccounts(
  accounts: { username: string; password: string; role: string; displayName: string }[],
  baseUrl: string,
): void {
  if (accounts.length === 0) return;
  console.log(`Officials' app: ${baseUrl}/officials/ — demo accounts (change their passwords before real use):`);
  for (const account of accounts) {
    console.log(
      `  ${account.username.padEnd(18)} ${account.password.padEnd(18)} ${account.role.padEnd(8)} ${account.displayName}`,
    );
  }
}
