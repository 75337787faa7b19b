import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { sealedInstallations, type SecretBox } from '../../src/store/secret-box';
import type { Store } from '../../src/store/types';

/**
 * Slack OAuth installations (one per workspace, or per org for an org-wide install) kept in our own
 * store (store.installations), so every replica sees the same tokens and no extra database is needed.
 * Each is stored encrypted with PAPERS_SECRET_KEY (src/store/secret-box.ts).
 */
export function installationKey(q: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }): string {
  if (q.isEnterpriseInstall && q.enterpriseId) return `enterprise:${q.enterpriseId}`;
  if (!q.teamId) throw new Error('a Slack installation needs a team id or an org-wide enterprise id');
  return `team:${q.teamId}`;
}

/** Why a workspace's subscriptions are paused: its installation is gone. Installing again resumes them. */
export const UNINSTALLED = 'the app was uninstalled from this Slack workspace';

export function storeInstallations(store: Pick<Store, 'installations' | 'subscriptions'>, box: SecretBox | null): InstallationStore {
  const installations = sealedInstallations(store.installations, box);
  const keyOf = (i: Installation | InstallationQuery<boolean>) =>
    'team' in i ? installationKey({ teamId: i.team?.id, enterpriseId: i.enterprise?.id, isEnterpriseInstall: i.isEnterpriseInstall }) : installationKey(i);
  return {
    async storeInstallation(installation) {
      await installations.put('slack', keyOf(installation), JSON.stringify(installation));
      if (installation.team?.id) await store.subscriptions.resumeWorkspace('slack', installation.team.id, UNINSTALLED);
    },
    async fetchInstallation(query) {
      const stored = await installations.get('slack', keyOf(query));
      if (stored === null) throw new Error(`no Slack installation for ${query.enterpriseId ?? ''}${query.teamId ?? ''}`);
      return JSON.parse(stored) as Installation;
    },
    async deleteInstallation(query) {
      await installations.delete('slack', keyOf(query));
    },
  };
}

/** The bot token installed for a workspace, or null when the app is not installed there. */
export async function installedBotToken(store: Pick<Store, 'installations'>, box: SecretBox | null, teamId: string): Promise<string | null> {
  const stored = await sealedInstallations(store.installations, box).get('slack', installationKey({ teamId }));
  return stored === null ? null : ((JSON.parse(stored) as Installation).bot?.token ?? null);
}

/**
 * The app was uninstalled from a workspace, or its bot token revoked: the token is dropped (every
 * later call with it would fail) and the workspace's daily posts paused until it is installed again.
 */
export async function forgetWorkspace(store: Pick<Store, 'installations' | 'subscriptions'>, q: { teamId: string }) {
  const removed = await store.installations.delete('slack', installationKey({ teamId: q.teamId }));
  const paused = await store.subscriptions.pauseWorkspace('slack', q.teamId, UNINSTALLED);
  return { removed, paused };
}
