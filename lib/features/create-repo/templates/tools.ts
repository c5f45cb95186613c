import type { GitignoreTemplate } from '../gitignore';

/**
 * Frameworks, build tools and platforms: their build directories, caches, generated files and
 * local or secret configuration. Written for this project from each tool's documented layout.
 */
export const TOOL_TEMPLATES: readonly GitignoreTemplate[] = [
  {
    id: 'maven',
    name: 'Maven',
    kind: 'tool',
    keywords: ['mvn', 'pom', 'java', 'apache maven'],
    body: `
# Build output
target/

# Release and versions plugin backups
pom.xml.tag
pom.xml.releaseBackup
pom.xml.versionsBackup
pom.xml.next
release.properties

# Generated POMs and build numbers
dependency-reduced-pom.xml
.flattened-pom.xml
buildNumber.properties

# Maven wrapper: keep its jar, ignore local timing data
!.mvn/wrapper/maven-wrapper.jar
.mvn/timing.properties
`,
  },
  {
    id: 'gradle',
    name: 'Gradle',
    kind: 'tool',
    keywords: ['gradlew', 'java', 'kotlin', 'groovy', 'build.gradle'],
    body: `
# Gradle state and build output
.gradle/
build/
.gradletasknamecache

# Keep the wrapper's jar
!gradle/wrapper/gradle-wrapper.jar

# Kotlin compiler state
.kotlin/

# Local machine configuration
local.properties
`,
  },
  {
    id: 'android',
    name: 'Android',
    kind: 'tool',
    keywords: ['android studio', 'apk', 'aab', 'gradle', 'kotlin', 'mobile'],
    body: `
# Build output
build/
.gradle/
captures/
.externalNativeBuild/
.cxx/
output-metadata.json

# Packages
*.apk
*.aab
*.ap_
*.dex

# Local machine configuration (SDK path)
local.properties

# Android Studio per-user files
*.iml
.idea/caches/
.idea/libraries/
.idea/modules.xml
.idea/workspace.xml
.idea/navEditor.xml
.idea/assetWizardSettings.xml
.idea/deploymentTargetDropDown.xml
.navigation/

# Signing keys
*.jks
*.keystore

# Lint and test output
lint/intermediates/
lint/generated/
lint/outputs/
lint/tmp/

# Logs
*.log
`,
  },
  {
    id: 'unity',
    name: 'Unity',
    kind: 'tool',
    keywords: ['game', 'unity3d', 'c#', 'gamedev'],
    body: `
# Folders Unity regenerates
/[Ll]ibrary/
/[Tt]emp/
/[Oo]bj/
/[Bb]uild/
/[Bb]uilds/
/[Ll]ogs/
/[Uu]ser[Ss]ettings/
/[Mm]emoryCaptures/
/[Rr]ecordings/

# IDE project files Unity generates at the project root
/*.csproj
/*.unityproj
/*.sln
*.suo
*.user
*.userprefs
*.pidb
*.booproj
*.svd
*.pdb
*.mdb
*.opendb
*.VC.db
.vs/

# Meta files of generated debug symbols
*.pidb.meta
*.pdb.meta
*.mdb.meta

# Builds and exported packages
*.apk
*.aab
*.unitypackage
*.app

# Crash reports and Addressables build output
sysinfo.txt
crashlytics-build.properties
/[Aa]ssets/[Ss]treamingAssets/aa.meta
/[Aa]ssets/[Ss]treamingAssets/aa/*
`,
  },
  {
    id: 'terraform',
    name: 'Terraform',
    kind: 'tool',
    keywords: ['opentofu', 'tofu', 'hcl', 'infrastructure', 'iac', 'hashicorp'],
    body: `
# Providers and modules downloaded by init (commit .terraform.lock.hcl)
.terraform/

# State: holds secrets, keep it in a remote backend
*.tfstate
*.tfstate.*
.terraform.tfstate.lock.info

# Plans
*.tfplan

# Crash logs
crash.log
crash.*.log

# Variable files often hold secrets
*.tfvars
*.tfvars.json

# Local overrides
override.tf
override.tf.json
*_override.tf
*_override.tf.json

# CLI configuration
.terraformrc
terraform.rc
`,
  },
  {
    id: 'bazel',
    name: 'Bazel',
    kind: 'tool',
    keywords: ['bazelisk', 'blaze', 'starlark', 'monorepo'],
    body: `
# Output links Bazel makes in the workspace root
/bazel-*

# Per-user flags
user.bazelrc
.bazelrc.user

# IDE plugin state
.ijwb/
.clwb/
.aswb/
`,
  },
  {
    id: 'nix',
    name: 'Nix',
    kind: 'tool',
    keywords: ['nixos', 'flake', 'direnv', 'devenv'],
    body: `
# Build result links nix-build leaves in the working directory
/result
/result-*

# direnv and devenv state
.direnv/
.devenv/
`,
  },
  {
    id: 'jupyter',
    name: 'Jupyter',
    kind: 'tool',
    keywords: ['notebook', 'ipython', 'jupyterlab', 'ipynb', 'data science'],
    body: `
# Checkpoints
.ipynb_checkpoints/

# IPython profile and configuration
profile_default/
ipython_config.py

# JupyterLab workspaces
.jupyter/lab/workspaces/
`,
  },
];
