export const ROLES = ['admin', 'organiser', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  role: Role;
  /** Set for a generated one-time password: every admin page asks for a new password first. */
  mustChangePassword: boolean;
  passwordChangedAt: Date;
  disabled: boolean;
  createdAt: Date;
}

/**
 * What each role may do. Checked on the server for every admin route; the navigation only
 * mirrors it. Analysts never see personal data: they get dashboards and count exports.
 */
export const PERMISSIONS = {
  viewDashboards: ['admin', 'organiser', 'analyst'],
  exportCounts: ['admin', 'organiser', 'analyst'],
  // Live counts and "awaiting confirmation": with them, signing with an address shows whether it had signed before.
  seeLiveCounts: ['admin', 'organiser'],
  managePetitions: ['admin', 'organiser'],
  viewSignatures: ['admin', 'organiser'],
  exportSignatures: ['admin', 'organiser'],
  // Signers' comments, read in the workspace only: the privacy notice promises organisers alone read them.
  readComments: ['admin', 'organiser'],
  moderate: ['admin', 'organiser'],
  importPaper: ['admin', 'organiser'],
  viewDeliveries: ['admin', 'organiser', 'analyst'],
  manageDeliveries: ['admin', 'organiser'],
  // Emails every signer who asked for updates: not for analysts.
  sendUpdates: ['admin', 'organiser'],
  // Undoing a recorded delivery takes it off the public page: admins only, and audited.
  undoDeliveries: ['admin'],
  manageUsers: ['admin'],
  viewAudit: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const may = (role: Role, permission: Permission): boolean => (PERMISSIONS[permission] as readonly Role[]).includes(role);
