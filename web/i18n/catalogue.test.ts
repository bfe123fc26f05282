import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../server/errors.ts';

// One folder per language, one flat JSON file per audience: a citizen's phone loads only
// `citizen.json` (the home page `home.json`), the officials' app the others, the server
// `shared.json`.
const root = path.dirname(fileURLToPath(import.meta.url));
const languages = fs
  .readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const filesOf = (language: string) =>
  fs
    .readdirSync(path.join(root, language))
    .filter((file) => file.endsWith('.json'))
    .sort();
const read = (language: string, file: string) =>
  JSON.parse(fs.readFileSync(path.join(root, language, file), 'utf8')) as Record<string, unknown>;
const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();

describe('the text catalogue', () => {
  it('has Vietnamese and English, with the same files', () => {
    expect(languages).toEqual(['en', 'vi']);
    expect(filesOf('en')).toEqual(filesOf('vi'));
    expect(filesOf('vi')).toEqual(['citizen.json', 'errors.json', 'home.json', 'officials.json', 'shared.json']);
  });

  for (const file of filesOf('vi')) {
    it(`${file}: every language has exactly the same keys, each with text and the same placeholders`, () => {
      const reference = read('vi', file);
      for (const language of languages) {
        const messages = read(language, file);
        expect(Object.keys(messages).sort(), language).toEqual(Object.keys(reference).sort());
        for (const [key, text] of Object.entries(messages)) {
          expect(typeof text === 'string' && text.trim().length > 0, `${language} ${key}`).toBe(true);
          expect(placeholders(text as string), `${language} ${key}`).toEqual(placeholders(reference[key] as string));
        }
      }
    });

    it(`${file}: keys are kept sorted, so that additions merge cleanly`, () => {
      for (const language of languages) {
        const keys = Object.keys(read(language, file));
        expect(keys, language).toEqual([...keys].sort());
      }
    });
  }

  it('no key is in two files of the officials’ app, which reads them as one', () => {
    const seen = new Map<string, string>();
    for (const file of ['errors.json', 'officials.json', 'shared.json']) {
      for (const key of Object.keys(read('vi', file))) {
        expect(seen.get(key), key).toBeUndefined();
        seen.set(key, file);
      }
    }
  });

  it('every error code of the API has a message for people in every language', () => {
    for (const language of languages) {
      const messages = read(language, 'errors.json');
      const missing = Object.keys(ERRORS).filter((code) => typeof messages[`error.${code}`] !== 'string');
      expect(missing, language).toEqual([]);
    }
  });
});
