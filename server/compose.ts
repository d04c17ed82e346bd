import { hkdfSync } from 'node:crypto';
import path from 'node:path';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createAccountService } from './accounts/account-service.js';
import { createLoginThrottle, LOGIN_MEMORY_MS, loginPolicy } from './accounts/login-throttle.js';
import { createDatabasePing } from './health/health-repository.js';
import { createSessionRepository } from './accounts/session-repository.js';
import { createUserRepository } from './accounts/user-repository.js';
import { createAuditLog, createAuditRepository } from './audit/audit-repository.js';
import type { Config } from './config/config.js';
import { createI18n, type I18n } from './i18n/i18n.js';
import { createMailTemplates } from './mail/mail-templates.js';
import { createMailTransport, type MailTransport } from './mail/mail-transport.js';
import { createMailLinks } from './mail/mail-links.js';
import { createMailWorker } from './mail/mail-worker.js';
import { createMessageKinds } from './mail/message-kinds.js';
import { createOutboxRepository } from './mail/outbox-repository.js';
import { DEMO_PETITION } from './petitions/demo-petition.js';
import { createPetitionAdminService } from './petitions/petition-admin-service.js';
import { createPetitionRepository } from './petitions/petition-repository.js';
import { createPetitionService } from './petitions/petition-service.js';
import { createPetitionImages } from './petitions/petition-image.js';
import { createFailureCounter, DatabaseStore } from './rate-limit/rate-limit-repository.js';
import { createDataProtector } from './shared/data-protector.js';
import { createLoadMonitor } from './shared/load-monitor.js';
import { createMaintenance } from './shared/maintenance.js';
import { createConfirmTokenRepository } from './signatures/confirm-token-repository.js';
import { createNoticeRepository } from './signatures/notice-repository.js';
import {
  createSignatureInvalidationRepository,
  createSignatureRepository,
  createSignatureSearchRepository,
  createSignatureSnapshotRepository,
  createSignatureSubscriberRepository,
  createSignatureWithdrawal,
  createSignatureWithdrawalRepository,
} from './signatures/index.js';
import { registerSignatureMail } from './signatures/signature-mail.js';
import { createSignatureService } from './signatures/signature-service.js';
import { createSignatureJournalRepository } from './signatures/signature-journal-repository.js';
import { createSignatureRecovery } from './signatures/signature-recovery.js';
import { createViaCounting } from './signatures/via-counting.js';
import { createSignaturePurge } from './signatures/signature-purge.js';
import { createSignaturePurgeRepository } from './signatures/signature-purge-repository.js';
import { createShareCodeRepository, createShareCodeService } from './sharing/index.js';
import { createTallyRepository } from './tallies/tally-repository.js';
import { createPublishedCounts } from './tallies/published-counts.js';
import { createPublishedTallyRepository } from './tallies/published-tally-repository.js';
import { createRecount } from './tallies/recount.js';
import { createTallyService } from './tallies/tally-service.js';
import { createFormGuard } from './web/form-guard.js';
import { createCountExport } from './dashboard/count-export.js';
import { createDashboardService } from './dashboard/dashboard-service.js';
import { createPetitionExport } from './exports/petition-export.js';
import { createExportJobRepository } from './exports/export-job-repository.js';
import { createExportJobs } from './exports/export-job-service.js';
import { createFileSealer } from './files/sealed-stream.js';
import { createModerationRunRepository } from './moderation/moderation-run-repository.js';
import { createModerationService } from './moderation/moderation-service.js';
import { createTrending } from './moderation/moderation-trending.js';
import { createPaperImportService } from './paper/paper-import-service.js';
import { createFileKeys, createFileStore } from './files/file-repository.js';
import { createPacketRepository } from './packets/packet-repository.js';
import { createPacketService } from './packets/packet-service.js';
import { createSaltMaker } from './packets/packet-record.js';
import { createReceiptTokens } from './receipts/receipt-token.js';
import { createPdfFontLocator } from './packets/pdf/fonts.js';
import { DEMO_TARGETS } from './deliveries/demo-targets.js';
import { createTargetRepository } from './deliveries/target-repository.js';
import { createTargetService } from './deliveries/target-service.js';
import { createReceiptRequests } from './receipts/receipt-request.js';
import { createReceiptService } from './receipts/receipt-service.js';
import { createReceiptVerifier } from './receipts/receipt-verifier.js';
import { createSignerRights } from './receipts/signer-rights-service.js';
import { createDeliveryAnnouncer } from './updates/delivery-announcer.js';
import { createMailingQueuing } from './mail/mailing-queuing.js';
import { registerDeliveryUpdateMail } from './updates/delivery-update-mail.js';
import { registerOrganiserUpdateMail } from './updates/organiser-update-mail.js';
import { updatesSection } from './updates/organiser-update-public.js';
import { createOrganiserUpdateRepository } from './updates/organiser-update-repository.js';
import { createOrganiserUpdates } from './updates/organiser-updates.js';
import { createUnsubscribeService } from './updates/unsubscribe-service.js';
import { createUnsubscribeTokens } from './updates/unsubscribe-token.js';
import { createShareImages } from './share-image/share-image-service.js';
import { createShareCardRenderer } from './share-image/share-card-renderer.js';
import { deliveredSection } from './deliveries/delivery-public-routes.js';
import { createPrivacyNotice } from './privacy/index.js';

interface Options {
  config: Config;
  connection: Connection;
  logger: Logger;
  dataKey: Buffer;
  /** Keys still read while a rotation runs, and the root of keyed hashes and stable secrets (server/config/data-key.ts). */
  oldKeys?: Buffer[];
  hashKey?: Buffer;
  clock?: () => Date;
  transport?: MailTransport;
}

/** The composition root: every service is built here, from explicit dependencies, and nowhere else. */
export async function createServices({ config, connection, logger, dataKey, oldKeys = [], hashKey = dataKey, clock = () => new Date(), transport }: Options) {
  // Secrets behind stored things that must outlive a rotation of DATA_KEY (packet salts, export files) come from the
  // hash root; those behind short-lived things (sessions, CSRF, form and embed tokens) from the current DATA_KEY, so that
  // rotating after a suspected leak also ends sessions and forms made with the old key.
  const hkdf = (root: Buffer, purpose: string) => Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), `handover:${purpose}`, 32));
  const derive = (purpose: string) => hkdf(hashKey, purpose);
  const ephemeral = (purpose: string) => hkdf(dataKey, purpose);
  const protector = createDataProtector(dataKey, { oldKeys, hashKey });
  const i18n: I18n = await createI18n({ strict: !config.isProduction, warn: (message) => logger.error(message) });

  const petitions = createPetitionRepository(connection);
  const signatures = createSignatureRepository(connection, protector);
  const tokens = createConfirmTokenRepository(connection);
  const notices = createNoticeRepository(connection);
  // Each feature registers its kinds of email below; the outbox asks only for their lanes.
  const messageKinds = createMessageKinds();
  const outbox = createOutboxRepository(connection, messageKinds.laneOf);
  const talliesRepo = createTallyRepository(connection);
  const users = createUserRepository(connection);
  const sessions = createSessionRepository(connection);
  const audit = createAuditLog(createAuditRepository(connection), clock);
  await Promise.all([petitions.init(), signatures.init(), tokens.init(), outbox.init(), users.init()]);

  const tallies = createTallyService({ repo: talliesRepo, clock, cacheSeconds: config.COUNT_CACHE_SECONDS, writeGapMs: config.TALLY_WRITE_GAP_MS });
  const publishedCounts = createPublishedCounts({
    tallies,
    repo: createPublishedTallyRepository(connection),
    petitions,
    everyMinutes: config.UNVERIFIED_COUNTS_PUBLISH_MINUTES,
    cacheSeconds: config.COUNT_CACHE_SECONDS,
  });
  const petitionService = createPetitionService({ petitions, counts: publishedCounts, clock });
  const journal = createSignatureJournalRepository(connection);
  const shareCodes = createShareCodeService({ repo: createShareCodeRepository(connection) });
  const via = createViaCounting({ protector, shareCodes, logger });
  const signatureService = createSignatureService({ petitions, petitionService, signatures, tokens, outbox, tallies, journal, protector, via, clock, logger });
  const withdrawals = createSignatureWithdrawalRepository(connection);
  const withdrawal = createSignatureWithdrawal({ signatures, withdrawals, journal, tallies, via, clock, logger });
  const recovery = createSignatureRecovery({
    journal,
    signatures,
    withdrawals,
    tallies,
    marks: talliesRepo,
    via,
    inFlight: () => new Set([...signatureService.inFlight(), ...withdrawal.inFlight()]),
    clock,
    logger: logger.child({ component: 'recovery' }),
  });
  const recount = createRecount({ petitions, signatures, tallies: talliesRepo, clock });
  const loginFailures = (prefix: string) => createFailureCounter(connection, { prefix, hashKey: (key) => protector.ipHash(key), memoryMs: LOGIN_MEMORY_MS });
  const throttle = createLoginThrottle({ pairs: loginFailures('login-failures-pair'), accounts: loginFailures('login-failures-account'), policy: loginPolicy(config), clock });
  const accounts = createAccountService({ users, throttle, clock, passwordLog2N: config.PASSWORD_SCRYPT_LOG2_N });
  const petitionAdmin = createPetitionAdminService({ petitions, petitionService, counts: publishedCounts, clock });
  const dashboard = createDashboardService({ petitions, counts: publishedCounts, shareCodes });
  const countExport = createCountExport({ petitions, counts: publishedCounts, clock });
  const signatureSearch = createSignatureSearchRepository(connection, protector);
  const snapshots = createSignatureSnapshotRepository(connection, protector);
  const subscribers = createSignatureSubscriberRepository(connection, protector);
  const petitionExport = createPetitionExport({ petitions, signatures: snapshots, protector, audit, clock, counted: async (id) => (await tallies.read(id)).total });
  const invalidation = createSignatureInvalidationRepository(connection, protector);
  const moderation = createModerationService({ petitions, signatures: signatureSearch, invalidation, runs: createModerationRunRepository(connection), tallies, shareCodes, audit, protector, clock });
  const trending = createTrending({ signatures: signatureSearch, audit, clock, windowMinutes: config.TRENDING_WINDOW_MINUTES, threshold: config.TRENDING_FLAG_THRESHOLD });
  const paperImport = createPaperImportService({ petitions, signatures, tallies, protector, audit, clock, maxMb: config.IMPORT_MAX_MB });

  const files = createFileStore(connection, createFileKeys([dataKey, ...oldKeys]));
  const petitionImages = createPetitionImages({ petitions, petitionService, files, maxMb: config.DELIVERY_PHOTO_MAX_MB });
  const receiptTokens = createReceiptTokens(protector);
  // Looked up on first use: the app runs without the fonts, only packets need them.
  const pdfFonts = createPdfFontLocator(config.PDF_FONT_DIRS);
  const packets = createPacketService({
    petitions,
    // Read at call time: the targets need the packet service too, so they are built just below.
    targets: { findForPacket: (petitionId, idOrCity) => targets.findForPacket(petitionId, idOrCity) },
    counted: async (petitionId) => (await tallies.read(petitionId)).countries,
    repo: createPacketRepository(connection),
    source: snapshots,
    files,
    audit,
    saltFor: createSaltMaker(derive('packet-salt')),
    fonts: pdfFonts,
    i18n,
    organisation: config.ORGANISATION_NAME,
    workRoot: path.join(config.DATA_DIR, 'work'),
    clock,
    onError: (error, packetId) => logger.error({ err: error, packetId }, 'packet generation failed'),
  });
  await packets.failAbandoned();
  const exportJobs = createExportJobs({
    petitions,
    petitionExport,
    repo: createExportJobRepository(connection),
    files,
    sealer: createFileSealer(derive('export-file')),
    audit,
    workRoot: path.join(config.DATA_DIR, 'work'),
    clock,
    onError: (error, jobId) => logger.error({ err: error, jobId }, 'export failed'),
  });
  await exportJobs.sweep();
  const mailingQueuing = createMailingQueuing({ outbox, logger: logger.child({ component: 'mailings' }), clock });
  const announcer = createDeliveryAnnouncer({ signatures: subscribers, outbox, packets, petitions, audit, protector, queuing: mailingQueuing, logger: logger.child({ component: 'announcer' }), clock });
  const targets = createTargetService({
    repo: createTargetRepository(connection),
    petitions,
    findPacket: (id) => packets.find(id),
    packets,
    files,
    audit,
    announce: (target) => announcer.announce(target),
    withdraw: (targetId) => announcer.withdraw(targetId),
    clock,
    photoMaxMb: config.DELIVERY_PHOTO_MAX_MB,
  });
  const receipts = createReceiptService({ tokens: receiptTokens, signatures, shareCodes, petitions, withdrawals, packets, targets });
  const verifyReceipt = createReceiptVerifier({ packets, targets });
  const unsubscribeTokens = createUnsubscribeTokens(protector);
  const unsubscribe = createUnsubscribeService({ petitions, signatures: subscribers, outbox, tokens: unsubscribeTokens, clock });
  const organiserUpdateRepo = createOrganiserUpdateRepository(connection);
  const organiserUpdates = createOrganiserUpdates({
    ...{ repo: organiserUpdateRepo, petitions, signatures: subscribers, outbox, audit, protector, queuing: mailingQueuing },
    ...{ logger: logger.child({ component: 'organiser-updates' }), clock },
  });
  const signerRights = createSignerRights({ tokens: receiptTokens, signatures, withdrawal, receipts, unsubscribe, unsubscribeTokens, petitions });
  const shareImages = createShareImages({
    petitions: petitionService,
    counts: publishedCounts,
    renderer: createShareCardRenderer(pdfFonts),
    i18n,
    logger: logger.child({ component: 'share-image' }),
    petitionImage: async (petition) => (petition.image ? ((await petitionImages.read(petition.slug))?.data ?? null) : null),
  });

  const signingLoad = createLoadMonitor(config.MAIL_YIELD_ABOVE_INFLIGHT);
  const mailTransport = transport ?? createMailTransport({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, dataDir: config.DATA_DIR, connections: config.OUTBOX_CONCURRENCY });
  const mailLinks = createMailLinks(config.BASE_URL, receiptTokens);
  registerSignatureMail(messageKinds, {
    petitions,
    signatures,
    tokens,
    notices,
    counted: async (petition) => (await publishedCounts.read(petition)).tally.total,
    protector,
    links: mailLinks,
    tokenTtlHours: config.CONFIRM_TOKEN_TTL_HOURS,
    clock,
  });
  registerDeliveryUpdateMail(messageKinds, { outbox, protector, petitions, unsubscribeTokens: createUnsubscribeTokens(protector), links: mailLinks });
  registerOrganiserUpdateMail(messageKinds, { outbox, updates: organiserUpdateRepo, petitions, protector, unsubscribeTokens, links: mailLinks });
  const receiptRequests = createReceiptRequests(messageKinds, { outbox, petitions, signatures, protector, links: mailLinks, clock });
  const mailWorker = createMailWorker({
    outbox,
    kinds: messageKinds,
    templates: createMailTemplates(i18n),
    transport: mailTransport,
    logger: logger.child({ component: 'mail-worker' }),
    clock,
    busy: signingLoad.busy,
    config: {
      pollMs: config.OUTBOX_POLL_MS,
      maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      retryBaseMs: config.OUTBOX_RETRY_BASE_MS,
      concurrency: config.OUTBOX_CONCURRENCY,
      leaseMs: config.OUTBOX_LEASE_SECONDS * 1000,
    },
  });

  const purge = createSignaturePurge({
    petitions,
    lastDelivery: async (petitionId) => (await targets.listDelivered(petitionId)).reduce<Date | null>((last, t) => (t.delivery && (!last || t.delivery.deliveredAt > last) ? t.delivery.deliveredAt : last), null),
    repo: createSignaturePurgeRepository(connection, protector),
    withdrawal,
    outbox,
    audit,
    clock,
    config: { tokenTtlHours: config.CONFIRM_TOKEN_TTL_HOURS, graceDays: config.PURGE_GRACE_DAYS },
    logger,
  });
  const maintenance = createMaintenance({ tokens, outbox, sessions, counts: publishedCounts, purge, mailings: mailingQueuing, clock, logger: logger.child({ component: 'maintenance' }) });
  const stores: DatabaseStore[] = [];
  const rateLimitStore = (prefix: string) => {
    const store = new DatabaseStore(connection, { prefix, hashKey: (key) => protector.ipHash(key) });
    stores.push(store);
    return store;
  };

  return {
    config,
    logger,
    i18n,
    connection,
    pingDatabase: createDatabasePing(connection),
    petitionService,
    petitionAdmin,
    petitionImages,
    signatureService,
    accounts,
    sessions,
    audit,
    tallies,
    publishedCounts,
    protector,
    dashboard,
    shareCodes,
    countExport,
    petitionExport,
    exportJobs,
    moderation,
    trending,
    paperImport,
    files,
    receiptTokens,
    packets,
    pdfFonts,
    targets,
    receipts,
    receiptRequests,
    signerRights,
    verifyReceipt,
    announcer,
    organiserUpdates,
    publishedUpdates: updatesSection({ petitions, updates: organiserUpdateRepo }),
    privacyNotice: createPrivacyNotice({ config, petitions: petitionService, delivered: deliveredSection(targets) }),
    unsubscribe,
    shareImages,
    recount,
    recovery,
    mailWorker,
    maintenance,
    purge,
    outbox,
    tokens,
    rateLimitStore,
    signingLoad,
    formGuard: createFormGuard(ephemeral('form-guard'), config.FORM_MIN_FILL_SECONDS, clock),
    secrets: { csrf: ephemeral('csrf'), session: ephemeral('session'), embed: ephemeral('embed') },
    /**
     * Idempotent: adds the demo petition when its slug is free (else whichever of its translations it lacks, for
     * databases seeded before languages), and whichever of its ten delivery targets are missing.
     */
    async seedDemo() {
      const added = await petitionService.create(DEMO_PETITION);
      if (!added) await petitionService.addMissingTranslations(DEMO_PETITION.slug, DEMO_PETITION.translations ?? {});
      await targets.seedDemo(DEMO_PETITION.slug, DEMO_TARGETS);
      return added;
    },
    isEmpty: async () => (await petitions.count()) === 0,
    async close() {
      maintenance.stop();
      recovery.stop();
      // A packet being built finishes (or fails) before its database goes away.
      await packets.settle();
      await exportJobs.settle();
      await announcer.settle();
      await organiserUpdates.settle();
      await shareImages.close();
      await mailWorker.stop();
      await Promise.all(stores.map((s) => s.shutdown()));
      mailTransport.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
