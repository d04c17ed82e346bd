/**
 * The one error type the app throws on purpose. `message` is safe to show to users and is English, for logs and the
 * CLI; pages and the API show the catalogue's `errors.<code in camelCase>` with `vars` in the reader's language.
 */
export class AppError extends Error {
  readonly vars: Record<string, string | number>;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    options?: { cause?: unknown; vars?: Record<string, string | number> },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.vars = options?.vars ?? {};
  }
}

export class ValidationError extends AppError {
  constructor(fields: Record<string, string>, message = 'Some fields need attention.') {
    super(422, 'validation_failed', message, fields);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.') {
    super(404, 'not_found', message);
  }
}

/** The database is down or too busy right now: a 503 that tells the client when to try again. */
export class UnavailableError extends AppError {
  constructor(
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(503, 'unavailable', 'We are very busy right now and could not finish this. Please try again in a few seconds.', undefined, options);
  }
}

/** Too many attempts from this client: a 429 that tells it when it will be heard again. */
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    code: string,
    message: string,
  ) {
    super(429, code, message);
  }
}
