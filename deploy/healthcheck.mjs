// The container's health check (HEALTHCHECK in the Dockerfile, healthcheck in compose.yaml):
// exit 0 when sluice's /readyz answers 200, 1 otherwise (not listening, 503 while the forwarder
// cannot upload, or no answer within 3 s). Plain Node, no curl in the image.
// SLUICE_HEALTHCHECK_URL overrides the address (e.g. https://127.0.0.1:8443/readyz with TLS).
const url =
  process.env.SLUICE_HEALTHCHECK_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}/readyz`;
try {
  const answer = await fetch(url, { signal: AbortSignal.timeout(3000) });
  process.exitCode = answer.status === 200 ? 0 : 1;
} catch {
  process.exitCode = 1;
}
