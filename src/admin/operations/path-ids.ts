import { AppError } from '../../common/app-error.js';
import { EVENT_ID, UUID } from './operations.dto.js';

// Path ids are checked before any query: a malformed one must be a 400, never a cast error.
const check = (raw: string, shape: RegExp, field: string, rule: string): string => {
  if (!shape.test(raw)) {
    throw new AppError('invalid', 'validation_failed', `${field}: ${rule}.`, [
      { field, problem: rule },
    ]);
  }
  return raw;
};

export const deadLetterId = (raw: string): string =>
  check(raw, EVENT_ID, 'id', 'must be a dead letter id as GET /dead-letters lists it');

export const linkId = (raw: string): string =>
  check(raw, UUID, 'id', 'must be a link id (a uuid) as GET /links lists it');
