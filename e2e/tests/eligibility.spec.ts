// One batch through the county joint review (县级联审) to a verdict: the township supervisor
// imports the 委员 nominees of 青石村's election into a batch under the demo pack and sends it;
// the court, the discipline commission and the police (demo-fayuan, demo-jiwei, demo-gongan),
// each on its own phone, sync, answer CLEAR/HIT on their own rules (the court with its network
// off), sign off and sync; the supervisor then sees each candidate's verdict with its reasons,
// records the party committee's decision on a WARN hit, gets the formal list (the ineligible
// nominee removed, the next one moved up) and issues the codes; the village's phone receives
// codes only.
import { Browser, BrowserContext, devices, expect, Page, test } from "@playwright/test";
import { login } from "./helpers";

const phone = { ...devices["Pixel 5"], viewport: { width: 360, height: 740 }, locale: "zh-CN" };
const DEMO_PACK = "演示区-三部门联审 v2";

function isoDay(offsetDays: number): string {
  const ms = Date.now() + 8 * 3600_000 + offsetDays * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Runs one sync to its end (a run started by the page load finishes first) and waits for it. */
async function syncNow(page: Page) {
  await page.goto("/sync");
  const button = page.getByTestId("sync-now");
  await expect(button).toBeEnabled({ timeout: 150_000 });
  const last = page.getByTestId("sync-last-success");
  const before = (await last.getAttribute("data-at")) ?? "";
  await button.click();
  await expect(last).toHaveAttribute("data-at", /^\d+$/, { timeout: 150_000 });
  await expect(last).not.toHaveAttribute("data-at", before, { timeout: 150_000 });
  await expect(page.getByTestId("sync-pending")).toHaveText("0", { timeout: 30_000 });
}

async function phoneOf(browser: Browser, username: string): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await login(page, username);
  return [context, page];
}

/** A HIT with its record date and case number. */
async function hit(page: Page, person: number, rule: string, date: string, note: string) {
  const row = page.getByTestId("review-person").nth(person).locator(`[data-testid="review-rule"][data-rule="${rule}"]`);
  await row.getByTestId("review-hit").click();
  await row.getByTestId("review-hit-date").fill(date);
  await row.getByTestId("review-hit-note").fill(note);
  await row.getByTestId("review-hit-save").click();
  await expect(row).toHaveAttribute("data-result", "HIT");
  await expect(row.getByTestId("review-hit-detail")).toContainText(note);
}

/** A department answers batch `id`: the given hits, everything else CLEAR, then signs off —
 *  with the network off when `offline`, uploading once it is back. */
async function answer(browser: Browser, username: string, id: string, offline: boolean, hits: (p: Page) => Promise<void>) {
  const [context, page] = await phoneOf(browser, username);
  await syncNow(page);
  await page.goto("/eligibility");
  await expect(page.locator(`[data-testid="batch-row"][data-batch="${id}"]`)).toBeVisible();
  await page.goto(`/eligibility/batches/${id}/review`);
  const people = page.getByTestId("review-person");
  await expect(people).toHaveCount(4);
  if (offline) {
    await context.setOffline(true);
    await expect(page.getByTestId("online-indicator")).toHaveText("离线");
  }
  await hits(page);
  // Not complete yet: the sign-off waits for every answer.
  await expect(page.getByTestId("review-sign-off")).toBeDisabled();
  for (let i = 0; i < 4; i++) {
    const person = people.nth(i);
    if ((await person.getAttribute("data-open")) !== "0") {
      await person.getByTestId("review-all-clear").click();
    }
    await expect(person).toHaveAttribute("data-open", "0");
  }
  await page.getByTestId("review-sign-off").click();
  await expect(page.getByTestId("review-signed")).toHaveAttribute("data-signed", "true");
  if (offline) {
    await context.setOffline(false);
  }
  await syncNow(page);
  await context.close();
}

test("a batch goes through three departments to verdicts with reasons", async ({ browser }) => {
  // Each department's first sync brings the district's 20,000 residents (see the report).
  test.setTimeout(600_000);
  const started = Date.now();

  // ── The township compiles and sends ──
  const [township, s] = await phoneOf(browser, "demo-supervisor");
  await syncNow(s);
  console.log(`supervisor's first sync: ${Date.now() - started} ms`);
  await s.goto("/");
  await s.getByTestId("module-eligibility").click();
  await s.getByTestId("batch-new").click();
  await s.getByTestId("batch-unit").selectOption("5099001001");
  await s.getByTestId("batch-pack").selectOption({ label: DEMO_PACK });
  await s.getByTestId("roll-import-post").filter({ hasText: "委员" }).first().click();
  await expect(s.getByTestId("batch-nominee")).toHaveCount(4);
  const names = (await s.getByTestId("batch-nominee").allTextContents()).map((t) => t.replace(/^\d+\.\s*/, "").replace(/(上移)?移除$/, "").trim());
  // Bad input: the formal list after election day is refused, nothing is written.
  await s.getByTestId("batch-election-day").fill(isoDay(40));
  await s.getByTestId("batch-list-day").fill(isoDay(41));
  await s.getByTestId("batch-save").click();
  await expect(s.getByTestId("batch-error")).toContainText("不能晚于选举日");
  await s.getByTestId("batch-list-day").fill(isoDay(30));
  await s.getByTestId("batch-seats").fill("2");
  await s.getByTestId("batch-margin").fill("1");
  await s.getByTestId("batch-save").click();
  await expect(s).toHaveURL(/\/eligibility\/batches\/[^/]+$/);
  const batchUrl = s.url();
  const id = decodeURIComponent(batchUrl.split("/").pop()!);
  await expect(s.getByTestId("batch")).toHaveAttribute("data-status", "compiled");
  await s.getByTestId("batch-send").click();
  await expect(s.getByTestId("batch")).toHaveAttribute("data-status", "under_review");
  await expect(s.getByTestId("department-row")).toHaveCount(3);
  await expect(s.locator('[data-testid="department-row"][data-done="false"]')).toHaveCount(3);
  await syncNow(s);

  // ── Three departments, each on its own phone (one after the other: each first sync brings
  // the district's 20,000 residents, and three at once only compete for the same two cores) ──
  await answer(browser, "demo-fayuan", id, true, (p) => hit(p, 0, "N01", "2019-05-01", "(2019)渝0101刑初123号"));
  await answer(browser, "demo-gongan", id, false, (p) => hit(p, 1, "N13", isoDay(-400), "渝公(治)决字123号"));
  await answer(browser, "demo-jiwei", id, false, async () => {});
  console.log(`three departments answered: ${Date.now() - started} ms`);

  // ── The township sees every verdict with its reasons ──
  await syncNow(s);
  await s.goto(batchUrl);
  await expect(s.getByTestId("batch")).toHaveAttribute("data-status", "closed");
  await expect(s.locator('[data-testid="department-row"][data-done="true"]')).toHaveCount(3);
  const rows = s.getByTestId("verdict-row");
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(0)).toHaveAttribute("data-code", "NOT_ELIGIBLE");
  await expect(rows.nth(0).getByTestId("verdict-reason")).toContainText(["N01 受过刑事处罚：命中"]);
  await expect(rows.nth(1)).toHaveAttribute("data-code", "NEEDS_DECISION");
  await expect(rows.nth(1).getByTestId("verdict-reason")).toContainText(["N13"]);
  await expect(rows.nth(2)).toHaveAttribute("data-code", "CLEAR");
  await expect(rows.nth(3)).toHaveAttribute("data-code", "CLEAR");
  await expect(s.getByTestId("formal-waiting")).toContainText("待乡镇党委研究决定");
  // The township never receives HIT details: no case number anywhere on its device.
  await expect(s.locator("body")).not.toContainText("刑初123号");

  // The party committee's decision on the WARN hit, on the candidate's card.
  await rows.nth(1).locator("a").click();
  await expect(s.getByTestId("card-code")).toHaveAttribute("data-code", "NEEDS_DECISION");
  await expect(s.getByTestId("card-id")).toHaveText(/^\d{4}\*{10}[\dX]{4}$/);
  await expect(s.locator('[data-testid="card-basic"][data-rule="B01"]')).toContainText("通过");
  await expect(s.locator('[data-testid="card-reason"][data-rule="N13"]')).toHaveAttribute("data-status", "needs_decision");
  await s.getByTestId("decision-save").click();
  await expect(s.getByTestId("decision-error")).toContainText("请填写决定理由");
  await s.getByTestId("decision-reason").fill("情节轻微，已改正，群众认可");
  await s.getByTestId("decision-save").click();
  await expect(s.getByTestId("card-decision")).toHaveCount(1);
  await expect(s.getByTestId("card-code")).toHaveAttribute("data-code", "CLEAR");
  await expect(s.locator('[data-testid="card-reason"][data-rule="N13"]')).toHaveAttribute("data-status", "kept_by_decision");

  // The formal list: the first nominee removed, the fourth moves up; then the codes go out.
  await s.goto(batchUrl);
  await expect(s.getByTestId("verdict-row").nth(1)).toHaveAttribute("data-code", "CLEAR");
  await expect(s.getByTestId("formal-candidate")).toHaveCount(3);
  await expect(s.getByTestId("formal-removed")).toContainText(names[0]);
  await expect(s.getByTestId("formal-candidate").nth(2)).toContainText("递补");
  await s.getByTestId("batch-issue").click();
  await expect(s.getByTestId("batch")).toHaveAttribute("data-status", "issued");

  // The result sheet for the files.
  await s.getByTestId("batch-result-link").click();
  await expect(s.getByTestId("result-row")).toHaveCount(4);
  await expect(s.getByTestId("result-row").nth(0)).toContainText("不具备候选人资格");
  await expect(s.getByTestId("result-footer")).toHaveCount(3);
  const download = s.waitForEvent("download");
  await s.getByTestId("result-csv").click();
  expect((await download).suggestedFilename()).toMatch(/^联审结果-.*\.csv$/);
  await syncNow(s);
  await township.close();

  // ── The village receives the codes and nothing else ──
  const [village, v] = await phoneOf(browser, "demo-village");
  await syncNow(v);
  await v.goto("/eligibility");
  await expect(v.getByTestId("village-code")).toHaveCount(4);
  await expect(v.locator('[data-testid="village-code"][data-code="NOT_ELIGIBLE"]')).toHaveCount(1);
  await expect(v.locator('[data-testid="village-code"][data-code="CLEAR"]')).toHaveCount(3);
  await expect(v.locator("body")).not.toContainText("N01");
  await village.close();
  console.log(`eligibility spec total: ${Date.now() - started} ms`);
});

// A district admin's rule pack: the built-in default is read-only; a clone for the district
// takes changes as events, and a change the domain refuses (a rule switched on with no reviewing
// department) says why and changes nothing.
test("a district admin clones the default pack and changes it", async ({ browser }) => {
  test.setTimeout(120_000);
  const [admin, a] = await phoneOf(browser, "demo-admin");
  await a.goto("/eligibility/packs");
  await expect(a.getByTestId("pack-view")).toHaveAttribute("data-pack", "CQ-candidate-2021");
  await expect(a.getByTestId("pack-read-only")).toBeVisible();
  await expect(a.getByTestId("pack-rule")).toHaveCount(31);
  await a.getByTestId("pack-clone-unit").selectOption("5099");
  await a.getByTestId("pack-clone-id").fill("CQ-candidate-2021");
  await a.getByTestId("pack-clone-save").click();
  await expect(a.getByTestId("pack-clone-error")).toContainText("不能与");
  await a.getByTestId("pack-clone-id").fill("演示区-2026");
  await a.getByTestId("pack-clone-save").click();
  const row = a.locator('[data-testid="pack-row"][data-pack="演示区-2026"]');
  await expect(row).toBeVisible();
  await row.getByTestId("pack-pick").click();
  const view = a.getByTestId("pack-view");
  await expect(view).toHaveAttribute("data-pack", "演示区-2026");
  await expect(view).toHaveAttribute("data-version", "1");
  // N18 has no reviewing department: switching it on is refused with the reason.
  const n18 = a.locator('[data-testid="pack-rule"][data-rule="N18"]');
  await n18.getByTestId("pack-rule-enabled").click();
  await expect(a.getByTestId("pack-error")).toContainText("没有审查单位");
  await expect(n18.getByTestId("pack-rule-enabled")).not.toBeChecked();
  await expect(view).toHaveAttribute("data-version", "1");
  // N10: lookback 5 → 3 years; N15: WARN → HARD; N01 intentional crimes only.
  const n10 = a.locator('[data-testid="pack-rule"][data-rule="N10"]');
  await n10.getByTestId("pack-rule-lookback").fill("3");
  await n10.getByTestId("pack-rule-lookback-save").click();
  await expect(view).toHaveAttribute("data-version", "2");
  await expect(a.locator('[data-testid="pack-rule"][data-rule="N10"]')).toHaveAttribute("data-lookback", "3");
  await a.locator('[data-testid="pack-rule"][data-rule="N15"]').getByTestId("pack-rule-kind").selectOption("HARD");
  await expect(view).toHaveAttribute("data-version", "3");
  await expect(a.locator('[data-testid="pack-rule"][data-rule="N15"]')).toHaveAttribute("data-kind", "Hard");
  // N01's parameter: intentional crimes only.
  const n01 = a.locator('[data-testid="pack-rule"][data-rule="N01"]');
  await n01.getByTestId("pack-rule-param-value").fill("true");
  await n01.getByTestId("pack-rule-param-save").click();
  await expect(view).toHaveAttribute("data-version", "4");
  await expect(a.locator('[data-testid="pack-rule"][data-rule="N01"]').getByTestId("pack-rule-param-value")).toHaveValue("true");
  await expect(a.getByTestId("pack-history-row")).toHaveCount(4);
  await admin.close();
});
