// The signatures feature's front door: what other features may use. The collection itself stays in
// the feature's repositories; others ask them for what they need.
export { createSignatureInvalidationRepository, type AffectedSignature, type SignatureInvalidationRepository } from './signature-invalidation-repository.js';
export { createSignatureRepository, type SignatureRepository } from './signature-repository.js';
export { createSignatureSearchRepository, type SignatureCriteria, type SignatureSearchRepository } from './signature-search-repository.js';
export { createSignatureSnapshotRepository, type CountedSigner, type SignatureForExport, type SignatureSnapshotRepository } from './signature-snapshot-repository.js';
export { createSignatureSubscriberRepository, type Subscriber, type SignatureSubscriberRepository } from './signature-subscriber-repository.js';
export type { Signature, SignatureSource, SignatureStatus, SignerDetails } from './signature-types.js';
export { unconfirmedKeptDays } from './signature-purge.js';
export { createSignatureWithdrawal, type SignatureWithdrawal, type WithdrawOutcome } from './signature-withdrawal.js';
export { createSignatureWithdrawalRepository, type SignatureWithdrawalRepository, type Withdrawal } from './signature-withdrawal-repository.js';
