import { createReceiptTokens } from '../receipts/receipt-token.js';
import type { DataProtector } from '../shared/data-protector.js';

/**
 * Unsubscribe links are sealed signature ids like receipt links, under their own purpose: a leaked
 * receipt link cannot unsubscribe anyone, and an unsubscribe link opens no receipt.
 */
export const createUnsubscribeTokens = (protector: DataProtector) => createReceiptTokens(protector, 'unsubscribe');
export type UnsubscribeTokens = ReturnType<typeof createUnsubscribeTokens>;
