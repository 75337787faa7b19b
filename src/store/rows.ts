import type { Selectable } from 'kysely';
import type { Paper, PaperSource } from '../model/paper';
import type { Platform } from '../chat/command';
import type { Cadence, WeekDay } from '../model/cadence';
import type { Delivery, DeliveryState, RankMode, Subscription, ThreadRecord } from './types';
import type { DeliveriesTable, PaperColumns, SubscriptionsTable, ThreadsTable } from './tables';

/** Conversions between the domain types and the rows of tables.ts. */

const list = (json: string): string[] => JSON.parse(json) as string[];

/**
 * PostgreSQL text cannot hold NUL, and a listing is untrusted: drop NULs on both dialects alike
 * rather than fail the whole batch on one paper.
 */
function text<T extends string | null>(s: T): T {
  return (s === null ? s : s.replaceAll('\u0000', '')) as T;
}

/**
 * The columns a Paper is read from: selects name them rather than take every column, so the
 * engines' columns (a tsvector on PostgreSQL, a few kB per paper) never travel with a paper.
 */
export const paperColumns = [
  'id',
  'arxiv_id',
  'title',
  'summary',
  'ai_summary',
  'authors',
  'author_count',
  'organization',
  'published_at',
  'listed_on',
  'upvotes',
  'url',
  'pdf_url',
  'github_url',
  'keywords',
  'thumbnail_url',
  'source',
  'categories',
  'first_seen_at',
  'updated_at',
] as const satisfies readonly (keyof PaperColumns)[];

export function paperToRow(p: Paper, seenAt: Date): PaperColumns {
  const at = seenAt.toISOString();
  return {
    id: text(p.id),
    arxiv_id: text(p.arxivId),
    title: text(p.title),
    summary: text(p.summary),
    ai_summary: text(p.aiSummary),
    authors: JSON.stringify(p.authors.map(text)),
    author_count: p.authorCount,
    organization: text(p.organization),
    published_at: p.publishedAt,
    listed_on: p.listedOn,
    upvotes: p.upvotes,
    url: text(p.url),
    pdf_url: text(p.pdfUrl),
    github_url: text(p.githubUrl),
    keywords: JSON.stringify(p.keywords.map(text)),
    thumbnail_url: text(p.thumbnailUrl),
    source: p.source,
    categories: p.categories ? JSON.stringify(p.categories.map(text)) : null,
    first_seen_at: at,
    updated_at: at,
  };
}

export function paperFromRow(r: Selectable<PaperColumns>): Paper {
  return {
    id: r.id,
    arxivId: r.arxiv_id,
    title: r.title,
    summary: r.summary,
    aiSummary: r.ai_summary,
    authors: list(r.authors),
    authorCount: r.author_count,
    organization: r.organization,
    publishedAt: r.published_at,
    listedOn: r.listed_on,
    upvotes: r.upvotes,
    url: r.url,
    pdfUrl: r.pdf_url,
    githubUrl: r.github_url,
    keywords: list(r.keywords),
    thumbnailUrl: r.thumbnail_url,
    source: r.source as PaperSource,
    ...(r.categories === null ? {} : { categories: list(r.categories) }),
  };
}

/**
 * The paper as the store keeps it after seeing it again: the new listing's values, except where it
 * knows less than what is stored (a missing field, an empty list). arXiv listings carry no upvotes,
 * so they never reset the Hugging Face count.
 */
export function mergeSeenPaper(stored: Paper, seen: Paper): Paper {
  const hasUpvotes = seen.source !== 'arxiv';
  const categories = seen.categories?.length ? seen.categories : stored.categories;
  return {
    id: stored.id,
    arxivId: seen.arxivId ?? stored.arxivId,
    title: seen.title,
    summary: seen.summary || stored.summary,
    aiSummary: seen.aiSummary ?? stored.aiSummary,
    authors: seen.authors.length ? seen.authors : stored.authors,
    authorCount: seen.authorCount ?? stored.authorCount,
    organization: seen.organization ?? stored.organization,
    publishedAt: seen.publishedAt,
    // An arXiv feed's day is its announcement, not a Daily Papers list: it never moves a listed paper.
    listedOn: hasUpvotes || stored.source === 'arxiv' ? (seen.listedOn ?? stored.listedOn) : stored.listedOn,
    upvotes: hasUpvotes ? seen.upvotes : stored.upvotes,
    url: seen.url ?? stored.url,
    pdfUrl: seen.pdfUrl ?? stored.pdfUrl,
    githubUrl: seen.githubUrl ?? stored.githubUrl,
    keywords: seen.keywords.length ? seen.keywords : stored.keywords,
    thumbnailUrl: seen.thumbnailUrl ?? stored.thumbnailUrl,
    source: hasUpvotes ? seen.source : stored.source,
    ...(categories ? { categories } : {}),
  };
}

export function subscriptionFromRow(r: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: r.id,
    platform: r.platform as Platform,
    workspaceId: r.workspace_id,
    channelId: r.channel_id,
    time: r.time,
    timezone: r.timezone,
    top: r.top,
    topics: list(r.topics),
    minUpvotes: r.min_upvotes,
    rank: r.rank as RankMode,
    arxiv: list(r.arxiv),
    enabled: r.enabled === 1,
    origin: r.origin as Subscription['origin'],
    createdBy: r.created_by,
    updatedAt: new Date(r.updated_at),
    failures: r.failures,
    lastError: r.last_error,
    disabledReason: r.disabled_reason,
    threads: r.threads === 1,
    publish: r.publish === 1,
    every: r.every as Cadence,
    weekDay: r.week_day as WeekDay,
  };
}

export function deliveryFromRow(r: Selectable<DeliveriesTable>): Delivery {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    date: r.date,
    state: r.state as DeliveryState,
    attempts: r.attempts,
    lastError: r.last_error,
    owner: r.owner_host !== null && r.owner_pid !== null ? { host: r.owner_host, pid: r.owner_pid } : null,
    heartbeatAt: r.heartbeat_at === null ? null : new Date(r.heartbeat_at),
    plan: r.plan === null ? null : list(r.plan),
    sending: r.sending_key === null || r.sending_at === null ? null : { key: r.sending_key, at: new Date(r.sending_at) },
    updatedAt: new Date(r.updated_at),
  };
}

export function threadFromRow(r: Selectable<ThreadsTable>): ThreadRecord {
  return {
    platform: r.platform as Platform,
    channelId: r.channel_id,
    messageId: r.message_id,
    paperId: r.paper_id,
    threadId: r.thread_id,
    claimedAt: new Date(r.claimed_at),
    owner: r.owner_host !== null && r.owner_pid !== null ? { host: r.owner_host, pid: Number(r.owner_pid) } : null,
  };
}
