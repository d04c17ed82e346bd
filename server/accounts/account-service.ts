import { AppError, ValidationError } from '../shared/errors.js';
import { isSingleLine } from '../shared/plain-text.js';
import { aDummyHash, generatePassword, hashPassword, PASSWORD_MIN_LENGTH, verifyPassword } from './password.js';
import type { LoginThrottle } from './login-throttle.js';
import type { UserRepository } from './user-repository.js';
import { ROLES, type Role, type User } from './user-types.js';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;
const isEmail = (email: string) => EMAIL.test(email) && isSingleLine(email);
// The CLI prints these messages as they are; pages show the translated field errors.
const UNKNOWN_ROLE = 'The role must be admin, organiser or analyst.';
export const normaliseLogin = (email: string) => email.trim().toLowerCase();

interface Deps {
  users: UserRepository;
  throttle: LoginThrottle;
  clock: () => Date;
  /** scrypt cost of new hashes (config PASSWORD_SCRYPT_LOG2_N). */
  passwordLog2N: number;
}

export function createAccountService({ users, throttle, clock, passwordLog2N }: Deps) {
  const hash = (password: string) => hashPassword(password, passwordLog2N);
  let dummy: Promise<string> | undefined;

  function checkNewPassword(password: string) {
    if (password.length < PASSWORD_MIN_LENGTH) throw new ValidationError({ password: 'password_too_short' }, `Use at least ${PASSWORD_MIN_LENGTH} characters for a password.`);
    if (password.length > 200) throw new ValidationError({ password: 'too_long' }, 'Use at most 200 characters for a password.');
  }

  return {
    /** Creates a user; without a password, generates a one-time one that must be changed at first login. */
    async create(input: { email: string; role: string; password?: string }): Promise<{ user: User; oneTimePassword: string | null }> {
      const email = normaliseLogin(input.email);
      if (!isEmail(email)) throw new ValidationError({ email: 'email_invalid' }, 'Enter an email address like name@example.org.');
      if (!(ROLES as readonly string[]).includes(input.role)) throw new ValidationError({ role: 'role_unknown' }, UNKNOWN_ROLE);
      if (input.password !== undefined) checkNewPassword(input.password);
      const password = input.password ?? generatePassword();
      const created = await users.insert({ email, role: input.role as Role, passwordHash: await hash(password), mustChangePassword: input.password === undefined, at: clock() });
      if (created === 'email_taken') throw new AppError(409, 'email_taken', 'There is already an account with this email address.', { email: 'email_taken' });
      return { user: created, oneTimePassword: input.password === undefined ? password : null };
    },

    /**
     * Signing in from a client address, through the throttle (429 while this client must wait).
     * The same work (one scrypt, the same counters) whether or not the account exists, so timing does not tell.
     */
    async signIn(email: string, password: string, client: string): Promise<User | null> {
      const account = normaliseLogin(email);
      await throttle.admit(account, client);
      const found = await users.findCredentials(account);
      const ok = await verifyPassword(password.slice(0, 200), found?.passwordHash ?? (await (dummy ??= aDummyHash(passwordLog2N))));
      if (!found || !ok || found.user.disabled) {
        await throttle.failed(account, client);
        return null;
      }
      await throttle.succeeded(account, client);
      return found.user;
    },

    async changePassword(userId: string, current: string, next: string): Promise<void> {
      const user = await users.findById(userId);
      const found = user && (await users.findCredentials(user.email));
      if (!found || !(await verifyPassword(current.slice(0, 200), found.passwordHash))) throw new ValidationError({ current: 'password_wrong' });
      checkNewPassword(next);
      if (next === current) throw new ValidationError({ password: 'password_same' });
      await users.setPassword(userId, await hash(next), false, clock());
    },

    /** An admin resets someone's password: a new one-time password, and every session of theirs ends. */
    async resetPassword(userId: string): Promise<string> {
      const password = generatePassword();
      await users.setPassword(userId, await hash(password), true, clock());
      return password;
    },

    async setRole(userId: string, role: string): Promise<void> {
      if (!(ROLES as readonly string[]).includes(role)) throw new ValidationError({ role: 'role_unknown' }, UNKNOWN_ROLE);
      await users.update(userId, { role: role as Role });
    },

    setDisabled: (userId: string, disabled: boolean) => users.update(userId, { disabled }),
    findById: (id: string) => users.findById(id),
    list: () => users.list(),
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
