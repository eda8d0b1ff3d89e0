// Who may read the data sluice keeps on local disk: the owner only by default (events are
// personal data), or with --shared-read the owner's group too, for a backup or analysis user.
import { Option } from 'commander';

export interface FileModes {
  fileMode: number;
  dirMode: number;
}

export const OWNER_ONLY: FileModes = { fileMode: 0o600, dirMode: 0o700 };
export const SHARED_READ: FileModes = { fileMode: 0o640, dirMode: 0o750 };

export const sharedReadOption = () =>
  new Option(
    '--shared-read',
    "let the owner's group read the data written (files 0640, folders 0750; default 0600/0700)",
  ).env('SLUICE_SHARED_READ');

/** The modes the --shared-read choice gives. */
export function fileModes(sharedRead: boolean | undefined): FileModes {
  return sharedRead ? SHARED_READ : OWNER_ONLY;
}
