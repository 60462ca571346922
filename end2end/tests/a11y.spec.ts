import AxeBuilder from '@axe-core/playwright';
import { expect, Page, test } from '@playwright/test';
import { signIn, waitForHydration } from './helpers';

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Console errors and warnings, which is where hydration mismatches show. */
function consoleProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  return problems;
}

test('print pages pass axe; pages hydrate without console warnings', async ({ page }) => {
  const problems = consoleProblems(page);
  await signIn(page);
  const enterprise = page.url().match(/\/enterprise\/([0-9a-f-]+)\//)![1];
  for (const path of ['security?tab=incidents', 'security?tab=audits', 'incidents', 'checklists', 'compliance']) {
    await page.goto(`/enterprise/${enterprise}/${path}`);
    await waitForHydration(page);
  }
  expect(problems).toEqual([]);
  for (const path of ['compliance/print', 'soa/print']) {
    await page.goto(`/enterprise/${enterprise}/${path}`);
    await waitForHydration(page);
    expect(await seriousViolations(page), path).toEqual([]);
  }
});
