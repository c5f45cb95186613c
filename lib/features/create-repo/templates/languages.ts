import type { GitignoreTemplate } from '../gitignore';

/**
 * Languages and runtimes: what their compilers, package managers and test tools write into a
 * working copy. Written for this project from each tool's documented output locations.
 */
export const LANGUAGE_TEMPLATES: readonly GitignoreTemplate[] = [
  {
    id: 'node',
    name: 'Node',
    kind: 'language',
    keywords: [
      'node.js',
      'nodejs',
      'javascript',
      'typescript',
      'npm',
      'yarn',
      'pnpm',
      'js',
      'ts',
      'react',
      'vue',
    ],
    body: `
# Dependencies
node_modules/
jspm_packages/
.pnpm-store/

# Package manager logs and caches
npm-debug.log*
yarn-debug.log*
yarn-error.log*
pnpm-debug.log*
lerna-debug.log*
.npm/
.yarn/cache/
.yarn/unplugged/
.yarn/build-state.yml
.yarn/install-state.gz
.pnp.*

# Build output
dist/
build/
out/
.next/
.nuxt/
.output/
.svelte-kit/
.turbo/
.parcel-cache/
.vite/
*.tsbuildinfo

# Test coverage
coverage/
.nyc_output/

# Caches of linters and tools
.eslintcache
.stylelintcache
.cache/

# Local environment (keep an example file)
.env
.env.*
!.env.example

# Logs
logs/
*.log
`,
  },
  {
    id: 'python',
    name: 'Python',
    kind: 'language',
    keywords: ['pip', 'poetry', 'pdm', 'uv', 'django', 'flask', 'pytest', 'venv', 'py'],
    body: `
# Byte code
__pycache__/
*.py[cod]
*$py.class

# C extensions
*.so

# Packaging
build/
dist/
wheels/
sdist/
*.egg-info/
*.egg
.eggs/
MANIFEST
__pypackages__/

# Virtual environments
.venv/
venv/
env/
ENV/

# Tests and coverage
.pytest_cache/
.tox/
.nox/
.coverage
.coverage.*
coverage.xml
htmlcov/
.hypothesis/

# Type checkers and linters
.mypy_cache/
.dmypy.json
.pyre/
.pytype/
.ruff_cache/

# Notebooks
.ipynb_checkpoints/

# Django and Flask local files
*.sqlite3
instance/
local_settings.py

# Local environment
.env
`,
  },
  {
    id: 'java',
    name: 'Java',
    kind: 'language',
    keywords: ['jvm', 'jdk', 'spring', 'jakarta'],
    body: `
# Compiled classes
*.class

# Archives (the Gradle and Maven wrappers' own jars are kept)
*.jar
*.war
*.ear
*.nar
!gradle/wrapper/gradle-wrapper.jar
!.mvn/wrapper/maven-wrapper.jar

# JVM crash and replay logs
hs_err_pid*
replay_pid*

# IDE build output
bin/
out/

# Logs
*.log
`,
  },
  {
    id: 'kotlin',
    name: 'Kotlin',
    kind: 'language',
    keywords: ['kt', 'jvm', 'ktor', 'multiplatform', 'kmp'],
    body: `
# Compiled classes
*.class

# Archives (the Gradle wrapper's own jar is kept)
*.jar
*.war
*.ear
!gradle/wrapper/gradle-wrapper.jar

# JVM crash and replay logs
hs_err_pid*
replay_pid*

# Kotlin compiler and Gradle state
.kotlin/
.gradle/
build/

# IDE build output
out/
`,
  },
  {
    id: 'scala',
    name: 'Scala',
    kind: 'language',
    keywords: ['sbt', 'mill', 'metals', 'bloop', 'jvm'],
    body: `
# Compiled classes
*.class

# sbt and Mill output
target/
project/project/
out/

# Build servers and language server
.bsp/
.bloop/
.metals/
metals.sbt
.scala-build/

# Logs
*.log
`,
  },
  {
    id: 'go',
    name: 'Go',
    kind: 'language',
    keywords: ['golang'],
    body: `
# Binaries
*.exe
*.exe~
*.dll
*.so
*.dylib

# Test binaries, profiles and coverage
*.test
*.out
*.prof
*.coverprofile
coverage.txt
coverage.html

# Local workspace files
go.work
go.work.sum

# Local environment
.env
`,
  },
  {
    id: 'rust',
    name: 'Rust',
    kind: 'language',
    keywords: ['cargo', 'rustc', 'crate'],
    body: `
# Build output
target/

# Backups left by rustfmt
**/*.rs.bk

# Debug information on Windows
*.pdb

# cargo-mutants output
mutants.out*/
`,
  },
  {
    id: 'c',
    name: 'C',
    kind: 'language',
    keywords: ['gcc', 'clang', 'make', 'cmake', 'embedded'],
    body: `
# Object files
*.o
*.ko
*.obj
*.elf

# Precompiled headers
*.gch
*.pch

# Static and shared libraries
*.a
*.la
*.lo
*.lib
*.dll
*.so
*.so.*
*.dylib

# Executables
*.exe
*.out
*.app
*.hex

# Linker and debug output
*.map
*.exp
*.ilk
*.pdb
*.idb
*.dSYM/
*.su

# Dependency files written by -MD
*.d

# CMake build trees
build/
cmake-build-*/
CMakeFiles/
CMakeCache.txt
cmake_install.cmake
CTestTestfile.cmake
_deps/

# Autotools output
.deps/
.libs/
config.log
config.status
autom4te.cache/
`,
  },
  {
    id: 'cpp',
    name: 'C++',
    kind: 'language',
    keywords: ['cpp', 'cxx', 'g++', 'clang++', 'cmake', 'conan', 'vcpkg', 'qt'],
    body: `
# Object files
*.o
*.obj
*.slo
*.lo

# Precompiled headers and modules
*.gch
*.pch
*.pcm
*.ifc

# Static and shared libraries
*.a
*.la
*.lai
*.lib
*.dll
*.so
*.so.*
*.dylib

# Executables
*.exe
*.out
*.app

# Linker and debug output
*.map
*.ilk
*.pdb
*.dSYM/

# Dependency files written by -MD
*.d

# CMake build trees
build/
cmake-build-*/
CMakeFiles/
CMakeCache.txt
cmake_install.cmake
CTestTestfile.cmake
_deps/

# Package managers
conan.lock.tmp
CMakeUserPresets.json
vcpkg_installed/

# Qt
moc_*.cpp
qrc_*.cpp
ui_*.h
*.pro.user
*.pro.user.*

# clangd index
.cache/clangd/
`,
  },
  {
    id: 'dotnet',
    name: '.NET (C#)',
    kind: 'language',
    keywords: ['c#', 'csharp', 'f#', 'fsharp', 'vb.net', 'asp.net', 'dotnet', 'nuget', 'msbuild'],
    body: `
# Build output
[Bb]in/
[Oo]bj/
[Dd]ebug/
[Rr]elease/
x64/
x86/
[Aa][Rr][Mm]64/
artifacts/
[Ll]og/
[Ll]ogs/

# User-specific project files
*.user
*.rsuser
*.suo
*.userosscache
*.sln.docstates

# NuGet
*.nupkg
*.snupkg
**/[Pp]ackages/*
!**/[Pp]ackages/build/
*.nuget.props
*.nuget.targets
project.lock.json
project.fragment.lock.json

# Tests and coverage
[Tt]est[Rr]esult*/
*.trx
*.coverage
*.coveragexml
coverage.json
coverage.cobertura.xml
coverage.opencover.xml

# Per-user publish settings
*.pubxml.user

# ReSharper and Rider user state
_ReSharper*/
*.DotSettings.user
`,
  },
  {
    id: 'ruby',
    name: 'Ruby',
    kind: 'language',
    keywords: ['rails', 'bundler', 'gem', 'rspec', 'rb'],
    body: `
# Gems and compiled files
*.gem
*.rbc
/pkg/

# Bundler
/.bundle/
/vendor/bundle/

# Tests and coverage
/coverage/
/spec/reports/
/spec/examples.txt
/test/tmp/

# Documentation
/.yardoc/
/_yardoc/
/doc/
/rdoc/

# Rails logs, temporary files and uploads (the .keep files are kept)
/log/*
/tmp/*
/storage/*
!/log/.keep
!/tmp/.keep
!/storage/.keep
/public/assets/
/public/packs/
/node_modules/

# Secrets and local environment
/config/master.key
/config/credentials/*.key
.env

# Debugger history
.byebug_history
`,
  },
  {
    id: 'php',
    name: 'PHP',
    kind: 'language',
    keywords: ['composer', 'laravel', 'symfony', 'phpunit', 'wordpress'],
    body: `
# Composer
/vendor/
composer.phar

# Tool caches
.phpunit.result.cache
.phpunit.cache/
.php-cs-fixer.cache
.php_cs.cache
.phpstan/
.psalm/

# Framework caches, logs and uploads
/var/
/storage/*.key
/bootstrap/cache/*.php
/public/storage
/public/hot
/public/bundles/

# Local environment
.env
.env.local
.env.*.local
`,
  },
  {
    id: 'swift',
    name: 'Swift / Xcode',
    kind: 'language',
    keywords: [
      'swift',
      'xcode',
      'ios',
      'macos app',
      'objective-c',
      'objc',
      'cocoapods',
      'carthage',
      'spm',
      'apple',
    ],
    body: `
# Xcode user state
xcuserdata/
*.xcuserstate
*.xcscmblueprint
*.xccheckout

# Build output
build/
DerivedData/
*.moved-aside
*.hmap
*.ipa
*.dSYM
*.dSYM.zip

# Swift Package Manager
.build/
.swiftpm/

# CocoaPods (uncomment if you don't commit the pods)
# Pods/

# Carthage
Carthage/Build/
Carthage/Checkouts/

# fastlane
fastlane/report.xml
fastlane/Preview.html
fastlane/screenshots/**/*.png
fastlane/test_output/

# Playgrounds
timeline.xctimeline
playground.xcworkspace
`,
  },
  {
    id: 'dart',
    name: 'Dart / Flutter',
    kind: 'language',
    keywords: ['dart', 'flutter', 'pub'],
    body: `
# Dart tools and packages
.dart_tool/
.packages
.pub-cache/
.pub/

# Build output
build/

# Flutter plugin registrations (generated)
.flutter-plugins
.flutter-plugins-dependencies

# Flutter platform folders: generated and local files
**/android/local.properties
**/android/.gradle/
**/ios/Flutter/Generated.xcconfig
**/ios/Flutter/flutter_export_environment.sh
**/ios/Pods/

# Coverage
coverage/
`,
  },
  {
    id: 'elixir',
    name: 'Elixir',
    kind: 'language',
    keywords: ['mix', 'erlang', 'phoenix', 'beam', 'otp'],
    body: `
# Build output and dependencies
/_build/
/deps/
*.ez
*.beam

# Coverage and documentation
/cover/
/doc/

# Crash dumps and temporary files
erl_crash.dump
/tmp/
/.fetch

# Language server
.elixir_ls/
`,
  },
  {
    id: 'haskell',
    name: 'Haskell',
    kind: 'language',
    keywords: ['cabal', 'stack', 'ghc'],
    body: `
# Build output
dist/
dist-newstyle/
.stack-work/

# Compiler output
*.o
*.hi
*.dyn_o
*.dyn_hi
*.p_o
*.p_hi

# Profiling output
*.prof
*.hp
*.eventlog

# Local configuration
cabal.project.local
cabal.project.local~
.ghc.environment.*
.hie/
`,
  },
  {
    id: 'r',
    name: 'R',
    kind: 'language',
    keywords: ['rstudio', 'cran', 'shiny', 'rmarkdown', 'statistics'],
    body: `
# Session history and workspace
.Rhistory
.Rapp.history
.RData
.RDataTmp
.Ruserdata

# RStudio
.Rproj.user/

# Package checks and builds
*.Rcheck/
/*.tar.gz
*-Ex.R

# Knitted vignettes
vignettes/*.html
vignettes/*.pdf

# Deployment and credentials
rsconnect/
.httr-oauth
`,
  },
  {
    id: 'zig',
    name: 'Zig',
    kind: 'language',
    keywords: ['zig build'],
    body: `
# Build cache and output
.zig-cache/
zig-cache/
zig-out/
`,
  },
];
