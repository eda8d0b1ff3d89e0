// Permissions of the log's files and folders. Records are personal data, so by default only
// the owner may read them (0o600 files, 0o700 folders); a deployment whose backup or analysis
// user shares the owner's group can widen this to 0o640/0o750. The umask still applies.

export interface FileModes {
  /** Segments and consumer files. Default 0o600. */
  fileMode?: number;
  /** The log's folders. Default 0o700. */
  dirMode?: number;
}

export const PRIVATE_MODES: Required<FileModes> = { fileMode: 0o600, dirMode: 0o700 };

/** The modes to use: the given ones, else owner-only. */
export function resolveModes(modes: FileModes = {}): Required<FileModes> {
  return {
    fileMode: modes.fileMode ?? PRIVATE_MODES.fileMode,
    dirMode: modes.dirMode ?? PRIVATE_MODES.dirMode,
  };
}
