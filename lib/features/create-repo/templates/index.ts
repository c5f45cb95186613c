import type { GitignoreTemplate } from '../gitignore';
import { EDITOR_TEMPLATES } from './editors';
import { LANGUAGE_TEMPLATES } from './languages';
import { SYSTEM_TEMPLATES } from './systems';
import { TOOL_TEMPLATES } from './tools';

/**
 * Every bundled `.gitignore` template in catalogue order, the order parts appear in a combined file:
 * languages (which ignore `*.jar` and the like) before the build tools that re-include a wrapper's
 * jar, then editors, then operating systems. Loaded lazily through `loadGitignoreTemplates()`.
 */
export const GITIGNORE_TEMPLATES: readonly GitignoreTemplate[] = [
  ...LANGUAGE_TEMPLATES,
  ...TOOL_TEMPLATES,
  ...EDITOR_TEMPLATES,
  ...SYSTEM_TEMPLATES,
];
