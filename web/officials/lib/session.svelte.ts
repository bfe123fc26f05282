import type { OfficialView } from '../../../server/officials/official.view.ts';
import { api, unwrap, whenSignedOut } from './api.ts';

/** Who is signed in: undefined while asking the server, null when nobody. */
class Session {
  official = $state<OfficialView | null | undefined>(undefined);

  constructor() {
    whenSignedOut(() => (this.official = null));
  }

  async load(): Promise<void> {
    try {
      this.official = await unwrap(api.session.$get());
    } catch {
      this.official = null;
    }
  }

  async signIn(username: string, password: string): Promise<void> {
    this.official = await unwrap(api.session.$post({ json: { username, password } }));
  }

  async signOut(): Promise<void> {
    await unwrap(api.session.$delete()).catch(() => {});
    this.official = null;
  }

  get canManage(): boolean {
    return this.official?.role === 'admin' || this.official?.role === 'manager';
  }

  get isAdmin(): boolean {
    return this.official?.role === 'admin';
  }
}

export const session = new Session();
