import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, unauthenticated } from '../errors';
import { authenticate } from '../services/accounts';
import { SESSION_DAYS } from '../services/sessions';
import type { Principal } from '../services/types';

export const SESSION_COOKIE = 'plenary_session';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The signed-in principal, or 401. */
export function requireUser(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated();
  return request.principal;
}

/**
 * Route `onRequest` hook for endpoints that need a signed-in caller: answers
 * 401 before the body is parsed or validated, so an anonymous caller learns
 * nothing about the schema and always gets the same answer.
 */
export async function signedIn(request: FastifyRequest): Promise<void> {
  requireUser(request);
}

/** The origin this server answers on: PUBLIC_URL's when set, else the request's own. */
export function requestOrigin(request: FastifyRequest, publicUrl: string | null): string {
  return publicUrl ? new URL(publicUrl).origin : `${request.protocol}://${request.host}`;
}

/**
 * Resolves the session cookie or bearer token on every API request, and
 * applies the contract's CSRF rule: a cookie-authenticated write must carry
 * an Origin naming this server. Bearer requests are exempt.
 */
export default fp(
  async (app) => {
    await app.register(cookie);
    app.decorateRequest('principal', null);

    app.addHook('onRequest', async (request) => {
      const url = request.url;
      if (!url.startsWith('/api/')) return;
      const header = request.headers.authorization;
      const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
      const sessionToken = request.cookies[SESSION_COOKIE];
      request.principal = await authenticate(app.ctx, bearer ? { apiToken: bearer } : { sessionToken });
      if (request.principal?.via === 'cookie' && UNSAFE.has(request.method)) {
        const origin = request.headers.origin;
        if (!origin || !sameOrigin(origin, request, app.ctx.config.publicUrl)) {
          throw new AppError(
            403,
            'csrf_rejected',
            'cross-site request refused: send an Origin header naming this server',
          );
        }
      }
    });
  },
  { name: 'plenary-auth', dependencies: ['plenary-context'] },
);

/** Does an Origin header name this server? */
export function sameOrigin(origin: string, request: FastifyRequest, publicUrl: string | null): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (publicUrl) return parsed.origin === new URL(publicUrl).origin;
  try {
    // Normalised through URL so that `localhost:80` and `localhost` compare equal.
    return parsed.host === new URL(`${parsed.protocol}//${request.host}`).host;
  } catch {
    return false;
  }
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when served over https. */
export function setSessionCookie(reply: FastifyReply, token: string, publicUrl: string | null): void {
  const secure = publicUrl ? publicUrl.startsWith('https:') : reply.request.protocol === 'https';
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: SESSION_DAYS * 86_400,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
