export type Verification = 'email' | 'none';
export type PetitionStatus = 'draft' | 'open' | 'closed';

export interface Petition {
  id: string;
  slug: string;
  title: string;
  summary: string;
  body: string;
  target: string;
  goal: number;
  status: PetitionStatus;
  verification: Verification;
  /** Signatures are accepted from this moment (null: as soon as it is open). */
  opensAt: Date | null;
  /** and until this moment (null: until an organiser closes it). */
  closesAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewPetition = Omit<Petition, 'id' | 'createdAt' | 'updatedAt' | 'opensAt' | 'closesAt'> & Partial<Pick<Petition, 'opensAt' | 'closesAt'>>;
export type PetitionChanges = Partial<Omit<Petition, 'id' | 'createdAt' | 'updatedAt'>>;
