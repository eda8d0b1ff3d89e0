import type { PluginTarget, StopPlugin } from './plugin-target.js';

/** File types whose links `outboundLinks` counts as downloads by default. */
export const DOWNLOAD_EXTENSIONS: RegExp =
  /\.(pdf|zip|gz|tgz|rar|7z|dmg|exe|msi|pkg|apk|docx?|xlsx?|pptx?|odt|csv|txt|mp3|wav|mp4|mov|avi|webm)$/i;

/**
 * Records `Outbound Link Clicked` ({ url }) for links to another host, and `File Downloaded`
 * ({ url }) for same-site links with a `download` attribute or a file extension that
 * `downloads` matches. Left, middle and keyboard clicks count. The tag's own page-leave flush
 * delivers the event when the link navigates away.
 */
export const outboundLinks = (
  tracker: PluginTarget,
  downloads: RegExp = DOWNLOAD_EXTENSIONS,
): StopPlugin => {
  const onClick = (event: Event): void => {
    try {
      const link = (event.target as Element).closest('a[href]') as HTMLAnchorElement | null;
      if (!link || !/^https?:$/.test(link.protocol)) return;
      const url = link.href;
      if (link.host !== location.host) tracker.track('Outbound Link Clicked', { url });
      else if (link.hasAttribute('download') || downloads.test(link.pathname))
        tracker.track('File Downloaded', { url });
    } catch {}
  };
  addEventListener('click', onClick, true);
  addEventListener('auxclick', onClick, true);
  return () => {
    removeEventListener('click', onClick, true);
    removeEventListener('auxclick', onClick, true);
  };
};
