import { expect, test } from '@playwright/test';
import { signIn, waitForHydration } from './helpers';

test('an anonymous visitor is sent to the login page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('a wrong password is refused inline', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('E-mail').fill('admin@northwind.example');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('not correct');
  await expect(page).toHaveURL(/\/login/);
});

test('sign in, switch tabs without a page load, sign out', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Northwind Health');
  for (const title of ['Policies Active', 'Controls Verified', 'Active Incidents', 'Compliance Score']) {
    await expect(page.getByRole('article', { name: title })).toBeVisible();
  }
  await waitForHydration(page);

  // A marker on window survives client-side navigation only.
  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByRole('navigation', { name: 'Security tabs' }).getByRole('link', { name: 'Incidents' }).click();
  await expect(page).toHaveURL(/\?tab=incidents$/);
  await expect(page.getByRole('heading', { name: 'Incidents', level: 2, exact: true })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  await page.screenshot({ path: 'screenshots/security-incidents-tab.png', fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('the tab in the URL is rendered by the server', async ({ page, browser }) => {
  await signIn(page);
  const url = page.url().replace(/\?.*$/, '') + '?tab=audits';
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const noJs = await context.newPage();
  await noJs.goto(url);
  await expect(noJs.getByRole('heading', { name: 'Audits', level: 2, exact: true })).toBeVisible();
  await context.close();
});

test('a wrong password is refused inline without JavaScript too', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('E-mail').fill('admin@northwind.example');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('not correct');
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});
