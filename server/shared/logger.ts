import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'handover' }, redact: { paths: ['email', '*.email', 'name', '*.name', 'ip'], censor: '[redacted]' } });
}
