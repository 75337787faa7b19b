import type { z } from 'zod';
import { commaList } from '../../src/config/schema';

/** The console's environment variables, validated with the rest of the configuration at start. */
export const CONSOLE_ENV = {
  /** Who may change the console channel's daily post (`--user` names); empty = anyone, as with SLACK_ADMINS. */
  CONSOLE_ADMINS: commaList,
};

export interface ConsoleSettings {
  admins: string[];
}

/** The console needs nothing to run: it is always available. */
export function resolveConsole(e: z.output<z.ZodObject<typeof CONSOLE_ENV>>): ConsoleSettings {
  return { admins: e.CONSOLE_ADMINS };
}
