/**
 * `rampart/redact/pino`: secret masking for the pino logger, applied to each serialized line just
 * before it is written (pino's `hooks.streamWrite`), so it covers the message, every field, error
 * stacks and child-logger bindings alike:
 *
 *   import pino from 'pino';
 *   import { redactingHooks } from 'rampart/redact/pino';
 *   const logger = pino({ hooks: redactingHooks() });
 *
 * pino requires the hook to return valid JSON: masks never split a JSON escape sequence and are
 * themselves JSON-escaped. pino is not imported here (it stays the application's dependency).
 */
import { createRedactor, type RedactOptions } from './index.js';

/** The subset of pino's `LoggerOptions['hooks']` this adapter provides. */
export interface PinoRedactHooks {
  streamWrite(line: string): string;
}

export type PinoRedactOptions = Omit<RedactOptions, 'jsonSafe'>;

/**
 * Hooks for `pino({ hooks })`. Combine with your own hooks by spreading:
 * `hooks: { ...redactingHooks(), logMethod }`. The rules are compiled on the first log line.
 */
export function redactingHooks(options: PinoRedactOptions = {}): PinoRedactHooks {
  const redactor = createRedactor({ ...options, jsonSafe: true });
  return {
    streamWrite(line: string): string {
      return redactor.redact(line);
    },
  };
}
