/** The ways a channel's papers can be ranked; src/digest/select.ts says what each one does. */
export const RANK_MODES = ['popular', 'balanced', 'channel'] as const;

export type RankMode = (typeof RANK_MODES)[number];
