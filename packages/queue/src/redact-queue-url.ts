/**
 * A queue URL fit for a log line: without its query and, for NATS, without the credentials in
 * user info (`nats://user:secret@host` becomes `nats://***@host`).
 */
export function redactQueueUrl(url: string): string {
  const base = url.replace(/\?.*/s, '');
  if (!/^(nats|tls):\/\//i.test(base)) return base;
  return base
    .split(',')
    .map((server) => server.replace(/^([a-z]+:\/\/)?[^@/]*@/i, '$1***@'))
    .join(',');
}
