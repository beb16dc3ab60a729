/**
 * Keep secrets out of journals: captured command output and rendered commands are scrubbed of the
 * values of secret-looking environment variables and of `password=...`-style assignments.
 */
const SECRET_NAME = /(PASS(WORD)?|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY)/i;

export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([k, v]) => SECRET_NAME.test(k) && typeof v === 'string' && v.length >= 4)
    .map(([, v]) => v as string);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  // --password=x, password: x, ETCDCTL_PASSWORD=x, --user=name:x
  out = out.replace(/((?:password|passwd|secret|token)[A-Z_]*["']?\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1[redacted]');
  out = out.replace(/(--user[= ]\S+?:)\S+/g, '$1[redacted]');
  return out;
}

/** The last `max` bytes of a text, on a line boundary when possible. */
export function tail(text: string, max = 4096): string {
  if (text.length <= max) return text;
  const cut = text.slice(text.length - max);
  const nl = cut.indexOf('\n');
  return '…' + (nl >= 0 && nl < 200 ? cut.slice(nl + 1) : cut);
}
