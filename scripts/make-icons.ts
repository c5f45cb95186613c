// Renders assets/icon.svg to the PNG sizes the stores and the toolbar need (public/icon/N.png).
// Run after changing the SVG: npx tsx scripts/make-icons.ts
import { readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chromiumPath } from '../tests/e2e/chromium';

const svg = readFileSync('assets/icon.svg', 'utf8');
const browser = await chromium.launch({
  executablePath: chromiumPath(),
  args: ['--no-sandbox', '--disable-gpu'],
});
for (const size of [16, 32, 48, 96, 128]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(
    `<style>html,body{margin:0;background:transparent}</style>${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}`,
  );
  await page.screenshot({ path: `public/icon/${size}.png`, omitBackground: true });
  await page.close();
}
await browser.close();
