/** Types of stryker/groups.mjs, which stryker.config.mjs (plain Node) and vitest.mutate.config.ts both import. */
export interface MutateGroup {
  name: string;
  mutate: string[];
  tests: string[];
  ownModules?: string[];
}
export declare const GROUPS: MutateGroup[];
export declare function currentGroup(): MutateGroup | null;
