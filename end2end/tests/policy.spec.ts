import { expect, Page, test } from '@playwright/test';
import { signIn, waitForHydration } from './helpers';

/** The demo enterprise's id, from the URL after signing in. */
function enterpriseId(page: Page): string {
  return page.url().match(/\/enterprise\/([0-9a-f-]+)\//)![1];
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

async function openPolicy(page: Page, enterprise: string): Promise<void> {
  await page.goto(`/enterprise/${enterprise}/policy`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('security policy');
  await waitForHydration(page);
}

async function savePolicy(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Save the policy' }).click();
}

test('an admin edits the policy: bad values are reported inline, good ones are saved', async ({ page }) => {
  const problems = consoleProblems(page);
  await signIn(page);
  const enterprise = enterpriseId(page);
  await openPolicy(page, enterprise);

  const minLength = page.getByLabel('Minimum password length');
  const original = await minLength.inputValue();
  await expect(page.getByLabel('Idle session timeout (minutes)')).toHaveValue('15');

  // Too short: the domain refuses it and says so next to the field.
  await minLength.fill('5');
  await savePolicy(page);
  const fieldError = page.locator('#error-password_min_length');
  await expect(fieldError).toBeVisible();
  await expect(fieldError).toHaveAttribute('role', 'alert');
  await expect(fieldError).toContainText('between 6 and 128');
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByLabel('Minimum password length')).toHaveValue(original);

  // A valid value is saved.
  await page.getByLabel('Minimum password length').fill('16');
  await savePolicy(page);
  await expect(page.getByRole('status').filter({ hasText: 'The security policy was saved.' })).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByLabel('Minimum password length')).toHaveValue('16');
  await expect(page.getByLabel('Idle session timeout (minutes)')).toHaveValue('15');

  // The summary lists the ISO 27001 rules with their outcome as text.
  const summary = page.getByRole('region', { name: 'Compliance summary' });
  await expect(summary).toContainText(/Overall: \d+ of \d+ rules pass/);
  const iso = summary.getByRole('region', { name: /ISO/ }).first();
  await expect(iso).toBeVisible();
  const results = iso.locator('tbody tr td:first-child');
  expect(await results.count()).toBeGreaterThan(0);
  for (const text of await results.allInnerTexts()) {
    expect(text.trim()).toMatch(/^(PASS|FAIL)$/);
  }
  await expect(summary.getByRole('columnheader', { name: 'Expected' }).first()).toBeVisible();

  // Put the demo figure back.
  await page.getByLabel('Minimum password length').fill(original);
  await savePolicy(page);
  await expect(page.getByRole('status').filter({ hasText: 'The security policy was saved.' })).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByLabel('Minimum password length')).toHaveValue(original);

  // The members page lists the three demo users.
  await page.goto(`/enterprise/${enterprise}/members`);
  await waitForHydration(page);
  const table = page.getByRole('table');
  for (const email of ['admin@northwind.example', 'member@northwind.example', 'viewer@northwind.example']) {
    await expect(table.getByRole('cell', { name: email, exact: true })).toBeVisible();
  }
  await expect(page.getByLabel('E-mail address')).toBeVisible();
  await expect(page.getByLabel('Role', { exact: true })).toBeVisible();

  // The refused save answers 400 on purpose; anything else is a problem.
  expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
});

test('a viewer reads the policy but gets no form, and no member list', async ({ page }) => {
  await signIn(page, 'viewer@northwind.example');
  const enterprise = enterpriseId(page);
  await openPolicy(page, enterprise);
  await expect(page.getByRole('region', { name: 'Compliance summary' })).toBeVisible();
  await expect(page.getByText('Minimum password length').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save the policy' })).toHaveCount(0);
  await expect(page.getByRole('spinbutton')).toHaveCount(0);
  await expect(page.locator('form.policy-form')).toHaveCount(0);

  await page.goto(`/enterprise/${enterprise}/members`);
  await expect(page.getByRole('alert').filter({ hasText: 'Only the enterprise' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});
