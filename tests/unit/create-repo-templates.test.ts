import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  combineGitignore,
  type GitignoreTemplate,
  loadGitignoreTemplates,
  searchGitignoreTemplates,
} from '../../lib/features/create-repo/gitignore';

let templates: readonly GitignoreTemplate[];
beforeAll(async () => {
  templates = await loadGitignoreTemplates();
});

const rules = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const ids = (list: readonly GitignoreTemplate[]) => list.map((t) => t.id);

function template(id: string, body: string): GitignoreTemplate {
  return { id, name: id.toUpperCase(), kind: 'language', keywords: [], body };
}

describe('the bundled .gitignore templates', () => {
  it('cover the stacks the issue names, each with an id, a name and keywords', () => {
    for (const id of [
      'node',
      'python',
      'java',
      'maven',
      'gradle',
      'go',
      'rust',
      'c',
      'cpp',
      'dotnet',
      'ruby',
      'php',
      'swift',
      'kotlin',
      'android',
      'unity',
      'terraform',
      'macos',
      'windows',
      'linux',
      'jetbrains',
      'vscode',
      'visualstudio',
      'vim',
      'emacs',
    ]) {
      expect(ids(templates), id).toContain(id);
    }
    expect(new Set(ids(templates)).size).toBe(templates.length);
    expect(new Set(templates.map((t) => t.name)).size).toBe(templates.length);
    for (const t of templates) {
      expect(t.id).toMatch(/^[a-z0-9-]+$/);
      expect(t.keywords.length, t.id).toBeGreaterThan(0);
    }
  });

  it('each hold rules, none twice, without trailing spaces', () => {
    for (const t of templates) {
      const own = rules(t.body);
      expect(own.length, t.id).toBeGreaterThan(2);
      expect(new Set(own).size, `${t.id} repeats a rule`).toBe(own.length);
      for (const line of t.body.split('\n')) expect(line, t.id).toBe(line.trimEnd());
    }
  });

  it('are listed by kind: languages, then tools, editors and systems', () => {
    const order = ['language', 'tool', 'editor', 'os'];
    const kinds = templates.map((t) => order.indexOf(t.kind));
    expect(kinds).toEqual([...kinds].sort((a, b) => a - b));
  });
});

describe('combining templates into one .gitignore', () => {
  it('gives each part a header, in catalogue order whatever the order of choice', () => {
    const text = combineGitignore(templates, ['macos', 'node']);
    expect(text.startsWith('# ── Node ──\n')).toBe(true);
    expect(text).toContain('\n\n# ── macOS ──\n');
    expect(text.indexOf('node_modules/')).toBeLessThan(text.indexOf('# ── macOS ──'));
    expect(text.indexOf('.DS_Store')).toBeGreaterThan(text.indexOf('# ── macOS ──'));
    expect(combineGitignore(templates, ['node', 'macos'])).toBe(text);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
  });

  it('writes a rule once: later parts leave out what an earlier part has', () => {
    const text = combineGitignore(templates, ['c', 'cpp']);
    const all = rules(text);
    expect(new Set(all).size).toBe(all.length);
    const cpp = text.slice(text.indexOf('# ── C++ ──'));
    // Shared rules stay in the C part only; C++'s own rules are still there.
    expect(cpp).not.toContain('\n*.o\n');
    expect(cpp).not.toContain('\nbuild/\n');
    expect(cpp).toContain('\n*.pcm\n');
    expect(cpp).toContain('\nmoc_*.cpp\n');
    // A group whose rules were all written earlier goes with its comment.
    expect(cpp).not.toContain('# CMake build trees');
    expect(cpp).toContain('# Qt');
  });

  it('keeps a repeat that an opposite rule in between would otherwise change', () => {
    const a = template('a', '*.jar\n!keep.jar\nbuild/');
    const b = template('b', '*.jar\nbuild/\n!keep.jar');
    const text = combineGitignore([a, b], ['a', 'b']);
    // b's *.jar comes after a's !keep.jar: dropping it would change nothing, yet keeping it would
    // re-ignore keep.jar, so it stays, and so must b's own !keep.jar after it.
    expect(text).toBe('# ── A ──\n*.jar\n!keep.jar\nbuild/\n\n# ── B ──\n*.jar\n!keep.jar\n');
  });

  it('keeps comment-only notes, trims trailing spaces, reads CRLF, and says when a part adds nothing', () => {
    const a = template('a', '\r\n# Logs  \r\n*.log   \r\n\r\n# Uncomment to ignore pods\r\n# Pods/\r\n');
    const b = template('b', '# Logs\n*.log\n');
    expect(combineGitignore([a, b], ['b', 'a', 'unknown'])).toBe(
      '# ── A ──\n# Logs\n*.log\n\n# Uncomment to ignore pods\n# Pods/\n\n' +
        '# ── B ──\n# Every rule of this template is already above.\n',
    );
  });

  it('is empty when nothing is chosen', () => {
    expect(combineGitignore(templates, [])).toBe('');
    expect(combineGitignore(templates, ['no-such-template'])).toBe('');
  });

  it('of every template at once repeats a rule only after an opposite rule that may touch it', () => {
    const text = combineGitignore(templates, ids(templates));
    const lines = text.split('\n');
    expect(text.match(/^# ── /gm)?.length).toBe(templates.length);
    for (const rule of ['.DS_Store', '*.suo', '*.log', 'node_modules/', '*.class', '[Bb]in/', '*~']) {
      expect(
        lines.filter((l) => l === rule),
        rule,
      ).toHaveLength(1);
    }
    // .NET re-includes packages/build/; a later part's build/ ignores it again, so that one is kept.
    const builds = lines.flatMap((l, i) => (l === 'build/' ? [i] : []));
    expect(builds).toHaveLength(2);
    const reinclude = lines.indexOf('!**/[Pp]ackages/build/');
    expect(builds[0]).toBeLessThan(reinclude);
    expect(builds[1]).toBeGreaterThan(reinclude);
  });
});

describe('what git makes of a combined file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitignore-'));
    execFileSync('git', ['init', '-q', dir], { stdio: 'ignore' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The paths git ignores, of `paths`, with `.gitignore` holding `text`. */
  function ignored(text: string, paths: string[]): string[] {
    writeFileSync(join(dir, '.gitignore'), text);
    try {
      const out = execFileSync('git', ['-C', dir, 'check-ignore', '--no-index', ...paths], {
        encoding: 'utf8',
      });
      return out.split('\n').filter(Boolean);
    } catch (error) {
      // Exit status 1: none of them is ignored.
      if ((error as { status?: number }).status === 1) return [];
      throw error;
    }
  }

  it('Node + macOS: dependencies, builds, secrets and Finder files ignored; sources and examples kept', () => {
    const text = combineGitignore(templates, ['node', 'macos']);
    const paths = [
      'node_modules/left-pad/index.js',
      'dist/app.js',
      '.env',
      '.env.production',
      'src/.DS_Store',
      'npm-debug.log.1',
      'src/index.ts',
      '.env.example',
      'package.json',
      'package-lock.json',
    ];
    expect(ignored(text, paths)).toEqual(paths.slice(0, 6));
  });

  it('Java + Gradle + Maven: jars ignored but the wrappers’ jars kept', () => {
    const text = combineGitignore(templates, ['gradle', 'java', 'maven']);
    expect(
      ignored(text, [
        'lib/vendor.jar',
        'build/libs/app.jar',
        'target/classes/App.class',
        'gradle/wrapper/gradle-wrapper.jar',
        '.mvn/wrapper/maven-wrapper.jar',
        'src/main/java/App.java',
      ]),
    ).toEqual(['lib/vendor.jar', 'build/libs/app.jar', 'target/classes/App.class']);
  });

  it('every template at once still ignores no source, manifest, lock file or shared setting', () => {
    const text = combineGitignore(templates, ids(templates));
    const kept = [
      'README.md',
      'LICENSE',
      '.gitignore',
      'docs/guide.md',
      '.github/workflows/ci.yml',
      'src/index.ts',
      'package.json',
      'package-lock.json',
      'app/main.py',
      'pyproject.toml',
      'src/main/java/App.java',
      'pom.xml',
      'build.gradle.kts',
      'gradle/wrapper/gradle-wrapper.jar',
      '.mvn/wrapper/maven-wrapper.jar',
      'cmd/server/main.go',
      'coverage.go',
      'go.mod',
      'go.sum',
      'src/lib.rs',
      'Cargo.toml',
      'Cargo.lock',
      'src/util.c',
      'include/util.h',
      'CMakeLists.txt',
      'Makefile',
      'App/Program.cs',
      'App/App.csproj',
      'Gemfile.lock',
      'composer.lock',
      'Sources/App/main.swift',
      'Package.swift',
      'app/src/main/AndroidManifest.xml',
      'Assets/Scripts/Player.cs',
      'ProjectSettings/ProjectSettings.asset',
      'main.tf',
      '.terraform.lock.hcl',
      'lib/main.dart',
      'pubspec.yaml',
      'mix.exs',
      'R/analysis.R',
      '.vscode/settings.json',
      '.vscode/extensions.json',
      'Dockerfile',
      'BUILD.bazel',
      'MODULE.bazel.lock',
      'flake.nix',
      'flake.lock',
      'src/result/Result.java',
    ];
    expect(ignored(text, kept)).toEqual([]);
  });

  it.each([
    [
      'python',
      ['app/__pycache__/main.cpython-312.pyc', '.venv/bin/python', 'dist/app-1.0.whl', '.pytest_cache/v'],
    ],
    ['go', ['server.exe', 'pkg.test', 'coverage.txt']],
    ['rust', ['target/debug/app', 'src/main.rs.bk']],
    ['c', ['src/util.o', 'libutil.a', 'build/app', 'CMakeCache.txt']],
    ['dotnet', ['App/bin/Debug/net8.0/App.dll', 'App/obj/project.assets.json', 'App/App.csproj.user']],
    ['ruby', ['.bundle/config', 'log/development.log', 'tmp/cache/x']],
    ['swift', ['App.xcodeproj/xcuserdata/alice.xcuserdatad/x', '.build/debug/App', 'DerivedData/x']],
    ['android', ['app/build/outputs/apk/app.apk', 'local.properties', 'release.keystore']],
    ['unity', ['Library/ArtifactDB', 'Temp/x', 'Logs/x.log', 'Game.sln', 'Assembly-CSharp.csproj']],
    ['terraform', ['.terraform/providers/x', 'terraform.tfstate', 'terraform.tfstate.backup', 'prod.tfvars']],
    ['jetbrains', ['.idea/workspace.xml', 'app.iml']],
    ['windows', ['Thumbs.db', 'docs/desktop.ini']],
    ['linux', ['notes.txt~', '.Trash-1000/x']],
    ['vim', ['.main.c.swp', 'Session.vim']],
    ['bazel', ['bazel-bin', 'bazel-out/k8-fastbuild/bin/app', 'user.bazelrc']],
    ['nix', ['result', 'result-dev', '.direnv/flake-profile']],
  ])('%s alone ignores its tools’ output', (id, paths) => {
    expect(ignored(combineGitignore(templates, [id]), paths)).toEqual(paths);
  });

  it('VS Code + Emacs: shared workspace settings kept, personal state and auto-saves ignored', () => {
    const text = combineGitignore(templates, ['vscode', 'emacs']);
    expect(
      ignored(text, [
        '.vscode/settings.json',
        '.vscode/launch.json',
        '.vscode/chat.json',
        '#notes.org#',
        'notes.org~',
      ]),
    ).toEqual(['.vscode/chat.json', '#notes.org#', 'notes.org~']);
  });
});

describe('searching the templates', () => {
  const search = (query: string) => ids(searchGitignoreTemplates(templates, query));

  it('lists everything for an empty query, in catalogue order', () => {
    expect(search('')).toEqual(ids(templates));
    expect(search('   ')).toEqual(ids(templates));
  });

  it.each([
    ['node', 'node'],
    ['NPM', 'node'],
    ['typescript', 'node'],
    ['c#', 'dotnet'],
    ['.net', 'dotnet'],
    ['intellij', 'jetbrains'],
    ['mac', 'macos'],
    ['c', 'c'],
    ['c++', 'cpp'],
    ['Pýthon', 'python'],
    ['xcode', 'swift'],
    ['tofu', 'terraform'],
    ['visual studio', 'visualstudio'],
  ])('“%s” finds %s first', (query, id) => {
    expect(search(query)[0]).toBe(id);
  });

  it('needs every term to match, and finds nothing for an unknown word', () => {
    expect(search('visual code')).toEqual(['vscode']);
    expect(search('cobol')).toEqual([]);
  });
});
