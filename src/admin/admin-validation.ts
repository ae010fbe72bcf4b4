import { type ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, type ErrorDetail } from '../common/app-error.js';

/** Every constraint of every field, with its path (`fields.2.stripe_path`), nested ones too. */
export function validationDetails(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((problem) => ({ field, problem }));
    return [...own, ...validationDetails(e.children ?? [], field)];
  });
}

/**
 * Admin request bodies and queries: unknown properties are refused (a typo is not ignored),
 * values are checked and converted per DTO, and every problem is listed at once as a 400
 * `validation_failed` naming the fields.
 */
export const adminValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors: ValidationError[]) => {
    const details = validationDetails(errors);
    const message =
      details.length === 0
        ? 'The request is not valid.'
        : `Fix ${details.map((d) => `${d.field} (${d.problem})`).join('; ')}.`;
    return new AppError('invalid', 'validation_failed', message, details);
  },
});
