import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * pino JSON, one event per line. Secrets are scrubbed twice: known credential fields by path, and
 * every configured secret value wherever it appears in the serialized line (URLs, error messages).
 */
export function createLogger(opts: { level: string; secrets?: string[]; destination?: pino.DestinationStream }): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  return pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'signingSecret',
          '*.signingSecret',
          'clientSecret',
          '*.clientSecret',
        ],
        censor: '[redacted]',
      },
      hooks: secrets.length
        ? {
            streamWrite: (line: string) => secrets.reduce((out, s) => out.split(s).join('[redacted]'), line),
          }
        : {},
    },
    opts.destination ?? pino.destination(2),
  );
}
