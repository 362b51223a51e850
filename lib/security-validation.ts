/**
 * Input rules of the console's sign-in, users and API tokens (forms and routes share them; the OpenAPI
 * document is generated from them). Re-exported by lib/validation.ts.
 */
import { z } from 'zod';

export const ROLES = ['admin', 'read-only'] as const;
export type Role = (typeof ROLES)[number];
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export const roleSchema = z.enum(ROLES, { error: 'The role is admin or read-only' });

export const userNameSchema = z
  .string({ error: 'Enter a user name' })
  .trim()
  .min(1, 'Enter a user name')
  .max(64, 'A user name has at most 64 characters')
  .regex(USER_NAME, 'Use letters, digits, ., _, @ and -, starting with a letter or digit');

export const loginSchema = z.object({
  user: userNameSchema,
  password: z.string({ error: 'Enter the password' }).min(1, 'Enter the password').max(256, 'A password has at most 256 characters'),
});

export const changePasswordSchema = z
  .object({
    current: z.string({ error: 'Enter your current password' }).min(1, 'Enter your current password').max(256, 'A password has at most 256 characters'),
    next: z.string({ error: 'Enter a new password' }).min(10, 'A password has at least 10 characters').max(256, 'A password has at most 256 characters'),
    confirm: z.string({ error: 'Repeat the new password' }),
  })
  .refine((v) => v.next === v.confirm, { message: 'The two new passwords differ', path: ['confirm'] })
  .refine((v) => v.next !== v.current, { message: 'Choose a password different from the current one', path: ['next'] });

export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const createTokenSchema = z.object({
  name: z
    .string({ error: 'Enter a name for the token' })
    .trim()
    .min(1, 'Enter a name for the token')
    .max(64, 'A token name has at most 64 characters')
    .regex(TOKEN_NAME, 'Use letters, digits, ., _ and -, starting with a letter or digit'),
  role: roleSchema,
  expiresInDays: z.coerce
    .number({ error: 'Days must be a number' })
    .int('Days must be a whole number')
    .min(0, 'Days are 0 (never expires) to 3650')
    .max(3650, 'Days are 0 (never expires) to 3650')
    .default(90),
});

export const createUserSchema = z.object({
  name: userNameSchema,
  role: roleSchema,
  password: z.string({ error: 'Enter a password' }).min(10, 'A password has at least 10 characters').max(256, 'A password has at most 256 characters'),
});

const timeMs = (label: string) => z.coerce.number({ error: `${label} must be a time` }).int(`${label} must be a time`).min(0, `${label} must be after 1970`).max(8_640_000_000_000, `${label} is too far in the future`);

export const auditQuerySchema = z
  .object({
    user: z.string().trim().max(128, 'At most 128 characters').default(''),
    action: z.string().trim().max(128, 'At most 128 characters').default(''),
    target: z.string().trim().max(256, 'At most 256 characters').default(''),
    result: z.string().trim().max(64, 'At most 64 characters').regex(/^[a-z0-9_]*$/, 'ok, error, or an error code such as forbidden').default(''),
    from: timeMs('From').optional(),
    to: timeMs('To').optional(),
    page: z.coerce.number({ error: 'The page must be a number' }).int('The page must be a whole number').min(1, 'Pages start at 1').max(100_000, 'That page is too far').default(1),
    pageSize: z.coerce.number({ error: 'The page size must be a number' }).int('The page size must be a whole number').min(1, 'The page size is 1 to 200').max(200, 'The page size is 1 to 200').default(50),
  })
  .refine((v) => v.from === undefined || v.to === undefined || v.from < v.to, { message: 'From must be before To', path: ['to'] });

export const updateUserSchema = z.object({ role: roleSchema });
