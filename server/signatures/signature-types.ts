import type { Verification } from '../petitions/petition-types.js';

export type SignatureStatus = 'pending' | 'confirmed';

/** What a signer told us, after normalisation. Only ever stored encrypted. */
export interface SignerDetails {
  firstName: string;
  lastName: string;
  email: string;
  postcode: string;
  comment: string;
}

export interface SignatureInput extends SignerDetails {
  canonicalEmail: string;
  emailDomain: string;
  country: string;
  updates: boolean;
  hideName: boolean;
  ref: string | null;
}

export interface Signature {
  id: string;
  petitionId: string;
  emailHash: string;
  country: string;
  status: SignatureStatus;
  verification: Verification;
  consent: { updates: boolean; hideName: boolean };
  createdAt: Date;
  confirmedAt: Date | null;
  details: SignerDetails;
}
