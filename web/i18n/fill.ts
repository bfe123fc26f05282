/**
 * Fills the `{name}` placeholders of a catalogue text; a value not given leaves its
 * placeholder visible, so that a missing one shows on the page rather than hiding.
 *
 * @example fill('Còn {n} ký tự', { n: 12 }) // 'Còn 12 ký tự'
 */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}
