import { describe, expect, it } from '@jest/globals';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { toErrorBody } from './http-error.filter.js';

describe('toErrorBody', () => {
  it.each([
    [new AppError('invalid', 'signature_mismatch', 'fix it'), 400, 'signature_mismatch'],
    [new AppError('too_large', 'payload_too_large', 'smaller'), 413, 'payload_too_large'],
    [
      new AppError('unsupported_media_type', 'unsupported_media_type', 'json'),
      415,
      'unsupported_media_type',
    ],
    [new NotFoundException('Cannot GET /x'), 404, 'not_found'],
    [new BadRequestException(['a must be set', 'b too']), 400, 'bad_request'],
    [
      Object.assign(new Error('Request body is too large'), {
        statusCode: 413,
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      }),
      413,
      'payload_too_large',
    ],
    [new Error('boom: password=secret'), 500, 'internal_error'],
  ])('%p → %i %s', (err, status, code) => {
    const body = toErrorBody(err);
    expect(body).toMatchObject({ statusCode: status, code });
    expect(body.message).not.toContain('password=secret');
  });
});
