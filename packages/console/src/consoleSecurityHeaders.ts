import type { NextFunction, Request, Response } from 'express';

/**
 * The console's Content-Security-Policy: scripts, styles and connections
 * from the console's own origin only, no inline script or style, no
 * framing, no plugins. Every value the pages show is set as text, and this
 * policy is the second line if one ever is not.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the console's security headers (CSP, no sniffing, no referrer, no framing) on every answer below it. */
export function consoleSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  next();
}
