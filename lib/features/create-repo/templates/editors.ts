import type { GitignoreTemplate } from '../gitignore';

/**
 * Editors and IDEs: per-user state, caches and backups. Written for this project; where an editor
 * keeps files teams share (VS Code's settings, launch and tasks), those are kept.
 */
export const EDITOR_TEMPLATES: readonly GitignoreTemplate[] = [
  {
    id: 'jetbrains',
    name: 'JetBrains',
    kind: 'editor',
    keywords: [
      'intellij',
      'idea',
      'webstorm',
      'pycharm',
      'rider',
      'goland',
      'clion',
      'phpstorm',
      'rubymine',
      'android studio',
      'fleet',
    ],
    body: `
# Project settings and per-user state
.idea/
*.iml
*.ipr
*.iws
.idea_modules/

# Build output of IntelliJ and CLion
out/
cmake-build-*/

# Fleet
.fleet/

# HTTP client private environment
http-client.private.env.json
`,
  },
  {
    id: 'vscode',
    name: 'VS Code',
    kind: 'editor',
    keywords: ['visual studio code', 'vscode', 'code', 'vscodium', 'cursor'],
    body: `
# Workspace settings: keep the shared ones
.vscode/*
!.vscode/settings.json
!.vscode/tasks.json
!.vscode/launch.json
!.vscode/extensions.json
!.vscode/*.code-snippets

# Local history extension
.history/

# Packaged extensions
*.vsix
`,
  },
  {
    id: 'visualstudio',
    name: 'Visual Studio',
    kind: 'editor',
    keywords: ['msvc', 'vs', 'c#', 'c++', '.net', 'windows'],
    body: `
# Solution state and per-user files
.vs/
*.suo
*.user
*.userosscache
*.sln.docstates
*.rsuser

# Build output
[Dd]ebug/
[Rr]elease/
x64/
x86/
[Bb]in/
[Oo]bj/

# IntelliSense and browse databases
ipch/
*.aps
*.ncb
*.opendb
*.opensdf
*.sdf
*.cachefile
*.VC.db
*.VC.VC.opendb

# Profiler and code analysis output
*.psess
*.vsp
*.vspx
*.sap
*.e2e
*.coverage
*.coveragexml

# Test results
[Tt]est[Rr]esult*/
*.trx
`,
  },
  {
    id: 'eclipse',
    name: 'Eclipse',
    kind: 'editor',
    keywords: ['sts', 'spring tool suite', 'jdt', 'java'],
    body: `
# Workspace metadata and per-project settings
.metadata/
.settings/
.recommenders/
.project
.classpath
.factorypath
.loadpath

# Annotation processing output
.apt_generated/
.apt_generated_test/

# Build output
bin/
tmp/
`,
  },
  {
    id: 'vim',
    name: 'Vim',
    kind: 'editor',
    keywords: ['neovim', 'nvim', 'vi'],
    body: `
# Swap files
[._]*.sw[a-p]
[._]sw[a-p]

# Undo files and sessions
[._]*.un~
Session.vim
Sessionx.vim
.netrwhist

# Backups
*~
`,
  },
  {
    id: 'emacs',
    name: 'Emacs',
    kind: 'editor',
    keywords: ['spacemacs', 'doom emacs', 'elisp'],
    body: `
# Backups and auto-save files
*~
\\#*\\#
.\\#*
auto-save-list/

# Compiled Emacs Lisp
*.elc

# Desktop sessions and TRAMP history
.emacs.desktop
.emacs.desktop.lock
tramp

# Org mode ids and archives
.org-id-locations
*_archive

# Flycheck temporary files
flycheck_*.el
`,
  },
  {
    id: 'sublime',
    name: 'Sublime Text',
    kind: 'editor',
    keywords: ['sublime', 'st3', 'st4'],
    body: `
# Per-user workspace
*.sublime-workspace

# Caches
*.tmlanguage.cache
*.tmPreferences.cache
*.stTheme.cache

# SFTP plugin configuration (holds passwords)
sftp-config.json
sftp-config-alt*.json
`,
  },
];
