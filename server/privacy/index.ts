// The privacy notice's front door.
export { createPrivacyNotice, type PrivacyNotice } from './privacy-notice.js';
export { privacyRoutes } from './privacy-routes.js';
