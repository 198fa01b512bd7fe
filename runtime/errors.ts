/**
 * An error the user can fix (missing input, unwritable output, bad flag, unusable checkpoint).
 * The job prints its message without a stack trace and exits with code 1.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
