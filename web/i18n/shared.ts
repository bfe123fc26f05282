import en from './en/shared.json' with { type: 'json' };
import vi from './vi/shared.json' with { type: 'json' };

/**
 * The words both the web app and server-made documents (reports, exports) use: channels,
 * metrics, target statuses, periods, the scale. The server takes them from here, so that
 * a report names a thing exactly as the screen does.
 */
export type SharedKey = keyof typeof vi;

const catalogues: { vi: Record<SharedKey, string>; en: Record<SharedKey, string> } = { vi, en };

/** A shared word in both languages, as reports carry names. */
export function inBothLanguages(key: SharedKey): { vi: string; en: string } {
  return { vi: catalogues.vi[key], en: catalogues.en[key] };
}
