// A sanction on the qualification card, recorded offline by the township reviewer (the desk that
// records suspensions, domain-spec §3.3): a bad entry is refused in Chinese and writes nothing;
// the sanction dated the last day of last month suspends pay from this month, the card's trace
// shows the month at 0 with the reason, and this month's roster of the township leaves the
// worker out and says why. Back online, the records sync with nothing refused. (Shares the
// database with allowances.spec.ts in either order: the sanction takes nothing before this
// month, and that spec's roster covers the last three full months.)
import { devices, expect, Page, test } from "@playwright/test";
import { login, waitForOfflineShell } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };

async function syncNow(page: Page, timeout = 60_000) {
  await page.goto("/sync");
  const button = page.getByTestId("sync-now");
  if (await button.isEnabled()) await button.click();
  await expect(page.getByTestId("sync-last-success")).toHaveAttribute("data-at", /^\d+$/, { timeout });
  await expect(page.getByTestId("sync-pending")).toHaveText("0", { timeout: 30_000 });
}

const pad = (n: number) => String(n).padStart(2, "0");

test("a sanction recorded offline suspends the worker from this month's roster with the reason", async ({ browser }) => {
  test.setTimeout(180_000);
  const started = Date.now();
  const now = new Date();
  const thisMonth = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`;
  const lastOfPrevious = new Date(now.getFullYear(), now.getMonth(), 0);
  const sanctionDay = `${lastOfPrevious.getFullYear()}-${pad(lastOfPrevious.getMonth() + 1)}-${pad(lastOfPrevious.getDate())}`;

  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await login(page, "demo-reviewer");
  await syncNow(page, 150_000);
  console.log(`reviewer's first sync: ${Date.now() - started} ms`);

  await page.goto("/allowances");
  await expect(page.getByTestId("allowances-worker-row")).toHaveCount(5);
  await page.getByTestId("allowances-worker-link").first().click();
  await expect(page.getByTestId("worker-card")).toBeVisible();
  const name = (await page.getByTestId("worker-name").innerText()).split(/\s/)[0];
  await waitForOfflineShell(page);

  await context.setOffline(true);
  await expect(page.getByTestId("online-indicator")).toHaveText("离线");
  const rows = page.getByTestId("suspension-row");
  const before = await rows.count();

  // Leave that ends before it starts, then a sanction with no reference: refused, nothing written.
  await page.getByTestId("suspension-kind").selectOption("leave");
  await page.getByTestId("suspension-from").fill("2025-05-10");
  await page.getByTestId("suspension-to").fill("2025-05-01");
  await page.getByTestId("suspension-reference").fill("请假审批表(演示)");
  await page.getByTestId("suspension-submit").click();
  await expect(page.getByTestId("suspension-error")).toHaveText("无薪休假的结束日期不能早于开始日期");
  await page.getByTestId("suspension-kind").selectOption("sanction");
  await page.getByTestId("suspension-date").fill(sanctionDay);
  await page.getByTestId("suspension-reference").fill(" ");
  await page.getByTestId("suspension-submit").click();
  await expect(page.getByTestId("suspension-error")).toHaveText("“依据”不能为空");
  await expect(rows).toHaveCount(before);

  await page.getByTestId("suspension-reference").fill("演示纪发〔2026〕1号");
  await page.getByTestId("suspension-submit").click();
  await expect(page.getByTestId("suspension-saved")).toBeVisible();
  await expect(rows).toHaveCount(before + 1);
  const sanction = rows.filter({ hasText: "演示纪发〔2026〕1号" });
  await expect(sanction.getByTestId("suspension-effect")).toContainText(`暂停发放${thisMonth}至`);
  const month = page.locator(`[data-testid="worker-trace-row"][data-month="${thisMonth}"]`);
  await expect(month.getByTestId("worker-trace-amount")).toHaveText("0.00");
  await expect(month).toContainText(`${sanctionDay}受处分，暂停发放12个月（演示纪发〔2026〕1号）`);

  // This month's roster of the township, still offline: the worker is left out, with the reason.
  await page.goto("/allowances/rosters/new");
  await expect(page.getByTestId("roster-form")).toBeVisible();
  await page.getByTestId("roster-from").fill(thisMonth);
  await page.getByTestId("roster-to").fill(thisMonth);
  await page.getByTestId("roster-submit").click();
  await expect(page).toHaveURL(/\/allowances\/rosters\/roster:/);
  await expect(page.getByTestId("roster-row")).toHaveCount(4);
  await expect(page.getByTestId("roster-table")).not.toContainText(name);
  const warning = page.getByTestId("roster-warning").filter({ hasText: "受处分" });
  await expect(warning).toHaveCount(1);
  await expect(warning).toContainText(`${name}（未列入本期名册）：${thisMonth}暂停发放`);

  await context.setOffline(false);
  await syncNow(page);
  await expect(page.getByTestId("sync-rejected-count")).toHaveText("0");
  await context.close();
  console.log(`allowances suspension spec total: ${Date.now() - started} ms`);
});
