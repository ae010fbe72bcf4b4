import { createHmac, type KeyObject, randomBytes, verify } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { makeId } from './util.js';

export interface SfUserSpec {
  username: string;
  password?: string;
  name?: string;
  email?: string;
}

export interface SfUser extends SfUserSpec {
  id: string;
}

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  users: SfUser[];
  orgId: string;
  /** PEM or KeyObject; when set, JWT bearer assertions must be RS256-signed by its key. */
  jwtPublicKey?: string | KeyObject;
  instanceUrl: () => string;
}

type TokenResult = { status: number; body: Record<string, unknown> };

const oauthError = (error: string, description: string, status = 400): TokenResult => ({
  status,
  body: { error, error_description: description },
});

const b64json = (part: string | undefined): Record<string, unknown> | null => {
  try {
    const v: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

/** Token endpoint, sessions and refresh tokens of the emulated org. */
export class SalesforceAuth {
  private readonly sessions = new Map<string, string>();
  private readonly refreshTokens = new Map<string, string>();

  constructor(private readonly opts: OAuthOptions) {}

  get integrationUser(): SfUser {
    return this.opts.users[0]!;
  }

  private token(): string {
    return `${this.opts.orgId.slice(0, 15)}!${randomBytes(30).toString('base64url')}`;
  }

  issueAccessToken(userId = this.integrationUser.id): string {
    const t = this.token();
    this.sessions.set(t, userId);
    return t;
  }

  issueRefreshToken(userId = this.integrationUser.id): string {
    const t = randomBytes(40).toString('base64url');
    this.refreshTokens.set(t, userId);
    return t;
  }

  /** The user behind a bearer token, or null when unknown or expired. */
  userFor(authorization: string | undefined): string | null {
    const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(authorization ?? '');
    return (m && this.sessions.get(m[1]!.trim())) ?? null;
  }

  expireSessions(): void {
    this.sessions.clear();
  }

  private grant(userId: string, withRefresh: boolean): TokenResult {
    const issuedAt = String(Date.now());
    const instance = this.opts.instanceUrl();
    const id = `${instance}/id/${this.opts.orgId}/${userId}`;
    return {
      status: 200,
      body: {
        access_token: this.issueAccessToken(userId),
        ...(withRefresh ? { refresh_token: this.issueRefreshToken(userId) } : {}),
        instance_url: instance,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
        signature: createHmac('sha256', this.opts.clientSecret)
          .update(id + issuedAt)
          .digest('base64'),
        scope: 'api refresh_token',
      },
    };
  }

  private checkClient(p: Record<string, string>, secretRequired: boolean): TokenResult | null {
    if (p.client_id !== this.opts.clientId) {
      return oauthError('invalid_client_id', 'client identifier invalid');
    }
    if ((secretRequired || p.client_secret) && p.client_secret !== this.opts.clientSecret) {
      return oauthError('invalid_client', 'invalid client credentials');
    }
    return null;
  }

  handleToken(p: Record<string, string>): TokenResult {
    switch (p.grant_type) {
      case 'client_credentials':
        return this.checkClient(p, true) ?? this.grant(this.integrationUser.id, false);
      case 'password': {
        const bad = this.checkClient(p, true);
        if (bad) return bad;
        const user = this.opts.users.find(
          (u) => u.username === p.username && u.password !== undefined && u.password === p.password,
        );
        return user
          ? this.grant(user.id, false)
          : oauthError('invalid_grant', 'authentication failure');
      }
      case 'refresh_token': {
        const bad = this.checkClient(p, false);
        if (bad) return bad;
        const userId = this.refreshTokens.get(p.refresh_token ?? '');
        return userId
          ? this.grant(userId, false)
          : oauthError('invalid_grant', 'expired access/refresh token');
      }
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
        return this.jwtBearer(p.assertion ?? '');
      default:
        return oauthError('unsupported_grant_type', 'grant type not supported');
    }
  }

  private jwtBearer(assertion: string): TokenResult {
    const parts = assertion.split('.');
    const header = b64json(parts[0]);
    const claims = b64json(parts[1]);
    if (parts.length !== 3 || !header || !claims) {
      return oauthError('invalid_grant', 'invalid assertion');
    }
    if (header.alg !== 'RS256') return oauthError('invalid_grant', 'invalid assertion: alg');
    if (claims.iss !== this.opts.clientId) {
      return oauthError('invalid_client_id', 'client identifier invalid');
    }
    const audiences = [
      'https://login.salesforce.com',
      'https://test.salesforce.com',
      this.opts.instanceUrl(),
    ];
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud.replace(/\/$/, ''))) {
      return oauthError('invalid_grant', 'audience is invalid');
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) {
      return oauthError('invalid_grant', 'expired authorization code');
    }
    if (this.opts.jwtPublicKey) {
      const ok = verify(
        'RSA-SHA256',
        Buffer.from(`${parts[0]}.${parts[1]}`),
        this.opts.jwtPublicKey,
        Buffer.from(parts[2] ?? '', 'base64url'),
      );
      if (!ok) return oauthError('invalid_grant', 'invalid assertion: signature');
    }
    const user = this.opts.users.find((u) => u.username === claims.sub);
    if (!user) return oauthError('invalid_grant', "user hasn't approved this consumer");
    return this.grant(user.id, false);
  }

  register(app: FastifyInstance): void {
    app.post('/services/oauth2/token', async (req, reply) => {
      const res = this.handleToken((req.body ?? {}) as Record<string, string>);
      return reply.code(res.status).send(res.body);
    });
    app.post('/services/oauth2/revoke', async (req, reply) => {
      const token = ((req.body ?? {}) as Record<string, string>).token ?? '';
      const known = this.sessions.delete(token) || this.refreshTokens.delete(token);
      return known ? reply.code(200).send() : reply.code(400).send('error=invalid_token');
    });
    app.get<{ Params: { org: string; user: string } }>('/id/:org/:user', async (req, reply) => {
      const user = this.opts.users.find((u) => u.id === req.params.user);
      if (!user || req.params.org !== this.opts.orgId) return reply.code(404).send('Bad_Id');
      return {
        id: `${this.opts.instanceUrl()}/id/${this.opts.orgId}/${user.id}`,
        user_id: user.id,
        organization_id: this.opts.orgId,
        username: user.username,
        display_name: user.name ?? user.username,
        email: user.email ?? user.username,
      };
    });
  }
}

export const defaultUsers = (): SfUser[] => [
  {
    id: makeId('005', 1_000_001),
    username: 'integration@emulator.example',
    password: 'password',
    name: 'Integration User',
  },
  { id: makeId('005', 1_000_002), username: 'ui.user@emulator.example', name: 'UI User' },
];
