import { describe, expect, it } from '@jest/globals';
import { bearerToken, findToken } from './admin-tokens.js';

const TOKENS = [
  { label: 'deploy', token: 'tok_deploy_0123456789abcdefghij' },
  { label: 'rotated', token: 'tok_rotated_0123456789abcdefghi' },
];

describe('admin tokens', () => {
  it('finds either token during a rotation, and nothing for a wrong or partial one', () => {
    expect(findToken(TOKENS, 'tok_deploy_0123456789abcdefghij')?.label).toBe('deploy');
    expect(findToken(TOKENS, 'tok_rotated_0123456789abcdefghi')?.label).toBe('rotated');
    expect(findToken(TOKENS, 'tok_deploy_0123456789abcdefghi')).toBeNull();
    expect(findToken(TOKENS, '')).toBeNull();
    expect(findToken([], 'anything')).toBeNull();
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc ', 'abc'],
    ['Basic abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
    [undefined, null],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
