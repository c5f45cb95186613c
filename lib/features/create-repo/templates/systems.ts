import type { GitignoreTemplate } from '../gitignore';

/** Operating systems: files their desktops and file systems leave in folders. Written for this project. */
export const SYSTEM_TEMPLATES: readonly GitignoreTemplate[] = [
  {
    id: 'macos',
    name: 'macOS',
    kind: 'os',
    keywords: ['mac', 'osx', 'os x', 'apple', 'finder', 'ds_store'],
    body: `
# Finder
.DS_Store
.AppleDouble
.LSOverride

# Resource forks on non-Apple file systems
._*

# Volume metadata
.DocumentRevisions-V100
.fseventsd
.Spotlight-V100
.TemporaryItems
.Trashes
.VolumeIcon.icns
.com.apple.timemachine.donotpresent

# AFP shares
.AppleDB
.AppleDesktop
Network Trash Folder
Temporary Items
.apdisk
`,
  },
  {
    id: 'windows',
    name: 'Windows',
    kind: 'os',
    keywords: ['win', 'explorer', 'thumbs.db', 'microsoft'],
    body: `
# Thumbnail caches
Thumbs.db
Thumbs.db:encryptable
ehthumbs.db
ehthumbs_vista.db

# Folder settings
[Dd]esktop.ini

# Recycle bin on shared drives
$RECYCLE.BIN/

# Crash dumps of Cygwin and MSYS programs
*.stackdump

# Installers
*.cab
*.msi
*.msix
*.msm
*.msp

# Shortcuts
*.lnk
`,
  },
  {
    id: 'linux',
    name: 'Linux',
    kind: 'os',
    keywords: ['gnome', 'kde', 'unix', 'ubuntu', 'debian', 'fedora'],
    body: `
# Editor backups
*~

# Files kept open after deletion (FUSE and NFS)
.fuse_hidden*
.nfs*

# KDE folder view settings
.directory

# Trash folders on removable media
.Trash-*
`,
  },
];
