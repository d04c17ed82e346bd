// What every request's res.locals carries, set by the language middleware in app.ts.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      t: (key: string, vars?: Record<string, unknown>) => string;
      lang: string;
      dir: 'ltr' | 'rtl';
    }
  }
}

export {};
