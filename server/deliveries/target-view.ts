import { intlLocale } from '../i18n/languages.js';
import type { Response } from 'express';
import { countryName } from '../countries/countries.js';
import { NAME_POLICIES, packetStatus, type Packet } from '../packets/packet-types.js';
import type { Petition } from '../petitions/petition-types.js';
import { fieldMessages } from '../web/field-errors.js';
import { jobProgressView } from '../web/job-progress-view.js';
import { toDateInput } from './target-input.js';
import { LETTER_LANGUAGES, type DeliveryTarget } from './target-types.js';

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

const when = (lang: string, at: Date) => new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(at);
export const day = (lang: string, at: Date) => new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeZone: 'UTC' }).format(at);

/** A target as the list and its page show it. */
export function targetRow(target: DeliveryTarget, slug: string, lang: string) {
  return {
    ...target,
    url: `/admin/petitions/${slug}/targets/${target.id}`,
    countryName: countryName(target.country, lang),
    planned: target.plannedAt ? day(lang, target.plannedAt) : '',
    delivered: target.delivery ? day(lang, target.delivery.deliveredAt) : '',
  };
}

export function packetRow(packet: Packet, slug: string, lang: string, t: Translate, canDownload = false) {
  const download = `/admin/petitions/${slug}/packets/${packet.id}.zip`;
  return {
    ...packet,
    generated: when(lang, packet.generatedAt),
    cutoffText: when(lang, packet.cutoff),
    scope: packet.countries ? packet.countries.join(', ') : t('deliveries.packets.allCountries'),
    namesText: t(`deliveries.names.${packet.names}`),
    ready: packet.status === 'ready',
    download,
    progress:
      packet.status === 'generating'
        ? jobProgressView(packetStatus(packet), { id: packet.id, heading: t('deliveries.packets.statuses.generating'), url: `/admin/api/petitions/${slug}/packets/${packet.id}`, download: canDownload ? download : null, keys: 'deliveries.progress' }, t, lang)
        : null,
  };
}

export const languageOptions = (selected: string) => LETTER_LANGUAGES.map((code) => ({ code, selected: code === selected }));
export const namePolicyOptions = (selected: string) => NAME_POLICIES.map((code) => ({ code, selected: code === selected }));

export const storedTargetValues = (target: DeliveryTarget) => ({ ...target, plannedAt: toDateInput(target.plannedAt) });

export interface TargetPageState {
  /** Which form on the page was refused, with what was typed and the problems. */
  refused?: { form: 'packet' | 'delivery'; values: Record<string, string>; fields: Record<string, string> };
  status?: number;
}

/** The page of one target: its packets, the packet form, and the delivery (or the form to record it). */
export function renderTargetPage(res: Response, page: { petition: Petition; target: DeliveryTarget; packets: Packet[]; photoMaxMb: number }, state: TargetPageState = {}) {
  const { petition, target, packets, photoMaxMb } = page;
  const { lang, t } = res.locals as { lang: string; t: Translate };
  const errors = fieldMessages(state.refused?.fields, t);
  const canDownload = (res.locals as { can?: Record<string, boolean> }).can?.manageDeliveries ?? false;
  const rows = packets.map((p) => packetRow(p, petition.slug, lang, t, canDownload));
  const delivered = target.delivery && rows.find((p) => p.id === target.delivery!.packetId);
  const packetValues = state.refused?.form === 'packet' ? state.refused.values : { names: 'full' };
  const deliveryValues = state.refused?.form === 'delivery' ? state.refused.values : { deliveredAt: toDateInput(new Date()) };
  res.status(state.status ?? 200).render('admin/targets-show', {
    layout: 'admin',
    title: target.name,
    petition,
    target: targetRow(target, petition.slug, lang),
    packets: rows,
    readyPackets: rows.filter((p) => p.ready).map((p) => ({ ...p, selected: p.id === deliveryValues.packetId })),
    generating: rows.some((p) => p.status === 'generating'),
    delivery: target.delivery && { ...target.delivery, day: day(lang, target.delivery.deliveredAt), recorded: when(lang, target.delivery.recordedAt), packet: delivered },
    photoUrl: target.delivery?.photo ? `/admin/petitions/${petition.slug}/targets/${target.id}/photo` : null,
    packetValues,
    namePolicies: namePolicyOptions(packetValues.names ?? 'full'),
    deliveryValues,
    packetErrors: state.refused?.form === 'packet' ? errors : {},
    deliveryErrors: state.refused?.form === 'delivery' ? errors : {},
    refusedForm: state.refused?.form,
    languageName: t(`deliveries.languages.${target.language}`),
    photoMaxMb,
  });
}
