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
  createdAt: Date;
}

export type NewPetition = Omit<Petition, 'id' | 'createdAt'>;
