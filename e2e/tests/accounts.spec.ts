// Accounts as a district administrator and a new user use them: the admin is refused a too-short
// password (nothing created), creates a village official's account, the new user logs in on their
// own phone and changes their password (the old one stops working), and the admin disables the
// account, after which it cannot log in.
import { Browser, expect, Page, test, devices } from "@playwright/test";
import { login } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

async function tryLogin(browser: Browser, username: string, password: string): Promise<Page> {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
  return page;
}

test("an admin creates an account, its user changes the password, the admin disables it", async ({ browser }) => {
  const adminDevice = await browser.newContext(phone);
  const admin = await adminDevice.newPage();
  await login(admin, "demo-admin");
  await admin.goto("/accounts");
  await expect(admin.getByTestId("accounts-list")).toBeVisible();
  const rows = admin.getByTestId("account-row");
  await expect(rows.first()).toBeVisible();
  const before = await rows.count();

  // A password shorter than eight characters is refused in Chinese, and nothing is created.
  await admin.getByTestId("account-username").fill("e2e-qingshi");
  await admin.getByTestId("account-display-name").fill("青石村 王主任");
  await admin.getByTestId("account-role").selectOption("village_official");
  await admin.getByTestId("account-scope").fill("5099001002");
  await admin.getByTestId("account-password").fill("short");
  await admin.getByTestId("account-submit").click();
  await expect(admin.getByTestId("account-error")).toContainText("8");
  await expect(rows).toHaveCount(before);

  await admin.getByTestId("account-password").fill("qingshi-2026");
  await admin.getByTestId("account-submit").click();
  await expect(admin.getByTestId("account-created")).toContainText("e2e-qingshi");
  const row = admin.locator('[data-testid="account-row"][data-username="e2e-qingshi"]');
  await expect(row).toBeVisible();
  await expect(row).toContainText("5099001002");
  await expect(rows).toHaveCount(before + 1);

  // The new user logs in on their own phone and changes the password.
  const user = await tryLogin(browser, "e2e-qingshi", "qingshi-2026");
  await expect(user).toHaveURL(/\/$/);
  await user.goto("/account/password");
  await user.getByTestId("password-old").fill("qingshi-2026");
  await user.getByTestId("password-new").fill("qingshi-2027");
  await user.getByTestId("password-repeat").fill("qingshi-2O27");
  await user.getByTestId("password-submit").click();
  await expect(user.getByTestId("password-error")).toContainText("不一致");
  await user.getByTestId("password-repeat").fill("qingshi-2027");
  await user.getByTestId("password-submit").click();
  await expect(user.getByTestId("password-done")).toBeVisible();

  // The old password no longer works; the new one does.
  const stale = await tryLogin(browser, "e2e-qingshi", "qingshi-2026");
  await expect(stale.getByTestId("login-error")).toBeVisible();
  const fresh = await tryLogin(browser, "e2e-qingshi", "qingshi-2027");
  await expect(fresh).toHaveURL(/\/$/);

  // The admin disables the account: it is marked, and it can no longer log in.
  await row.getByTestId("account-toggle").click();
  await expect(admin.locator('[data-testid="account-row"][data-username="e2e-qingshi"]').getByTestId("account-disabled")).toBeVisible();
  const refused = await tryLogin(browser, "e2e-qingshi", "qingshi-2027");
  await expect(refused.getByTestId("login-error")).toBeVisible();
  await expect(refused).toHaveURL(/\/login$/);
});

test("only a district administrator sees the accounts screen", async ({ page }) => {
  await login(page, "demo-village");
  await page.goto("/accounts");
  await expect(page.getByTestId("accounts-not-permitted")).toBeVisible();
  await expect(page.getByTestId("account-submit")).toHaveCount(0);
});
