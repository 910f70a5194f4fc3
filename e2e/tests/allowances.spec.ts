// A quarter's social-work allowance roster on three phones: the demo village official (who
// drafts rosters, domain-spec §3.3) opens the allowances with the district's rates, loses the
// signal, drafts the roster of 青石村 for the last three full months (five seeded workers, the
// warnings to check, a 补发 line), comes back online and syncs. The township reviewer syncs and
// marks it reviewed; the district admin syncs and approves it. The approved roster shows the
// grand total in capital numerals and is frozen: a later edit or adjustment is refused in
// Chinese and changes nothing. Along the way: the rate tables (the default marked) and a
// worker's qualification card with its month-by-month trace.
import { BrowserContext, devices, expect, Page, test } from "@playwright/test";
import { login, waitForOfflineShell } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

async function syncNow(page: Page, timeout = 60_000) {
  await page.goto("/sync");
  const button = page.getByTestId("sync-now");
  if (await button.isEnabled()) await button.click();
  await expect(page.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout });
  await expect(page.getByTestId("sync-pending")).toHaveText("0", { timeout: 30_000 });
}

/** Opens the allowances (which fetches the district's rates) and then the roster at `path`. */
async function openRoster(page: Page, path: string) {
  await page.goto("/allowances");
  await expect(page.getByTestId("rates-in-force")).toHaveAttribute("data-version", "5099-2020");
  await page.locator(`a[href="${path}"]`).click();
  await expect(page.getByTestId("roster-sheet")).toBeVisible();
}

async function phoneOf(browser: import("@playwright/test").Browser, user: string, syncTimeout: number) {
  const context: BrowserContext = await browser.newContext(phone);
  const page = await context.newPage();
  const t0 = Date.now();
  await login(page, user);
  await syncNow(page, syncTimeout);
  console.log(`${user}: login and first sync ${Date.now() - t0} ms`);
  return { context, page };
}

test("a roster drafted offline is reviewed and approved after sync, then frozen", async ({ browser }) => {
  test.setTimeout(300_000);
  const started = Date.now();

  // The reviewer's and the admin's phones log in and take their first (township- and
  // district-sized) sync while the village official works.
  const reviewerReady = phoneOf(browser, "demo-reviewer", 240_000);
  const adminReady = phoneOf(browser, "demo-admin", 240_000);

  // ── the village official drafts offline ──
  const village = await phoneOf(browser, "demo-village", 60_000);
  const v = village.page;
  await v.goto("/allowances");
  await expect(v.getByTestId("rates-in-force")).toHaveAttribute("data-version", "5099-2020");
  await expect(v.getByTestId("rates-in-force")).toHaveAttribute("data-default", "false");
  await expect(v.getByTestId("allowances-worker-row")).toHaveCount(5);
  await v.getByTestId("allowances-new-roster").click();
  await expect(v.getByTestId("roster-form")).toBeVisible();
  await waitForOfflineShell(v);

  await village.context.setOffline(true);
  await expect(v.getByTestId("online-indicator")).toHaveText("离线");
  // A period that ends before it starts is refused, and nothing is written.
  const to = await v.getByTestId("roster-to").inputValue();
  const from = await v.getByTestId("roster-from").inputValue();
  await v.getByTestId("roster-to").fill(from);
  await v.getByTestId("roster-from").fill(to);
  if (from !== to) {
    await v.getByTestId("roster-submit").click();
    await expect(v.getByTestId("roster-error")).toHaveText("发放期间的结束月份不能早于开始月份");
  }
  await v.getByTestId("roster-from").fill(from);
  await v.getByTestId("roster-to").fill(to);
  await v.getByTestId("roster-unit-head").fill("王主任(演示)");
  await v.getByTestId("roster-submit").click();
  await expect(v).toHaveURL(/\/allowances\/rosters\/roster:/);
  const rosterPath = new URL(v.url()).pathname;

  await expect(v.getByTestId("roster-status")).toHaveAttribute("data-status", "draft");
  await expect(v.getByTestId("roster-row")).toHaveCount(5);
  await expect(v.getByTestId("roster-total-capital")).toHaveText("叁仟玖佰元整");
  const warnings = v.getByTestId("roster-warning");
  await expect(warnings.filter({ hasText: "登记将于" })).not.toHaveCount(0);
  await expect(warnings.filter({ hasText: "继续教育" })).not.toHaveCount(0);
  await expect(warnings.filter({ hasText: "未登记银行卡" })).not.toHaveCount(0);
  await expect(v.getByTestId("roster-header-line").first()).toContainText(`发放期间：${from} 至 ${to}`);
  await expect(v.getByTestId("roster-header-line").first()).toContainText("标准版本：5099-2020");

  // A 补发 line with its reason, still offline: the total follows.
  await v.getByTestId("roster-adjustment-amount").fill("abc");
  await v.getByTestId("roster-adjustment-submit").click();
  await expect(v.getByTestId("roster-adjustment-error")).toHaveText("金额格式应为 300 或 300.00");
  await v.getByTestId("roster-adjustment-amount").fill("100");
  await v.getByTestId("roster-adjustment-reason").fill("上季度漏发");
  await v.getByTestId("roster-adjustment-reference").fill("青石村会议纪要(演示)");
  await v.getByTestId("roster-adjustment-submit").click();
  await expect(v.getByTestId("roster-total-capital")).toHaveText("肆仟元整");
  await expect(v.getByTestId("roster-total")).toHaveText("4000.00");
  await expect(v.getByTestId("roster-table")).toContainText("+100.00 上季度漏发");

  // Reload with no network: the roster is still there, from the device.
  await v.reload();
  await expect(v.getByTestId("roster-total-capital")).toHaveText("肆仟元整");

  await village.context.setOffline(false);
  await syncNow(v);

  // ── the township reviewer ──
  const reviewer = await reviewerReady;
  const r = reviewer.page;
  await syncNow(r);
  await openRoster(r, rosterPath);
  await expect(r.getByTestId("roster-status")).toHaveAttribute("data-status", "draft");
  await expect(r.getByTestId("roster-total-capital")).toHaveText("肆仟元整");
  await expect(r.getByTestId("roster-approve")).toHaveCount(0);
  await r.getByTestId("roster-review").click();
  await expect(r.getByTestId("roster-status")).toHaveAttribute("data-status", "township_reviewed");
  await syncNow(r);
  await reviewer.context.close();

  // ── the district admin ──
  const admin = await adminReady;
  const a = admin.page;
  await syncNow(a);
  await openRoster(a, rosterPath);
  await expect(a.getByTestId("roster-status")).toHaveAttribute("data-status", "township_reviewed");
  await expect(a.getByTestId("roster-warning")).not.toHaveCount(0);
  await a.getByTestId("roster-approve").click();
  await expect(a.getByTestId("roster-status")).toHaveAttribute("data-status", "district_approved");
  await expect(a.getByTestId("roster-frozen")).toBeVisible();
  await expect(a.getByTestId("roster-total-capital")).toHaveText("肆仟元整");
  await expect(a.getByTestId("roster-header-line").nth(1)).toContainText("审核人：赵审核(演示)");
  // Frozen: a recovery on this roster is refused with the reason, and the total stays.
  await a.getByTestId("roster-adjustment-kind").selectOption("recovery");
  await a.getByTestId("roster-adjustment-amount").fill("50");
  await a.getByTestId("roster-adjustment-reason").fill("多发");
  await a.getByTestId("roster-adjustment-reference").fill("复核");
  await a.getByTestId("roster-adjustment-submit").click();
  await expect(a.getByTestId("roster-adjustment-error")).toContainText("名册已经区县审批并冻结，不能修改");
  await expect(a.getByTestId("roster-total-capital")).toHaveText("肆仟元整");
  // The rate tables: the district's own (not the default); the form marks the default amounts
  // and refuses a table without a version.
  await a.goto("/allowances/rates");
  await expect(a.locator('[data-testid="rates-table"][data-version="5099-2020"]')).toHaveAttribute("data-default", "false");
  await expect(a.getByTestId("rates-is-default-SW_SENIOR")).toBeVisible();
  await a.getByTestId("rates-submit").click();
  await expect(a.getByTestId("rates-error")).toHaveText("“版本”不能为空");
  await syncNow(a);
  await admin.context.close();

  // ── back on the village phone: approved and frozen there too ──
  await syncNow(v);
  await v.goto(rosterPath);
  await expect(v.getByTestId("roster-status")).toHaveAttribute("data-status", "district_approved");
  await expect(v.getByTestId("roster-total-capital")).toHaveText("肆仟元整");
  await v.getByTestId("roster-edit-head").fill("另一位主任");
  await v.getByTestId("roster-edit-submit").click();
  await expect(v.getByTestId("roster-edit-error")).toContainText("名册已经区县审批并冻结，不能修改");
  await expect(v.getByTestId("roster-history-line")).toHaveCount(3);

  // A worker's card: the month-by-month trace, and continuing education recorded (bad hours
  // refused first).
  await v.goto("/allowances");
  await v.getByTestId("allowances-worker-link").first().click();
  await expect(v.getByTestId("worker-card")).toBeVisible();
  await expect(v.getByTestId("worker-trace-row")).not.toHaveCount(0);
  await v.getByTestId("fact-kind").selectOption("education");
  await v.getByTestId("fact-hours").fill("abc");
  await v.getByTestId("fact-what").fill("社工继续教育(演示)");
  await v.getByTestId("fact-submit").click();
  await expect(v.getByTestId("fact-error")).toHaveText("学时格式应为 8 或 7.5");
  await v.getByTestId("fact-hours").fill("7.5");
  await v.getByTestId("fact-submit").click();
  await expect(v.getByTestId("worker-education")).toContainText("社工继续教育(演示) · 7.5");
  await village.context.close();
  console.log(`allowances spec total: ${Date.now() - started} ms`);
});
