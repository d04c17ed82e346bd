import { Router, type Request, type RequestHandler, type Response } from 'express';
import { allow } from '../accounts/current-user.js';
import type { AuditLog } from '../audit/audit-repository.js';
import type { PetitionAdminService } from '../petitions/petition-admin-service.js';
import { MAX_EMBED_ORIGINS, parseEmbedOrigins } from '../petitions/petition-input.js';
import type { Petition } from '../petitions/petition-types.js';

interface Deps {
  petitions: Pick<PetitionAdminService, 'find' | 'setEmbedOrigins'>;
  audit: AuditLog;
  protect: RequestHandler;
  /** config.BASE_URL: snippets go on other sites, so every address in them is absolute. */
  baseUrl: string;
  /** Outside production a partner page on one's own machine (http://localhost:8080) may be allowlisted. */
  localHttp: boolean;
}

type Params = Request<{ slug: string }>;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What organisers paste into a partner's page: the widget, the badge, and the count API by curl and by fetch. */
export function embedSnippets(baseUrl: string, petition: Pick<Petition, 'slug' | 'title'>, badgeAlt: string) {
  const slug = encodeURIComponent(petition.slug);
  const count = `${baseUrl}/api/v1/petitions/${slug}/count`;
  return {
    widget: `<iframe src="${baseUrl}/embed/petitions/${slug}" title="${escapeHtml(petition.title)}" width="400" height="720" style="border:0;max-width:100%" loading="lazy"></iframe>`,
    badge: `<a href="${baseUrl}/petitions/${slug}"><img src="${baseUrl}/petitions/${slug}/badge.svg" alt="${escapeHtml(badgeAlt)}" height="28"></a>`,
    curl: `curl ${count}`,
    fetch: `fetch('${count}')\n  .then((response) => response.json())\n  .then(({ total }) => {\n    document.getElementById('signatures').textContent = total.toLocaleString();\n  });`,
  };
}

/** `/admin/petitions/<slug>/embed`: the snippets with a live preview, and the sites allowed to frame the widget. */
export function embedWorkspaceRoutes({ petitions, audit, protect, baseUrl, localHttp }: Deps): Router {
  const router = Router();

  function render(res: Response, petition: Petition, form: { origins?: string; error?: string } = {}) {
    const { t } = res.locals;
    res.render('admin/embed', {
      layout: 'admin',
      title: t('embed.workspace.title', { title: petition.title }),
      petition,
      snippets: embedSnippets(baseUrl, petition, t('embed.workspace.badgeAlt', { title: petition.title })),
      // Same-origin addresses: the workspace may frame our own embed (its frame-src is 'self'), wherever it is served.
      preview: petition.status === 'draft' ? null : { widget: `/embed/petitions/${encodeURIComponent(petition.slug)}`, badge: `/petitions/${encodeURIComponent(petition.slug)}/badge.svg` },
      origins: form.origins ?? petition.embedOrigins.join('\n'),
      error: form.error,
    });
  }

  router.get('/petitions/:slug/embed', allow('managePetitions'), async (req: Params, res) => {
    render(res, await petitions.find(req.params.slug));
  });

  router.post('/petitions/:slug/embed', allow('managePetitions'), protect, async (req: Params, res) => {
    const text = (req.body as Record<string, unknown> | undefined)?.embedOrigins;
    const parsed = parseEmbedOrigins(text, { localHttp });
    if (!parsed.ok) {
      const error = res.locals.t(`errors.field.${parsed.code}`, { entry: parsed.entry, max: MAX_EMBED_ORIGINS });
      render(res.status(422), await petitions.find(req.params.slug), { origins: typeof text === 'string' ? text : '', error });
      return;
    }
    const { petition, changed } = await petitions.setEmbedOrigins(req.params.slug, parsed.value);
    if (changed) await audit.record({ actor: req.user!.email, action: 'petition.embed', petition: petition.slug, details: { origins: parsed.value.length }, rows: null });
    res.redirect(303, `/admin/petitions/${encodeURIComponent(petition.slug)}/embed`);
  });

  return router;
}
