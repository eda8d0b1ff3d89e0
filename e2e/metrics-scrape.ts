// Reads Prometheus text as a test sees it: the value of a sample, the metric names exported.

/** Fetches `url` (a /metrics) and returns its text. */
export async function scrape(url: string): Promise<string> {
  const answer = await fetch(url);
  if (answer.status !== 200) throw new Error(`${url} answered ${answer.status}`);
  return answer.text();
}

/** The value of the sample `name{labels}` (labels exactly as printed, e.g. `{call="upload"}`). */
export function sampleOf(text: string, name: string, labels = ''): number | undefined {
  const prefix = `${name}${labels} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

/**
 * Every metric name exported: those declared by `# TYPE` (with a histogram's _bucket, _sum and
 * _count series, which a labelled one only prints once observed) and those of samples.
 */
export function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) (\S+)/.exec(line);
    if (declared) {
      const [, name, type] = declared as unknown as [string, string, string];
      names.add(name);
      if (type === 'histogram')
        for (const series of ['_bucket', '_sum', '_count']) names.add(name + series);
    } else if (line && !line.startsWith('#')) names.add(/^[^{\s]+/.exec(line)![0]);
  }
  return names;
}
