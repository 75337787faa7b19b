import { z } from 'zod';
import type { SourceStatus } from '../chat/command';
import type { MetaRepository } from '../store/types';

/**
 * The paper source's health, kept in store meta so every process (and a restart) can say how old
 * the data is: `papers start` shows it in answers, `papers post-daily` marks stale digests.
 */
export const SOURCE_STATUS_KEY = 'source:status';

const Persisted = z.object({
  lastSuccessAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  note: z.string().nullable(),
});

export const EMPTY_STATUS: SourceStatus = { lastSuccessAt: null, lastError: null, note: null };

export async function loadSourceStatus(meta: MetaRepository): Promise<SourceStatus> {
  const raw = await meta.get(SOURCE_STATUS_KEY);
  if (!raw) return { ...EMPTY_STATUS };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ...EMPTY_STATUS };
  }
  const parsed = Persisted.safeParse(json);
  if (!parsed.success) return { ...EMPTY_STATUS };
  const { lastSuccessAt, lastError, note } = parsed.data;
  return { lastSuccessAt: lastSuccessAt ? new Date(lastSuccessAt) : null, lastError, note };
}

export async function saveSourceStatus(meta: MetaRepository, status: SourceStatus): Promise<void> {
  await meta.set(
    SOURCE_STATUS_KEY,
    JSON.stringify({ lastSuccessAt: status.lastSuccessAt?.toISOString() ?? null, lastError: status.lastError, note: status.note }),
  );
}
