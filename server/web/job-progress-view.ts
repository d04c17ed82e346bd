import { intlLocale } from '../i18n/languages.js';
import type { JobStatus } from '../shared/progress.js';

type Translate = (key: string, vars?: Record<string, unknown>) => string;

/**
 * What `partials/job-progress.hbs` needs to show a job still building: the status to poll, the
 * bar, and the label of its phase (`<keys>.<phase>` in the catalogue, with {{done}} and {{total}}).
 */
export function jobProgressView(status: JobStatus, { id, heading, url, download, keys }: { id: string; heading: string; url: string; download: string | null; keys: string }, t: Translate, lang: string) {
  const format = new Intl.NumberFormat(intlLocale(lang));
  return {
    id,
    heading,
    url,
    download,
    keys,
    total: status.total,
    done: Math.min(status.done, status.total),
    label: t(`${keys}.${status.phase}`, { done: format.format(status.done), total: format.format(status.total) }),
  };
}
