const preconnected = new Set<string>();

/** One `<link rel="preconnect">` per origin per page; none for the page's own origin. */
export function preconnect(origin: string, anonymous: boolean): void {
  const key = `${anonymous}|${origin}`;
  if (origin === location.origin || origin === 'null' || preconnected.has(key)) return;
  preconnected.add(key);
  const link = document.createElement('link');
  link.rel = 'preconnect';
  link.href = origin;
  if (anonymous) link.crossOrigin = 'anonymous';
  document.head.append(link);
}
