// The sharing feature's front door for personal share codes: what other features may use.
export { createShareCodeRepository, type ShareCodeRepository } from './share-code-repository.js';
export { createShareCodeService, isShareCode, newShareCode, personalLink, shareCodeLabel, SHARE_CODE, TOP_CODES, type ShareCodeService } from './share-codes.js';
