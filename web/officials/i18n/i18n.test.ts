import { describe, expect, it } from 'vitest';
import en from './en.json';
import vi from './vi.json';

describe('translations of the officials’ app', () => {
  const languages = { vi, en } as Record<string, Record<string, string>>;

  it('every language has every key, each with text', () => {
    const keys = Object.keys(vi).sort();
    for (const [language, messages] of Object.entries(languages)) {
      expect(Object.keys(messages).sort(), language).toEqual(keys);
      for (const [key, text] of Object.entries(messages))
        expect(text.trim().length, `${language} ${key}`).toBeGreaterThan(0);
    }
  });

  it('files are kept sorted, so that additions merge cleanly', () => {
    for (const [language, messages] of Object.entries(languages)) {
      const keys = Object.keys(messages);
      expect(keys, language).toEqual([...keys].sort());
    }
  });

  it('placeholders match between languages', () => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(vi)) {
      expect(placeholders((en as Record<string, string>)[key]!), key).toEqual(
        placeholders((vi as Record<string, string>)[key]!),
      );
    }
  });
});
