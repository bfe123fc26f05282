import { describe, expect, it } from 'vitest';
import { isPrivateHost, webhookSchema } from './alert.routes.ts';

describe('webhook addresses', () => {
  it.each([
    'http://localhost:8080/',
    'http://127.0.0.1/',
    'http://10.1.2.3/hook',
    'http://172.20.0.5/',
    'http://192.168.1.10/',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/',
    'http://[fd00::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://db.internal/',
  ])('refuses %s, on the server or its private network', (url) => {
    expect(isPrivateHost(url)).toBe(true);
    expect(webhookSchema.safeParse({ url }).success).toBe(false);
  });

  it.each(['https://chat.example.vn/hooks/sipas', 'https://203.0.113.7/hook', 'http://172.32.0.1/'])(
    'takes %s',
    (url) => {
      expect(webhookSchema.safeParse({ url }).success).toBe(true);
    },
  );
});
