/**
 * Debian package versions -> upstream etcd versions. A Debian version is `[epoch:]upstream[-revision]`
 * (Debian Policy 5.6.12); the upstream part may carry repack suffixes (`+dfsg`, `+ds1`), binNMU
 * suffixes live in the revision (`-6+b6`), `~` sorts before release (`3.6.0~rc.1`) and `+really`
 * marks a package that carries an older upstream than its number says (`3.5.1+really3.5.0`).
 */

/** The etcd release a Debian package version carries, e.g. `3.3.25+dfsg-6+b6` -> `3.3.25`; undefined if none. */
export function upstreamFromDebian(debianVersion: string): string | undefined {
  let v = debianVersion.trim();
  const colon = v.indexOf(':');
  if (colon >= 0 && /^\d+$/.test(v.slice(0, colon))) v = v.slice(colon + 1);
  // The revision follows the LAST hyphen; upstream parts may contain hyphens only if a revision exists.
  const dash = v.lastIndexOf('-');
  if (dash > 0) v = v.slice(0, dash);
  const really = v.lastIndexOf('+really');
  if (really >= 0) v = v.slice(really + '+really'.length).replace(/^[+.]/, '');
  const m = /^(\d+\.\d+\.\d+)(~(?:alpha|beta|rc)[.]?\d+)?/.exec(v);
  if (!m) return undefined;
  return m[2] ? `${m[1]}-${m[2].slice(1).replace(/^(alpha|beta|rc)(\d)/, '$1.$2')}` : m[1];
}
